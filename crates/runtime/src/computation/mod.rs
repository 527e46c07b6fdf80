//! `computation`: mining (DESIGN §4, issue 14). A registered, attested worker mines with a
//! stake; heartbeats answer challenges that nobody can choose; each heartbeat is paid from the
//! mining-rewards pot in proportion to the worker's share `√(V² + (2·P·c)²)`.
//!
//! | file | what |
//! |------|------|
//! | `params.rs` | every number of the economics (k, Rᵉ, V_max, ρ, costs, decay, tick) |
//! | `value.rs` | V in closed form between a worker's events; Vᵉ, minimum stake, share, instant P |
//! | `target.rs` | the heartbeat challenge target and the `hash XOR seed ≤ target` rule |
//! | `reference_tests.rs` | the reference network's published numbers, reproduced |
//!
//! Built so far: the arithmetic, checked against the reference. Sessions (start, stop,
//! cool-down, reclaim), challenges from a threshold seed, payouts and slashing come next; see
//! issue 14's notes and `docs/ARCHITECTURE.md` ("Mining").

mod params;
pub mod target;
pub mod value;

#[cfg(test)]
mod reference_tests;

pub use params::{HOUR_MS, MAX_CONFIDENCE_LEVEL, MAX_P_CAP, Params, YEAR_MS};
