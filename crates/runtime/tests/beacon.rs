#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The `beacon` component: gatekeepers' partial signatures become one seed per round, checked
//! against the master key; every refusal has its own code and changes nothing.

mod common;

use common::dkg::*;
use common::*;
use commonware_codec::Encode;
use phalanx_runtime::{Event, State, beacon};
use phalanx_threshold::{beacon_partial, recover_beacon};
use phalanx_types::Payload;

const ROUND_MS: u64 = 12_000;

/// The round NOW_MS falls in, and a time inside it.
fn now_round() -> u64 {
    NOW_MS / ROUND_MS
}

fn share_msg(c: &Chain, from: &str, round: u64, partial: Vec<u8>) -> Call {
    message(
        c,
        from,
        from,
        next_seq(c, from),
        Payload::BeaconShare { round, partial },
    )
}

fn partial_of(f: &Finished, worker: &str, c: &Chain, round: u64) -> Vec<u8> {
    beacon_partial(&f.shares[&id(worker)], &c.chain, round)
        .encode()
        .to_vec()
}

fn refused(e: beacon::Error) -> TxStatus {
    TxStatus::Failed(DispatchError::Beacon(e))
}

fn snapshot(c: &Chain) -> Vec<Option<Vec<u8>>> {
    [beacon::state_key::pending(), beacon::state_key::latest()]
        .iter()
        .map(|k| c.state.get(k).unwrap())
        .collect()
}

fn published(receipt: &Receipt) -> Option<(u64, [u8; 32], u32)> {
    receipt.events.iter().find_map(|e| match e {
        Event::Beacon(beacon::Event::SeedPublished {
            round,
            seed,
            signers,
        }) => Some((*round, *seed, *signers)),
        _ => None,
    })
}

#[test]
fn a_quorum_of_gatekeepers_publishes_each_rounds_seed() {
    let (mut c, keys) = chain_with_master_key();
    let r = now_round();
    let at = r * ROUND_MS + 1;

    // worker-1's partial is collected; the threshold (2 of 2) is not reached.
    let m = share_msg(&c, "worker-1", r, partial_of(&keys, "worker-1", &c, r));
    let first = c.call_receipt("operator", m, at);
    assert_eq!(first.status, TxStatus::Success);
    assert_eq!(published(&first), None);
    assert_eq!(beacon::latest(&c.state).unwrap(), None);
    // The same partial again is a confirmation: accepted, changes nothing.
    let before = snapshot(&c);
    let m = share_msg(&c, "worker-1", r, partial_of(&keys, "worker-1", &c, r));
    assert_eq!(c.call("operator", m, at), TxStatus::Success);
    assert_eq!(snapshot(&c), before);

    // worker-2's completes it: the seed is SHA-256 of the group signature.
    let m = share_msg(&c, "worker-2", r, partial_of(&keys, "worker-2", &c, r));
    let second = c.call_receipt("operator", m, at);
    assert_eq!(second.status, TxStatus::Success);
    let partials: Vec<_> = ["worker-1", "worker-2"]
        .iter()
        .map(|w| beacon_partial(&keys.shares[&id(w)], &c.chain, r))
        .collect();
    let expected = recover_beacon(&keys.output, &c.chain, r, &partials).unwrap();
    assert_eq!(published(&second), Some((r, expected, 2)));
    let latest = beacon::latest(&c.state).unwrap().unwrap();
    assert_eq!((latest.round, latest.seed), (r, expected));
    assert_eq!(c.state.get(&beacon::state_key::pending()).unwrap(), None);

    // Late shares for a published round change nothing.
    let before = snapshot(&c);
    let m = share_msg(&c, "worker-2", r, partial_of(&keys, "worker-2", &c, r));
    assert_eq!(c.call("operator", m, at + ROUND_MS), TxStatus::Success);
    assert_eq!(snapshot(&c), before);

    // The next round gets another seed.
    let next = r + 1;
    let at = next * ROUND_MS;
    for w in ["worker-1", "worker-2"] {
        let m = share_msg(&c, w, next, partial_of(&keys, w, &c, next));
        assert_eq!(c.call("operator", m, at), TxStatus::Success);
    }
    let latest = beacon::latest(&c.state).unwrap().unwrap();
    assert_eq!(latest.round, next);
    assert_ne!(latest.seed, expected);
}

#[test]
fn bad_shares_are_refused_with_their_own_error_and_change_nothing() {
    let (mut c, keys) = chain_with_master_key();
    let r = now_round();
    let at = r * ROUND_MS + 1;
    let check = |c: &mut Chain, from: &str, round: u64, partial: Vec<u8>, at_ms: u64, e| {
        let before = snapshot(c);
        let m = share_msg(c, from, round, partial);
        assert_eq!(c.call("operator", m, at_ms), refused(e));
        assert_eq!(snapshot(c), before, "{e:?} changed state");
    };
    // worker-3 is not a gatekeeper.
    let forged = partial_of(&keys, "worker-1", &c, r);
    check(
        &mut c,
        "worker-3",
        r,
        forged,
        at,
        beacon::Error::NotGatekeeper,
    );
    // A round that has not begun at the block's time: its seed must not exist early.
    let future = partial_of(&keys, "worker-1", &c, r + 1);
    check(
        &mut c,
        "worker-1",
        r + 1,
        future,
        at,
        beacon::Error::RoundNotStarted,
    );
    // A round older than max_late_rounds (2).
    let old = partial_of(&keys, "worker-1", &c, r - 3);
    check(
        &mut c,
        "worker-1",
        r - 3,
        old,
        at,
        beacon::Error::RoundTooOld,
    );
    check(
        &mut c,
        "worker-1",
        r,
        vec![1, 2, 3],
        at,
        beacon::Error::MalformedPartial,
    );
    // A partial for another round does not verify for this one.
    let wrong = partial_of(&keys, "worker-1", &c, r - 1);
    check(&mut c, "worker-1", r, wrong, at, beacon::Error::BadPartial);
    // Once a newer round is being collected, an older one is refused.
    let m = share_msg(&c, "worker-1", r, partial_of(&keys, "worker-1", &c, r));
    assert_eq!(c.call("operator", m, at), TxStatus::Success);
    let older = partial_of(&keys, "worker-2", &c, r - 1);
    check(
        &mut c,
        "worker-2",
        r - 1,
        older,
        at,
        beacon::Error::RoundTooOld,
    );
}

#[test]
fn without_a_master_key_there_is_no_seed() {
    let mut c = chain_with_workers();
    promote(&mut c, "worker-1");
    // The DKG has started but not finished: no generation to verify against.
    let r = now_round();
    let m = share_msg(&c, "worker-1", r, vec![0; 100]);
    assert_eq!(
        c.call("operator", m, r * ROUND_MS),
        refused(beacon::Error::NoMasterKey)
    );
    assert_eq!(beacon::latest(&c.state).unwrap(), None);
}
