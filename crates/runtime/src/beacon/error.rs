//! Why a `beacon` message fails.

crate::error::component_errors! {
    /// Refusals of beacon shares.
    component = "beacon";
    NotGatekeeper = 1, "not_gatekeeper", "only gatekeepers sign beacon rounds";
    NoMasterKey = 2, "no_master_key", "no master key generation exists yet";
    RoundNotStarted = 3, "round_not_started", "the round has not begun at this block's time";
    RoundTooOld = 4, "round_too_old",
        "the round ended more than max_late_rounds ago, or a newer round is being collected or published";
    MalformedPartial = 5, "malformed_partial", "the partial signature does not decode";
    BadPartial = 6, "bad_partial",
        "the partial signature does not verify against the newest generation's public polynomial";
}
