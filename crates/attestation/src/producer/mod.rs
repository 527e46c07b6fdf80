//! Quote producers: how a worker inside a real TEE asks the platform for evidence that binds
//! its 64 bytes of report data. Small and std-only; the base paths are parameters so tests run
//! against a temporary directory that imitates the kernel interfaces.
//!
//! * [`configfs_tsm`]: Linux configfs-tsm (`/sys/kernel/config/tsm/report`), used by TDX and
//!   SEV-SNP guests.
//! * [`gramine`]: Gramine's `/dev/attestation` pseudo-files (SGX DCAP).
//!
//! The producers return the raw quote (or SNP report). Collateral (Intel PCCS JSON, AMD VCEK)
//! comes from elsewhere.

pub mod configfs_tsm;
pub mod gramine;

use std::path::Path;
use thiserror::Error;

/// Default configfs-tsm report directory.
pub const TSM_REPORT_DIR: &str = "/sys/kernel/config/tsm/report";
/// Default Gramine attestation directory.
pub const GRAMINE_DIR: &str = "/dev/attestation";

/// Why a producer could not produce evidence.
#[derive(Debug, Error)]
pub enum ProducerError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Unexpected(String),
    #[error(
        "another process changed the report request while it was produced (generation {before} before, {after} after); retry"
    )]
    GenerationRace { before: u64, after: u64 },
    #[error("the platform returned no quote within {0} ms")]
    Timeout(u64),
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ProducerError + '_ {
    move |source| ProducerError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reads a small text attribute, trimmed.
pub(crate) fn read_text(path: &Path) -> Result<String, ProducerError> {
    let bytes = read_bounded(path, 4096)?;
    Ok(String::from_utf8_lossy(&bytes).trim().to_string())
}

/// Reads a file of at most `limit` bytes.
pub(crate) fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>, ProducerError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(io(path))?;
    let mut out = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(io(path))?;
    if out.len() > limit {
        return Err(ProducerError::Unexpected(format!(
            "{} is larger than {limit} bytes",
            path.display()
        )));
    }
    Ok(out)
}

/// The TEE a machine offers, as far as the producers can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detected {
    /// Gramine SGX with DCAP attestation.
    Sgx,
    /// configfs-tsm with the TDX guest provider.
    Tdx,
    /// configfs-tsm with the SEV-SNP guest provider.
    Snp,
}

/// Probes for a TEE: Gramine's `/dev/attestation` first, then configfs-tsm (whose provider
/// names the TEE). `None` if neither answers.
pub fn probe(gramine_dir: &Path, tsm_dir: &Path) -> Option<Detected> {
    if gramine::attestation_type(gramine_dir).is_ok_and(|t| t == "dcap") {
        return Some(Detected::Sgx);
    }
    match configfs_tsm::provider(tsm_dir).ok()?.as_str() {
        "tdx_guest" => Some(Detected::Tdx),
        "sev_guest" => Some(Detected::Snp),
        _ => None,
    }
}
