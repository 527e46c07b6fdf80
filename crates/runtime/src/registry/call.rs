//! Routes [`RegistryCall`] to its handlers, and answers what the executor, mempool and fees
//! need to know about each call.

use super::RegistryHooks;
use crate::{CallInfo, CallResult, Ctx, Params, Quota, state::State};
use phalanx_types::RegistryCall;

pub fn dispatch(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl RegistryHooks,
    call: &RegistryCall,
) -> CallResult {
    match call {
        RegistryCall::RegisterWorker { info, evidence } => {
            super::register::register_worker(state, ctx, hooks, info, evidence)
        }
        RegistryCall::SetAttestationPolicy { policy } => {
            super::set_policy::set_attestation_policy(state, ctx, policy)
        }
        RegistryCall::PromoteGatekeeper { worker } => {
            super::promote::promote_gatekeeper(state, ctx, hooks, worker)
        }
    }
}

pub fn call_info(params: &Params, call: &RegistryCall) -> CallInfo {
    match call {
        RegistryCall::RegisterWorker { .. } => CallInfo {
            fee: params.registry.attestation_fee,
            spends: 0,
            prefetch: Vec::new(),
            quota: Some(Quota {
                name: "attestations",
                max: params.registry.max_block_attestations,
            }),
        },
        RegistryCall::SetAttestationPolicy { .. } | RegistryCall::PromoteGatekeeper { .. } => {
            CallInfo::admin(params)
        }
    }
}
