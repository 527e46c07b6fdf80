//! `phalanx attest verify|simulate` and `phalanx bench attestation`: TEE evidence checked
//! offline with the same code the chain uses.

use crate::{exit::CliError, show::print};
use clap::Subcommand;
use phalanx_attestation::{
    DcapEvidence, Evidence, MAX_COLLATERAL_BYTES, MAX_QUOTE_BYTES, MAX_VCEK_BYTES, Measurement,
    SNP_REPORT_BYTES, SnpEvidence, TeeKind, sim, verify_evidence,
};
use serde::Serialize;
use std::{
    path::{Path, PathBuf},
    time::Instant,
};

#[derive(Subcommand)]
pub enum AttestCommand {
    /// Verify an Intel SGX/TDX DCAP quote with its collateral, or an AMD SEV-SNP report with its
    /// VCEK; print the TEE kind, measurement, TCB status and advisories, or the precise reason
    /// it is refused.
    Verify {
        #[command(flatten)]
        input: EvidenceArgs,
    },
    /// Write SIMULATED evidence (a DCAP quote and its collateral under the development root,
    /// for dev chains only) binding the given report data.
    Simulate {
        /// Report data to bind, hex, up to 64 bytes (zero-padded).
        #[arg(long, default_value = "")]
        report_data: String,
        /// Where to write the quote (binary).
        #[arg(long)]
        evidence: PathBuf,
        /// Where to write the collateral (JSON).
        #[arg(long)]
        collateral: PathBuf,
    },
}

/// A DCAP quote, its collateral, and the time to verify at.
#[derive(clap::Args)]
pub struct EvidenceArgs {
    /// The quote (or SNP report): a raw binary file or hex text.
    #[arg(long)]
    pub evidence: PathBuf,
    /// The collateral: PCCS JSON (TCB info, QE identity, CRLs, issuer chains) for DCAP, the
    /// VCEK certificate (DER) for SNP.
    #[arg(long)]
    pub collateral: PathBuf,
    /// Verify as of this Unix time (default: now).
    #[arg(long)]
    pub at: Option<u64>,
    /// What the files hold: `dcap` (Intel quote + PCCS collateral JSON), `sim` (SIMULATED
    /// quote from `phalanx attest simulate`, verified under the development root) or `snp`
    /// (AMD SEV-SNP report + VCEK certificate, DER).
    #[arg(long, value_enum, default_value = "dcap")]
    pub kind: Kind,
}

/// `phalanx attest …`.
pub fn run(action: AttestCommand, json_mode: bool) -> Result<(), CliError> {
    match action {
        AttestCommand::Verify { input: i } => {
            let v = verify(&i.evidence, &i.collateral, i.kind, i.at)?;
            print(json_mode, &v, || text(&v));
        }
        AttestCommand::Simulate {
            report_data,
            evidence,
            collateral,
        } => {
            let v = simulate(&report_data, &evidence, &collateral)?;
            print(json_mode, &v, || {
                format!(
                    "wrote SIMULATED evidence to {} and {} (measurement {})",
                    evidence.display(),
                    collateral.display(),
                    v.measurement
                )
            });
        }
    }
    Ok(())
}

/// What `attest simulate` wrote.
#[derive(Serialize)]
pub struct Simulated {
    pub simulated: bool,
    pub evidence: PathBuf,
    pub collateral: PathBuf,
    pub measurement: String,
    pub report_data: String,
}

/// A verdict on valid evidence, as `attest verify` prints it.
#[derive(Serialize)]
pub struct Verified {
    pub simulated: bool,
    /// The Unix time it was verified as of.
    pub verified_at: u64,
    pub tee: TeeKind,
    pub measurement: Measurement,
    pub report_data: String,
    pub tcb_status: String,
    pub confidence: u8,
    pub advisories: Vec<String>,
}

/// `bench attestation`'s result.
#[derive(Serialize)]
pub struct Timing {
    pub runs: usize,
    pub ms_per_verification: f64,
}

/// Reads a file of at most `limit` bytes (hex-encoded files may be twice that).
fn read_bounded(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>, String> {
    crate::files::read_limited(path, 2 * limit as u64 + 2, what)
}

/// A quote file: raw bytes, or hex text (with optional `0x` and surrounding whitespace).
fn decode_quote(bytes: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&bytes);
    let trimmed = text.trim();
    let trimmed = trimmed.strip_prefix("0x").unwrap_or(trimmed);
    if !trimmed.is_empty()
        && trimmed.bytes().all(|b| b.is_ascii_hexdigit())
        && let Ok(raw) = hex::decode(trimmed)
    {
        return raw;
    }
    bytes
}

/// Which kind of evidence files hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Intel SGX/TDX DCAP quote with PCCS collateral JSON.
    Dcap,
    /// SIMULATED DCAP quote (`phalanx attest simulate`) under the development root.
    Sim,
    /// AMD SEV-SNP report (raw or hex) with its VCEK certificate (DER) as the collateral.
    Snp,
}

/// Reads the evidence files' bytes (bounded; the quote or report may be hex).
fn read_files(
    evidence: &Path,
    collateral: &Path,
    kind: Kind,
) -> Result<(Vec<u8>, Vec<u8>), String> {
    Ok(if kind == Kind::Snp {
        (
            decode_quote(read_bounded(evidence, SNP_REPORT_BYTES, "evidence")?),
            read_bounded(collateral, MAX_VCEK_BYTES, "VCEK")?,
        )
    } else {
        (
            decode_quote(read_bounded(evidence, MAX_QUOTE_BYTES, "evidence")?),
            read_bounded(collateral, MAX_COLLATERAL_BYTES, "collateral")?,
        )
    })
}

