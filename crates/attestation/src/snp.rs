//! AMD SEV-SNP attestation reports, verified with the `sev` crate (pure Rust, `crypto_nossl`):
//! the report's signature by the VCEK, and the VCEK's chain to AMD's ASK and ARK for the
//! product the VCEK names (Milan, Genoa, Turin; built into `sev`).
//!
//! A valid signature says only that *some* SNP guest on *some* AMD chip produced the report.
//! What makes it trustworthy is checked here: the VCEK is valid at `now`; the VCEK's TCB and
//! chip id are the ones the report claims (otherwise an old, vulnerable TCB's key could vouch
//! for a report that claims a newer one); the guest policy forbids debugging; the measurement is
//! on the allow-list (by the policy); the report data is returned for the binding check.

use crate::{AttestationError, Measurement, TeeKind, VerifiedMeasurement};
use der::Decode;
use sev::{
    certs::snp::{Certificate, Chain, Verifiable, builtin, ca},
    firmware::{guest::AttestationReport, host::TcbVersion},
    parser::ByteParser,
};

/// The size of an SNP attestation report (versions 2 to 5).
pub const SNP_REPORT_BYTES: usize = 1184;
/// Where the signature starts; the bytes before it are what the VCEK signs.
const SIGNATURE_OFFSET: usize = 0x2a0;
/// Largest VCEK certificate accepted (AMD's are about 1.4 KiB).
pub const MAX_VCEK_BYTES: usize = 8 * 1024;

/// AMD's VCEK extension OIDs (1.3.6.1.4.1.3704.1.*), from the VCEK certificate specification.
const OID_PRODUCT_NAME: &str = "1.3.6.1.4.1.3704.1.2";
const OID_BOOTLOADER_SPL: &str = "1.3.6.1.4.1.3704.1.3.1";
const OID_TEE_SPL: &str = "1.3.6.1.4.1.3704.1.3.2";
const OID_SNP_SPL: &str = "1.3.6.1.4.1.3704.1.3.3";
const OID_MICROCODE_SPL: &str = "1.3.6.1.4.1.3704.1.3.8";
const OID_HW_ID: &str = "1.3.6.1.4.1.3704.1.4";

/// An SNP attestation report and the VCEK certificate that signed it.
#[derive(Clone, Debug)]
pub struct SnpEvidence {
    pub report: Vec<u8>,
    pub vcek_der: Vec<u8>,
}

impl SnpEvidence {
    /// Evidence from untrusted bytes; sizes are checked before any parsing.
    pub fn from_parts(report: Vec<u8>, vcek_der: Vec<u8>) -> Result<Self, AttestationError> {
        let evidence = Self { report, vcek_der };
        evidence.check_sizes()?;
        Ok(evidence)
    }

    /// The size limits, checked before any parsing (the fields are public, so [`verify`]
    /// checks again).
    fn check_sizes(&self) -> Result<(), AttestationError> {
        if self.report.len() != SNP_REPORT_BYTES {
            return Err(AttestationError::Invalid(format!(
                "an SNP report is {SNP_REPORT_BYTES} bytes, got {}",
                self.report.len()
            )));
        }
        if self.vcek_der.len() > MAX_VCEK_BYTES {
            return Err(AttestationError::VcekTooLarge(self.vcek_der.len()));
        }
        Ok(())
    }
}

fn invalid(what: impl std::fmt::Display) -> AttestationError {
    AttestationError::Invalid(what.to_string())
}

/// The VCEK extensions we check, as (OID, raw extension value).
struct Vcek {
    product: String,
    tcb: [u8; 4],
    hw_id: Vec<u8>,
    not_before: u64,
    not_after: u64,
}

/// The value of a DER INTEGER or OCTET STRING / IA5String TLV: (tag, content).
fn tlv(bytes: &[u8]) -> Option<(u8, &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let (len, rest) = if len < 0x80 {
        (usize::from(len), rest)
    } else {
        let n = usize::from(len & 0x7f);
        if n == 0 || n > 2 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() == len).then_some((tag, rest))
}

fn spl(value: &[u8]) -> Option<u8> {
    match tlv(value)? {
        (0x02, [v]) => Some(*v),
        (0x02, [0, v]) => Some(*v),
        _ => None,
    }
}

fn parse_vcek(der: &[u8]) -> Result<Vcek, AttestationError> {
    let cert = x509_cert::Certificate::from_der(der).map_err(|e| invalid(format!("VCEK: {e}")))?;
    let tbs = cert.tbs_certificate();
    let validity = tbs.validity();
    let mut product = None;
    let mut tcb = [None; 4];
    let mut hw_id = None;
    for ext in tbs.extensions().into_iter().flatten() {
        let value = ext.extn_value.as_bytes();
        match ext.extn_id.to_string().as_str() {
            OID_PRODUCT_NAME => {
                product = tlv(value).map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            }
            OID_BOOTLOADER_SPL => tcb[0] = spl(value),
            OID_TEE_SPL => tcb[1] = spl(value),
            OID_SNP_SPL => tcb[2] = spl(value),
            OID_MICROCODE_SPL => tcb[3] = spl(value),
            // The hardware id is the raw chip id (64 bytes; 8 on Turin), not a nested TLV.
            OID_HW_ID => hw_id = Some(value.to_vec()),
            _ => {}
        }
    }
    let missing = |what: &str| invalid(format!("VCEK has no valid {what} extension"));
    Ok(Vcek {
        product: product.ok_or_else(|| missing("product name"))?,
        tcb: [
            tcb[0].ok_or_else(|| missing("bootloader SPL"))?,
            tcb[1].ok_or_else(|| missing("TEE SPL"))?,
            tcb[2].ok_or_else(|| missing("SNP SPL"))?,
            tcb[3].ok_or_else(|| missing("microcode SPL"))?,
        ],
        hw_id: hw_id.ok_or_else(|| missing("hardware id"))?,
        not_before: validity.not_before.to_unix_duration().as_secs(),
        not_after: validity.not_after.to_unix_duration().as_secs(),
    })
}

