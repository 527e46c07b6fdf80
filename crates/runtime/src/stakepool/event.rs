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

crate::events::component_events! {
    component = "stakepool";
    0 => Created "created" { pool, owner, commission_ppm, cap };
    1 => WorkerAdded "worker_added" { pool, worker };
    2 => WorkerRemoved "worker_removed" { pool, worker };
    3 => Contributed "contributed" { pool, delegator, amount, shares };
    4 => WithdrawalQueued "withdrawal_queued" { pool, delegator, shares };
    5 => WithdrawalPaid "withdrawal_paid" { pool, delegator, shares, amount };
    6 => Rewarded "rewarded" { pool, worker, amount, commission };
    7 => Slashed "slashed" { pool, amount, value };
    8 => StakeReturned "stake_returned" { pool, stake, returned };
    9 => StoppedForWithdrawals "stopped_for_withdrawals" { pool, worker, by };
    10 => CommissionClaimed "commission_claimed" { pool, owner, amount };
}

#[cfg(test)]
impl Event {
    /// One value of every variant.
    pub(crate) fn samples() -> Vec<Self> {
        use crate::events::tests::account;
        vec![
            Event::Created {
                pool: 5,
                owner: account(1),
                commission_ppm: 100_000,
                cap: Some(1 << 80),
            },
            Event::WorkerAdded {
                pool: 5,
                worker: account(3),
            },
            Event::WorkerRemoved {
                pool: 5,
                worker: account(3),
            },
            Event::Contributed {
                pool: 5,
                delegator: account(2),
                amount: 700,
                shares: 699,
            },
            Event::WithdrawalQueued {
                pool: 5,
                delegator: account(2),
                shares: 100,
            },
            Event::WithdrawalPaid {
                pool: 5,
                delegator: account(2),
                shares: 100,
                amount: 101,
            },
            Event::Rewarded {
                pool: 5,
                worker: account(3),
                amount: 50,
                commission: 5,
            },
            Event::Slashed {
                pool: 5,
                amount: 20,
                value: 680,
            },
            Event::StakeReturned {
                pool: 5,
                stake: 2_000,
                returned: 1_800,
            },
            Event::StoppedForWithdrawals {
                pool: 5,
                worker: account(3),
                by: account(2),
            },
            Event::CommissionClaimed {
                pool: 5,
                owner: account(1),
                amount: 5,
            },
        ]
    }
}
