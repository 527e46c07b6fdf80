//! `contracts`: confidential WebAssembly contracts on clusters of TEE workers.
//!
//! | file | what |
//! |------|------|
//! | `params.rs` | `max_code_bytes`, `code_fee_per_byte`, `instantiate_fee` |
//! | `state_key.rs` | `code(hash)` → the module, `code_info(hash)` → [`CodeInfo`], `contract(id)` → [`ContractRecord`], the `codes` and `contracts` append logs, `key_report(id, worker)` |
//! | `record.rs` | [`CodeInfo`], [`ContractRecord`], [`ContractKeys`] |
//! | `event.rs` | `code_uploaded`, `contract_instantiated`, `contract_key_published` / `_confirmed` / `_disagreement` |
//! | `error.rs` | codes 1–12 |
//! | `call.rs` | [`ContractsCall`](phalanx_types::ContractsCall): code priced per byte, instantiation at a fixed fee |
//! | `upload.rs`, `instantiate.rs` | one handler each |
//! | `key_report.rs` | the `contract_key` message of a cluster's worker |
//!
//! No genesis state besides its parameters. The chain checks uploaded code with the same
//! executor (`phalanx-contracts`) and limits the workers use, so a module that is stored can
//! be loaded by every worker. A contract's id is derived from the chain, the deployer, the
//! code, the cluster and a salt ([`contract_id`]). Its keys are derived inside the cluster's
//! TEEs from the cluster key; the chain only records the public ones its workers report, and
//! keeps a disagreement as evidence.
//!
//! Not yet: encrypted commands and their gas, state hashes per command, clusters other than 0.

mod call;
mod error;
mod event;
mod instantiate;
mod key_report;
mod params;
mod record;
pub mod state_key;
mod upload;

pub use call::{call_info, dispatch};
pub use error::Error;
pub use event::Event;
pub use key_report::report_keys;
pub use params::Params;
pub use record::{CodeInfo, ContractKeys, ContractRecord};
pub use upload::check_code;

use crate::state::{State, StateError, read_decoded as read};
use commonware_cryptography::{Hasher, Sha256};
use phalanx_types::{AccountId, ChainId};

/// What a contract id hashes before its inputs.
const CONTRACT_ID_DOMAIN: &[u8] = b"phalanx/contract-id/v1/";

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
    let digest = Sha256::hash(&[
        namespace.as_slice(),
        deployer.as_bytes(),
        code_hash,
        &cluster.to_be_bytes(),
        salt,
    ]);
    let mut id = [0u8; 32];
    id.copy_from_slice(digest.as_ref());
    id
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
