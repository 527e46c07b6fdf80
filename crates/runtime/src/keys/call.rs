//! Routes [`KeysCall`] to its handler, and answers what the executor, mempool and fees need to
//! know about each call.

use crate::{CallInfo, CallResult, Ctx, Params, state::State};
use phalanx_types::KeysCall;

pub fn dispatch(state: &mut (impl State + ?Sized), ctx: &Ctx, call: &KeysCall) -> CallResult {
    match call {
        KeysCall::RotateMasterKey => super::rotate::rotate_master_key(state, ctx),
    }
}

pub fn call_info(params: &Params, call: &KeysCall) -> CallInfo {
    match call {
        KeysCall::RotateMasterKey => CallInfo::admin(params),
    }
}
