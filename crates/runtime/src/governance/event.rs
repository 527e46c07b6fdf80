//! Events of `governance`.

use phalanx_types::{AccountId, Amount};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Proposed {
        proposal: u64,
        proposer: AccountId,
        kind: String,
        #[serde(with = "crate::amount_json")]
        deposit: Amount,
        ends_ms: u64,
    },
    /// `voter` voted (or changed its vote) with `weight` base units of voting power.
    Voted {
        proposal: u64,
        voter: AccountId,
        choice: String,
        #[serde(with = "crate::amount_json")]
        weight: Amount,
    },
    /// Voting ended. `passed` needs yes > no and a turnout of at least the quorum; the
    /// deposit went back to the proposer unless `deposit_forfeited`.
    Closed {
        proposal: u64,
        passed: bool,
        #[serde(with = "crate::amount_json")]
        yes: Amount,
        #[serde(with = "crate::amount_json")]
        no: Amount,
        #[serde(with = "crate::amount_json")]
        abstain: Amount,
        #[serde(with = "crate::amount_json")]
        quorum: Amount,
        deposit_forfeited: bool,
        /// When a passed proposal's action runs (0 for a rejected one).
        enact_ms: u64,
    },
    /// A passed proposal's action ran.
    Enacted { proposal: u64, kind: String },
    /// A passed proposal's action was refused when it ran (the chain goes on).
    EnactmentFailed {
        proposal: u64,
        kind: String,
        reason: String,
    },
}
