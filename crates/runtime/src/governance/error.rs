//! Why a `governance` call fails.

crate::error::component_errors! {
    /// Refusals of `governance` calls.
    component = "governance";
    InsufficientBalance = 1, "insufficient_balance",
        "the balance cannot cover the proposal deposit and keep the existential deposit and what votes lock";
    VotingPeriodOutOfRange = 2, "voting_period_out_of_range",
        "the voting period is outside [min_voting_ms, max_voting_ms]";
    TooManyProposals = 3, "too_many_proposals", "as many proposals are open as max_active allows";
    UnknownComponent = 4, "unknown_component", "no component has this name";
    InvalidParams = 5, "invalid_params",
        "the parameters do not decode as the component's, or fail its validation";
    InvalidPolicy = 6, "invalid_policy",
        "the attestation policy is invalid (or allows simulation on a production chain)";
    UnknownWorker = 7, "unknown_worker", "no worker is registered under this identity";
    InvalidSpend = 8, "invalid_spend", "a treasury spend must pay more than zero";
    TreasuryTooPoor = 9, "treasury_too_poor", "the treasury holds less than the spend";
    UnknownProposal = 10, "unknown_proposal", "no proposal has this id";
    VotingClosed = 11, "voting_closed", "the proposal's voting period has ended";
    NoVotingPower = 12, "no_voting_power",
        "the signer has no balance and no shares in the pools it named to vote with";
    BadPoolList = 13, "bad_pool_list", "a pool is named twice, or does not exist";
    NotGatekeeper = 14, "not_gatekeeper", "the worker to remove is not a gatekeeper";
    InvalidCluster = 15, "invalid_cluster",
        "a cluster needs 1 to 64 registered workers, none listed twice";
}
