//! `phalanx bench queries`: contract queries against one worker's query server on loopback (in
//! this process, no node needed), three ways over the same server, HTTP client and contract:
//! one-shot encrypted queries (`/v1/query`: a key agreement and a signature each), queries in
//! an encrypted session (`/v1/session/query`), and the same query unencrypted (a plaintext
//! route only this benchmark's server mounts). For each: round-trip latency (p50, p99) one at
//! a time and throughput with several clients. The cryptography of one query is also timed
//! alone (`bench_queries_alone`), as is the machine's own limit for the work: the query's wasm
//! run with no HTTP and no cryptography, on the same cores.

use crate::bench_queries_alone::{CryptoCost, crypto_costs, executor_only};
use crate::exit::CliError;
use commonware_cryptography::ed25519::PrivateKey;
use phalanx_contracts::{
    ContractKey,
    query::{QueryAnswer, make_query, now_ms, open_answer},
    sealed::CommandOutcome,
    session::{ClientSession, SessionAnswer, SessionOpened, request_session},
    state::StateMap,
};
use phalanx_crypto::hpke;
use phalanx_types::{AccountId, ChainId};
use phalanx_worker::query::bench_route::{
    UNENCRYPTED_ROUTE, UnencryptedAnswer, UnencryptedQuery,
    serve_with_unencrypted_route_for_benchmark,
};
use phalanx_worker::query::{LiveContract, QueryBoard, QueryLimits};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The counter example, built (contracts/wasm/): its `Count` query is the one measured.
pub(crate) const COUNTER: &[u8] = include_bytes!("../../../contracts/wasm/counter.wasm");
pub(crate) const CONTRACT: [u8; 32] = [0xBE; 32];
/// The counter the benchmark's state holds, and so every answer.
pub(crate) const COUNT: u64 = 7;

/// One way of querying, measured over HTTP.
#[derive(Serialize)]
pub struct ModeBench {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub queries_per_second: f64,
}

