//! Why a `computation` call or message fails.

crate::error::component_errors! {
    /// Refusals of `computation` calls and benchmark reports.
    component = "computation";
    UnknownWorker = 1, "unknown_worker", "no worker is registered under this identity";
    NotOperator = 2, "not_operator", "only the worker's operator may start mining with it";
    AttestationExpired = 3, "attestation_expired",
        "the worker's last attestation is older than the policy allows: register it again";
    NoBenchmark = 4, "no_benchmark",
        "the chain has not measured the worker's benchmark yet (two reports at least benchmark_min_span_ms apart)";
    BenchmarkTooLow = 5, "benchmark_too_low", "the worker's benchmark score P is below min_p";
    StakeTooLow = 6, "stake_too_low", "the stake is below the minimum k·√P";
    StakeTooHigh = 7, "stake_too_high", "the stake would give an initial value above V_max";
    AlreadyMining = 8, "already_mining", "the worker already has a mining session";
    CoolingDown = 9, "cooling_down",
        "the worker's last session is cooling down: reclaim its stake first";
    InsufficientBalance = 10, "insufficient_balance",
        "the balance cannot cover the stake and keep the existential deposit and what votes lock";
    NoSession = 11, "no_session", "the worker has no mining session";
    NotSessionOwner = 12, "not_session_owner",
        "only the session's owner may stop it (a pool's session: its pool owner, with stakepool.stop_mining)";
    NotMining = 13, "not_mining", "the session is not mining (it is already cooling down)";
    NotCoolingDown = 14, "not_cooling_down", "the session must be stopped before its stake is reclaimed";
    CoolDownNotOver = 15, "cool_down_not_over", "the session's cool-down has not ended";
    OutOfRange = 16, "out_of_range", "the mining arithmetic left its fixed-point range";
    BucketFull = 17, "bucket_full",
        "too many mining workers share this worker's challenge-hash prefix; use another worker key";
    NotChallenged = 18, "not_challenged",
        "the worker owes no heartbeat for this round (not challenged, already answered, or another round)";
    AlreadyPaid = 19, "already_paid", "the session was already paid in this block";
    BadEvidence = 20, "bad_evidence",
        "a heartbeat in the evidence is not signed by the worker for that round";
    NotEquivocation = 21, "not_equivocation",
        "the two heartbeats report the same counter: a resend, not an equivocation";
    AlreadySlashed = 22, "already_slashed",
        "this offence was already slashed (one slash per worker and round)";
    EvidenceBeforeSession = 23, "evidence_before_session",
        "the evidence is for a round before the worker's current session started";
    NotRevoked = 24, "not_revoked",
        "the worker's attestation still passes the policy";
    WorkerInPool = 25, "worker_in_pool",
        "the worker belongs to a stake pool: only its pool's owner starts it, with the pool's stake (stakepool.start_mining)";
}

impl From<super::value::Overflow> for crate::CallError {
    fn from(_: super::value::Overflow) -> Self {
        Error::OutOfRange.into()
    }
}
