//! A gatekeeper's `KeyShare` message: its partial signature towards a worker's cluster key,
//! encrypted to the worker and put in its inbox. Cluster 0's key goes to every registered
//! worker, another cluster's only to its members.

use super::{Error, Event, latest, round::stored_output, share_delivery, state_key};
use crate::{CallResult, contracts, mq, registry, state::State};
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
) -> CallResult {
    let KeyKind::Cluster {
        cluster,
        generation,
    } = key;
    // Only a member may receive a cluster's shares: gatekeeper messages are free, so what a
    // gatekeeper may send stays bounded (workers × clusters they belong to).
    if !contracts::cluster_exists(state, *cluster)? {
        return Err(Error::UnknownCluster.into());
    }
    if latest(state, *generation)? != Some(round) {
        return Err(Error::UnexpectedGeneration.into());
    }
    let Some(output) = stored_output(state, round)? else {
        return Err(Error::UnexpectedGeneration.into());
    };
    if output.players().position(sender.public_key()).is_none() {
        return Err(Error::NotShareHolder.into());
    }
    if registry::worker(state, recipient)?.is_none() {
        return Err(Error::UnknownRecipient.into());
    }
    if !contracts::is_member(state, *cluster, recipient)? {
        return Err(Error::NotClusterMember.into());
    }
    let digest = Sha256::hash(&[&envelope.encode()]);
    if let Some(accepted) = share_delivery(state, recipient, key, round, sender)? {
        if accepted != digest {
            return Err(Error::KeyDisagreement.into());
        }
        return Ok(vec![
            Event::KeyShareConfirmed {
                recipient: recipient.clone(),
                key: key.to_string(),
                by: sender.clone(),
            }
            .into(),
        ]);
    }
    state.put(
        state_key::share(recipient, key, round, sender),
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
    Ok(vec![
        Event::KeyShareDelivered {
            recipient: recipient.clone(),
            key: key.to_string(),
            round,
            by: sender.clone(),
        }
        .into(),
    ])
}
