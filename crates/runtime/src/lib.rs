//! The Phalanx state machine.
//!
//! Deterministic, synchronous and storage-agnostic: modules read and write the [`State`] trait,
//! and [`executor`] applies transactions. See the crate README for the module skeleton.

pub mod balances;
pub mod executor;
pub mod fees;
pub mod genesis;
pub mod keys;
pub mod mq;
pub mod params;
pub mod receipt;
pub mod registry;
pub mod state;

pub use executor::{BlockEnv, Exclusion, apply_tx, check_stateless};
pub use genesis::{Allocation, GenesisConfig, GenesisError, Recipient};
pub use params::Params;
pub use receipt::{DispatchError, Event, Outcome, Receipt, TxStatus};
pub use state::{MemoryState, Overlay, State, StateError, StateKey};
