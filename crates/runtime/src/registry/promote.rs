//! `registry.promote_gatekeeper` (root only), and promotion and removal as governance runs them.

use super::{
    Error, Event, MAX_GATEKEEPERS, RegistryHooks, gatekeepers, is_root, set_gatekeepers, state_key,
    worker,
};
use crate::{CallResult, Ctx, state::State};
use commonware_codec::Encode;
use phalanx_types::WorkerId;

/// Gives `id` the gatekeeper role. The worker must be registered, and its last attestation no
/// older than the policy's evidence age limit at the block's time: a gatekeeper holds a share
/// of the master key. The hooks then start the first DKG round, or a reshare that includes
/// the new gatekeeper.
pub fn promote_gatekeeper(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl RegistryHooks,
    id: &WorkerId,
) -> CallResult {
    if !is_root(state, ctx.signer)? {
        return Err(Error::NotRoot.into());
    }
    promote(state, ctx, hooks, id)
}

/// Promotes `id`, whoever decided it (the root account, or a governance proposal).
pub fn promote(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl RegistryHooks,
    id: &WorkerId,
) -> CallResult {
    let mut record = worker(state, id)?.ok_or(Error::UnknownWorker)?;
    let max_age_ms = super::policy(state)?
        .max_evidence_age_secs
        .saturating_mul(1000);
    if ctx.env.timestamp_ms.saturating_sub(record.last_attested_ms) > max_age_ms {
        return Err(Error::AttestationExpired.into());
    }
    if record.gatekeeper {
        return Err(Error::AlreadyGatekeeper.into());
    }
    let mut list = gatekeepers(state)?;
    if list.len() >= MAX_GATEKEEPERS {
        return Err(Error::TooManyGatekeepers.into());
    }
    list.push(id.clone());
    set_gatekeepers(state, &list);
    record.gatekeeper = true;
    state.put(state_key::worker(id), Some(record.encode().to_vec()));
    let mut events = vec![Event::GatekeeperPromoted { worker: id.clone() }.into()];
    events.extend(hooks.gatekeeper_promoted(state, ctx, &record)?);
    Ok(events)
}

/// Removes `id` from the gatekeeper set (a governance decision; there is no root call for it).
/// The hooks then reshare the master key to the remaining set, so the removed worker holds no
/// share of the generations that follow. The last gatekeeper cannot be removed.
pub fn remove(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl RegistryHooks,
    id: &WorkerId,
) -> CallResult {
    let mut record = worker(state, id)?.ok_or(Error::UnknownWorker)?;
    if !record.gatekeeper {
        return Err(Error::NotGatekeeper.into());
    }
    let mut list = gatekeepers(state)?;
    if list.len() <= 1 {
        return Err(Error::LastGatekeeper.into());
    }
    list.retain(|g| g != id);
    set_gatekeepers(state, &list);
    record.gatekeeper = false;
    state.put(state_key::worker(id), Some(record.encode().to_vec()));
    let mut events = vec![Event::GatekeeperRemoved { worker: id.clone() }.into()];
    events.extend(hooks.gatekeeper_removed(state, ctx, &record)?);
    Ok(events)
}
