//! The `registry` module: TEE workers, gatekeepers and the attestation policy.
//!
//! * state: `policy` → [`AttestationPolicy`]; `root` → the privileged account; `genesis_hash`
//!   → the chain's genesis block digest (registrations bind it); `worker(id)` → [`WorkerRecord`];
//!   `worker_count` → u64 and `worker_at(i)` → id, an append-only index for listing.
//! * calls: [`register_worker`] (anyone, for the workers they operate),
//!   [`set_attestation_policy`] and [`promote_gatekeeper`] (root only; governance later).
//! * evidence is verified at the block's timestamp with `phalanx_attestation::verify`, so every
//!   validator reaches the same verdict.

mod promote;
mod record;
mod register;
mod set_policy;

pub use promote::promote_gatekeeper;
pub use record::{TeeCode, WorkerRecord};
pub use register::register_worker;
pub use set_policy::set_attestation_policy;

use crate::state::{State, StateError, StateKey, read_decoded as read, state_key};
use commonware_codec::{Encode, FixedSize};
use phalanx_types::{AccountId, AttestationPolicy, Hash, WorkerId};
use serde::{Deserialize, Serialize};

/// Most workers the registry will hold (bounds the listing index; raise by upgrade).
pub const MAX_WORKERS: u64 = 1_000_000;
/// Most gatekeepers at once.
pub const MAX_GATEKEEPERS: usize = 64;

/// The registry's part of genesis.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryGenesis {
    /// The account allowed to change the policy and promote gatekeepers (none: nobody).
    #[serde(default)]
    pub root: Option<AccountId>,
    #[serde(default)]
    pub policy: AttestationPolicy,
}

pub fn policy_key() -> StateKey {
    state_key("registry", "policy", b"")
}
pub fn root_key() -> StateKey {
    state_key("registry", "root", b"")
}
pub fn genesis_hash_key() -> StateKey {
    state_key("registry", "genesis_hash", b"")
}
pub fn worker_key(id: &WorkerId) -> StateKey {
    state_key("registry", "worker", id.as_bytes())
}
pub fn worker_count_key() -> StateKey {
    state_key("registry", "worker_count", b"")
}
pub fn worker_at_key(index: u64) -> StateKey {
    state_key("registry", "worker_at", &index.to_be_bytes())
}
pub fn gatekeepers_key() -> StateKey {
    state_key("registry", "gatekeepers", b"")
}

fn missing(key: StateKey, what: &str) -> StateError {
    StateError::Corrupt {
        key,
        reason: format!("{what} missing (genesis always writes it)"),
    }
}

/// The attestation policy.
pub fn policy(state: &(impl State + ?Sized)) -> Result<AttestationPolicy, StateError> {
    read(state, policy_key())?.ok_or_else(|| missing(policy_key(), "attestation policy"))
}

/// The privileged account, if any.
pub fn root(state: &(impl State + ?Sized)) -> Result<Option<AccountId>, StateError> {
    read(state, root_key())
}

/// The genesis block digest registrations bind to.
pub fn genesis_hash(state: &(impl State + ?Sized)) -> Result<Hash, StateError> {
    read(state, genesis_hash_key())?.ok_or_else(|| missing(genesis_hash_key(), "genesis hash"))
}

/// A worker's record.
pub fn worker(
    state: &(impl State + ?Sized),
    id: &WorkerId,
) -> Result<Option<WorkerRecord>, StateError> {
    read(state, worker_key(id))
}

/// How many workers ever registered.
pub fn worker_count(state: &(impl State + ?Sized)) -> Result<u64, StateError> {
    Ok(read(state, worker_count_key())?.unwrap_or(0))
}

/// The id of the `index`-th worker to register.
pub fn worker_at(
    state: &(impl State + ?Sized),
    index: u64,
) -> Result<Option<WorkerId>, StateError> {
    read(state, worker_at_key(index))
}

/// The gatekeepers, in promotion order.
pub fn gatekeepers(state: &(impl State + ?Sized)) -> Result<Vec<WorkerId>, StateError> {
    let key = gatekeepers_key();
    match state.get(&key)? {
        None => Ok(Vec::new()),
        Some(bytes) => decode_gatekeepers(&bytes).ok_or_else(|| StateError::Corrupt {
            key,
            reason: "gatekeeper list does not decode".into(),
        }),
    }
}

/// Decodes the stored gatekeeper list (concatenated identities, at most [`MAX_GATEKEEPERS`]);
/// `None` if it is not one.
pub fn decode_gatekeepers(bytes: &[u8]) -> Option<Vec<WorkerId>> {
    if !bytes.len().is_multiple_of(AccountId::SIZE)
        || bytes.len() / AccountId::SIZE > MAX_GATEKEEPERS
    {
        return None;
    }
    bytes
        .chunks(AccountId::SIZE)
        .map(|c| AccountId::from_bytes(c).ok())
        .collect()
}

fn set_gatekeepers(state: &mut (impl State + ?Sized), list: &[WorkerId]) {
    let bytes: Vec<u8> = list.iter().flat_map(|id| id.as_bytes().to_vec()).collect();
    state.put(gatekeepers_key(), Some(bytes));
}

/// Writes the registry's genesis state.
pub fn build_genesis(state: &mut (impl State + ?Sized), genesis: &RegistryGenesis, hash: &Hash) {
    state.put(policy_key(), Some(genesis.policy.encode().to_vec()));
    if let Some(root) = &genesis.root {
        state.put(root_key(), Some(root.encode().to_vec()));
    }
    state.put(genesis_hash_key(), Some(hash.encode().to_vec()));
}

/// Whether `who` is the privileged account.
pub(crate) fn is_root(state: &(impl State + ?Sized), who: &AccountId) -> Result<bool, StateError> {
    Ok(root(state)?.as_ref() == Some(who))
}
