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
        ContractsCall::Command {
            contract,
            sealed,
            gas_limit,
        } => super::command::command(state, ctx, contract, sealed, *gas_limit),
        ContractsCall::CreateCluster { members } => {
            super::create_cluster::create_cluster(state, ctx, members)
        }
        ContractsCall::ExpireCommand { contract, seq } => {
            super::expire::expire_command(state, ctx, contract, *seq)
        }
    }
}

pub fn call_info(params: &Params, call: &ContractsCall) -> CallInfo {
    let spends = match call {
        ContractsCall::Command { gas_limit, .. } => {
            super::command::escrow(*gas_limit, params.contracts.gas_price)
        }
        _ => 0,
    };
    let fee = match call {
        ContractsCall::UploadCode { code } => params
            .contracts
            .code_fee_per_byte
            .saturating_mul(Amount::try_from(code.len()).unwrap_or(Amount::MAX)),
        ContractsCall::Instantiate { .. } => params.contracts.instantiate_fee,
        ContractsCall::Command { .. }
        | ContractsCall::CreateCluster { .. }
        | ContractsCall::ExpireCommand { .. } => 0,
    };
    CallInfo {
        fee,
        spends,
        prefetch: Vec::new(),
        quota: None,
    }
}
