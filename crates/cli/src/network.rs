//! Starting chains: `phalanx dev` (one validator, temporary data) and `phalanx node` (one
//! validator of a chain spec, e.g. one process of `phalanx localnet`).

use crate::keys;
use commonware_cryptography::Signer;
use phalanx_node::{
    run::{NodeConfig, run},
    spec::{ChainSpec, ValidatorSpec},
};
use phalanx_runtime::{GenesisConfig, registry};
use phalanx_types::{AccountId, AttestationPolicy, ChainId, UNITS_PER_PHA};
use serde::Serialize;
use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

// The arguments of `phalanx dev` (its help text is the doc comment in main.rs).
#[derive(clap::Args)]
pub struct DevArgs {
    /// Data directory (default: a fresh temporary directory, deleted on exit).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// RPC listen address.
    #[arg(long, default_value = "127.0.0.1:8545")]
    rpc_addr: SocketAddr,
    /// P2P listen address.
    #[arg(long, default_value = "127.0.0.1:30333")]
    p2p_addr: SocketAddr,
    /// Where the dev worker serves encrypted contract queries (`phalanx contract query`).
    #[arg(long, default_value = "127.0.0.1:8546")]
    query_addr: SocketAddr,
    /// Least milliseconds between blocks.
    #[arg(long, default_value_t = 200)]
    block_interval_ms: u64,
    /// Refuse simulated TEE evidence (by default a dev chain accepts it, for `phalanx
    /// worker register --tee sim`). Applies when the data directory is new.
    #[arg(long)]
    forbid_simulated_tee: bool,
    /// Do not run the dev worker (by default `dev` runs one with a simulated TEE, operated
    /// by dev:charlie, makes it the first gatekeeper, and has dev:charlie stake on it so it
    /// mines).
    #[arg(long)]
    no_worker: bool,
}

// The arguments of `phalanx node`.
#[derive(clap::Args)]
pub struct NodeArgs {
    /// Chain spec file (JSON; `phalanx dev` and `phalanx localnet` write one).
    #[arg(long)]
    spec: PathBuf,
    /// Validator key: a keystore file path, a key name from `phalanx keys`, or
    /// `dev:validator-N` (local test networks only).
    #[arg(long)]
    key: String,
    /// Data directory (blocks, state, tx index).
    #[arg(long)]
    data_dir: PathBuf,
    /// RPC listen address.
    #[arg(long, default_value = "127.0.0.1:8545")]
    rpc_addr: SocketAddr,
    /// P2P listen address (default: this validator's address in the spec).
    #[arg(long)]
    p2p_addr: Option<SocketAddr>,
}

/// The dev accounts; each is funded with [`DEV_FUNDING_PHA`] on dev and local chains.
pub const DEV_ACCOUNTS: [&str; 3] = ["alice", "bob", "charlie"];
/// PHA given to each dev account.
pub const DEV_FUNDING_PHA: u128 = 1_000_000;

/// Share of one core the dev worker's benchmark takes (P falls in proportion; the dev chain's
/// least P allows it).
pub const DEV_BENCHMARK_DUTY: u8 = 10;
/// PHA dev:charlie stakes on the dev worker: above the least stake for any P (100·√6000 ≈ 7,746)
/// and with Vᵉ = 1.3·(S + 0.3·P) below V_max.
pub const DEV_MINING_STAKE_PHA: u128 = 10_000;

/// The well-known key of dev validator `i` (dev and local chains only).
pub fn dev_validator_key(i: usize) -> commonware_cryptography::ed25519::PrivateKey {
    phalanx_crypto::dev_key(&format!("validator-{i}"))
}

/// A chain spec for a dev or local chain: the standard genesis split with the dev accounts funded
/// from the ecosystem allocation, and the given validators.
pub fn dev_spec(
    chain_id: &str,
    validators: Vec<ValidatorSpec>,
    block_interval_ms: u64,
    allow_simulated_tee: bool,
) -> Result<ChainSpec, String> {
    let chain_id = ChainId::new(chain_id).map_err(|e| e.to_string())?;
    let funded: Vec<_> = DEV_ACCOUNTS
        .iter()
        .map(|n| {
            (
                AccountId::from(phalanx_crypto::dev_key(n).public_key()),
                DEV_FUNDING_PHA * UNITS_PER_PHA,
            )
        })
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let mut genesis = GenesisConfig::standard(chain_id, now, &funded).map_err(|e| e.to_string())?;
    genesis.registry = dev_registry(allow_simulated_tee);
    // Mining on a scale a person can watch (challenges every few seconds, a one-minute
    // cool-down); the economics are the production ones.
    genesis.params.computation = phalanx_runtime::computation::Params::dev();
    genesis.params.beacon = phalanx_runtime::beacon::Params::dev();
    genesis.params.stakepool = phalanx_runtime::stakepool::Params::dev();
    genesis.params.governance = phalanx_runtime::governance::Params::dev();
    let spec = ChainSpec {
        genesis,
        validators,
        block_interval_ms,
    };
    spec.validate().map_err(|e| e.to_string())?;
    Ok(spec)
}

