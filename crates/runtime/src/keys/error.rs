//! Why a `keys` call or message fails.

crate::error::component_errors! {
    /// Refusals of `keys` calls and of the DKG and key-share messages.
    component = "keys";
    NotRoot = 1, "not_root", "only the registry's root account may do this";
    NotGatekeeper = 2, "not_gatekeeper", "only a gatekeeper may send this message";
    UnexpectedGeneration = 3, "unexpected_generation",
        "the master key generation is not the one expected";
    KeyDisagreement = 4, "key_disagreement",
        "the message differs from the one the chain already accepted from this sender";
    NoMasterKey = 5, "no_master_key", "no master key has been published yet";
    RotationPending = 6, "rotation_pending",
        "a DKG round (a rotation or a reshare) is still in progress; rotate once it has finished";
    UnknownRecipient = 7, "unknown_recipient",
        "no worker is registered under the recipient's identity";
    UnknownCluster = 8, "unknown_cluster",
        "no such cluster (cluster 0 is every worker; contracts.create_cluster makes others)";
    DkgWrongRound = 9, "dkg_wrong_round", "no DKG round with that number is in progress";
    NotDealer = 10, "not_dealer",
        "the sender is not a dealer of this DKG round (or that dealer has not dealt)";
    NotPlayer = 11, "not_player", "the sender is not a player of this DKG round";
    DkgBadMessage = 12, "dkg_bad_message",
        "the DKG message does not decode or does not fit the round";
    DkgBadLog = 13, "dkg_bad_log",
        "the dealer log does not check: bad signature, acknowledgement or revealed share";
    NotShareHolder = 14, "not_share_holder",
        "the sender holds no share of that generation's current sharing";
    NotClusterMember = 15, "not_cluster_member",
        "the recipient is not a member of the cluster whose key the share is for";
}
