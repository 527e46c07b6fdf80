//! Routes [`GovernanceCall`] to its handlers, and answers what the executor, mempool and fees
//! need to know about each call.

use super::GovernanceHooks;
use crate::{CallInfo, CallResult, Ctx, Params, state::State};
use phalanx_types::GovernanceCall;

pub fn dispatch(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl GovernanceHooks,
    call: &GovernanceCall,
) -> CallResult {
    match call {
        GovernanceCall::Propose { action, voting_ms } => {
            super::propose::propose(state, ctx, hooks, action, *voting_ms)
        }
        GovernanceCall::Vote {
            proposal,
            choice,
            pools,
        } => super::vote::vote(state, ctx, *proposal, *choice, pools),
    }
}

pub fn call_info(params: &Params, call: &GovernanceCall) -> CallInfo {
    let (spends, prefetch) = match call {
        GovernanceCall::Propose { .. } => (
            params.governance.proposal_deposit,
            vec![super::state_key::active(), super::state_key::next_id()],
        ),
        GovernanceCall::Vote { proposal, .. } => (0, vec![super::state_key::proposal(*proposal)]),
    };
    CallInfo {
        fee: params.fees.transfer_fee,
        spends,
        prefetch,
        quota: None,
    }
}
