//! The `mq` topics `keys` owns: DKG dealings, acknowledgements and logs, and key shares. Only
//! gatekeepers send them.

use super::{Error, dkg, share};
use crate::{CallResult, Ctx, Event, mq::Handled, registry::WorkerRecord, state::State};
use phalanx_types::Payload;

/// Handles a key-management payload from `sender`. Events that only confirm what the chain
/// already held are not new work (the relayer pays for them).
pub fn handle_payload(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    sender: &WorkerRecord,
    payload: &Payload,
) -> CallResult<Handled> {
    if !sender.gatekeeper {
        return Err(Error::NotGatekeeper.into());
    }
    let from = &sender.info.identity;
    let events = match payload {
        Payload::KeyShare {
            recipient,
            key,
            round,
            envelope,
        } => share::share(state, from, recipient, key, *round, envelope)?,
        Payload::DkgDeal {
            round,
            commitment,
            shares,
        } => dkg::deal(state, from, *round, commitment, shares)?,
        Payload::DkgAck { round, dealer, ack } => dkg::ack(state, from, *round, dealer, ack)?,
        Payload::DkgLog { round, log } => dkg::log(state, ctx, from, *round, log)?,
        // `components::Wiring` routes only the topics above here (its match names every topic,
        // so a new one is routed there, not here).
        _ => Vec::new(),
    };
    let confirmation = events.iter().any(|e| {
        matches!(
            e,
            Event::Keys(
                super::Event::DkgMessage {
                    confirmation: true,
                    ..
                } | super::Event::KeyShareConfirmed { .. }
            )
        )
    });
    Ok(Handled {
        events,
        new_work: !confirmation,
    })
}
