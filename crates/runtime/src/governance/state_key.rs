//! Where `governance` keeps its state.

use crate::state::{StateKey, state_key};
use phalanx_types::AccountId;

/// The id the next proposal gets (u64; absent = 0).
pub fn next_id() -> StateKey {
    state_key("governance", "next_id", b"")
}

/// A proposal: [`super::Proposal`].
pub fn proposal(id: u64) -> StateKey {
    state_key("governance", "proposal", &id.to_be_bytes())
}

/// An account's vote on a proposal: [`super::Ballot`].
pub fn ballot(proposal: u64, voter: &AccountId) -> StateKey {
    let mut id = proposal.to_be_bytes().to_vec();
    id.extend_from_slice(voter.as_bytes());
    state_key("governance", "ballot", &id)
}

/// The proposals still voting or waiting to enact, with when each is next due: [`super::Active`].
pub fn active() -> StateKey {
    state_key("governance", "active", b"")
}
