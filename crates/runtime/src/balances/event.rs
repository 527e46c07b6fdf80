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
