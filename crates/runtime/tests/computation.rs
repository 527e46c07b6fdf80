#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The `computation` component: benchmark measurement and mining sessions (start, stop,
//! cool-down, reclaim). Every refusal has its own code and changes nothing; the supply never
//! changes.

mod common;

use common::dkg::WORKERS;
use common::mining::*;
use common::*;
use phalanx_runtime::{
    State, StateKey,
    balances::pots,
    computation::{self, Error, SessionState},
};
use phalanx_types::{Amount, ComputationCall, RegistryCall};

fn refused(e: Error) -> TxStatus {
    TxStatus::Failed(DispatchError::Computation(e))
}

fn start(worker: &str, pha: u128) -> ComputationCall {
    ComputationCall::StartMining {
        worker: id(worker),
        stake: pha * UNITS_PER_PHA,
    }
}

fn stop(worker: &str) -> ComputationCall {
    ComputationCall::StopMining { worker: id(worker) }
}

fn reclaim(worker: &str) -> ComputationCall {
    ComputationCall::Reclaim { worker: id(worker) }
}

/// What a refusal must leave alone: the sessions, benchmarks and the stake pot.
fn snapshot(c: &Chain) -> Vec<Option<Vec<u8>>> {
    let mut keys: Vec<StateKey> = Vec::new();
    for w in WORKERS {
        keys.push(computation::state_key::session(&id(w)));
        keys.push(computation::state_key::benchmark(&id(w)));
    }
    let mut values: Vec<_> = keys.iter().map(|k| c.state.get(k).unwrap()).collect();
    values.push(Some(
        pots::balance(&c.state, pots::MINING_STAKE.0)
            .unwrap()
            .to_be_bytes()
            .to_vec(),
    ));
    values
}

#[test]
fn the_chain_measures_p_against_its_own_clock() {
    let mut c = mining_chain();
    // The first report only starts the measurement.
    let first = report(&mut c, "worker-1", 1_000, NOW_MS);
    assert_eq!(first.status, TxStatus::Success);
    assert_eq!(
        computation::benchmark(&c.state, &id("worker-1"))
            .unwrap()
            .unwrap()
            .p,
        0
    );
    // One second later is too soon to measure: accepted, nothing measured.
    assert_eq!(
        report(&mut c, "worker-1", 1_500, NOW_MS + SECOND).status,
        TxStatus::Success
    );
    assert_eq!(
        computation::benchmark(&c.state, &id("worker-1"))
            .unwrap()
            .unwrap()
            .p,
        0
    );
    // 12 s after the first: 2,400 iterations in 12 s is 1,200 per 6 s.
    let measured = report(&mut c, "worker-1", 3_400, NOW_MS + 12 * SECOND);
    assert!(measured.events.iter().any(|e| matches!(
        e,
        phalanx_runtime::Event::Computation(computation::Event::BenchmarkMeasured { p: 1_200, .. })
    )));
    // A counter that goes backwards (the worker restarted) starts again; P stays.
    assert_eq!(
        report(&mut c, "worker-1", 10, NOW_MS + 20 * SECOND).status,
        TxStatus::Success
    );
    let b = computation::benchmark(&c.state, &id("worker-1"))
        .unwrap()
        .unwrap();
    assert_eq!(
        (b.p, b.iterations, b.reported_ms),
        (1_200, 10, NOW_MS + 20 * SECOND)
    );
    // A claimed speed above the cap counts as the cap.
    report(&mut c, "worker-1", u64::MAX, NOW_MS + 30 * SECOND);
    let b = computation::benchmark(&c.state, &id("worker-1"))
        .unwrap()
        .unwrap();
    assert_eq!(b.p, c.params.computation.p_cap);
}

