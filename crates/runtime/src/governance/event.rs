//! Events of `governance`.

use phalanx_types::{AccountId, Amount};
use serde::{Deserialize, Serialize};

/// Longest proposal kind read back: kinds are `ProposalAction::kind()` names, the longest
/// (`set_attestation_policy`) 22 bytes.
pub const MAX_KIND_BYTES: usize = 32;
/// Longest vote choice read back: choices are `VoteChoice::name()`, at most 7 bytes.
pub const MAX_CHOICE_BYTES: usize = 16;
/// Longest failure reason read back: the event carries what the proposal keeps, cut to
/// [`MAX_REASON`](super::MAX_REASON).
pub const MAX_REASON_BYTES: usize = super::MAX_REASON;

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

crate::events::component_events! {
    component = "governance";
    0 => Proposed "proposed" {
        proposal, proposer, kind: text(MAX_KIND_BYTES), deposit, ends_ms
    };
    1 => Voted "voted" { proposal, voter, choice: text(MAX_CHOICE_BYTES), weight };
    2 => Closed "closed" {
        proposal, passed, yes, no, abstain, quorum, deposit_forfeited, enact_ms
    };
    3 => Enacted "enacted" { proposal, kind: text(MAX_KIND_BYTES) };
    4 => EnactmentFailed "enactment_failed" {
        proposal, kind: text(MAX_KIND_BYTES), reason: text(MAX_REASON_BYTES)
    };
}

#[cfg(test)]
impl Event {
    /// One value of every variant.
    pub(crate) fn samples() -> Vec<Self> {
        use crate::events::tests::account;
        vec![
            Event::Proposed {
                proposal: 1,
                proposer: account(1),
                kind: "set_attestation_policy".into(),
                deposit: 100,
                ends_ms: 60_000,
            },
            Event::Voted {
                proposal: 1,
                voter: account(2),
                choice: "abstain".into(),
                weight: 700,
            },
            Event::Closed {
                proposal: 1,
                passed: true,
                yes: 10,
                no: 2,
                abstain: 700,
                quorum: 300,
                deposit_forfeited: false,
                enact_ms: 120_000,
            },
            Event::Enacted {
                proposal: 1,
                kind: "signal".into(),
            },
            Event::EnactmentFailed {
                proposal: 2,
                kind: "treasury_spend".into(),
                reason: "é".repeat(MAX_REASON_BYTES / 2),
            },
        ]
    }
}
