//! Transactions: what a client signs, and the wire form the chain accepts.
//!
//! The signature covers the encoded [`TxBody`] under the namespace [`tx_namespace`], which names
//! the chain: a transaction signed for one chain fails verification on every other chain, and the
//! explicit `chain_id` field lets nodes say *why* instead of reporting a bare bad signature.

use crate::{AccountId, Amount, Call, ChainId, Hash};
use bytes::BufMut;
use commonware_codec::Buf;
use commonware_codec::{Encode, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, Write};
use commonware_cryptography::{Hasher, Sha256, Signer, Verifier, ed25519};

/// Largest encoded [`SignedTx`] a node accepts, in bytes.
pub const MAX_TX_SIZE: usize = 64 * 1024;

/// The identifier of a transaction: SHA-256 of its signed encoding.
pub type TxHash = Hash;

/// The signing domain for transactions on `chain`.
pub fn tx_namespace(chain: &ChainId) -> Vec<u8> {
    chain.namespace(b"phalanx/tx/v1/")
}

/// The signed part of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxBody {
    /// The chain this transaction is meant for.
    pub chain_id: ChainId,
    /// The paying and signing account.
    pub signer: AccountId,
    /// Must equal the signer's current nonce; increments by one per included transaction.
    pub nonce: u64,
    /// The fee offered, in base units. Must be at least the chain's required fee for this
    /// transaction; all of it is charged.
    pub fee: Amount,
    /// What to do.
    pub call: Call,
}

impl TxBody {
    /// Signs the body with `key`, which must be the key of `self.signer`.
    pub fn sign(self, key: &ed25519::PrivateKey) -> SignedTx {
        let signature = key.sign(&tx_namespace(&self.chain_id), &self.encode());
        SignedTx {
            body: self,
            signature,
        }
    }
}

impl Write for TxBody {
    fn write(&self, buf: &mut impl BufMut) {
        self.chain_id.write(buf);
        self.signer.write(buf);
        self.nonce.write(buf);
        self.fee.write(buf);
        self.call.write(buf);
    }
}

impl EncodeSize for TxBody {
    fn encode_size(&self) -> usize {
        self.chain_id.encode_size()
            + AccountId::SIZE
            + u64::SIZE
            + Amount::SIZE
            + self.call.encode_size()
    }
}

impl Read for TxBody {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            chain_id: ChainId::read(buf)?,
            signer: AccountId::read(buf)?,
            nonce: u64::read(buf)?,
            fee: Amount::read(buf)?,
            call: Call::read(buf)?,
        })
    }
}

/// A transaction with its signature, as submitted and as carried in blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTx {
    pub body: TxBody,
    pub signature: ed25519::Signature,
}

impl SignedTx {
    /// The transaction's hash (SHA-256 of the full signed encoding).
    pub fn hash(&self) -> TxHash {
        Sha256::hash(&[&self.encode()])
    }

    /// Checks the signature against the body's signer under the body's chain namespace.
    pub fn verify_signature(&self) -> bool {
        self.body.signer.public_key().verify(
            &tx_namespace(&self.body.chain_id),
            &self.body.encode(),
            &self.signature,
        )
    }

    /// Decodes a transaction from untrusted bytes, refusing anything over [`MAX_TX_SIZE`] or with
    /// trailing data.
    pub fn decode_untrusted(bytes: &[u8]) -> Result<Self, CodecError> {
        if bytes.len() > MAX_TX_SIZE {
            return Err(CodecError::Invalid("SignedTx", "larger than MAX_TX_SIZE"));
        }
        <Self as commonware_codec::DecodeExt<()>>::decode(commonware_codec::Copying(bytes))
    }
}

impl Write for SignedTx {
    fn write(&self, buf: &mut impl BufMut) {
        self.body.write(buf);
        self.signature.write(buf);
    }
}

impl EncodeSize for SignedTx {
    fn encode_size(&self) -> usize {
        self.body.encode_size() + ed25519::Signature::SIZE
    }
}

impl Read for SignedTx {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            body: TxBody::read(buf)?,
            signature: ed25519::Signature::read(buf)?,
        })
    }
}
