#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! Whole rounds as the chain and the workers run them: deal, acknowledge, log, check, observe,
//! take shares; then cluster keys from partial signatures.

use commonware_codec::Encode;
use commonware_cryptography::{Signer, ed25519};
use phalanx_threshold::{
    ClusterKeyError, Id, Output, RoundError, Share, SignedLog, acknowledge, check_log, dealer,
    dealer_log, observe, partial, player_share, quorum, recover_cluster_key, required,
    round::RoundCodec, round_info, verify_partial,
};
use phalanx_types::{AccountId, ChainId};
use std::collections::BTreeMap;

struct Gatekeeper {
    key: ed25519::PrivateKey,
    seed: [u8; 32],
}

fn gatekeepers(n: u64) -> Vec<Gatekeeper> {
    (0..n)
        .map(|i| Gatekeeper {
            key: ed25519::PrivateKey::from_seed(i + 1),
            seed: [i as u8 + 1; 32],
        })
        .collect()
}

fn account(g: &Gatekeeper) -> AccountId {
    g.key.public_key().into()
}

fn chain() -> ChainId {
    ChainId::new("phalanx-test").unwrap()
}

/// Runs one round the way the chain drives it, every message through its encoding.
fn run_round(
    round: u64,
    previous: Option<(&Output, &BTreeMap<Id, Share>)>,
    dealers: &[&Gatekeeper],
    players: &[&Gatekeeper],
) -> (Output, BTreeMap<Id, Share>) {
    let dealer_ids: Vec<AccountId> = dealers.iter().map(|g| account(g)).collect();
    let player_ids: Vec<AccountId> = players.iter().map(|g| account(g)).collect();
    let info = round_info(
        &chain(),
        round,
        previous.map(|(o, _)| o.clone()),
        &dealer_ids,
        &player_ids,
    )
    .unwrap();
    let need = required(dealers.len(), previous.map(|(o, _)| o));
    let mut logs = Vec::new();
    let mut dealings: BTreeMap<Id, Vec<_>> = BTreeMap::new();
    for d in dealers {
        let share = previous.map(|(_, shares)| shares[&d.key.public_key()].clone());
        let (state, pub_msg, privs) = dealer(&d.seed, &info, d.key.clone(), share).unwrap();
        let mut acks = Vec::new();
        for (player, priv_msg) in privs {
            let p = players
                .iter()
                .find(|p| p.key.public_key() == player)
                .unwrap();
            let ack = acknowledge(
                &info,
                p.key.clone(),
                d.key.public_key(),
                pub_msg.clone(),
                priv_msg.clone(),
            )
            .unwrap();
            dealings.entry(player.clone()).or_default().push((
                d.key.public_key(),
                pub_msg.clone(),
                priv_msg,
            ));
            acks.push((player, ack));
        }
        let signed = dealer_log(state, acks);
        let signed = SignedLog::decode_bytes(&signed.encode()).unwrap();
        let log = check_log(&info, signed, &d.key.public_key()).unwrap();
        if logs.len() < need as usize {
            logs.push((d.key.public_key(), log));
        }
    }
    let output = observe(&info, logs.clone()).unwrap();
    let mut shares = BTreeMap::new();
    for p in players {
        let id = p.key.public_key();
        let (theirs, share) = player_share(
            &info,
            p.key.clone(),
            dealings.remove(&id).unwrap_or_default(),
            logs.clone(),
        )
        .unwrap();
        assert_eq!(theirs, output, "a player computes the chain's output");
        shares.insert(id, share);
    }
    (output, shares)
}

fn key_from(
    output: &Output,
    shares: &[&Share],
    generation: u32,
) -> Result<[u8; 32], ClusterKeyError> {
    let partials: Vec<_> = shares
        .iter()
        .map(|s| partial(s, &chain(), 0, generation))
        .collect();
    recover_cluster_key(output, &chain(), 0, generation, &partials).map(|k| *k)
}

