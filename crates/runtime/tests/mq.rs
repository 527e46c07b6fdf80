#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The `mq` module: worker messages (signature, sequence, relaying, free for gatekeepers doing
//! new work) and the chain's queues. Each refusal has its own code and changes nothing. The
//! DKG and key-share topics are tested in `keys.rs`.

mod common;

use common::dkg::*;
use common::*;
use phalanx_runtime::{Event, mq};
use phalanx_types::{ChainMessage, KeyKind, Payload, WorkerMessage};

const CLUSTER_0: KeyKind = KeyKind::Cluster {
    cluster: 0,
    generation: 0,
};

#[test]
fn messages_are_signed_sequenced_and_from_registered_workers() {
    let mut c = chain_with_workers();
    let beat = |tip_height| Payload::Heartbeat { tip_height };

    let stranger = message(&c, "nobody", "nobody", 0, beat(1));
    assert_eq!(
        c.call("operator", stranger, NOW_MS),
        TxStatus::Failed(DispatchError::Mq(phalanx_runtime::mq::Error::UnknownWorker))
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
        TxStatus::Failed(DispatchError::Mq(
            phalanx_runtime::mq::Error::MessageReplayed
        ))
    );
    let ahead = message(&c, "worker-1", "worker-1", 5, beat(11));
    assert_eq!(
        c.call("bob", ahead, NOW_MS),
        TxStatus::Failed(DispatchError::Mq(
            phalanx_runtime::mq::Error::MessageSequenceGap
        ))
    );
    // Signed by another worker, or for another chain: a bad signature.
    let forged = message(&c, "worker-1", "worker-2", 1, beat(11));
    assert_eq!(
        c.call("bob", forged, NOW_MS),
        TxStatus::Failed(DispatchError::Mq(
            phalanx_runtime::mq::Error::BadMessageSignature
        ))
    );
    let other_chain = MqCall::PushMessage {
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
        TxStatus::Failed(DispatchError::Mq(
            phalanx_runtime::mq::Error::BadMessageSignature
        ))
    );
    assert_eq!(next_seq(&c, "worker-1"), 1);

    // Anyone may relay the next message.
    let next = message(&c, "worker-1", "worker-1", 1, beat(12));
    assert_eq!(c.call("bob", next, NOW_MS), TxStatus::Success);
    assert_eq!(next_seq(&c, "worker-1"), 2);
}

#[test]
fn registrations_and_promotions_reach_the_broadcast_queue_in_order() {
    let mut c = chain_with_workers();
    promote(&mut c, "worker-1");
    let queue: Vec<_> = (0..mq::state_key::broadcast().len(&c.state).unwrap())
        .map(|i| {
            mq::state_key::broadcast()
                .get(&c.state, i)
                .unwrap()
                .unwrap()
        })
        .collect();
    assert_eq!(queue.len(), 4);
    for (i, name) in WORKERS.iter().enumerate() {
        assert!(
            matches!(&queue[i], ChainMessage::WorkerRegistered { worker, .. } if *worker == id(name))
        );
    }
    assert!(
        matches!(&queue[3], ChainMessage::GatekeeperPromoted { worker, .. } if *worker == id("worker-1"))
    );
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Any mix of messages (right, replayed or skipped sequence numbers; heartbeats, key
        /// shares and DKG messages for a round that is not running; gatekeepers and not) keeps
        /// the money and the queues consistent: no fee is created or lost, a sequence number
        /// advances exactly when a message is accepted, only a gatekeeper's message that does
        /// new work is free, and an inbox grows only by a first share from each holder.
        #[test]
        fn messages_conserve_fees_and_sequences(
            ops in proptest::collection::vec(
                (0usize..3, -1i64..=1, 0u8..3, 5u8..7, any::<bool>()),
                1..24,
            )
        ) {
            let (mut c, reshared) = chain_with_master_key();
            let money = fee_money(&c);
            for (sender, skew, topic, fill, by_bob) in ops {
                let name = WORKERS[sender];
                let expected = next_seq(&c, name);
                let seq = expected.saturating_add_signed(skew);
                let payload = match topic {
                    0 => Payload::Heartbeat { tip_height: 1 },
                    1 => Payload::DkgLog { round: reshared.round, log: vec![fill; 8] },
                    _ => Payload::KeyShare {
                        recipient: id("worker-3"),
                        key: CLUSTER_0,
                        round: reshared.round,
                        envelope: envelope(fill),
                    },
                };
                let inbox = mq::state_key::inbox(&id("worker-3")).len(&c.state).unwrap();
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
                    matches!(e, Event::Keys(phalanx_runtime::keys::Event::KeyShareConfirmed { .. }))
                });
                let free = accepted && gatekeeper && !confirmation;
                prop_assert_eq!(receipt.fee_paid == 0, free);
                let grew = mq::state_key::inbox(&id("worker-3")).len(&c.state).unwrap() - inbox;
                let first_share = receipt
                    .events
                    .iter()
                    .any(|e| matches!(e, Event::Keys(phalanx_runtime::keys::Event::KeyShareDelivered { .. })));
                prop_assert_eq!(grew, u64::from(first_share));
            }
            // At most one share from each of the two holders.
            prop_assert!(mq::state_key::inbox(&id("worker-3")).len(&c.state).unwrap() <= 2);
        }
    }
}
