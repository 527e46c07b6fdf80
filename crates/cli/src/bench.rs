//! `phalanx bench …`: `attestation`, `dkg` and `mining` (in process: `attest.rs`, `bench_dkg.rs`, `bench_mining.rs`),
//! `sync` (a fresh light-client catch-up), and `transfers`: sustained signed-transfer
//! throughput and time to finality, measured from the outside through the RPC with the same
//! client (`phalanx-client`) the CLI and the worker use, like a client would see it.
//!
//! 1. Setup (not timed): make `senders` fresh accounts and fund them from `--from`.
//! 2. Throughput: sign `txs` transfers in advance (round-robin over senders, consecutive nonces),
//!    submit them in `POST /txs` batches spread over the given RPC endpoints (each sender's
//!    transfers all to one endpoint, senders split evenly), and wait until every
//!    sender's finalized nonce shows all its transfers executed. Throughput is transfers divided
//!    by the time from the first submission to the last finalization.
//! 3. Latency: `latency_samples` single transfers, one at a time on an otherwise idle chain, each
//!    after a random pause of 0–500 ms (so samples fall at random points of the block rhythm),
//!    timed from submission until the node reports it finalized (polled every 5 ms).

use crate::{
    attest::{self, EvidenceArgs},
    bench_dkg, bench_mining,
    exit::CliError,
    keys,
    show::print,
};
use clap::Subcommand;
use commonware_codec::Encode;
use commonware_cryptography::{Signer, ed25519::PrivateKey};
use phalanx_client::{
    api::{BatchResult, TxStatusResponse},
    client, endpoint,
};
use phalanx_types::{
    AccountId, Amount, BalancesCall, ChainId, SignedTx, UNITS_PER_PHA, format_pha,
};
use serde::Serialize;
use std::time::{Duration, Instant};

