//! The `keys` module: the chain's side of the threshold master key.
//!
//! No gatekeeper holds a master key. Each generation is a BLS12-381 secret shared among the
//! gatekeepers by a DKG round; when the gatekeeper set changes, a reshare round hands the same
//! secret to the new set; a rotation runs a fresh DKG for the next generation. The chain is the
//! arbiter of every round (see `phalanx-threshold`): it fixes who deals and who plays, stores
//! the dealings (shares encrypted to each player), acknowledgements and signed dealer logs,
//! checks each log, and computes the round's public output once a quorum of dealers has a
//! usable one. Workers then receive partial signatures (one per share holder, encrypted to
//! them) and recover their cluster key from a quorum.
//!
//! * state: `generation` → u32, newest generation with an output; `master_public(g)` → the
//!   generation's 48-byte group public key; `latest(g)` → the round of its current sharing;
//!   `next_round` → u64; `active` → the round in progress; `round(r)` → its [`RoundRecord`];
//!   `deal(r, dealer)` → [`StoredDeal`]; `ack(r, dealer, player)` → 64-byte acknowledgement;
//!   `log(r, dealer)` → signed log bytes; `logged(r)` → dealers with a recorded log, in order;
//!   `output(r)` → the round's output bytes; `share(recipient, key, r, sender)` → SHA-256 of
//!   the accepted envelope.
//! * calls: [`rotate_master_key`] (root; governance later). Rounds start on promotion
//!   ([`gatekeepers_changed`]) and rotation; DKG messages and key shares arrive through `mq`.

mod dkg;
mod rotate;
mod round;
mod share;

pub use dkg::{ack, deal, log};
pub use rotate::rotate_master_key;
pub use round::{Ids as LoggedDealers, RoundRecord, StoredDeal, gatekeepers_changed, round_info};
pub use share::share;

use crate::state::{State, StateError, StateKey, read_decoded, state_key};
use commonware_codec::Encode;
use phalanx_types::{Hash, KeyKind, WorkerId};

/// The only cluster until the contracts module defines others. Shares for other clusters are
/// refused: gatekeeper messages are free, so nothing a gatekeeper may send can be unbounded.
pub const DEFAULT_CLUSTER: u32 = 0;

/// Blocks a dealer waits for acknowledgements before it logs without them (revealing the
/// shares of players that did not answer).
pub const ACK_WINDOW_BLOCKS: u64 = 30;

/// Size of an encoded group public key (a G1 point).
pub const MASTER_PUBLIC_LEN: usize = 48;

fn round_id(round: u64) -> [u8; 8] {
    round.to_be_bytes()
}

pub fn generation_key() -> StateKey {
    state_key("keys", "generation", b"")
}
pub fn master_public_key(generation: u32) -> StateKey {
    state_key("keys", "master_public", &generation.to_be_bytes())
}
pub fn latest_key(generation: u32) -> StateKey {
    state_key("keys", "latest", &generation.to_be_bytes())
}
pub fn next_round_key() -> StateKey {
    state_key("keys", "next_round", b"")
}
pub fn active_key() -> StateKey {
    state_key("keys", "active", b"")
}
pub fn round_key(round: u64) -> StateKey {
    state_key("keys", "round", &round_id(round))
}
pub fn deal_key(round: u64, dealer: &WorkerId) -> StateKey {
    state_key(
        "keys",
        "deal",
        &[&round_id(round)[..], dealer.as_bytes()].concat(),
    )
}
pub fn ack_key(round: u64, dealer: &WorkerId, player: &WorkerId) -> StateKey {
    let id = [&round_id(round)[..], dealer.as_bytes(), player.as_bytes()].concat();
    state_key("keys", "ack", &id)
}
pub fn log_key(round: u64, dealer: &WorkerId) -> StateKey {
    state_key(
        "keys",
        "log",
        &[&round_id(round)[..], dealer.as_bytes()].concat(),
    )
}
pub fn logged_key(round: u64) -> StateKey {
    state_key("keys", "logged", &round_id(round))
}
pub fn output_key(round: u64) -> StateKey {
    state_key("keys", "output", &round_id(round))
}
pub fn share_key(recipient: &WorkerId, key: &KeyKind, round: u64, sender: &WorkerId) -> StateKey {
    let id = [
        recipient.as_bytes(),
        &key.encode()[..],
        &round_id(round)[..],
        sender.as_bytes(),
    ]
    .concat();
    state_key("keys", "share", &id)
}

/// The newest generation with an output, if any.
pub fn generation(state: &(impl State + ?Sized)) -> Result<Option<u32>, StateError> {
    read_decoded(state, generation_key())
}

/// The group public key of `generation`.
pub fn master_public(
    state: &(impl State + ?Sized),
    generation: u32,
) -> Result<Option<[u8; MASTER_PUBLIC_LEN]>, StateError> {
    read_decoded(state, master_public_key(generation))
}

/// The round whose output is `generation`'s current sharing.
pub fn latest(state: &(impl State + ?Sized), generation: u32) -> Result<Option<u64>, StateError> {
    read_decoded(state, latest_key(generation))
}

/// The round in progress, if any.
pub fn active(state: &(impl State + ?Sized)) -> Result<Option<RoundRecord>, StateError> {
    match read_decoded::<u64>(state, active_key())? {
        Some(r) => record(state, r),
        None => Ok(None),
    }
}

/// The record of round `round`.
pub fn record(
    state: &(impl State + ?Sized),
    round: u64,
) -> Result<Option<RoundRecord>, StateError> {
    read_decoded(state, round_key(round))
}

/// The dealers whose logs round `round` recorded, in arrival order.
pub fn logged(state: &(impl State + ?Sized), round: u64) -> Result<Vec<WorkerId>, StateError> {
    Ok(read_decoded::<round::Ids>(state, logged_key(round))?
        .map(|ids| ids.0)
        .unwrap_or_default())
}

/// The hash of the envelope accepted from `sender` for `recipient`'s `key` in `round`.
pub fn share_delivery(
    state: &(impl State + ?Sized),
    recipient: &WorkerId,
    key: &KeyKind,
    round: u64,
    sender: &WorkerId,
) -> Result<Option<Hash>, StateError> {
    read_decoded(state, share_key(recipient, key, round, sender))
}
