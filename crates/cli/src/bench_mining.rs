//! `phalanx bench mining`: what mining costs a block with 1,000, 10,000 and 100,000 mining
//! workers, run in this process on the runtime's in-memory state with the chain's own code
//! (`computation::end_block`, `mining_heartbeat`). The sessions are written straight into state
//! (registering 100,000 workers through attestation would measure attestation).
//!
//! Per worker count it times:
//! * an idle block: `end_block` with no new seed (the cost must not grow with the workers);
//! * a challenge block: `end_block` when a round's seed is new (the reference's rates: 6,000
//!   heartbeats an hour network-wide, at most 2 per worker per hour, 12 s rounds);
//! * a heartbeat: one payout (`mining_heartbeat` as the mq handler runs it);
//! * a timeout block: `end_block` when the challenges of a round fall due unanswered.
//!
//! The machine's own speed is measured in the same run (SHA-256 of 64 bytes per second, one
//! core) and each cost is also given in those hashes, since absolute times on shared machines
//! move by ±20 %.

use commonware_codec::Encode;
use commonware_cryptography::{Signer, ed25519};
use phalanx_runtime::{
    BlockEnv, Ctx, GenesisConfig, MemoryState, Params, State, beacon,
    computation::{self, Session, challenge, rewards, value},
    registry,
};
use phalanx_types::{AccountId, ChainId, UNITS_PER_PHA, WorkerInfo};
use serde_json::{Value, json};
use std::time::Instant;

/// Most workers the command accepts.
pub const MAX_WORKERS: u64 = 1_000_000;
/// The dev chain's block interval, to express costs as a share of a block.
const BLOCK_INTERVAL_MS: f64 = 200.0;

fn us(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e6
}

/// SHA-256 compressions of 64 bytes per second on this core.
fn machine_hashes_per_second() -> f64 {
    use sha2::{Digest, Sha256};
    let mut block = [7u8; 64];
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_millis() < 300 {
        for _ in 0..1_000 {
            let d: [u8; 32] = Sha256::digest(block).into();
            block[..32].copy_from_slice(&d);
        }
        n += 1_000;
    }
    std::hint::black_box(block);
    n as f64 / started.elapsed().as_secs_f64()
}

struct Network {
    state: MemoryState,
    params: Params,
    chain: ChainId,
    workers: Vec<AccountId>,
    records: Vec<registry::WorkerRecord>,
}

fn network(n: u64, now_ms: u64) -> Result<Network, String> {
    let chain = ChainId::new("phalanx-bench").map_err(|e| e.to_string())?;
    let operator: AccountId = ed25519::PrivateKey::from_seed(u64::MAX).public_key().into();
    let mut config =
        GenesisConfig::standard(chain.clone(), now_ms, &[(operator.clone(), UNITS_PER_PHA)])
            .map_err(|e| e.to_string())?;
    // The workers' measurement is allowed: a heartbeat from a worker the policy no longer
    // accepts is slashed instead of paid, which is not what this measures.
    config.registry.policy.allowed_measurements = vec![hex::encode([0u8; 32])];
    let mut state = MemoryState::default();
    config
        .build(&mut state, &[0u8; 32].into())
        .map_err(|e| e.to_string())?;
    let params = config.params.clone();
    let mut pool = rewards::pool(&state).map_err(|e| e.to_string())?;
    let mut workers = Vec::with_capacity(n as usize);
    let mut records = Vec::with_capacity(n as usize);
    for i in 0..n {
        let worker: AccountId = ed25519::PrivateKey::from_seed(i).public_key().into();
        let stake = 10_000 * UNITS_PER_PHA;
        let ve = value::initial_value(&params.computation, stake, 1_000, 1)
            .map_err(|e| e.to_string())?;
        let mut session = Session::start(
            computation::SessionOwner::Account(operator.clone()),
            stake,
            ve,
            1_000,
            0,
            1,
            now_ms,
        );
        session.share = session
            .current_share(&params.computation)
            .map_err(|e| e.to_string())?;
        pool.total_share = pool.total_share.saturating_add(session.share);
        state.put(
            computation::state_key::session(&worker),
            Some(session.encode().to_vec()),
        );
        challenge::join(&mut state, &worker).map_err(|e| e.to_string())?;
        records.push(registry::WorkerRecord {
            info: WorkerInfo {
                identity: worker.clone(),
                encryption_key: [0u8; 32],
            },
            operator: operator.clone(),
            tee: registry::TeeCode::Sgx,
            simulated: false,
            measurement: vec![0u8; 32],
            tcb_status: "UpToDate".into(),
            confidence: 1,
            registered_at_ms: now_ms,
            last_attested_ms: now_ms,
            gatekeeper: false,
        });
        workers.push(worker);
    }
    rewards::set_pool(&mut state, &pool);
    Ok(Network {
        state,
        params,
        chain,
        workers,
        records,
    })
}

fn publish(state: &mut MemoryState, round: u64) {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&round.to_be_bytes());
    let seed: [u8; 32] = {
        use sha2::{Digest, Sha256};
        Sha256::digest(seed).into()
    };
    let published = beacon::PublishedSeed { round, seed };
    state.put(
        beacon::state_key::latest(),
        Some(published.encode().to_vec()),
    );
}

