//! Routes [`BalancesCall`] to its handler, and answers what the executor, mempool and fees
//! need to know about each call.

use crate::{CallInfo, CallResult, Ctx, Params, state::State};
use phalanx_types::BalancesCall;

pub fn dispatch(state: &mut (impl State + ?Sized), ctx: &Ctx, call: &BalancesCall) -> CallResult {
    match call {
        BalancesCall::Transfer { to, amount } => super::transfer::transfer(state, ctx, to, *amount),
    }
}

pub fn call_info(params: &Params, call: &BalancesCall) -> CallInfo {
    match call {
        BalancesCall::Transfer { to, amount } => CallInfo {
            fee: params.fees.transfer_fee,
            spends: *amount,
            prefetch: vec![super::state_key::account(to)],
            quota: None,
        },
    }
}
