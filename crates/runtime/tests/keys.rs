#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The `keys` module: the threshold master key. Promotion starts a DKG (the first) or a
//! reshare (later ones); the chain checks every dealing, acknowledgement and dealer log and
//! publishes the group public key; gatekeepers' key shares reach workers' inboxes once;
//! rotation runs a fresh DKG. The gatekeepers are played with the real threshold cryptography
//! (`common::dkg`), and each refusal has its own code and changes nothing.

mod common;

use common::dkg::*;
use common::*;
use commonware_codec::Encode;
use phalanx_runtime::{Event, State, keys, mq};
use phalanx_threshold::{
    acknowledge, dealer, dealer_log, group_public_key, partial, recover_cluster_key, round_info,
};
use phalanx_types::{ChainMessage, KeyKind, KeysCall, Payload};
use std::collections::BTreeMap;

const CLUSTER_0: KeyKind = KeyKind::Cluster {
    cluster: 0,
    generation: 0,
};

fn refused(receipt: &Receipt, error: DispatchError) {
    assert_eq!(receipt.status, TxStatus::Failed(error));
}

/// The `keys` state of round `round` that a refused DKG message could have touched.
fn keys_snapshot(c: &Chain, round: u64) -> Vec<Option<Vec<u8>>> {
    let mut keys_ = vec![
        keys::state_key::generation(),
        keys::state_key::master_public(0),
        keys::state_key::active(),
        keys::state_key::round(round),
        keys::state_key::logged(round),
        keys::state_key::output(round),
    ];
    for w in WORKERS {
        keys_.push(keys::state_key::deal(round, &id(w)));
        keys_.push(keys::state_key::log(round, &id(w)));
        for p in WORKERS {
            keys_.push(keys::state_key::ack(round, &id(w), &id(p)));
        }
    }
    keys_.iter().map(|k| c.state.get(k).unwrap()).collect()
}