/// Times mining's share of a block at each worker count.
pub fn mining(counts: &[u64]) -> Result<Value, String> {
    if counts.iter().any(|n| *n == 0 || *n > MAX_WORKERS) {
        return Err(format!("--workers must be between 1 and {MAX_WORKERS}"));
    }
    let hashes_per_s = machine_hashes_per_second();
    let in_hashes = |micros: f64| micros * 1e-6 * hashes_per_s;
    let mut rows = Vec::new();
    for &n in counts {
        eprintln!("{n} mining workers: building state…");
        let now = 1_800_000_000_000u64;
        let mut net = network(n, now)?;
        let round_ms = net.params.beacon.round_ms;
        let env = |t: u64, h: u64| BlockEnv {
            chain_id: net.chain.clone(),
            height: h,
            timestamp_ms: t,
        };
        let mut t = now;
        let mut height = 1u64;
        let error = |e: phalanx_runtime::StateError| e.to_string();

        // Idle blocks: no new seed.
        let idle_runs = 200;
        let started = Instant::now();
        for _ in 0..idle_runs {
            t += 200;
            height += 1;
            phalanx_runtime::end_block(&mut net.state, &net.params, &env(t, height))
                .map_err(error)?;
        }
        let idle_us = us(started) / idle_runs as f64;

        // Challenge blocks: one new seed each.
        eprintln!("{n} mining workers: challenge rounds…");
        let rounds = 20u64;
        let mut challenged = 0usize;
        let mut challenge_us = 0.0;
        let mut heartbeat_us = 0.0;
        let mut paid = 0usize;
        for _ in 0..rounds {
            t += round_ms;
            height += 1;
            let round = t / round_ms;
            publish(&mut net.state, round);
            let started = Instant::now();
            let events = phalanx_runtime::end_block(&mut net.state, &net.params, &env(t, height))
                .map_err(error)?;
            challenge_us += us(started);
            let owed: Vec<AccountId> = events
                .iter()
                .filter_map(|e| match e {
                    phalanx_runtime::Event::Computation(computation::Event::Challenged {
                        worker,
                        ..
                    }) => Some(worker.clone()),
                    _ => None,
                })
                .collect();
            challenged += owed.len();
            // Half the challenged answer (each in its own block), the rest time out.
            for worker in owed.iter().step_by(2) {
                let Some(i) = net.workers.iter().position(|w| w == worker) else {
                    continue;
                };
                height += 1;
                let block = env(t + 1_000, height);
                let ctx = Ctx {
                    env: &block,
                    signer: &net.records[i].operator,
                    params: &net.params,
                };
                let started = Instant::now();
                let handled = computation::mining_heartbeat(
                    &mut net.state,
                    &ctx,
                    &phalanx_runtime::components::Wiring,
                    &net.records[i],
                    round,
                    1_000,
                )
                .map_err(|e| format!("{e:?}"))?;
                heartbeat_us += us(started);
                paid += handled.events.len();
            }
        }
        let challenge_us = challenge_us / rounds as f64;
        let heartbeat_us = if paid == 0 {
            0.0
        } else {
            heartbeat_us / paid as f64
        };

        // Timeout blocks: the unanswered challenges fall due.
        t += net.params.computation.heartbeat_window_ms;
        height += 1;
        let started = Instant::now();
        let events = phalanx_runtime::end_block(&mut net.state, &net.params, &env(t, height))
            .map_err(error)?;
        let timeout_us = us(started);
        let timed_out = events
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    phalanx_runtime::Event::Computation(computation::Event::Unresponsive { .. })
                )
            })
            .count();

        let per_block = |micros: f64| micros / 1e3 / BLOCK_INTERVAL_MS * 100.0;
        eprintln!(
            "{n:>7} workers: idle block {idle_us:.0} µs, challenge block {challenge_us:.0} µs ({:.1} challenged), heartbeat {heartbeat_us:.0} µs, timeout block {timeout_us:.0} µs ({timed_out} unresponsive)",
            challenged as f64 / rounds as f64
        );
        rows.push(json!({
            "workers": n,
            "idle_block_us": idle_us,
            "challenge_block_us": challenge_us,
            "challenged_per_round": challenged as f64 / rounds as f64,
            "heartbeat_us": heartbeat_us,
            "timeout_block_us": timeout_us,
            "timed_out": timed_out,
            "worst_block_percent_of_200ms": per_block(challenge_us.max(timeout_us).max(idle_us)),
            "challenge_block_in_sha256": in_hashes(challenge_us),
            "heartbeat_in_sha256": in_hashes(heartbeat_us),
        }));
    }
    Ok(json!({
        "machine_sha256_per_second": hashes_per_s,
        "block_interval_ms": BLOCK_INTERVAL_MS,
        "rows": rows,
    }))
}

/// The text report of [`mining`].
pub fn mining_text(v: &Value) -> String {
    let mut out = format!(
        "machine: {:.2} M SHA-256/s on one core; costs per block at a {} ms block interval\n",
        v["machine_sha256_per_second"].as_f64().unwrap_or(0.0) / 1e6,
        v["block_interval_ms"],
    );
    out.push_str("workers   idle block   challenge block (challenged)   heartbeat   timeout block   worst % of block\n");
    for row in v["rows"].as_array().into_iter().flatten() {
        let f = |k: &str| row[k].as_f64().unwrap_or(0.0);
        out.push_str(&format!(
            "{:>7}   {:>7.0} µs   {:>9.0} µs ({:>5.1})           {:>6.0} µs   {:>9.0} µs   {:>6.2} %\n",
            row["workers"],
            f("idle_block_us"),
            f("challenge_block_us"),
            f("challenged_per_round"),
            f("heartbeat_us"),
            f("timeout_block_us"),
            f("worst_block_percent_of_200ms"),
        ));
    }
    out
}
