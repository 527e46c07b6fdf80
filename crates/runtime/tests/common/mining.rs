//! A chain where the test workers are registered and can mine: measuring P, the beacon seed
//! from a 1-of-1 gatekeeper, heartbeats and end-of-block hooks, and the supply counted.

use super::dkg::{WORKERS, message, next_seq};
use super::*;
use phalanx_runtime::{
    balances::pots,
    computation::{self},
};
use phalanx_types::{Amount, ComputationCall, Payload, SignedHeartbeat, WorkerMessage};

pub const SECOND: u64 = 1_000;

/// Every pot of the test chain (from its genesis config).
pub static POTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

/// The accounts genesis funds, in PHA: carol and dave delegate to pools.
pub const FUNDED: [(&str, u128); 5] = [
    ("alice", 1_000),
    ("bob", 100_000),
    ("operator", 100_000),
    ("carol", 50_000),
    ("dave", 1_000),
];

/// Accounts plus pots: the supply, counted.
pub fn counted_supply(c: &Chain) -> Amount {
    let accounts: Amount = FUNDED.iter().map(|(n, _)| balance(c, n)).sum();
    let pots: Amount = POTS
        .get()
        .unwrap()
        .iter()
        .map(|p| pots::balance(&c.state, p).unwrap())
        .sum();
    accounts + pots
}

/// A chain whose operator can afford a stake, with the three test workers registered.
pub fn mining_chain() -> Chain {
    let chain = ChainId::new("phalanx-test").unwrap();
    let funded: Vec<_> = FUNDED
        .iter()
        .map(|(n, pha)| (id(n), pha * UNITS_PER_PHA))
        .collect();
    // Emission starts at the test's "now", as on a fresh chain.
    let mut config = GenesisConfig::standard(chain.clone(), NOW_MS, &funded).unwrap();
    config.registry = registry::Genesis {
        root: Some(id("alice")),
        policy: dev_policy(),
    };
    let mut state = MemoryState::default();
    config.build(&mut state, &genesis_hash()).unwrap();
    POTS.get_or_init(|| config.pot_names());
    let mut c = Chain {
        state,
        params: config.params,
        chain,
    };
    for name in WORKERS {
        let w = info(name);
        let evidence = evidence(&w, "operator", &genesis_hash(), NOW_MS);
        assert_eq!(
            c.call("operator", register(&w, evidence), NOW_MS),
            TxStatus::Success
        );
    }
    c
}

/// `worker` reports its benchmark counter at `at_ms` (relayed by its operator).
pub fn report(c: &mut Chain, worker: &str, iterations: u64, at_ms: u64) -> Receipt {
    let m = message(
        c,
        worker,
        worker,
        next_seq(c, worker),
        Payload::BenchmarkReport { iterations },
    );
    c.call_receipt("operator", m, at_ms)
}

/// Gives `worker` a measured P (reports 6 s apart at `p` iterations per 6 s).
pub fn measure(c: &mut Chain, worker: &str, p: u64, at_ms: u64) {
    assert_eq!(report(c, worker, 0, at_ms).status, TxStatus::Success);
    let r = report(c, worker, p, at_ms + 6 * SECOND);
    assert_eq!(r.status, TxStatus::Success);
}

pub fn balance(c: &Chain, who: &str) -> Amount {
    balances::account(&c.state, &id(who)).unwrap().balance
}

/// Like [`measure`], for a worker whose operator is `operator`.
pub fn measure_as(c: &mut Chain, worker: &str, operator: &str, p: u64, at_ms: u64) {
    for (iterations, at) in [(0, at_ms), (p, at_ms + 6 * SECOND)] {
        let m = message(
            c,
            worker,
            worker,
            next_seq(c, worker),
            Payload::BenchmarkReport { iterations },
        );
        assert_eq!(c.call(operator, m, at), TxStatus::Success);
    }
}

/// worker-1 becomes the only gatekeeper (1-of-1 master key), so its beacon share alone
/// publishes a round's seed.
pub fn with_beacon(c: &mut Chain) -> super::dkg::Finished {
    super::dkg::promote(c, "worker-1");
    super::dkg::run_round(c, &std::collections::BTreeMap::new())
}

pub fn publish_seed(c: &mut Chain, keys: &super::dkg::Finished, round: u64, at_ms: u64) {
    use commonware_codec::Encode;
    let partial = phalanx_threshold::beacon_partial(&keys.shares[&id("worker-1")], &c.chain, round)
        .encode()
        .to_vec();
    let m = message(
        c,
        "worker-1",
        "worker-1",
        next_seq(c, "worker-1"),
        Payload::BeaconShare { round, partial },
    );
    let receipt = c.call_receipt("operator", m, at_ms);
    assert_eq!(receipt.status, TxStatus::Success);
    assert!(
        phalanx_runtime::beacon::latest(&c.state)
            .unwrap()
            .is_some_and(|s| s.round == round)
    );
}

pub fn end_block(c: &mut Chain, at_ms: u64) -> Vec<phalanx_runtime::Event> {
    let env = BlockEnv {
        chain_id: c.chain.clone(),
        height: 3,
        timestamp_ms: at_ms,
    };
    // Only mining's events: emission has its own every block.
    phalanx_runtime::end_block(&mut c.state, &c.params, &env)
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e, phalanx_runtime::Event::Computation(_)))
        .collect()
}

/// `worker`'s heartbeat, relayed by its operator in a block at `at_ms` whose height counts
/// seconds (so two heartbeats a second apart are in different blocks).
pub fn heartbeat(c: &mut Chain, worker: &str, round: u64, iterations: u64, at_ms: u64) -> Receipt {
    let payload = Payload::MiningHeartbeat { round, iterations };
    let call = message(c, worker, worker, next_seq(c, worker), payload);
    let nonce = balances::account(&c.state, &id("operator")).unwrap().nonce;
    let tx = TxBody {
        chain_id: c.chain.clone(),
        signer: id("operator"),
        nonce,
        fee: UNITS_PER_PHA,
        call,
    }
    .sign(&dev_key("operator"));
    let env = BlockEnv {
        chain_id: c.chain.clone(),
        height: at_ms / SECOND,
        timestamp_ms: at_ms,
    };
    phalanx_runtime::apply_tx(&mut c.state, &c.params, &env, &tx)
        .unwrap()
        .unwrap()
}

pub fn paid(receipt: &Receipt) -> Option<(Amount, Amount)> {
    receipt.events.iter().find_map(|e| match e {
        phalanx_runtime::Event::Computation(computation::Event::HeartbeatPaid {
            payout,
            treasury,
            ..
        }) => Some((*payout, *treasury)),
        _ => None,
    })
}

/// `worker`'s signed heartbeat for `round` with counter `iterations`, as evidence.
pub fn signed_heartbeat(
    c: &Chain,
    worker: &str,
    seq: u64,
    round: u64,
    iterations: u64,
) -> SignedHeartbeat {
    let signed = WorkerMessage {
        sender: id(worker),
        seq,
        payload: Payload::MiningHeartbeat { round, iterations },
    }
    .sign(&dev_key(worker), &c.chain);
    SignedHeartbeat {
        seq,
        iterations,
        signature: signed.signature,
    }
}

/// Evidence that `worker` signed counters `a` and `b` for `round`.
pub fn equivocation(c: &Chain, worker: &str, round: u64, a: u64, b: u64) -> ComputationCall {
    ComputationCall::ReportEquivocation {
        worker: id(worker),
        round,
        first: Box::new(signed_heartbeat(c, worker, 7, round, a)),
        second: Box::new(signed_heartbeat(c, worker, 8, round, b)),
    }
}
