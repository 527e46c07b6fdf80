//! The `registry` part of genesis: the root account and the attestation policy.

use super::state_key;
use crate::state::State;
use commonware_codec::Encode;
use phalanx_types::{AccountId, AttestationPolicy, ChainId, Hash};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// The account allowed to change the policy and promote gatekeepers (none: nobody).
    #[serde(default)]
    pub root: Option<AccountId>,
    #[serde(default)]
    pub policy: AttestationPolicy,
}

impl Genesis {
    /// The policy is well-formed, and simulation is only allowed on a development chain id.
    pub fn validate(&self, chain_id: &ChainId) -> Result<(), String> {
        self.policy
            .validate()
            .map_err(|e| format!("attestation policy: {e}"))?;
        if self.policy.allow_simulated && !chain_id.is_development() {
            return Err(format!(
                "the attestation policy allows simulated TEEs, but `{chain_id}` is not a development chain id (it needs a `dev`, `test`, `local` or `localnet` part)"
            ));
        }
        Ok(())
    }

    /// Writes the policy, the root and the genesis block digest (`hash`) registrations bind.
    pub fn build(&self, state: &mut (impl State + ?Sized), hash: &Hash) {
        state.put(state_key::policy(), Some(self.policy.encode().to_vec()));
        if let Some(root) = &self.root {
            state.put(state_key::root(), Some(root.encode().to_vec()));
        }
        state.put(state_key::genesis_hash(), Some(hash.encode().to_vec()));
    }
}
