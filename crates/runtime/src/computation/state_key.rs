//! Where `computation` keeps its state.

use crate::{
    append_log::AppendLog,
    state::{StateKey, state_key},
};
use phalanx_types::WorkerId;

/// A worker's benchmark as the chain measured it: [`super::BenchmarkRecord`].
pub fn benchmark(worker: &WorkerId) -> StateKey {
    state_key("computation", "benchmark", worker.as_bytes())
}

/// A worker's mining session, from start to reclaim: [`super::Session`].
pub fn session(worker: &WorkerId) -> StateKey {
    state_key("computation", "session", worker.as_bytes())
}

/// The live sessions (mining or unresponsive) whose challenge hash starts with the 12 bits
/// `bucket`: [`super::challenge::Bucket`].
pub fn bucket(bucket: u16) -> StateKey {
    state_key("computation", "bucket", &bucket.to_be_bytes())
}

/// Which buckets are non-empty: [`super::challenge::Occupancy`] (4,096 bits).
pub fn occupied() -> StateKey {
    state_key("computation", "occupied", b"")
}

/// Set once `worker`'s equivocation in `round` was slashed (one slash per worker and round).
pub fn equivocation(worker: &WorkerId, round: u64) -> StateKey {
    let mut id = worker.as_bytes().to_vec();
    id.extend_from_slice(&round.to_be_bytes());
    state_key("computation", "equivocation", &id)
}

/// Counters over all sessions: [`super::challenge::Stats`].
pub fn stats() -> StateKey {
    state_key("computation", "stats", b"")
}

/// Owed heartbeats in the order they fall due: [`super::challenge::Timeout`].
pub fn timeouts() -> AppendLog<super::challenge::Timeout> {
    AppendLog::new("computation", "timeouts", b"")
}

/// The index of the first timeout not yet processed (u64).
pub fn timeouts_head() -> StateKey {
    state_key("computation", "timeouts_head", b"")
}

/// The rewards accumulator: [`super::rewards::RewardPool`].
pub fn rewards() -> StateKey {
    state_key("computation", "rewards", b"")
}
