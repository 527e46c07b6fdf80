//! The block: consensus context, header fields, transactions and their committed outcomes.

use bytes::BufMut;
use commonware_codec::{
    Buf, Encode, EncodeSize, Error as CodecError, FixedSize, MaxEncodeSize, RangeCfg, Read,
    ReadExt, Write,
};
use commonware_consensus::{
    Block as ConsensusBlock, BoundedBlock, CertifiableBlock, Heightable,
    simplex::types::Context,
    types::{Epoch, Height, Round, View},
};
use commonware_cryptography::{Digest as _, Digestible, Hasher, Sha256, Signer, ed25519, sha256};
use commonware_storage::mmr::Location;
use commonware_utils::{non_empty_range, range::NonEmptyRange};
use phalanx_runtime::Outcome;
use phalanx_types::SignedTx;

/// Block and state digests.
pub type Digest = sha256::Digest;

/// The consensus context embedded in every block (round, leader, parent view).
pub type BlockContext = Context<Digest, ed25519::PublicKey>;

/// Most transactions one block may carry on the wire.
pub const MAX_BLOCK_TXS: usize = 20_000;

/// Largest encoded transaction the block decoder can meet (the structure is bounded).
pub const MAX_ENCODED_TX: usize = (1 + phalanx_types::MAX_CHAIN_ID_LEN) + 32 + 8 + 16 + 50 + 64;

/// Encoded size of one outcome.
const OUTCOME_SIZE: usize = 18;

/// A Phalanx block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Consensus metadata (round, leader, parent view) the block was proposed under.
    pub context: BlockContext,
    /// Digest of the parent block. For the genesis block: the hash of the chain spec, so
    /// different specs give different chains.
    pub parent: Digest,
    pub height: Height,
    /// Proposer's clock, milliseconds since the Unix epoch; never below the parent's.
    pub timestamp_ms: u64,
    /// Canonical root of the authenticated state after this block: what state proofs verify
    /// against.
    pub state_root: Digest,
    /// Root of the state's operation log, and the log range: the state-sync target.
    pub ops_root: Digest,
    pub range: NonEmptyRange<Location>,
    pub txs: Vec<SignedTx>,
    /// One outcome per transaction, checked by every validator's re-execution.
    pub outcomes: Vec<Outcome>,
}

impl Block {
    /// The genesis block of a chain whose spec hashes to `spec_hash`.
    pub fn genesis(
        spec_hash: Digest,
        genesis_time_ms: u64,
        state_root: Digest,
        ops_root: Digest,
        range: NonEmptyRange<Location>,
    ) -> Self {
        Self {
            context: Context {
                round: Round::new(Epoch::zero(), View::zero()),
                leader: ed25519::PrivateKey::from_seed(0).public_key(),
                parent: (View::zero(), Digest::EMPTY),
            },
            parent: spec_hash,
            height: Height::zero(),
            timestamp_ms: genesis_time_ms,
            state_root,
            ops_root,
            range,
            txs: Vec::new(),
            outcomes: Vec::new(),
        }
    }

    /// Placeholder range for a block under construction.
    pub fn empty_range() -> NonEmptyRange<Location> {
        non_empty_range!(Location::new(0), Location::new(1))
    }
}

impl Write for Block {
    fn write(&self, buf: &mut impl BufMut) {
        self.context.write(buf);
        self.parent.write(buf);
        self.height.write(buf);
        self.timestamp_ms.write(buf);
        self.state_root.write(buf);
        self.ops_root.write(buf);
        self.range.write(buf);
        self.txs.write(buf);
        self.outcomes.write(buf);
    }
}

impl EncodeSize for Block {
    fn encode_size(&self) -> usize {
        self.context.encode_size()
            + Digest::SIZE
            + self.height.encode_size()
            + u64::SIZE
            + Digest::SIZE * 2
            + self.range.encode_size()
            + self.txs.encode_size()
            + self.outcomes.encode_size()
    }
}

impl Read for Block {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let limit: RangeCfg<usize> = (0..=MAX_BLOCK_TXS).into();
        let block = Self {
            context: Context::read(buf)?,
            parent: Digest::read(buf)?,
            height: Height::read(buf)?,
            timestamp_ms: u64::read(buf)?,
            state_root: Digest::read(buf)?,
            ops_root: Digest::read(buf)?,
            range: NonEmptyRange::read(buf)?,
            txs: Vec::<SignedTx>::read_cfg(buf, &(limit, ()))?,
            outcomes: Vec::<Outcome>::read_cfg(buf, &(limit, ()))?,
        };
        if block.txs.len() != block.outcomes.len() {
            return Err(CodecError::Invalid("Block", "one outcome per transaction"));
        }
        Ok(block)
    }
}

impl Block {
    /// Hash of the block body (transactions and outcomes), committed to by the header.
    pub fn body_root(&self) -> Digest {
        let mut body = Vec::with_capacity(self.txs.encode_size() + self.outcomes.encode_size());
        self.txs.write(&mut body);
        self.outcomes.write(&mut body);
        Sha256::hash(&[BODY_DOMAIN, &body])
    }

