//! `governance`: PHA holders decide parameter changes, the attestation policy, gatekeeper
//! promotions and removals, master-key rotations, treasury spends and clusters of chosen
//! workers by vote (issue 15, DESIGN §4).
//!
//! | file | what |
//! |------|------|
//! | `params.rs` | deposit, voting period bounds, enactment delay, quorum, the forfeit threshold |
//! | `state_key.rs` | `next_id`, `proposal(id)` → [`Proposal`], `ballot(id, voter)` → [`Ballot`], `active` → [`Active`] |
//! | `event.rs` | `proposed`, `voted`, `closed`, `enacted`, `enactment_failed` |
//! | `error.rs` | codes 1–15 |
//! | `proposal.rs` | the records; the tally rule (yes > no, turnout ≥ quorum; a tie fails) |
//! | `call.rs` | [`GovernanceCall`](phalanx_types::GovernanceCall) |
//! | `propose.rs`, `vote.rs` | the handlers |
//! | `hooks.rs` | [`GovernanceHooks`]: checking and setting any component's parameters, promotion and removal |
//! | `end_block.rs` | closing votes and running passed actions |
//!
//! Voting power is an account's balance plus the worth of its pool shares, locked until the
//! vote ends (`balances::lock`, `stakepool::lock_shares`). A chain whose genesis names no root
//! account reaches the privileged actions (policy, promotion, rotation, clusters) only through
//! here.

mod call;
mod end_block;
mod error;
mod event;
mod hooks;
mod params;
mod proposal;
mod propose;
pub mod state_key;
mod vote;

pub use call::{call_info, dispatch};
pub use end_block::end_block;
pub use error::Error;
pub use event::{Event, MAX_CHOICE_BYTES, MAX_KIND_BYTES, MAX_REASON_BYTES};
pub use hooks::{GovernanceHooks, ParamsRefusal};
pub use params::{MAX_ACTIVE_LIMIT, Params};
pub use proposal::{
    Active, Ballot, MAX_REASON, Proposal, Status, active, ballot, proposal, proposal_count,
};
