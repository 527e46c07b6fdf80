//! A gatekeeper's `KeyDelivery` message: a key encrypted to one worker, put in its inbox.

use super::{delivery, delivery_key, generation, master_public};
use crate::{
    mq,
    receipt::{DispatchError, Event},
    registry::{self, WorkerRecord},
    state::{State, StateError},
};
use commonware_codec::Encode;
use commonware_cryptography::{Hasher, Sha256};
use phalanx_types::{ChainMessage, Envelope, KeyKind, WorkerId};

/// Accepts the first delivery of `key` to `recipient` and appends it to the recipient's inbox.
/// The master key goes to gatekeepers only; the generation must have been announced. A later
/// delivery with the same envelope confirms it; one with another envelope is a disagreement
/// (gatekeepers derive their envelopes deterministically, so honest ones agree byte for byte).
pub fn deliver(
    state: &mut (impl State + ?Sized),
    sender: &WorkerId,
    record: &WorkerRecord,
    recipient: &WorkerId,
    key: &KeyKind,
    envelope: &Envelope,
) -> Result<Result<Vec<Event>, DispatchError>, StateError> {
    if !record.gatekeeper {
        return Ok(Err(DispatchError::NotGatekeeper));
    }
    let Some(to) = registry::worker(state, recipient)? else {
        return Ok(Err(DispatchError::UnknownRecipient));
    };
    match key {
        KeyKind::Master { .. } if !to.gatekeeper => {
            return Ok(Err(DispatchError::RecipientNotGatekeeper));
        }
        KeyKind::Cluster { cluster, .. } if *cluster != super::DEFAULT_CLUSTER => {
            return Ok(Err(DispatchError::UnknownCluster));
        }
        _ => {}
    }
    let announced = generation(state)?.is_some_and(|newest| key.generation() <= newest)
        && master_public(state, key.generation())?.is_some();
    if !announced {
        return Ok(Err(DispatchError::UnexpectedGeneration));
    }
    let digest = Sha256::hash(&[&envelope.encode()]);
    if let Some(accepted) = delivery(state, recipient, key)? {
        if accepted != digest {
            return Ok(Err(DispatchError::KeyDisagreement));
        }
        return Ok(Ok(vec![Event::KeyDeliveryConfirmed {
            recipient: recipient.clone(),
            key: key.to_string(),
            by: sender.clone(),
        }]));
    }
    state.put(delivery_key(recipient, key), Some(digest.encode().to_vec()));
    mq::deliver_to_inbox(
        state,
        recipient,
        &ChainMessage::KeyDelivered {
            sender: sender.clone(),
            key: *key,
            envelope: envelope.clone(),
        },
    )?;
    Ok(Ok(vec![Event::KeyDelivered {
        recipient: recipient.clone(),
        key: key.to_string(),
        by: sender.clone(),
    }]))
}