#[test]
fn every_bad_start_is_refused_with_its_own_error_and_changes_nothing() {
    let mut c = mining_chain();
    let t = NOW_MS + 60 * SECOND;
    let check = |c: &mut Chain, signer: &str, call: ComputationCall, expected: Error| {
        let before = snapshot(c);
        assert_eq!(c.call(signer, call, t), refused(expected));
        assert_eq!(snapshot(c), before, "{expected:?} changed state");
    };
    check(
        &mut c,
        "operator",
        start("nobody", 1_000),
        Error::UnknownWorker,
    );
    check(
        &mut c,
        "operator",
        start("worker-1", 1_000),
        Error::NoBenchmark,
    );
    measure(&mut c, "worker-1", 100, NOW_MS);
    measure(&mut c, "worker-2", 10, NOW_MS);
    check(&mut c, "bob", start("worker-1", 1_000), Error::NotOperator);
    check(
        &mut c,
        "operator",
        start("worker-2", 1_000),
        Error::BenchmarkTooLow,
    );
    // P = 100: the minimum is 100·√100 = 1,000 PHA; Vᵉ = 1.3·(S + 30) must stay ≤ 30,000.
    check(
        &mut c,
        "operator",
        start("worker-1", 999),
        Error::StakeTooLow,
    );
    check(
        &mut c,
        "operator",
        start("worker-1", 23_100),
        Error::StakeTooHigh,
    );
    // Expired attestation: the policy's age limit (7 days) has passed.
    let late = NOW_MS + 8 * DAY_MS;
    let before = snapshot(&c);
    assert_eq!(
        c.call("operator", start("worker-1", 1_000), late),
        refused(Error::AttestationExpired)
    );
    assert_eq!(snapshot(&c), before);

    // alice (1,000 PHA) runs worker-3 cannot: operator runs it. So give worker-3 to a poor
    // operator: alice registers her own worker.
    let w = info("worker-alice");
    let ev = evidence(&w, "alice", &genesis_hash(), NOW_MS);
    assert_eq!(c.call("alice", register(&w, ev), NOW_MS), TxStatus::Success);
    measure_as(&mut c, "worker-alice", "alice", 100, NOW_MS);
    let before = snapshot(&c);
    assert_eq!(
        c.call("alice", start("worker-alice", 1_000), t),
        refused(Error::InsufficientBalance)
    );
    assert_eq!(snapshot(&c), before);

    assert_eq!(
        c.call("operator", start("worker-1", 1_000), t),
        TxStatus::Success
    );
    check(
        &mut c,
        "operator",
        start("worker-1", 1_000),
        Error::AlreadyMining,
    );
    assert_eq!(c.call("operator", stop("worker-1"), t), TxStatus::Success);
    check(
        &mut c,
        "operator",
        start("worker-1", 1_000),
        Error::CoolingDown,
    );
}

