//! `keys.rotate_master_key` (the root account), and a passed rotation proposal.

use super::{Error, Event, active, generation, round::start_fresh};
use crate::{CallResult, Ctx, mq, registry, state::State};
use phalanx_types::ChainMessage;

/// Starts a fresh DKG among the current gatekeepers for the next master key generation. Old
/// generations keep their sharings, for old data; the new secret is independent of them, so
/// a leaked old generation reveals nothing about the new one.
pub fn rotate_master_key(state: &mut (impl State + ?Sized), ctx: &Ctx) -> CallResult {
    if !registry::is_root(state, ctx.signer)? {
        return Err(Error::NotRoot.into());
    }
    rotate(state, ctx)
}

/// Starts the rotation, whoever decided it (the root account, or a governance proposal).
pub fn rotate(state: &mut (impl State + ?Sized), ctx: &Ctx) -> CallResult {
    let current = generation(state)?.ok_or(Error::NoMasterKey)?;
    if active(state)?.is_some() {
        return Err(Error::RotationPending.into());
    }
    let next = current.checked_add(1).ok_or(Error::UnexpectedGeneration)?;
    let mut events = vec![Event::MasterKeyRotationRequested { generation: next }.into()];
    events.extend(start_fresh(state, ctx.env, next)?);
    mq::broadcast(state, &ChainMessage::MasterKeyRotation { generation: next })?;
    Ok(events)
}
