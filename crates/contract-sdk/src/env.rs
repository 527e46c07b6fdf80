//! The host functions, safely: what the call was given, what it returns, the contract's
//! storage, the block, events, hashing, signatures, the contract's key and randomness.

use alloc::vec::Vec;

use crate::sys;

/// The call's input.
pub fn input() -> Vec<u8> {
    sys::input()
}

/// Appends `bytes` to the call's output.
pub fn output(bytes: &[u8]) {
    sys::output(bytes)
}

/// The value stored under `key`, if any (the call's own earlier writes included).
pub fn storage_get(key: &[u8]) -> Option<Vec<u8>> {
    // Most values are small: one host call; a larger one takes a second, of the exact size.
    let mut buf = alloc::vec![0u8; 128];
    let len = sys::storage_get(key, &mut buf)?;
    if len > buf.len() {
        buf = alloc::vec![0u8; len];
        sys::storage_get(key, &mut buf)?;
    }
    buf.truncate(len);
    Some(buf)
}

/// Stores `value` under `key` (commands only: a query that writes fails).
pub fn storage_set(key: &[u8], value: &[u8]) {
    sys::storage_set(key, value)
}

/// Removes `key` (commands only).
pub fn storage_remove(key: &[u8]) {
    sys::storage_remove(key)
}

/// The account that sent the command or signed the query.
pub fn caller() -> [u8; 32] {
    sys::caller()
}

/// The height of the block the command executes in (for a query, the worker's latest).
pub fn block_height() -> u64 {
    sys::block_height()
}

/// That block's time, in milliseconds since the Unix epoch.
pub fn block_time_ms() -> u64 {
    sys::block_time_ms()
}

/// Emits an event (commands only). Events are public: put nothing secret in them.
pub fn emit(bytes: &[u8]) {
    sys::emit_event(bytes)
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    sys::sha256(bytes)
}

/// Whether `signature` is a valid (strict) ed25519 signature of `message` under `public_key`.
pub fn ed25519_verify(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    sys::ed25519_verify(public_key, message, signature)
}

/// This contract's id.
pub fn contract_id() -> [u8; 32] {
    sys::contract_id()
}

/// The ed25519 public key of this contract's signing key.
pub fn contract_public_key() -> [u8; 32] {
    sys::contract_public_key()
}

/// Signs `message` with this contract's key. The signature covers
/// `"phalanx/contract-signature/v1\0" ‖ contract id ‖ message`, so it can never pass for an
/// account's signature or another contract's.
pub fn sign(message: &[u8]) -> [u8; 64] {
    sys::sign(message)
}

/// Fills `out` with random bytes. In a command they are the same on every worker of the
/// cluster (drawn from the contract's key and the command) and unknown outside it; in a
/// query they come from the enclave.
pub fn random(out: &mut [u8]) {
    sys::random(out)
}

/// A random `u64` (see [`random`]).
pub fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    sys::random(&mut bytes);
    u64::from_le_bytes(bytes)
}

/// Ends the call with `message` as its error: nothing the call wrote or emitted is kept.
pub fn revert(message: &str) -> ! {
    sys::revert(message)
}
