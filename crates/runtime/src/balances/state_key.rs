//! Where `balances` keeps its state.

use crate::state::{StateKey, state_key};
use phalanx_types::AccountId;

/// An account: [`super::Account`].
pub fn account(id: &AccountId) -> StateKey {
    state_key("balances", "account", id.as_bytes())
}

/// A pot's balance: u128.
pub fn pot(name: &str) -> StateKey {
    state_key("balances", "pot", name.as_bytes())
}

/// The total issuance: u128, written at genesis only.
pub fn total_issuance() -> StateKey {
    state_key("balances", "total_issuance", b"")
}

/// What an account may not spend until a time (votes lock it): [`super::lock::Lock`].
pub fn lock(id: &AccountId) -> StateKey {
    state_key("balances", "lock", id.as_bytes())
}
