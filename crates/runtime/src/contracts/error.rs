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
    UnknownCluster = 8, "unknown_cluster", "no such cluster (only cluster 0, every worker, exists yet)";
    ContractExists = 9, "contract_exists", "a contract with this id exists: choose another salt";
    UnknownContract = 10, "unknown_contract", "no contract has this id";
    KeyAlreadyReported = 11, "key_already_reported", "this worker already reported the contract's keys";
    NoMasterKey = 12, "no_master_key",
        "the gatekeepers have not made a master key yet, so no cluster key exists to derive the contract's keys from";
}
