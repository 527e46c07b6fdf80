//! `tokenomics`: the PHA emission schedule (DESIGN §4). 720,000 PHA per day, × 0.75 every 180
//! days, in block time from genesis, moved block by block from the mining reserve (70 % of the
//! supply, a pot since genesis) to the mining-rewards pot that mining pays from.
//!
//! | file | what |
//! |------|------|
//! | `params.rs` | daily emission, period length, decay fraction |
//! | `state_key.rs` | `start` (genesis time), `emitted` |
//! | `event.rs` | `emission`, `reserve_exhausted` |
//! | `genesis.rs` | starts the clock |
//! | `schedule.rs` | the closed form `⌊E(t)⌋` in exact integers: what the chain, the RPC and `phalanx tokenomics schedule` all compute |
//! | `end_block.rs` | the block hook that emits |
//!
//! No calls and no refusals. Block time is what emission measures: a block's timestamp is at
//! least its parent's and at most an hour after it, and validators wait for their own clock
//! before voting on one more than 5 s in their future (`phalanx_consensus::app`), so a proposer
//! can delay emission (by holding time back) but cannot bring it forward beyond those bounds,
//! and a delayed emission is caught up by the next block, since each block emits up to the
//! closed form.

mod end_block;
mod event;
pub mod genesis;
mod params;
pub mod schedule;
pub mod state_key;

pub use end_block::end_block;
pub use event::Event;
pub use params::{DAY_MS, Params};

use crate::state::{State, StateError, read_decoded};
use phalanx_types::Amount;

/// When emission started (the genesis time), ms since the Unix epoch.
pub fn start(state: &(impl State + ?Sized)) -> Result<u64, StateError> {
    read_decoded(state, state_key::start())?.ok_or_else(|| StateError::Corrupt {
        key: state_key::start(),
        reason: "emission start missing (genesis always writes it)".into(),
    })
}

/// Base units emitted so far.
pub fn emitted(state: &(impl State + ?Sized)) -> Result<Amount, StateError> {
    Ok(read_decoded(state, state_key::emitted())?.unwrap_or(0))
}
