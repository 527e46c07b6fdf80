#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The `mq` and `keys` modules: worker messages (signature, sequence, relaying, free for
//! gatekeepers), the chain's queues, master key publication, deliveries, disagreement and
//! rotation. Each refusal has its own code and changes nothing.

mod common;

use common::*;
use phalanx_runtime::{Event, State, keys, mq};
use phalanx_types::{ChainMessage, Envelope, KeyKind, Payload, WorkerMessage};

/// A chain with three registered simulated workers (operated by `operator`).
fn chain_with_workers() -> Chain {
    let mut c = chain_with(dev_policy());
    for name in ["worker-1", "worker-2", "worker-3"] {
        let w = info(name);
        let status = c.call(
            "operator",
            register(&w, evidence(&w, "operator", &genesis_hash(), NOW_MS)),
            NOW_MS,
        );
        assert_eq!(status, TxStatus::Success);
    }
    c
}

/// `payload` as `sender`'s message number `seq`, signed with `signer`'s key for `chain`.
fn message(c: &Chain, sender: &str, signer: &str, seq: u64, payload: Payload) -> Call {
    Call::PushMessage {
        message: Box::new(
            WorkerMessage {
                sender: id(sender),
                seq,
                payload,
            }
            .sign(&dev_key(signer), &c.chain),
        ),
    }
}

fn next_seq(c: &Chain, worker: &str) -> u64 {
    mq::next_seq(&c.state, &id(worker)).unwrap()
}

fn announce(generation: u32, public_key: [u8; 32]) -> Payload {
    Payload::MasterKeyAnnounce {
        generation,
        public_key,
    }
}

fn delivery(recipient: &str, key: KeyKind, fill: u8) -> Payload {
    Payload::KeyDelivery {
        recipient: id(recipient),
        key,
        envelope: Envelope {
            ephemeral: [fill; 32],
            ciphertext: vec![fill; 48],
        },
    }
}

const CLUSTER_0: KeyKind = KeyKind::Cluster {
    cluster: 0,
    generation: 0,
};

/// worker-1 and worker-2 are gatekeepers (in that order) and worker-1 published generation 0.
fn chain_with_master_key() -> Chain {
    let mut c = chain_with_workers();
    for name in ["worker-1", "worker-2"] {
        let promote = Call::PromoteGatekeeper { worker: id(name) };
        assert_eq!(c.call("alice", promote, NOW_MS), TxStatus::Success);
    }
    let m = message(&c, "worker-1", "worker-1", 0, announce(0, [1; 32]));
    assert_eq!(c.call("operator", m, NOW_MS), TxStatus::Success);
    c
}

#[test]
fn messages_are_signed_sequenced_and_from_registered_workers() {
    let mut c = chain_with_workers();
    let beat = |tip_height| Payload::Heartbeat { tip_height };

    let stranger = message(&c, "nobody", "nobody", 0, beat(1));
    assert_eq!(
        c.call("operator", stranger, NOW_MS),
        TxStatus::Failed(DispatchError::UnknownWorker)
    );

    // A worker's message, relayed by its operator: accepted, and (not a gatekeeper) it pays.
    let first = message(&c, "worker-1", "worker-1", 0, beat(10));
    let before = balances::account(&c.state, &id("operator"))
        .unwrap()
        .balance;
    let receipt = c.call_receipt("operator", first.clone(), NOW_MS);
    assert_eq!(receipt.status, TxStatus::Success);
    assert_eq!(receipt.fee_paid, UNITS_PER_PHA);
    assert_eq!(
        balances::account(&c.state, &id("operator"))
            .unwrap()
            .balance,
        before - UNITS_PER_PHA
    );
    assert_eq!(next_seq(&c, "worker-1"), 1);
    let heartbeat = mq::heartbeat(&c.state, &id("worker-1")).unwrap().unwrap();
    assert_eq!(
        (heartbeat.tip_height, heartbeat.block_time_ms),
        (10, NOW_MS)
    );

    // The same message again is a replay; skipping ahead is a gap; neither counts.
    assert_eq!(
        c.call("bob", first, NOW_MS),
        TxStatus::Failed(DispatchError::MessageReplayed)
    );
    let ahead = message(&c, "worker-1", "worker-1", 5, beat(11));
    assert_eq!(
        c.call("bob", ahead, NOW_MS),
        TxStatus::Failed(DispatchError::MessageSequenceGap)
    );
    // Signed by another worker, or for another chain: a bad signature.
    let forged = message(&c, "worker-1", "worker-2", 1, beat(11));
    assert_eq!(
        c.call("bob", forged, NOW_MS),
        TxStatus::Failed(DispatchError::BadMessageSignature)
    );
    let other_chain = Call::PushMessage {
        message: Box::new(
            WorkerMessage {
                sender: id("worker-1"),
                seq: 1,
                payload: beat(11),
            }
            .sign(
                &dev_key("worker-1"),
                &ChainId::new("phalanx-other").unwrap(),
            ),
        ),
    };
    assert_eq!(
        c.call("bob", other_chain, NOW_MS),
        TxStatus::Failed(DispatchError::BadMessageSignature)
    );
    assert_eq!(next_seq(&c, "worker-1"), 1);

    // Anyone may relay the next message.
    let next = message(&c, "worker-1", "worker-1", 1, beat(12));
    assert_eq!(c.call("bob", next, NOW_MS), TxStatus::Success);
    assert_eq!(next_seq(&c, "worker-1"), 2);
}

