//! Where `computation` keeps its state.

use crate::state::{StateKey, state_key};
use phalanx_types::WorkerId;

/// A worker's benchmark as the chain measured it: [`super::BenchmarkRecord`].
pub fn benchmark(worker: &WorkerId) -> StateKey {
    state_key("computation", "benchmark", worker.as_bytes())
}

/// A worker's mining session, from start to reclaim: [`super::Session`].
pub fn session(worker: &WorkerId) -> StateKey {
    state_key("computation", "session", worker.as_bytes())
}
