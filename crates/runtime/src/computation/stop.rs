//! `computation.stop_mining`: the owner stops a session; it cools down.

use super::{Error, Event, SessionState, session, state_key};
use crate::{CallResult, Ctx, fixed::Fixed, state::State};
use commonware_codec::Encode;
use phalanx_types::WorkerId;

/// Brings V to the block's time and freezes it: the reclaim after the cool-down returns
/// `min(V/Vᵉ, 1)·S`, announced in the event.
pub fn stop_mining(state: &mut (impl State + ?Sized), ctx: &Ctx, worker: &WorkerId) -> CallResult {
    let mut stopped = session(state, worker)?.ok_or(Error::NoSession)?;
    if &stopped.owner != ctx.signer {
        return Err(Error::NotSessionOwner.into());
    }
    if stopped.state == SessionState::CoolingDown {
        return Err(Error::NotMining.into());
    }
    let now = ctx.env.timestamp_ms;
    stopped.settle(&ctx.params.computation, now)?;
    if stopped.state == SessionState::Mining {
        // Its share leaves Σshare; what accrued since its last heartbeat stays in the pot.
        super::rewards::replace_share(state, stopped.share, Fixed::ZERO)?;
    }
    stopped.state = SessionState::CoolingDown;
    stopped.cool_down_since_ms = now;
    stopped.owed_round = None;
    super::challenge::leave(state, worker)?;
    state.put(state_key::session(worker), Some(stopped.encode().to_vec()));
    Ok(vec![
        Event::MiningStopped {
            worker: worker.clone(),
            v: stopped.value.v,
            returns: stopped.returned_stake(),
        }
        .into(),
    ])
}