#[test]
fn the_first_gatekeeper_publishes_the_master_key_for_free() {
    let mut c = chain_with_workers();
    let promote = |name| Call::PromoteGatekeeper { worker: id(name) };
    assert_eq!(
        c.call("alice", promote("worker-1"), NOW_MS),
        TxStatus::Success
    );

    // Registrations and promotions reached the broadcast queue, in order.
    let queue: Vec<_> = (0..mq::broadcast_len(&c.state).unwrap())
        .map(|i| mq::broadcast_at(&c.state, i).unwrap().unwrap())
        .collect();
    assert_eq!(queue.len(), 4);
    assert!(
        matches!(&queue[0], ChainMessage::WorkerRegistered { worker, .. } if *worker == id("worker-1"))
    );
    assert!(
        matches!(&queue[3], ChainMessage::GatekeeperPromoted { worker, .. } if *worker == id("worker-1"))
    );

    let not_gatekeeper = message(&c, "worker-3", "worker-3", 0, announce(0, [1; 32]));
    assert_eq!(
        c.call("operator", not_gatekeeper, NOW_MS),
        TxStatus::Failed(DispatchError::NotGatekeeper)
    );
    assert_eq!(
        c.call("alice", promote("worker-2"), NOW_MS),
        TxStatus::Success
    );
    let not_first = message(&c, "worker-2", "worker-2", 0, announce(0, [1; 32]));
    assert_eq!(
        c.call("operator", not_first, NOW_MS),
        TxStatus::Failed(DispatchError::UnexpectedGeneration)
    );
    let wrong_generation = message(&c, "worker-1", "worker-1", 0, announce(1, [1; 32]));
    assert_eq!(
        c.call("operator", wrong_generation, NOW_MS),
        TxStatus::Failed(DispatchError::UnexpectedGeneration)
    );
    assert_eq!(keys::generation(&c.state).unwrap(), None);

    // The first gatekeeper's announcement: accepted, and the relayer's fee comes back.
    let before = balances::account(&c.state, &id("operator"))
        .unwrap()
        .balance;
    let first = message(&c, "worker-1", "worker-1", 0, announce(0, [1; 32]));
    let receipt = c.call_receipt("operator", first, NOW_MS);
    assert_eq!(receipt.status, TxStatus::Success);
    assert_eq!(receipt.fee_paid, 0);
    assert!(
        receipt
            .events
            .iter()
            .any(|e| matches!(e, Event::FeeRefunded { .. }))
    );
    assert_eq!(
        balances::account(&c.state, &id("operator"))
            .unwrap()
            .balance,
        before
    );
    assert_eq!(keys::generation(&c.state).unwrap(), Some(0));
    assert_eq!(keys::master_public(&c.state, 0).unwrap(), Some([1; 32]));

    // Another gatekeeper agreeing confirms (and pays: repeating is not free); disagreeing is
    // refused.
    let same = message(&c, "worker-2", "worker-2", 0, announce(0, [1; 32]));
    let receipt = c.call_receipt("operator", same, NOW_MS);
    assert_eq!(receipt.status, TxStatus::Success);
    assert_eq!(receipt.fee_paid, UNITS_PER_PHA);
    let different = message(&c, "worker-2", "worker-2", 1, announce(0, [2; 32]));
    assert_eq!(
        c.call("operator", different, NOW_MS),
        TxStatus::Failed(DispatchError::KeyDisagreement)
    );
    assert_eq!(keys::master_public(&c.state, 0).unwrap(), Some([1; 32]));
}

