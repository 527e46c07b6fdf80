//! Gramine's `/dev/attestation` (SGX): write the report data to `user_report_data`, read the
//! DCAP quote from `quote`. `attestation_type` says which attestation Gramine was built with.

use super::{ProducerError, io, read_bounded, read_text};
use crate::MAX_QUOTE_BYTES;
use std::path::Path;

/// Gramine's attestation type (`dcap`, `epid` or `none`).
pub fn attestation_type(dir: &Path) -> Result<String, ProducerError> {
    read_text(&dir.join("attestation_type"))
}

/// Produces an SGX DCAP quote binding `report_data` through `dir` (normally
/// [`super::GRAMINE_DIR`]).
pub fn produce(dir: &Path, report_data: &[u8; 64]) -> Result<Vec<u8>, ProducerError> {
    let kind = attestation_type(dir)?;
    if kind != "dcap" {
        return Err(ProducerError::Unexpected(format!(
            "Gramine attestation type is `{kind}`; Phalanx needs `dcap` (sgx.remote_attestation = \"dcap\" in the manifest)"
        )));
    }
    let user = dir.join("user_report_data");
    std::fs::write(&user, report_data).map_err(io(&user))?;
    let quote = read_bounded(&dir.join("quote"), MAX_QUOTE_BYTES)?;
    if quote.is_empty() {
        return Err(ProducerError::Unexpected(
            "Gramine returned an empty quote".into(),
        ));
    }
    Ok(quote)
}
