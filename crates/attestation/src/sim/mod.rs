//! Simulated evidence, for development and tests only.
//!
//! A simulated quote is a real DCAP SGX quote in every byte (header, report body, QE report,
//! ECDSA signatures, PCK certificate chain) and comes with real collateral (CRLs, signed TCB
//! info and QE identity), all under a development-only certificate hierarchy ([`pki`]). It is
//! verified by the same `dcap-qvl` code as a hardware quote; only the pinned root differs. So a
//! dev network exercises the real verification path, and what differs from production is one
//! explicit, policy-gated choice of root ([`crate::Evidence::SimulatedDcap`]).
//!
//! Nothing here is secret: every key is derived from a public label. Simulated evidence proves
//! nothing about the code that produced it.

mod der;
mod pki;
mod quote;

use crate::{DcapEvidence, policy::format_utc};
use std::sync::OnceLock;
use thiserror::Error;

/// How long simulated collateral stays valid after it is issued (like Intel's, 30 days).
const COLLATERAL_VALIDITY_SECS: u64 = 30 * 86_400;
/// Simulated collateral is dated this long before the producer's clock, so a verifier whose
/// clock (the block time) is a little behind still accepts it.
const CLOCK_SKEW_SECS: u64 = 600;

/// Why simulated evidence could not be produced (never caused by outside input).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SimError {
    #[error("deriving a simulated key: {0}")]
    Key(String),
    #[error("building a simulated certificate: {0}")]
    Certificate(String),
}

fn pki() -> Result<&'static pki::Pki, SimError> {
    static PKI: OnceLock<Result<pki::Pki, SimError>> = OnceLock::new();
    PKI.get_or_init(pki::Pki::build)
        .as_ref()
        .map_err(Clone::clone)
}

/// The root certificate (DER) simulated evidence chains to.
pub fn root_der() -> Result<&'static [u8], SimError> {
    Ok(&pki()?.root_der)
}

/// The MRENCLAVE of the simulated worker runtime (hex), for dev chain specs' allow-lists.
pub fn measurement() -> String {
    hex::encode(*quote::MR_ENCLAVE)
}

/// The MRSIGNER of the simulated worker runtime (hex).
pub fn signer() -> String {
    hex::encode(*quote::MR_SIGNER)
}

/// Produces simulated SGX evidence whose report data is `report_data`, with collateral issued
/// at `now_secs` (less a small allowance for clock skew) and valid for 30 days.
pub fn produce(report_data: [u8; 64], now_secs: u64) -> Result<DcapEvidence, SimError> {
    produce_with(report_data, now_secs, false)
}

/// [`produce`], optionally with the enclave's debug flag set (to test that it is refused).
pub fn produce_with(
    report_data: [u8; 64],
    now_secs: u64,
    debug: bool,
) -> Result<DcapEvidence, SimError> {
    let pki = pki()?;
    let issued = now_secs.saturating_sub(CLOCK_SKEW_SECS);
    let quote = quote::build(pki, report_data, debug);
    let collateral = quote::collateral(
        pki,
        &format_utc(issued),
        &format_utc(issued.saturating_add(COLLATERAL_VALIDITY_SECS)),
    );
    Ok(DcapEvidence { quote, collateral })
}