#[test]
fn the_first_promotion_runs_a_dkg_and_its_log_publishes_the_master_key() {
    let mut c = chain_with_workers();
    assert_eq!(keys::active(&c.state).unwrap(), None);
    let receipt = promote(&mut c, "worker-1");
    assert!(receipt.events.iter().any(|e| matches!(
        e,
        Event::Keys(phalanx_runtime::keys::Event::DkgRoundStarted {
            round: 0,
            generation: 0,
            reshare: false,
            dealers: 1,
            players: 1
        })
    )));
    let record = keys::active(&c.state).unwrap().unwrap();
    assert_eq!(record.dealers, vec![id("worker-1")]);
    assert_eq!(record.players, vec![id("worker-1")]);
    let info = keys::round_info(&c.state, &c.chain, &record)
        .unwrap()
        .unwrap();
    let (state, pub_msg, privs) =
        dealer(&seed("worker-1"), &info, dev_key("worker-1"), None).unwrap();
    let commitment = pub_msg.encode().to_vec();
    let deal = |round, commitment: &[u8], shares| Payload::DkgDeal {
        round,
        commitment: commitment.to_vec(),
        shares: (0..shares).map(|_| envelope(1)).collect(),
    };

    // worker-2 becomes a gatekeeper during the round: it is neither dealer nor player of it
    // (the round waits; a reshare to it follows). worker-3 is no gatekeeper at all.
    let receipt = promote(&mut c, "worker-2");
    assert!(!receipt.events.iter().any(|e| matches!(
        e,
        Event::Keys(phalanx_runtime::keys::Event::DkgRoundStarted { .. })
    )));

    // Dealings: only the round's dealers, for the running round, well formed.
    let before = keys_snapshot(&c, 0);
    refused(
        &send(&mut c, "worker-3", deal(0, &commitment, 1)),
        DispatchError::Keys(phalanx_runtime::keys::Error::NotGatekeeper),
    );
    refused(
        &send(&mut c, "worker-2", deal(0, &commitment, 1)),
        DispatchError::Keys(phalanx_runtime::keys::Error::NotDealer),
    );
    refused(
        &send(&mut c, "worker-1", deal(1, &commitment, 1)),
        DispatchError::Keys(phalanx_runtime::keys::Error::DkgWrongRound),
    );
    refused(
        &send(&mut c, "worker-1", deal(0, &[7; 40], 1)),
        DispatchError::Keys(phalanx_runtime::keys::Error::DkgBadMessage),
    );
    refused(
        &send(&mut c, "worker-1", deal(0, &commitment, 2)),
        DispatchError::Keys(phalanx_runtime::keys::Error::DkgBadMessage),
    );
    assert_eq!(keys_snapshot(&c, 0), before);

    // The dealing: free for the gatekeeper doing new work (the relayer is refunded).
    let receipt = send(&mut c, "worker-1", deal(0, &commitment, 1));
    assert_eq!(receipt.status, TxStatus::Success);
    assert_eq!(receipt.fee_paid, 0);
    assert!(receipt.events.iter().any(|e| matches!(
        e,
        Event::Fees(phalanx_runtime::fees::Event::FeeRefunded { .. })
    )));
    // The same dealing again confirms and pays; a different one is a disagreement.
    let receipt = send(&mut c, "worker-1", deal(0, &commitment, 1));
    assert_eq!(receipt.status, TxStatus::Success);
    assert_eq!(receipt.fee_paid, UNITS_PER_PHA);
    let before = keys_snapshot(&c, 0);
    let mut other = deal(0, &commitment, 1);
    if let Payload::DkgDeal { shares, .. } = &mut other {
        shares[0] = envelope(2);
    }
    refused(
        &send(&mut c, "worker-1", other),
        DispatchError::Keys(phalanx_runtime::keys::Error::KeyDisagreement),
    );
    assert_eq!(keys_snapshot(&c, 0), before);

    // Acknowledgements: only from players, of a dealer that dealt, well formed.
    let (player, priv_msg) = privs[0].clone();
    let ack = acknowledge(
        &info,
        dev_key("worker-1"),
        dev_key("worker-1").public_key(),
        pub_msg.clone(),
        priv_msg,
    )
    .unwrap();
    let ack_from = |dealer: &str, bytes: Vec<u8>| Payload::DkgAck {
        round: 0,
        dealer: id(dealer),
        ack: bytes,
    };
    refused(
        &send(
            &mut c,
            "worker-2",
            ack_from("worker-1", ack.encode().to_vec()),
        ),
        DispatchError::Keys(phalanx_runtime::keys::Error::NotPlayer),
    );
    refused(
        &send(
            &mut c,
            "worker-1",
            ack_from("worker-3", ack.encode().to_vec()),
        ),
        DispatchError::Keys(phalanx_runtime::keys::Error::NotDealer),
    );
    refused(
        &send(&mut c, "worker-1", ack_from("worker-1", vec![1; 3])),
        DispatchError::Keys(phalanx_runtime::keys::Error::DkgBadMessage),
    );
    assert_eq!(keys_snapshot(&c, 0), before);
    let ok = send(
        &mut c,
        "worker-1",
        ack_from("worker-1", ack.encode().to_vec()),
    );
    assert_eq!(ok.status, TxStatus::Success);

    // Logs: only from dealers, decodable, and passing every check for this round.
    let signed = dealer_log(state, [(player, ack)]);
    let log = |round, bytes: Vec<u8>| Payload::DkgLog { round, log: bytes };
    let before = keys_snapshot(&c, 0);
    refused(
        &send(&mut c, "worker-2", log(0, signed.encode().to_vec())),
        DispatchError::Keys(phalanx_runtime::keys::Error::NotDealer),
    );
    refused(
        &send(&mut c, "worker-1", log(0, vec![0; 12])),
        DispatchError::Keys(phalanx_runtime::keys::Error::DkgBadMessage),
    );
    // A log made for another round (another transcript) does not check for this one.
    let ids = [id("worker-1")];
    let later = round_info(&c.chain, 5, None, &ids, &ids).unwrap();
    let (other_state, _, _) = dealer(&seed("worker-1"), &later, dev_key("worker-1"), None).unwrap();
    let stale = dealer_log(other_state, []);
    refused(
        &send(&mut c, "worker-1", log(0, stale.encode().to_vec())),
        DispatchError::Keys(phalanx_runtime::keys::Error::DkgBadLog),
    );
    assert_eq!(keys_snapshot(&c, 0), before);
    assert_eq!(keys::generation(&c.state).unwrap(), None);

    // The one dealer's log is a quorum: the round ends and the group key is published.
    let receipt = send(&mut c, "worker-1", log(0, signed.encode().to_vec()));
    assert_eq!(receipt.status, TxStatus::Success);
    assert_eq!(receipt.fee_paid, 0);
    let published = receipt.events.iter().find_map(|e| match e {
        Event::Keys(phalanx_runtime::keys::Event::MasterKeyPublished {
            generation,
            round,
            public_key,
            threshold,
            holders,
        }) => Some((
            *generation,
            *round,
            public_key.clone(),
            *threshold,
            *holders,
        )),
        _ => None,
    });
    let (generation, round, public_key, threshold, holders) = published.unwrap();
    assert_eq!((generation, round, threshold, holders), (0, 0, 1, 1));
    assert_eq!(keys::generation(&c.state).unwrap(), Some(0));
    assert_eq!(keys::latest(&c.state, 0).unwrap(), Some(0));
    let master = keys::master_public(&c.state, 0).unwrap().unwrap();
    assert_eq!(hex::encode(master), public_key);
    // The set moved on during the round, so the reshare to worker-1 and worker-2 starts.
    assert!(receipt.events.iter().any(|e| matches!(
        e,
        Event::Keys(phalanx_runtime::keys::Event::DkgRoundStarted {
            round: 1,
            generation: 0,
            reshare: true,
            dealers: 1,
            players: 2
        })
    )));
    // The round is over: its messages are refused now.
    refused(
        &send(&mut c, "worker-1", log(0, signed.encode().to_vec())),
        DispatchError::Keys(phalanx_runtime::keys::Error::DkgWrongRound),
    );
    refused(
        &send(&mut c, "worker-1", deal(0, &commitment, 1)),
        DispatchError::Keys(phalanx_runtime::keys::Error::DkgWrongRound),
    );
}

