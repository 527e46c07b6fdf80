//! The verification policy: which measurements are trusted, how weak a platform may be, how old
//! collateral may be. On chain it lives in the registry module and changes by privileged call.

use crate::{AttestationError, Evidence, VerifiedMeasurement};
use serde::{Deserialize, Serialize};

/// What a verifier accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Trusted measurements, lower-case hex: SGX MRENCLAVE or MRSIGNER; TDX MRTD, or the
    /// boot-chain digest over MRTD and the RTMRs; SEV-SNP launch measurement. Empty trusts none.
    pub allowed_measurements: Vec<String>,
    /// The worst confidence level accepted (1 best … 5 worst).
    pub worst_confidence: u8,
    /// Most seconds between the collateral's TCB info issue date and the verification time.
    pub max_collateral_age_secs: u64,
    /// Accept simulated evidence (development chains only). When false, simulated evidence is
    /// refused before any verification work.
    #[serde(default)]
    pub allow_simulated: bool,
}

/// Confidence level of an Intel TCB status: 1 up to date; 2 software hardening needed;
/// 3 configuration needed; 4 out of date; 5 out of date and configuration needed, or anything
/// unknown.
pub fn confidence_of(tcb_status: &str) -> u8 {
    match tcb_status {
        "UpToDate" => 1,
        "SWHardeningNeeded" => 2,
        "ConfigurationNeeded" | "ConfigurationAndSWHardeningNeeded" => 3,
        "OutOfDate" => 4,
        _ => 5,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn format_utc(secs: u64) -> String {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX / 2);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (the form Intel's collateral uses) to Unix seconds.
pub(crate) fn parse_utc(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3_600 + mi * 60 + s;
    u64::try_from(secs).ok()
}

impl Policy {
    pub(crate) fn check(
        &self,
        verified: &VerifiedMeasurement,
        evidence: &Evidence,
        now_secs: u64,
    ) -> Result<(), AttestationError> {
        let allowed = |m: &str| self.allowed_measurements.iter().any(|a| a == m);
        if !allowed(verified.measurement.primary())
            && !verified.measurement.alternative().is_some_and(allowed)
        {
            return Err(AttestationError::MeasurementNotAllowed(
                verified.measurement.primary().to_string(),
            ));
        }
        if verified.confidence > self.worst_confidence {
            return Err(AttestationError::TcbTooLow {
                status: verified.tcb_status.clone(),
                confidence: verified.confidence,
                minimum: self.worst_confidence,
            });
        }
        // DCAP collateral ages; an SNP report carries no issue date (its VCEK's validity was
        // checked during verification), so its age is not bounded here.
        let Some(dcap) = evidence.dcap() else {
            return Ok(());
        };
        let issued = serde_json::from_str::<serde_json::Value>(&dcap.collateral.tcb_info)
            .ok()
            .and_then(|v| v["issueDate"].as_str().and_then(parse_utc))
            .ok_or_else(|| {
                AttestationError::MalformedCollateral("TCB info has no issueDate".into())
            })?;
        let age_secs = now_secs.saturating_sub(issued);
        if age_secs > self.max_collateral_age_secs {
            return Err(AttestationError::CollateralTooOld {
                age_secs,
                max_secs: self.max_collateral_age_secs,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_intel_dates() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_utc("2025-07-01T12:00:00Z"), Some(1_751_371_200));
        assert_eq!(parse_utc("2024-02-29T23:59:59.123Z"), Some(1_709_251_199));
        assert_eq!(parse_utc("2025-13-01T00:00:00Z"), None);
        assert_eq!(parse_utc("garbage"), None);
        assert_eq!(parse_utc("2025-07-01 12:00:00Z"), None);
    }

    #[test]
    fn formats_dates_back_to_what_parses() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_709_251_199), "2024-02-29T23:59:59Z");
        for secs in [0, 59, 86_399, 951_782_400, 1_751_371_200, 4_102_444_800] {
            assert_eq!(parse_utc(&format_utc(secs)), Some(secs));
        }
    }

    #[test]
    fn confidence_levels() {
        assert_eq!(confidence_of("UpToDate"), 1);
        assert_eq!(confidence_of("ConfigurationAndSWHardeningNeeded"), 3);
        assert_eq!(confidence_of("Revoked"), 5);
    }
}
