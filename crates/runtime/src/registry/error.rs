//! Why a `registry` call fails.

crate::error::component_errors! {
    /// Refusals of `registry` calls.
    component = "registry";
    NotRoot = 1, "not_root", "only the registry's root account may do this";
    RegistrationsFrozen = 2, "registrations_frozen",
        "the attestation policy freezes new worker registrations";
    EvidenceMalformed = 3, "evidence_malformed",
        "the evidence is malformed (size, or collateral that is not collateral JSON)";
    EvidenceInvalid = 4, "evidence_invalid",
        "the evidence does not verify (signature, certificate chain, revocation or collateral validity)";
    DebugEnclave = 5, "debug_enclave", "the enclave runs in debug mode";
    MeasurementNotAllowed = 6, "measurement_not_allowed",
        "the evidence's measurement is not on the allow-list";
    TcbTooLow = 7, "tcb_too_low", "the platform's TCB level is below the policy's minimum";
    EvidenceTooOld = 8, "evidence_too_old",
        "the evidence's collateral is older than the policy allows";
    ReportDataMismatch = 9, "report_data_mismatch",
        "the evidence's report data does not bind this worker, operator and chain";
    SimulatedNotAllowed = 10, "simulated_not_allowed",
        "this chain does not accept simulated TEE evidence";
    UnknownWorker = 11, "unknown_worker", "no worker is registered under this identity";
    AlreadyGatekeeper = 12, "already_gatekeeper", "the worker is already a gatekeeper";
    TooManyGatekeepers = 13, "too_many_gatekeepers", "the gatekeeper set is full";
    InvalidPolicy = 14, "invalid_policy",
        "the policy is malformed, or allows simulation on a chain that is not a development chain";
    TooManyWorkers = 15, "too_many_workers", "the registry is full";
    OperatorMismatch = 16, "operator_mismatch", "the worker is registered by another operator";
    AttestationExpired = 17, "attestation_expired",
        "the worker's last attestation is older than the policy allows";
    EncryptionKeyChanged = 18, "encryption_key_changed",
        "a registered worker cannot change its encryption key (key shares were sealed to it)";
    NotGatekeeper = 19, "not_gatekeeper", "the worker is not a gatekeeper";
    LastGatekeeper = 20, "last_gatekeeper",
        "the last gatekeeper cannot be removed: nobody would hold the master key";
}