/// Parses evidence of `kind` from its bytes (what a validator does with a registration).
fn parse(quote: Vec<u8>, collateral: &[u8], kind: Kind) -> Result<Evidence, String> {
    match kind {
        Kind::Snp => SnpEvidence::from_parts(quote, collateral.to_vec()).map(Evidence::SevSnp),
        Kind::Dcap => DcapEvidence::from_parts(quote, collateral).map(Evidence::Dcap),
        Kind::Sim => DcapEvidence::from_parts(quote, collateral).map(Evidence::SimulatedDcap),
    }
    .map_err(|e| e.to_string())
}

/// Loads evidence from files.
pub fn load(evidence: &Path, collateral: &Path, kind: Kind) -> Result<Evidence, String> {
    let (quote, collateral) = read_files(evidence, collateral, kind)?;
    parse(quote, &collateral, kind)
}

/// `phalanx attest simulate`: writes simulated evidence (quote and collateral JSON) for
/// `report_data` (hex, up to 64 bytes, zero-padded).
pub fn simulate(
    report_data: &str,
    evidence: &Path,
    collateral: &Path,
) -> Result<Simulated, String> {
    let raw = hex::decode(report_data.trim().trim_start_matches("0x"))
        .map_err(|e| format!("--report-data is not hex: {e}"))?;
    if raw.len() > 64 {
        return Err(format!("--report-data is {} bytes; at most 64", raw.len()));
    }
    let mut data = [0u8; 64];
    data[..raw.len()].copy_from_slice(&raw);
    let produced =
        sim::produce(data, phalanx_worker::tee::now_secs()).map_err(|e| e.to_string())?;
    let json = serde_json::to_vec_pretty(&produced.collateral).map_err(|e| e.to_string())?;
    std::fs::write(evidence, &produced.quote)
        .map_err(|e| format!("writing {}: {e}", evidence.display()))?;
    std::fs::write(collateral, json)
        .map_err(|e| format!("writing {}: {e}", collateral.display()))?;
    Ok(Simulated {
        simulated: true,
        evidence: evidence.to_path_buf(),
        collateral: collateral.to_path_buf(),
        measurement: sim::measurement(),
        report_data: hex::encode(data),
    })
}

/// `phalanx attest verify`.
pub fn verify(
    evidence: &Path,
    collateral: &Path,
    kind: Kind,
    at: Option<u64>,
) -> Result<Verified, String> {
    let evidence = load(evidence, collateral, kind)?;
    let at = at.unwrap_or_else(phalanx_worker::tee::now_secs);
    let v = verify_evidence(&evidence, at).map_err(|e| format!("evidence REFUSED: {e}"))?;
    Ok(Verified {
        simulated: v.simulated,
        verified_at: at,
        tee: v.tee,
        measurement: v.measurement,
        report_data: v.report_data,
        tcb_status: v.tcb_status,
        confidence: v.confidence,
        advisories: v.advisories,
    })
}

/// Text form of a verified measurement.
pub fn text(v: &Verified) -> String {
    // Each TEE kind's measurement has fields of its own: printed from its JSON form, whatever
    // they are.
    let m = serde_json::to_value(&v.measurement).unwrap_or_default();
    let mut lines = vec![];
    if v.simulated {
        lines.push(
            "SIMULATED evidence: verified under the development root; no TEE stands behind it"
                .to_string(),
        );
    }
    lines.push(format!(
        "verified {:?} evidence\n  TCB status:  {} (confidence {} of 5, 1 best)\n  advisories:  {}",
        v.tee,
        v.tcb_status,
        v.confidence,
        if v.advisories.is_empty() {
            "none".to_string()
        } else {
            v.advisories.join(", ")
        }
    ));
    if let Some(obj) = m.as_object() {
        for (k, val) in obj {
            if k != "tee" {
                lines.push(format!("  {k}: {val}"));
            }
        }
    }
    lines.push(format!("  report data: {}", v.report_data));
    lines.push(if v.simulated {
        "(simulated: accepted only by chains whose spec allows simulated TEEs)".into()
    } else {
        "(evidence is genuine and current; whether its measurement is trusted is the chain's policy)"
            .into()
    });
    lines.join("\n")
}

/// `phalanx bench attestation`: verification time per evidence file, release build.
pub fn bench(
    evidence: &Path,
    collateral: &Path,
    kind: Kind,
    at: Option<u64>,
    runs: usize,
) -> Result<Timing, String> {
    let runs = runs.clamp(1, 100_000);
    let at = at.unwrap_or_else(phalanx_worker::tee::now_secs);
    let (quote, collateral) = read_files(evidence, collateral, kind)?;
    let t = Instant::now();
    for _ in 0..runs {
        // Parse included: a validator receives evidence as bytes.
        let e = parse(quote.clone(), &collateral, kind)?;
        verify_evidence(&e, at).map_err(|e| format!("evidence REFUSED: {e}"))?;
    }
    let per = t.elapsed().as_secs_f64() * 1000.0 / runs as f64;
    Ok(Timing {
        runs,
        ms_per_verification: per,
    })
}
