//! Gatekeepers played by the test: they run the chain's DKG rounds with the real
//! `phalanx-threshold` cryptography, every message going through `MqCall::PushMessage` like a
//! worker's. The chain never opens the encrypted shares, so the envelopes here are dummies and
//! the players take their shares straight from the dealers.

use super::*;
use commonware_codec::Encode;
use phalanx_runtime::{Event, State, keys, mq};
use phalanx_threshold::{
    Id, Log, Output, PrivMsg, PubMsg, Share, SignedLog, acknowledge, dealer, dealer_log,
    player_share, round::RoundCodec,
};
use phalanx_types::{Envelope, Payload, WorkerMessage};
use std::collections::BTreeMap;

/// The workers the tests register, by name (their keys are `dev_key(name)`).
pub const WORKERS: [&str; 3] = ["worker-1", "worker-2", "worker-3"];

/// A chain with the three [`WORKERS`] registered (operated by `operator`).
pub fn chain_with_workers() -> Chain {
    let mut c = chain_with(dev_policy());
    for name in WORKERS {
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

/// `payload` as `sender`'s message number `seq`, signed with `signer`'s key for `c`'s chain.
pub fn message(c: &Chain, sender: &str, signer: &str, seq: u64, payload: Payload) -> Call {
    MqCall::PushMessage {
        message: Box::new(
            WorkerMessage {
                sender: id(sender),
                seq,
                payload,
            }
            .sign(&dev_key(signer), &c.chain),
        ),
    }
    .into()
}

pub fn next_seq(c: &Chain, worker: &str) -> u64 {
    mq::next_seq(&c.state, &id(worker)).unwrap()
}

/// `from`'s next message, relayed by its operator.
pub fn send(c: &mut Chain, from: &str, payload: Payload) -> Receipt {
    let m = message(c, from, from, next_seq(c, from), payload);
    c.call_receipt("operator", m, NOW_MS)
}

/// An envelope standing in for encrypted key material (the chain only stores and hashes it).
pub fn envelope(fill: u8) -> Envelope {
    Envelope {
        ephemeral: [fill; 32],
        ciphertext: vec![fill; 48],
    }
}

pub fn name_of(worker: &AccountId) -> &'static str {
    WORKERS
        .into_iter()
        .find(|n| id(n) == *worker)
        .expect("a test worker")
}

/// The dealer seed a gatekeeper keeps sealed.
pub fn seed(name: &str) -> [u8; 32] {
    let mut seed = [0u8; 32];
    seed[..name.len()].copy_from_slice(name.as_bytes());
    seed
}

pub fn promote(c: &mut Chain, name: &str) -> Receipt {
    let promote = RegistryCall::PromoteGatekeeper { worker: id(name) };
    let receipt = c.call_receipt("alice", promote, NOW_MS);
    assert_eq!(receipt.status, TxStatus::Success);
    receipt
}

/// A finished round as its players see it.
pub struct Finished {
    pub round: u64,
    pub output: Output,
    /// Each player's share of the round's secret.
    pub shares: BTreeMap<AccountId, Share>,
    /// The events of the log messages (the last one finished the round).
    pub events: Vec<Event>,
}

/// Plays the round in progress to its end: every dealer deals (resharing its share in `held`
/// for a reshare), every player acknowledges every dealing, and dealers send their logs until
/// the chain has enough. Each player then computes its share, which must agree with the
/// chain's output.
pub fn run_round(c: &mut Chain, held: &BTreeMap<AccountId, Share>) -> Finished {
    let record = keys::active(&c.state).unwrap().expect("a round is running");
    let info = keys::round_info(&c.state, &c.chain, &record)
        .unwrap()
        .unwrap();
    let round = record.round;
    let mut dealings: BTreeMap<AccountId, Vec<(Id, PubMsg, PrivMsg)>> = BTreeMap::new();
    let mut logs = Vec::new();
    for d in &record.dealers {
        let name = name_of(d);
        let (state, pub_msg, privs) =
            dealer(&seed(name), &info, dev_key(name), held.get(d).cloned()).unwrap();
        let deal = Payload::DkgDeal {
            round,
            commitment: pub_msg.encode().to_vec(),
            shares: (0..record.players.len()).map(|_| envelope(1)).collect(),
        };
        assert_eq!(send(c, name, deal).status, TxStatus::Success);
        let mut acks = Vec::new();
        for (player, priv_msg) in privs {
            let player_name = name_of(&AccountId::from(player.clone()));
            let ack = acknowledge(
                &info,
                dev_key(player_name),
                d.public_key().clone(),
                pub_msg.clone(),
                priv_msg.clone(),
            )
            .unwrap();
            let payload = Payload::DkgAck {
                round,
                dealer: d.clone(),
                ack: ack.encode().to_vec(),
            };
            assert_eq!(send(c, player_name, payload).status, TxStatus::Success);
            dealings
                .entry(AccountId::from(player.clone()))
                .or_default()
                .push((d.public_key().clone(), pub_msg.clone(), priv_msg));
            acks.push((player, ack));
        }
        logs.push((name, dealer_log(state, acks)));
    }
    let mut events = Vec::new();
    for (name, signed) in logs {
        if keys::active(&c.state).unwrap().map(|r| r.round) != Some(round) {
            break;
        }
        let payload = Payload::DkgLog {
            round,
            log: signed.encode().to_vec(),
        };
        let receipt = send(c, name, payload);
        assert_eq!(receipt.status, TxStatus::Success);
        events.extend(receipt.events);
    }
    let output_bytes = c.state.get(&keys::state_key::output(round)).unwrap();
    let output = Output::decode_bytes(&output_bytes.expect("the round finished")).unwrap();
    let recorded: Vec<(Id, Log)> = keys::logged(&c.state, round)
        .unwrap()
        .iter()
        .map(|d| {
            let bytes = c
                .state
                .get(&keys::state_key::log(round, d))
                .unwrap()
                .unwrap();
            SignedLog::decode_bytes(&bytes)
                .unwrap()
                .check(&info)
                .unwrap()
        })
        .collect();
    let mut shares = BTreeMap::new();
    for p in &record.players {
        let (theirs, share) = player_share(
            &info,
            dev_key(name_of(p)),
            dealings.remove(p).unwrap_or_default(),
            recorded.clone(),
        )
        .unwrap();
        assert_eq!(theirs, output, "a player computes the chain's output");
        shares.insert(p.clone(), share);
    }
    Finished {
        round,
        output,
        shares,
        events,
    }
}

/// worker-1 and worker-2 are gatekeepers, holding generation 0 two-of-two: worker-1 made it
/// alone (round 0), then reshared it to both (round 1).
pub fn chain_with_master_key() -> (Chain, Finished) {
    let mut c = chain_with_workers();
    promote(&mut c, "worker-1");
    promote(&mut c, "worker-2");
    let first = run_round(&mut c, &BTreeMap::new());
    let reshared = run_round(&mut c, &first.shares);
    (c, reshared)
}