#[derive(Subcommand)]
pub enum BenchCommand {
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
    /// Mining's cost per block with N mining workers (in this process, no node needed): an
    /// idle block, a block that issues a round's challenges, one heartbeat payout, and a block
    /// where unanswered challenges time out.
    Mining {
        /// Worker counts to measure (comma-separated).
        #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
        workers: Vec<u64>,
    },
    /// Encrypted contract queries to one worker's query server on loopback (in this process,
    /// no node needed): p50/p99 round trip, throughput with several clients, the share of the
    /// cryptography, and the executor alone as the machine's limit.
    Queries {
        /// Queries timed one at a time.
        #[arg(long, default_value_t = 2000)]
        sequential: usize,
        /// Concurrent clients in the throughput phase.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=256))]
        clients: u64,
        /// Seconds of the throughput phase (and of the executor-only phase).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=600))]
        seconds: u64,
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

/// `phalanx bench …`.
pub fn run(rpc: &str, what: BenchCommand, json_mode: bool) -> Result<(), CliError> {
    match what {
        BenchCommand::Attestation { input: i, runs } => {
            let v = attest::bench(&i.evidence, &i.collateral, i.kind, i.at, runs)?;
            print(json_mode, &v, || {
                format!(
                    "{} verifications: {:.3} ms each",
                    v.runs, v.ms_per_verification
                )
            });
        }
        BenchCommand::Dkg { gatekeepers } => {
            let v = bench_dkg::dkg(gatekeepers)?;
            print(json_mode, &v, || bench_dkg::dkg_text(&v));
        }
        BenchCommand::Queries {
            sequential,
            clients,
            seconds,
        } => {
            let clients = usize::try_from(clients).unwrap_or(1);
            let v =
                crate::bench_queries::queries(sequential.clamp(1, 1_000_000), clients, seconds)?;
            print(json_mode, &v, || crate::bench_queries::queries_text(&v));
        }
        BenchCommand::Mining { workers } => {
            let v = bench_mining::mining(&workers)?;
            print(json_mode, &v, || bench_mining::mining_text(&v));
        }
        BenchCommand::Sync { runs } => {
            let v = sync(rpc, runs.clamp(1, 100))?;
            print(json_mode, &v, || {
                format!(
                    "light-client catch-up from genesis to height {}: best {:.3} s, median {:.3} s ({:.0} blocks/s), {} batches per run",
                    v.height, v.best_seconds, v.median_seconds, v.blocks_per_second, v.batches,
                )
            });
        }
        BenchCommand::Transfers {
            txs,
            senders,
            latency_samples,
            from,
            also,
        } => {
            let mut rpcs = vec![rpc.to_string()];
            rpcs.extend(also);
            let report = transfers(
                &Options {
                    rpcs,
                    from,
                    txs,
                    senders,
                    latency_samples,
                },
                true,
            )?;
            // The text form is the progress already printed on stderr.
            if json_mode {
                print(true, &report, String::new);
            }
        }
    }
    Ok(())
}

/// Most senders (the funder's pool allowance is 1,024 pending transactions).
pub const MAX_SENDERS: usize = 1_000;
/// Most transfers per sender (the per-account pool limit is 1,024).
pub const MAX_PER_SENDER: usize = 1_000;
/// Transactions per `POST /txs` (the node's limit).
const BATCH: usize = 1_000;
/// Give up waiting for finality after this long.
const FINALITY_TIMEOUT: Duration = Duration::from_secs(300);
/// Amount of each benchmark transfer.
const TRANSFER_AMOUNT: Amount = UNITS_PER_PHA / 1_000;

/// Options of `phalanx bench transfers`.
pub struct Options {
    pub rpcs: Vec<String>,
    pub from: String,
    pub txs: usize,
    pub senders: usize,
    pub latency_samples: usize,
}

/// `bench transfers`' result.
#[derive(Serialize)]
pub struct TransfersReport {
    pub chain_id: ChainId,
    pub endpoints: Vec<String>,
    pub transfers: usize,
    pub senders: usize,
    pub submission_s: f64,
    pub finalized_s: f64,
    pub transfers_per_s: f64,
    /// First and last height of the throughput phase.
    pub blocks: [u64; 2],
    pub latency_samples: usize,
    pub finality_ms: Percentiles,
    /// The first endpoint's resident memory (its `/metrics`) before setup and after the
    /// throughput phase; `None` when the node does not report it.
    pub node_rss_bytes: [Option<u64>; 2],
}

/// Time to finality.
#[derive(Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub max: f64,
}

/// Runs the benchmark and returns its report.
pub fn transfers(opts: &Options, progress: bool) -> Result<TransfersReport, String> {
    if opts.senders == 0 || opts.senders > MAX_SENDERS {
        return Err(format!("--senders must be 1 to {MAX_SENDERS}"));
    }
    if opts.txs > opts.senders * MAX_PER_SENDER {
        return Err(format!(
            "--txs {} needs more senders: at most {MAX_PER_SENDER} transfers per sender",
            opts.txs
        ));
    }
    let say = |msg: String| {
        if progress {
            eprintln!("{msg}");
        }
    };
    let rpc = opts.rpcs.first().ok_or("no --rpc endpoint")?.clone();
    let chain = client::ChainInfo::fetch(&rpc)?;
    let rss_before = endpoint::node_rss_bytes(&rpc)?;
    let funder = keys::resolve_signer(&opts.from)?;

    // --- setup: fund fresh senders ---
    let per_sender = opts.txs.div_ceil(opts.senders) + opts.latency_samples;
    let probe_fee = chain
        .sign(
            &funder,
            0,
            BalancesCall::Transfer {
                to: AccountId::from(funder.public_key()),
                amount: TRANSFER_AMOUNT,
            }
            .into(),
            None,
        )
        .body
        .fee;
    let funding = chain.params.balances.existential_deposit * 10
        + (TRANSFER_AMOUNT + probe_fee) * per_sender as Amount * 2;
    let senders: Vec<PrivateKey> = (0..opts.senders)
        .map(|_| phalanx_crypto::generate_key().map_err(|e| format!("OS random generator: {e}")))
        .collect::<Result<_, _>>()?;
    let funder_id = AccountId::from(funder.public_key());
    let start_nonce = client::nonce(&rpc, &funder_id)?;
    say(format!(
        "setup: funding {} senders with {} PHA each from {}",
        senders.len(),
        format_pha(funding),
        opts.from
    ));
    let funding_txs: Vec<SignedTx> = senders
        .iter()
        .enumerate()
        .map(|(i, k)| {
            chain.sign(
                &funder,
                start_nonce + i as u64,
                BalancesCall::Transfer {
                    to: k.public_key().into(),
                    amount: funding,
                }
                .into(),
                None,
            )
        })
        .collect();
    submit_all(std::slice::from_ref(&rpc), &funding_txs, |_| 0)?;
    wait_nonces(
        &rpc,
        &[(funder_id, start_nonce + senders.len() as u64)],
        FINALITY_TIMEOUT,
    )?;

    // --- throughput ---
    say(format!(
        "signing {} transfers from {} senders…",
        opts.txs,
        senders.len()
    ));
    let ids: Vec<AccountId> = senders.iter().map(|k| k.public_key().into()).collect();
    let mut next_nonce = vec![0u64; senders.len()];
    let mut txs = Vec::with_capacity(opts.txs);
    for n in 0..opts.txs {
        let i = n % senders.len();
        let to = ids[(i + 1) % ids.len()].clone();
        txs.push(
            chain.sign(
                &senders[i],
                next_nonce[i],
                BalancesCall::Transfer {
                    to,
                    amount: TRANSFER_AMOUNT,
                }
                .into(),
                None,
            ),
        );
        next_nonce[i] += 1;
    }
    let start_height = head_height(&rpc)?;
    say(format!(
        "submitting {} transfers to {} endpoint(s)…",
        txs.len(),
        opts.rpcs.len()
    ));
    let t0 = Instant::now();
    let sender_index: std::collections::HashMap<AccountId, usize> = ids
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();
    submit_all(&opts.rpcs, &txs, |tx| {
        sender_index.get(&tx.body.signer).copied().unwrap_or(0)
    })?;
    let submitted = t0.elapsed();
    let targets: Vec<(AccountId, u64)> = ids.iter().cloned().zip(next_nonce).collect();
    wait_nonces(&rpc, &targets, FINALITY_TIMEOUT)?;
    let finalized = t0.elapsed();
    let end_height = head_height(&rpc)?;
    let rss_after = endpoint::node_rss_bytes(&rpc)?;
    let tps = txs.len() as f64 / finalized.as_secs_f64();
    say(format!(
        "throughput: {} transfers finalized in {:.2} s = {tps:.0} transfers/s (submission took {:.2} s; blocks {start_height}..{end_height})",
        txs.len(),
        finalized.as_secs_f64(),
        submitted.as_secs_f64()
    ));
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        say(format!(
            "node memory (resident): {} MiB before setup, {} MiB after",
            before >> 20,
            after >> 20
        ));
    }

