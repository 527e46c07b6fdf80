//! `computation.stop_mining`: the owner stops a session; it cools down.

use super::{Error, Event, Params, Session, SessionState, session, state_key};
use crate::{CallResult, Ctx, fixed::Fixed, state::State};
use commonware_codec::Encode;
use phalanx_types::WorkerId;

/// The account that owns a session stops it (a pool's sessions stop through `stakepool`).
pub fn stop_mining(state: &mut (impl State + ?Sized), ctx: &Ctx, worker: &WorkerId) -> CallResult {
    let owned = session(state, worker)?.ok_or(Error::NoSession)?;
    if owned.owner.account() != Some(ctx.signer) {
        return Err(Error::NotSessionOwner.into());
    }
    stop_session(state, ctx, worker)
}

/// Stops `worker`'s session, whoever asked (the caller decided they may): V is brought to the
/// block's time and frozen; the reclaim after the cool-down returns `min(V/Vᵉ, 1)·S`, announced
/// in the event.
pub fn stop_session(state: &mut (impl State + ?Sized), ctx: &Ctx, worker: &WorkerId) -> CallResult {
    let mut stopped = session(state, worker)?.ok_or(Error::NoSession)?;
    if stopped.state == SessionState::CoolingDown {
        return Err(Error::NotMining.into());
    }
    cool_down(
        state,
        &ctx.params.computation,
        worker,
        &mut stopped,
        ctx.env.timestamp_ms,
    )?;
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

/// Stops a live session at `now_ms` (its owner's stop, or a slash): V brought to `now_ms` and
/// frozen, its share out of Σshare, out of the challenge index, nothing owed. The caller stores
/// the session.
pub(super) fn cool_down(
    state: &mut (impl State + ?Sized),
    params: &Params,
    worker: &WorkerId,
    live: &mut Session,
    now_ms: u64,
) -> CallResult<()> {
    live.settle(params, now_ms)?;
    if live.state == SessionState::Mining {
        // Its share leaves Σshare; what accrued since its last heartbeat stays in the pot.
        super::rewards::replace_share(state, live.share, Fixed::ZERO)?;
    }
    live.state = SessionState::CoolingDown;
    live.cool_down_since_ms = now_ms;
    live.owed_round = None;
    super::challenge::leave(state, worker)?;
    Ok(())
}
