//! Events of `balances`.

use phalanx_types::{AccountId, Amount};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// `amount` moved from `from` to `to`.
    Transfer {
        from: AccountId,
        to: AccountId,
        #[serde(with = "crate::amount_json")]
        amount: Amount,
    },
    /// A transfer created the account `account`.
    Endowed {
        account: AccountId,
        #[serde(with = "crate::amount_json")]
        amount: Amount,
    },
}

crate::events::component_events! {
    component = "balances";
    0 => Transfer "transfer" { from, to, amount };
    1 => Endowed "endowed" { account, amount };
}

#[cfg(test)]
impl Event {
    /// One value of every variant.
    pub(crate) fn samples() -> Vec<Self> {
        use crate::events::tests::account;
        vec![
            Event::Transfer {
                from: account(1),
                to: account(2),
                amount: 1_000,
            },
            Event::Endowed {
                account: account(2),
                amount: 500,
            },
        ]
    }
}
