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

crate::events::component_events! {
    component = "fees";
    0 => FeePaid "fee_paid" { who, amount };
    1 => FeeRefunded "fee_refunded" { who, amount };
}

#[cfg(test)]
impl Event {
    /// One value of every variant.
    pub(crate) fn samples() -> Vec<Self> {
        use crate::events::tests::account;
        vec![
            Event::FeePaid {
                who: account(1),
                amount: 10,
            },
            Event::FeeRefunded {
                who: account(1),
                amount: 10,
            },
        ]
    }
}
