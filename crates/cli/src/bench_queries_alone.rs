//! The parts of `phalanx bench queries` measured alone: the cryptography of one query (client
//! and worker together, no HTTP, no wasm) for each kind of query and for opening a session,
//! and the machine's limit for the work, the query's wasm run alone on the same cores.

use crate::bench_queries::{CONTRACT, COUNT, COUNTER, Setup, per_second};
use phalanx_contracts::{
    ContractKey, EntryPoint, Executor as _, Host, Limits, Randomness, WasmiExecutor,
    query::{make_query, open_answer, open_query, seal_answer},
    sealed::CommandOutcome,
    session::{ClientSession, SessionId, SessionOpened, accept_session, request_session},
    state::StateMap,
};
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

/// Microseconds of cryptography, client and worker together, medians.
#[derive(Serialize)]
pub struct CryptoCost {
    /// A one-shot query: seal, sign, verify, open, seal the answer, open it.
    pub one_shot_us: f64,
    /// A query in a session: seal, open, seal the answer, open it.
    pub session_query_us: f64,
    /// Opening a session: key agreement both sides, sign, verify, the confirmation.
    pub session_open_us: f64,
}

const SAMPLES: usize = 500;

/// The median microseconds of `SAMPLES` runs of `work`.
fn median_us(mut work: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let mut samples = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let started = Instant::now();
        work()?;
        samples.push(started.elapsed().as_secs_f64() * 1e6);
    }
    samples.sort_by(f64::total_cmp);
    Ok(samples[SAMPLES / 2])
}

fn answer() -> CommandOutcome {
    CommandOutcome::Output(COUNT.to_le_bytes().to_vec())
}

fn one_shot(s: &Setup) -> Result<(), String> {
    let (request, client_key) = make_query(
        &s.chain,
        &s.worker,
        &s.worker_key,
        &CONTRACT,
        &s.account,
        1,
        &[0],
    )
    .map_err(|e| e.to_string())?;
    if !request.verify(&s.chain) {
        return Err("signature".into());
    }
    let (worker_key, _) =
        open_query(&s.worker_secret, &s.chain, &request).map_err(|e| e.to_string())?;
    let sealed =
        seal_answer(&s.chain, &request, &worker_key, &answer()).map_err(|e| e.to_string())?;
    open_answer(&client_key, &s.chain, &request, &sealed).map_err(|e| e.to_string())?;
    Ok(())
}

/// Opens a session in memory, both sides: the client's session and the worker's keys.
fn open_session(
    s: &Setup,
) -> Result<(ClientSession, phalanx_contracts::session::SessionKeys), String> {
    let (request, client_keys) = request_session(&s.chain, &s.worker, &s.worker_key, &s.account, 1)
        .map_err(|e| e.to_string())?;
    if !request.verify(&s.chain) {
        return Err("signature".into());
    }
    let id = SessionId([1; 16]);
    let worker_keys = accept_session(&s.worker_secret, &request, &id).map_err(|e| e.to_string())?;
    let opened = SessionOpened {
        session: id,
        expires_ms: 2,
        confirmation: worker_keys
            .confirmation(&s.chain, &s.worker, &id, 2)
            .map_err(|e| e.to_string())?,
    };
    let session = ClientSession::new(&s.chain, s.worker.clone(), client_keys, &opened)
        .map_err(|e| e.to_string())?;
    Ok((session, worker_keys))
}

pub(crate) fn crypto_costs(s: &Setup) -> Result<CryptoCost, String> {
    let one_shot_us = median_us(|| one_shot(s))?;
    let session_open_us = median_us(|| open_session(s).map(|_| ()))?;
    let (session, worker_keys) = open_session(s)?;
    let session_query_us = median_us(|| {
        let query = session
            .make_query(&s.chain, &CONTRACT, &[0])
            .map_err(|e| e.to_string())?;
        worker_keys
            .open_query(&s.chain, &s.worker, &query)
            .map_err(|e| e.to_string())?;
        let sealed = worker_keys
            .seal_answer(&s.chain, &s.worker, &query, 1, 1, &answer())
            .map_err(|e| e.to_string())?;
        session
            .open_answer(&s.chain, &query, &sealed)
            .map_err(|e| e.to_string())?;
        Ok(())
    })?;
    Ok(CryptoCost {
        one_shot_us,
        session_query_us,
        session_open_us,
    })
}

/// The query's wasm run alone (the same executor and module cache), on `threads` threads for
/// `seconds`: queries per second.
pub(crate) fn executor_only(threads: usize, seconds: u64) -> Result<f64, String> {
    let executor = Arc::new(WasmiExecutor::new(&Limits::default()));
    let key = Arc::new(ContractKey::from_secret(CONTRACT, &[1; 32]));
    let mut state = StateMap::new();
    state.insert(b"c".to_vec(), COUNT.to_le_bytes().to_vec());
    let state = Arc::new(state);
    let (runs, _) = per_second(threads, seconds, || {
        let (executor, key, state) = (executor.clone(), key.clone(), state.clone());
        let limits = Limits::default();
        move || {
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
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    })?;
    Ok(runs)
}