#[derive(Serialize)]
pub struct QueryBench {
    pub sequential_queries: usize,
    pub clients: usize,
    pub seconds: f64,
    pub one_shot: ModeBench,
    pub session: ModeBench,
    pub unencrypted: ModeBench,
    /// Client and worker cryptography of one query of each kind, and of opening a session,
    /// measured alone.
    pub crypto: CryptoCost,
    /// One-shot cryptography as a share of the one-shot p50 round trip.
    pub one_shot_crypto_share_of_p50: f64,
    /// Session cryptography as a share of the session p50 round trip.
    pub session_crypto_share_of_p50: f64,
    /// (session p50 − unencrypted p50) ÷ session p50: all the session adds, measured end to end.
    pub session_overhead_vs_unencrypted_p50: f64,
    /// The machine's limit: the query's wasm run alone, per second, on `clients` threads.
    pub executor_only_per_second: f64,
    /// Session throughput over HTTP with cryptography, as a share of that limit.
    pub ratio_to_executor_only: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub(crate) struct Setup {
    pub chain: ChainId,
    pub worker: AccountId,
    pub worker_key: [u8; 32],
    pub worker_secret: [u8; 32],
    pub account: PrivateKey,
    account_id: AccountId,
    base: String,
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
    state.insert(b"c".to_vec(), COUNT.to_le_bytes().to_vec());
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
    let account = phalanx_crypto::dev_key("bench-client");
    let addr = serve_with_unencrypted_route_for_benchmark(
        board,
        "127.0.0.1:0".parse().map_err(|_| "address")?,
    )?;
    Ok(Setup {
        chain,
        worker,
        worker_key: hpke::public_key(&secret),
        worker_secret: secret,
        account_id: commonware_cryptography::Signer::public_key(&account).into(),
        account,
        base: format!("http://{addr}"),
    })
}

/// The three ways of asking the counter's `Count` (input `[0]`).
#[derive(Clone, Copy)]
enum Mode {
    OneShot,
    Session,
    Unencrypted,
}

fn post<B: Serialize, T: serde::de::DeserializeOwned>(
    s: &Setup,
    http: &reqwest::blocking::Client,
    path: &str,
    body: &B,
) -> Result<T, String> {
    http.post(format!("{}{path}", s.base))
        .json(body)
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .map_err(|e| format!("{path}: {e}"))
}

fn check(outcome: CommandOutcome) -> Result<(), String> {
    if outcome != CommandOutcome::Output(COUNT.to_le_bytes().to_vec()) {
        return Err(format!("wrong answer: {outcome:?}"));
    }
    Ok(())
}

/// One query over HTTP, everything a client does, answer checked.
fn one(
    s: &Setup,
    http: &reqwest::blocking::Client,
    mode: Mode,
    session: &ClientSession,
) -> Result<(), String> {
    match mode {
        Mode::OneShot => {
            let (request, answer_key) = make_query(
                &s.chain,
                &s.worker,
                &s.worker_key,
                &CONTRACT,
                &s.account,
                now_ms(),
                &[0],
            )
            .map_err(|e| e.to_string())?;
            let answer: QueryAnswer = post(s, http, "/v1/query", &request)?;
            check(
                open_answer(&answer_key, &s.chain, &request, &answer.sealed)
                    .map_err(|e| e.to_string())?,
            )
        }
        Mode::Session => {
            let query = session
                .make_query(&s.chain, &CONTRACT, &[0])
                .map_err(|e| e.to_string())?;
            let answer: SessionAnswer = post(s, http, "/v1/session/query", &query)?;
            check(
                session
                    .open_answer(&s.chain, &query, &answer)
                    .map_err(|e| e.to_string())?,
            )
        }
        Mode::Unencrypted => {
            let query = UnencryptedQuery {
                contract: CONTRACT,
                account: s.account_id.clone(),
                input: vec![0],
            };
            let answer: UnencryptedAnswer = post(s, http, UNENCRYPTED_ROUTE, &query)?;
            check(CommandOutcome::from_plaintext(&answer.outcome).map_err(|e| e.to_string())?)
        }
    }
}

/// Opens the session every client of the session mode shares (their queries in flight
/// together take their own counters, as one client's threads would).
fn open_session(s: &Setup, http: &reqwest::blocking::Client) -> Result<ClientSession, String> {
    let (request, keys) = request_session(&s.chain, &s.worker, &s.worker_key, &s.account, now_ms())
        .map_err(|e| e.to_string())?;
    let opened: SessionOpened = post(s, http, "/v1/session", &request)?;
    ClientSession::new(&s.chain, s.worker.clone(), keys, &opened).map_err(|e| e.to_string())
}

const MODES: [Mode; 3] = [Mode::OneShot, Mode::Session, Mode::Unencrypted];

/// Round-trip latencies in ms, sorted, `sequential` of each mode. The modes take turns query
/// by query, each first in a third of the rounds, so whatever else the machine does meanwhile
/// (and whatever one kind leaves behind for the next) weighs on all three alike.
fn latencies(
    s: &Setup,
    session: &ClientSession,
    sequential: usize,
) -> Result<[Vec<f64>; 3], String> {
    let http = reqwest::blocking::Client::new();
    // Warm up (connections, the module cache).
    for _ in 0..50 {
        for mode in MODES {
            one(s, &http, mode, session)?;
        }
    }
    let mut latencies = [(); 3].map(|_| Vec::with_capacity(sequential));
    for round in 0..sequential {
        for turn in 0..MODES.len() {
            let index = (round + turn) % MODES.len();
            let started = Instant::now();
            one(s, &http, MODES[index], session)?;
            latencies[index].push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    for samples in &mut latencies {
        samples.sort_by(f64::total_cmp);
    }
    Ok(latencies)
}

/// Runs the work `make_work` gives each of `threads` threads in a loop for `seconds`: runs
/// per second, all threads together, and the seconds it took.
pub(crate) fn per_second<W>(
    threads: usize,
    seconds: u64,
    make_work: impl Fn() -> W,
) -> Result<(f64, f64), String>
where
    W: FnMut() -> Result<(), String> + Send + 'static,
{
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..threads {
        let (mut work, done, stop) = (make_work(), done.clone(), stop.clone());
        handles.push(std::thread::spawn(move || -> Result<(), String> {
            while !stop.load(Ordering::Relaxed) {
                work()?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }));
    }
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().map_err(|_| "a benchmark thread panicked")??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok((done.load(Ordering::Relaxed) as f64 / elapsed, elapsed))
}

/// Queries per second of `mode` from `clients` threads, each with its own HTTP client.
fn throughput(
    s: &Arc<Setup>,
    session: &Arc<ClientSession>,
    mode: Mode,
    clients: usize,
    seconds: u64,
) -> Result<(f64, f64), String> {
    per_second(clients, seconds, || {
        let (s, session) = (s.clone(), session.clone());
        let http = reqwest::blocking::Client::new();
        move || one(&s, &http, mode, &session)
    })
}

pub fn queries(sequential: usize, clients: usize, seconds: u64) -> Result<QueryBench, CliError> {
    let s = Arc::new(setup()?);
    let session = Arc::new(open_session(&s, &reqwest::blocking::Client::new())?);
    let [one_shot, in_session, unencrypted] = latencies(&s, &session, sequential)?;
    let mut elapsed = 0.0;
    let mut mode = |mode, latencies: &[f64]| -> Result<ModeBench, String> {
        let (per_second, seconds) = throughput(&s, &session, mode, clients, seconds)?;
        elapsed = seconds;
        Ok(ModeBench {
            p50_ms: percentile(latencies, 0.5),
            p99_ms: percentile(latencies, 0.99),
            queries_per_second: per_second,
        })
    };
    let one_shot = mode(Mode::OneShot, &one_shot)?;
    let in_session = mode(Mode::Session, &in_session)?;
    let unencrypted = mode(Mode::Unencrypted, &unencrypted)?;
    let crypto = crypto_costs(&s)?;
    let limit = executor_only(clients.max(1), seconds.max(1))?;
    Ok(QueryBench {
        sequential_queries: sequential,
        clients,
        seconds: elapsed,
        one_shot_crypto_share_of_p50: crypto.one_shot_us / 1000.0 / one_shot.p50_ms,
        session_crypto_share_of_p50: crypto.session_query_us / 1000.0 / in_session.p50_ms,
        session_overhead_vs_unencrypted_p50: (in_session.p50_ms - unencrypted.p50_ms)
            / in_session.p50_ms,
        executor_only_per_second: limit,
        ratio_to_executor_only: in_session.queries_per_second / limit,
        one_shot,
        session: in_session,
        unencrypted,
        crypto,
    })
}

pub fn queries_text(v: &QueryBench) -> String {
    let mode = |name: &str, m: &ModeBench| {
        format!(
            "\n  {name:<12} p50 {:.3} ms, p99 {:.3} ms; {} clients: {:.0} queries/s",
            m.p50_ms, m.p99_ms, v.clients, m.queries_per_second
        )
    };
    format!(
        "contract queries to one worker on loopback (counter's Count; {} of each one at a time, the three kinds in turn; then {} clients for {:.1} s per kind):{}{}{}\n  cryptography per query (client + worker, timed alone): one-shot {:.1} us = {:.1} % of its p50; session {:.1} us = {:.1} % of its p50 (opening a session: {:.1} us, once per 10 minutes)\n  a session query over the unencrypted one, end to end: {:+.1} % of the session p50\n  machine limit, the query's wasm alone on {} threads: {:.0}/s; in a session over HTTP: {:.2} of it",
        v.sequential_queries,
        v.clients,
        v.seconds,
        mode("one-shot", &v.one_shot),
        mode("session", &v.session),
        mode("unencrypted", &v.unencrypted),
        v.crypto.one_shot_us,
        v.one_shot_crypto_share_of_p50 * 100.0,
        v.crypto.session_query_us,
        v.session_crypto_share_of_p50 * 100.0,
        v.crypto.session_open_us,
        v.session_overhead_vs_unencrypted_p50 * 100.0,
        v.clients,
        v.executor_only_per_second,
        v.ratio_to_executor_only,
    )
}
