//! Where `contracts` keeps its state.

use crate::{
    append_log::AppendLog,
    state::{StateKey, state_key},
};
use phalanx_types::WorkerId;

/// A module's bytes, under its SHA-256.
pub fn code(hash: &[u8; 32]) -> StateKey {
    state_key("contracts", "code", hash)
}
/// What the chain knows about a module: [`super::CodeInfo`].
pub fn code_info(hash: &[u8; 32]) -> StateKey {
    state_key("contracts", "code_info", hash)
}
/// A contract: [`super::ContractRecord`].
pub fn contract(id: &[u8; 32]) -> StateKey {
    state_key("contracts", "contract", id)
}
/// Every contract, in creation order (the listing index).
pub fn contracts() -> AppendLog<[u8; 32]> {
    AppendLog::new("contracts", "contracts", b"")
}
/// Every module, in upload order (the listing index).
pub fn codes() -> AppendLog<[u8; 32]> {
    AppendLog::new("contracts", "codes", b"")
}
/// That `worker` reported the keys of contract `id` (so each worker counts once).
pub fn key_report(id: &[u8; 32], worker: &WorkerId) -> StateKey {
    let mut suffix = id.to_vec();
    suffix.extend_from_slice(worker.as_bytes());
    state_key("contracts", "key_report", &suffix)
}
