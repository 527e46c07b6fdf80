//! Handler for `Call::PromoteGatekeeper` (root only).

use super::{MAX_GATEKEEPERS, gatekeepers, is_root, set_gatekeepers, worker, worker_key};
use crate::{
    receipt::{DispatchError, Event},
    state::{State, StateError},
};
use commonware_codec::Encode;
use phalanx_types::{AccountId, ChainMessage, WorkerId};

/// Gives `id` the gatekeeper role. The worker must be registered, and its last attestation no
/// older than the policy's evidence age limit at `now_ms`: a gatekeeper holds the master key.
pub fn promote_gatekeeper(
    state: &mut (impl State + ?Sized),
    caller: &AccountId,
    id: &WorkerId,
    now_ms: u64,
) -> Result<Result<Vec<Event>, DispatchError>, StateError> {
    if !is_root(state, caller)? {
        return Ok(Err(DispatchError::NotRoot));
    }
    let Some(mut record) = worker(state, id)? else {
        return Ok(Err(DispatchError::UnknownWorker));
    };
    let max_age_ms = super::policy(state)?
        .max_evidence_age_secs
        .saturating_mul(1000);
    if now_ms.saturating_sub(record.last_attested_ms) > max_age_ms {
        return Ok(Err(DispatchError::AttestationExpired));
    }
    if record.gatekeeper {
        return Ok(Err(DispatchError::AlreadyGatekeeper));
    }
    let mut list = gatekeepers(state)?;
    if list.len() >= MAX_GATEKEEPERS {
        return Ok(Err(DispatchError::TooManyGatekeepers));
    }
    list.push(id.clone());
    set_gatekeepers(state, &list);
    record.gatekeeper = true;
    state.put(worker_key(id), Some(record.encode().to_vec()));
    crate::mq::broadcast(
        state,
        &ChainMessage::GatekeeperPromoted {
            worker: id.clone(),
            encryption_key: record.info.encryption_key,
        },
    )?;
    Ok(Ok(vec![Event::GatekeeperPromoted { worker: id.clone() }]))
}
