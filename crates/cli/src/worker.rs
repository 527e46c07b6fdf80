//! `phalanx worker [run]|register|list|show|promote|policy|master-key`: the worker process
//! (`phalanx_worker`), and the registry as the chain records it.

use crate::{
    exit::CliError,
    files, keys,
    show::{print, tx_text},
};
use clap::Subcommand;
use phalanx_client::{
    api::{KeysResponse, TxStatusResponse, WorkerView, WorkersQuery, WorkersResponse},
    client, endpoint,
};
use phalanx_types::{AccountId, KeysCall, RegistryCall};
use phalanx_worker::run::{Worker, WorkerConfig};
use serde::Serialize;
use std::path::{Path, PathBuf};

// `phalanx worker`: a subcommand, or the arguments of `run` (the default). (Plain comments on
// the argument structs: the command's help text is the doc comment in main.rs.)
#[derive(clap::Args)]
pub struct WorkerArgs {
    #[command(subcommand)]
    action: Option<WorkerCommand>,
    #[command(flatten)]
    run: Box<WorkerRunArgs>,
}

/// How a worker process starts.
#[derive(clap::Args, Clone)]
pub struct WorkerRunArgs {
    /// The operator account that registers the worker and relays its messages: a key name,
    /// a keystore file, or `dev:NAME` (dev chains only). Needed on first start.
    #[arg(long)]
    operator: Option<String>,
    /// The TEE that produces the evidence and seals the state. `sim` is SIMULATED (dev
    /// chains only).
    #[arg(long, value_enum, default_value = "auto")]
    tee: phalanx_worker::tee::Tee,
    /// Directory of the worker's sealed state and trusted chain spec (default:
    /// $PHALANX_HOME/worker or ~/.phalanx/worker).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The chain spec to trust (default: the one saved in the data directory, or on first
    /// start the node's, trusted on first use).
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Start verifying from this finalized block (hex hash) instead of genesis; first start
    /// only.
    #[arg(long)]
    checkpoint: Option<String>,
    /// Milliseconds between polls of the node.
    #[arg(long, default_value_t = 500)]
    poll_ms: u64,
    /// Collateral for a hardware quote: PCCS JSON (SGX/TDX) or the VCEK certificate, DER
    /// (SEV-SNP).
    #[arg(long)]
    collateral: Option<PathBuf>,
    /// Gramine's attestation directory (SGX).
    #[arg(long, default_value = phalanx_attestation::producer::GRAMINE_DIR)]
    gramine_dir: PathBuf,
    /// The configfs-tsm report directory (TDX, SEV-SNP).
    #[arg(long, default_value = phalanx_attestation::producer::TSM_REPORT_DIR)]
    tsm_dir: PathBuf,
    /// Percent of one core the mining benchmark takes (1 to 100; 0 runs no benchmark, so the
    /// worker cannot mine). The chain's P falls in proportion.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u8).range(0..=100))]
    benchmark_duty: u8,
    /// Once the chain has measured P, have the operator stake this many PHA on the worker
    /// and start mining (if it has no session). Without it, start with `phalanx mining start`.
    #[arg(long, value_parser = parse_stake)]
    mine_stake: Option<phalanx_types::Amount>,
    /// Serve encrypted contract queries on this address (e.g. 0.0.0.0:8546). Without it the
    /// worker answers no queries.
    #[arg(long)]
    query_addr: Option<std::net::SocketAddr>,
}

/// `--mine-stake`: PHA, more than zero.
fn parse_stake(s: &str) -> Result<phalanx_types::Amount, String> {
    match phalanx_types::parse_pha(s).map_err(|e| e.to_string())? {
        0 => Err("a mining stake must be more than 0 PHA".into()),
        units => Ok(units),
    }
}

