//! `stakepool`: PHA holders delegate to a pool whose owner runs workers (issue 15, DESIGN §4).
//!
//! | file | what |
//! |------|------|
//! | `ledger.rs` | a pool's accounts as pure arithmetic: value, shares, price, commission, the withdrawal queue |
//!
//! Built so far: the ledger and its property tests. The component's state, calls (create,
//! add/remove worker, start/stop, contribute, withdraw, claim), the pool as the owner of its
//! workers' mining sessions, and the CLI/RPC come next (issue 15's notes).

pub mod ledger;

#[cfg(test)]
mod ledger_tests;
