//! Events of `fees`.

use phalanx_types::{AccountId, Amount};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// `who` paid `amount` in fees to the treasury.
    FeePaid {
        who: AccountId,
        #[serde(with = "crate::amount_json")]
        amount: Amount,
    },
    /// A gatekeeper's message was relayed: the relayer's fee was refunded.
    FeeRefunded {
        who: AccountId,
        #[serde(with = "crate::amount_json")]
        amount: Amount,
    },
}