impl WorkerRunArgs {
    fn config(self, rpc: &str) -> Result<phalanx_worker::run::WorkerConfig, String> {
        let operator = self
            .operator
            .as_deref()
            .map(keys::resolve_signer_or_file)
            .transpose()?;
        let spec = match &self.spec {
            Some(path) => Some(crate::network::read_spec(path)?),
            None => None,
        };
        let checkpoint = match &self.checkpoint {
            Some(h) => Some(
                hex::decode(h.trim())
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .map(phalanx_consensus::block::Digest::from)
                    .ok_or("--checkpoint must be a block hash: 32 bytes of hex")?,
            ),
            None => None,
        };
        Ok(phalanx_worker::run::WorkerConfig {
            rpc: rpc.to_string(),
            dir: self.data_dir.unwrap_or_else(default_dir),
            tee: phalanx_worker::tee::TeeSource {
                tee: self.tee,
                gramine_dir: self.gramine_dir,
                tsm_dir: self.tsm_dir,
                collateral: self.collateral,
            },
            operator,
            spec,
            checkpoint,
            poll: std::time::Duration::from_millis(self.poll_ms.clamp(10, 60_000)),
            mining: phalanx_worker::mining::MiningConfig {
                benchmark_duty_percent: self.benchmark_duty,
                stake: self.mine_stake,
            },
            query_listen: self.query_addr,
        })
    }
}

