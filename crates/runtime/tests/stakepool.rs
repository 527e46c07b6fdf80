#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The `stakepool` component on a whole runtime: pools own mining sessions, delegators buy and
//! sell shares, payouts raise the price, slashes lower it, withdrawals wait in a queue that
//! freed stake pays. Every refusal has its own code and changes nothing; the supply never
//! changes; the pot holds exactly every pool's free stake and commission. The reference's bugs
//! (Phala #439, #500, #1264) each have a regression test here.

mod common;

use common::dkg::WORKERS;
use common::mining::*;
use common::*;
use phalanx_runtime::{
    Event, State, StateKey,
    balances::pots,
    computation::{self, SessionOwner},
    fixed::Fixed,
    stakepool::{self, Error},
};
use phalanx_types::{Amount, ComputationCall, PoolId, StakePoolCall};

const PHA: Amount = UNITS_PER_PHA;

fn refused(e: Error) -> TxStatus {
    TxStatus::Failed(DispatchError::StakePool(e))
}

fn create(commission_ppm: u32, cap: Option<Amount>) -> StakePoolCall {
    StakePoolCall::Create {
        commission_ppm,
        cap,
    }
}

fn add(pool: PoolId, worker: &str) -> StakePoolCall {
    StakePoolCall::AddWorker {
        pool,
        worker: id(worker),
    }
}

fn remove(pool: PoolId, worker: &str) -> StakePoolCall {
    StakePoolCall::RemoveWorker {
        pool,
        worker: id(worker),
    }
}

fn start(pool: PoolId, worker: &str, pha: Amount) -> StakePoolCall {
    StakePoolCall::StartMining {
        pool,
        worker: id(worker),
        stake: pha * PHA,
    }
}

fn stop(pool: PoolId, worker: &str) -> StakePoolCall {
    StakePoolCall::StopMining {
        pool,
        worker: id(worker),
    }
}

fn contribute(pool: PoolId, pha: Amount) -> StakePoolCall {
    StakePoolCall::Contribute {
        pool,
        amount: pha * PHA,
    }
}

fn withdraw(pool: PoolId, shares: u128) -> StakePoolCall {
    StakePoolCall::Withdraw { pool, shares }
}

fn reclaim(worker: &str) -> ComputationCall {
    ComputationCall::Reclaim { worker: id(worker) }
}

fn pool(c: &Chain, id: PoolId) -> stakepool::Pool {
    stakepool::pool(&c.state, id).unwrap().unwrap()
}

fn shares(c: &Chain, pool: PoolId, who: &str) -> u128 {
    stakepool::position(&c.state, pool, &id(who))
        .unwrap()
        .shares
}

/// What the pools' invariants are: the pot holds every pool's free stake and commission; each
/// pool's shares are its holders' positions; what the holders' shares are worth never exceeds
/// the value; the locked stake is the stake of the sessions the pool owns; the supply holds.
fn check_invariants(c: &Chain) {
    assert_eq!(counted_supply(c), phalanx_types::MAX_SUPPLY);
    let count = stakepool::pool_count(&c.state).unwrap();
    let mut in_pot = 0;
    for p in 0..count {
        let found = pool(c, p);
        in_pot += found.ledger.in_pot();
        let held: Vec<u128> = FUNDED.iter().map(|(n, _)| shares(c, p, n)).collect();
        assert_eq!(
            held.iter().sum::<u128>(),
            found.ledger.total_shares,
            "pool {p}"
        );
        let worth: Amount = held.iter().map(|s| found.ledger.worth(*s)).sum();
        assert!(worth <= found.ledger.value(), "pool {p}");
        let locked: Amount = WORKERS
            .iter()
            .filter_map(|w| computation::session(&c.state, &id(w)).unwrap())
            .filter(|s| s.owner == SessionOwner::Pool(p))
            .map(|s| s.stake)
            .sum();
        assert_eq!(locked, found.ledger.locked, "pool {p}");
    }
    assert_eq!(
        pots::balance(&c.state, pots::STAKE_POOLS.0).unwrap(),
        in_pot
    );
}

