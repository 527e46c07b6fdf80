//! The Phalanx state machine.
//!
//! Deterministic, synchronous and storage-agnostic: components read and write the [`State`]
//! trait, and [`executor`] applies transactions and runs the block hooks. Each component is
//! one folder with the same skeleton (params, state keys, events, errors, genesis, calls with
//! one handler file each, block hooks); [`components`] is the one list that names them all.
//! See the crate README.

pub mod append_log;
pub mod balances;
pub mod beacon;
pub mod components;
pub mod computation;
mod context;
pub mod contracts;
mod error;
mod events;
pub mod executor;
pub mod fees;
pub mod fixed;
pub mod genesis;
pub mod governance;
pub mod keys;
pub mod mq;
pub mod params;
pub mod receipt;
pub mod registry;
pub mod stakepool;
pub mod state;
pub mod tokenomics;
pub mod treasury;

pub use balances::{Allocation, Recipient};
pub use components::{
    CallInfo, DispatchError, Event, PARAMS_COMPONENTS, Params, ParamsVisitor, Quota, call_info,
    visit_params,
};
pub use context::{BlockEnv, Ctx};
pub use error::{CallError, CallResult};
pub use executor::{Exclusion, apply_tx, begin_block, check_stateless, end_block, required_fee};
pub use genesis::{GenesisConfig, GenesisError};
pub use params::ComponentParams;
pub use receipt::{MAX_EVENTS_PER_RECEIPT, Outcome, Receipt, TxStatus};
pub use state::{MemoryState, Overlay, State, StateError, StateKey};

/// Amounts in JSON are decimal strings: JSON numbers lose precision above 2^53.
pub mod amount_json {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }

    /// An optional amount: a decimal string or `null`.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(v: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.serialize_some(&v.to_string()),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u128>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|s| s.parse().map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}