    /// The block's header: every field except the body, which it commits to by hash.
    pub fn header(&self) -> Header {
        Header {
            context: self.context.clone(),
            parent: self.parent,
            height: self.height,
            timestamp_ms: self.timestamp_ms,
            state_root: self.state_root,
            ops_root: self.ops_root,
            range: self.range.clone(),
            body_root: self.body_root(),
        }
    }
}

/// Domain tags of the two hashes, so a header can never be read as a body or the reverse.
const HEADER_DOMAIN: &[u8] = b"phalanx/block-header/v1";
const BODY_DOMAIN: &[u8] = b"phalanx/block-body/v1";

/// A block header: what a light client downloads. The block digest (what consensus finalizes)
/// is the hash of the header, so a header and a finality certificate for its digest prove
/// the header's state root without the transactions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub context: BlockContext,
    pub parent: Digest,
    pub height: Height,
    pub timestamp_ms: u64,
    pub state_root: Digest,
    pub ops_root: Digest,
    pub range: NonEmptyRange<Location>,
    /// Hash of the transactions and outcomes ([`Block::body_root`]).
    pub body_root: Digest,
}

impl Header {
    /// The digest of the block this header belongs to.
    pub fn digest(&self) -> Digest {
        Sha256::hash(&[HEADER_DOMAIN, &self.encode()])
    }
}

impl Write for Header {
    fn write(&self, buf: &mut impl BufMut) {
        self.context.write(buf);
        self.parent.write(buf);
        self.height.write(buf);
        self.timestamp_ms.write(buf);
        self.state_root.write(buf);
        self.ops_root.write(buf);
        self.range.write(buf);
        self.body_root.write(buf);
    }
}

impl EncodeSize for Header {
    fn encode_size(&self) -> usize {
        self.context.encode_size()
            + Digest::SIZE
            + self.height.encode_size()
            + u64::SIZE
            + Digest::SIZE * 3
            + self.range.encode_size()
    }
}

impl Read for Header {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            context: Context::read(buf)?,
            parent: Digest::read(buf)?,
            height: Height::read(buf)?,
            timestamp_ms: u64::read(buf)?,
            state_root: Digest::read(buf)?,
            ops_root: Digest::read(buf)?,
            range: NonEmptyRange::read(buf)?,
            body_root: Digest::read(buf)?,
        })
    }
}

impl MaxEncodeSize for Header {
    const MAX_ENCODE_SIZE: usize = BlockContext::MAX_ENCODE_SIZE
        + Digest::SIZE
        + Height::MAX_ENCODE_SIZE
        + u64::SIZE
        + Digest::SIZE * 3
        + NonEmptyRange::<Location>::MAX_ENCODE_SIZE;
}

impl Digestible for Block {
    type Digest = Digest;
    fn digest(&self) -> Digest {
        self.header().digest()
    }
}

impl Heightable for Block {
    fn height(&self) -> Height {
        self.height
    }
}

impl ConsensusBlock for Block {
    fn parent(&self) -> Digest {
        self.parent
    }
}

impl CertifiableBlock for Block {
    type Context = BlockContext;
    fn context(&self) -> BlockContext {
        self.context.clone()
    }
}

impl BoundedBlock for Block {
    fn max_encode_size(_: &Self::Cfg) -> usize {
        BlockContext::MAX_ENCODE_SIZE
            + Digest::SIZE
            + Height::MAX_ENCODE_SIZE
            + u64::SIZE
            + Digest::SIZE * 2
            + NonEmptyRange::<Location>::MAX_ENCODE_SIZE
            + 2 * 5 // two length prefixes (varint)
            + MAX_BLOCK_TXS * (MAX_ENCODED_TX + OUTCOME_SIZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::DecodeExt;
    use phalanx_types::{AccountId, BalancesCall, ChainId, TxBody};

    #[test]
    fn round_trip_and_bounds() {
        let key = ed25519::PrivateKey::from_seed(1);
        let tx = TxBody {
            chain_id: ChainId::new("a".repeat(32)).unwrap(),
            signer: key.public_key().into(),
            nonce: 0,
            fee: 1,
            call: BalancesCall::Transfer {
                to: AccountId::from(key.public_key()),
                amount: 1,
            }
            .into(),
        }
        .sign(&key);
        assert_eq!(tx.encode().len(), MAX_ENCODED_TX);
        let mut block = Block::genesis(
            Digest::EMPTY,
            5,
            Digest::EMPTY,
            Digest::EMPTY,
            Block::empty_range(),
        );
        block.txs.push(tx);
        block.outcomes.push(Outcome {
            status: phalanx_runtime::TxStatus::Success,
            fee_paid: 1,
        });
        let bytes = block.encode();
        assert_eq!(Block::decode(bytes.clone()).unwrap(), block);
        assert!(bytes.len() <= Block::max_encode_size(&()));
        // The digest is the header's: a header proves the block without its body, and the
        // body is bound by its root.
        let header = block.header();
        assert_eq!(header.digest(), block.digest());
        assert_eq!(Header::decode(header.encode()).unwrap(), header);
        assert!(header.encode().len() <= Header::MAX_ENCODE_SIZE);
        let mut other = block.clone();
        other.outcomes[0].fee_paid = 2;
        assert_ne!(other.digest(), block.digest());
        // A block whose outcome count disagrees with its transactions is refused.
        block.outcomes.clear();
        assert!(Block::decode(block.encode()).is_err());
    }
}
