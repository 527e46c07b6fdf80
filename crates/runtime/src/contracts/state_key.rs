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
/// Every cluster of chosen workers, in creation order: cluster `n` (from 1) is entry `n - 1`
/// ([`super::ClusterRecord`]); cluster 0 has no entry.
pub fn clusters() -> AppendLog<super::ClusterRecord> {
    AppendLog::new("contracts", "clusters", b"")
}
/// Every module, in upload order (the listing index).
pub fn codes() -> AppendLog<[u8; 32]> {
    AppendLog::new("contracts", "codes", b"")
}
/// Command `seq` of contract `id`: [`super::CommandRecord`].
pub fn command(id: &[u8; 32], seq: u64) -> StateKey {
    state_key(
        "contracts",
        "command",
        &[&id[..], &seq.to_be_bytes()].concat(),
    )
}
/// The sealed output of command `seq` of contract `id` ([`phalanx_types::Sealed`]), for its
/// sender to fetch and open.
pub fn command_output(id: &[u8; 32], seq: u64) -> StateKey {
    state_key(
        "contracts",
        "command_output",
        &[&id[..], &seq.to_be_bytes()].concat(),
    )
}
/// That command `seq` of contract `id` expired: its gas went back to its sender.
pub fn expired(id: &[u8; 32], seq: u64) -> StateKey {
    state_key(
        "contracts",
        "expired",
        &[&id[..], &seq.to_be_bytes()].concat(),
    )
}
/// How many members reported the result of command `seq` of contract `id` whose candidate
/// hash is `candidate`, before one was recorded.
pub fn result_votes(id: &[u8; 32], seq: u64, candidate: &[u8; 32]) -> StateKey {
    let suffix = [&id[..], &seq.to_be_bytes(), &candidate[..]].concat();
    state_key("contracts", "result_votes", &suffix)
}
/// That `worker` reported the result of command `seq` of contract `id`: the candidate hash of
/// what it reported.
pub fn result_report(id: &[u8; 32], seq: u64, worker: &WorkerId) -> StateKey {
    let suffix = [&id[..], &seq.to_be_bytes(), worker.as_bytes()].concat();
    state_key("contracts", "result_report", &suffix)
}
/// That `worker` reported the keys of contract `id` (so each worker counts once): the SHA-256
/// of the keys it reported.
pub fn key_report(id: &[u8; 32], worker: &WorkerId) -> StateKey {
    let mut suffix = id.to_vec();
    suffix.extend_from_slice(worker.as_bytes());
    state_key("contracts", "key_report", &suffix)
}
/// How many workers reported the keys of contract `id` whose SHA-256 is `candidate`, before
/// any were published.
pub fn key_votes(id: &[u8; 32], candidate: &[u8; 32]) -> StateKey {
    state_key(
        "contracts",
        "key_votes",
        &[&id[..], &candidate[..]].concat(),
    )
}
