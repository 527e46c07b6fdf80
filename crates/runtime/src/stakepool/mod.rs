//! `stakepool`: PHA holders delegate to a pool whose owner mines with their stake (issue 15,
//! DESIGN §4).
//!
//! | file | what |
//! |------|------|
//! | `params.rs` | the withdrawal grace period, per-pool bounds, the least contribution |
//! | `state_key.rs` | `next_id`, `pool(id)` → [`Pool`], `position(pool, account)` → [`Position`], `worker_pool(worker)` |
//! | `event.rs` | `created`, `worker_added`/`removed`, `contributed`, `withdrawal_queued`/`paid`, `rewarded`, `slashed`, `stake_returned`, `stopped_for_withdrawals`, `commission_claimed` |
//! | `error.rs` | codes 1–21 |
//! | `ledger.rs` | a pool's accounts as pure arithmetic: value, shares, price, commission, the withdrawal queue |
//! | `pool.rs` | the pool record and a delegator's position, stored |
//! | `call.rs` | [`StakePoolCall`](phalanx_types::StakePoolCall): fees, what contribute spends |
//! | `create.rs`, `workers.rs`, `mining.rs`, `contribute.rs`, `withdraw.rs`, `claim.rs` | the handlers |
//! | `mining_hooks.rs` | a session of the pool paid, slashed or reclaimed (`computation::MiningHooks`) |
//! | `payments.rs` | paying queued withdrawals out of the stake-pools pot |
//!
//! Money: a pool's free stake and unclaimed commission are in the `stake_pools` pot, its
//! locked stake in mining's `mining_stake` pot as the stake of the sessions the pool owns.
//! Every share holder's claim is `shares × value / total shares`, rounded in the pool's
//! favour; a withdrawal is paid at the price of the moment it is paid.

mod call;
mod claim;
mod contribute;
mod create;
mod error;
mod event;
pub mod ledger;
mod mining;
pub mod mining_hooks;
mod params;
mod payments;
mod pool;
pub mod state_key;
mod withdraw;
mod workers;

#[cfg(test)]
mod ledger_tests;

pub use call::{call_info, dispatch};
pub use error::Error;
pub use event::Event;
pub use params::{MAX_QUEUE_LIMIT, MAX_WORKERS_LIMIT, Params};
pub use pool::{Pool, Position, lock_shares, pool, pool_count, position, worker_pool};