#[test]
fn a_session_starts_stops_cools_down_and_returns_its_stake() {
    let mut c = mining_chain();
    let supply = counted_supply(&c);
    assert_eq!(supply, phalanx_types::MAX_SUPPLY);
    measure(&mut c, "worker-1", 100, NOW_MS);
    let t0 = NOW_MS + 60 * SECOND;
    let before = balance(&c, "operator");
    let started = c.call_receipt("operator", start("worker-1", 2_000), t0);
    assert_eq!(started.status, TxStatus::Success);
    let stake = 2_000 * UNITS_PER_PHA;
    assert_eq!(counted_supply(&c), supply);
    assert_eq!(balance(&c, "operator"), before - stake - started.fee_paid);
    assert_eq!(
        pots::balance(&c.state, pots::MINING_STAKE.0).unwrap(),
        stake
    );
    let session = computation::session(&c.state, &id("worker-1"))
        .unwrap()
        .unwrap();
    assert_eq!(session.state, SessionState::Mining);
    // Vᵉ = 1.3 · (2,000 + 0.3·100) = 2,639 (to fixed-point rounding).
    assert!((session.initial_value.to_f64() - 2_639.0).abs() < 1e-9);

    // Refusals around the lifecycle.
    assert_eq!(
        c.call("bob", stop("worker-1"), t0),
        refused(Error::NotSessionOwner)
    );
    assert_eq!(
        c.call("bob", reclaim("worker-1"), t0),
        refused(Error::NotCoolingDown)
    );
    assert_eq!(
        c.call("operator", stop("worker-2"), t0),
        refused(Error::NoSession)
    );

    // A day of mining: V grows while idle.
    let t1 = t0 + DAY_MS;
    let stopped = c.call_receipt("operator", stop("worker-1"), t1);
    assert_eq!(stopped.status, TxStatus::Success);
    let session = computation::session(&c.state, &id("worker-1"))
        .unwrap()
        .unwrap();
    assert_eq!(session.state, SessionState::CoolingDown);
    assert!(session.value.v > session.initial_value);
    assert_eq!(
        c.call("operator", stop("worker-1"), t1),
        refused(Error::NotMining)
    );

    // The cool-down lasts 7 days to the millisecond.
    let cool_down = c.params.computation.cool_down_ms;
    let early = t1 + cool_down - 1;
    assert_eq!(
        c.call("bob", reclaim("worker-1"), early),
        refused(Error::CoolDownNotOver)
    );
    // Anyone may finish it; the stake goes to the owner, all of it (V only grew).
    let before = balance(&c, "operator");
    assert_eq!(
        c.call("bob", reclaim("worker-1"), t1 + cool_down),
        TxStatus::Success
    );
    assert_eq!(balance(&c, "operator"), before + stake);
    assert_eq!(pots::balance(&c.state, pots::MINING_STAKE.0).unwrap(), 0);
    assert_eq!(
        computation::session(&c.state, &id("worker-1")).unwrap(),
        None
    );
    assert_eq!(
        c.call("bob", reclaim("worker-1"), t1 + cool_down),
        refused(Error::NoSession)
    );
    assert_eq!(counted_supply(&c), supply);

    // Ready again: the worker can mine a new session, once attested again (8 days passed,
    // beyond the policy's 7).
    let again = t1 + cool_down + SECOND;
    assert_eq!(
        c.call("operator", start("worker-1", 1_000), again),
        refused(Error::AttestationExpired)
    );
    let w = info("worker-1");
    let fresh = evidence(&w, "operator", &genesis_hash(), again);
    assert_eq!(
        c.call("operator", register(&w, fresh), again),
        TxStatus::Success
    );
    assert_eq!(
        c.call("operator", start("worker-1", 1_000), again),
        TxStatus::Success
    );
}

