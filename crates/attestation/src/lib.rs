//! Phalanx TEE attestation.
//!
//! One pure, deterministic entry point: [`verify`]`(evidence, now, policy)`. No clock, no
//! network, no files: the caller supplies the evidence, the collateral and the time (on chain,
//! the block timestamp), so every validator reaches the same verdict.
//!
//! Implemented now: Intel SGX and TDX DCAP quotes with their collateral, verified with
//! `dcap-qvl` (pure Rust, offline: certificate chains to Intel's root, CRLs, TCB info and QE
//! identity signatures and validity windows), then checked here against the policy: debug mode
//! refused, measurement on the allow-list, TCB status mapped to a confidence level and compared
//! with the policy's minimum, collateral age bounded.
//!
//! Simulated evidence ([`sim`]) is the same DCAP format under a development-only root, verified
//! by the same code; the policy must allow it, and the verdict says `simulated`.
//!
//! AMD SEV-SNP reports are verified with the `sev` crate ([`snp`]), plus our own VCEK validity,
//! TCB, chip id and debug-policy checks.

mod dcap;
mod policy;
pub mod producer;
pub mod sim;
mod snp;

pub use dcap::{DcapEvidence, MAX_COLLATERAL_BYTES, MAX_QUOTE_BYTES};
pub use policy::{Policy, confidence_of};
pub use snp::{MAX_VCEK_BYTES, SNP_REPORT_BYTES, SnpEvidence};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Which kind of TEE produced the evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeeKind {
    Sgx,
    Tdx,
    Snp,
}

/// What a verified quote proves about the code that produced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "tee", rename_all = "snake_case")]
pub enum Measurement {
    /// SGX: the enclave's code identity and its signer's.
    Sgx {
        mr_enclave: String,
        mr_signer: String,
        isv_prod_id: u16,
        isv_svn: u16,
    },
    /// TDX: the TD's initial image, its runtime measurement registers, and `boot_chain` =
    /// SHA-384(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2 ‖ RTMR3), which pins firmware, kernel, command line
    /// and application at once.
    Tdx {
        mr_td: String,
        rtmrs: [String; 4],
        boot_chain: String,
    },
    /// SEV-SNP: the launch measurement, host data, guest SVN and policy, the TCB the report
    /// claims (bootloader, TEE, SNP, microcode SPLs) and the AMD product.
    Snp {
        measurement: String,
        host_data: String,
        guest_svn: u32,
        policy: u64,
        reported_tcb: String,
        product: String,
    },
}

impl Measurement {
    /// The value matched against the policy's allow-list: MRENCLAVE for SGX, MRTD for TDX
    /// (lower-case hex).
    pub fn primary(&self) -> &str {
        match self {
            Self::Sgx { mr_enclave, .. } => mr_enclave,
            Self::Tdx { mr_td, .. } => mr_td,
            Self::Snp { measurement, .. } => measurement,
        }
    }

    /// Another value the allow-list may name instead of [`Self::primary`]: SGX MRSIGNER (trust
    /// every enclave of one signer), TDX `boot_chain` (trust one exact MRTD and RTMRs).
    pub fn alternative(&self) -> Option<&str> {
        match self {
            Self::Sgx { mr_signer, .. } => Some(mr_signer),
            Self::Tdx { boot_chain, .. } => Some(boot_chain),
            Self::Snp { .. } => None,
        }
    }
}

/// Evidence of any supported kind.
#[derive(Clone, Debug)]
pub enum Evidence {
    /// A DCAP quote chained to Intel's SGX root CA.
    Dcap(DcapEvidence),
    /// A DCAP quote chained to the development root of [`sim`]: proves nothing, accepted only
    /// where the policy allows simulation.
    SimulatedDcap(DcapEvidence),
    /// An AMD SEV-SNP report with its VCEK certificate.
    SevSnp(SnpEvidence),
}

impl Evidence {
    /// The DCAP quote and collateral, if this is DCAP evidence.
    pub fn dcap(&self) -> Option<&DcapEvidence> {
        match self {
            Self::Dcap(e) | Self::SimulatedDcap(e) => Some(e),
            Self::SevSnp(_) => None,
        }
    }

