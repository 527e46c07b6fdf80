//! Paying a session's owner. An account is paid directly; a stake pool's PHA moves into the
//! stake-pools pot and its ledger learns of it through [`MiningHooks`], which the runtime's
//! wiring implements with `stakepool` (that component imports this one to start sessions, so
//! this one cannot import it back).

use super::SessionOwner;
use crate::{
    CallResult, Ctx,
    balances::pots::{self, Pot},
    state::State,
};
use phalanx_types::{Amount, PoolId, WorkerId};

/// What happens to a pool's session money, for the pool's ledger. The PHA itself has already
/// moved when a hook runs.
pub trait MiningHooks {
    /// The pool `worker` belongs to, if any (its sessions are then the pool's to start).
    fn worker_pool(
        &self,
        state: &(impl State + ?Sized),
        worker: &WorkerId,
    ) -> Result<Option<PoolId>, crate::StateError>;

    /// `amount` of a payout for `worker` is now in the stake-pools pot for `pool`.
    fn pool_rewarded(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        pool: PoolId,
        worker: &WorkerId,
        amount: Amount,
    ) -> CallResult;

    /// `amount` of the stake of `pool`'s session was slashed into the treasury.
    fn pool_slashed(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        pool: PoolId,
        amount: Amount,
    ) -> CallResult;

    /// `pool`'s session with stake `stake` ended: `returned` of it is back in the stake-pools
    /// pot (the rest went to the treasury for the V it lost).
    fn pool_reclaimed(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        pool: PoolId,
        stake: Amount,
        returned: Amount,
    ) -> CallResult;
}

/// What the owner is being paid.
pub(super) enum Credit<'a> {
    /// A heartbeat's payout for this worker.
    Reward(&'a WorkerId),
    /// The stake left after a reclaim, of a session staked with this much.
    Reclaim { stake: Amount },
}

/// Moves `amount` from pot `from` to `owner`, then tells the pool's ledger. The caller made
/// sure `from` covers it: falling short is corruption.
pub(super) fn credit(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl MiningHooks,
    from: Pot,
    owner: &SessionOwner,
    amount: Amount,
    credit: Credit<'_>,
) -> CallResult {
    let why = match credit {
        Credit::Reward(_) => "the payout was capped by the pot just read",
        Credit::Reclaim { .. } => "the pot holds every live session's stake",
    };
    let moved = match owner {
        SessionOwner::Account(account) => pots::to_account(state, from, account, amount)?,
        SessionOwner::Pool(_) => pots::move_between(state, from, pots::STAKE_POOLS, amount)?,
    };
    if let Err(short) = moved {
        return Err(short.corruption(from, why).into());
    }
    let SessionOwner::Pool(pool) = owner else {
        return Ok(Vec::new());
    };
    match credit {
        Credit::Reward(worker) => hooks.pool_rewarded(state, ctx, *pool, worker, amount),
        Credit::Reclaim { stake } => hooks.pool_reclaimed(state, ctx, *pool, stake, amount),
    }
}

/// Tells a pool's ledger that its session lost `amount` of stake to a slash.
pub(super) fn slashed(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl MiningHooks,
    owner: &SessionOwner,
    amount: Amount,
) -> CallResult {
    match owner {
        SessionOwner::Account(_) => Ok(Vec::new()),
        SessionOwner::Pool(pool) => hooks.pool_slashed(state, ctx, *pool, amount),
    }
}
