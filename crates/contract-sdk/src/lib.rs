//! The SDK for Phalanx confidential contracts, `no_std`, for `wasm32-unknown-unknown`.
//!
//! A contract is a module with two entry points, `call` (a command: runs in chain order on
//! every worker of the contract's cluster, may write storage and emit events) and `query`
//! (read-only, answered by one worker). Each reads its input and returns an output or an
//! error; [`entry!`] exports them:
//!
//! ```ignore
//! #![no_std]
//! extern crate alloc;
//! use alloc::vec::Vec;
//! use phalanx_contract::{Error, codec::Encode, storage::Item};
//!
//! const COUNT: Item<u64> = Item::new(b"n");
//!
//! fn handle_call(_input: &[u8]) -> Result<Vec<u8>, Error> {
//!     let n = COUNT.get_or(0)? + 1;
//!     COUNT.set(&n);
//!     Ok(n.encode())
//! }
//! fn handle_query(_input: &[u8]) -> Result<Vec<u8>, Error> {
//!     Ok(COUNT.get_or(0)?.encode())
//! }
//! phalanx_contract::entry!(call = handle_call, query = handle_query);
//! ```
//!
//! * [`env`]: the host functions (input and output, storage, caller, block, events, SHA-256,
//!   ed25519 verification, the contract's own signing key, randomness, revert).
//! * [`codec`]: the encoding of inputs, outputs and stored values.
//! * [`storage`]: typed [`storage::Item`] and [`storage::Map`].
//! * On wasm32 the crate also provides the module's allocator (a bump allocator: a call's
//!   instance lives for one call, so nothing needs to be freed) and its panic handler (a
//!   panic reverts the call with "contract panicked"); turn off the default feature `runtime`
//!   to bring your own.
//! * On other targets, [`testing`] stands in for the host, for native unit tests.
//!
//! Build a contract for wasm32 as `contracts/build.sh` does.
#![no_std]

extern crate alloc;
// The `testing` stand-in for the host uses std (thread-local state, catching a revert).
#[cfg(not(target_arch = "wasm32"))]
extern crate std;

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

pub mod codec;
pub mod env;
pub mod storage;
mod sys;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;
#[cfg(all(target_arch = "wasm32", feature = "runtime"))]
mod wasm_runtime;

pub use codec::{Decode, DecodeError, Encode, Reader};

/// A contract's error: the call is reverted (nothing it wrote or emitted is kept) and the
/// message goes back to the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Cow<'static, str>);

impl Error {
    /// An error with a fixed message.
    pub const fn new(message: &'static str) -> Self {
        Self(Cow::Borrowed(message))
    }

    /// An error with a message made at run time.
    pub fn owned(message: String) -> Self {
        Self(Cow::Owned(message))
    }

    pub fn message(&self) -> &str {
        &self.0
    }
}

impl From<DecodeError> for Error {
    fn from(error: DecodeError) -> Self {
        Self::new(error.as_str())
    }
}

/// Runs an entry point: reads the input, calls `handler`, writes its output or reverts with
/// its error. [`entry!`] calls it; a contract rarely needs to.
pub fn dispatch(handler: impl FnOnce(&[u8]) -> Result<Vec<u8>, Error>) {
    let input = env::input();
    match handler(&input) {
        Ok(output) => {
            if !output.is_empty() {
                env::output(&output);
            }
        }
        Err(error) => env::revert(error.message()),
    }
}

/// Exports a contract's entry points: `entry!(call = handle_call, query = handle_query)`, each
/// a `fn(&[u8]) -> Result<Vec<u8>, Error>`. On wasm32 they become the module's exports `call`
/// and `query`; elsewhere they are plain functions `call()` and `query()` for
/// [`testing::call`] and [`testing::query`].
#[macro_export]
macro_rules! entry {
    (call = $call:path, query = $query:path $(,)?) => {
        /// The command entry point.
        #[cfg(target_arch = "wasm32")]
        #[unsafe(no_mangle)]
        pub extern "C" fn call() {
            $crate::dispatch($call)
        }
        /// The query entry point.
        #[cfg(target_arch = "wasm32")]
        #[unsafe(no_mangle)]
        pub extern "C" fn query() {
            $crate::dispatch($query)
        }
        /// The command entry point.
        #[cfg(not(target_arch = "wasm32"))]
        pub fn call() {
            $crate::dispatch($call)
        }
        /// The query entry point.
        #[cfg(not(target_arch = "wasm32"))]
        pub fn query() {
            $crate::dispatch($query)
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Item, Map};
    use alloc::vec;

    const COUNT: Item<u64> = Item::new(b"n");
    const NAMES: Map<[u8; 32], alloc::string::String> = Map::new(b"m");

    fn handle_call(input: &[u8]) -> Result<Vec<u8>, Error> {
        let by = u64::decode(input)?;
        let n = COUNT.get_or(0)? + by;
        COUNT.set(&n);
        NAMES.set(&env::caller(), &alloc::format!("count {n}"));
        env::emit(b"incremented");
        if n > 10 {
            return Err(Error::new("too many"));
        }
        Ok(n.encode())
    }

    fn handle_query(_input: &[u8]) -> Result<Vec<u8>, Error> {
        Ok((COUNT.get_or(0)?, NAMES.get(&env::caller())?).encode())
    }

    entry!(call = handle_call, query = handle_query);

    #[test]
    fn entry_points_storage_and_revert_under_the_testing_host() {
        testing::reset();
        testing::set_caller([1; 32]);
        assert_eq!(testing::call(call, &3u64.encode()), Ok(3u64.encode()));
        assert_eq!(testing::call(call, &4u64.encode()), Ok(7u64.encode()));
        assert_eq!(
            testing::query(query, b""),
            Ok((7u64, Some(alloc::string::String::from("count 7"))).encode())
        );
        // A revert keeps nothing: not the count, not the event.
        assert_eq!(
            testing::call(call, &9u64.encode()),
            Err(alloc::string::String::from("too many"))
        );
        assert_eq!(testing::stored(b"n"), Some(7u64.encode()));
        assert_eq!(testing::events(), vec![b"incremented".to_vec(); 2]);
        // Bad input is the codec's error, as a revert.
        assert_eq!(
            testing::call(call, &[1, 2]),
            Err(alloc::string::String::from("input ended early"))
        );
    }

    #[test]
    fn large_values_are_read_whole() {
        testing::reset();
        let big = vec![5u8; 1000];
        env::storage_set(b"big", &big);
        assert_eq!(env::storage_get(b"big"), Some(big));
        assert_eq!(env::storage_get(b"none"), None);
    }
}
