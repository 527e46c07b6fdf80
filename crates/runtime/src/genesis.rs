//! Genesis: the initial state, one section per component. All 1,000,000,000 PHA exist from
//! block 0, split per DESIGN §4: private sale 15 %, mining reserve 70 %, team 5 %, community
//! 1 %, ecosystem 9 %. Nothing is minted afterwards; mining rewards are emitted out of the
//! `mining_reserve` pot (`tokenomics`).

use crate::{
    balances::{self, Allocation, Recipient},
    components::Params,
    registry,
    state::State,
    tokenomics,
};
use phalanx_types::{AccountId, Amount, ChainId, Hash, MAX_SUPPLY};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The runtime half of a chain spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisConfig {
    pub chain_id: ChainId,
    /// Genesis time, milliseconds since the Unix epoch. Emission is measured from it.
    pub genesis_time_ms: u64,
    /// Every component's parameters.
    pub params: Params,
    /// `balances`: the allocation.
    #[serde(flatten)]
    pub balances: balances::Genesis,
    /// `registry`: the root account and attestation policy.
    #[serde(default)]
    pub registry: registry::Genesis,
}

/// Why a genesis config is invalid.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum GenesisError {
    #[error("parameters: {0}")]
    Params(String),
    #[error("allocation: {0}")]
    Balances(String),
    #[error("registry: {0}")]
    Registry(String),
    #[error(
        "dev accounts ask for {asked} base units; the ecosystem allocation has only {available}"
    )]
    DevAccountsTooLarge { asked: Amount, available: Amount },
}

/// `MAX_SUPPLY * percent / 100`, exact for whole percentages.
const fn share(percent: u128) -> Amount {
    MAX_SUPPLY / 100 * percent
}

impl GenesisConfig {
    /// The standard split, with `dev_accounts` funded out of the ecosystem allocation.
    pub fn standard(
        chain_id: ChainId,
        genesis_time_ms: u64,
        dev_accounts: &[(AccountId, Amount)],
    ) -> Result<Self, GenesisError> {
        let asked: Amount = dev_accounts
            .iter()
            .try_fold(0u128, |acc, (_, a)| acc.checked_add(*a))
            .unwrap_or(Amount::MAX);
        let ecosystem = share(9);
        if asked > ecosystem {
            return Err(GenesisError::DevAccountsTooLarge {
                asked,
                available: ecosystem,
            });
        }
        let pot = |label: &str, amount| Allocation {
            label: label.into(),
            recipient: Recipient::Pot(label.into()),
            amount,
        };
        let mut allocations = vec![
            pot("private_sale", share(15)),
            pot(balances::MINING_RESERVE.0, share(70)),
            pot("team", share(5)),
            pot("community", share(1)),
            pot("ecosystem", ecosystem - asked),
        ];
        for (i, (account, amount)) in dev_accounts.iter().enumerate() {
            allocations.push(Allocation {
                label: format!("dev account {i} (from ecosystem)"),
                recipient: Recipient::Account(account.clone()),
                amount: *amount,
            });
        }
        let config = Self {
            chain_id,
            genesis_time_ms,
            params: Params::default(),
            balances: balances::Genesis { allocations },
            registry: registry::Genesis::default(),
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks every component's section.
    pub fn validate(&self) -> Result<(), GenesisError> {
        self.params.validate().map_err(GenesisError::Params)?;
        self.balances
            .validate(&self.params.balances)
            .map_err(GenesisError::Balances)?;
        self.registry
            .validate(&self.chain_id)
            .map_err(GenesisError::Registry)?;
        Ok(())
    }

    /// Writes the genesis state. `genesis_hash` is the digest of the chain's genesis block,
    /// which worker registrations bind to.
    pub fn build(
        &self,
        state: &mut (impl State + ?Sized),
        genesis_hash: &Hash,
    ) -> Result<(), GenesisError> {
        self.validate()?;
        self.params.store(state);
        self.balances.build(state);
        self.registry.build(state, genesis_hash);
        tokenomics::genesis::build(state, self.genesis_time_ms);
        Ok(())
    }

    /// Every pot named in the allocation, plus the pots components fill later (the treasury,
    /// mining rewards), for supply audits.
    pub fn pot_names(&self) -> Vec<String> {
        let mut names: std::collections::BTreeSet<String> =
            self.balances.pot_names().map(str::to_string).collect();
        for pot in [
            balances::TREASURY,
            balances::MINING_REWARDS,
            balances::pots::MINING_STAKE,
            balances::pots::STAKE_POOLS,
            balances::pots::GOVERNANCE_DEPOSITS,
            balances::pots::CONTRACT_GAS,
        ] {
            names.insert(pot.0.to_string());
        }
        names.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::MemoryState;
    use commonware_cryptography::Signer;
    use phalanx_types::UNITS_PER_PHA;

    fn chain() -> ChainId {
        ChainId::new("phalanx-test").unwrap()
    }

    #[test]
    fn standard_split_matches_design() {
        let config = GenesisConfig::standard(chain(), 0, &[]).unwrap();
        let get = |label: &str| {
            config
                .balances
                .allocations
                .iter()
                .find(|a| a.label == label)
                .map(|a| a.amount)
                .unwrap()
        };
        assert_eq!(get("private_sale"), 150_000_000 * UNITS_PER_PHA);
        assert_eq!(get("mining_reserve"), 700_000_000 * UNITS_PER_PHA);
        assert_eq!(get("team"), 50_000_000 * UNITS_PER_PHA);
        assert_eq!(get("community"), 10_000_000 * UNITS_PER_PHA);
        assert_eq!(get("ecosystem"), 90_000_000 * UNITS_PER_PHA);
        let mut state = MemoryState::default();
        config.build(&mut state, &[0u8; 32].into()).unwrap();
        assert_eq!(balances::total_issuance(&state).unwrap(), MAX_SUPPLY);
        assert_eq!(tokenomics::start(&state).unwrap(), 0);
    }

    #[test]
    fn rejects_bad_allocations() {
        let mut config = GenesisConfig::standard(chain(), 0, &[]).unwrap();
        config.balances.allocations[0].amount += 1;
        assert!(matches!(config.validate(), Err(GenesisError::Balances(_))));
        assert!(matches!(
            GenesisConfig::standard(
                chain(),
                0,
                &[(
                    AccountId::from(phalanx_crypto::dev_key("alice").public_key()),
                    MAX_SUPPLY
                )]
            ),
            Err(GenesisError::DevAccountsTooLarge { .. })
        ));
    }

    #[test]
    fn json_round_trip() {
        let config = GenesisConfig::standard(chain(), 42, &[]).unwrap();
        let text = serde_json::to_string(&config).unwrap();
        let back: GenesisConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(back, config);
    }

    #[test]
    fn parameters_from_before_the_split_are_refused_loudly() {
        let config = GenesisConfig::standard(chain(), 42, &[]).unwrap();
        let mut v = serde_json::to_value(&config).unwrap();
        v["params"] = serde_json::json!({ "existential_deposit": "1", "base_fee": "1" });
        let e = serde_json::from_value::<GenesisConfig>(v.clone()).unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown field `existential_deposit`"),
            "{e}"
        );
        // A component left out takes its defaults.
        v["params"] = serde_json::json!({ "fees": config.params.fees });
        let back: GenesisConfig = serde_json::from_value(v).unwrap();
        assert_eq!(back.params, config.params);
    }
}
