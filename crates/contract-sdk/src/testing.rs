//! A stand-in for the host on targets other than wasm32, so a contract's logic can be
//! unit-tested natively with `cargo test`: one environment per thread, set up with [`reset`]
//! and the setters below, called through [`call`] or [`query`].
//!
//! It keeps storage, the caller, the block, events, output and a seeded random stream. The
//! cryptographic functions (`sha256`, `ed25519_verify`, `sign`, `contract_public_key`) are
//! not imitated here: they panic, saying so. Test those through `phalanx-contracts`' executor
//! with the built module, as this repository's example contracts do.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use std::cell::RefCell;

#[derive(Default)]
struct Env {
    input: Vec<u8>,
    output: Vec<u8>,
    storage: BTreeMap<Vec<u8>, Vec<u8>>,
    caller: [u8; 32],
    contract: [u8; 32],
    block_height: u64,
    block_time_ms: u64,
    events: Vec<Vec<u8>>,
    random_counter: u64,
}

std::thread_local! {
    static ENV: RefCell<Env> = RefCell::new(Env::default());
}

fn with<R>(f: impl FnOnce(&mut Env) -> R) -> R {
    ENV.with(|env| f(&mut env.borrow_mut()))
}

/// The panic payload of `revert` on the host.
struct Reverted(String);

/// Clears the environment: no storage, no events, caller and contract all zeros, block 0.
pub fn reset() {
    with(|env| *env = Env::default());
}

/// Sets the caller of the next calls.
pub fn set_caller(caller: [u8; 32]) {
    with(|env| env.caller = caller);
}

/// Sets the contract's id.
pub fn set_contract(id: [u8; 32]) {
    with(|env| env.contract = id);
}

/// Sets the block the next calls run in.
pub fn set_block(height: u64, time_ms: u64) {
    with(|env| {
        env.block_height = height;
        env.block_time_ms = time_ms;
    });
}

/// The events emitted since the last [`reset`].
pub fn events() -> Vec<Vec<u8>> {
    with(|env| env.events.clone())
}

/// The stored value under `key`.
pub fn stored(key: &[u8]) -> Option<Vec<u8>> {
    with(|env| env.storage.get(key).cloned())
}

fn run(entry: fn(), input: &[u8]) -> Result<Vec<u8>, String> {
    let before = with(|env| {
        env.input = input.to_vec();
        env.output.clear();
        (env.storage.clone(), env.events.len())
    });
    match std::panic::catch_unwind(entry) {
        Ok(()) => Ok(with(|env| core::mem::take(&mut env.output))),
        Err(payload) => {
            // A failed call keeps nothing, as on the network.
            with(|env| {
                env.storage = before.0;
                env.events.truncate(before.1);
            });
            match payload.downcast::<Reverted>() {
                Ok(reverted) => Err(reverted.0),
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
    }
}

/// Runs a command entry point (the function `entry!` exports as `call`) with `input`: its
/// output, or the message it reverted with (its writes and events are then undone).
pub fn call(entry: fn(), input: &[u8]) -> Result<Vec<u8>, String> {
    run(entry, input)
}

/// Runs a query entry point with `input`. Writes are not refused here as the network does;
/// the executor's tests cover that.
pub fn query(entry: fn(), input: &[u8]) -> Result<Vec<u8>, String> {
    run(entry, input)
}

pub(crate) mod sys {
    use super::{Reverted, with};
    use alloc::string::ToString;
    use alloc::vec::Vec;

    pub(crate) fn input() -> Vec<u8> {
        with(|env| env.input.clone())
    }
    pub(crate) fn output(bytes: &[u8]) {
        with(|env| env.output.extend_from_slice(bytes));
    }
    pub(crate) fn storage_get(key: &[u8], out: &mut [u8]) -> Option<usize> {
        with(|env| {
            env.storage.get(key).map(|value| {
                let n = value.len().min(out.len());
                out[..n].copy_from_slice(&value[..n]);
                value.len()
            })
        })
    }
    pub(crate) fn storage_set(key: &[u8], value: &[u8]) {
        with(|env| env.storage.insert(key.to_vec(), value.to_vec()));
    }
    pub(crate) fn storage_remove(key: &[u8]) {
        with(|env| env.storage.remove(key));
    }
    pub(crate) fn caller() -> [u8; 32] {
        with(|env| env.caller)
    }
    pub(crate) fn block_height() -> u64 {
        with(|env| env.block_height)
    }
    pub(crate) fn block_time_ms() -> u64 {
        with(|env| env.block_time_ms)
    }
    pub(crate) fn emit_event(bytes: &[u8]) {
        with(|env| env.events.push(bytes.to_vec()));
    }
    pub(crate) fn contract_id() -> [u8; 32] {
        with(|env| env.contract)
    }
    pub(crate) fn random(out: &mut [u8]) {
        // A counter, not randomness: reproducible tests.
        with(|env| {
            for byte in out.iter_mut() {
                env.random_counter = env.random_counter.wrapping_add(1);
                *byte = env.random_counter.to_le_bytes()[0];
            }
        });
    }
    pub(crate) fn revert(message: &str) -> ! {
        std::panic::panic_any(Reverted(message.to_string()))
    }
    fn not_imitated(function: &str) -> ! {
        panic!(
            "phalanx_contract::testing does not imitate `{function}`: test it through \
             phalanx-contracts' executor with the built module"
        )
    }
    pub(crate) fn sha256(_bytes: &[u8]) -> [u8; 32] {
        not_imitated("sha256")
    }
    pub(crate) fn ed25519_verify(_key: &[u8; 32], _message: &[u8], _signature: &[u8; 64]) -> bool {
        not_imitated("ed25519_verify")
    }
    pub(crate) fn contract_public_key() -> [u8; 32] {
        not_imitated("contract_public_key")
    }
    pub(crate) fn sign(_message: &[u8]) -> [u8; 64] {
        not_imitated("sign")
    }
}
