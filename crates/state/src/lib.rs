//! Phalanx authenticated state.
//!
//! The chain's state is one ordered QMDB "current" database (commonware-storage): a key-value
//! store whose canonical root, committed in every block header, authenticates every active key
//! and, because keys are kept in order, the absence of any other key. This crate owns the
//! database type, the stored value type, and [`StateProof`]: the inclusion or exclusion proof an
//! RPC node serves and any client (the CLI, a worker's light client) checks against a block's
//! state root without trusting the node.

pub mod db;
pub mod proof;
pub mod value;

pub use db::{CHUNK_BYTES, StateDb, StateDbConfig, StateKey, config};
pub use proof::{MAX_PROOF_BYTES, ProofError, StateProof};
pub use value::{MAX_STATE_VALUE, StateValue};
