//! A gatekeeper's `MasterKeyAnnounce` message: the public key of a master key generation.

use super::{generation_key, master_public, master_public_key, pending, pending_key};
use crate::{
    receipt::{DispatchError, Event},
    registry::{self, WorkerRecord},
    state::{State, StateError},
};
use commonware_codec::Encode;
use phalanx_types::WorkerId;

/// Records the public key of `generation`, if that is the generation expected: generation 0 from the
/// first gatekeeper when no master key exists yet, or the generation a rotation asked for. An
/// identical announcement of a known generation confirms it; a different one is a
/// disagreement.
pub fn announce(
    state: &mut (impl State + ?Sized),
    sender: &WorkerId,
    record: &WorkerRecord,
    generation: u32,
    public_key: &[u8; 32],
) -> Result<Result<Vec<Event>, DispatchError>, StateError> {
    if !record.gatekeeper {
        return Ok(Err(DispatchError::NotGatekeeper));
    }
    if let Some(known) = master_public(state, generation)? {
        if known != *public_key {
            return Ok(Err(DispatchError::KeyDisagreement));
        }
        return Ok(Ok(vec![Event::MasterKeyConfirmed {
            generation,
            by: sender.clone(),
        }]));
    }
    let expected = match (super::generation(state)?, pending(state)?) {
        // The first master key comes from the first gatekeeper only, so two gatekeepers
        // promoted close together cannot both generate one.
        (None, _) => {
            let first = registry::gatekeepers(state)?.into_iter().next();
            if first.as_ref() != Some(sender) {
                return Ok(Err(DispatchError::UnexpectedGeneration));
            }
            0
        }
        (Some(_), Some(pending)) => pending,
        (Some(_), None) => return Ok(Err(DispatchError::UnexpectedGeneration)),
    };
    if generation != expected {
        return Ok(Err(DispatchError::UnexpectedGeneration));
    }
    state.put(
        master_public_key(generation),
        Some(public_key.encode().to_vec()),
    );
    state.put(generation_key(), Some(generation.encode().to_vec()));
    state.put(pending_key(), None);
    Ok(Ok(vec![Event::MasterKeyPublished {
        generation,
        public_key: hex::encode(public_key),
        by: sender.clone(),
    }]))
}
