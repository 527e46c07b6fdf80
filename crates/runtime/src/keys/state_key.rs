//! Where `keys` keeps its state.

use crate::state::{StateKey, state_key};
use commonware_codec::Encode;
use phalanx_types::{KeyKind, WorkerId};

fn round_id(round: u64) -> [u8; 8] {
    round.to_be_bytes()
}

/// The newest generation with an output: u32.
pub fn generation() -> StateKey {
    state_key("keys", "generation", b"")
}
/// A generation's 48-byte group public key.
pub fn master_public(generation: u32) -> StateKey {
    state_key("keys", "master_public", &generation.to_be_bytes())
}
/// The round of a generation's current sharing: u64.
pub fn latest(generation: u32) -> StateKey {
    state_key("keys", "latest", &generation.to_be_bytes())
}
/// The next round number: u64.
pub fn next_round() -> StateKey {
    state_key("keys", "next_round", b"")
}
/// The round in progress: u64.
pub fn active() -> StateKey {
    state_key("keys", "active", b"")
}
/// A round's [`super::RoundRecord`].
pub fn round(round: u64) -> StateKey {
    state_key("keys", "round", &round_id(round))
}
/// A dealer's [`super::StoredDeal`].
pub fn deal(round: u64, dealer: &WorkerId) -> StateKey {
    state_key(
        "keys",
        "deal",
        &[&round_id(round)[..], dealer.as_bytes()].concat(),
    )
}
/// A player's 64-byte acknowledgement of a dealer's share.
pub fn ack(round: u64, dealer: &WorkerId, player: &WorkerId) -> StateKey {
    let id = [&round_id(round)[..], dealer.as_bytes(), player.as_bytes()].concat();
    state_key("keys", "ack", &id)
}
/// A dealer's signed log bytes.
pub fn log(round: u64, dealer: &WorkerId) -> StateKey {
    state_key(
        "keys",
        "log",
        &[&round_id(round)[..], dealer.as_bytes()].concat(),
    )
}
/// The dealers with a recorded log, in arrival order.
pub fn logged(round: u64) -> StateKey {
    state_key("keys", "logged", &round_id(round))
}
/// A round's output bytes.
pub fn output(round: u64) -> StateKey {
    state_key("keys", "output", &round_id(round))
}
/// SHA-256 of the envelope accepted from `sender` for `recipient`'s `key` in `round`.
pub fn share(recipient: &WorkerId, key: &KeyKind, round: u64, sender: &WorkerId) -> StateKey {
    let id = [
        recipient.as_bytes(),
        &key.encode()[..],
        &round_id(round)[..],
        sender.as_bytes(),
    ]
    .concat();
    state_key("keys", "share", &id)
}
