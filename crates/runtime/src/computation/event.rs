//! Events of `computation`.

use super::SessionOwner;
use crate::fixed::Fixed;
use phalanx_types::{AccountId, Amount};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The chain measured a worker's benchmark score from two of its reports.
    BenchmarkMeasured { worker: AccountId, p: u32 },
    /// A session started.
    MiningStarted {
        worker: AccountId,
        owner: SessionOwner,
        #[serde(with = "crate::amount_json")]
        stake: Amount,
        p: u32,
        initial_value: Fixed,
    },
    /// A session stopped and cools down; `returns` is the stake its reclaim will return.
    MiningStopped {
        worker: AccountId,
        v: Fixed,
        #[serde(with = "crate::amount_json")]
        returns: Amount,
    },
    /// The beacon seed of `round` challenged the worker: it owes a heartbeat.
    Challenged { worker: AccountId, round: u64 },
    /// The worker did not answer its oldest challenge within the window: it earns nothing and
    /// its V decays until a heartbeat recovers it.
    Unresponsive {
        worker: AccountId,
        round: u64,
        v: Fixed,
    },
    /// A heartbeat answered `round`: the owner got `payout`, the treasury `treasury`, and V is
    /// now `v`.
    HeartbeatPaid {
        worker: AccountId,
        round: u64,
        #[serde(with = "crate::amount_json")]
        payout: Amount,
        #[serde(with = "crate::amount_json")]
        treasury: Amount,
        v: Fixed,
        p_instant: Fixed,
    },
    /// An unresponsive worker answered: it mines again, without a payout for the gap.
    Recovered {
        worker: AccountId,
        round: u64,
        v: Fixed,
    },
    /// The stake of a cooled-down session went back to its owner; what V lost went to the
    /// treasury.
    StakeReclaimed {
        worker: AccountId,
        owner: SessionOwner,
        #[serde(with = "crate::amount_json")]
        returned: Amount,
        #[serde(with = "crate::amount_json")]
        slashed: Amount,
    },
    /// The session's stake was slashed for `offence` (`equivocation` or `revoked_attestation`,
    /// described by `evidence`): `amount` went to the treasury, `stake` is what is left, and the
    /// session stopped.
    Slashed {
        worker: AccountId,
        offence: String,
        evidence: String,
        #[serde(with = "crate::amount_json")]
        amount: Amount,
        #[serde(with = "crate::amount_json")]
        stake: Amount,
    },
}
