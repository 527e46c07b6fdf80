//! Where `tokenomics` keeps its state.

use crate::state::{StateKey, state_key};

/// When emission started (the genesis time), ms since the Unix epoch: u64.
pub fn start() -> StateKey {
    state_key("tokenomics", "start", b"")
}
/// Base units moved from the mining reserve to the mining-rewards pot so far: u128.
pub fn emitted() -> StateKey {
    state_key("tokenomics", "emitted", b"")
}
