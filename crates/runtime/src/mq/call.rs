//! Routes [`MqCall`] to its handler, and answers what the executor, mempool and fees need to
//! know about each call.

use super::MessageHooks;
use crate::{CallInfo, CallResult, Ctx, Params, state::State};
use phalanx_types::MqCall;

pub fn dispatch(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl MessageHooks,
    call: &MqCall,
) -> CallResult {
    match call {
        MqCall::PushMessage { message } => super::push::push_message(state, ctx, hooks, message),
    }
}

pub fn call_info(params: &Params, call: &MqCall) -> CallInfo {
    match call {
        // One signature check and a few writes: priced like a transfer.
        MqCall::PushMessage { message } => CallInfo {
            fee: params.fees.transfer_fee,
            spends: 0,
            prefetch: vec![
                crate::registry::state_key::worker(&message.message.sender),
                super::state_key::next_seq(&message.message.sender),
            ],
            quota: None,
        },
    }
}
