//! Workers: what a worker registers with, what binds its TEE evidence to that registration, and
//! the attestation policy the chain keeps.

use crate::{AccountId, Hash, MAX_TX_SIZE};
use bytes::BufMut;
use commonware_codec::{
    Buf, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, ReadRangeExt, Write,
};
use commonware_cryptography::{Hasher, Sha256};
use serde::{Deserialize, Serialize};

/// A worker's identity: the ed25519 public key it signs messages with inside its TEE.
pub type WorkerId = AccountId;

/// The keys a worker registers. Both are generated inside the TEE.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerInfo {
    /// Signs the worker's messages to the chain.
    pub identity: WorkerId,
    /// x25519 public key that gatekeepers and clients encrypt to.
    #[serde(with = "crate::hex_serde::bytes32")]
    pub encryption_key: [u8; 32],
}

impl WorkerInfo {
    /// The 64 bytes a TEE must put in its quote's report data to register `self` for `operator`
    /// on the chain whose genesis block is `genesis_hash`:
    /// SHA-256(domain ‖ genesis hash ‖ operator ‖ identity ‖ encryption key) ‖ 32 zero bytes.
    ///
    /// A quote for another key, another operator or another chain carries other bytes, so it
    /// cannot be replayed to register anything else.
    pub fn report_data(&self, genesis_hash: &Hash, operator: &AccountId) -> [u8; 64] {
        let digest = Sha256::hash(&[
            b"phalanx/worker-registration/v1".as_slice(),
            genesis_hash.as_ref(),
            operator.as_bytes(),
            self.identity.as_bytes(),
            &self.encryption_key,
        ]);
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(digest.as_ref());
        out
    }
}

impl Write for WorkerInfo {
    fn write(&self, buf: &mut impl BufMut) {
        self.identity.write(buf);
        buf.put_slice(&self.encryption_key);
    }
}

impl FixedSize for WorkerInfo {
    const SIZE: usize = AccountId::SIZE + 32;
}

impl Read for WorkerInfo {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            identity: AccountId::read(buf)?,
            encryption_key: <[u8; 32]>::read(buf)?,
        })
    }
}

/// What kind of TEE evidence a registration carries. Codes are part of the wire format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// An Intel SGX or TDX DCAP quote with its collateral, chained to Intel's root.
    Dcap = 0,
    /// A DCAP quote under the development root: accepted only by chains that allow simulation.
    SimulatedDcap = 1,
    /// An AMD SEV-SNP attestation report (`quote`) with its VCEK certificate, DER
    /// (`collateral`).
    SevSnp = 2,
}

/// TEE evidence as carried in a transaction: the quote (or SNP report) and its collateral (DCAP
/// JSON, or the SNP VCEK), both opaque here and bounded by the transaction size limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub quote: Vec<u8>,
    pub collateral: Vec<u8>,
}

impl Write for Evidence {
    fn write(&self, buf: &mut impl BufMut) {
        (self.kind as u8).write(buf);
        self.quote.write(buf);
        self.collateral.write(buf);
    }
}

impl EncodeSize for Evidence {
    fn encode_size(&self) -> usize {
        1 + self.quote.encode_size() + self.collateral.encode_size()
    }
}

impl Read for Evidence {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let kind = match u8::read(buf)? {
            0 => EvidenceKind::Dcap,
            1 => EvidenceKind::SimulatedDcap,
            2 => EvidenceKind::SevSnp,
            tag => return Err(CodecError::InvalidEnum(tag)),
        };
        Ok(Self {
            kind,
            quote: Vec::<u8>::read_range(buf, ..=MAX_TX_SIZE)?,
            collateral: Vec::<u8>::read_range(buf, ..=MAX_TX_SIZE)?,
        })
    }
}

/// Most measurements an attestation policy may list.
pub const MAX_ALLOWED_MEASUREMENTS: usize = 64;
/// Longest measurement accepted, in bytes (SHA-384 measurements: TDX MRTD, SNP).
pub const MAX_MEASUREMENT_BYTES: usize = 48;

