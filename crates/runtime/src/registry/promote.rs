//! Handler for `Call::PromoteGatekeeper` (root only).

use super::{MAX_GATEKEEPERS, gatekeepers, is_root, set_gatekeepers, worker, worker_key};
use crate::{
    executor::BlockEnv,
    keys,
    receipt::{DispatchError, Event},
    state::{State, StateError},
};
use commonware_codec::Encode;
use phalanx_types::{AccountId, ChainMessage, WorkerId};

/// Gives `id` the gatekeeper role. The worker must be registered, and its last attestation no
/// older than the policy's evidence age limit at the block's time: a gatekeeper holds a share
/// of the master key. Starts the first DKG round, or a reshare that includes the new
/// gatekeeper (after the round in progress, if any).
pub fn promote_gatekeeper(
    state: &mut (impl State + ?Sized),
    env: &BlockEnv,
    caller: &AccountId,
    id: &WorkerId,
) -> Result<Result<Vec<Event>, DispatchError>, StateError> {
    let now_ms = env.timestamp_ms;
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
    let mut events = vec![Event::GatekeeperPromoted { worker: id.clone() }];
    match keys::gatekeepers_changed(state, env)? {
        Ok(more) => events.extend(more),
        Err(e) => return Ok(Err(e)),
    }
    Ok(Ok(events))
}