    // --- latency ---
    let mut latencies = Vec::with_capacity(opts.latency_samples);
    let sender = &senders[0];
    let first_latency_nonce = client::nonce(&rpc, &ids[0])?;
    for s in 0..opts.latency_samples {
        let target = &opts.rpcs[s % opts.rpcs.len()];
        // A random pause first, so samples do not lock to the block rhythm (each would otherwise
        // start right after a finalization, always at the same phase).
        let mut r = [0u8; 2];
        getrandom::fill(&mut r).map_err(|e| format!("OS random generator: {e}"))?;
        std::thread::sleep(Duration::from_millis(
            u64::from(u16::from_le_bytes(r)) % 500,
        ));
        // Counted here: the previous sample is final, but the next endpoint may not have
        // indexed its block yet and would report a stale nonce.
        let nonce = first_latency_nonce + s as u64;
        let tx = chain.sign(
            sender,
            nonce,
            BalancesCall::Transfer {
                to: ids[1 % ids.len()].clone(),
                amount: TRANSFER_AMOUNT,
            }
            .into(),
            None,
        );
        let hash = hex::encode(tx.hash());
        let t = Instant::now();
        endpoint::submit(target, &tx)?;
        loop {
            if let TxStatusResponse::Finalized(_) = endpoint::tx_status(target, &hash)? {
                break;
            }
            if t.elapsed() > FINALITY_TIMEOUT {
                return Err(format!(
                    "transfer {hash} not finalized within {FINALITY_TIMEOUT:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        latencies.push(t.elapsed());
    }
    latencies.sort();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[i].as_secs_f64() * 1000.0
    };
    if !latencies.is_empty() {
        say(format!(
            "time to finality over {} transfers: p50 {:.0} ms, p90 {:.0} ms, max {:.0} ms",
            latencies.len(),
            pct(0.5),
            pct(0.9),
            pct(1.0)
        ));
    }
    Ok(TransfersReport {
        chain_id: chain.chain_id,
        endpoints: opts.rpcs.clone(),
        transfers: txs.len(),
        senders: senders.len(),
        submission_s: submitted.as_secs_f64(),
        finalized_s: finalized.as_secs_f64(),
        transfers_per_s: tps,
        blocks: [start_height, end_height],
        latency_samples: latencies.len(),
        finality_ms: Percentiles {
            p50: pct(0.5),
            p90: pct(0.9),
            max: pct(1.0),
        },
        node_rss_bytes: [rss_before, rss_after],
    })
}

fn head_height(rpc: &str) -> Result<u64, String> {
    Ok(endpoint::chain(rpc)?.finalized.height)
}

/// Submits `txs`, one thread per endpoint, in batches of up to [`BATCH`]. Endpoint `e` takes the
/// transactions of the senders it is assigned (`endpoint_of`), so one sender's nonces all reach
/// the same pool in order. Every refusal is an error: the benchmark only counts transfers the
/// node accepted.
fn submit_all(
    rpcs: &[String],
    txs: &[SignedTx],
    endpoint_of: impl Fn(&SignedTx) -> usize,
) -> Result<(), String> {
    let mut per_endpoint: Vec<Vec<String>> = vec![Vec::new(); rpcs.len()];
    for tx in txs {
        per_endpoint[endpoint_of(tx) % rpcs.len()].push(hex::encode(tx.encode()));
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = rpcs
            .iter()
            .zip(&per_endpoint)
            .map(|(rpc, mine)| {
                scope.spawn(move || -> Result<(), String> {
                    for batch in mine.chunks(BATCH) {
                        let v = endpoint::submit_batch(rpc, batch.to_vec())?;
                        let accepted = v.accepted;
                        if accepted != batch.len() {
                            let first = v
                                .results
                                .iter()
                                .find_map(|r| match r {
                                    BatchResult::Refused { error } => {
                                        Some(format!("{} ({})", error.message, error.code))
                                    }
                                    BatchResult::Admitted { .. } => None,
                                })
                                .unwrap_or_default();
                            return Err(format!(
                                "{rpc} accepted {accepted} of {} transactions; first refusal: {first}",
                                batch.len()
                            ));
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .map_err(|_| "submission thread panicked".to_string())?
        })
    })
}

/// Waits until every account's finalized nonce reaches its target.
fn wait_nonces(rpc: &str, targets: &[(AccountId, u64)], timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let mut pending: Vec<&(AccountId, u64)> = targets.iter().collect();
    while !pending.is_empty() {
        let mut still = Vec::with_capacity(pending.len());
        for t in pending {
            if client::nonce(rpc, &t.0)? < t.1 {
                still.push(t);
            }
        }
        pending = still;
        if pending.is_empty() {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{} accounts still have unfinalized transfers after {timeout:?}",
                pending.len()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// `bench sync`'s result.
#[derive(Serialize)]
pub struct SyncReport {
    pub height: u64,
    pub runs: usize,
    pub batches: usize,
    pub best_seconds: f64,
    pub median_seconds: f64,
    pub blocks_per_second: f64,
}

/// `phalanx bench sync`: times fresh light-client catch-ups from genesis.
pub fn sync(rpc: &str, runs: usize) -> Result<SyncReport, String> {
    let mut seconds = Vec::with_capacity(runs);
    let mut height = 0;
    let mut batches = 0;
    for run in 0..runs {
        let dir = crate::network::TempDir::new("phalanx-bench-sync")?;
        let config = phalanx_worker::run::WorkerConfig {
            rpc: rpc.to_string(),
            dir: dir.path().to_path_buf(),
            tee: phalanx_worker::tee::TeeSource::simulated(),
            operator: None,
            spec: None,
            checkpoint: None,
            poll: std::time::Duration::from_millis(500),
            mining: Default::default(),
            query_listen: None,
        };
        let mut worker = phalanx_worker::run::Worker::open(config)?;
        let report = worker.sync().map_err(|e| e.to_string())?;
        eprintln!(
            "run {}: verified headers 0..={} in {:.3} s ({} batches)",
            run + 1,
            report.to,
            report.seconds,
            report.batches
        );
        seconds.push(report.seconds);
        height = report.to;
        batches = report.batches;
    }
    seconds.sort_by(f64::total_cmp);
    let best = seconds[0];
    let median = seconds[seconds.len() / 2];
    Ok(SyncReport {
        height,
        runs,
        batches,
        best_seconds: best,
        median_seconds: median,
        blocks_per_second: if median > 0.0 {
            height as f64 / median
        } else {
            0.0
        },
    })
}