#[test]
fn a_promotion_reshares_the_same_key_to_the_new_set() {
    let mut c = chain_with_workers();
    promote(&mut c, "worker-1");
    let first = run_round(&mut c, &BTreeMap::new());
    let master = keys::master_public(&c.state, 0).unwrap().unwrap();
    assert_eq!(group_public_key(&first.output), master.to_vec());

    let receipt = promote(&mut c, "worker-2");
    assert!(receipt.events.iter().any(|e| matches!(
        e,
        Event::Keys(phalanx_runtime::keys::Event::DkgRoundStarted {
            round: 1,
            generation: 0,
            reshare: true,
            dealers: 1,
            players: 2
        })
    )));
    let reshared = run_round(&mut c, &first.shares);
    assert!(reshared.events.iter().any(|e| matches!(
        e,
        Event::Keys(phalanx_runtime::keys::Event::MasterKeyPublished {
            generation: 0,
            round: 1,
            threshold: 2,
            holders: 2,
            ..
        })
    )));
    // Same group key, now two-of-two; the latest sharing of generation 0 is round 1.
    assert_eq!(keys::master_public(&c.state, 0).unwrap().unwrap(), master);
    assert_eq!(group_public_key(&reshared.output), master.to_vec());
    assert_eq!(keys::latest(&c.state, 0).unwrap(), Some(1));
    assert_eq!(keys::generation(&c.state).unwrap(), Some(0));

    // The cluster key the new pair recovers is the one worker-1 alone gave before.
    let alone = partial(&first.shares[&id("worker-1")], &c.chain, 0, 0);
    let before = recover_cluster_key(&first.output, &c.chain, 0, 0, &[alone]).unwrap();
    let pair: Vec<_> = reshared
        .shares
        .values()
        .map(|s| partial(s, &c.chain, 0, 0))
        .collect();
    let after = recover_cluster_key(&reshared.output, &c.chain, 0, 0, &pair).unwrap();
    assert_eq!(*before, *after);
    // One share of the pair is not enough.
    assert!(recover_cluster_key(&reshared.output, &c.chain, 0, 0, &pair[..1]).is_err());
}