#[test]
fn dkg_then_reshare_keeps_the_key_and_any_quorum_recovers_it() {
    let gks = gatekeepers(5);
    let four: Vec<&Gatekeeper> = gks.iter().take(4).collect();
    let (output, shares) = run_round(0, None, &four, &four);
    assert_eq!(output.public().required(), quorum(4));
    assert_eq!(quorum(4), 3);
    let s: Vec<&Share> = shares.values().collect();
    let key = key_from(&output, &s[0..3], 0).unwrap();
    assert_eq!(key_from(&output, &s[1..4], 0).unwrap(), key);
    // Another generation label gives another key.
    assert_ne!(key_from(&output, &s[0..3], 1).unwrap(), key);
    // Too few partials recover nothing.
    assert_eq!(
        key_from(&output, &s[0..2], 0),
        Err(ClusterKeyError::NotEnough { have: 2, need: 3 })
    );

    // A fifth gatekeeper joins: the old four reshare to all five. The secret (and so the
    // cluster key and the group public key) stays; the shares change.
    let five: Vec<&Gatekeeper> = gks.iter().collect();
    let (reshared, new_shares) = run_round(1, Some((&output, &shares)), &four, &five);
    assert_eq!(reshared.public().public(), output.public().public());
    let n: Vec<&Share> = new_shares.values().collect();
    assert_eq!(reshared.public().required(), quorum(5));
    assert_eq!(key_from(&reshared, &n[1..5], 0).unwrap(), key);
    // Old and new shares do not mix: old partials fail against the new polynomial.
    let old = partial(s[0], &chain(), 0, 0);
    assert!(verify_partial(&output, &chain(), 0, 0, &old).is_ok());
    assert!(verify_partial(&reshared, &chain(), 0, 0, &old).is_err());
}

#[test]
fn a_fresh_round_gives_a_new_secret() {
    let gks = gatekeepers(2);
    let both: Vec<&Gatekeeper> = gks.iter().collect();
    let (a, _) = run_round(0, None, &both, &both);
    let (b, _) = run_round(1, None, &both, &both);
    assert_ne!(a.public().public(), b.public().public());
    // Two gatekeepers: both are needed.
    assert_eq!(a.public().required(), 2);
}

#[test]
fn a_single_gatekeeper_round_works() {
    let gks = gatekeepers(1);
    let one: Vec<&Gatekeeper> = gks.iter().collect();
    let (output, shares) = run_round(0, None, &one, &one);
    let s: Vec<&Share> = shares.values().collect();
    assert!(key_from(&output, &s, 0).is_ok());
}

#[test]
fn dealing_is_deterministic_per_seed_and_round() {
    let gks = gatekeepers(2);
    let ids: Vec<AccountId> = gks.iter().map(account).collect();
    let info = round_info(&chain(), 0, None, &ids, &ids).unwrap();
    let (_, a, _) = dealer(&gks[0].seed, &info, gks[0].key.clone(), None).unwrap();
    let (_, b, _) = dealer(&gks[0].seed, &info, gks[0].key.clone(), None).unwrap();
    assert_eq!(a, b);
    let later = round_info(&chain(), 1, None, &ids, &ids).unwrap();
    let (_, c, _) = dealer(&gks[0].seed, &later, gks[0].key.clone(), None).unwrap();
    assert_ne!(a, c);
}

