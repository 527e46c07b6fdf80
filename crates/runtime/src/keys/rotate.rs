//! Handler for `Call::RotateMasterKey` (root only; governance later).

use super::{active, generation, round::start_fresh};
use crate::{
    executor::BlockEnv,
    mq,
    receipt::{DispatchError, Event},
    registry,
    state::{State, StateError},
};
use phalanx_types::{AccountId, ChainMessage};

/// Starts a fresh DKG among the current gatekeepers for the next master key generation. Old
/// generations keep their sharings, for old data; the new secret is independent of them, so
/// a leaked old generation reveals nothing about the new one.
pub fn rotate_master_key(
    state: &mut (impl State + ?Sized),
    env: &BlockEnv,
    caller: &AccountId,
) -> Result<Result<Vec<Event>, DispatchError>, StateError> {
    if !registry::is_root(state, caller)? {
        return Ok(Err(DispatchError::NotRoot));
    }
    let Some(current) = generation(state)? else {
        return Ok(Err(DispatchError::NoMasterKey));
    };
    if active(state)?.is_some() {
        return Ok(Err(DispatchError::RotationPending));
    }
    let Some(next) = current.checked_add(1) else {
        return Ok(Err(DispatchError::UnexpectedGeneration));
    };
    let mut events = vec![Event::MasterKeyRotationRequested { generation: next }];
    match start_fresh(state, env, next)? {
        Ok(more) => events.extend(more),
        Err(e) => return Ok(Err(e)),
    }
    mq::broadcast(state, &ChainMessage::MasterKeyRotation { generation: next })?;
    Ok(Ok(events))
}
