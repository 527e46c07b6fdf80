//! Where `stakepool` keeps its state.

use crate::state::{StateKey, state_key};
use phalanx_types::{AccountId, PoolId, WorkerId};

/// The id the next pool gets (u64; absent = 0).
pub fn next_id() -> StateKey {
    state_key("stakepool", "next_id", b"")
}

/// A pool: [`super::Pool`].
pub fn pool(id: PoolId) -> StateKey {
    state_key("stakepool", "pool", &id.to_be_bytes())
}

/// A delegator's position in a pool: [`super::Position`].
pub fn position(pool: PoolId, delegator: &AccountId) -> StateKey {
    let mut id = pool.to_be_bytes().to_vec();
    id.extend_from_slice(delegator.as_bytes());
    state_key("stakepool", "position", &id)
}

/// The pool a worker belongs to (u64), if any.
pub fn worker_pool(worker: &WorkerId) -> StateKey {
    state_key("stakepool", "worker_pool", worker.as_bytes())
}
