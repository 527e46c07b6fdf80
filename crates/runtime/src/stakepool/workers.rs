//! `stakepool.add_worker` and `stakepool.remove_worker`: the owner's workers.
//!
//! A worker joins a pool only without a session, and leaves it only without one: the session's
//! owner is fixed when it starts, so its stake always returns to the pool that staked it (the
//! reference lost stake when a worker was removed and added again, its issue #500).

use super::{Error, Event, Pool, pool, state_key};
use crate::{CallResult, Ctx, computation, registry, state::State};
use commonware_codec::Encode;
use phalanx_types::{PoolId, WorkerId};

/// The pool `id`, which the signer must own.
pub(super) fn owned_pool(state: &(impl State + ?Sized), ctx: &Ctx, id: PoolId) -> CallResult<Pool> {
    let found = pool::pool(state, id)?.ok_or(Error::UnknownPool)?;
    if &found.owner != ctx.signer {
        return Err(Error::NotPoolOwner.into());
    }
    Ok(found)
}

pub fn add_worker(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    id: PoolId,
    worker: &WorkerId,
) -> CallResult {
    let mut owned = owned_pool(state, ctx, id)?;
    let record = registry::worker(state, worker)?.ok_or(Error::UnknownWorker)?;
    if &record.operator != ctx.signer {
        return Err(Error::NotWorkerOperator.into());
    }
    if pool::worker_pool(state, worker)?.is_some() {
        return Err(Error::WorkerInPool.into());
    }
    if computation::session(state, worker)?.is_some() {
        return Err(Error::WorkerHasSession.into());
    }
    if owned.workers.len() >= ctx.params.stakepool.max_workers as usize {
        return Err(Error::TooManyWorkers.into());
    }
    owned.workers.push(worker.clone());
    pool::set_pool(state, id, &owned);
    state.put(state_key::worker_pool(worker), Some(id.encode().to_vec()));
    Ok(vec![
        Event::WorkerAdded {
            pool: id,
            worker: worker.clone(),
        }
        .into(),
    ])
}

pub fn remove_worker(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    id: PoolId,
    worker: &WorkerId,
) -> CallResult {
    let mut owned = owned_pool(state, ctx, id)?;
    let Some(at) = owned.workers.iter().position(|w| w == worker) else {
        return Err(Error::NotInPool.into());
    };
    if computation::session(state, worker)?.is_some() {
        return Err(Error::WorkerHasSession.into());
    }
    owned.workers.remove(at);
    pool::set_pool(state, id, &owned);
    state.put(state_key::worker_pool(worker), None);
    Ok(vec![
        Event::WorkerRemoved {
            pool: id,
            worker: worker.clone(),
        }
        .into(),
    ])
}
