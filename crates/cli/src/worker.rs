//! `phalanx worker register|list|show|promote`: a worker's keys, its TEE evidence and its
//! registration on chain, and the registry as the chain records it.
//!
//! The full worker runtime (light client, message queue, key management) is issue 4; this
//! module creates the worker's keys, produces evidence binding them, and registers them.

use crate::{client, files, http, keys};
use commonware_cryptography::{Signer, ed25519::PrivateKey};
use phalanx_attestation::sim;
use phalanx_types::{AccountId, Call, Evidence, EvidenceKind, WorkerInfo};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Which TEE produces the worker's evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Tee {
    /// Probe for a TEE (Gramine SGX, then configfs-tsm TDX / SEV-SNP).
    Auto,
    Sgx,
    Tdx,
    Snp,
    /// SIMULATED: DCAP-format evidence under the development root. Dev chains only.
    Sim,
}

/// The worker's keys as stored on disk. In simulated mode they are a plain file, marked as
/// such; a TEE worker seals them (issue 4).
#[derive(Serialize, Deserialize)]
struct KeyFile {
    warning: String,
    simulated: bool,
    /// ed25519 seed of the identity key, hex.
    identity_seed: String,
    /// x25519 secret of the encryption key, hex.
    encryption_secret: String,
}

/// The worker's identity and encryption keys.
pub struct WorkerKeys {
    pub identity: PrivateKey,
    pub encryption_secret: [u8; 32],
}

impl WorkerKeys {
    pub fn info(&self) -> WorkerInfo {
        WorkerInfo {
            identity: AccountId::from(self.identity.public_key()),
            encryption_key: x25519_dalek::x25519(
                self.encryption_secret,
                x25519_dalek::X25519_BASEPOINT_BYTES,
            ),
        }
    }
}

/// Default worker directory: `$PHALANX_HOME/worker` or `~/.phalanx/worker`.
pub fn default_dir() -> PathBuf {
    keys::phalanx_home().join("worker")
}

fn random32() -> Result<[u8; 32], String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no system randomness: {e}"))?;
    Ok(bytes)
}

fn hex32(text: &str, what: &str) -> Result<[u8; 32], String> {
    hex::decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("worker key file: `{what}` is not 32 bytes of hex"))
}

