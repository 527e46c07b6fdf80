//! `phalanx bench queries`: encrypted contract queries against one worker's query server on
//! loopback (in this process, no node needed): round-trip latency (p50, p99) one at a time,
//! throughput with several clients, and what the cryptography of one query costs. The
//! machine's own limit for the work, measured in the same run, is the executor alone (the
//! query's wasm run with no HTTP and no cryptography) on the same cores.

use crate::exit::CliError;
use phalanx_contracts::{
    ContractKey, EntryPoint, Executor as _, Host, Limits, Randomness, WasmiExecutor,
    query::{QueryAnswer, make_query, now_ms, open_answer, open_query, seal_answer},
    sealed::CommandOutcome,
    state::StateMap,
};
use phalanx_crypto::hpke;
use phalanx_types::{AccountId, ChainId};
use phalanx_worker::query::{LiveContract, QueryBoard, QueryLimits, serve};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The counter example, built (contracts/wasm/): its `Count` query is the one measured.
const COUNTER: &[u8] = include_bytes!("../../../contracts/wasm/counter.wasm");
const CONTRACT: [u8; 32] = [0xBE; 32];

#[derive(Serialize)]
pub struct QueryBench {
    pub sequential_queries: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub clients: usize,
    pub seconds: f64,
    pub queries_per_second: f64,
    /// Client and worker cryptography of one query (seal, sign, verify, open, seal the
    /// answer, open it), measured alone.
    pub crypto_us_per_query: f64,
    /// That, as a share of the p50 round trip.
    pub crypto_share_of_p50: f64,
    /// The machine's limit: the query's wasm run alone, per second, on this many threads.
    pub executor_only_per_second: f64,
    /// Throughput over HTTP with cryptography, as a share of that limit.
    pub ratio_to_executor_only: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

struct Setup {
    chain: ChainId,
    worker: AccountId,
    worker_key: [u8; 32],
    url: String,
}

fn setup() -> Result<Setup, CliError> {
    let chain = ChainId::new("phalanx-bench").map_err(|e| e.to_string())?;
    let worker: AccountId =
        commonware_cryptography::Signer::public_key(&phalanx_crypto::dev_key("bench-worker"))
            .into();
    let secret = [0x42u8; 32];
    let limits = QueryLimits {
        // Every client of the benchmark is one account; the per-account limit is not measured.
        per_account: usize::MAX,
        max_remembered: 10_000_000,
        ..QueryLimits::default()
    };
    let board = Arc::new(QueryBoard::new(
        chain.clone(),
        worker.clone(),
        &secret,
        limits,
    ));
    let mut state = StateMap::new();
    state.insert(b"c".to_vec(), 7u64.to_le_bytes().to_vec());
    board.publish(
        CONTRACT,
        LiveContract {
            key: ContractKey::from_secret(CONTRACT, &[1; 32]),
            code: Arc::new(COUNTER.to_vec()),
            state: Arc::new(state),
            height: 1,
            time_ms: 1,
        },
    );
    let addr = serve(board, "127.0.0.1:0".parse().map_err(|_| "address")?)?;
    Ok(Setup {
        chain,
        worker,
        worker_key: hpke::public_key(&secret),
        url: format!("http://{addr}/v1/query"),
    })
}

/// One query over HTTP, checked: its latency.
fn one(
    s: &Setup,
    http: &reqwest::blocking::Client,
    account: &commonware_cryptography::ed25519::PrivateKey,
) -> Result<Duration, String> {
    let started = Instant::now();
    let (request, answer_key) = make_query(
        &s.chain,
        &s.worker,
        &s.worker_key,
        &CONTRACT,
        account,
        now_ms(),
        &[0],
    )
    .map_err(|e| e.to_string())?;
    let answer: QueryAnswer = http
        .post(&s.url)
        .json(&request)
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .map_err(|e| format!("query: {e}"))?;
    let outcome =
        open_answer(&answer_key, &s.chain, &request, &answer.sealed).map_err(|e| e.to_string())?;
    if outcome != CommandOutcome::Output(7u64.to_le_bytes().to_vec()) {
        return Err(format!("wrong answer: {outcome:?}"));
    }
    Ok(started.elapsed())
}

pub fn queries(sequential: usize, clients: usize, seconds: u64) -> Result<QueryBench, CliError> {
    let s = Arc::new(setup()?);
    let account = phalanx_crypto::dev_key("bench-client");
    let http = reqwest::blocking::Client::new();
    // Warm up (connections, the module cache).
    for _ in 0..50 {
        one(&s, &http, &account)?;
    }
    let mut latencies = Vec::with_capacity(sequential);
    for _ in 0..sequential {
        latencies.push(one(&s, &http, &account)?.as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));

    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut threads = Vec::new();
    for _ in 0..clients {
        let (s, done, stop) = (s.clone(), done.clone(), stop.clone());
        threads.push(std::thread::spawn(move || -> Result<(), String> {
            let http = reqwest::blocking::Client::new();
            let account = phalanx_crypto::dev_key("bench-client");
            while !stop.load(Ordering::Relaxed) {
                one(&s, &http, &account)?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }));
    }
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().map_err(|_| "a client thread panicked")??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let per_second = done.load(Ordering::Relaxed) as f64 / elapsed;

    let crypto_us = crypto_cost(&s, &account)?;
    let limit = executor_only(clients.max(1), seconds.max(1))?;
    drop(s);
    Ok(QueryBench {
        sequential_queries: sequential,
        p50_ms: p50,
        p99_ms: p99,
        clients,
        seconds: elapsed,
        queries_per_second: per_second,
        crypto_us_per_query: crypto_us,
        crypto_share_of_p50: crypto_us / 1000.0 / p50,
        executor_only_per_second: limit,
        ratio_to_executor_only: per_second / limit,
    })
}

/// Microseconds of cryptography per query, client and worker together, median of 200.
fn crypto_cost(
    s: &Setup,
    account: &commonware_cryptography::ed25519::PrivateKey,
) -> Result<f64, String> {
    let secret = [0x42u8; 32];
    let mut samples = Vec::with_capacity(200);
    for _ in 0..200 {
        let started = Instant::now();
        let (request, client_key) = make_query(
            &s.chain,
            &s.worker,
            &s.worker_key,
            &CONTRACT,
            account,
            1,
            &[0],
        )
        .map_err(|e| e.to_string())?;
        if !request.verify(&s.chain) {
            return Err("signature".into());
        }
        let (worker_key, _) = open_query(&secret, &s.chain, &request).map_err(|e| e.to_string())?;
        let outcome = CommandOutcome::Output(7u64.to_le_bytes().to_vec());
        let sealed =
            seal_answer(&s.chain, &request, &worker_key, &outcome).map_err(|e| e.to_string())?;
        open_answer(&client_key, &s.chain, &request, &sealed).map_err(|e| e.to_string())?;
        samples.push(started.elapsed().as_secs_f64() * 1e6);
    }
    samples.sort_by(f64::total_cmp);
    Ok(percentile(&samples, 0.5))
}

/// The query's wasm run alone (the same executor and module cache), on `threads` threads for
/// `seconds`: queries per second.
fn executor_only(threads: usize, seconds: u64) -> Result<f64, String> {
    let executor = Arc::new(WasmiExecutor::new(&Limits::default()));
    let key = Arc::new(ContractKey::from_secret(CONTRACT, &[1; 32]));
    let mut state = StateMap::new();
    state.insert(b"c".to_vec(), 7u64.to_le_bytes().to_vec());
    let state = Arc::new(state);
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..threads {
        let (executor, key, state, done, stop) = (
            executor.clone(),
            key.clone(),
            state.clone(),
            done.clone(),
            stop.clone(),
        );
        handles.push(std::thread::spawn(move || -> Result<(), String> {
            let limits = Limits::default();
            while !stop.load(Ordering::Relaxed) {
                let host = Host {
                    contract: CONTRACT,
                    caller: [1; 32],
                    block_height: 1,
                    block_time_ms: 1,
                    storage: state.as_ref(),
                    key: Some(&key),
                    randomness: Randomness::Enclave,
                };
                executor
                    .execute(COUNTER, EntryPoint::Query, &[0], host, &limits)
                    .map_err(|e| e.to_string())?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }));
    }
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().map_err(|_| "an executor thread panicked")??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

pub fn queries_text(v: &QueryBench) -> String {
    format!(
        "encrypted queries to one worker on loopback (counter's Count):\n  one at a time ({} queries): p50 {:.3} ms, p99 {:.3} ms\n  {} clients for {:.1} s: {:.0} queries/s\n  cryptography per query (client + worker): {:.1} us = {:.1} % of the p50 round trip\n  machine limit, the query's wasm alone on {} threads: {:.0}/s; over HTTP with cryptography: {:.2} of it",
        v.sequential_queries,
        v.p50_ms,
        v.p99_ms,
        v.clients,
        v.seconds,
        v.queries_per_second,
        v.crypto_us_per_query,
        v.crypto_share_of_p50 * 100.0,
        v.clients,
        v.executor_only_per_second,
        v.ratio_to_executor_only,
    )
}
