//! Events of `computation`.

use super::SessionOwner;
use crate::fixed::Fixed;
use phalanx_types::{AccountId, Amount};
use serde::{Deserialize, Serialize};

/// Longest offence name read back: offences are `equivocation` and `revoked_attestation`.
pub const MAX_OFFENCE_BYTES: usize = 32;
/// Longest evidence read back. Evidence is the chain's own description: an equivocation's
/// round, counters and sequence numbers (at most about 150 bytes with five u64s) or why an
/// attestation is revoked (quoting a measurement, at most 96 hex characters, or a TCB status,
/// at most 64 bytes). The slash cuts anything longer to this bound.
pub const MAX_EVIDENCE_BYTES: usize = 256;

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

crate::events::component_events! {
    component = "computation";
    0 => BenchmarkMeasured "benchmark_measured" { worker, p };
    1 => MiningStarted "mining_started" { worker, owner, stake, p, initial_value };
    2 => MiningStopped "mining_stopped" { worker, v, returns };
    3 => Challenged "challenged" { worker, round };
    4 => Unresponsive "unresponsive" { worker, round, v };
    5 => HeartbeatPaid "heartbeat_paid" { worker, round, payout, treasury, v, p_instant };
    6 => Recovered "recovered" { worker, round, v };
    7 => StakeReclaimed "stake_reclaimed" { worker, owner, returned, slashed };
    8 => Slashed "slashed" {
        worker,
        offence: text(MAX_OFFENCE_BYTES),
        evidence: text(MAX_EVIDENCE_BYTES),
        amount,
        stake,
    };
}

#[cfg(test)]
impl Event {
    /// One value of every variant.
    pub(crate) fn samples() -> Vec<Self> {
        use crate::events::tests::account;
        let v = Fixed::from_ratio(3, 2).unwrap_or(Fixed::ONE);
        vec![
            Event::BenchmarkMeasured {
                worker: account(3),
                p: 1_500,
            },
            Event::MiningStarted {
                worker: account(3),
                owner: SessionOwner::Account(account(1)),
                stake: 2_000,
                p: 1_500,
                initial_value: v,
            },
            Event::MiningStopped {
                worker: account(3),
                v,
                returns: 1_900,
            },
            Event::Challenged {
                worker: account(3),
                round: 8,
            },
            Event::Unresponsive {
                worker: account(3),
                round: 8,
                v,
            },
            Event::HeartbeatPaid {
                worker: account(3),
                round: 8,
                payout: 40,
                treasury: 10,
                v,
                p_instant: Fixed::from_int(1_400),
            },
            Event::Recovered {
                worker: account(3),
                round: 9,
                v,
            },
            Event::StakeReclaimed {
                worker: account(3),
                owner: SessionOwner::Pool(5),
                returned: 1_800,
                slashed: 200,
            },
            Event::Slashed {
                worker: account(3),
                offence: "revoked_attestation".into(),
                evidence: "simulated evidence is no longer allowed".into(),
                amount: 20,
                stake: 1_980,
            },
        ]
    }
}