/// Loads the worker's keys from `dir`, creating them on first use.
pub fn load_or_create(dir: &Path) -> Result<(WorkerKeys, bool), String> {
    let path = dir.join("worker-keys.simulated.json");
    if path.exists() {
        let text = files::read_limited_text(&path, 4096, "worker key file")?;
        let file: KeyFile = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a worker key file: {e}", path.display()))?;
        let seed = hex32(&file.identity_seed, "identity_seed")?;
        let keys = WorkerKeys {
            identity: phalanx_crypto::private_key_from_seed(&seed),
            encryption_secret: hex32(&file.encryption_secret, "encryption_secret")?,
        };
        return Ok((keys, false));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let seed = random32()?;
    let file = KeyFile {
        warning:
            "SIMULATED worker keys: stored in the clear, not sealed by any TEE. Development only."
                .into(),
        simulated: true,
        identity_seed: hex::encode(seed),
        encryption_secret: hex::encode(random32()?),
    };
    let text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    write_private(&path, text.as_bytes())?;
    load_or_create(dir).map(|(k, _)| (k, true))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("creating {}: {e}", path.display()))?;
    f.write_all(bytes)
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Where the hardware producers look, and the collateral to send with their quotes.
pub struct TeeSource {
    pub tee: Tee,
    pub gramine_dir: PathBuf,
    pub tsm_dir: PathBuf,
    /// DCAP collateral (PCCS JSON) or the SNP VCEK (DER). Fetching it from a PCCS or AMD's
    /// key distribution service is not built yet.
    pub collateral: Option<PathBuf>,
}

fn read_collateral(path: Option<&Path>, what: &str) -> Result<Vec<u8>, String> {
    let path = path.ok_or_else(|| {
        format!("a hardware quote needs its collateral: pass --collateral FILE ({what}); fetching it from a PCCS / AMD KDS is not built yet")
    })?;
    files::read_limited(
        path,
        phalanx_attestation::MAX_COLLATERAL_BYTES as u64,
        "collateral",
    )
}

/// Produces evidence binding `report_data` with the chosen TEE.
fn produce(source: &TeeSource, report_data: [u8; 64]) -> Result<Evidence, String> {
    use phalanx_attestation::producer::{self, Detected, configfs_tsm, gramine};
    let detected = match source.tee {
        Tee::Sim => {
            let e = sim::produce(report_data, crate::attest::now_secs()).map_err(|e| e.to_string())?;
            return Ok(Evidence {
                kind: EvidenceKind::SimulatedDcap,
                quote: e.quote,
                collateral: serde_json::to_vec(&e.collateral).map_err(|e| e.to_string())?,
            });
        }
        Tee::Auto => producer::probe(&source.gramine_dir, &source.tsm_dir).ok_or_else(|| {
            format!(
                "--tee auto found no TEE (neither Gramine at {} nor configfs-tsm at {}); on a development chain use --tee sim",
                source.gramine_dir.display(),
                source.tsm_dir.display()
            )
        })?,
        Tee::Sgx => Detected::Sgx,
        Tee::Tdx => Detected::Tdx,
        Tee::Snp => Detected::Snp,
    };
    let collateral = source.collateral.as_deref();
    match detected {
        Detected::Sgx => Ok(Evidence {
            kind: EvidenceKind::Dcap,
            quote: gramine::produce(&source.gramine_dir, &report_data)
                .map_err(|e| e.to_string())?,
            collateral: read_collateral(collateral, "PCCS collateral JSON")?,
        }),
        Detected::Tdx | Detected::Snp => {
            let report =
                configfs_tsm::produce(&source.tsm_dir, &report_data).map_err(|e| e.to_string())?;
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

/// `phalanx worker register`.
pub fn register(
    rpc: &str,
    operator: &str,
    source: &TeeSource,
    dir: &Path,
    quiet: bool,
) -> Result<Value, String> {
    let operator_key = keys::resolve_signer_or_file(operator)?;
    let operator_id = AccountId::from(operator_key.public_key());
    let (keys, created) = load_or_create(dir)?;
    if created && !quiet {
        eprintln!(
            "created worker keys in {} (SIMULATED: not sealed)",
            dir.display()
        );
    }
    let info = keys.info();
    let chain = client::ChainInfo::fetch(rpc)?;
    let report_data = info.report_data(&chain.genesis, &operator_id);
    let evidence = produce(source, report_data)?;
    let call = Call::RegisterWorker {
        info: info.clone(),
        evidence,
    };
    let status = send(rpc, &chain, &operator_key, call, "registration", quiet)?;
    let record = http::get(rpc, &format!("/worker/{}", info.identity))?;
    Ok(json!({ "transaction": status, "worker": record }))
}

/// Signs `call` with `key`, submits it, waits for finality, and turns a failed call into an
/// error that names `what` was refused and why (in words, with the receipt's code).
fn send(
    rpc: &str,
    chain: &client::ChainInfo,
    key: &PrivateKey,
    call: Call,
    what: &str,
    quiet: bool,
) -> Result<Value, String> {
    let nonce = client::nonce(rpc, &AccountId::from(key.public_key()))?;
    let tx = chain.sign(key, nonce, call, None);
    let status = client::submit(rpc, &tx, true, quiet)?;
    let receipt = &status["location"]["receipt"];
    if receipt["status"] == "success" {
        return Ok(status);
    }
    let code = receipt["error"].clone();
    let reason = match serde_json::from_value::<phalanx_runtime::DispatchError>(code.clone()) {
        Ok(e) => format!("{e} ({})", code.as_str().unwrap_or_default()),
        Err(_) => code.to_string(),
    };
    Err(format!(
        "{what} REFUSED by the chain: {reason} (transaction {})",
        status["hash"].as_str().unwrap_or_default()
    ))
}

/// `phalanx worker promote`.
pub fn promote(rpc: &str, from: &str, worker: &str, quiet: bool) -> Result<Value, String> {
    let key = keys::resolve_signer_or_file(from)?;
    let worker = AccountId::from_hex(worker).map_err(|e| format!("worker id: {e}"))?;
    let chain = client::ChainInfo::fetch(rpc)?;
    let call = Call::PromoteGatekeeper { worker };
    send(rpc, &chain, &key, call, "promotion", quiet)
}

/// `phalanx worker policy --set FILE`.
pub fn set_policy(rpc: &str, from: &str, path: &Path, quiet: bool) -> Result<Value, String> {
    let text = files::read_limited_text(path, 64 * 1024, "policy file")?;
    let policy: phalanx_types::AttestationPolicy =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    policy
        .validate()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let key = keys::resolve_signer_or_file(from)?;
    let chain = client::ChainInfo::fetch(rpc)?;
    let call = Call::SetAttestationPolicy { policy };
    send(rpc, &chain, &key, call, "policy change", quiet)
}

/// One worker as text.
pub fn text(w: &Value) -> String {
    let mut s = format!(
        "worker {}{}\n  operator:     {}\n  TEE:          {}{}\n  measurement:  {}\n  TCB:          {} (confidence {} of 5)\n  encryption:   {}\n  registered:   {} ms\n  attested:     {} ms",
        w["identity"].as_str().unwrap_or("?"),
        if w["gatekeeper"] == true {
            " [gatekeeper]"
        } else {
            ""
        },
        w["operator"].as_str().unwrap_or("?"),
        w["tee"].as_str().unwrap_or("?"),
        if w["simulated"] == true {
            " (SIMULATED)"
        } else {
            ""
        },
        w["measurement"].as_str().unwrap_or("?"),
        w["tcb_status"].as_str().unwrap_or("?"),
        w["confidence"],
        w["encryption_key"].as_str().unwrap_or("?"),
        w["registered_at_ms"],
        w["last_attested_ms"],
    );
    if let Some(warning) = w["warning"].as_str() {
        s.push_str(&format!("\n  WARNING: {warning}"));
    }
    s
}

/// The worker list as text.
pub fn list_text(v: &Value) -> String {
    let workers = v["workers"].as_array().cloned().unwrap_or_default();
    let mut lines = vec![format!(
        "{} worker(s) registered (showing {} from {}); simulation {}",
        v["count"],
        workers.len(),
        v["offset"],
        if v["policy"]["allow_simulated"] == true {
            "ALLOWED (development chain)"
        } else {
            "refused"
        }
    )];
    for w in &workers {
        lines.push(format!(
            "  {}  {}{}{}  confidence {}  operator {}",
            w["identity"].as_str().unwrap_or("?"),
            w["tee"].as_str().unwrap_or("?"),
            if w["simulated"] == true {
                " SIMULATED"
            } else {
                ""
            },
            if w["gatekeeper"] == true {
                " gatekeeper"
            } else {
                ""
            },
            w["confidence"],
            w["operator"].as_str().unwrap_or("?"),
        ));
    }
    lines.join("\n")
}