#[derive(Subcommand)]
pub enum WorkerCommand {
    /// Run the worker process (the same as `phalanx worker` with no subcommand).
    Run {
        #[command(flatten)]
        run: WorkerRunArgs,
    },
    /// Open (or create) the worker, verify the chain, register the worker (again: refresh its
    /// attestation), show its record and exit.
    Register {
        #[command(flatten)]
        run: WorkerRunArgs,
    },
    /// List registered workers with their attestation details.
    List {
        /// Skip this many workers (registration order).
        #[arg(long, default_value_t = 0)]
        offset: u64,
        /// Show at most this many (at most 100).
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
    /// Show one worker's record.
    Show {
        /// The worker's identity (hex).
        id: String,
    },
    /// Show the chain's attestation policy, or replace it (registry root only).
    Policy {
        /// A policy JSON file to set (fields: allowed_measurements, worst_confidence,
        /// max_evidence_age_secs, allow_simulated, registrations_frozen).
        #[arg(long, requires = "from")]
        set: Option<PathBuf>,
        /// The registry's root account (dev chains: `dev:alice`).
        #[arg(long)]
        from: Option<String>,
    },
    /// Give a registered, currently attested worker the gatekeeper role (registry root only).
    /// The chain then starts a DKG round (the first gatekeeper) or a reshare of the master key
    /// to the new gatekeeper set.
    Promote {
        /// The worker's identity (hex).
        id: String,
        /// The registry's root account (dev chains: `dev:alice`).
        #[arg(long)]
        from: String,
    },
    /// Show the threshold master key: each generation's group public key, its t-of-n sharing
    /// among the gatekeepers and the DKG round in progress (no secret is on chain). With
    /// `--rotate`, start a fresh DKG round for the next generation (registry root only); old
    /// generations stay, for old data.
    MasterKey {
        /// Start a fresh DKG round for the next master key generation.
        #[arg(long, requires = "from")]
        rotate: bool,
        /// The registry's root account (dev chains: `dev:alice`).
        #[arg(long)]
        from: Option<String>,
    },
}

/// `phalanx worker …`.
pub fn run(rpc: &str, args: WorkerArgs, json_mode: bool) -> Result<(), CliError> {
    let action = args.action.unwrap_or(WorkerCommand::Run { run: *args.run });
    match action {
        WorkerCommand::Run { run } => {
            let config = run.config(rpc)?;
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            crate::network::stop_on_signal(stop.clone())?;
            phalanx_worker::run::run(config, stop)?;
        }
        WorkerCommand::Register { run } => {
            let v = register(run.config(rpc)?, json_mode)?;
            print(json_mode, &v, || format!("registered\n{}", text(&v.worker)));
        }
        WorkerCommand::List { offset, limit } => {
            let v = endpoint::workers(rpc, &WorkersQuery { offset, limit })?;
            print(json_mode, &v, || list_text(&v));
        }
        WorkerCommand::Show { id } => {
            let id = AccountId::from_hex(&id).map_err(|e| format!("worker id: {e}"))?;
            let v = endpoint::worker(rpc, &id)?;
            print(json_mode, &v, || text(&v));
        }
        WorkerCommand::Policy { set: None, .. } => {
            let v = endpoint::workers(
                rpc,
                &WorkersQuery {
                    offset: 0,
                    limit: 1,
                },
            )?;
            let policy = &v.policy;
            print(json_mode, policy, || {
                serde_json::to_string_pretty(policy).unwrap_or_default()
            });
        }
        WorkerCommand::Policy {
            set: Some(path),
            from,
        } => {
            let from = from.ok_or("--set needs --from (the registry root)")?;
            let v = set_policy(rpc, &from, &path, json_mode)?;
            print(json_mode, &v, || {
                format!("attestation policy set\n{}", tx_text(&v))
            });
        }
        WorkerCommand::Promote { id, from } => {
            let v = promote(rpc, &from, &id, json_mode)?;
            print(json_mode, &v, || {
                format!("promoted {id} to gatekeeper\n{}", tx_text(&v))
            });
        }
        WorkerCommand::MasterKey { rotate: false, .. } => {
            let v = endpoint::keys(rpc)?;
            print(json_mode, &v, || master_key_text(&v));
        }
        WorkerCommand::MasterKey { rotate: true, from } => {
            let from = from.ok_or("--rotate needs --from (the registry root)")?;
            let v = rotate_master_key(rpc, &from, json_mode)?;
            print(json_mode, &v, || {
                format!(
                    "rotation requested: the gatekeepers derive and publish the next generation\n{}",
                    tx_text(&v)
                )
            });
        }
    }
    Ok(())
}

/// Default worker directory: `$PHALANX_HOME/worker` or `~/.phalanx/worker`.
pub fn default_dir() -> PathBuf {
    keys::phalanx_home().join("worker")
}

/// What `phalanx worker register` prints.
#[derive(Serialize)]
pub struct Registered {
    /// The record the node now holds (`GET /worker/{id}`).
    pub worker: WorkerView,
    /// The height the worker verified headers to.
    pub synced_to: u64,
}

/// `phalanx worker register`: open (or create) the worker, verify the chain up to its tip,
/// register it (or refresh its attestation), and show its record. Exits like `transfer` (3
/// unreachable, 4 refused by the node, 5 failed in its block).
pub fn register(config: WorkerConfig, quiet: bool) -> Result<Registered, CliError> {
    let mut worker = Worker::open(config)?;
    let report = worker.sync().map_err(|e| e.to_string())?;
    if !quiet {
        eprintln!(
            "verified headers {}..={} in {:.2} s",
            report.from, report.to, report.seconds
        );
    }
    worker.register()?;
    let record = endpoint::worker(&worker.config.rpc, &worker.id())?;
    Ok(Registered {
        worker: record,
        synced_to: report.to,
    })
}

/// `phalanx worker promote`.
pub fn promote(
    rpc: &str,
    from: &str,
    worker: &str,
    quiet: bool,
) -> Result<TxStatusResponse, CliError> {
    let key = keys::resolve_signer_or_file(from)?;
    let worker = AccountId::from_hex(worker).map_err(|e| format!("worker id: {e}"))?;
    let chain = client::ChainInfo::fetch(rpc)?;
    let call = RegistryCall::PromoteGatekeeper { worker }.into();
    let sent = client::send_checked(rpc, &chain, &key, call, "promotion", quiet)?;
    Ok(TxStatusResponse::Finalized(sent))
}

/// `phalanx worker master-key --rotate`.
pub fn rotate_master_key(rpc: &str, from: &str, quiet: bool) -> Result<TxStatusResponse, CliError> {
    let key = keys::resolve_signer_or_file(from)?;
    let chain = client::ChainInfo::fetch(rpc)?;
    let sent = client::send_checked(
        rpc,
        &chain,
        &key,
        KeysCall::RotateMasterKey.into(),
        "master key rotation",
        quiet,
    )?;
    Ok(TxStatusResponse::Finalized(sent))
}

/// `phalanx worker master-key` as text.
pub fn master_key_text(v: &KeysResponse) -> String {
    let round_line = match &v.active_round {
        None => String::new(),
        Some(active) => format!(
            "\nDKG round {} in progress for generation {} ({}): {} dealers, {} players",
            active.round,
            active.generation,
            if active.reshare_of_round.is_none() {
                "fresh key"
            } else {
                "reshare to the current gatekeepers"
            },
            active.dealers.len(),
            active.players.len(),
        ),
    };
    let Some(generation) = v.generation else {
        return format!(
            "no master key yet: the gatekeepers create it in a DKG round once one is promoted{round_line}"
        );
    };
    let mut s = format!(
        "master key generation {generation} (threshold-shared among gatekeepers){round_line}"
    );
    let or_null = |n: Option<u64>| n.map_or_else(|| "null".to_string(), |n| n.to_string());
    for k in &v.master_public_keys {
        s.push_str(&format!(
            "\n  {:>4}  {}  {}-of-{} (round {})",
            k.generation,
            k.public_key,
            or_null(k.threshold.map(u64::from)),
            or_null(k.holders.map(u64::from)),
            or_null(k.round),
        ));
    }
    s
}

/// `phalanx worker policy --set FILE`.
pub fn set_policy(
    rpc: &str,
    from: &str,
    path: &Path,
    quiet: bool,
) -> Result<TxStatusResponse, CliError> {
    let text = files::read_limited_text(path, 64 * 1024, "policy file")?;
    let policy: phalanx_types::AttestationPolicy =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    policy
        .validate()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let key = keys::resolve_signer_or_file(from)?;
    let chain = client::ChainInfo::fetch(rpc)?;
    let call = RegistryCall::SetAttestationPolicy { policy }.into();
    let sent = client::send_checked(rpc, &chain, &key, call, "policy change", quiet)?;
    Ok(TxStatusResponse::Finalized(sent))
}

/// The TEE's name as the record serializes it (`sgx`, `tdx`, `snp`).
fn tee_name(w: &WorkerView) -> String {
    serde_json::to_value(w.record.tee)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// One worker as text.
pub fn text(w: &WorkerView) -> String {
    let r = &w.record;
    let mut s = format!(
        "worker {}{}\n  operator:     {}\n  TEE:          {}{}\n  measurement:  {}\n  TCB:          {} (confidence {} of 5)\n  encryption:   {}\n  registered:   {} ms\n  attested:     {} ms",
        r.info.identity,
        if r.gatekeeper { " [gatekeeper]" } else { "" },
        r.operator,
        tee_name(w),
        if r.simulated { " (SIMULATED)" } else { "" },
        hex::encode(&r.measurement),
        r.tcb_status,
        r.confidence,
        hex::encode(r.info.encryption_key),
        r.registered_at_ms,
        r.last_attested_ms,
    );
    if let Some(mq) = &w.mq {
        s.push_str(&format!(
            "\n  messages:     next seq {}, inbox {}, last heartbeat {}",
            mq.next_seq,
            mq.inbox_len,
            match &mq.last_heartbeat {
                Some(beat) => format!(
                    "in block {} (verified to {})",
                    beat.block_height, beat.tip_height
                ),
                None => "none".into(),
            }
        ));
    }
    if let Some(warning) = &w.warning {
        s.push_str(&format!("\n  WARNING: {warning}"));
    }
    s
}

/// The worker list as text.
pub fn list_text(v: &WorkersResponse) -> String {
    let mut lines = vec![format!(
        "{} worker(s) registered (showing {} from {}); simulation {}",
        v.count,
        v.workers.len(),
        v.offset,
        if v.policy.as_ref().is_some_and(|p| p.allow_simulated) {
            "ALLOWED (development chain)"
        } else {
            "refused"
        }
    )];
    for w in &v.workers {
        let r = &w.record;
        lines.push(format!(
            "  {}  {}{}{}  confidence {}  operator {}",
            r.info.identity,
            tee_name(w),
            if r.simulated { " SIMULATED" } else { "" },
            if r.gatekeeper { " gatekeeper" } else { "" },
            r.confidence,
            r.operator,
        ));
    }
    lines.join("\n")
}
