//! Handler for `Call::PushMessage`: a worker's signed message, relayed by anyone.
//!
//! Checks, in order, each with its own refusal: the sender is a registered worker; the
//! signature is the sender's, for this chain; the sequence number is exactly the next one
//! (lower is a replay, higher a gap). Then the topic's handler runs; if it refuses, nothing is
//! written and the sequence number stays unused, so the worker may send a corrected message.

use super::{Heartbeat, heartbeat_key, next_seq, next_seq_key};
use crate::{
    executor::BlockEnv,
    keys,
    receipt::{DispatchError, Event},
    registry,
    state::{State, StateError},
};
use commonware_codec::Encode;
use phalanx_types::{Payload, SignedMessage};

/// What an accepted message means for the relayer's fee.
#[derive(Debug, PartialEq, Eq)]
pub struct Accepted {
    pub events: Vec<Event>,
    /// The sender is a gatekeeper and the message did new work: the relayer's fee is
    /// refunded. A confirmation (an identical DKG message or key share the chain already
    /// holds) pays, so a gatekeeper cannot repeat itself for free.
    pub fee_waived: bool,
}

/// Accepts `signed` if it is the sender's next valid message, and runs its topic's handler.
pub fn push_message(
    state: &mut (impl State + ?Sized),
    env: &BlockEnv,
    signed: &SignedMessage,
) -> Result<Result<Accepted, DispatchError>, StateError> {
    let message = &signed.message;
    let Some(sender) = registry::worker(state, &message.sender)? else {
        return Ok(Err(DispatchError::UnknownWorker));
    };
    if !signed.verify(&env.chain_id) {
        return Ok(Err(DispatchError::BadMessageSignature));
    }
    let expected = next_seq(state, &message.sender)?;
    if message.seq < expected {
        return Ok(Err(DispatchError::MessageReplayed));
    }
    if message.seq > expected {
        return Ok(Err(DispatchError::MessageSequenceGap));
    }
    let dispatched = match &message.payload {
        Payload::KeyShare { .. }
        | Payload::DkgDeal { .. }
        | Payload::DkgAck { .. }
        | Payload::DkgLog { .. }
            if !sender.gatekeeper =>
        {
            Err(DispatchError::NotGatekeeper)
        }
        Payload::KeyShare {
            recipient,
            key,
            round,
            envelope,
        } => keys::share(state, &message.sender, recipient, key, *round, envelope)?,
        Payload::DkgDeal {
            round,
            commitment,
            shares,
        } => keys::deal(state, &message.sender, *round, commitment, shares)?,
        Payload::DkgAck { round, dealer, ack } => {
            keys::ack(state, &message.sender, *round, dealer, ack)?
        }
        Payload::DkgLog { round, log } => keys::log(state, env, &message.sender, *round, log)?,
        Payload::Heartbeat { tip_height } => {
            let beat = Heartbeat {
                tip_height: *tip_height,
                block_height: env.height,
                block_time_ms: env.timestamp_ms,
            };
            state.put(heartbeat_key(&message.sender), Some(beat.encode().to_vec()));
            Ok(Vec::new())
        }
    };
    let mut events = match dispatched {
        Ok(events) => events,
        Err(e) => return Ok(Err(e)),
    };
    state.put(
        next_seq_key(&message.sender),
        Some((message.seq + 1).encode().to_vec()),
    );
    events.insert(
        0,
        Event::MessageAccepted {
            sender: message.sender.clone(),
            seq: message.seq,
            topic: message.payload.topic(),
        },
    );
    let confirmation = events.iter().any(|e| {
        matches!(
            e,
            Event::DkgMessage {
                confirmation: true,
                ..
            } | Event::KeyShareConfirmed { .. }
        )
    });
    Ok(Ok(Accepted {
        events,
        fee_waived: sender.gatekeeper && !confirmation,
    }))
}
