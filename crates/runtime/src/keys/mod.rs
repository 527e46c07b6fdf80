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
//! | file | what |
//! |------|------|
//! | `params.rs` | `ack_window_blocks` |
//! | `state_key.rs` | `generation`, `master_public(g)`, `latest(g)`, `next_round`, `active`, `round(r)`, `deal(r, dealer)`, `ack(r, dealer, player)`, `log(r, dealer)`, `logged(r)`, `output(r)`, `share(recipient, key, r, holder)` |
//! | `event.rs` | rounds, DKG messages, published keys, key shares, rotation |
//! | `error.rs` | codes 1–15 |
//! | `call.rs`, `rotate.rs` | [`KeysCall`](phalanx_types::KeysCall): rotation (root; governance later) |
//! | `messages.rs` | the `mq` topics it owns: `dkg.rs` (deal, ack, log), `share.rs` (key shares) |
//! | `round.rs` | starting and finishing rounds; [`gatekeepers_changed`] is the hook `registry`'s promotions reach |
//!
//! No genesis state: the first promotion starts the first round.

mod call;
mod dkg;
mod error;
mod event;
mod messages;
mod params;
mod rotate;
mod round;
mod share;
pub mod state_key;

pub use call::{call_info, dispatch};
pub use error::Error;
pub use event::{Event, MAX_DKG_KIND_BYTES, MAX_KEY_NAME_BYTES, MAX_PUBLIC_KEY_HEX};
pub use messages::handle_payload;
pub use params::Params;
pub use rotate::rotate;
pub use round::{Ids as LoggedDealers, RoundRecord, StoredDeal, gatekeepers_changed, round_info};

use crate::state::{State, StateError, read_decoded};
use phalanx_types::{Hash, KeyKind, WorkerId};

/// The cluster of every registered worker. Others are created by `contracts.create_cluster`;
/// shares for them go only to their members.
pub const DEFAULT_CLUSTER: u32 = 0;

/// Size of an encoded group public key (a G1 point).
pub const MASTER_PUBLIC_LEN: usize = 48;

/// The newest generation with an output, if any.
pub fn generation(state: &(impl State + ?Sized)) -> Result<Option<u32>, StateError> {
    read_decoded(state, state_key::generation())
}

/// The group public key of `generation`.
pub fn master_public(
    state: &(impl State + ?Sized),
    generation: u32,
) -> Result<Option<[u8; MASTER_PUBLIC_LEN]>, StateError> {
    read_decoded(state, state_key::master_public(generation))
}

/// The round whose output is `generation`'s current sharing.
pub fn latest(state: &(impl State + ?Sized), generation: u32) -> Result<Option<u64>, StateError> {
    read_decoded(state, state_key::latest(generation))
}

/// The newest generation's current sharing: its generation, the round that produced it and
/// the round's public output (the polynomial partial signatures verify against).
pub fn current_output(
    state: &(impl State + ?Sized),
) -> Result<Option<(u32, u64, phalanx_threshold::Output)>, StateError> {
    let Some(generation) = generation(state)? else {
        return Ok(None);
    };
    let Some(round) = latest(state, generation)? else {
        return Ok(None);
    };
    Ok(round::stored_output(state, round)?.map(|output| (generation, round, output)))
}

/// The round in progress, if any.
pub fn active(state: &(impl State + ?Sized)) -> Result<Option<RoundRecord>, StateError> {
    match read_decoded::<u64>(state, state_key::active())? {
        Some(r) => record(state, r),
        None => Ok(None),
    }
}

/// The record of round `round`.
pub fn record(
    state: &(impl State + ?Sized),
    round: u64,
) -> Result<Option<RoundRecord>, StateError> {
    read_decoded(state, state_key::round(round))
}

/// The dealers whose logs round `round` recorded, in arrival order.
pub fn logged(state: &(impl State + ?Sized), round: u64) -> Result<Vec<WorkerId>, StateError> {
    Ok(read_decoded::<round::Ids>(state, state_key::logged(round))?
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
    read_decoded(state, state_key::share(recipient, key, round, sender))
}
