//! Where `treasury` keeps its state.

use super::Source;
use crate::state::{StateKey, state_key};

/// Base units received from `source` since genesis, net of refunds: u128.
pub fn income(source: Source) -> StateKey {
    state_key("treasury", "income", source.name().as_bytes())
}

/// Base units paid out by governance since genesis: u128.
pub fn spent() -> StateKey {
    state_key("treasury", "spent", b"")
}
