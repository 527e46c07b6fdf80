//! Events of `tokenomics`.

use phalanx_types::Amount;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// This block's emission moved `amount` from the mining reserve to the mining-rewards pot;
    /// `emitted` is the total so far.
    Emission {
        #[serde(with = "crate::amount_json")]
        amount: Amount,
        #[serde(with = "crate::amount_json")]
        emitted: Amount,
        period: u64,
    },
    /// The mining reserve could not cover the schedule: `short` base units were not emitted.
    ReserveExhausted {
        #[serde(with = "crate::amount_json")]
        short: Amount,
    },
}

crate::events::component_events! {
    component = "tokenomics";
    0 => Emission "emission" { amount, emitted, period };
    1 => ReserveExhausted "reserve_exhausted" { short };
}

#[cfg(test)]
impl Event {
    /// One value of every variant.
    pub(crate) fn samples() -> Vec<Self> {
        vec![
            Event::Emission {
                amount: 5,
                emitted: 1 << 100,
                period: 2,
            },
            Event::ReserveExhausted { short: 9 },
        ]
    }
}
