//! `computation.reclaim`: after the cool-down, the stake goes back to the session's owner.

use super::{
    Error, Event, SessionState,
    owner::{self, Credit, MiningHooks},
    session, state_key,
};
use crate::{CallResult, Ctx, balances::pots, state::State};
use phalanx_types::WorkerId;

/// Anyone may finish a cooled-down session (the stake goes to its owner either way): a stake
/// pool's delegators waiting for their withdrawals need to. `min(V/Vᵉ, 1)·S` goes to the owner
/// (a pool's back into the pool's free stake), the rest of S to the treasury; the session ends
/// and the worker is ready to mine again.
pub fn reclaim(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl MiningHooks,
    worker: &WorkerId,
) -> CallResult {
    let ended = session(state, worker)?.ok_or(Error::NoSession)?;
    if ended.state != SessionState::CoolingDown {
        return Err(Error::NotCoolingDown.into());
    }
    let ready_at = ended
        .cool_down_since_ms
        .saturating_add(ctx.params.computation.cool_down_ms);
    if ctx.env.timestamp_ms < ready_at {
        return Err(Error::CoolDownNotOver.into());
    }
    let returned = ended.returned_stake();
    let slashed = ended.stake - returned;
    let why = "the pot holds every live session's stake";
    if let Err(short) = crate::treasury::receive_from_pot(
        state,
        pots::MINING_STAKE,
        slashed,
        crate::treasury::Source::LostStake,
    )? {
        return Err(short.corruption(pots::MINING_STAKE, why).into());
    }
    state.put(state_key::session(worker), None);
    let credited = owner::credit(
        state,
        ctx,
        hooks,
        pots::MINING_STAKE,
        &ended.owner,
        returned,
        Credit::Reclaim { stake: ended.stake },
    )?;
    let mut events = vec![
        Event::StakeReclaimed {
            worker: worker.clone(),
            owner: ended.owner,
            returned,
            slashed,
        }
        .into(),
    ];
    events.extend(credited);
    Ok(events)
}
