//! Linux configfs-tsm (Documentation/ABI/testing/configfs-tsm): create an entry under
//! `report/`, write the report data to `inblob`, read the quote from `outblob`. `generation`
//! counts writes to the entry; reading it before the write and after the read tells whether
//! another process wrote in between (then the quote may bind *its* data, and is discarded).

use super::{ProducerError, io, read_bounded, read_text};
use crate::MAX_QUOTE_BYTES;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long to wait for the platform's quote (a TDX quote takes tens of milliseconds).
const QUOTE_TIMEOUT: Duration = Duration::from_secs(10);

/// A produced report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TsmReport {
    /// `tdx_guest` or `sev_guest`.
    pub provider: String,
    /// The quote (TDX) or attestation report (SNP).
    pub outblob: Vec<u8>,
    /// SNP: the certificate table the host supplied (may hold the VCEK), if any.
    pub auxblob: Option<Vec<u8>>,
}

/// A fresh entry name, unique per process and call.
fn entry_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("phalanx-{}-{nanos}", std::process::id())
}

fn generation(entry: &Path) -> Result<u64, ProducerError> {
    let path = entry.join("generation");
    let text = read_text(&path)?;
    text.parse().map_err(|_| {
        ProducerError::Unexpected(format!("{}: `{text}` is not a number", path.display()))
    })
}

/// The provider of a configfs-tsm directory (creates and removes a probe entry).
pub fn provider(report_dir: &Path) -> Result<String, ProducerError> {
    let entry = report_dir.join(entry_name());
    std::fs::create_dir(&entry).map_err(io(&entry))?;
    let provider = read_text(&entry.join("provider"));
    let _ = std::fs::remove_dir(&entry);
    provider
}

/// Produces a report binding `report_data` through `report_dir` (normally
/// [`super::TSM_REPORT_DIR`]).
pub fn produce(report_dir: &Path, report_data: &[u8; 64]) -> Result<TsmReport, ProducerError> {
    let entry = report_dir.join(entry_name());
    std::fs::create_dir(&entry).map_err(io(&entry))?;
    let result = produce_in(&entry, report_data);
    // The kernel frees the entry on rmdir; a leftover one only costs a little kernel memory.
    let _ = std::fs::remove_dir(&entry);
    result
}

/// The steps inside an existing entry (the kernel creates its attribute files on mkdir).
pub fn produce_in(entry: &Path, report_data: &[u8; 64]) -> Result<TsmReport, ProducerError> {
    let provider = read_text(&entry.join("provider"))?;
    let before = generation(entry)?;
    let inblob: PathBuf = entry.join("inblob");
    std::fs::write(&inblob, report_data).map_err(io(&inblob))?;
    let outblob_path = entry.join("outblob");
    let deadline = Instant::now() + QUOTE_TIMEOUT;
    let outblob = loop {
        let blob = read_bounded(&outblob_path, MAX_QUOTE_BYTES)?;
        if !blob.is_empty() {
            break blob;
        }
        if Instant::now() > deadline {
            return Err(ProducerError::Timeout(QUOTE_TIMEOUT.as_millis() as u64));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let after = generation(entry)?;
    if after != before + 1 {
        return Err(ProducerError::GenerationRace { before, after });
    }
    let aux_path = entry.join("auxblob");
    let auxblob = if aux_path.exists() {
        Some(read_bounded(&aux_path, MAX_QUOTE_BYTES)?).filter(|b| !b.is_empty())
    } else {
        None
    };
    Ok(TsmReport {
        provider,
        outblob,
        auxblob,
    })
}
