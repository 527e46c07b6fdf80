//! Routes [`ContractsCall`] to its handlers, and prices each call.

use crate::{CallInfo, CallResult, Ctx, Params, state::State};
use phalanx_types::{Amount, ContractsCall};

pub fn dispatch(state: &mut (impl State + ?Sized), ctx: &Ctx, call: &ContractsCall) -> CallResult {
    match call {
        ContractsCall::UploadCode { code } => super::upload::upload_code(state, ctx, code),
        ContractsCall::Instantiate {
            code_hash,
            cluster,
            salt,
        } => super::instantiate::instantiate(state, ctx, code_hash, *cluster, salt),
    }
}

pub fn call_info(params: &Params, call: &ContractsCall) -> CallInfo {
    let fee = match call {
        ContractsCall::UploadCode { code } => params
            .contracts
            .code_fee_per_byte
            .saturating_mul(Amount::try_from(code.len()).unwrap_or(Amount::MAX)),
        ContractsCall::Instantiate { .. } => params.contracts.instantiate_fee,
    };
    CallInfo {
        fee,
        spends: 0,
        prefetch: Vec::new(),
        quota: None,
    }
}
