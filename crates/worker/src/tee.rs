//! The TEE the worker runs in: which producer makes its evidence and which key seals its
//! state.

use crate::seal::{SealError, Sealer};
use phalanx_attestation::{
    producer::{self, Detected, configfs_tsm, gramine},
    sim,
};
use phalanx_types::{Evidence, EvidenceKind};
use std::path::{Path, PathBuf};

/// Which TEE produces the worker's evidence and seals its state (a `--tee` value in the CLI,
/// with the `clap` feature).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Tee {
    /// Probe for a TEE (Gramine SGX, then configfs-tsm TDX / SEV-SNP).
    Auto,
    Sgx,
    Tdx,
    Snp,
    /// SIMULATED: DCAP-format evidence under the development root, state sealed with a key
    /// file. Dev chains only.
    Sim,
}

/// Seconds since the Unix epoch by this machine's clock (0 if the clock is before 1970).
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Where the hardware producers look, and the collateral to send with their quotes.
#[derive(Clone, Debug)]
pub struct TeeSource {
    pub tee: Tee,
    pub gramine_dir: PathBuf,
    pub tsm_dir: PathBuf,
    /// DCAP collateral (PCCS JSON) or the SNP VCEK (DER). Fetching it from a PCCS or AMD's
    /// key distribution service is not built yet.
    pub collateral: Option<PathBuf>,
}

impl TeeSource {
    /// A simulated TEE (development chains).
    pub fn simulated() -> Self {
        Self {
            tee: Tee::Sim,
            gramine_dir: PathBuf::from(producer::GRAMINE_DIR),
            tsm_dir: PathBuf::from(producer::TSM_REPORT_DIR),
            collateral: None,
        }
    }

    /// What `--tee auto` finds, or the TEE asked for.
    fn detect(&self) -> Result<Option<Detected>, String> {
        match self.tee {
            Tee::Sim => Ok(None),
            Tee::Auto => producer::probe(&self.gramine_dir, &self.tsm_dir)
                .map(Some)
                .ok_or_else(|| {
                    format!(
                        "--tee auto found no TEE (neither Gramine at {} nor configfs-tsm at {}); on a development chain use --tee sim",
                        self.gramine_dir.display(),
                        self.tsm_dir.display()
                    )
                }),
            Tee::Sgx => Ok(Some(Detected::Sgx)),
            Tee::Tdx => Ok(Some(Detected::Tdx)),
            Tee::Snp => Ok(Some(Detected::Snp)),
        }
    }

    /// The sealer for this TEE; `dir` holds the simulated key file.
    pub fn sealer(&self, dir: &Path) -> Result<Sealer, String> {
        let sealer = match self.detect()? {
            None => Sealer::simulated(dir),
            Some(Detected::Sgx) => Sealer::gramine(&self.gramine_dir),
            Some(Detected::Tdx) => Err(Sealer::unsupported("TDX")),
            Some(Detected::Snp) => Err(Sealer::unsupported("SEV-SNP")),
        };
        sealer.map_err(|e: SealError| e.to_string())
    }

    /// Produces evidence binding `report_data`.
    pub fn produce(&self, report_data: [u8; 64], now_secs: u64) -> Result<Evidence, String> {
        let Some(detected) = self.detect()? else {
            let e = sim::produce(report_data, now_secs).map_err(|e| e.to_string())?;
            return Ok(Evidence {
                kind: EvidenceKind::SimulatedDcap,
                quote: e.quote,
                collateral: serde_json::to_vec(&e.collateral).map_err(|e| e.to_string())?,
            });
        };
        let collateral = self.collateral.as_deref();
        match detected {
            Detected::Sgx => Ok(Evidence {
                kind: EvidenceKind::Dcap,
                quote: gramine::produce(&self.gramine_dir, &report_data)
                    .map_err(|e| e.to_string())?,
                collateral: read_collateral(collateral, "PCCS collateral JSON")?,
            }),
            Detected::Tdx | Detected::Snp => {
                let report = configfs_tsm::produce(&self.tsm_dir, &report_data)
                    .map_err(|e| e.to_string())?;
                let snp = report.provider == "sev_guest";
                Ok(Evidence {
                    kind: if snp {
                        EvidenceKind::SevSnp
                    } else {
                        EvidenceKind::Dcap
                    },
                    quote: report.outblob,
                    collateral: read_collateral(
                        collateral,
                        if snp {
                            "the VCEK certificate, DER"
                        } else {
                            "PCCS collateral JSON"
                        },
                    )?,
                })
            }
        }
    }
}

fn read_collateral(path: Option<&Path>, what: &str) -> Result<Vec<u8>, String> {
    let path = path.ok_or_else(|| {
        format!("a hardware quote needs its collateral: pass --collateral FILE ({what}); fetching it from a PCCS / AMD KDS is not built yet")
    })?;
    crate::files::read_limited(
        path,
        phalanx_attestation::MAX_COLLATERAL_BYTES as u64,
        "collateral",
    )
}