/// Everything a refused call must leave alone.
fn snapshot(c: &Chain) -> Vec<Option<Vec<u8>>> {
    let mut keys: Vec<StateKey> = vec![stakepool::state_key::next_id()];
    for p in 0..3 {
        keys.push(stakepool::state_key::pool(p));
        for (n, _) in FUNDED {
            keys.push(stakepool::state_key::position(p, &id(n)));
        }
    }
    for w in WORKERS.iter().chain(&["worker-alice"]) {
        keys.push(stakepool::state_key::worker_pool(&id(w)));
        keys.push(computation::state_key::session(&id(w)));
    }
    let mut values: Vec<_> = keys.iter().map(|k| c.state.get(k).unwrap()).collect();
    for pot in [pots::STAKE_POOLS, pots::MINING_STAKE] {
        values.push(Some(
            pots::balance(&c.state, pot.0)
                .unwrap()
                .to_be_bytes()
                .to_vec(),
        ));
    }
    values
}

fn pool_events(receipt: &Receipt) -> Vec<stakepool::Event> {
    receipt
        .events
        .iter()
        .filter_map(|e| match e {
            Event::StakePool(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

/// A chain with pool 0 (operator's, 10 % commission) holding worker-2 (P = 100), and a beacon
/// that challenges every live worker each round.
fn pool_chain() -> (Chain, common::dkg::Finished) {
    let mut c = mining_chain();
    let keys = with_beacon(&mut c);
    c.params.computation.heartbeats_per_hour = 1_000_000;
    c.params.computation.max_heartbeats_per_worker_per_hour = 3_600;
    measure(&mut c, "worker-2", 100, NOW_MS);
    measure(&mut c, "worker-3", 100, NOW_MS);
    assert_eq!(
        c.call("operator", create(100_000, None), NOW_MS),
        TxStatus::Success
    );
    assert_eq!(
        c.call("operator", add(0, "worker-2"), NOW_MS),
        TxStatus::Success
    );
    (c, keys)
}

/// Publishes the seed of the round at `t` (challenging every live worker) and answers it for
/// `worker` a second later; returns the answer's receipt.
fn challenge_and_answer(
    c: &mut Chain,
    keys: &common::dkg::Finished,
    worker: &str,
    t: u64,
    iterations: u64,
) -> Receipt {
    let round = t / c.params.beacon.round_ms;
    publish_seed(c, keys, round, t);
    end_block(c, t);
    heartbeat(c, worker, round, iterations, t + SECOND)
}

#[test]
fn a_delegated_pool_mines_and_its_payouts_raise_the_price() {
    let (mut c, keys) = pool_chain();
    let t0 = NOW_MS + 60 * SECOND;
    end_block(&mut c, t0);
    // carol delegates 5,000 PHA: the first shares sell at one per base unit.
    let r = c.call_receipt("carol", contribute(0, 5_000), t0);
    assert_eq!(r.status, TxStatus::Success);
    assert_eq!(shares(&c, 0, "carol"), 5_000 * PHA);
    assert_eq!(
        pool_events(&r),
        vec![stakepool::Event::Contributed {
            pool: 0,
            delegator: id("carol"),
            amount: 5_000 * PHA,
            shares: 5_000 * PHA,
        }]
    );
    // The owner stakes 2,000 of it on worker-2; the pool owns the session.
    let r = c.call_receipt("operator", start(0, "worker-2", 2_000), t0);
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
    let session = computation::session(&c.state, &id("worker-2"))
        .unwrap()
        .unwrap();
    assert_eq!(session.owner, SessionOwner::Pool(0));
    assert_eq!(
        (pool(&c, 0).ledger.free, pool(&c, 0).ledger.locked),
        (3_000 * PHA, 2_000 * PHA)
    );
    check_invariants(&c);
    // A pool's session is stopped through the pool, not as an account's.
    assert_eq!(
        c.call(
            "operator",
            ComputationCall::StopMining {
                worker: id("worker-2")
            },
            t0
        ),
        TxStatus::Failed(DispatchError::Computation(
            computation::Error::NotSessionOwner
        ))
    );

    // A minute of emission, then a challenge answered: the payout reaches the pool.
    let mut t = t0;
    for _ in 0..5 {
        t += c.params.beacon.round_ms;
        end_block(&mut c, t);
    }
    let operator_before = balance(&c, "operator");
    let answer = challenge_and_answer(&mut c, &keys, "worker-2", t, 500);
    assert_eq!(answer.status, TxStatus::Success);
    let (payout, _) = paid(&answer).unwrap();
    assert!(payout > 300 * PHA, "{payout}");
    // The relaying operator paid only the fee: the payout went to the pool.
    assert_eq!(balance(&c, "operator"), operator_before - answer.fee_paid);
    let commission = payout / 10;
    assert_eq!(
        pool_events(&answer),
        vec![stakepool::Event::Rewarded {
            pool: 0,
            worker: id("worker-2"),
            amount: payout,
            commission,
        }]
    );
    let p = pool(&c, 0);
    assert_eq!(p.ledger.commission, commission);
    assert_eq!(p.ledger.value(), 5_000 * PHA + payout - commission);
    assert_eq!(p.rewards, payout - commission);
    // The price rose: carol's shares are worth her 5,000 PHA and the delegators' part.
    assert_eq!(p.ledger.worth(shares(&c, 0, "carol")), p.ledger.value());
    check_invariants(&c);

    // dave buys in at the new price: fewer shares for the same PHA.
    assert_eq!(c.call("dave", contribute(0, 100), t), TxStatus::Success);
    assert!(shares(&c, 0, "dave") < 100 * PHA);
    check_invariants(&c);

    // carol withdraws a fifth of her shares: the free stake covers it, paid at once.
    let carol_before = balance(&c, "carol");
    let fifth = shares(&c, 0, "carol") / 5;
    let worth = pool(&c, 0).ledger.worth(fifth);
    let r = c.call_receipt("carol", withdraw(0, fifth), t);
    assert_eq!(r.status, TxStatus::Success);
    assert_eq!(balance(&c, "carol"), carol_before + worth - r.fee_paid);
    assert!(pool(&c, 0).ledger.queue.is_empty());
    check_invariants(&c);

    // The owner claims its commission, once.
    let before = balance(&c, "operator");
    let r = c.call_receipt("operator", StakePoolCall::ClaimCommission { pool: 0 }, t);
    assert_eq!(r.status, TxStatus::Success);
    assert_eq!(balance(&c, "operator"), before + commission - r.fee_paid);
    assert_eq!(
        c.call("operator", StakePoolCall::ClaimCommission { pool: 0 }, t),
        refused(Error::NoCommission)
    );
    check_invariants(&c);
}

#[test]
fn every_bad_pool_call_is_refused_with_its_own_error_and_changes_nothing() {
    let (mut c, _) = pool_chain();
    c.params.stakepool.max_workers = 2;
    c.params.stakepool.max_queue = 1;
    let t = NOW_MS + 60 * SECOND;
    // alice operates a worker of her own.
    let w = info("worker-alice");
    let ev = evidence(&w, "alice", &genesis_hash(), NOW_MS);
    assert_eq!(c.call("alice", register(&w, ev), NOW_MS), TxStatus::Success);
    // Pool 1 has a cap of 1,000 PHA.
    assert_eq!(
        c.call("operator", create(0, Some(1_000 * PHA)), t),
        TxStatus::Success
    );
    // worker-3 mines for the operator's own account.
    assert_eq!(
        c.call(
            "operator",
            ComputationCall::StartMining {
                worker: id("worker-3"),
                stake: 1_000 * PHA
            },
            t
        ),
        TxStatus::Success
    );
    let check = |c: &mut Chain, signer: &str, call: StakePoolCall, expected: Error| {
        let before = snapshot(c);
        assert_eq!(c.call(signer, call, t), refused(expected), "{expected:?}");
        assert_eq!(snapshot(c), before, "{expected:?} changed state");
    };
    check(
        &mut c,
        "bob",
        create(1_000_001, None),
        Error::CommissionTooHigh,
    );
    check(&mut c, "bob", create(0, Some(0)), Error::InvalidCap);
    check(&mut c, "bob", contribute(9, 10), Error::UnknownPool);
    check(&mut c, "bob", add(0, "worker-3"), Error::NotPoolOwner);
    check(&mut c, "operator", add(0, "nobody"), Error::UnknownWorker);
    check(
        &mut c,
        "operator",
        add(0, "worker-alice"),
        Error::NotWorkerOperator,
    );
    check(&mut c, "operator", add(1, "worker-2"), Error::WorkerInPool);
    check(
        &mut c,
        "operator",
        add(0, "worker-3"),
        Error::WorkerHasSession,
    );
    check(&mut c, "operator", remove(0, "worker-3"), Error::NotInPool);
    check(
        &mut c,
        "carol",
        contribute(0, 0),
        Error::ContributionTooSmall,
    );
    check(
        &mut c,
        "dave",
        contribute(0, 1_000),
        Error::InsufficientBalance,
    );
    check(&mut c, "carol", contribute(1, 1_001), Error::CapExceeded);
    check(
        &mut c,
        "operator",
        start(0, "worker-2", 1_000),
        Error::NotEnoughFree,
    );
    check(
        &mut c,
        "operator",
        start(0, "worker-3", 1_000),
        Error::NotInPool,
    );
    check(&mut c, "carol", withdraw(0, 1), Error::NotEnoughShares);
    check(
        &mut c,
        "operator",
        StakePoolCall::ClaimCommission { pool: 0 },
        Error::NoCommission,
    );
    // A pool's worker mines only for its pool: its operator cannot start it for itself.
    let before = snapshot(&c);
    let own = ComputationCall::StartMining {
        worker: id("worker-2"),
        stake: 1_000 * PHA,
    };
    assert_eq!(
        c.call("operator", own, t),
        TxStatus::Failed(DispatchError::Computation(computation::Error::WorkerInPool))
    );
    assert_eq!(snapshot(&c), before);

    assert_eq!(c.call("carol", contribute(0, 2_000), t), TxStatus::Success);
    check(
        &mut c,
        "carol",
        withdraw(0, 2_000 * PHA + 1),
        Error::NotEnoughShares,
    );
    check(&mut c, "carol", withdraw(0, 0), Error::NotEnoughShares);
    assert_eq!(
        c.call("operator", start(0, "worker-2", 2_000), t),
        TxStatus::Success
    );
    check(
        &mut c,
        "operator",
        remove(0, "worker-2"),
        Error::WorkerHasSession,
    );
    // Nothing waits yet: only the owner may stop.
    check(&mut c, "bob", stop(0, "worker-2"), Error::GraceNotOver);
    // The whole stake is locked: the withdrawal waits; a second one finds the queue full.
    assert_eq!(c.call("carol", withdraw(0, PHA), t), TxStatus::Success);
    check(&mut c, "carol", withdraw(0, PHA), Error::QueueFull);
    // Queued shares cannot be queued twice.
    c.params.stakepool.max_queue = 4;
    check(
        &mut c,
        "carol",
        withdraw(0, 2_000 * PHA),
        Error::NotEnoughShares,
    );
    // A waiting withdrawal does not let a stranger stop the workers before the grace ends.
    check(&mut c, "bob", stop(0, "worker-2"), Error::GraceNotOver);
    assert_eq!(c.call("operator", add(0, "worker-1"), t), TxStatus::Success);
    // worker-1 is the gatekeeper, registered by the operator: the pool's third worker is refused.
    let w = info("worker-4");
    let ev = evidence(&w, "operator", &genesis_hash(), NOW_MS);
    assert_eq!(
        c.call("operator", register(&w, ev), NOW_MS),
        TxStatus::Success
    );
    check(
        &mut c,
        "operator",
        add(0, "worker-4"),
        Error::TooManyWorkers,
    );
    check_invariants(&c);
}

#[test]
fn a_bankrupt_pool_refuses_contributions() {
    let (mut c, _) = pool_chain();
    c.params.computation.slash_equivocation = Fixed::ONE;
    let t = NOW_MS + 60 * SECOND;
    assert_eq!(c.call("carol", contribute(0, 2_000), t), TxStatus::Success);
    assert_eq!(
        c.call("operator", start(0, "worker-2", 2_000), t),
        TxStatus::Success
    );
    let round = t / c.params.beacon.round_ms;
    let r = c.call_receipt("bob", equivocation(&c, "worker-2", round, 1, 2), t);
    assert_eq!(r.status, TxStatus::Success);
    assert_eq!(
        pool_events(&r),
        vec![stakepool::Event::Slashed {
            pool: 0,
            amount: 2_000 * PHA,
            value: 0
        }]
    );
    assert!(pool(&c, 0).ledger.is_bankrupt());
    let before = snapshot(&c);
    assert_eq!(
        c.call("dave", contribute(0, 10), t),
        refused(Error::Bankrupt)
    );
    assert_eq!(snapshot(&c), before);
    // Withdrawing burns worthless shares for nothing (and pays nothing).
    let r = c.call_receipt("carol", withdraw(0, 2_000 * PHA), t);
    assert_eq!(r.status, TxStatus::Success);
    assert_eq!(shares(&c, 0, "carol"), 0);
    check_invariants(&c);
}

/// Phala #1264 (vault withdrawals locked) and its "up to 14 days": a withdrawal that the free
/// stake cannot pay waits at most the grace period, then anyone may stop the pool's workers,
/// and the reclaim after the cool-down pays it.
#[test]
fn a_waiting_withdrawal_lets_anyone_stop_the_workers_after_the_grace_and_the_reclaim_pays_it() {
    let (mut c, _) = pool_chain();
    let t0 = NOW_MS + 60 * SECOND;
    assert_eq!(c.call("carol", contribute(0, 2_000), t0), TxStatus::Success);
    assert_eq!(
        c.call("operator", start(0, "worker-2", 2_000), t0),
        TxStatus::Success
    );
    let r = c.call_receipt("carol", withdraw(0, 2_000 * PHA), t0);
    assert_eq!(
        pool_events(&r),
        vec![stakepool::Event::WithdrawalQueued {
            pool: 0,
            delegator: id("carol"),
            shares: 2_000 * PHA
        }]
    );
    let grace = c.params.stakepool.withdrawal_grace_ms;
    assert_eq!(
        c.call("bob", stop(0, "worker-2"), t0 + grace - 1),
        refused(Error::GraceNotOver)
    );
    let t1 = t0 + grace;
    let r = c.call_receipt("bob", stop(0, "worker-2"), t1);
    assert_eq!(r.status, TxStatus::Success);
    assert!(
        pool_events(&r).contains(&stakepool::Event::StoppedForWithdrawals {
            pool: 0,
            worker: id("worker-2"),
            by: id("bob"),
        })
    );
    // After the cool-down anyone reclaims, and the freed stake pays carol at once.
    let t2 = t1 + c.params.computation.cool_down_ms;
    let carol_before = balance(&c, "carol");
    let r = c.call_receipt("bob", reclaim("worker-2"), t2);
    assert_eq!(r.status, TxStatus::Success);
    let events = pool_events(&r);
    assert_eq!(
        events[0],
        stakepool::Event::StakeReturned {
            pool: 0,
            stake: 2_000 * PHA,
            returned: 2_000 * PHA
        }
    );
    assert_eq!(
        events[1],
        stakepool::Event::WithdrawalPaid {
            pool: 0,
            delegator: id("carol"),
            shares: 2_000 * PHA,
            amount: 2_000 * PHA
        }
    );
    assert_eq!(balance(&c, "carol"), carol_before + 2_000 * PHA);
    assert!(pool(&c, 0).ledger.queue.is_empty());
    check_invariants(&c);
}

/// Phala #500 (stake lost when a worker is re-added): a worker leaves a pool only without a
/// session, and its session's stake always returns to the pool that staked it.
#[test]
fn a_workers_stake_returns_to_the_pool_that_staked_it_when_the_worker_moves() {
    let (mut c, _) = pool_chain();
    // A short cool-down: the worker mines again before its attestation (7 days) expires.
    c.params.computation.cool_down_ms = 60 * SECOND;
    let t0 = NOW_MS + 60 * SECOND;
    assert_eq!(c.call("carol", contribute(0, 2_000), t0), TxStatus::Success);
    assert_eq!(
        c.call("operator", start(0, "worker-2", 2_000), t0),
        TxStatus::Success
    );
    assert_eq!(
        c.call("operator", stop(0, "worker-2"), t0),
        TxStatus::Success
    );
    // Cooling down is still a session: it cannot leave yet.
    assert_eq!(
        c.call("operator", remove(0, "worker-2"), t0),
        refused(Error::WorkerHasSession)
    );
    let t1 = t0 + c.params.computation.cool_down_ms;
    assert_eq!(c.call("bob", reclaim("worker-2"), t1), TxStatus::Success);
    assert_eq!(
        (pool(&c, 0).ledger.free, pool(&c, 0).ledger.locked),
        (2_000 * PHA, 0)
    );
    assert_eq!(
        c.call("operator", remove(0, "worker-2"), t1),
        TxStatus::Success
    );
    // Into a second pool, mining with that pool's stake; pool 0 keeps its value.
    assert_eq!(c.call("operator", create(0, None), t1), TxStatus::Success);
    assert_eq!(
        c.call("operator", add(1, "worker-2"), t1),
        TxStatus::Success
    );
    assert_eq!(c.call("bob", contribute(1, 3_000), t1), TxStatus::Success);
    assert_eq!(
        c.call("operator", start(1, "worker-2", 3_000), t1),
        TxStatus::Success
    );
    assert_eq!(pool(&c, 0).ledger.value(), 2_000 * PHA);
    assert_eq!(pool(&c, 1).ledger.locked, 3_000 * PHA);
    check_invariants(&c);
}

/// Phala #439 (rewards stopping at the V cap): a pool's worker whose V reached V_max keeps
/// being paid.
#[test]
fn a_pool_worker_at_v_max_keeps_earning() {
    let (mut c, keys) = pool_chain();
    let t0 = NOW_MS + 60 * SECOND;
    assert_eq!(
        c.call("carol", contribute(0, 23_100), t0),
        TxStatus::Success
    );
    // Vᵉ = 1.3·(23,046 + 30) ≈ 29,998.8, just under V_max.
    assert_eq!(
        c.call("operator", start(0, "worker-2", 23_046), t0),
        TxStatus::Success
    );
    let t = t0 + DAY_MS;
    end_block(&mut c, t);
    let mut s = computation::session(&c.state, &id("worker-2"))
        .unwrap()
        .unwrap();
    s.settle(&c.params.computation, t).unwrap();
    assert_eq!(s.value.v, c.params.computation.v_max);
    let answer = challenge_and_answer(&mut c, &keys, "worker-2", t, 1_000);
    assert_eq!(answer.status, TxStatus::Success);
    let (payout, _) = paid(&answer).unwrap();
    assert!(payout > 0);
    assert!(
        matches!(pool_events(&answer)[0], stakepool::Event::Rewarded { amount, .. } if amount == payout)
    );
    check_invariants(&c);
}

#[derive(Clone, Debug)]
enum Step {
    Contribute { who: usize, pha: u128 },
    Withdraw { who: usize, ppm: u128 },
    Start { worker: usize, pha: u128 },
    Stop { worker: usize, stranger: bool },
    Reclaim { worker: usize },
    Pay { worker: usize },
    Slash { worker: usize },
    Claim,
    Wait { secs: u64 },
}

const DELEGATORS: [&str; 3] = ["bob", "carol", "dave"];
const POOL_WORKERS: [&str; 2] = ["worker-2", "worker-3"];

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        3 => (0..3usize, 1..5_000u128).prop_map(|(who, pha)| Step::Contribute { who, pha }),
        3 => (0..3usize, 1..=1_000_000u128).prop_map(|(who, ppm)| Step::Withdraw { who, ppm }),
        3 => (0..2usize, 1_000..2_500u128).prop_map(|(worker, pha)| Step::Start { worker, pha }),
        1 => (0..2usize, any::<bool>()).prop_map(|(worker, stranger)| Step::Stop { worker, stranger }),
        1 => (0..2usize).prop_map(|worker| Step::Reclaim { worker }),
        3 => (0..2usize).prop_map(|worker| Step::Pay { worker }),
        1 => (0..2usize).prop_map(|worker| Step::Slash { worker }),
        1 => Just(Step::Claim),
        1 => (1..200u64).prop_map(|secs| Step::Wait { secs }),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Random contribute / withdraw / start / stop / reclaim / payout / slash / claim runs on
    /// one pool with two workers: after every step the supply holds, the pot holds exactly the
    /// pools' free stake and commission, shares add up and are worth at most the value, and
    /// the locked stake is the pool's sessions' stake; no delegator is ever paid more shares
    /// than it asked to withdraw, and payments follow the queue's order.
    #[test]
    fn pool_runs_keep_every_invariant(steps in proptest::collection::vec(step(), 1..60)) {
        let (mut c, keys) = pool_chain();
        c.params.computation.cool_down_ms = 60 * SECOND;
        c.params.stakepool.withdrawal_grace_ms = 120 * SECOND;
        assert_eq!(c.call("operator", add(0, "worker-3"), NOW_MS), TxStatus::Success);
        // The run starts with carol's 5,000 PHA in the pool and worker-2 mining 2,000 of it.
        assert_eq!(c.call("carol", contribute(0, 5_000), NOW_MS), TxStatus::Success);
        assert_eq!(c.call("operator", start(0, "worker-2", 2_000), NOW_MS), TxStatus::Success);
        let round_ms = c.params.beacon.round_ms;
        let mut t = NOW_MS + 60 * SECOND;
        let mut requested = [0u128; 3];
        let mut paid_shares = [0u128; 3];
        for s in steps {
            let receipt = match s {
Step::Contribute { who, pha } => {
                    // Keep enough to pay the fees of the steps to come (a signer that cannot
                    // pay its fee is left out of the block, not refused).
                    let pha = pha.min((balance(&c, DELEGATORS[who]) / PHA).saturating_sub(100));
                    c.call_receipt(DELEGATORS[who], contribute(0, pha), t)
                }
                Step::Withdraw { who, ppm } => {
                    let held = shares(&c, 0, DELEGATORS[who]);
                    let queued = pool(&c, 0).ledger.queued(&id(DELEGATORS[who]));
                    let ask = (held - queued) * ppm / 1_000_000;
                    let r = c.call_receipt(DELEGATORS[who], withdraw(0, ask), t);
                    if r.status == TxStatus::Success {
                        requested[who] += ask;
                    }
                    r
                }
                Step::Start { worker, pha } => c.call_receipt("operator", start(0, POOL_WORKERS[worker], pha), t),
                Step::Stop { worker, stranger } => {
                    let signer = if stranger { "alice" } else { "operator" };
                    c.call_receipt(signer, stop(0, POOL_WORKERS[worker]), t)
                }
                Step::Reclaim { worker } => {
                    t += c.params.computation.cool_down_ms;
                    c.call_receipt("alice", reclaim(POOL_WORKERS[worker]), t)
                }
                Step::Pay { worker } => {
                    t += round_ms;
                    end_block(&mut c, t);
                    let round = t / round_ms;
                    publish_seed(&mut c, &keys, round, t);
                    end_block(&mut c, t);
                    t += SECOND;
                    heartbeat(&mut c, POOL_WORKERS[worker], round, t, t)
                }
                Step::Slash { worker } => {
                    let round = t / round_ms;
                    let evidence = equivocation(&c, POOL_WORKERS[worker], round, 1, 2);
                    c.call_receipt("alice", evidence, t)
                }
                Step::Claim => c.call_receipt("operator", StakePoolCall::ClaimCommission { pool: 0 }, t),
                Step::Wait { secs } => {
                    t += secs * SECOND;
                    end_block(&mut c, t);
                    continue;
                }
            };
            for e in pool_events(&receipt) {
                if let stakepool::Event::WithdrawalPaid { delegator, shares, .. } = e {
                    let who = DELEGATORS.iter().position(|d| id(d) == delegator).unwrap();
                    paid_shares[who] += shares;
                    proptest::prop_assert!(paid_shares[who] <= requested[who]);
                }
            }
            check_invariants(&c);
            // Whatever is still queued was asked for and not yet paid.
            let p = pool(&c, 0);
            for (who, d) in DELEGATORS.iter().enumerate() {
                proptest::prop_assert_eq!(p.ledger.queued(&id(d)), requested[who] - paid_shares[who]);
            }
            // A request waits only while the free stake cannot pay it.
            proptest::prop_assert!(p.ledger.queue.is_empty() || p.ledger.free == 0);
        }
    }
}
