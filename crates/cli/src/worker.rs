//! `phalanx worker [run]|register|list|show|promote|policy|master-key`: the worker process
//! (`phalanx_worker`), and the registry as the chain records it.

use crate::{client, exit::CliError, files, http, keys};
use phalanx_types::{AccountId, KeysCall, RegistryCall};
use phalanx_worker::run::{Worker, WorkerConfig};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Default worker directory: `$PHALANX_HOME/worker` or `~/.phalanx/worker`.
pub fn default_dir() -> PathBuf {
    keys::phalanx_home().join("worker")
}

/// `phalanx worker register`: open (or create) the worker, verify the chain up to its tip,
/// register it (or refresh its attestation), and show its record.
/// `phalanx worker register`: exits like `transfer` (3 unreachable, 4 refused by the node, 5
/// failed in its block).
pub fn register(config: WorkerConfig, quiet: bool) -> Result<Value, CliError> {
    let mut worker = Worker::open(config)?;
    let report = worker.sync().map_err(|e| e.to_string())?;
    if !quiet {
        eprintln!(
            "verified headers {}..={} in {:.2} s",
            report.from, report.to, report.seconds
        );
    }
    worker.register()?;
    let record = http::get(&worker.config.rpc, &format!("/worker/{}", worker.id()))?;
    Ok(json!({ "worker": record, "synced_to": report.to }))
}

/// `phalanx worker promote`.
pub fn promote(rpc: &str, from: &str, worker: &str, quiet: bool) -> Result<Value, CliError> {
    let key = keys::resolve_signer_or_file(from)?;
    let worker = AccountId::from_hex(worker).map_err(|e| format!("worker id: {e}"))?;
    let chain = client::ChainInfo::fetch(rpc)?;
    let call = RegistryCall::PromoteGatekeeper { worker }.into();
    Ok(client::send_checked(
        rpc,
        &chain,
        &key,
        call,
        "promotion",
        quiet,
    )?)
}

/// `phalanx worker master-key --rotate`.
pub fn rotate_master_key(rpc: &str, from: &str, quiet: bool) -> Result<Value, CliError> {
    let key = keys::resolve_signer_or_file(from)?;
    let chain = client::ChainInfo::fetch(rpc)?;
    Ok(client::send_checked(
        rpc,
        &chain,
        &key,
        KeysCall::RotateMasterKey.into(),
        "master key rotation",
        quiet,
    )?)
}

/// `phalanx worker master-key` as text.
pub fn master_key_text(v: &Value) -> String {
    let active = &v["active_round"];
    let round_line = if active.is_null() {
        String::new()
    } else {
        format!(
            "\nDKG round {} in progress for generation {} ({}): {} dealers, {} players",
            active["round"],
            active["generation"],
            if active["reshare_of_round"].is_null() {
                "fresh key"
            } else {
                "reshare to the current gatekeepers"
            },
            active["dealers"].as_array().map_or(0, Vec::len),
            active["players"].as_array().map_or(0, Vec::len),
        )
    };
    let Some(generation) = v["generation"].as_u64() else {
        return format!(
            "no master key yet: the gatekeepers create it in a DKG round once one is promoted{round_line}"
        );
    };
    let mut s = format!(
        "master key generation {generation} (threshold-shared among gatekeepers){round_line}"
    );
    for k in v["master_public_keys"].as_array().into_iter().flatten() {
        s.push_str(&format!(
            "\n  {:>4}  {}  {}-of-{} (round {})",
            k["generation"],
            k["public_key"].as_str().unwrap_or("?"),
            k["threshold"],
            k["holders"],
            k["round"],
        ));
    }
    s
}

/// `phalanx worker policy --set FILE`.
pub fn set_policy(rpc: &str, from: &str, path: &Path, quiet: bool) -> Result<Value, CliError> {
    let text = files::read_limited_text(path, 64 * 1024, "policy file")?;
    let policy: phalanx_types::AttestationPolicy =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    policy
        .validate()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let key = keys::resolve_signer_or_file(from)?;
    let chain = client::ChainInfo::fetch(rpc)?;
    let call = RegistryCall::SetAttestationPolicy { policy }.into();
    Ok(client::send_checked(
        rpc,
        &chain,
        &key,
        call,
        "policy change",
        quiet,
    )?)
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
    if w["mq"].is_object() {
        let beat = &w["mq"]["last_heartbeat"];
        s.push_str(&format!(
            "\n  messages:     next seq {}, inbox {}, last heartbeat {}",
            w["mq"]["next_seq"],
            w["mq"]["inbox_len"],
            if beat.is_object() {
                format!(
                    "in block {} (verified to {})",
                    beat["block_height"], beat["tip_height"]
                )
            } else {
                "none".into()
            }
        ));
    }
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
