//! `phalanx`: one binary for the dev network, validators, and the client commands. Each command
//! group lives in its own file (its clap arguments and its `run`); this file lists them.

mod account;
mod arenas;
mod attest;
mod bench;
mod bench_dkg;
mod bench_mining;
mod bench_queries;
mod bench_queries_alone;
mod block;
mod cluster;
mod contract;
mod contract_abi;
mod contract_run;
mod exit;
mod gov;
mod history;
mod info;
mod keys;
mod localnet;
mod mining;
mod network;
mod plot;
mod plot_text;
mod pool;
mod show;
mod tokenomics;
mod treasury;
mod tx;
mod verify;
mod worker;

use clap::{Parser, Subcommand};
use exit::CliError;
use phalanx_worker::files;
use std::process::ExitCode;

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
    Dev(network::DevArgs),
    /// Run one validator of the chain described by a chain spec file.
    Node(network::NodeArgs),
    /// Run N validator processes on loopback that finalize together, until Ctrl-C. A validator
    /// that exits is restarted; without a quorum left the supervisor stops (exit status 1).
    Localnet(localnet::Args),
    /// Verify TEE attestation evidence offline, or produce simulated evidence.
    Attest {
        #[command(subcommand)]
        action: attest::AttestCommand,
    },
    /// Measure the chain's performance from the outside, through the RPC.
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
    /// Manage encrypted keys (stored under ~/.phalanx/keys, or $PHALANX_HOME/keys).
    Keys {
        #[command(subcommand)]
        action: keys::KeysCommand,
    },
    /// Show an account's balance and nonce.
    Balance(account::BalanceArgs),
    /// Send PHA to another account and wait for finality.
    Transfer(account::TransferArgs),
    /// An account's history: `phalanx account history ACCOUNT`.
    Account {
        #[command(subcommand)]
        action: history::AccountCommand,
    },
    /// Events from the node's index, by kind and height (`--kind balances.transfer`).
    Events(history::EventsArgs),
    /// Transaction commands.
    Tx {
        #[command(subcommand)]
        action: tx::TxCommand,
    },
    /// Show a finalized block (default: the latest).
    Block(block::BlockArgs),
    /// Show chain information from the node.
    Info,
    /// The PHA emission schedule: where it stands on the node (period, rate, emitted, reserve
    /// and pots), or `schedule` to project it day by day, with a plot.
    Tokenomics {
        #[command(subcommand)]
        action: Option<tokenomics::TokenomicsCommand>,
    },
    /// Mining: start, stop and reclaim a worker's session; its P, V, share and rewards
    /// (`status`); what a stake would earn (`estimate`).
    Mining {
        #[command(subcommand)]
        action: mining::MiningCommand,
    },
    /// Stake pools: delegators' PHA that an owner mines with, for shares whose price payouts
    /// raise; withdrawals paid at once or queued (see `phalanx pool --help`).
    #[command(long_about = pool::POOL_HELP)]
    Pool {
        #[command(subcommand)]
        action: pool::PoolCommand,
    },
    /// The treasury: its balance, its income by source (fees, the 20 % of mining payouts,
    /// slashes, stake lost to offline decay, forfeited deposits) and what governance spent.
    Treasury,
    /// Governance: propose parameter changes, policy, promotions, rotations, treasury spends
    /// or signals; vote with your balance and pool shares; follow the tally.
    Gov {
        #[command(subcommand)]
        action: gov::GovCommand,
    },
    /// Contracts: upload a WebAssembly module, create a contract from it, and read what the
    /// chain records (its keys, once its cluster published them). See `phalanx contract --help`.
    #[command(long_about = contract::CONTRACT_HELP)]
    Contract {
        #[command(subcommand)]
        action: contract::ContractCommand,
    },
    /// Clusters of chosen workers that contracts run on: create one (the root account), show
    /// and list them. See `phalanx cluster --help`.
    #[command(long_about = cluster::CLUSTER_HELP)]
    Cluster {
        #[command(subcommand)]
        action: cluster::ClusterCommand,
    },
    /// Run a TEE worker (`phalanx worker --tee sim --operator dev:bob`), or manage the
    /// registry: list and show workers, promote gatekeepers, read or set the policy.
    #[command(args_conflicts_with_subcommands = true)]
    Worker(worker::WorkerArgs),
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

fn dispatch(cli: Cli) -> Result<(), CliError> {
    let Cli { rpc, json, command } = cli;
    let rpc = rpc.as_str();
    match command {
        Command::Dev(args) => {
            arenas::limit_for_node();
            network::dev(args, json)?
        }
        Command::Node(args) => {
            arenas::limit_for_node();
            network::node(args)?
        }
        Command::Localnet(args) => localnet::run(args)?,
        Command::Attest { action } => attest::run(action, json)?,
        Command::Bench { what } => bench::run(rpc, what, json)?,
        Command::Keys { action } => keys::run(action, json)?,
        Command::Balance(args) => account::balance(rpc, args, json)?,
        Command::Account { action } => history::account(rpc, action, json)?,
        Command::Events(args) => history::events(rpc, args, json)?,
        Command::Transfer(args) => account::transfer(rpc, args, json)?,
        Command::Tx { action } => tx::run(rpc, action, json)?,
        Command::Block(args) => block::run(rpc, args, json)?,
        Command::Info => info::run(rpc, json)?,
        Command::Tokenomics { action } => tokenomics::run(rpc, action, json)?,
        Command::Mining { action } => mining::run(rpc, action, json)?,
        Command::Pool { action } => pool::run(rpc, action, json)?,
        Command::Treasury => treasury::run(rpc, json)?,
        Command::Gov { action } => gov::run(rpc, action, json)?,
        Command::Contract { action } => contract::run(rpc, action, json)?,
        Command::Cluster { action } => cluster::run(rpc, action, json)?,
        Command::Worker(args) => worker::run(rpc, args, json)?,
    }
    Ok(())
}
