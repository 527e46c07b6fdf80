//! The Phalanx validator node: one process running consensus (`phalanx-consensus`), the indexer
//! and the RPC (`phalanx-rpc`) on the tokio runtime.

pub mod run;

pub use phalanx_consensus::spec;
