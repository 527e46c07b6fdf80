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
    if policy.validate().is_err() || (policy.allow_simulated && !ctx.env.chain_id.is_development())
    {
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