#[test]
fn key_shares_reach_the_inbox_once_per_holder() {
    let (mut c, reshared) = chain_with_master_key();
    let share = |recipient: &str, key, round, fill| Payload::KeyShare {
        recipient: id(recipient),
        key,
        round,
        envelope: envelope(fill),
    };
    let r = reshared.round;
    let inbox = id("worker-3");
    let before = mq::state_key::inbox(&inbox).len(&c.state).unwrap();
    refused(
        &send(&mut c, "worker-3", share("worker-1", CLUSTER_0, r, 5)),
        DispatchError::Keys(phalanx_runtime::keys::Error::NotGatekeeper),
    );
    // Round 0's sharing is superseded by the reshare; generation 1 does not exist.
    refused(
        &send(&mut c, "worker-1", share("worker-3", CLUSTER_0, 0, 5)),
        DispatchError::Keys(phalanx_runtime::keys::Error::UnexpectedGeneration),
    );
    let future = KeyKind::Cluster {
        cluster: 0,
        generation: 1,
    };
    refused(
        &send(&mut c, "worker-1", share("worker-3", future, r, 5)),
        DispatchError::Keys(phalanx_runtime::keys::Error::UnexpectedGeneration),
    );
    let other_cluster = KeyKind::Cluster {
        cluster: 7,
        generation: 0,
    };
    refused(
        &send(&mut c, "worker-1", share("worker-3", other_cluster, r, 5)),
        DispatchError::Keys(phalanx_runtime::keys::Error::UnknownCluster),
    );
    refused(
        &send(&mut c, "worker-1", share("nobody", CLUSTER_0, r, 5)),
        DispatchError::Keys(phalanx_runtime::keys::Error::UnknownRecipient),
    );
    assert_eq!(mq::state_key::inbox(&inbox).len(&c.state).unwrap(), before);

    // worker-1's share: into the inbox, free.
    let receipt = send(&mut c, "worker-1", share("worker-3", CLUSTER_0, r, 5));
    assert_eq!(receipt.status, TxStatus::Success);
    assert_eq!(receipt.fee_paid, 0);
    assert_eq!(
        mq::state_key::inbox(&inbox).len(&c.state).unwrap(),
        before + 1
    );
    assert!(matches!(
        mq::state_key::inbox(&inbox).get(&c.state, before).unwrap(),
        Some(ChainMessage::KeyShareDelivered { sender, key: CLUSTER_0, round, .. })
            if sender == id("worker-1") && round == r
    ));
    // The same share again confirms and pays; a different one from the same holder is a
    // disagreement and changes nothing.
    let receipt = send(&mut c, "worker-1", share("worker-3", CLUSTER_0, r, 5));
    assert_eq!(receipt.status, TxStatus::Success);
    assert_eq!(receipt.fee_paid, UNITS_PER_PHA);
    assert_eq!(
        mq::state_key::inbox(&inbox).len(&c.state).unwrap(),
        before + 1
    );
    let held = keys::share_delivery(&c.state, &inbox, &CLUSTER_0, r, &id("worker-1")).unwrap();
    refused(
        &send(&mut c, "worker-1", share("worker-3", CLUSTER_0, r, 6)),
        DispatchError::Keys(phalanx_runtime::keys::Error::KeyDisagreement),
    );
    assert_eq!(
        keys::share_delivery(&c.state, &inbox, &CLUSTER_0, r, &id("worker-1")).unwrap(),
        held
    );
    assert_eq!(
        mq::state_key::inbox(&inbox).len(&c.state).unwrap(),
        before + 1
    );
    // The other holder's share (its own partial, so its own envelope) is delivered too.
    let receipt = send(&mut c, "worker-2", share("worker-3", CLUSTER_0, r, 6));
    assert_eq!(receipt.status, TxStatus::Success);
    assert_eq!(
        mq::state_key::inbox(&inbox).len(&c.state).unwrap(),
        before + 2
    );

    // worker-3 becomes a gatekeeper: until the reshare to it finishes it holds no share of
    // generation 0, so it has nothing to send.
    promote(&mut c, "worker-3");
    assert_eq!(keys::active(&c.state).unwrap().unwrap().players.len(), 3);
    refused(
        &send(&mut c, "worker-3", share("worker-1", CLUSTER_0, r, 5)),
        DispatchError::Keys(phalanx_runtime::keys::Error::NotShareHolder),
    );
}

