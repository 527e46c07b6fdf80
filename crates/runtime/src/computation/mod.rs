//! `computation`: mining (DESIGN §4, issue 14). A registered, attested worker mines with a
//! stake; heartbeats answer challenges that nobody can choose; each heartbeat is paid from the
//! mining-rewards pot in proportion to the worker's share `√(V² + (2·P·c)²)`.
//!
//! | file | what |
//! |------|------|
//! | `params.rs` | every number of the economics (k, Rᵉ, V_max, ρ, costs, decay, tick, spans) |
//! | `state_key.rs` | `benchmark(worker)` → [`BenchmarkRecord`], `session(worker)` → [`Session`], `bucket(prefix)`, `stats`, the `timeouts` log and its head |
//! | `event.rs` | `benchmark_measured`, `mining_started`, `mining_stopped`, `challenged`, `unresponsive`, `heartbeat_paid`, `recovered`, `stake_reclaimed`, `slashed` |
//! | `error.rs` | codes 1–24 |
//! | `value.rs` | V in closed form between a worker's events; Vᵉ, minimum stake, share, instant P |
//! | `session.rs` | a session's record and states; V brought forward to a block's time |
//! | `benchmark.rs` | the `benchmark_report` message: P measured against block time |
//! | `call.rs` | [`ComputationCall`](phalanx_types::ComputationCall): fees, what start spends |
//! | `start.rs`, `stop.rs`, `reclaim.rs` | one handler each (start and stop also serve `stakepool`) |
//! | `owner.rs` | paying a session's owner: an account, or a pool through [`MiningHooks`] |
//! | `target.rs` | the heartbeat challenge target and the `hash XOR seed ≤ target` rule |
//! | `challenge.rs` | the bucket index of live sessions, issuing a round's challenges, timeouts |
//! | `rewards.rs` | the reward-per-share accumulator over the mining-rewards pot |
//! | `slash.rs` | offences and their levels: equivocation and revoked attestations (`report_equivocation`, `report_revoked`, and at a heartbeat); offline is V's decay |
//! | `heartbeat.rs` | the `mining_heartbeat` message: payout (80/20) or recovery |
//! | `end_block.rs` | the block hook: spread new emission, challenges from a new seed, due timeouts |
//! | `estimate.rs` | projected daily rewards and a new session's numbers (for `phalanx mining`) |
//! | `reference_tests.rs` | the reference network's published numbers, reproduced |
//!
//! Built so far: the arithmetic (checked against the reference), benchmark measurement,
//! sessions (start, stop, cool-down, reclaim with `min(V/Vᵉ, 1)·S`), challenges from the
//! beacon's seed, unresponsiveness, heartbeats with payouts and recovery, slashing for
//! equivocation and revoked attestations.

mod benchmark;
mod call;
pub mod challenge;
mod end_block;
mod error;
pub mod estimate;
mod event;
mod heartbeat;
mod owner;
mod params;
mod reclaim;
pub mod rewards;
mod session;
pub mod slash;
mod start;
pub mod state_key;
mod stop;
pub mod target;
pub mod value;

#[cfg(test)]
mod reference_tests;

pub use benchmark::{BenchmarkRecord, benchmark, benchmark_report};
pub use call::{call_info, dispatch};
pub use end_block::end_block;
pub use error::Error;
pub use event::{Event, MAX_EVIDENCE_BYTES, MAX_OFFENCE_BYTES};
pub use heartbeat::{mining_heartbeat, treasury_part};
pub use owner::MiningHooks;
pub use params::{HOUR_MS, MAX_CONFIDENCE_LEVEL, MAX_P_CAP, Params, YEAR_MS};
pub use session::{Session, SessionOwner, SessionState, ticks_between};
pub use start::{Funding, start_session};
pub use stop::stop_session;

use crate::state::{State, StateError, read_decoded};
use phalanx_types::WorkerId;

/// A worker's session, if it has one.
pub fn session(
    state: &(impl State + ?Sized),
    worker: &WorkerId,
) -> Result<Option<Session>, StateError> {
    read_decoded(state, state_key::session(worker))
}
