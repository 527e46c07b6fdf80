//! `registry`: TEE workers, gatekeepers and the attestation policy.
//!
//! | file | what |
//! |------|------|
//! | `params.rs` | `attestation_fee`, `max_block_attestations` |
//! | `state_key.rs` | `policy`, `root`, `genesis_hash`, `worker(id)` → [`WorkerRecord`], `gatekeepers`, the `workers` append log |
//! | `event.rs` | `worker_registered`, `attestation_policy_set`, `gatekeeper_promoted` |
//! | `error.rs` | codes 1–18 |
//! | `genesis.rs` | root account and policy |
//! | `hooks.rs` | what it tells other components: a first registration, a promotion |
//! | `call.rs` | [`RegistryCall`](phalanx_types::RegistryCall): fees, the per-block attestation quota |
//! | `register.rs`, `set_policy.rs`, `promote.rs` | one handler each |
//!
//! Evidence is verified at the block's timestamp with `phalanx_attestation::verify`, so every
//! validator reaches the same verdict.

mod call;
mod error;
mod event;
mod genesis;
mod hooks;
mod params;
mod promote;
mod record;
mod register;
mod set_policy;
pub mod state_key;

pub use call::{call_info, dispatch};
pub use error::Error;
pub use event::Event;
pub use genesis::Genesis;
pub use hooks::RegistryHooks;
pub use params::Params;
pub use promote::{promote, remove};
pub use record::{TeeCode, WorkerRecord};
pub use register::{Verdict, verify_registration};
pub use set_policy::{apply_attestation_policy, policy_allowed};

use crate::state::{State, StateError, StateKey, read_decoded as read};
use commonware_codec::FixedSize;
use phalanx_types::{AccountId, AttestationPolicy, Hash, WorkerId};

/// Most workers the registry will hold (bounds the listing index; raise by upgrade).
pub const MAX_WORKERS: u64 = 1_000_000;
/// Most gatekeepers at once.
pub const MAX_GATEKEEPERS: usize = 64;

fn missing(key: StateKey, what: &str) -> StateError {
    StateError::Corrupt {
        key,
        reason: format!("{what} missing (genesis always writes it)"),
    }
}

/// The attestation policy.
pub fn policy(state: &(impl State + ?Sized)) -> Result<AttestationPolicy, StateError> {
    read(state, state_key::policy())?.ok_or_else(|| missing(state_key::policy(), "policy"))
}

/// The privileged account, if any.
pub fn root(state: &(impl State + ?Sized)) -> Result<Option<AccountId>, StateError> {
    read(state, state_key::root())
}

/// Whether `who` is the privileged account.
pub fn is_root(state: &(impl State + ?Sized), who: &AccountId) -> Result<bool, StateError> {
    Ok(root(state)?.as_ref() == Some(who))
}

/// The genesis block digest registrations bind to.
pub fn genesis_hash(state: &(impl State + ?Sized)) -> Result<Hash, StateError> {
    read(state, state_key::genesis_hash())?
        .ok_or_else(|| missing(state_key::genesis_hash(), "genesis hash"))
}

/// A worker's record.
pub fn worker(
    state: &(impl State + ?Sized),
    id: &WorkerId,
) -> Result<Option<WorkerRecord>, StateError> {
    read(state, state_key::worker(id))
}

/// How many workers ever registered.
pub fn worker_count(state: &(impl State + ?Sized)) -> Result<u64, StateError> {
    state_key::workers().len(state)
}

/// The id of the `index`-th worker to register.
pub fn worker_at(
    state: &(impl State + ?Sized),
    index: u64,
) -> Result<Option<WorkerId>, StateError> {
    state_key::workers().get(state, index)
}

/// The gatekeepers, in promotion order.
pub fn gatekeepers(state: &(impl State + ?Sized)) -> Result<Vec<WorkerId>, StateError> {
    let key = state_key::gatekeepers();
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
    state.put(state_key::gatekeepers(), Some(bytes));
}
