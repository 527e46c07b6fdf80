//! `registry.set_attestation_policy` (root only).

use super::{Error, Event, is_root, state_key};
use crate::{CallResult, Ctx, state::State};
use commonware_codec::Encode;
use phalanx_types::AttestationPolicy;

/// Replaces the policy. Already-registered workers keep their records; the new policy applies
/// from their next refresh. A policy that allows simulation is refused unless the chain id is
/// a development id.
pub fn set_attestation_policy(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    policy: &AttestationPolicy,
) -> CallResult {
    if !is_root(state, ctx.signer)? {
        return Err(Error::NotRoot.into());
    }
    apply_attestation_policy(state, ctx, policy)
}

/// Whether `policy` may be set on this chain: valid, and simulation only on development ids.
pub fn policy_allowed(ctx: &Ctx, policy: &AttestationPolicy) -> bool {
    policy.validate().is_ok() && (!policy.allow_simulated || ctx.env.chain_id.is_development())
}

/// Sets the policy, whoever decided it (the root account, or a governance proposal).
pub fn apply_attestation_policy(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    policy: &AttestationPolicy,
) -> CallResult {
    if !policy_allowed(ctx, policy) {
        return Err(Error::InvalidPolicy.into());
    }
    state.put(state_key::policy(), Some(policy.encode().to_vec()));
    Ok(vec![
        Event::AttestationPolicySet {
            allow_simulated: policy.allow_simulated,
            registrations_frozen: policy.registrations_frozen,
            measurements: policy.allowed_measurements.len() as u32,
        }
        .into(),
    ])
}
