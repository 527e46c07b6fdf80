//! `stakepool.start_mining` and `stakepool.stop_mining`: the pool's sessions.

use super::{Error, Event, pool, workers::owned_pool};
use crate::{
    CallResult, Ctx,
    balances::pots::STAKE_POOLS,
    computation::{self, Funding, SessionOwner},
    state::State,
};
use phalanx_types::{Amount, PoolId, WorkerId};

/// The owner stakes `stake` of the pool's free stake on one of its workers; the pool owns the
/// session, so its payouts, slashes and reclaim reach the pool's ledger. Mining's own checks
/// (attestation, benchmark, minimum stake, V_max) apply as for an account.
pub fn start_mining(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    id: PoolId,
    worker: &WorkerId,
    stake: Amount,
) -> CallResult {
    let mut owned = owned_pool(state, ctx, id)?;
    if !owned.workers.contains(worker) {
        return Err(Error::NotInPool.into());
    }
    owned.ledger.stake(stake)?;
    let events = computation::start_session(
        state,
        ctx,
        worker,
        SessionOwner::Pool(id),
        &owned.owner,
        stake,
        Funding::Pot(STAKE_POOLS),
    )?;
    pool::set_pool(state, id, &owned);
    Ok(events)
}

/// Stops one of the pool's sessions: the owner at any time; anyone once the oldest unpaid
/// withdrawal has waited longer than `withdrawal_grace_ms`, so delegators are never locked in
/// (the reference's vault withdrawals could wait forever, its issue #1264). The stake frees
/// after mining's cool-down, when anyone reclaims it (`computation.reclaim`).
pub fn stop_mining(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    id: PoolId,
    worker: &WorkerId,
) -> CallResult {
    let found = pool::pool(state, id)?.ok_or(Error::UnknownPool)?;
    if !found.workers.contains(worker) {
        return Err(Error::NotInPool.into());
    }
    let by_owner = &found.owner == ctx.signer;
    if !by_owner {
        let overdue = found.ledger.queue.first().is_some_and(|head| {
            ctx.env.timestamp_ms
                >= head
                    .requested_ms
                    .saturating_add(ctx.params.stakepool.withdrawal_grace_ms)
        });
        if !overdue {
            return Err(Error::GraceNotOver.into());
        }
    }
    let owned_session =
        computation::session(state, worker)?.is_some_and(|s| s.owner == SessionOwner::Pool(id));
    if !owned_session {
        return Err(computation::Error::NoSession.into());
    }
    let mut events = computation::stop_session(state, ctx, worker)?;
    if !by_owner {
        events.push(
            Event::StoppedForWithdrawals {
                pool: id,
                worker: worker.clone(),
                by: ctx.signer.clone(),
            }
            .into(),
        );
    }
    Ok(events)
}
