//! The index's values, in a canonical binary encoding (commonware-codec), each prefixed by a
//! format version so a future layout can be told apart, naming its own key (so a value reached
//! through a damaged pointer is noticed), and sealed with a CRC-32 of its bytes: redb checks
//! its pages' checksums only when repairing or checking the whole file, not on every read, and
//! a damaged record must be an error, never an answer.

use bytes::BufMut;
use commonware_codec::{
    Buf, EncodeSize, Error as CodecError, RangeCfg, Read, ReadExt, ReadRangeExt, Write,
};
use phalanx_runtime::{Event, Receipt};
use phalanx_types::AccountId;

/// The version byte of every record written by this code.
pub const RECORD_VERSION: u8 = 1;

/// Most block-hook events one block's record may hold when read back (the hooks' own limits
/// keep real blocks far below; this bounds what a damaged file can make the reader allocate).
pub const MAX_BLOCK_EVENTS: usize = 1 << 20;

/// Longest call name (`component.call`) stored with a transaction.
pub const MAX_CALL_NAME: usize = 64;

/// Bytes of the CRC-32 that ends every stored value.
const SEAL: usize = 4;

/// `bytes` followed by their CRC-32, as stored.
pub fn seal(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes
}

/// The bytes a stored value seals, or why it is damaged.
pub fn unseal(stored: &[u8]) -> Result<&[u8], &'static str> {
    if stored.len() < SEAL {
        return Err("shorter than its checksum");
    }
    let (bytes, crc) = stored.split_at(stored.len() - SEAL);
    let mut expected = [0u8; SEAL];
    expected.copy_from_slice(crc);
    if crc32fast::hash(bytes) != u32::from_le_bytes(expected) {
        return Err("checksum mismatch");
    }
    Ok(bytes)
}

/// A finalized block as the index keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockRecord {
    /// Its own key (checked on every read).
    pub height: u64,
    pub digest: [u8; 32],
    pub timestamp_ms: u64,
    pub state_root: [u8; 32],
    pub tx_count: u32,
    /// False when the block was not executed where the record was made (rebuilt from the block
    /// archive): its receipts carry no events and `block_events` is empty.
    pub events_known: bool,
    /// `begin_block`'s events, then `end_block`'s.
    pub block_events: Vec<Event>,
}

/// A finalized transaction as the index keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxRecord {
    /// Its own key, (height, index in block) (checked on every read).
    pub height: u64,
    pub index: u32,
    pub hash: [u8; 32],
    pub signer: AccountId,
    pub nonce: u64,
    /// `component.call` (the call itself is in the block archive).
    pub call: String,
    pub receipt: Receipt,
}

fn read_version(buf: &mut impl Buf, what: &'static str) -> Result<(), CodecError> {
    match u8::read(buf)? {
        RECORD_VERSION => Ok(()),
        _ => Err(CodecError::Invalid(what, "unknown record version")),
    }
}

impl Write for BlockRecord {
    fn write(&self, buf: &mut impl BufMut) {
        RECORD_VERSION.write(buf);
        self.height.write(buf);
        self.digest.write(buf);
        self.timestamp_ms.write(buf);
        self.state_root.write(buf);
        self.tx_count.write(buf);
        self.events_known.write(buf);
        self.block_events.write(buf);
    }
}

impl EncodeSize for BlockRecord {
    fn encode_size(&self) -> usize {
        1 + 8 + 32 + 8 + 32 + 4 + 1 + self.block_events.encode_size()
    }
}

impl Read for BlockRecord {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        read_version(buf, "BlockRecord")?;
        Ok(Self {
            height: u64::read(buf)?,
            digest: <[u8; 32]>::read(buf)?,
            timestamp_ms: u64::read(buf)?,
            state_root: <[u8; 32]>::read(buf)?,
            tx_count: u32::read(buf)?,
            events_known: bool::read(buf)?,
            block_events: Vec::<Event>::read_range(buf, ..=MAX_BLOCK_EVENTS)?,
        })
    }
}

impl Write for TxRecord {
    fn write(&self, buf: &mut impl BufMut) {
        RECORD_VERSION.write(buf);
        self.height.write(buf);
        self.index.write(buf);
        self.hash.write(buf);
        self.signer.write(buf);
        self.nonce.write(buf);
        self.call.as_bytes().write(buf);
        self.receipt.write(buf);
    }
}

impl EncodeSize for TxRecord {
    fn encode_size(&self) -> usize {
        1 + 8
            + 4
            + 32
            + self.signer.encode_size()
            + 8
            + self.call.as_bytes().encode_size()
            + self.receipt.encode_size()
    }
}

impl Read for TxRecord {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        read_version(buf, "TxRecord")?;
        let height = u64::read(buf)?;
        let index = u32::read(buf)?;
        let hash = <[u8; 32]>::read(buf)?;
        let signer = AccountId::read(buf)?;
        let nonce = u64::read(buf)?;
        let call = Vec::<u8>::read_cfg(buf, &(RangeCfg::new(..=MAX_CALL_NAME), ()))?;
        let call = String::from_utf8(call)
            .map_err(|_| CodecError::Invalid("TxRecord", "call name is not UTF-8"))?;
        Ok(Self {
            height,
            index,
            hash,
            signer,
            nonce,
            call,
            receipt: Receipt::read(buf)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::{DecodeExt, Encode};
    use phalanx_runtime::{TxStatus, balances};

    fn account(seed: u64) -> AccountId {
        use commonware_cryptography::Signer as _;
        AccountId::from(commonware_cryptography::ed25519::PrivateKey::from_seed(seed).public_key())
    }

    #[test]
    fn records_round_trip_and_refuse_other_versions() {
        let transfer = Event::Balances(balances::Event::Transfer {
            from: account(1),
            to: account(2),
            amount: 5,
        });
        let block = BlockRecord {
            height: 4,
            digest: [1; 32],
            timestamp_ms: 1_800_000_000_000,
            state_root: [2; 32],
            tx_count: 1,
            events_known: true,
            block_events: vec![transfer.clone()],
        };
        let tx = TxRecord {
            height: 4,
            index: 0,
            hash: [3; 32],
            signer: account(1),
            nonce: 7,
            call: "balances.transfer".into(),
            receipt: Receipt {
                status: TxStatus::Success,
                fee_paid: 10,
                events: vec![transfer],
            },
        };
        assert_eq!(
            BlockRecord::decode(block.encode()).ok(),
            Some(block.clone())
        );
        assert_eq!(TxRecord::decode(tx.encode()).ok(), Some(tx.clone()));
        let mut other = tx.encode().to_vec();
        other[0] = RECORD_VERSION + 1;
        assert!(TxRecord::decode(commonware_codec::Copying(other.as_slice())).is_err());
        // A truncated record is an error, not a shorter record.
        let bytes = block.encode();
        assert!(BlockRecord::decode(commonware_codec::Copying(&bytes[..bytes.len() - 1])).is_err());
    }

    #[test]
    fn a_seal_notices_any_flipped_bit() {
        let stored = seal(b"receipt bytes".to_vec());
        assert_eq!(unseal(&stored), Ok(&b"receipt bytes"[..]));
        for i in 0..stored.len() * 8 {
            let mut damaged = stored.clone();
            damaged[i / 8] ^= 1 << (i % 8);
            assert!(unseal(&damaged).is_err(), "bit {i}");
        }
        assert!(unseal(&[1, 2, 3]).is_err());
    }
}
