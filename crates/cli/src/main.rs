//! `phalanx`: one binary for the dev network, validators, and the client commands.

mod attest;
mod bench;
mod bench_dkg;
mod exit;
mod keys;
mod localnet;
mod network;
mod show;
mod tokenomics;
mod verify;
mod worker;

use clap::{Parser, Subcommand};
use commonware_cryptography::Signer;
use exit::CliError;
use phalanx_attestation::sim;
use phalanx_types::{AccountId, Amount, BalancesCall, format_pha, parse_pha};
use phalanx_worker::{client, files, http};
use show::{event_text, print, tx_text};
use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

const DEFAULT_RPC: &str = "http://127.0.0.1:8545";

#[derive(Parser)]
#[command(
    name = "phalanx",
    version,
    about = "Phalanx: a decentralized confidential cloud.\n\nStart a local chain with `phalanx dev`, then use the client commands against it.",
    after_help = exit::after_help()
)]
struct Cli {
    /// Node RPC URL for client commands.
    #[arg(long, global = true, env = "PHALANX_RPC", default_value = DEFAULT_RPC)]
    rpc: String,
    /// Print machine-readable JSON instead of text (errors too: one JSON object on stdout).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a one-validator development chain with funded dev accounts (alice, bob, charlie).
    Dev {
        /// Data directory (default: a fresh temporary directory, deleted on exit).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// RPC listen address.
        #[arg(long, default_value = "127.0.0.1:8545")]
        rpc_addr: SocketAddr,
        /// P2P listen address.
        #[arg(long, default_value = "127.0.0.1:30333")]
        p2p_addr: SocketAddr,
        /// Least milliseconds between blocks.
        #[arg(long, default_value_t = 200)]
        block_interval_ms: u64,
        /// Refuse simulated TEE evidence (by default a dev chain accepts it, for `phalanx
        /// worker register --tee sim`). Applies when the data directory is new.
        #[arg(long)]
        forbid_simulated_tee: bool,
        /// Do not run the dev worker (by default `dev` runs one with a simulated TEE, operated
        /// by dev:charlie, and makes it the first gatekeeper).
        #[arg(long)]
        no_worker: bool,
    },
    /// Run one validator of the chain described by a chain spec file.
    Node {
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
    },
    /// Run N validator processes on loopback that finalize together, until Ctrl-C. A validator
    /// that exits is restarted; without a quorum left the supervisor stops (exit status 1).
    Localnet {
        /// Number of validators.
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Data directory holding the spec and one directory per validator (default: a fresh
        /// temporary directory, deleted on exit unless a validator exited during the run: then
        /// it is kept for the logs).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// RPC port of validator 0; validator i listens on this port + i.
        #[arg(long, default_value_t = 8545)]
        rpc_port: u16,
        /// P2P port of validator 0; validator i listens on this port + i.
        #[arg(long, default_value_t = 30333)]
        p2p_port: u16,
        /// Least milliseconds between blocks.
        #[arg(long, default_value_t = 200)]
        block_interval_ms: u64,
        /// How many times a validator that exits is restarted within 10 minutes before the
        /// supervisor gives up on it (the others keep running while a quorum remains).
        #[arg(long, default_value_t = localnet::MAX_RESTARTS)]
        max_restarts: usize,
        /// Milliseconds before the first restart of a validator; each further restart within
        /// the window waits twice as long.
        #[arg(long, default_value_t = 1000, hide = true)]
        restart_delay_ms: u64,
    },
    /// Verify TEE attestation evidence offline, or produce simulated evidence.
    Attest {
        #[command(subcommand)]
        action: AttestCommand,
    },
    /// Measure the chain's performance from the outside, through the RPC.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Manage encrypted keys (stored under ~/.phalanx/keys, or $PHALANX_HOME/keys).
    Keys {
        #[command(subcommand)]
        action: keys::KeysCommand,
    },
    /// Show an account's balance and nonce.
    Balance {
        /// Account id (hex), key name, or `dev:NAME` for a well-known dev account.
        account: String,
        /// Fetch a state proof and verify it here against the block's state root, instead of
        /// trusting the node's answer.
        #[arg(long)]
        prove: bool,
    },
    /// Send PHA to another account and wait for finality.
    Transfer {
        /// Signing key: a key name from `phalanx keys`, or `dev:NAME` (dev chains only).
        #[arg(long)]
        from: String,
        /// Recipient: account id (hex), key name, or `dev:NAME`.
        #[arg(long)]
        to: String,
        /// Amount in PHA, e.g. `1.5` (more than zero).
        #[arg(long, value_parser = parse_amount)]
        amount: Amount,
        /// Fee in PHA (default: the chain's required fee).
        #[arg(long, value_parser = parse_fee)]
        fee: Option<Amount>,
        /// Return after submission instead of waiting for finality.
        #[arg(long)]
        no_wait: bool,
    },
    /// Transaction commands.
    Tx {
        #[command(subcommand)]
        action: TxCommand,
    },
    /// Show a finalized block (default: the latest).
    Block {
        /// Height or `latest`.
        #[arg(default_value = "latest")]
        height: String,
    },
    /// Show chain information from the node.
    Info,
    /// The PHA emission schedule: where it stands on the node (period, rate, emitted, reserve
    /// and pots), or `schedule` to project it day by day, with a plot.
    Tokenomics {
        #[command(subcommand)]
        action: Option<tokenomics::TokenomicsCommand>,
    },
    /// Run a TEE worker (`phalanx worker --tee sim --operator dev:bob`), or manage the
    /// registry: list and show workers, promote gatekeepers, read or set the policy.
    #[command(args_conflicts_with_subcommands = true)]
    Worker {
        #[command(subcommand)]
        action: Option<WorkerCommand>,
        #[command(flatten)]
        run: Box<WorkerRunArgs>,
    },
}

/// How a worker process starts.
#[derive(clap::Args, Clone)]
struct WorkerRunArgs {
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
}

impl WorkerRunArgs {
    fn config(self, rpc: &str) -> Result<phalanx_worker::run::WorkerConfig, String> {
        let operator = self
            .operator
            .as_deref()
            .map(keys::resolve_signer_or_file)
            .transpose()?;
        let spec = match &self.spec {
            Some(path) => Some(network::read_spec(path)?),
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
            dir: self.data_dir.unwrap_or_else(worker::default_dir),
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
        })
    }
}

