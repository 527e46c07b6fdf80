//! The `keys` module: the chain's side of gatekeeper key management.
//!
//! Secrets never reach the chain. It records which master key generations exist (by their
//! x25519 public keys), which keys were delivered to whom (by the hash of the envelope), and
//! asks for rotations. Gatekeeper outputs are deterministic, so every gatekeeper produces the
//! same announcement and the same envelope: the chain keeps the first, counts an identical
//! repeat as a confirmation, and refuses a different one as a disagreement
//! ([`DispatchError::KeyDisagreement`]), which is how a faulty or compromised gatekeeper shows.
//!
//! * state: `generation` → u32, the newest announced master key generation (absent: none
//!   yet); `pending` → u32, the generation a rotation asked for; `master_public(gen)` → the
//!   x25519 public key of that generation; `delivery(recipient, key)` → SHA-256 of the
//!   accepted envelope.
//! * calls: [`rotate_master_key`] (root; governance later). Announcements and deliveries
//!   arrive as worker messages through `mq` ([`announce`], [`deliver`]).
//!
//! [`DispatchError::KeyDisagreement`]: crate::DispatchError::KeyDisagreement

mod announce;
mod deliver;
mod rotate;

pub use announce::announce;
pub use deliver::deliver;
pub use rotate::rotate_master_key;

use crate::state::{State, StateError, StateKey, read_decoded, state_key};
use commonware_codec::Encode;
use phalanx_types::{Hash, KeyKind, WorkerId};

/// The only cluster until the contracts module defines others. Deliveries for other clusters
/// are refused: gatekeeper messages are free, so nothing a gatekeeper may send can be unbounded.
pub const DEFAULT_CLUSTER: u32 = 0;

pub fn generation_key() -> StateKey {
    state_key("keys", "generation", b"")
}
pub fn pending_key() -> StateKey {
    state_key("keys", "pending", b"")
}
pub fn master_public_key(generation: u32) -> StateKey {
    state_key("keys", "master_public", &generation.to_be_bytes())
}
pub fn delivery_key(recipient: &WorkerId, key: &KeyKind) -> StateKey {
    let mut id = recipient.as_bytes().to_vec();
    id.extend_from_slice(&key.encode());
    state_key("keys", "delivery", &id)
}

/// The newest announced master key generation, if any.
pub fn generation(state: &(impl State + ?Sized)) -> Result<Option<u32>, StateError> {
    read_decoded(state, generation_key())
}

/// The generation a rotation asked for and no gatekeeper has announced yet.
pub fn pending(state: &(impl State + ?Sized)) -> Result<Option<u32>, StateError> {
    read_decoded(state, pending_key())
}

/// The public key of master key `generation`.
pub fn master_public(
    state: &(impl State + ?Sized),
    generation: u32,
) -> Result<Option<[u8; 32]>, StateError> {
    read_decoded(state, master_public_key(generation))
}

/// The hash of the envelope accepted for `recipient`'s `key`.
pub fn delivery(
    state: &(impl State + ?Sized),
    recipient: &WorkerId,
    key: &KeyKind,
) -> Result<Option<Hash>, StateError> {
    read_decoded(state, delivery_key(recipient, key))
}