/// The chain's attestation policy (kept by the `registry` module, changed by privileged call).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationPolicy {
    /// Trusted measurements, lower-case hex: SGX MRENCLAVE or MRSIGNER; TDX MRTD, or the
    /// boot-chain digest SHA-384(MRTD ‖ RTMR0..3) to pin the runtime too; SEV-SNP launch
    /// measurement.
    pub allowed_measurements: Vec<String>,
    /// The worst confidence level accepted (1 best … 5 worst).
    pub worst_confidence: u8,
    /// Most seconds between the evidence's collateral issue date and the block time.
    pub max_evidence_age_secs: u64,
    /// Accept simulated evidence. Only development and test chains may set this (the chain
    /// spec refuses it otherwise).
    pub allow_simulated: bool,
    /// Refuse all new registrations (re-registration of known workers still refreshes).
    pub registrations_frozen: bool,
}

impl Default for AttestationPolicy {
    /// Trusts nothing: a chain must list its measurements.
    fn default() -> Self {
        Self {
            allowed_measurements: Vec::new(),
            worst_confidence: 2,
            max_evidence_age_secs: 30 * 86_400,
            allow_simulated: false,
            registrations_frozen: false,
        }
    }
}

/// Why an attestation policy is malformed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("a policy lists at most {MAX_ALLOWED_MEASUREMENTS} measurements, got {0}")]
    TooManyMeasurements(usize),
    #[error("measurement `{0}` is not lower-case hex of at most {MAX_MEASUREMENT_BYTES} bytes")]
    BadMeasurement(String),
    #[error("worst_confidence must be 1 to 5, got {0}")]
    BadConfidence(u8),
}

impl AttestationPolicy {
    /// Checks the policy is well formed.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.allowed_measurements.len() > MAX_ALLOWED_MEASUREMENTS {
            return Err(PolicyError::TooManyMeasurements(
                self.allowed_measurements.len(),
            ));
        }
        for m in &self.allowed_measurements {
            let ok = !m.is_empty()
                && m.len() % 2 == 0
                && m.len() <= 2 * MAX_MEASUREMENT_BYTES
                && m.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !ok {
                return Err(PolicyError::BadMeasurement(m.clone()));
            }
        }
        if !(1..=5).contains(&self.worst_confidence) {
            return Err(PolicyError::BadConfidence(self.worst_confidence));
        }
        Ok(())
    }
}

impl Write for AttestationPolicy {
    fn write(&self, buf: &mut impl BufMut) {
        (self.allowed_measurements.len() as u32).write(buf);
        for m in &self.allowed_measurements {
            // Validated policies hold hex; anything else encodes as empty and fails decoding.
            hex::decode(m).unwrap_or_default().write(buf);
        }
        self.worst_confidence.write(buf);
        self.max_evidence_age_secs.write(buf);
        self.allow_simulated.write(buf);
        self.registrations_frozen.write(buf);
    }
}

impl EncodeSize for AttestationPolicy {
    fn encode_size(&self) -> usize {
        4 + self
            .allowed_measurements
            .iter()
            .map(|m| hex::decode(m).unwrap_or_default().encode_size())
            .sum::<usize>()
            + 1
            + 8
            + 1
            + 1
    }
}

impl Read for AttestationPolicy {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let count = u32::read(buf)? as usize;
        if count > MAX_ALLOWED_MEASUREMENTS {
            return Err(CodecError::InvalidLength(count));
        }
        let mut allowed_measurements = Vec::with_capacity(count);
        for _ in 0..count {
            let m = Vec::<u8>::read_range(buf, 1..=MAX_MEASUREMENT_BYTES)?;
            allowed_measurements.push(hex::encode(m));
        }
        Ok(Self {
            allowed_measurements,
            worst_confidence: u8::read(buf)?,
            max_evidence_age_secs: u64::read(buf)?,
            allow_simulated: bool::read(buf)?,
            registrations_frozen: bool::read(buf)?,
        })
    }
}
