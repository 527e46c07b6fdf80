//! A gatekeeper's `KeyShare` message: its partial signature towards a worker's cluster key,
//! encrypted to the worker and put in its inbox.

use super::{DEFAULT_CLUSTER, latest, round::stored_output, share_delivery, share_key};
use crate::{
    mq,
    receipt::{DispatchError, Event},
    registry,
    state::{State, StateError},
};
use commonware_codec::Encode;
use commonware_cryptography::{Hasher, Sha256};
use phalanx_types::{ChainMessage, Envelope, KeyKind, WorkerId};

/// Accepts `sender`'s first share of `key` for `recipient` from round `round`, which must be
/// the generation's current sharing and include `sender` as a player. One per sender, so what
/// a gatekeeper can send for free is bounded; the recipient verifies each partial against the
/// round's public polynomial (the chain cannot see inside the envelope).
pub fn share(
    state: &mut (impl State + ?Sized),
    sender: &WorkerId,
    recipient: &WorkerId,
    key: &KeyKind,
    round: u64,
    envelope: &Envelope,
) -> Result<Result<Vec<Event>, DispatchError>, StateError> {
    let KeyKind::Cluster {
        cluster,
        generation,
    } = key;
    if *cluster != DEFAULT_CLUSTER {
        return Ok(Err(DispatchError::UnknownCluster));
    }
    if latest(state, *generation)? != Some(round) {
        return Ok(Err(DispatchError::UnexpectedGeneration));
    }
    let Some(output) = stored_output(state, round)? else {
        return Ok(Err(DispatchError::UnexpectedGeneration));
    };
    if output.players().position(sender.public_key()).is_none() {
        return Ok(Err(DispatchError::NotShareHolder));
    }
    if registry::worker(state, recipient)?.is_none() {
        return Ok(Err(DispatchError::UnknownRecipient));
    }
    let digest = Sha256::hash(&[&envelope.encode()]);
    if let Some(accepted) = share_delivery(state, recipient, key, round, sender)? {
        if accepted != digest {
            return Ok(Err(DispatchError::KeyDisagreement));
        }
        return Ok(Ok(vec![Event::KeyShareConfirmed {
            recipient: recipient.clone(),
            key: key.to_string(),
            by: sender.clone(),
        }]));
    }
    state.put(
        share_key(recipient, key, round, sender),
        Some(digest.encode().to_vec()),
    );
    mq::deliver_to_inbox(
        state,
        recipient,
        &ChainMessage::KeyShareDelivered {
            sender: sender.clone(),
            key: *key,
            round,
            envelope: envelope.clone(),
        },
    )?;
    Ok(Ok(vec![Event::KeyShareDelivered {
        recipient: recipient.clone(),
        key: key.to_string(),
        round,
        by: sender.clone(),
    }]))
}
