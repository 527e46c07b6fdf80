//! Where `registry` keeps its state.

use crate::{
    append_log::AppendLog,
    state::{StateKey, state_key},
};
use phalanx_types::WorkerId;

/// The attestation policy: [`phalanx_types::AttestationPolicy`].
pub fn policy() -> StateKey {
    state_key("registry", "policy", b"")
}
/// The privileged account (genesis; governance later): [`phalanx_types::AccountId`].
pub fn root() -> StateKey {
    state_key("registry", "root", b"")
}
/// The genesis block digest registrations bind to.
pub fn genesis_hash() -> StateKey {
    state_key("registry", "genesis_hash", b"")
}
/// A worker's record: [`super::WorkerRecord`].
pub fn worker(id: &WorkerId) -> StateKey {
    state_key("registry", "worker", id.as_bytes())
}
/// The gatekeepers, in promotion order: concatenated identities.
pub fn gatekeepers() -> StateKey {
    state_key("registry", "gatekeepers", b"")
}
/// Every worker ever registered, in registration order (the listing index).
pub fn workers() -> AppendLog<WorkerId> {
    AppendLog::new("registry", "workers", b"")
}