#[test]
fn bad_messages_are_refused() {
    let gks = gatekeepers(3);
    let ids: Vec<AccountId> = gks.iter().map(account).collect();
    let info = round_info(&chain(), 0, None, &ids, &ids).unwrap();
    let (state, pub_msg, privs) = dealer(&gks[0].seed, &info, gks[0].key.clone(), None).unwrap();

    // A share that does not match the commitment is not acknowledged.
    let (_, other_pub, other_privs) =
        dealer(&gks[1].seed, &info, gks[1].key.clone(), None).unwrap();
    let wrong = acknowledge(
        &info,
        gks[1].key.clone(),
        gks[0].key.public_key(),
        pub_msg.clone(),
        other_privs[1].1.clone(),
    );
    assert!(matches!(wrong, Err(RoundError::BadDealing(_))));
    let _ = other_pub;

    // A log sent by someone else than its dealer, or for another round, is refused.
    let acks: Vec<_> = privs
        .iter()
        .zip(&gks)
        .map(|((player, priv_msg), g)| {
            let ack = acknowledge(
                &info,
                g.key.clone(),
                gks[0].key.public_key(),
                pub_msg.clone(),
                priv_msg.clone(),
            )
            .unwrap();
            (player.clone(), ack)
        })
        .collect();
    let signed = dealer_log(state, acks);
    assert_eq!(
        check_log(&info, signed.clone(), &gks[1].key.public_key()),
        Err(RoundError::LogSender)
    );
    let other_round = round_info(&chain(), 7, None, &ids, &ids).unwrap();
    assert_eq!(
        check_log(&other_round, signed.clone(), &gks[0].key.public_key()),
        Err(RoundError::LogSignature)
    );
    assert!(check_log(&info, signed.clone(), &gks[0].key.public_key()).is_ok());

    // One log is not a quorum of three.
    let log = check_log(&info, signed, &gks[0].key.public_key()).unwrap();
    assert!(matches!(
        observe(&info, [(gks[0].key.public_key(), log)]),
        Err(RoundError::Failed(_))
    ));

    // Garbage and trailing bytes do not decode.
    assert!(SignedLog::decode_bytes(&[1, 2, 3]).is_err());
    let mut bytes = pub_msg.encode().to_vec();
    bytes.push(0);
    assert!(phalanx_threshold::PubMsg::decode_bytes(&bytes).is_err());

    // Participants must be distinct and within the limit.
    assert!(round_info(&chain(), 0, None, &[ids[0].clone(), ids[0].clone()], &ids).is_err());
    assert!(round_info(&chain(), 0, None, &[], &ids).is_err());
}

/// The beacon: any quorum gives round r the same seed, a reshare keeps it, other rounds get
/// other seeds, and fewer partials than the threshold or a forged one give nothing.
#[test]
fn beacon_seeds_are_unique_per_round_and_need_a_quorum() {
    use phalanx_threshold::{
        BeaconError, beacon_partial, beacon_threshold, recover_beacon, verify_beacon_partial,
    };
    let gks = gatekeepers(4);
    let all: Vec<&Gatekeeper> = gks.iter().collect();
    let (output, shares) = run_round(0, None, &all, &all);
    assert_eq!(beacon_threshold(&output), 3);
    let share_of = |g: &Gatekeeper| shares[&g.key.public_key()].clone();
    let seed = |signers: &[&Gatekeeper], round: u64| {
        let partials: Vec<_> = signers
            .iter()
            .map(|g| beacon_partial(&share_of(g), &chain(), round))
            .collect();
        for p in &partials {
            assert_eq!(verify_beacon_partial(&output, &chain(), round, p), Ok(()));
        }
        recover_beacon(&output, &chain(), round, &partials)
    };
    let first = seed(&all[..3], 7).unwrap();
    assert_eq!(
        seed(&all[1..], 7).unwrap(),
        first,
        "any quorum, the same seed"
    );
    assert_ne!(
        seed(&all[..3], 8).unwrap(),
        first,
        "another round, another seed"
    );
    assert_eq!(
        seed(&all[..2], 7),
        Err(BeaconError::NotEnough { have: 2, need: 3 })
    );
    // A partial for another round (or another domain) does not verify for this one.
    let wrong = beacon_partial(&share_of(all[0]), &chain(), 8);
    assert!(verify_beacon_partial(&output, &chain(), 7, &wrong).is_err());
    let cluster = partial(&share_of(all[0]), &chain(), 0, 7);
    assert!(verify_beacon_partial(&output, &chain(), 7, &cluster).is_err());
    // Mixing a bad partial into a quorum fails the recovery check.
    let mut mixed: Vec<_> = all[..2]
        .iter()
        .map(|g| beacon_partial(&share_of(g), &chain(), 7))
        .collect();
    mixed.push(beacon_partial(&share_of(all[2]), &chain(), 9));
    assert_eq!(
        recover_beacon(&output, &chain(), 7, &mixed),
        Err(BeaconError::BadRecovery)
    );

    // After a reshare to a new set, the same round gives the same seed.
    let more = gatekeepers(5);
    let five: Vec<&Gatekeeper> = more.iter().collect();
    let (reshared, new_shares) = run_round(1, Some((&output, &shares)), &all, &five);
    let partials: Vec<_> = five[..beacon_threshold(&reshared) as usize]
        .iter()
        .map(|g| beacon_partial(&new_shares[&g.key.public_key()], &chain(), 7))
        .collect();
    assert_eq!(
        recover_beacon(&reshared, &chain(), 7, &partials).unwrap(),
        first
    );
}
