//! Why a `stakepool` call fails.

crate::error::component_errors! {
    /// Refusals of `stakepool` calls.
    component = "stakepool";
    UnknownPool = 1, "unknown_pool", "no pool has this id";
    NotPoolOwner = 2, "not_pool_owner", "only the pool's owner may do this";
    CommissionTooHigh = 3, "commission_too_high", "the commission is above 100 %";
    InvalidCap = 4, "invalid_cap", "a pool's cap must be more than zero";
    TooManyPools = 5, "too_many_pools", "the chain holds as many pools as its max_pools allows";
    UnknownWorker = 6, "unknown_worker", "no worker is registered under this identity";
    NotWorkerOperator = 7, "not_worker_operator",
        "the worker is operated by another account: only its operator may add it to a pool";
    WorkerInPool = 8, "worker_in_pool", "the worker already belongs to a pool";
    WorkerHasSession = 9, "worker_has_session",
        "the worker has a mining session (mining or cooling down): stop it and reclaim its stake first";
    NotInPool = 10, "not_in_pool", "the worker does not belong to this pool";
    TooManyWorkers = 11, "too_many_workers", "the pool holds as many workers as max_workers allows";
    Bankrupt = 12, "bankrupt",
        "the pool's value is zero with shares outstanding: it takes no contributions";
    CapExceeded = 13, "cap_exceeded", "the contribution would take the pool's value above its cap";
    ContributionTooSmall = 14, "contribution_too_small",
        "the contribution is below min_contribution, or buys no share at the pool's price";
    InsufficientBalance = 15, "insufficient_balance",
        "the balance cannot cover the contribution and keep the existential deposit and what votes lock";
    NotEnoughShares = 16, "not_enough_shares",
        "more shares than the signer holds outside its queued withdrawals and the shares its votes lock";
    NotEnoughFree = 17, "not_enough_free", "the pool's free stake cannot cover the stake";
    QueueFull = 18, "queue_full",
        "the pool's withdrawal queue is full (max_queue): try again when it moves";
    NoCommission = 19, "no_commission", "the pool holds no commission to claim";
    GraceNotOver = 20, "grace_not_over",
        "only the pool's owner may stop its workers until a withdrawal has waited longer than withdrawal_grace_ms";
    Overflow = 21, "overflow", "the amount is beyond what the pool's arithmetic can hold";
}

impl From<super::ledger::LedgerError> for crate::CallError {
    fn from(e: super::ledger::LedgerError) -> Self {
        use super::ledger::LedgerError;
        match e {
            LedgerError::Bankrupt => Error::Bankrupt,
            LedgerError::TooSmall => Error::ContributionTooSmall,
            LedgerError::CapExceeded => Error::CapExceeded,
            LedgerError::NotEnoughShares => Error::NotEnoughShares,
            LedgerError::NotEnoughFree => Error::NotEnoughFree,
            LedgerError::Overflow => Error::Overflow,
        }
        .into()
    }
}
