//! Handler for `Call::SetAttestationPolicy` (root only).

use super::{is_root, policy_key};
use crate::{
    receipt::{DispatchError, Event},
    state::{State, StateError},
};
use commonware_codec::Encode;
use phalanx_types::{AccountId, AttestationPolicy};

/// Replaces the policy. Already-registered workers keep their records; the new policy applies
/// from their next refresh.
pub fn set_attestation_policy(
    state: &mut (impl State + ?Sized),
    caller: &AccountId,
    policy: &AttestationPolicy,
    simulation_permitted: bool,
) -> Result<Result<Vec<Event>, DispatchError>, StateError> {
    if !is_root(state, caller)? {
        return Ok(Err(DispatchError::NotRoot));
    }
    if policy.validate().is_err() || (policy.allow_simulated && !simulation_permitted) {
        return Ok(Err(DispatchError::InvalidPolicy));
    }
    state.put(policy_key(), Some(policy.encode().to_vec()));
    Ok(Ok(vec![Event::AttestationPolicySet {
        allow_simulated: policy.allow_simulated,
        registrations_frozen: policy.registrations_frozen,
        measurements: policy.allowed_measurements.len() as u32,
    }]))
}