/// The registry genesis of dev chains: `alice` is root; the simulated worker runtime's
/// measurement is trusted, and simulated evidence accepted unless `allow_simulated` is false.
pub fn dev_registry(allow_simulated: bool) -> registry::Genesis {
    registry::Genesis {
        root: Some(AccountId::from(
            phalanx_crypto::dev_key("alice").public_key(),
        )),
        policy: AttestationPolicy {
            allowed_measurements: vec![phalanx_attestation::sim::measurement()],
            worst_confidence: 2,
            max_evidence_age_secs: 30 * 86_400,
            allow_simulated,
            registrations_frozen: false,
        },
    }
}

/// Reads and validates a chain spec file.
pub fn read_spec(path: &Path) -> Result<ChainSpec, String> {
    // A spec with MAX_VALIDATORS validators and a few dev accounts is a few tens of KiB.
    const MAX_SPEC_BYTES: u64 = 1 << 20;
    let text = crate::files::read_limited_text(path, MAX_SPEC_BYTES, "chain spec")?;
    ChainSpec::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes a chain spec file (refusing to overwrite one).
pub fn write_spec(path: &Path, spec: &ChainSpec) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    std::fs::write(path, spec.to_json())
        .map_err(|e| format!("writing chain spec {}: {e}", path.display()))
}

/// Options of `phalanx dev`.
pub struct DevOptions {
    pub data_dir: Option<PathBuf>,
    pub rpc_addr: SocketAddr,
    pub p2p_addr: SocketAddr,
    /// Where the dev worker serves contract queries.
    pub query_addr: SocketAddr,
    pub block_interval_ms: u64,
    pub allow_simulated_tee: bool,
    /// Run a worker with a simulated TEE and make it the first gatekeeper.
    pub worker: bool,
    /// Print one JSON line once the chain has finalized a block, instead of the text banner.
    pub json: bool,
}

/// `phalanx dev [--json]`.
pub fn dev(args: DevArgs, json: bool) -> Result<(), String> {
    run_dev(DevOptions {
        data_dir: args.data_dir,
        rpc_addr: args.rpc_addr,
        p2p_addr: args.p2p_addr,
        query_addr: args.query_addr,
        block_interval_ms: args.block_interval_ms,
        allow_simulated_tee: !args.forbid_simulated_tee,
        worker: !args.no_worker,
        json,
    })
}