    /// Whether this is simulated evidence.
    pub fn is_simulated(&self) -> bool {
        matches!(self, Self::SimulatedDcap(_))
    }
}

/// The verdict on valid evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedMeasurement {
    /// True for simulated evidence: no hardware stands behind this verdict.
    pub simulated: bool,
    pub tee: TeeKind,
    pub measurement: Measurement,
    /// The 64 bytes the TEE bound into the quote (the registration binds its info hash here).
    pub report_data: String,
    /// Intel's TCB status for the platform, e.g. `UpToDate`, `SWHardeningNeeded`.
    pub tcb_status: String,
    /// Intel security advisories that apply to the platform.
    pub advisories: Vec<String>,
    /// 1 (best) to 5, from the TCB status ([`confidence_of`]).
    pub confidence: u8,
}

/// Why evidence was refused. Each case has its own variant so callers (and users) see the
/// precise reason.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum AttestationError {
    #[error("quote is {0} bytes; the limit is {MAX_QUOTE_BYTES}")]
    QuoteTooLarge(usize),
    #[error("collateral is {0} bytes; the limit is {MAX_COLLATERAL_BYTES}")]
    CollateralTooLarge(usize),
    #[error("VCEK certificate is {0} bytes; the limit is {MAX_VCEK_BYTES}")]
    VcekTooLarge(usize),
    #[error("collateral is not valid JSON collateral: {0}")]
    MalformedCollateral(String),
    #[error("quote or collateral does not verify: {0}")]
    Invalid(String),
    #[error("the enclave runs in debug mode: its memory is readable by the host")]
    Debug,
    #[error("measurement {0} is not on the allow-list")]
    MeasurementNotAllowed(String),
    #[error("TCB status {status} (confidence {confidence}) is below the policy minimum {minimum}")]
    TcbTooLow {
        status: String,
        confidence: u8,
        minimum: u8,
    },
    #[error(
        "collateral was issued {age_secs} s before the verification time; the limit is {max_secs} s"
    )]
    CollateralTooOld { age_secs: u64, max_secs: u64 },
    #[error("simulated evidence is not accepted here: the policy does not allow simulated TEEs")]
    SimulatedNotAllowed,
    #[error("the simulated TEE is unavailable: {0}")]
    Simulation(#[from] sim::SimError),
    #[error("report data {got} does not match the expected {expected}")]
    ReportDataMismatch { expected: String, got: String },
}

/// Verifies `evidence` at `now_secs` (Unix seconds) against `policy`.
pub fn verify(
    evidence: &Evidence,
    now_secs: u64,
    policy: &Policy,
) -> Result<VerifiedMeasurement, AttestationError> {
    if evidence.is_simulated() && !policy.allow_simulated {
        return Err(AttestationError::SimulatedNotAllowed);
    }
    let verified = verify_evidence(evidence, now_secs)?;
    policy.check(&verified, evidence, now_secs)?;
    Ok(verified)
}

/// The policy-independent part of [`verify`]: the evidence is genuine, current and not from a
/// debug enclave. Says what it measures without judging whether that is trusted (for tools
/// like `phalanx attest verify`; admission decisions must use [`verify`]). Simulated evidence
/// verifies here, labelled `simulated`.
pub fn verify_evidence(
    evidence: &Evidence,
    now_secs: u64,
) -> Result<VerifiedMeasurement, AttestationError> {
    match evidence {
        Evidence::Dcap(e) => dcap::verify(e, now_secs, None),
        Evidence::SimulatedDcap(e) => dcap::verify(e, now_secs, Some(sim::root_der()?)),
        Evidence::SevSnp(e) => snp::verify(e, now_secs),
    }
}

impl VerifiedMeasurement {
    /// Checks the quote's report data equals `expected` (the binding to registration info).
    pub fn check_report_data(&self, expected: &[u8; 64]) -> Result<(), AttestationError> {
        let expected = hex::encode(expected);
        if self.report_data != expected {
            return Err(AttestationError::ReportDataMismatch {
                expected,
                got: self.report_data.clone(),
            });
        }
        Ok(())
    }
}
