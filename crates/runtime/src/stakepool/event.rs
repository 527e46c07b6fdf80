//! Events of `stakepool`.

use phalanx_types::{AccountId, Amount, PoolId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Created {
        pool: PoolId,
        owner: AccountId,
        commission_ppm: u32,
        #[serde(with = "crate::amount_json::option")]
        cap: Option<Amount>,
    },
    WorkerAdded {
        pool: PoolId,
        worker: AccountId,
    },
    WorkerRemoved {
        pool: PoolId,
        worker: AccountId,
    },
    /// `delegator` put `amount` in and received `shares`.
    Contributed {
        pool: PoolId,
        delegator: AccountId,
        #[serde(with = "crate::amount_json")]
        amount: Amount,
        #[serde(with = "crate::amount_json")]
        shares: u128,
    },
    /// `delegator` has `shares` waiting in the queue (all its unpaid requests).
    WithdrawalQueued {
        pool: PoolId,
        delegator: AccountId,
        #[serde(with = "crate::amount_json")]
        shares: u128,
    },
    /// `shares` of `delegator` were bought back for `amount`.
    WithdrawalPaid {
        pool: PoolId,
        delegator: AccountId,
        #[serde(with = "crate::amount_json")]
        shares: u128,
        #[serde(with = "crate::amount_json")]
        amount: Amount,
    },
    /// A mining payout for `worker` reached the pool: `commission` for the owner, the rest
    /// raised the price.
    Rewarded {
        pool: PoolId,
        worker: AccountId,
        #[serde(with = "crate::amount_json")]
        amount: Amount,
        #[serde(with = "crate::amount_json")]
        commission: Amount,
    },
    /// One of the pool's sessions was slashed by `amount`; the pool is now worth `value`.
    Slashed {
        pool: PoolId,
        #[serde(with = "crate::amount_json")]
        amount: Amount,
        #[serde(with = "crate::amount_json")]
        value: Amount,
    },
    /// A session staked with `stake` ended and `returned` of it is free stake again.
    StakeReturned {
        pool: PoolId,
        #[serde(with = "crate::amount_json")]
        stake: Amount,
        #[serde(with = "crate::amount_json")]
        returned: Amount,
    },
    /// `by`, not the owner, stopped `worker` because a withdrawal waited past the grace period.
    StoppedForWithdrawals {
        pool: PoolId,
        worker: AccountId,
        by: AccountId,
    },
    CommissionClaimed {
        pool: PoolId,
        owner: AccountId,
        #[serde(with = "crate::amount_json")]
        amount: Amount,
    },
}
