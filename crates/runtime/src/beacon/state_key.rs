//! Where `beacon` keeps its state.

use crate::state::{StateKey, state_key};

/// The round whose partials are being collected: [`super::PendingRound`].
pub fn pending() -> StateKey {
    state_key("beacon", "pending", b"")
}

/// The newest published seed: `(round, seed)`.
pub fn latest() -> StateKey {
    state_key("beacon", "latest", b"")
}
