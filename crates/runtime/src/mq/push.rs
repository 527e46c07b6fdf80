//! `mq.push_message`: a worker's signed message, relayed by anyone.
//!
//! Checks, in order, each with its own refusal: the sender is a registered worker; the
//! signature is the sender's, for this chain; the sequence number is exactly the next one
//! (lower is a replay, higher a gap). Then the topic's handler runs; if it refuses, nothing is
//! written and the sequence number stays unused, so the worker may send a corrected message.

use super::{Error, Event, Handled, Heartbeat, MessageHooks, next_seq, state_key};
use crate::{CallResult, Ctx, registry, state::State};
use commonware_codec::Encode;
use phalanx_types::{Payload, SignedMessage};

/// Accepts `signed` if it is the sender's next valid message, and runs its topic's handler.
pub fn push_message(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl MessageHooks,
    signed: &SignedMessage,
) -> CallResult {
    let message = &signed.message;
    let sender = registry::worker(state, &message.sender)?.ok_or(Error::UnknownWorker)?;
    if !signed.verify(&ctx.env.chain_id) {
        return Err(Error::BadMessageSignature.into());
    }
    let expected = next_seq(state, &message.sender)?;
    if message.seq < expected {
        return Err(Error::MessageReplayed.into());
    }
    if message.seq > expected {
        return Err(Error::MessageSequenceGap.into());
    }
    let handled = match &message.payload {
        Payload::Heartbeat { tip_height } => {
            let beat = Heartbeat {
                tip_height: *tip_height,
                block_height: ctx.env.height,
                block_time_ms: ctx.env.timestamp_ms,
            };
            state.put(
                state_key::heartbeat(&message.sender),
                Some(beat.encode().to_vec()),
            );
            Handled {
                events: Vec::new(),
                new_work: true,
            }
        }
        other => hooks.handle_payload(state, ctx, &sender, other)?,
    };
    state.put(
        state_key::next_seq(&message.sender),
        Some((message.seq + 1).encode().to_vec()),
    );
    let mut events = Vec::with_capacity(handled.events.len() + 1);
    events.push(
        Event::MessageAccepted {
            sender: message.sender.clone(),
            seq: message.seq,
            topic: message.payload.topic().into(),
            free: sender.gatekeeper && handled.new_work,
        }
        .into(),
    );
    events.extend(handled.events);
    Ok(events)
}