#[test]
fn a_delivery_reaches_the_inbox_once_and_a_different_one_is_refused() {
    let mut c = chain_with_master_key();
    let send = |c: &mut Chain, from: &str, payload| {
        let seq = next_seq(c, from);
        let m = message(c, from, from, seq, payload);
        c.call("operator", m, NOW_MS)
    };
    assert_eq!(
        send(
            &mut c,
            "worker-1",
            delivery("worker-3", KeyKind::Master { generation: 0 }, 5)
        ),
        TxStatus::Failed(DispatchError::RecipientNotGatekeeper)
    );
    assert_eq!(
        send(&mut c, "worker-1", delivery("nobody", CLUSTER_0, 5)),
        TxStatus::Failed(DispatchError::UnknownRecipient)
    );
    let future = KeyKind::Cluster {
        cluster: 0,
        generation: 1,
    };
    assert_eq!(
        send(&mut c, "worker-1", delivery("worker-3", future, 5)),
        TxStatus::Failed(DispatchError::UnexpectedGeneration)
    );
    assert_eq!(
        send(&mut c, "worker-3", delivery("worker-2", CLUSTER_0, 5)),
        TxStatus::Failed(DispatchError::NotGatekeeper)
    );
    let other_cluster = KeyKind::Cluster {
        cluster: 7,
        generation: 0,
    };
    assert_eq!(
        send(&mut c, "worker-1", delivery("worker-3", other_cluster, 5)),
        TxStatus::Failed(DispatchError::UnknownCluster)
    );

    assert_eq!(
        send(&mut c, "worker-1", delivery("worker-3", CLUSTER_0, 5)),
        TxStatus::Success
    );
    let inbox = id("worker-3");
    assert_eq!(mq::inbox_len(&c.state, &inbox).unwrap(), 1);
    assert!(matches!(
        mq::inbox_at(&c.state, &inbox, 0).unwrap(),
        Some(ChainMessage::KeyDelivered { sender, key: CLUSTER_0, .. }) if sender == id("worker-1")
    ));
    // The second gatekeeper's identical envelope confirms and adds nothing to the inbox.
    assert_eq!(
        send(&mut c, "worker-2", delivery("worker-3", CLUSTER_0, 5)),
        TxStatus::Success
    );
    assert_eq!(mq::inbox_len(&c.state, &inbox).unwrap(), 1);
    // A different envelope for the same key is a disagreement.
    let before = c
        .state
        .get(&keys::delivery_key(&inbox, &CLUSTER_0))
        .unwrap();
    assert_eq!(
        send(&mut c, "worker-2", delivery("worker-3", CLUSTER_0, 6)),
        TxStatus::Failed(DispatchError::KeyDisagreement)
    );
    assert_eq!(
        c.state
            .get(&keys::delivery_key(&inbox, &CLUSTER_0))
            .unwrap(),
        before
    );
    assert_eq!(mq::inbox_len(&c.state, &inbox).unwrap(), 1);
}

