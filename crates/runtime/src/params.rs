//! How a component's parameters live in state: each component stores its own [`Params`]
//! under `<component>/params`, validated on the way in, read once per block. Governance (a
//! later issue) changes one component's parameters through [`ComponentParams::store`], after
//! [`ComponentParams::validate`].
//!
//! [`Params`]: crate::Params

use crate::state::{State, StateError, StateKey, read_decoded, state_key};
use commonware_codec::{Encode, Read};

/// A component's parameters.
pub trait ComponentParams: Encode + Read<Cfg = ()> + Sized {
    /// The component that owns them (its state key prefix).
    const COMPONENT: &'static str;

    /// Why these values cannot run a chain, if they cannot.
    fn validate(&self) -> Result<(), String>;

    /// The state key they live under.
    fn key() -> StateKey {
        state_key(Self::COMPONENT, "params", b"")
    }

    /// Reads them. Genesis always writes them, so absence is corruption.
    fn load(state: &(impl State + ?Sized)) -> Result<Self, StateError> {
        read_decoded(state, Self::key())?.ok_or_else(|| StateError::Corrupt {
            key: Self::key(),
            reason: format!("{} parameters missing", Self::COMPONENT),
        })
    }

    /// Writes them (genesis, and governance once it exists).
    fn store(&self, state: &mut (impl State + ?Sized)) {
        state.put(Self::key(), Some(self.encode().to_vec()));
    }
}