fn tcb_parts(t: &TcbVersion) -> [u8; 4] {
    [t.bootloader, t.tee, t.snp, t.microcode]
}

/// AMD's CA chain for the product the VCEK names.
fn ca_for(product: &str) -> Result<ca::Chain, AttestationError> {
    let family = product.split('-').next().unwrap_or_default();
    let (ark, ask) = match family {
        "Milan" => (builtin::milan::ark(), builtin::milan::ask()),
        "Genoa" => (builtin::genoa::ark(), builtin::genoa::ask()),
        "Turin" => (builtin::turin::ark(), builtin::turin::ask()),
        other => return Err(invalid(format!("unknown AMD product `{other}`"))),
    };
    Ok(ca::Chain {
        ark: ark.map_err(invalid)?,
        ask: ask.map_err(invalid)?,
    })
}

/// Verifies an SNP report at `now_secs`.
pub(crate) fn verify(
    evidence: &SnpEvidence,
    now_secs: u64,
) -> Result<VerifiedMeasurement, AttestationError> {
    evidence.check_sizes()?;
    let report = AttestationReport::from_bytes(&evidence.report)
        .map_err(|e| invalid(format!("SNP report does not parse: {e}")))?;
    // The signature covers the first 0x2a0 bytes, and the parser skips reserved fields: refuse
    // any report that is not exactly its own canonical encoding, so one report has one form.
    let canonical = report
        .to_bytes()
        .map_err(|e| invalid(format!("SNP report does not re-encode: {e}")))?;
    // The signature field is r and s, 72 bytes each little-endian, of which P-384 uses 48, then
    // reserved bytes: all unsigned, all must be zero.
    let sig = &evidence.report[SIGNATURE_OFFSET..];
    let padding_clear =
        sig[48..72].iter().all(|b| *b == 0) && sig[72 + 48..].iter().all(|b| *b == 0);
    if canonical.as_slice() != evidence.report.as_slice() || !padding_clear {
        return Err(invalid(
            "SNP report is not in canonical form (reserved or unsigned bytes are set)",
        ));
    }
    let vcek = parse_vcek(&evidence.vcek_der)?;
    if now_secs < vcek.not_before || now_secs > vcek.not_after {
        return Err(invalid(format!(
            "VCEK is valid from {} to {} (Unix seconds), not at {now_secs}",
            vcek.not_before, vcek.not_after
        )));
    }
    let chain = Chain {
        ca: ca_for(&vcek.product)?,
        vek: Certificate::from_der(&evidence.vcek_der).map_err(invalid)?,
    };
    (&chain, &report)
        .verify()
        .map_err(|e| invalid(format!("SNP signature chain: {e}")))?;
    if tcb_parts(&report.reported_tcb) != vcek.tcb {
        return Err(invalid(format!(
            "the report claims TCB {:?} but its VCEK certifies {:?}",
            tcb_parts(&report.reported_tcb),
            vcek.tcb
        )));
    }
    // Turin VCEKs carry an 8-byte hardware id; earlier products the full 64-byte chip id.
    if !report.chip_id.starts_with(&vcek.hw_id) || vcek.hw_id.is_empty() {
        return Err(invalid("the report's chip id is not the VCEK's"));
    }
    if report.policy.debug_allowed() {
        return Err(AttestationError::Debug);
    }
    // Confidence: AMD publishes no TCB status offline. A report whose TCB is at least the
    // platform's committed TCB is current (1); one that reports (and is vouched for at) an older
    // TCB than the platform committed is out of date (4).
    let reported = tcb_parts(&report.reported_tcb);
    let committed = tcb_parts(&report.committed_tcb);
    let current = reported.iter().zip(&committed).all(|(r, c)| r >= c);
    let (tcb_status, confidence) = if current {
        ("UpToDate", 1)
    } else {
        ("OutOfDate", 4)
    };
    Ok(VerifiedMeasurement {
        simulated: false,
        tee: TeeKind::Snp,
        measurement: Measurement::Snp {
            measurement: hex::encode(report.measurement),
            host_data: hex::encode(report.host_data),
            guest_svn: report.guest_svn,
            policy: report.policy.0,
            reported_tcb: hex::encode(reported),
            product: vcek.product,
        },
        report_data: hex::encode(report.report_data),
        tcb_status: tcb_status.into(),
        advisories: Vec::new(),
        confidence,
    })
}