#[test]
fn rotation_is_privileged_and_completed_by_an_announcement() {
    let mut c = chain_with_workers();
    assert_eq!(
        c.call("alice", Call::RotateMasterKey, NOW_MS),
        TxStatus::Failed(DispatchError::NoMasterKey)
    );
    let mut c = chain_with_master_key();
    assert_eq!(
        c.call("bob", Call::RotateMasterKey, NOW_MS),
        TxStatus::Failed(DispatchError::NotRoot)
    );
    assert_eq!(
        c.call("alice", Call::RotateMasterKey, NOW_MS),
        TxStatus::Success
    );
    assert_eq!(keys::pending(&c.state).unwrap(), Some(1));
    let last = mq::broadcast_len(&c.state).unwrap() - 1;
    assert_eq!(
        mq::broadcast_at(&c.state, last).unwrap(),
        Some(ChainMessage::MasterKeyRotation { generation: 1 })
    );
    assert_eq!(
        c.call("alice", Call::RotateMasterKey, NOW_MS),
        TxStatus::Failed(DispatchError::RotationPending)
    );
    // Generation 2 is not the one asked for.
    let skip = message(&c, "worker-1", "worker-1", 1, announce(2, [3; 32]));
    assert_eq!(
        c.call("operator", skip, NOW_MS),
        TxStatus::Failed(DispatchError::UnexpectedGeneration)
    );
    let new = message(&c, "worker-2", "worker-2", 0, announce(1, [3; 32]));
    assert_eq!(c.call("operator", new, NOW_MS), TxStatus::Success);
    assert_eq!(keys::generation(&c.state).unwrap(), Some(1));
    assert_eq!(keys::pending(&c.state).unwrap(), None);
    // Old generations stay, for old data.
    assert_eq!(keys::master_public(&c.state, 0).unwrap(), Some([1; 32]));
    assert_eq!(keys::master_public(&c.state, 1).unwrap(), Some([3; 32]));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// The relayers' balances plus the treasury: fees only move between them.
    fn fee_money(c: &Chain) -> u128 {
        ["operator", "bob"]
            .iter()
            .map(|n| balances::account(&c.state, &id(n)).unwrap().balance)
            .sum::<u128>()
            + balances::pot(&c.state, balances::TREASURY).unwrap()
    }

    const SENDERS: [&str; 3] = ["worker-1", "worker-2", "worker-3"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Any mix of messages (right, replayed or skipped sequence numbers; announcements,
        /// deliveries and heartbeats; gatekeepers and not) keeps the money and the queues
        /// consistent: no fee is created or lost, a sequence number advances exactly when a
        /// message is accepted, only a gatekeeper's message that does new work is free, and
        /// an inbox grows only by a first delivery.
        #[test]
        fn messages_conserve_fees_and_sequences(
            ops in proptest::collection::vec(
                (0usize..3, -1i64..=1, 0u8..3, 5u8..7, any::<bool>()),
                1..24,
            )
        ) {
            let mut c = chain_with_master_key();
            let money = fee_money(&c);
            for (sender, skew, topic, fill, by_bob) in ops {
                let name = SENDERS[sender];
                let expected = next_seq(&c, name);
                let seq = expected.saturating_add_signed(skew);
                let payload = match topic {
                    0 => Payload::Heartbeat { tip_height: 1 },
                    1 => announce(0, [fill; 32]),
                    _ => delivery("worker-3", CLUSTER_0, fill),
                };
                let inbox = mq::inbox_len(&c.state, &id("worker-3")).unwrap();
                let gatekeeper = sender < 2;
                let m = message(&c, name, name, seq, payload);
                let receipt = c.call_receipt(if by_bob { "bob" } else { "operator" }, m, NOW_MS);
                let accepted = receipt.status == TxStatus::Success;
                prop_assert_eq!(fee_money(&c), money, "fees created or lost");
                prop_assert_eq!(next_seq(&c, name), expected + u64::from(accepted));
                if seq != expected {
                    prop_assert!(!accepted, "a wrong sequence number was accepted");
                }
                let confirmation = receipt.events.iter().any(|e| {
                    matches!(e, Event::MasterKeyConfirmed { .. } | Event::KeyDeliveryConfirmed { .. })
                });
                let free = accepted && gatekeeper && !confirmation;
                prop_assert_eq!(receipt.fee_paid == 0, free);
                let grew = mq::inbox_len(&c.state, &id("worker-3")).unwrap() - inbox;
                let first_delivery = receipt
                    .events
                    .iter()
                    .any(|e| matches!(e, Event::KeyDelivered { .. }));
                prop_assert_eq!(grew, u64::from(first_delivery));
            }
            prop_assert!(mq::inbox_len(&c.state, &id("worker-3")).unwrap() <= 1);
        }
    }
}
