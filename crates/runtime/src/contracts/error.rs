//! Why a `contracts` call fails.

crate::error::component_errors! {
    /// Refusals of `contracts` calls and messages.
    component = "contracts";
    CodeTooLarge = 1, "code_too_large", "the module is larger than contracts.max_code_bytes";
    InvalidCode = 2, "invalid_code",
        "not a module the executor can run (invalid WebAssembly, floating point, a start function, or memory over the limit)";
    UnknownImport = 3, "unknown_import", "the module imports something other than the phalanx_v1 host functions";
    BadImport = 4, "bad_import", "the module imports a host function with the wrong signature";
    BadExport = 5, "bad_export",
        "the module does not export its memory and the entry points call and query, as () -> ()";
    CodeExists = 6, "code_exists", "this module is already uploaded";
    UnknownCode = 7, "unknown_code", "no module is uploaded under this hash";
    UnknownCluster = 8, "unknown_cluster",
        "no such cluster (cluster 0 is every worker; others are numbered from 1 as they are created)";
    ContractExists = 9, "contract_exists", "a contract with this id exists: choose another salt";
    UnknownContract = 10, "unknown_contract", "no contract has this id";
    KeyAlreadyReported = 11, "key_already_reported", "this worker already reported the contract's keys";
    NoMasterKey = 12, "no_master_key",
        "the gatekeepers have not made a master key yet, so no cluster key exists to derive the contract's keys from";
    KeyNotPublished = 13, "key_not_published",
        "the contract's cluster has not published its encryption key yet: nothing to encrypt a command to";
    GasLimitZero = 14, "gas_limit_zero", "a command needs a positive gas limit";
    GasLimitTooHigh = 15, "gas_limit_too_high", "the gas limit is over contracts.max_gas_per_command";
    InsufficientBalance = 16, "insufficient_balance",
        "the balance does not cover the command's gas (gas_limit × gas_price) and the existential deposit";
    UnknownCommand = 17, "unknown_command", "the contract has no command with this sequence number";
    ResultOutOfOrder = 18, "result_out_of_order",
        "no longer returned (results are recorded as each reaches its cluster's quorum, in any order); the code stays reserved";
    ResultAlreadyReported = 19, "result_already_reported",
        "this worker already reported the command's result";
    FuelOverLimit = 20, "fuel_over_limit", "the reported fuel is over the command's gas limit";
    NotRoot = 21, "not_root", "only the root account creates clusters directly (others propose one to governance)";
    EmptyCluster = 22, "empty_cluster", "a cluster needs at least one worker";
    DuplicateMember = 23, "duplicate_member", "a worker is listed twice";
    UnknownWorker = 24, "unknown_worker", "a listed member is not a registered worker";
    NotClusterMember = 25, "not_cluster_member",
        "the reporting worker is not a member of the contract's cluster";
    TooManyMembers = 26, "too_many_members", "a cluster has at most 64 workers (MAX_CLUSTER_MEMBERS)";
    CommandNotExpired = 27, "command_not_expired",
        "the command has waited fewer than COMMAND_EXPIRY_BLOCKS (600) blocks for its result";
    CommandRecorded = 28, "command_recorded", "the command's result is recorded: its gas is settled";
    CommandAlreadyExpired = 29, "command_already_expired", "the command's gas went back already";
}
