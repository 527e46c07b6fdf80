//! Handler for `Call::RotateMasterKey` (root only; governance later).

use super::{generation, pending, pending_key};
use crate::{
    mq,
    receipt::{DispatchError, Event},
    registry,
    state::{State, StateError},
};
use commonware_codec::Encode;
use phalanx_types::{AccountId, ChainMessage};

/// Asks the gatekeepers for the next master key generation. They derive it deterministically
/// from the current one, announce its public key (which completes the rotation) and deliver
/// new cluster keys; old generations stay, for old data.
pub fn rotate_master_key(
    state: &mut (impl State + ?Sized),
    caller: &AccountId,
) -> Result<Result<Vec<Event>, DispatchError>, StateError> {
    if !registry::is_root(state, caller)? {
        return Ok(Err(DispatchError::NotRoot));
    }
    let Some(current) = generation(state)? else {
        return Ok(Err(DispatchError::NoMasterKey));
    };
    if pending(state)?.is_some() {
        return Ok(Err(DispatchError::RotationPending));
    }
    let Some(next) = current.checked_add(1) else {
        return Ok(Err(DispatchError::UnexpectedGeneration));
    };
    state.put(pending_key(), Some(next.encode().to_vec()));
    mq::broadcast(state, &ChainMessage::MasterKeyRotation { generation: next })?;
    Ok(Ok(vec![Event::MasterKeyRotationRequested {
        generation: next,
    }]))
}
