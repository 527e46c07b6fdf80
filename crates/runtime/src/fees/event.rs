//! Events of `fees`.

use phalanx_types::{AccountId, Amount};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