#[test]
fn rotation_is_privileged_and_runs_a_fresh_dkg() {
    let mut c = chain_with_workers();
    assert_eq!(
        c.call("alice", KeysCall::RotateMasterKey, NOW_MS),
        TxStatus::Failed(DispatchError::Keys(
            phalanx_runtime::keys::Error::NoMasterKey
        ))
    );
    promote(&mut c, "worker-1");
    let first = run_round(&mut c, &BTreeMap::new());
    let gen0 = keys::master_public(&c.state, 0).unwrap().unwrap();
    assert_eq!(
        c.call("bob", KeysCall::RotateMasterKey, NOW_MS),
        TxStatus::Failed(DispatchError::Keys(phalanx_runtime::keys::Error::NotRoot))
    );
    let receipt = c.call_receipt("alice", KeysCall::RotateMasterKey, NOW_MS);
    assert_eq!(receipt.status, TxStatus::Success);
    assert!(receipt.events.iter().any(|e| matches!(
        e,
        Event::Keys(phalanx_runtime::keys::Event::DkgRoundStarted {
            generation: 1,
            reshare: false,
            ..
        })
    )));
    let last = mq::state_key::broadcast().len(&c.state).unwrap() - 1;
    assert_eq!(
        mq::state_key::broadcast().get(&c.state, last).unwrap(),
        Some(ChainMessage::MasterKeyRotation { generation: 1 })
    );
    assert_eq!(
        c.call("alice", KeysCall::RotateMasterKey, NOW_MS),
        TxStatus::Failed(DispatchError::Keys(
            phalanx_runtime::keys::Error::RotationPending
        ))
    );
    // A promotion during the round waits for it: no second round starts.
    let receipt = promote(&mut c, "worker-2");
    assert!(!receipt.events.iter().any(|e| matches!(
        e,
        Event::Keys(phalanx_runtime::keys::Event::DkgRoundStarted { .. })
    )));

    let rotated = run_round(&mut c, &BTreeMap::new());
    assert_eq!(keys::generation(&c.state).unwrap(), Some(1));
    let gen1 = keys::master_public(&c.state, 1).unwrap().unwrap();
    assert_ne!(gen1, gen0, "a rotation makes an independent secret");
    // Old generations stay, for old data.
    assert_eq!(keys::master_public(&c.state, 0).unwrap().unwrap(), gen0);
    assert_eq!(keys::latest(&c.state, 0).unwrap(), Some(first.round));
    // The finished round saw that the set moved on and started a reshare of generation 1.
    assert!(rotated.events.iter().any(|e| matches!(
        e,
        Event::Keys(phalanx_runtime::keys::Event::DkgRoundStarted {
            generation: 1,
            reshare: true,
            dealers: 1,
            players: 2,
            ..
        })
    )));
    let reshared = run_round(&mut c, &rotated.shares);
    assert_eq!(group_public_key(&reshared.output), gen1.to_vec());
    assert_eq!(keys::active(&c.state).unwrap(), None);
}
