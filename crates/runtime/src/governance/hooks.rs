//! What governance needs from the rest of the runtime to check and run an action, through a
//! trait the runtime's wiring implements (the component list knows every component's
//! parameters; governance does not import it).

use crate::{
    CallResult, Ctx,
    state::{State, StateError},
};
use phalanx_types::WorkerId;

/// Why a parameter change cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamsRefusal {
    UnknownComponent,
    /// The bytes are not the component's parameters, or fail its validation.
    Invalid(String),
}

pub trait GovernanceHooks {
    /// Whether `encoded` decodes as `component`'s parameters and passes their validation.
    fn check_params(&self, component: &str, encoded: &[u8]) -> Result<(), ParamsRefusal>;

    /// The encoding of `component`'s parameters in force (`None`: no such component).
    fn current_params(
        &self,
        state: &(impl State + ?Sized),
        component: &str,
    ) -> Result<Option<Vec<u8>>, StateError>;

    /// Stores them after the same check; they take effect from the next block.
    fn set_params(
        &self,
        state: &mut (impl State + ?Sized),
        component: &str,
        encoded: &[u8],
    ) -> Result<Result<(), ParamsRefusal>, StateError>;

    /// Promotes a worker to gatekeeper, as the registry's own promotion does.
    fn promote_gatekeeper(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        worker: &WorkerId,
    ) -> CallResult;

    /// Removes a gatekeeper, resharing the master key to the others.
    fn remove_gatekeeper(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        worker: &WorkerId,
    ) -> CallResult;
}
