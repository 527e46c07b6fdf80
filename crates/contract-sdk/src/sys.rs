//! The raw host functions of module `phalanx_v1` (the table is in `phalanx-contracts`'
//! `host.rs` and `host_crypto.rs`). On wasm32 they are imports; on any other target they are
//! served by [`crate::testing`], so a contract's logic can be unit-tested natively.
#![allow(unsafe_code)]

#[cfg(target_arch = "wasm32")]
mod imports {
    #[link(wasm_import_module = "phalanx_v1")]
    unsafe extern "C" {
        pub fn input_len() -> i32;
        pub fn input_read(ptr: *mut u8);
        pub fn output_write(ptr: *const u8, len: usize);
        pub fn storage_get(key: *const u8, key_len: usize, out: *mut u8, out_cap: usize) -> i32;
        pub fn storage_set(key: *const u8, key_len: usize, value: *const u8, value_len: usize);
        pub fn storage_remove(key: *const u8, key_len: usize);
        pub fn caller(out: *mut u8);
        pub fn block_height() -> i64;
        pub fn block_time_ms() -> i64;
        pub fn emit_event(ptr: *const u8, len: usize);
        pub fn sha256(ptr: *const u8, len: usize, out: *mut u8);
        pub fn ed25519_verify(
            key: *const u8,
            msg: *const u8,
            msg_len: usize,
            sig: *const u8,
        ) -> i32;
        pub fn contract_id(out: *mut u8);
        pub fn contract_public_key(out: *mut u8);
        pub fn sign(msg: *const u8, msg_len: usize, out: *mut u8);
        pub fn random(out: *mut u8, len: usize);
        pub fn revert(ptr: *const u8, len: usize);
    }
}

// Safety, for every call below: the host reads or writes exactly the ranges given by the
// pointers and lengths, which come from live Rust slices and arrays of at least that length;
// it checks every range against the module's memory and ends the call instead of touching
// anything outside it.

#[cfg(target_arch = "wasm32")]
pub(crate) fn input() -> alloc::vec::Vec<u8> {
    let len = usize::try_from(unsafe { imports::input_len() }).unwrap_or(0);
    let mut buf = alloc::vec![0u8; len];
    unsafe { imports::input_read(buf.as_mut_ptr()) };
    buf
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn output(bytes: &[u8]) {
    unsafe { imports::output_write(bytes.as_ptr(), bytes.len()) }
}

/// The value's full length, or `None`; copies at most `out.len()` bytes.
#[cfg(target_arch = "wasm32")]
pub(crate) fn storage_get(key: &[u8], out: &mut [u8]) -> Option<usize> {
    let len = unsafe { imports::storage_get(key.as_ptr(), key.len(), out.as_mut_ptr(), out.len()) };
    usize::try_from(len).ok()
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn storage_set(key: &[u8], value: &[u8]) {
    unsafe { imports::storage_set(key.as_ptr(), key.len(), value.as_ptr(), value.len()) }
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn storage_remove(key: &[u8]) {
    unsafe { imports::storage_remove(key.as_ptr(), key.len()) }
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn caller() -> [u8; 32] {
    let mut out = [0u8; 32];
    unsafe { imports::caller(out.as_mut_ptr()) };
    out
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn block_height() -> u64 {
    u64::try_from(unsafe { imports::block_height() }).unwrap_or(0)
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn block_time_ms() -> u64 {
    u64::try_from(unsafe { imports::block_time_ms() }).unwrap_or(0)
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn emit_event(bytes: &[u8]) {
    unsafe { imports::emit_event(bytes.as_ptr(), bytes.len()) }
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    unsafe { imports::sha256(bytes.as_ptr(), bytes.len(), out.as_mut_ptr()) };
    out
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn ed25519_verify(key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    unsafe {
        imports::ed25519_verify(
            key.as_ptr(),
            message.as_ptr(),
            message.len(),
            signature.as_ptr(),
        ) == 1
    }
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn contract_id() -> [u8; 32] {
    let mut out = [0u8; 32];
    unsafe { imports::contract_id(out.as_mut_ptr()) };
    out
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn contract_public_key() -> [u8; 32] {
    let mut out = [0u8; 32];
    unsafe { imports::contract_public_key(out.as_mut_ptr()) };
    out
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn sign(message: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    unsafe { imports::sign(message.as_ptr(), message.len(), out.as_mut_ptr()) };
    out
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn random(out: &mut [u8]) {
    unsafe { imports::random(out.as_mut_ptr(), out.len()) }
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn revert(message: &str) -> ! {
    unsafe { imports::revert(message.as_ptr(), message.len()) };
    // The host ends the call in `revert`; this is never reached.
    core::arch::wasm32::unreachable()
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use crate::testing::sys::*;
