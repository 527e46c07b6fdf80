//! Routes [`ComputationCall`] to its handlers, and answers what the executor, mempool and fees
//! need to know about each call.

use super::owner::MiningHooks;
use crate::{CallInfo, CallResult, Ctx, Params, state::State};
use phalanx_types::ComputationCall;

pub fn dispatch(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl MiningHooks,
    call: &ComputationCall,
) -> CallResult {
    match call {
        ComputationCall::StartMining { worker, stake } => {
            super::start::start_mining(state, ctx, hooks, worker, *stake)
        }
        ComputationCall::StopMining { worker } => super::stop::stop_mining(state, ctx, worker),
        ComputationCall::Reclaim { worker } => super::reclaim::reclaim(state, ctx, hooks, worker),
        ComputationCall::ReportEquivocation {
            worker,
            round,
            first,
            second,
        } => super::slash::report_equivocation(state, ctx, hooks, worker, *round, first, second),
        ComputationCall::ReportRevoked { worker } => {
            super::slash::report_revoked(state, ctx, hooks, worker)
        }
    }
}

pub fn call_info(params: &Params, call: &ComputationCall) -> CallInfo {
    let worker = call.worker();
    let spends = match call {
        ComputationCall::StartMining { stake, .. } => *stake,
        ComputationCall::StopMining { .. }
        | ComputationCall::Reclaim { .. }
        | ComputationCall::ReportEquivocation { .. }
        | ComputationCall::ReportRevoked { .. } => 0,
    };
    CallInfo {
        fee: params.fees.transfer_fee,
        spends,
        prefetch: vec![
            super::state_key::session(worker),
            super::state_key::benchmark(worker),
            crate::registry::state_key::worker(worker),
        ],
        quota: None,
    }
}