/// Runs the dev chain (and its worker) until a signal.
pub fn run_dev(opts: DevOptions) -> Result<(), String> {
    let DevOptions {
        data_dir,
        rpc_addr,
        p2p_addr,
        query_addr,
        block_interval_ms,
        allow_simulated_tee,
        worker,
        json,
    } = opts;
    let (temp, data_dir) = match data_dir {
        Some(d) => (None, d),
        None => {
            let t = TempDir::new("phalanx-dev")?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    let validator = dev_validator_key(0);
    // The spec (with its genesis time) is written once, so a data directory restarts as the
    // same chain.
    let spec_path = data_dir.join("chain-spec.json");
    let spec = if spec_path.exists() {
        read_spec(&spec_path)?
    } else {
        let spec = dev_spec(
            "phalanx-dev",
            vec![ValidatorSpec {
                public_key: validator.public_key().into(),
                p2p_address: p2p_addr,
            }],
            block_interval_ms,
            allow_simulated_tee,
        )?;
        write_spec(&spec_path, &spec)?;
        spec
    };
    let dir_text = data_dir.display().to_string();
    let worker_dir = data_dir.join("worker");
    let worker_spec =
        (worker && spec.genesis.registry.policy.allow_simulated).then(|| spec.clone());
    let chain_id = spec.genesis.chain_id.to_string();
    let temporary = temp.is_some();
    run(NodeConfig {
        data_dir,
        spec,
        signer: validator,
        p2p_listen: p2p_addr,
        rpc_listen: rpc_addr,
        on_ready: Box::new(move |addr| {
            let rpc = format!("http://{addr}");
            if json {
                let worker = worker_spec.as_ref().map(|_| DevWorker {
                    operator: "dev:charlie",
                    tee: "sim",
                    data_dir: worker_dir.display().to_string(),
                });
                let rpc = rpc.clone();
                std::thread::spawn(move || {
                    print_ready_json(&rpc, &chain_id, &dir_text, temporary, worker);
                });
            } else {
                // Off the node's thread: the banner reads the balances over the RPC.
                let rpc = rpc.clone();
                let worker = worker_spec.is_some();
                std::thread::spawn(move || print_dev_banner(&rpc, &dir_text, worker));
            }
            if let Some(spec) = worker_spec {
                std::thread::spawn(move || dev_worker(rpc, worker_dir, spec, query_addr));
            }
        }),
    })
}

/// What `phalanx dev` prints once its RPC listens.
fn print_dev_banner(rpc: &str, dir_text: &str, worker: bool) {
    println!("Phalanx dev chain `phalanx-dev` is running (one validator).");
    println!("  RPC:       {rpc}");
    println!("  data dir:  {dir_text}");
    print_dev_accounts(Some(rpc));
    println!("  try: phalanx transfer --from dev:alice --to dev:bob --amount 1.5");
    println!("       phalanx worker register --tee sim --operator dev:bob   (SIMULATED TEE)");
    if worker {
        println!(
            "  worker:    SIMULATED TEE, operated by dev:charlie, becomes the first gatekeeper (state in {dir_text}/worker)"
        );
        println!(
            "             and mines with {DEV_MINING_STAKE_PHA} PHA of dev:charlie's once its benchmark is measured: phalanx mining status"
        );
    } else {
        println!("  worker:    none");
    }
    println!("Press Ctrl-C to stop.");
}

/// The line `phalanx dev --json` prints once the chain is up.
#[derive(Serialize)]
struct DevReady<'a> {
    chain_id: &'a str,
    rpc: &'a str,
    data_dir: &'a str,
    /// The data directory is removed on exit.
    temporary: bool,
    accounts: Vec<DevAccount>,
    worker: Option<DevWorker>,
}

#[derive(Serialize)]
struct DevAccount {
    name: String,
    account: AccountId,
}

/// The dev worker `phalanx dev` runs.
#[derive(Serialize)]
struct DevWorker {
    operator: &'static str,
    tee: &'static str,
    data_dir: String,
}

/// `phalanx dev --json`: once the chain at `rpc` has finalized a block (so its fee parameters
/// are known and transactions can be sent), prints one JSON line on stdout: the RPC URL, the
/// data directory and the dev accounts. Runs on a thread of its own (the node's `on_ready`
/// callback starts it), never on the node's tokio runtime: the client blocks.
fn print_ready_json(
    rpc: &str,
    chain_id: &str,
    data_dir: &str,
    temporary: bool,
    worker: Option<DevWorker>,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let up = phalanx_client::endpoint::chain(rpc)
            .is_ok_and(|c| c.finalized.height >= 1 && c.params.is_some());
        if up {
            break;
        }
        if std::time::Instant::now() > deadline {
            tracing::error!(rpc, "the dev chain finalized no block within 120 s");
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let accounts = DEV_ACCOUNTS
        .iter()
        .map(|n| DevAccount {
            name: format!("dev:{n}"),
            account: AccountId::from(phalanx_crypto::dev_key(n).public_key()),
        })
        .collect();
    let line = DevReady {
        chain_id,
        rpc,
        data_dir,
        temporary,
        accounts,
        worker,
    };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", serde_json::to_string(&line).unwrap_or_default());
    let _ = out.flush();
}

/// The worker `phalanx dev` runs: registered by dev:charlie, then promoted to gatekeeper by
/// the registry root dev:alice; once the chain has measured its benchmark, dev:charlie stakes
/// [`DEV_MINING_STAKE_PHA`] on it and it mines. It lives as long as the process, on a thread of its own (not
/// the node's tokio runtime: the worker's client blocks).
fn dev_worker(rpc: String, dir: PathBuf, spec: ChainSpec, query_addr: SocketAddr) {
    let config = phalanx_worker::run::WorkerConfig {
        rpc: rpc.clone(),
        dir,
        tee: phalanx_worker::tee::TeeSource::simulated(),
        operator: Some(phalanx_crypto::dev_key("charlie")),
        spec: Some(spec),
        checkpoint: None,
        poll: std::time::Duration::from_millis(500),
        mining: phalanx_worker::mining::MiningConfig {
            benchmark_duty_percent: DEV_BENCHMARK_DUTY,
            stake: Some(DEV_MINING_STAKE_PHA * UNITS_PER_PHA),
        },
        query_listen: Some(query_addr),
    };
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let result = phalanx_worker::run::run_with(config, stop, |worker, record| {
        if record.gatekeeper {
            return Ok(());
        }
        let chain = phalanx_client::client::ChainInfo::fetch(&rpc)?;
        let call = phalanx_types::RegistryCall::PromoteGatekeeper {
            worker: worker.id(),
        }
        .into();
        phalanx_client::client::send(
            &rpc,
            &chain,
            &phalanx_crypto::dev_key("alice"),
            call,
            "gatekeeper promotion",
            true,
        )?;
        tracing::info!(worker = %worker.id(), "dev worker promoted to gatekeeper by dev:alice");
        Ok(())
    });
    if let Err(e) = result {
        tracing::error!(error = %e, "the dev worker stopped");
    }
}

/// Prints the dev accounts with their balance read from the node at `rpc` (a data directory
/// run before holds what was spent since), or their funding at genesis when there is no node
/// to ask or it does not answer.
pub fn print_dev_accounts(rpc: Option<&str>) {
    // The RPC listens before the genesis state is readable, when an account reads as empty:
    // wait (at most 10 s) for the chain's parameters, which come with it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let rpc = rpc.filter(|rpc| {
        loop {
            if phalanx_client::endpoint::chain(rpc).is_ok_and(|c| c.params.is_some()) {
                break true;
            }
            if std::time::Instant::now() >= deadline {
                break false;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    });
    println!("  dev accounts (well-known keys, never use for real funds):");
    for n in DEV_ACCOUNTS {
        let id = AccountId::from(phalanx_crypto::dev_key(n).public_key());
        let balance = rpc
            .and_then(|rpc| phalanx_client::endpoint::account(rpc, &id).ok())
            .map_or_else(
                || format!("{DEV_FUNDING_PHA} PHA at genesis"),
                |a| format!("{} PHA", a.balance_pha),
            );
        println!("    dev:{n:<8} {id}  {balance}");
    }
}

/// `phalanx node`: one validator of the chain described by a spec file.
pub fn node(args: NodeArgs) -> Result<(), String> {
    let NodeArgs {
        spec,
        key,
        data_dir,
        rpc_addr,
        p2p_addr,
    } = args;
    let (spec_path, key) = (spec.as_path(), key.as_str());
    let spec = read_spec(spec_path)?;
    let signer = keys::resolve_signer_or_file(key)?;
    let me = AccountId::from(signer.public_key());
    let Some(entry) = spec.validators.iter().find(|v| v.public_key == me) else {
        return Err(format!(
            "key {key} (account {me}) is not a validator in {}",
            spec_path.display()
        ));
    };
    if key.starts_with("dev:") {
        tracing::warn!(
            key,
            "running with a well-known dev key: for local test networks only"
        );
    }
    let p2p_listen = p2p_addr.unwrap_or(entry.p2p_address);
    let chain = spec.genesis.chain_id.to_string();
    let validators = spec.validators.len();
    let dir_text = data_dir.display().to_string();
    run(NodeConfig {
        data_dir,
        spec,
        signer,
        p2p_listen,
        rpc_listen: rpc_addr,
        on_ready: Box::new(move |addr| {
            println!("Phalanx validator {me} of `{chain}` ({validators} validators) is running.");
            println!("  RPC:       http://{addr}");
            println!("  P2P:       {p2p_listen}");
            println!("  data dir:  {dir_text}");
        }),
    })
}

/// A directory removed when dropped, unless [`TempDir::keep`] was called.
pub struct TempDir {
    path: PathBuf,
    keep: bool,
}

impl TempDir {
    /// Creates `$TMPDIR/<prefix>-<random>`.
    pub fn new(prefix: &str) -> Result<Self, String> {
        let mut suffix = [0u8; 6];
        getrandom::fill(&mut suffix).map_err(|e| format!("OS random generator: {e}"))?;
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", hex::encode(suffix)));
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        Ok(Self {
            path: dir,
            keep: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Leaves the directory in place when dropped (it holds logs to read).
    pub fn keep(&mut self) {
        self.keep = true;
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Sets `stop` when Ctrl-C or SIGTERM arrives (for processes that are not tokio-based).
pub fn stop_on_signal(stop: std::sync::Arc<std::sync::atomic::AtomicBool>) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the signal thread: {e}"))?;
    std::thread::spawn(move || {
        runtime.block_on(async move {
            let Ok(mut term) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            else {
                return;
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            tracing::info!("stopping (signal)");
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    });
    Ok(())
}