#[derive(Subcommand)]
enum WorkerCommand {
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

#[derive(Subcommand)]
enum AttestCommand {
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
struct EvidenceArgs {
    /// The quote (or SNP report): a raw binary file or hex text.
    #[arg(long)]
    evidence: PathBuf,
    /// The collateral: PCCS JSON (TCB info, QE identity, CRLs, issuer chains) for DCAP, the
    /// VCEK certificate (DER) for SNP.
    #[arg(long)]
    collateral: PathBuf,
    /// Verify as of this Unix time (default: now).
    #[arg(long)]
    at: Option<u64>,
    /// What the files hold: `dcap` (Intel quote + PCCS collateral JSON), `sim` (SIMULATED
    /// quote from `phalanx attest simulate`, verified under the development root) or `snp`
    /// (AMD SEV-SNP report + VCEK certificate, DER).
    #[arg(long, value_enum, default_value = "dcap")]
    kind: attest::Kind,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Sustained signed-transfer throughput and time to finality (see docs/BENCHMARKS.md).
    Transfers {
        /// Transfers to send in the throughput phase.
        #[arg(long, default_value_t = 20_000)]
        txs: usize,
        /// Fresh sender accounts (funded in an untimed setup phase).
        #[arg(long, default_value_t = 64)]
        senders: usize,
        /// Single transfers timed one at a time for time to finality.
        #[arg(long, default_value_t = 30)]
        latency_samples: usize,
        /// Account that funds the senders.
        #[arg(long, default_value = "dev:alice")]
        from: String,
        /// More RPC endpoints to spread submissions over (e.g. every localnet validator); the
        /// global --rpc is always the first.
        #[arg(long = "also")]
        also: Vec<String>,
    },
    /// Light-client catch-up: a fresh worker verifies every header from genesis to the node's
    /// tip (finality certificates, hash chain), as `phalanx worker` does on first start.
    Sync {
        /// Fresh catch-ups to time.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// The cost of one threshold master key round with N gatekeepers (in this process, no
    /// node needed): dealing, acknowledging, the chain's log checks and output, a worker's
    /// cluster key recovery, and the encoded sizes against the message limit.
    Dkg {
        /// Gatekeepers in the round (at most 64, the registry's limit).
        #[arg(long, default_value_t = 64)]
        gatekeepers: usize,
    },
    /// Time to verify one piece of evidence (read + parse + verify), averaged.
    Attestation {
        #[command(flatten)]
        input: EvidenceArgs,
        /// Verifications to average over.
        #[arg(long, default_value_t = 500)]
        runs: usize,
    },
}

#[derive(Subcommand)]
enum TxCommand {
    /// Show whether a transaction is pending or finalized, with its receipt.
    Status { hash: String },
}

/// `--amount`: PHA, more than zero (the chain would include a zero transfer, fail it and
/// charge its fee).
fn parse_amount(s: &str) -> Result<Amount, String> {
    match parse_pha(s).map_err(|e| e.to_string())? {
        0 => Err("a transfer must move more than 0 PHA".into()),
        units => Ok(units),
    }
}

/// `--fee`: PHA.
fn parse_fee(s: &str) -> Result<Amount, String> {
    parse_pha(s).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return exit::usage(e),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,commonware=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let json_mode = cli.json;
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(json_mode),
    }
}

/// GET `path` from the node at `rpc`.
fn get(rpc: &str, path: &str) -> Result<serde_json::Value, CliError> {
    Ok(http::call(rpc, "GET", path, None)?)
}

fn dispatch(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Dev {
            data_dir,
            rpc_addr,
            p2p_addr,
            block_interval_ms,
            forbid_simulated_tee,
            no_worker,
        } => network::dev(network::DevOptions {
            data_dir,
            rpc_addr,
            p2p_addr,
            block_interval_ms,
            allow_simulated_tee: !forbid_simulated_tee,
            worker: !no_worker,
            json: cli.json,
        })?,
        Command::Node {
            spec,
            key,
            data_dir,
            rpc_addr,
            p2p_addr,
        } => network::node(&spec, &key, data_dir, rpc_addr, p2p_addr)?,
        Command::Localnet {
            validators,
            data_dir,
            rpc_port,
            p2p_port,
            block_interval_ms,
            max_restarts,
            restart_delay_ms,
        } => localnet::run(localnet::Options {
            validators,
            data_dir,
            rpc_port,
            p2p_port,
            block_interval_ms,
            max_restarts,
            restart_delay: std::time::Duration::from_millis(restart_delay_ms),
        })?,
        Command::Keys { action } => keys::run(action, cli.json)?,
        Command::Tokenomics { action } => tokenomics::run(&cli.rpc, action, cli.json)?,
        Command::Attest {
            action: AttestCommand::Verify { input: i },
        } => {
            let (v, verified) = attest::verify(&i.evidence, &i.collateral, i.kind, i.at)?;
            print(cli.json, &v, || attest::text(&verified));
        }
        Command::Attest {
            action:
                AttestCommand::Simulate {
                    report_data,
                    evidence,
                    collateral,
                },
        } => {
            let v = attest::simulate(&report_data, &evidence, &collateral)?;
            print(cli.json, &v, || {
                format!(
                    "wrote SIMULATED evidence to {} and {} (measurement {})",
                    evidence.display(),
                    collateral.display(),
                    sim::measurement()
                )
            });
        }
        Command::Bench {
            what: BenchCommand::Attestation { input: i, runs },
        } => {
            let v = attest::bench(&i.evidence, &i.collateral, i.kind, i.at, runs)?;
            print(cli.json, &v, || {
                format!(
                    "{} verifications: {:.3} ms each",
                    v["runs"],
                    v["ms_per_verification"].as_f64().unwrap_or(0.0)
                )
            });
        }
        Command::Bench {
            what: BenchCommand::Dkg { gatekeepers },
        } => {
            let v = bench_dkg::dkg(gatekeepers)?;
            print(cli.json, &v, || bench_dkg::dkg_text(&v));
        }
        Command::Bench {
            what: BenchCommand::Sync { runs },
        } => {
            let v = bench::sync(&cli.rpc, runs.clamp(1, 100))?;
            print(cli.json, &v, || {
                format!(
                    "light-client catch-up from genesis to height {}: best {:.3} s, median {:.3} s ({:.0} blocks/s), {} batches per run",
                    v["height"],
                    v["best_seconds"].as_f64().unwrap_or(0.0),
                    v["median_seconds"].as_f64().unwrap_or(0.0),
                    v["blocks_per_second"].as_f64().unwrap_or(0.0),
                    v["batches"],
                )
            });
        }
        Command::Bench {
            what:
                BenchCommand::Transfers {
                    txs,
                    senders,
                    latency_samples,
                    from,
                    also,
                },
        } => {
            let mut rpcs = vec![cli.rpc.clone()];
            rpcs.extend(also);
            let report = bench::transfers(
                &bench::Options {
                    rpcs,
                    from,
                    txs,
                    senders,
                    latency_samples,
                },
                true,
            )?;
            if cli.json {
                print(true, &report, String::new);
            }
        }
        Command::Balance {
            account,
            prove: true,
        } => {
            let id = keys::resolve_account(&account)?;
            let v = verify::verified_account(&cli.rpc, &id)?;
            print(cli.json, &v, || {
                format!(
                    "{id}\n  balance: {} PHA\n  nonce:   {}\n  verified: {} proof against state root {}\n            of block {} ({})",
                    v["balance_pha"].as_str().unwrap_or("?"),
                    v["nonce"],
                    v["proof_kind"].as_str().unwrap_or("?"),
                    v["state_root"].as_str().unwrap_or("?"),
                    v["height"],
                    v["block_hash"].as_str().unwrap_or("?"),
                )
            });
        }
        Command::Balance {
            account,
            prove: false,
        } => {
            let id = keys::resolve_account(&account)?;
            let a: phalanx_client::api::AccountResponse =
                http::get_typed(&cli.rpc, &format!("/account/{id}"))?;
            let v = serde_json::to_value(&a).unwrap_or_default();
            print(cli.json, &v, || {
                format!(
                    "{id}\n  balance: {} PHA\n  nonce:   {}\n  (finalized height {})",
                    a.balance_pha, a.nonce, a.finalized_height
                )
            });
        }
        Command::Transfer {
            from,
            to,
            amount,
            fee,
            no_wait,
        } => transfer(&cli.rpc, cli.json, &from, &to, amount, fee, no_wait)?,
        Command::Tx {
            action: TxCommand::Status { hash },
        } => {
            let v = get(&cli.rpc, &format!("/tx/{}", hash.trim()))?;
            print(cli.json, &v, || tx_text(&v));
        }
        Command::Block { height } => {
            let v = get(&cli.rpc, &format!("/block/{height}"))?;
            print(cli.json, &v, || {
                let mut s = format!(
                    "block {} {}\n  parent:     {}\n  time (ms):  {}\n  state root: {}\n  proposer:  {}\n  transactions: {}",
                    v["height"],
                    v["hash"].as_str().unwrap_or(""),
                    v["parent"].as_str().unwrap_or(""),
                    v["timestamp_ms"],
                    v["state_root"].as_str().unwrap_or(""),
                    v["proposer"].as_str().unwrap_or(""),
                    v["transactions"].as_array().map_or(0, |a| a.len())
                );
                for tx in v["transactions"].as_array().into_iter().flatten() {
                    s.push_str(&format!(
                        "\n    {} {} {}",
                        tx["hash"].as_str().unwrap_or(""),
                        tx["call"]["name"].as_str().unwrap_or(""),
                        tx["status"]["status"].as_str().unwrap_or("")
                    ));
                }
                match v["events"].as_array() {
                    Some(events) => {
                        s.push_str(&format!("\n  block events: {}", events.len()));
                        for e in events {
                            s.push_str(&format!("\n    {}", event_text(e)));
                        }
                    }
                    None => s.push_str(
                        "\n  block events: not available from this node (it keeps those of the last 1,024 blocks it finalized since it started)",
                    ),
                }
                s
            });
        }
        Command::Worker { action, run } => run_worker(&cli.rpc, cli.json, action, *run)?,
        Command::Info => {
            let chain: phalanx_client::api::ChainResponse = http::get_typed(&cli.rpc, "/chain")?;
            let v = serde_json::to_value(&chain).unwrap_or_default();
            print(cli.json, &v, || show::info_text(&chain));
        }
    }
    Ok(())
}

fn run_worker(
    rpc: &str,
    json_mode: bool,
    action: Option<WorkerCommand>,
    run: WorkerRunArgs,
) -> Result<(), CliError> {
    let action = action.unwrap_or(WorkerCommand::Run { run });
    match action {
        WorkerCommand::Run { run } => {
            let config = run.config(rpc)?;
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            network::stop_on_signal(stop.clone())?;
            phalanx_worker::run::run(config, stop)?;
        }
        WorkerCommand::Register { run } => {
            let v = worker::register(run.config(rpc)?, json_mode)?;
            print(json_mode, &v, || {
                format!("registered\n{}", worker::text(&v["worker"]))
            });
        }
        WorkerCommand::List { offset, limit } => {
            let v = get(rpc, &format!("/workers?offset={offset}&limit={limit}"))?;
            print(json_mode, &v, || worker::list_text(&v));
        }
        WorkerCommand::Show { id } => {
            let id = AccountId::from_hex(&id).map_err(|e| format!("worker id: {e}"))?;
            let v = get(rpc, &format!("/worker/{id}"))?;
            print(json_mode, &v, || worker::text(&v));
        }
        WorkerCommand::Policy { set: None, .. } => {
            let v = get(rpc, "/workers?limit=1")?;
            let policy = &v["policy"];
            print(json_mode, policy, || {
                serde_json::to_string_pretty(policy).unwrap_or_default()
            });
        }
        WorkerCommand::Policy {
            set: Some(path),
            from,
        } => {
            let from = from.ok_or("--set needs --from (the registry root)")?;
            let v = worker::set_policy(rpc, &from, &path, json_mode)?;
            print(json_mode, &v, || {
                format!("attestation policy set\n{}", tx_text(&v))
            });
        }
        WorkerCommand::Promote { id, from } => {
            let v = worker::promote(rpc, &from, &id, json_mode)?;
            print(json_mode, &v, || {
                format!("promoted {id} to gatekeeper\n{}", tx_text(&v))
            });
        }
        WorkerCommand::MasterKey { rotate: false, .. } => {
            let v = get(rpc, "/keys")?;
            print(json_mode, &v, || worker::master_key_text(&v));
        }
        WorkerCommand::MasterKey { rotate: true, from } => {
            let from = from.ok_or("--rotate needs --from (the registry root)")?;
            let v = worker::rotate_master_key(rpc, &from, json_mode)?;
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

/// `phalanx transfer`: exits with [`exit::Exit::Failed`] when the transfer fails in its block.
fn transfer(
    rpc: &str,
    json_mode: bool,
    from: &str,
    to: &str,
    amount: Amount,
    fee: Option<Amount>,
    no_wait: bool,
) -> Result<(), CliError> {
    let key = keys::resolve_signer(from)?;
    let to = keys::resolve_account(to)?;
    if to == AccountId::from(key.public_key()) {
        return Err(CliError::new(
            exit::Exit::Usage,
            "--from and --to are the same account: the chain would refuse the transfer and keep the fee",
        ));
    }
    let chain = client::ChainInfo::fetch(rpc)?;
    let nonce = client::nonce(rpc, &AccountId::from(key.public_key()))?;
    let call = BalancesCall::Transfer {
        to: to.clone(),
        amount,
    }
    .into();
    let tx = chain.sign(&key, nonce, call, fee);
    let v = client::submit_checked(rpc, &tx, !no_wait, json_mode, "transfer")?;
    print(json_mode, &v, || {
        if no_wait {
            format!("submitted {}", v["hash"].as_str().unwrap_or_default())
        } else {
            format!("sent {} PHA to {to}\n{}", format_pha(amount), tx_text(&v))
        }
    });
    Ok(())
}
