//! Genesis: the initial state. All 1,000,000,000 PHA exist from block 0, split per DESIGN §4:
//! private sale 15 %, mining reserve 70 %, team 5 %, community 1 %, ecosystem 9 %.
//! Nothing is minted afterwards; mining rewards are paid out of the `mining_reserve` pot.

use crate::{
    balances::{self, Account},
    params::Params,
    registry::{self, RegistryGenesis},
    state::State,
};
use phalanx_types::{AccountId, Amount, ChainId, Hash, MAX_SUPPLY, PolicyError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use thiserror::Error;

/// Who receives a genesis allocation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// A system pot no key can sign for.
    Pot(String),
    /// An ordinary account.
    Account(AccountId),
}

/// One line of the genesis allocation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// What the allocation is for (`private_sale`, `dev account alice`, …).
    pub label: String,
    pub recipient: Recipient,
    /// Base units, as a decimal string in JSON.
    #[serde(with = "amount_json")]
    pub amount: Amount,
}

mod amount_json {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The runtime half of a chain spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisConfig {
    pub chain_id: ChainId,
    /// Genesis time, milliseconds since the Unix epoch. Emission is measured from it.
    pub genesis_time_ms: u64,
    pub params: Params,
    pub allocations: Vec<Allocation>,
    /// The registry's root account and attestation policy.
    #[serde(default)]
    pub registry: RegistryGenesis,
}

/// Why a genesis config is invalid.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum GenesisError {
    #[error("allocations add up to {total} base units; they must equal the supply {MAX_SUPPLY}")]
    WrongTotal { total: Amount },
    #[error("account {0} is allocated twice")]
    DuplicateAccount(String),
    #[error("pot `{0}` is allocated twice")]
    DuplicatePot(String),
    #[error("account {account} gets {amount}, below the existential deposit")]
    BelowExistentialDeposit { account: String, amount: Amount },
    #[error(
        "dev accounts ask for {asked} base units; the ecosystem allocation has only {available}"
    )]
    DevAccountsTooLarge { asked: Amount, available: Amount },
    #[error("attestation policy: {0}")]
    Policy(#[from] PolicyError),
    #[error(
        "the attestation policy allows simulated TEEs, but `{0}` is not a development chain id (it needs a `dev`, `test`, `local` or `localnet` part)"
    )]
    SimulationOnProductionChain(String),
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
            pot("mining_reserve", share(70)),
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
            allocations,
            registry: RegistryGenesis::default(),
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks the allocation adds up to exactly the supply, without duplicates or dust.
    pub fn validate(&self) -> Result<(), GenesisError> {
        let mut total: Amount = 0;
        let mut accounts = BTreeSet::new();
        let mut pots = BTreeSet::new();
        for a in &self.allocations {
            total = total.saturating_add(a.amount);
            match &a.recipient {
                Recipient::Account(id) => {
                    if !accounts.insert(id.clone()) {
                        return Err(GenesisError::DuplicateAccount(id.to_string()));
                    }
                    if a.amount < self.params.existential_deposit {
                        return Err(GenesisError::BelowExistentialDeposit {
                            account: id.to_string(),
                            amount: a.amount,
                        });
                    }
                }
                Recipient::Pot(name) => {
                    if !pots.insert(name.clone()) {
                        return Err(GenesisError::DuplicatePot(name.clone()));
                    }
                }
            }
        }
        if total != MAX_SUPPLY {
            return Err(GenesisError::WrongTotal { total });
        }
        self.registry.policy.validate()?;
        if self.registry.policy.allow_simulated && !self.chain_id.is_development() {
            return Err(GenesisError::SimulationOnProductionChain(
                self.chain_id.to_string(),
            ));
        }
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
        registry::build_genesis(state, &self.registry, genesis_hash);
        for a in &self.allocations {
            match &a.recipient {
                Recipient::Pot(name) => balances::set_pot(state, name, a.amount),
                Recipient::Account(id) => balances::set_account(
                    state,
                    id,
                    Account {
                        balance: a.amount,
                        nonce: 0,
                    },
                ),
            }
        }
        balances::set_total_issuance(state, MAX_SUPPLY);
        Ok(())
    }

    /// Every pot named in the allocation (plus the treasury), for supply audits.
    pub fn pot_names(&self) -> Vec<String> {
        let mut names: BTreeSet<String> = self
            .allocations
            .iter()
            .filter_map(|a| match &a.recipient {
                Recipient::Pot(n) => Some(n.clone()),
                Recipient::Account(_) => None,
            })
            .collect();
        names.insert(balances::TREASURY.to_string());
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
    }

    #[test]
    fn rejects_bad_allocations() {
        let mut config = GenesisConfig::standard(chain(), 0, &[]).unwrap();
        config.allocations[0].amount += 1;
        assert!(matches!(
            config.validate(),
            Err(GenesisError::WrongTotal { .. })
        ));
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
}
