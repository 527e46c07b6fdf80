//! `contracts`: confidential WebAssembly contracts on clusters of TEE workers.
//!
//! | file | what |
//! |------|------|
//! | `params.rs` | `max_code_bytes`, `code_fee_per_byte`, `instantiate_fee`, `gas_price`, `max_gas_per_command` |
//! | `state_key.rs` | `code(hash)` → the module, `code_info(hash)` → [`CodeInfo`], `contract(id)` → [`ContractRecord`], the `codes`, `contracts` and `clusters` append logs, `key_report(id, worker)`, `key_votes(id, candidate)` |
//! | `record.rs` | [`CodeInfo`], [`ContractRecord`], [`ContractKeys`], [`ClusterRecord`] |
//! | `event.rs` | `code_uploaded`, `contract_instantiated`, `contract_key_reported` / `_published` / `_confirmed` / `_disagreement`, `command_submitted`, `command_executed`, `contract_event`, `command_confirmed`, `state_disagreement`, `cluster_created`, `contract_key_reported`, `result_reported`, `command_expired` |
//! | `error.rs` | codes 1–29 |
//! | `call.rs` | [`ContractsCall`](phalanx_types::ContractsCall): code priced per byte, instantiation at a fixed fee |
//! | `upload.rs`, `instantiate.rs`, `command.rs`, `create_cluster.rs`, `expire.rs` | one handler each |
//! | `key_report.rs`, `result.rs` | the `contract_key` and `command_result` messages of a cluster's worker |
//! | `quorum.rs` | how many members must agree ([`cluster_quorum`]), tallies, the members that reported otherwise |
//!
//! No genesis state besides its parameters. The chain checks uploaded code with the same
//! executor (`phalanx-contracts`) and limits the workers use, so a module that is stored can
//! be loaded by every worker. A contract's id is derived from the chain, the deployer, the
//! code, the cluster and a salt ([`contract_id`]). Its keys are derived inside the cluster's
//! TEEs from the cluster key; the chain only records the public ones its workers report, once
//! a quorum of members agree ([`cluster_quorum`]), and keeps any disagreement as evidence.
//!
//! Clusters: cluster 0 is every registered worker. The root account, or a governance vote,
//! creates clusters of chosen workers, numbered from 1; the gatekeepers send each member its
//! partial signatures towards that cluster's key (`keys` accepts a share only for a member),
//! and only members may report a contract's keys or its commands' results.
//!
//! A command is sealed to the contract's key (the chain cannot read it); the chain holds its
//! gas (`gas_limit × gas_price`, pot `contract_gas`), numbers it and broadcasts it. The first
//! result reported for the next unexecuted command is recorded: burned fuel to the treasury,
//! the rest back to the sender, the sealed output kept for the sender, the contract's events
//! published; other workers' reports confirm it or are recorded as a state disagreement.
//!
//! A command whose cluster records no result for it within [`COMMAND_EXPIRY_BLOCKS`] can have
//! its gas given back to its sender (`expire.rs`); it may still run later, for free.
//!
//! Not yet: changing a cluster's members after creation; slashing for a disagreement (the
//! mining component will read the evidence events).

mod call;
mod command;
mod create_cluster;
mod error;
mod event;
mod expire;
mod instantiate;
mod key_report;
mod params;
mod quorum;
mod record;
mod result;
pub mod state_key;
mod upload;

pub use call::{call_info, dispatch};
pub use command::escrow;
pub use create_cluster::{check_cluster_members, make_cluster};
pub use error::Error;
pub use event::{Event, EventData};
pub use expire::COMMAND_EXPIRY_BLOCKS;
pub use key_report::report_keys;
pub use params::Params;
pub use quorum::cluster_quorum;
pub use record::{
    ClusterRecord, CodeInfo, CommandRecord, CommandResult, ContractKeys, ContractRecord,
};
pub use result::{Report, command_record, report_result};
pub use upload::check_code;

use crate::state::{State, StateError, read_decoded as read};
use commonware_cryptography::{Hasher, Sha256};
use phalanx_types::{AccountId, ChainId, WorkerId};

/// What a contract id hashes before its inputs.
const CONTRACT_ID_DOMAIN: &[u8] = b"phalanx/contract-id/v1/";

/// SHA-256 of `parts`, concatenated.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(Sha256::hash(parts).as_ref());
    out
}

/// The id of the contract `deployer` creates on `chain` from `code_hash` on `cluster` with
/// `salt`: `SHA-256(namespace(chain) ‖ deployer ‖ code_hash ‖ cluster ‖ salt)`.
pub fn contract_id(
    chain: &ChainId,
    deployer: &AccountId,
    code_hash: &[u8; 32],
    cluster: u32,
    salt: &[u8; 32],
) -> [u8; 32] {
    let namespace = chain.namespace(CONTRACT_ID_DOMAIN);
    sha256(&[
        namespace.as_slice(),
        deployer.as_bytes(),
        code_hash,
        &cluster.to_be_bytes(),
        salt,
    ])
}

/// An uploaded module's record.
pub fn code_info(
    state: &(impl State + ?Sized),
    hash: &[u8; 32],
) -> Result<Option<CodeInfo>, StateError> {
    read(state, state_key::code_info(hash))
}

/// An uploaded module's bytes.
pub fn code(state: &(impl State + ?Sized), hash: &[u8; 32]) -> Result<Option<Vec<u8>>, StateError> {
    state.get(&state_key::code(hash))
}

/// A contract's record.
pub fn contract(
    state: &(impl State + ?Sized),
    id: &[u8; 32],
) -> Result<Option<ContractRecord>, StateError> {
    read(state, state_key::contract(id))
}

/// Cluster `id`'s record: `None` for cluster 0 (every worker) and for a cluster that does not
/// exist ([`cluster_exists`] tells them apart).
pub fn cluster(
    state: &(impl State + ?Sized),
    id: u32,
) -> Result<Option<ClusterRecord>, StateError> {
    match id.checked_sub(1) {
        Some(index) => state_key::clusters().get(state, u64::from(index)),
        None => Ok(None),
    }
}

/// Whether cluster `id` exists (cluster 0 always does).
pub fn cluster_exists(state: &(impl State + ?Sized), id: u32) -> Result<bool, StateError> {
    Ok(id == crate::keys::DEFAULT_CLUSTER || u64::from(id) <= state_key::clusters().len(state)?)
}

/// Whether `worker` belongs to cluster `id`: for cluster 0, whether it is registered; for
/// another, whether the cluster's record lists it (false if the cluster does not exist).
pub fn is_member(
    state: &(impl State + ?Sized),
    id: u32,
    worker: &WorkerId,
) -> Result<bool, StateError> {
    if id == crate::keys::DEFAULT_CLUSTER {
        return Ok(crate::registry::worker(state, worker)?.is_some());
    }
    Ok(cluster(state, id)?.is_some_and(|c| c.has_member(worker)))
}
