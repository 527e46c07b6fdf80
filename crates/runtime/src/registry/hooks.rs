//! What `registry` tells other components, without importing them. The runtime's component
//! list (`components.rs`) implements these: `mq` queues the news for workers, `keys` starts a
//! DKG or reshare round.

use super::WorkerRecord;
use crate::{CallResult, Ctx, state::State};

pub trait RegistryHooks {
    /// A worker registered for the first time.
    fn worker_registered(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        worker: &WorkerRecord,
    ) -> CallResult;

    /// `promoted` joined the gatekeeper set.
    fn gatekeeper_promoted(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        promoted: &WorkerRecord,
    ) -> CallResult;

    /// `removed` left the gatekeeper set.
    fn gatekeeper_removed(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        removed: &WorkerRecord,
    ) -> CallResult;
}