#[test]
fn a_seed_challenges_live_workers_and_an_unanswered_challenge_makes_them_unresponsive() {
    let mut c = mining_chain();
    let keys = with_beacon(&mut c);
    // Rates that challenge every live worker in every round, so the test does not depend on
    // which seed comes out.
    c.params.computation.heartbeats_per_hour = 1_000_000;
    c.params.computation.max_heartbeats_per_worker_per_hour = 3_600;
    measure(&mut c, "worker-2", 100, NOW_MS);
    measure(&mut c, "worker-3", 100, NOW_MS);
    let t0 = NOW_MS + 60 * SECOND;
    assert_eq!(
        c.call("operator", start("worker-2", 2_000), t0),
        TxStatus::Success
    );
    assert_eq!(
        c.call("operator", start("worker-3", 2_000), t0),
        TxStatus::Success
    );
    assert_eq!(computation::challenge::stats(&c.state).unwrap().live, 2);

    // A block without a seed challenges nobody.
    assert!(end_block(&mut c, t0).is_empty());

    let round_ms = c.params.beacon.round_ms;
    let round = t0 / round_ms;
    publish_seed(&mut c, &keys, round, t0);
    let events = end_block(&mut c, t0);
    let challenged: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            phalanx_runtime::Event::Computation(computation::Event::Challenged {
                worker,
                round: r,
            }) => {
                assert_eq!(*r, round);
                Some(worker.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(challenged.len(), 2, "{events:?}");
    // The same seed is not used twice.
    assert!(end_block(&mut c, t0 + 1).is_empty());
    let owed = computation::session(&c.state, &id("worker-2"))
        .unwrap()
        .unwrap();
    assert_eq!((owed.owed_round, owed.owed_since_ms), (Some(round), t0));

    // worker-3 stops: it owes nothing any more and is not judged.
    assert_eq!(
        c.call("operator", stop("worker-3"), t0 + SECOND),
        TxStatus::Success
    );
    assert_eq!(computation::challenge::stats(&c.state).unwrap().live, 1);

    // Within the window nothing happens; past it, worker-2 is unresponsive and decays.
    let window = c.params.computation.heartbeat_window_ms;
    assert!(end_block(&mut c, t0 + window - 1).is_empty());
    let events = end_block(&mut c, t0 + window);
    assert!(
        matches!(
            events.as_slice(),
            [phalanx_runtime::Event::Computation(computation::Event::Unresponsive { round: r, .. })] if *r == round
        ),
        "{events:?}"
    );
    let late = computation::session(&c.state, &id("worker-2"))
        .unwrap()
        .unwrap();
    assert_eq!(late.state, SessionState::Unresponsive);
    let v_then = late.value.v;
    // An unresponsive worker's V decays: stopping it a day later freezes a lower V.
    assert_eq!(
        c.call("operator", stop("worker-2"), t0 + window + DAY_MS),
        TxStatus::Success
    );
    let stopped = computation::session(&c.state, &id("worker-2"))
        .unwrap()
        .unwrap();
    assert!(
        stopped.value.v < v_then,
        "{} !< {}",
        stopped.value.v,
        v_then
    );
    // A day at 0.1 % per hour takes V below Vᵉ: the reclaim will return less than the stake.
    assert!(stopped.value.v < stopped.initial_value);
    assert!(stopped.returned_stake() < 2_000 * UNITS_PER_PHA);
}

#[test]
fn a_heartbeat_is_paid_from_the_emission_and_an_unresponsive_worker_recovers_unpaid() {
    let mut c = mining_chain();
    let keys = with_beacon(&mut c);
    c.params.computation.heartbeats_per_hour = 1_000_000;
    c.params.computation.max_heartbeats_per_worker_per_hour = 3_600;
    let supply = counted_supply(&c);
    measure(&mut c, "worker-2", 100, NOW_MS);
    let t0 = NOW_MS + 60 * SECOND;
    // The block before the start emits the first minute; nobody mines, so it stays unspread.
    end_block(&mut c, t0);
    assert_eq!(
        c.call("operator", start("worker-2", 2_000), t0),
        TxStatus::Success
    );
    // Nothing is owed yet: a heartbeat is refused.
    assert_eq!(
        heartbeat(&mut c, "worker-2", 1, 0, t0).status,
        refused(Error::NotChallenged)
    );
    // Emission accrues to the only share for a minute of blocks.
    let round_ms = c.params.beacon.round_ms;
    let mut t = t0;
    for _ in 0..5 {
        t += round_ms;
        end_block(&mut c, t);
    }
    let round = t / round_ms;
    publish_seed(&mut c, &keys, round, t);
    end_block(&mut c, t);
    let rewards_before = pots::balance(&c.state, pots::MINING_REWARDS.0).unwrap();

    // The wrong round is refused; the owed one is paid.
    assert_eq!(
        heartbeat(&mut c, "worker-2", round - 1, 0, t + SECOND).status,
        refused(Error::NotChallenged)
    );
    let owner_before = balance(&c, "operator");
    let treasury_before = pots::balance(&c.state, pots::TREASURY.0).unwrap();
    let answer = heartbeat(&mut c, "worker-2", round, 500, t + SECOND);
    assert_eq!(answer.status, TxStatus::Success);
    let (payout, treasury) = paid(&answer).unwrap();
    // A minute of emission at 720,000 PHA a day is 500 PHA; the only share gets it, less the
    // rounding of the accumulator, split 80/20.
    let total = payout + treasury;
    let minute = 500 * UNITS_PER_PHA;
    assert!(total <= minute && total > minute - UNITS_PER_PHA, "{total}");
    // Exactly a fifth, rounded to the base unit.
    assert_eq!(treasury, (total + 2) / 5);
    assert_eq!(
        balance(&c, "operator"),
        owner_before + payout - answer.fee_paid
    );
    assert_eq!(
        pots::balance(&c.state, pots::MINING_REWARDS.0).unwrap(),
        rewards_before - total
    );
    assert_eq!(
        pots::balance(&c.state, pots::TREASURY.0).unwrap(),
        treasury_before + treasury + answer.fee_paid
    );
    let s = computation::session(&c.state, &id("worker-2"))
        .unwrap()
        .unwrap();
    assert_eq!((s.owed_round, s.rewards), (None, payout));
    // V gave back what it grew (the payout is far larger): it is Vᵉ again.
    assert_eq!(s.value.v, s.initial_value);
    // Answering again is refused: nothing is owed, neither in the same block (no second
    // payout in one block) nor later.
    assert_eq!(
        heartbeat(&mut c, "worker-2", round, 550, t + SECOND).status,
        refused(Error::NotChallenged)
    );
    assert_eq!(
        heartbeat(&mut c, "worker-2", round, 600, t + 2 * SECOND).status,
        refused(Error::NotChallenged)
    );

    // The next round's challenge goes unanswered: unresponsive; then a late answer recovers it
    // without a payout.
    let next = round + 1;
    let t = next * round_ms;
    publish_seed(&mut c, &keys, next, t);
    end_block(&mut c, t);
    let window = c.params.computation.heartbeat_window_ms;
    end_block(&mut c, t + window);
    let late = computation::session(&c.state, &id("worker-2"))
        .unwrap()
        .unwrap();
    assert_eq!(late.state, SessionState::Unresponsive);
    let rewards_before = pots::balance(&c.state, pots::MINING_REWARDS.0).unwrap();
    let back = heartbeat(&mut c, "worker-2", next, 900, t + window + SECOND);
    assert_eq!(back.status, TxStatus::Success);
    assert_eq!(paid(&back), None);
    assert!(back.events.iter().any(|e| matches!(
        e,
        phalanx_runtime::Event::Computation(computation::Event::Recovered { .. })
    )));
    assert_eq!(
        pots::balance(&c.state, pots::MINING_REWARDS.0).unwrap(),
        rewards_before
    );
    let s = computation::session(&c.state, &id("worker-2"))
        .unwrap()
        .unwrap();
    assert_eq!(s.state, SessionState::Mining);

    // Challenged, then unresponsive, then stopped: its late answer is refused.
    let last = next + 20;
    let t = last * round_ms;
    publish_seed(&mut c, &keys, last, t);
    end_block(&mut c, t);
    end_block(&mut c, t + window);
    assert_eq!(
        computation::session(&c.state, &id("worker-2"))
            .unwrap()
            .unwrap()
            .state,
        SessionState::Unresponsive
    );
    assert_eq!(
        c.call("operator", stop("worker-2"), t + window),
        TxStatus::Success
    );
    assert_eq!(
        heartbeat(&mut c, "worker-2", last, 2_000, t + window + SECOND).status,
        refused(Error::NotMining)
    );
    assert_eq!(counted_supply(&c), supply);
}

/// One step of a random mining run.
#[derive(Debug, Clone)]
struct Step {
    /// Seconds of block time that pass.
    wait_s: u64,
    /// Whether the gatekeeper publishes the current round's seed.
    seed: bool,
    /// Which of worker-2 / worker-3 answer what they owe.
    answers: [bool; 2],
    /// Stop (or, once reclaimable, reclaim; or, with no session, start) one worker.
    toggle: Option<usize>,
    /// Someone proves that one worker signed two heartbeats for the current round.
    equivocate: Option<usize>,
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    (
        prop_oneof![1u64..20, 100u64..200, Just(3_600)],
        any::<bool>(),
        any::<[bool; 2]>(),
        prop_oneof![4 => Just(None), 1 => (0usize..2).prop_map(Some)],
        prop_oneof![9 => Just(None), 1 => (0usize..2).prop_map(Some)],
    )
        .prop_map(|(wait_s, seed, answers, toggle, equivocate)| Step {
            wait_s,
            seed,
            answers,
            toggle,
            equivocate,
        })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Over random runs of challenges, answers, silences, stops, restarts and slashes: the
    /// supply never changes; payouts plus treasury parts never exceed what was emitted; the
    /// treasury gets 20 % of each payout (exactly, rounded to the base unit); an unresponsive
    /// worker is never paid; V ≤ V_max; Σshare is the mining sessions' shares; the stake pot
    /// holds exactly the sessions' stakes; the treasury's income by source adds up to its
    /// balance.
    #[test]
    fn mining_runs_keep_every_invariant(steps in proptest::collection::vec(step(), 1..40)) {
        let mut c = mining_chain();
        let keys = with_beacon(&mut c);
        c.params.computation.heartbeats_per_hour = 1_000_000;
        c.params.computation.max_heartbeats_per_worker_per_hour = 3_600;
        // A short cool-down so that restarts happen within a run.
        c.params.computation.cool_down_ms = 600 * SECOND;
        let supply = counted_supply(&c);
        let workers = ["worker-2", "worker-3"];
        for w in workers {
            measure(&mut c, w, 100, NOW_MS);
        }
        let mut t = NOW_MS + 60 * SECOND;
        end_block(&mut c, t);
        let emitted_before = phalanx_runtime::tokenomics::emitted(&c.state).unwrap();
        for w in workers {
            assert_eq!(c.call("operator", start(w, 2_000), t), TxStatus::Success);
        }
        let round_ms = c.params.beacon.round_ms;
        let mut paid_total: Amount = 0;
        for s in steps {
            t += s.wait_s * SECOND;
            if s.seed {
                let round = t / round_ms;
                if phalanx_runtime::beacon::latest(&c.state).unwrap().is_none_or(|p| p.round < round) {
                    publish_seed(&mut c, &keys, round, t);
                }
            }
            end_block(&mut c, t);
            for (i, w) in workers.iter().enumerate() {
                let Some(session) = computation::session(&c.state, &id(w)).unwrap() else {
                    continue;
                };
                if let (true, Some(round)) = (s.answers[i], session.owed_round) {
                    let was = session.state;
                    let r = heartbeat(&mut c, w, round, t / 10, t + 1);
                    proptest::prop_assert_eq!(&r.status, &TxStatus::Success);
                    if let Some((payout, treasury)) = paid(&r) {
                        proptest::prop_assert_eq!(was, SessionState::Mining, "paid while unresponsive");
                        let total = payout + treasury;
                        proptest::prop_assert_eq!(treasury, (total + 2) / 5);
                        paid_total += total;
                    }
                }
            }
            if let Some(i) = s.toggle {
                let w = workers[i];
                match computation::session(&c.state, &id(w)).unwrap() {
                    Some(x) if x.state != SessionState::CoolingDown => {
                        proptest::prop_assert_eq!(c.call("operator", stop(w), t + 2), TxStatus::Success);
                    }
                    Some(x) if t + 2 >= x.cool_down_since_ms + c.params.computation.cool_down_ms => {
                        proptest::prop_assert_eq!(c.call("bob", reclaim(w), t + 2), TxStatus::Success);
                    }
                    Some(_) => {}
                    None => {
                        proptest::prop_assert_eq!(c.call("operator", start(w, 2_000), t + 2), TxStatus::Success);
                    }
                }
            }
            if let Some(i) = s.equivocate {
                let w = workers[i];
                if let Some(x) = computation::session(&c.state, &id(w)).unwrap() {
                    let round = (t + 3) / round_ms;
                    let treasury_before = pots::balance(&c.state, pots::TREASURY.0).unwrap();
                    let r = c.call_receipt("bob", equivocation(&c, w, round, 1, 2), t + 3);
                    if r.status == TxStatus::Success {
                        let cut = computation::treasury_part(x.stake, c.params.computation.slash_equivocation);
                        proptest::prop_assert_eq!(
                            pots::balance(&c.state, pots::TREASURY.0).unwrap(),
                            treasury_before + cut + r.fee_paid
                        );
                        let after = computation::session(&c.state, &id(w)).unwrap().unwrap();
                        proptest::prop_assert_eq!(after.state, SessionState::CoolingDown);
                    } else {
                        proptest::prop_assert!(
                            r.status == refused(Error::AlreadySlashed)
                                || r.status == refused(Error::EvidenceBeforeSession),
                            "{:?}", r.status
                        );
                    }
                }
            }
            let stakes: Amount = workers
                .iter()
                .filter_map(|w| computation::session(&c.state, &id(w)).unwrap())
                .map(|x| x.stake)
                .sum();
            proptest::prop_assert_eq!(pots::balance(&c.state, pots::MINING_STAKE.0).unwrap(), stakes);
            // The treasury's income by source adds up to its balance.
            let income: Amount = phalanx_runtime::treasury::Source::ALL
                .iter()
                .map(|s| phalanx_runtime::treasury::income(&c.state, *s).unwrap())
                .sum();
            proptest::prop_assert_eq!(pots::balance(&c.state, pots::TREASURY.0).unwrap(), income);
            let mut mining_shares = phalanx_runtime::fixed::Fixed::ZERO;
            for w in workers {
                if let Some(x) = computation::session(&c.state, &id(w)).unwrap() {
                    proptest::prop_assert!(x.value.v <= c.params.computation.v_max);
                    if x.state == SessionState::Mining {
                        mining_shares = mining_shares.saturating_add(x.share);
                    }
                }
            }
            // Σshare is exactly the mining sessions' shares (unresponsive and stopped ones
            // earn nothing).
            let pool = computation::rewards::pool(&c.state).unwrap();
            proptest::prop_assert_eq!(pool.total_share, mining_shares);
            let emitted = phalanx_runtime::tokenomics::emitted(&c.state).unwrap();
            proptest::prop_assert!(paid_total <= emitted - emitted_before, "{paid_total} > {}", emitted - emitted_before);
            proptest::prop_assert_eq!(counted_supply(&c), supply);
        }
    }
}

fn slashed(receipt: &Receipt) -> Option<(String, Amount, Amount)> {
    receipt.events.iter().find_map(|e| match e {
        phalanx_runtime::Event::Computation(computation::Event::Slashed {
            offence,
            amount,
            stake,
            ..
        }) => Some((offence.clone(), *amount, *stake)),
        _ => None,
    })
}

#[test]
fn an_equivocation_is_slashed_once_and_a_resend_is_not_one() {
    let mut c = mining_chain();
    let supply = counted_supply(&c);
    measure(&mut c, "worker-2", 100, NOW_MS);
    let t = NOW_MS + 60 * SECOND;
    assert_eq!(
        c.call("operator", start("worker-2", 2_000), t),
        TxStatus::Success
    );
    let round = t / c.params.beacon.round_ms;
    let before = snapshot(&c);

    // Refusals, each with its own code, change nothing.
    let resend = ComputationCall::ReportEquivocation {
        worker: id("worker-2"),
        round,
        first: Box::new(signed_heartbeat(&c, "worker-2", 7, round, 5)),
        second: Box::new(signed_heartbeat(&c, "worker-2", 8, round, 5)),
    };
    assert_eq!(c.call("bob", resend, t), refused(Error::NotEquivocation));
    let mut forged = equivocation(&c, "worker-2", round, 5, 6);
    if let ComputationCall::ReportEquivocation { second, .. } = &mut forged {
        second.signature = signed_heartbeat(&c, "worker-3", 8, round, 6).signature;
    }
    assert_eq!(c.call("bob", forged, t), refused(Error::BadEvidence));
    // Signed for another round than the one claimed.
    let mut moved = equivocation(&c, "worker-2", round, 5, 6);
    if let ComputationCall::ReportEquivocation { round: r, .. } = &mut moved {
        *r += 1;
    }
    assert_eq!(c.call("bob", moved, t), refused(Error::BadEvidence));
    assert_eq!(
        c.call("bob", equivocation(&c, "worker-2", round - 10, 5, 6), t),
        refused(Error::EvidenceBeforeSession)
    );
    assert_eq!(
        c.call("bob", equivocation(&c, "worker-3", round, 5, 6), t),
        refused(Error::NoSession)
    );
    assert_eq!(snapshot(&c), before);

    // The proof: 10 % of the stake to the treasury, the session stopped.
    let treasury = pots::balance(&c.state, pots::TREASURY.0).unwrap();
    let r = c.call_receipt("bob", equivocation(&c, "worker-2", round, 5, 6), t);
    assert_eq!(r.status, TxStatus::Success);
    let (offence, amount, left) = slashed(&r).unwrap();
    assert_eq!(offence, "equivocation");
    assert_eq!((amount, left), (200 * UNITS_PER_PHA, 1_800 * UNITS_PER_PHA));
    assert_eq!(
        pots::balance(&c.state, pots::TREASURY.0).unwrap(),
        treasury + amount + r.fee_paid
    );
    let s = computation::session(&c.state, &id("worker-2"))
        .unwrap()
        .unwrap();
    assert_eq!((s.state, s.stake), (SessionState::CoolingDown, left));
    assert_eq!(
        computation::rewards::pool(&c.state).unwrap().total_share,
        Default::default()
    );
    // Once per worker and round.
    assert_eq!(
        c.call("bob", equivocation(&c, "worker-2", round, 5, 7), t),
        refused(Error::AlreadySlashed)
    );
    assert_eq!(counted_supply(&c), supply);
}

#[test]
fn a_revoked_attestation_is_slashed_on_report_and_at_the_next_heartbeat() {
    let mut c = mining_chain();
    let keys = with_beacon(&mut c);
    c.params.computation.heartbeats_per_hour = 1_000_000;
    c.params.computation.max_heartbeats_per_worker_per_hour = 3_600;
    let supply = counted_supply(&c);
    for w in ["worker-2", "worker-3"] {
        measure(&mut c, w, 100, NOW_MS);
    }
    let t = NOW_MS + 60 * SECOND;
    for w in ["worker-2", "worker-3"] {
        assert_eq!(c.call("operator", start(w, 2_000), t), TxStatus::Success);
    }
    let revoke = |w: &str| ComputationCall::ReportRevoked { worker: id(w) };
    assert_eq!(
        c.call("bob", revoke("worker-2"), t),
        refused(Error::NotRevoked)
    );

    // The root removes the workers' measurement from the allow-list.
    let mut policy = dev_policy();
    policy.allowed_measurements = vec!["ab".repeat(32)];
    let set = RegistryCall::SetAttestationPolicy { policy };
    assert_eq!(c.call("alice", set, t), TxStatus::Success);

    // Anyone reports it: 1 % of the stake, the session stopped; a second report is refused.
    let r = c.call_receipt("bob", revoke("worker-2"), t + SECOND);
    assert_eq!(r.status, TxStatus::Success);
    let (offence, amount, _) = slashed(&r).unwrap();
    assert_eq!(
        (offence.as_str(), amount),
        ("revoked_attestation", 20 * UNITS_PER_PHA)
    );
    assert_eq!(
        c.call("bob", revoke("worker-2"), t + SECOND),
        refused(Error::NotMining)
    );

    // worker-3 is found out at its next heartbeat: slashed and stopped instead of paid.
    let round_ms = c.params.beacon.round_ms;
    let t = t + 2 * round_ms;
    let round = t / round_ms;
    publish_seed(&mut c, &keys, round, t);
    end_block(&mut c, t);
    let owed = computation::session(&c.state, &id("worker-3"))
        .unwrap()
        .unwrap();
    assert_eq!(owed.owed_round, Some(round));
    let r = heartbeat(&mut c, "worker-3", round, 500, t + SECOND);
    assert_eq!(r.status, TxStatus::Success);
    assert_eq!(paid(&r), None);
    assert_eq!(slashed(&r).unwrap().0, "revoked_attestation");
    let s = computation::session(&c.state, &id("worker-3"))
        .unwrap()
        .unwrap();
    assert_eq!(s.state, SessionState::CoolingDown);
    assert_eq!(counted_supply(&c), supply);
}
