//! The allocation: every PHA that will ever exist, written at genesis to accounts and pots.
//! Nothing is minted afterwards.

use super::{Account, Params, pots, set_account, state_key};
use crate::state::State;
use commonware_codec::Encode;
use phalanx_types::{AccountId, Amount, MAX_SUPPLY};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Who receives a genesis allocation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// A pot no key can sign for.
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
    #[serde(with = "crate::amount_json")]
    pub amount: Amount,
}

/// The `balances` part of genesis.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    pub allocations: Vec<Allocation>,
}

impl Genesis {
    /// The allocations add up to exactly the supply, without duplicates or dust.
    pub fn validate(&self, params: &Params) -> Result<(), String> {
        let mut total: Amount = 0;
        let mut accounts = BTreeSet::new();
        let mut pot_names = BTreeSet::new();
        for a in &self.allocations {
            total = total.saturating_add(a.amount);
            match &a.recipient {
                Recipient::Account(id) => {
                    if !accounts.insert(id.clone()) {
                        return Err(format!("account {id} is allocated twice"));
                    }
                    if a.amount < params.existential_deposit {
                        return Err(format!(
                            "account {id} gets {}, below the existential deposit",
                            a.amount
                        ));
                    }
                }
                Recipient::Pot(name) => {
                    if !pot_names.insert(name.clone()) {
                        return Err(format!("pot `{name}` is allocated twice"));
                    }
                }
            }
        }
        if total != MAX_SUPPLY {
            return Err(format!(
                "allocations add up to {total} base units; they must equal the supply {MAX_SUPPLY}"
            ));
        }
        Ok(())
    }

    /// Writes the allocation and the total issuance. Call [`Genesis::validate`] first.
    pub fn build(&self, state: &mut (impl State + ?Sized)) {
        for a in &self.allocations {
            match &a.recipient {
                Recipient::Pot(name) => pots::set_balance(state, name, a.amount),
                Recipient::Account(id) => set_account(
                    state,
                    id,
                    Account {
                        balance: a.amount,
                        nonce: 0,
                    },
                ),
            }
        }
        state.put(
            state_key::total_issuance(),
            Some(MAX_SUPPLY.encode().to_vec()),
        );
    }

    /// Every pot the allocation names.
    pub fn pot_names(&self) -> impl Iterator<Item = &str> {
        self.allocations.iter().filter_map(|a| match &a.recipient {
            Recipient::Pot(n) => Some(n.as_str()),
            Recipient::Account(_) => None,
        })
    }
}
