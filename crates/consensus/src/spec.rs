//! The chain spec: everything validators must agree on before block 0.

use crate::{block::Digest, execute::spec_hash};
use phalanx_runtime::GenesisConfig;
use phalanx_types::AccountId;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use thiserror::Error;

/// Most validators a spec may list (bounds p2p peer sets and certificate sizes).
pub const MAX_VALIDATORS: usize = 100;

/// A validator of the genesis set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorSpec {
    /// Its consensus and p2p identity key.
    pub public_key: AccountId,
    /// Where peers dial it.
    pub p2p_address: SocketAddr,
}

/// A chain spec file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainSpec {
    pub genesis: GenesisConfig,
    pub validators: Vec<ValidatorSpec>,
    /// Least milliseconds between blocks (the proposer waits; consensus itself is faster).
    pub block_interval_ms: u64,
}

/// Why a chain spec is invalid.
#[derive(Debug, Error)]
pub enum SpecError {
    #[error("chain spec is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("chain spec genesis: {0}")]
    Genesis(#[from] phalanx_runtime::GenesisError),
    #[error("chain spec lists {0} validators; it must list 1 to {MAX_VALIDATORS}")]
    ValidatorCount(usize),
    #[error("validator {0} is listed twice")]
    DuplicateValidator(String),
    #[error("block_interval_ms must be between 10 and 60000, got {0}")]
    BlockInterval(u64),
}

impl ChainSpec {
    /// Checks the spec is usable.
    pub fn validate(&self) -> Result<(), SpecError> {
        self.genesis.validate()?;
        if self.validators.is_empty() || self.validators.len() > MAX_VALIDATORS {
            return Err(SpecError::ValidatorCount(self.validators.len()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for v in &self.validators {
            if !seen.insert(v.public_key.clone()) {
                return Err(SpecError::DuplicateValidator(v.public_key.to_string()));
            }
        }
        if !(10..=60_000).contains(&self.block_interval_ms) {
            return Err(SpecError::BlockInterval(self.block_interval_ms));
        }
        Ok(())
    }

    /// Parses and validates spec JSON.
    pub fn from_json(text: &str) -> Result<Self, SpecError> {
        let spec: Self = serde_json::from_str(text)?;
        spec.validate()?;
        Ok(spec)
    }

    /// Canonical JSON of the spec.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The hash the genesis block commits to.
    pub fn hash(&self) -> Digest {
        spec_hash(serde_json::to_vec(self).unwrap_or_default().as_slice())
    }
}
