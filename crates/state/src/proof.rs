//! State proofs: "key K has value V" or "key K has no value", against a canonical state root.
//!
//! The encoding is a one-byte kind followed by the QMDB proof: `0` inclusion
//! ([`KeyValueProof`](commonware_storage::qmdb::current::ordered::proof::KeyValueProof)),
//! `1` exclusion
//! ([`ExclusionProof`](commonware_storage::qmdb::current::ordered::proof::ExclusionProof)).
//! Decoding is bounded (total size, digests per proof, value size), so a hostile server cannot
//! make a client allocate without limit.

use crate::{
    db::{CHUNK_BYTES, StateKey},
    value::{MAX_STATE_VALUE, StateValue},
};
use bytes::BufMut;
use commonware_codec::{
    Buf, Encode as _, EncodeSize, Error as CodecError, Read, ReadExt as _, Write,
};
use commonware_cryptography::{Sha256, sha256::Digest};
use commonware_storage::{
    mmr,
    qmdb::{any::value::VariableEncoding, current::ordered::proof::constant},
};
use thiserror::Error;

/// Largest encoded proof accepted (a proof holds at most [`MAX_PROOF_DIGESTS`] digests plus one
/// value).
pub const MAX_PROOF_BYTES: usize = MAX_STATE_VALUE + 64 * 1024;
/// Most digests in one proof's range proof (an MMR path is at most ~2 × 64 digests).
pub const MAX_PROOF_DIGESTS: usize = 256;

type Encoding = VariableEncoding<StateValue>;
type Inclusion = constant::KeyValueProof<mmr::Family, StateKey, Digest, CHUNK_BYTES>;
type Exclusion = constant::ExclusionProof<mmr::Family, StateKey, Encoding, Digest, CHUNK_BYTES>;

const INCLUSION: u8 = 0;
const EXCLUSION: u8 = 1;

/// A proof that a key holds a value, or holds none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateProof {
    Inclusion(Inclusion),
    Exclusion(Exclusion),
}

/// Why a proof was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ProofError {
    #[error("proof is {0} bytes; the limit is {MAX_PROOF_BYTES}")]
    TooLarge(usize),
    #[error("proof does not decode: {0}")]
    Malformed(String),
    #[error("an inclusion proof was given, but the claim is that the key is absent")]
    InclusionForAbsent,
    #[error("an exclusion proof was given, but the claim is that the key has a value")]
    ExclusionForPresent,
    #[error("claimed value is {0} bytes; the limit is {MAX_STATE_VALUE}")]
    ValueTooLarge(usize),
    #[error("proof does not verify against state root {0}")]
    RootMismatch(String),
}

impl StateProof {
    /// Decodes untrusted bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, ProofError> {
        if bytes.len() > MAX_PROOF_BYTES {
            return Err(ProofError::TooLarge(bytes.len()));
        }
        // `decode` also refuses trailing bytes.
        <Self as commonware_codec::DecodeExt<()>>::decode(commonware_codec::Copying(bytes))
            .map_err(|e| ProofError::Malformed(e.to_string()))
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode().to_vec()
    }

    /// Is this an inclusion proof?
    pub fn is_inclusion(&self) -> bool {
        matches!(self, Self::Inclusion(_))
    }

    /// Checks that under `root`, `key` holds `value` (`Some`) or nothing (`None`).
    pub fn verify(
        &self,
        key: &StateKey,
        value: Option<&[u8]>,
        root: &Digest,
    ) -> Result<(), ProofError> {
        let ok = match (self, value) {
            (Self::Inclusion(p), Some(v)) => {
                if v.len() > MAX_STATE_VALUE {
                    return Err(ProofError::ValueTooLarge(v.len()));
                }
                p.verify::<Sha256, Encoding>(*key, StateValue(v.to_vec()), root)
            }
            (Self::Exclusion(p), None) => p.verify::<Sha256>(key, root),
            (Self::Inclusion(_), None) => return Err(ProofError::InclusionForAbsent),
            (Self::Exclusion(_), Some(_)) => return Err(ProofError::ExclusionForPresent),
        };
        if ok {
            Ok(())
        } else {
            Err(ProofError::RootMismatch(hex::encode(root)))
        }
    }
}

impl From<Inclusion> for StateProof {
    fn from(p: Inclusion) -> Self {
        Self::Inclusion(p)
    }
}

impl From<Exclusion> for StateProof {
    fn from(p: Exclusion) -> Self {
        Self::Exclusion(p)
    }
}

impl Write for StateProof {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            Self::Inclusion(p) => {
                INCLUSION.write(buf);
                p.write(buf);
            }
            Self::Exclusion(p) => {
                EXCLUSION.write(buf);
                p.write(buf);
            }
        }
    }
}

impl EncodeSize for StateProof {
    fn encode_size(&self) -> usize {
        1 + match self {
            Self::Inclusion(p) => p.encode_size(),
            Self::Exclusion(p) => p.encode_size(),
        }
    }
}

impl Read for StateProof {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            INCLUSION => Ok(Self::Inclusion(Inclusion::read_cfg(
                buf,
                &(MAX_PROOF_DIGESTS, ()),
            )?)),
            EXCLUSION => Ok(Self::Exclusion(Exclusion::read_cfg(
                buf,
                &(MAX_PROOF_DIGESTS, ((), ()), ()),
            )?)),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
