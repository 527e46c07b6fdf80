//! Routes [`StakePoolCall`] to its handlers, and answers what the executor, mempool and fees
//! need to know about each call.

use crate::{CallInfo, CallResult, Ctx, Params, state::State};
use phalanx_types::StakePoolCall;

pub fn dispatch(state: &mut (impl State + ?Sized), ctx: &Ctx, call: &StakePoolCall) -> CallResult {
    match call {
        StakePoolCall::Create {
            commission_ppm,
            cap,
        } => super::create::create(state, ctx, *commission_ppm, *cap),
        StakePoolCall::AddWorker { pool, worker } => {
            super::workers::add_worker(state, ctx, *pool, worker)
        }
        StakePoolCall::RemoveWorker { pool, worker } => {
            super::workers::remove_worker(state, ctx, *pool, worker)
        }
        StakePoolCall::StartMining {
            pool,
            worker,
            stake,
        } => super::mining::start_mining(state, ctx, *pool, worker, *stake),
        StakePoolCall::StopMining { pool, worker } => {
            super::mining::stop_mining(state, ctx, *pool, worker)
        }
        StakePoolCall::Contribute { pool, amount } => {
            super::contribute::contribute(state, ctx, *pool, *amount)
        }
        StakePoolCall::Withdraw { pool, shares } => {
            super::withdraw::withdraw(state, ctx, *pool, *shares)
        }
        StakePoolCall::ClaimCommission { pool } => {
            super::claim::claim_commission(state, ctx, *pool)
        }
    }
}

pub fn call_info(params: &Params, call: &StakePoolCall) -> CallInfo {
    let spends = match call {
        StakePoolCall::Contribute { amount, .. } => *amount,
        _ => 0,
    };
    let mut prefetch = Vec::new();
    if let Some(pool) = call.pool() {
        prefetch.push(super::state_key::pool(pool));
    }
    if let Some(worker) = call.worker() {
        prefetch.push(super::state_key::worker_pool(worker));
        prefetch.push(crate::computation::state_key::session(worker));
        prefetch.push(crate::registry::state_key::worker(worker));
    }
    CallInfo {
        fee: params.fees.transfer_fee,
        spends,
        prefetch,
        quota: None,
    }
}
