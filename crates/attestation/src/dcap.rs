//! Intel SGX / TDX DCAP quotes, verified with `dcap-qvl`.

use crate::{AttestationError, Measurement, TeeKind, VerifiedMeasurement, policy::confidence_of};
use dcap_qvl::{QuoteCollateralV3, quote::Report, verify::QuoteVerifier};

/// Largest quote accepted (a TDX v4 quote with its certification data is about 5 KiB).
pub const MAX_QUOTE_BYTES: usize = 64 * 1024;
/// Largest collateral accepted, as JSON (the samples are 14–16 KiB).
pub const MAX_COLLATERAL_BYTES: usize = 256 * 1024;

/// SGX ATTRIBUTES.FLAGS bit 1: the enclave was launched in debug mode.
const SGX_DEBUG_FLAG: u8 = 0x02;
/// TDX TD_ATTRIBUTES.TUD: bit 0 debug, bits 4–6 profiling; either exposes the TD to the host.
const TDX_DEBUG_FLAG: u8 = 0x71;

/// A DCAP quote and the collateral it is verified against.
#[derive(Clone, Debug)]
pub struct DcapEvidence {
    pub quote: Vec<u8>,
    pub collateral: QuoteCollateralV3,
}

impl DcapEvidence {
    /// Builds evidence from untrusted bytes: the raw quote and the collateral as JSON (the
    /// format PCCS clients and `dcap-qvl` produce). Sizes are checked before any parsing.
    pub fn from_parts(quote: Vec<u8>, collateral_json: &[u8]) -> Result<Self, AttestationError> {
        if quote.len() > MAX_QUOTE_BYTES {
            return Err(AttestationError::QuoteTooLarge(quote.len()));
        }
        if collateral_json.len() > MAX_COLLATERAL_BYTES {
            return Err(AttestationError::CollateralTooLarge(collateral_json.len()));
        }
        let collateral = serde_json::from_slice(collateral_json)
            .map_err(|e| AttestationError::MalformedCollateral(e.to_string()))?;
        Ok(Self { quote, collateral })
    }
}

fn td_measurement(td: &dcap_qvl::quote::TDReport10) -> (Measurement, [u8; 64], bool) {
    use sha2::{Digest, Sha384};
    let boot_chain = Sha384::new()
        .chain_update(td.mr_td)
        .chain_update(td.rt_mr0)
        .chain_update(td.rt_mr1)
        .chain_update(td.rt_mr2)
        .chain_update(td.rt_mr3)
        .finalize();
    (
        Measurement::Tdx {
            boot_chain: hex::encode(boot_chain),
            mr_td: hex::encode(td.mr_td),
            rtmrs: [
                hex::encode(td.rt_mr0),
                hex::encode(td.rt_mr1),
                hex::encode(td.rt_mr2),
                hex::encode(td.rt_mr3),
            ],
        },
        td.report_data,
        td.td_attributes[0] & TDX_DEBUG_FLAG != 0,
    )
}

/// Signature, certificate chain, revocation, TCB and QE identity checks (`dcap-qvl`), then
/// the measurement, debug flag and TCB level read from the verified report.
///
/// `simulated_root` is `None` for Intel's root, or the development root of simulated evidence.
pub(crate) fn verify(
    evidence: &DcapEvidence,
    now_secs: u64,
    simulated_root: Option<&[u8]>,
) -> Result<VerifiedMeasurement, AttestationError> {
    if evidence.quote.len() > MAX_QUOTE_BYTES {
        return Err(AttestationError::QuoteTooLarge(evidence.quote.len()));
    }
    let verifier = match simulated_root {
        None => QuoteVerifier::new_prod(),
        Some(root) => QuoteVerifier::new(root.to_vec()),
    }
    // The debug flags are checked below, so that a debug enclave gets its own error.
    .allow_debug(true);
    let report = verifier
        .verify(&evidence.quote, &evidence.collateral, now_secs)
        .map_err(|e| AttestationError::Invalid(format!("{e:#}")))?;
    let (tee, measurement, report_data, debug) = match &report.report {
        Report::SgxEnclave(r) => (
            TeeKind::Sgx,
            Measurement::Sgx {
                mr_enclave: hex::encode(r.mr_enclave),
                mr_signer: hex::encode(r.mr_signer),
                isv_prod_id: r.isv_prod_id,
                isv_svn: r.isv_svn,
            },
            r.report_data,
            r.attributes[0] & SGX_DEBUG_FLAG != 0,
        ),
        Report::TD10(r) => {
            let (m, d, dbg) = td_measurement(r);
            (TeeKind::Tdx, m, d, dbg)
        }
        Report::TD15(r) => {
            let (m, d, dbg) = td_measurement(&r.base);
            (TeeKind::Tdx, m, d, dbg)
        }
        Report::TD15Ex(r) => {
            let (m, d, dbg) = td_measurement(&r.base.base);
            (TeeKind::Tdx, m, d, dbg)
        }
    };
    if debug {
        return Err(AttestationError::Debug);
    }
    Ok(VerifiedMeasurement {
        simulated: simulated_root.is_some(),
        tee,
        measurement,
        report_data: hex::encode(report_data),
        confidence: confidence_of(&report.status),
        tcb_status: report.status,
        advisories: report.advisory_ids,
    })
}
