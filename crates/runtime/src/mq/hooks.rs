//! Topics that belong to other components. `mq` checks a message's sender, signature and
//! sequence number, then hands the payload to its owner through these hooks (the runtime's
//! component list implements them: the DKG and key-share topics go to `keys`).

use crate::{CallResult, Ctx, Event, registry::WorkerRecord, state::State};
use phalanx_types::Payload;

/// What a topic's owner did with a payload.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Handled {
    pub events: Vec<Event>,
    /// False when the message only confirmed what the chain already held (an identical DKG
    /// message or key share): a gatekeeper's confirmation pays its fee, so it cannot repeat
    /// itself for free.
    pub new_work: bool,
}

pub trait MessageHooks {
    /// Handles `payload` from `sender`; a refusal leaves the sequence number unused.
    fn handle_payload(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        sender: &WorkerRecord,
        payload: &Payload,
    ) -> CallResult<Handled>;
}
