//! The Phalanx validator node.
//!
//! * [`block`]: the block type and its bounded encoding.
//! * [`execute`]: runs the runtime against the authenticated database.
//! * [`app`]: the consensus application (propose / verify / finalize).
//! * [`mempool`]: admission and limits.

pub mod admission;
pub mod app;
pub mod block;
pub mod engine;
pub mod execute;
pub mod gossip;
pub mod index;
pub mod mempool;
pub mod no_sync;
pub mod rpc;
pub mod run;
pub mod spec;
