//! Runs one call of a WebAssembly contract.
//!
//! The [`Executor`] trait takes a module's code, an [`EntryPoint`], the call's input, a [`Host`]
//! context (caller, block, a read-only [`StorageView`]) and [`Limits`], and returns an
//! [`Outcome`] (output, fuel used, the storage write set, events) or an [`ExecError`]. A failed
//! call returns no write set, so the contract's state is unchanged; applying a successful call's
//! [`WriteSet`] is the caller's job.
//!
//! [`WasmiExecutor`] implements it with the `wasmi` interpreter: fuel-metered, memory-limited,
//! no floating point, and the host functions of module [`HOST_MODULE`] (see [`host`]). It caches
//! parsed modules between calls, within [`ModuleCacheLimits`].

use std::collections::BTreeMap;

pub mod host;
pub mod host_crypto;
pub mod keys;
mod module_cache;
pub mod query;
pub mod replay_window;
pub mod sealed;
pub mod session;
pub mod state;
mod wasmi_exec;

pub use keys::ContractKey;
pub use module_cache::{ModuleCacheLimits, ModuleCacheStats};
pub use wasmi_exec::WasmiExecutor;

/// The only module name a contract may import from.
pub const HOST_MODULE: &str = "phalanx_v1";

/// The exported linear memory every contract must have.
pub const MEMORY_EXPORT: &str = "memory";

/// The storage writes of one call: key → `Some(value)` (set) or `None` (removed).
pub type WriteSet = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Which exported function a call runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryPoint {
    /// A command (export `call`): may write storage and emit events.
    Call,
    /// A read-only query (export `query`): any storage write or event is an error.
    Query,
}

impl EntryPoint {
    /// The name of the exported function, of type `() -> ()`.
    pub fn export_name(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Query => "query",
        }
    }
}

/// A storage read that failed (not a missing key: that is `Ok(None)`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StorageError(pub String);

/// The contract's state as it was before the call. Reads of keys the call has written see the
/// call's own writes instead (the executor layers its write set over this view).
pub trait StorageView {
    /// The value stored under `key`, if any.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;
}

impl StorageView for BTreeMap<Vec<u8>, Vec<u8>> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(BTreeMap::get(self, key).cloned())
    }
}

/// Where the `random` host function draws from.
#[derive(Clone, Copy)]
pub enum Randomness<'a> {
    /// A command: a stream from this seed (e.g. [`ContractKey::command_seed`]), so every
    /// worker of the cluster draws the same bytes and agrees on the resulting state.
    Seeded(&'a [u8; 32]),
    /// A query: the enclave's own random generator.
    Enclave,
    /// None: `random` fails with [`ExecError::Unavailable`].
    Unavailable,
}

/// What the host tells the contract about its call.
#[derive(Clone, Copy)]
pub struct Host<'a> {
    /// The contract's id.
    pub contract: [u8; 32],
    /// The account that sent the command or signed the query.
    pub caller: [u8; 32],
    /// The height of the block the call executes in (for a query: the latest one).
    pub block_height: u64,
    /// That block's time, in milliseconds since the Unix epoch.
    pub block_time_ms: u64,
    /// The contract's state before the call.
    pub storage: &'a dyn StorageView,
    /// The contract's keys, for `sign` and `contract_public_key` (which fail with
    /// [`ExecError::Unavailable`] without them).
    pub key: Option<&'a ContractKey>,
    /// Where `random` draws from.
    pub randomness: Randomness<'a>,
}

impl std::fmt::Debug for Host<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("contract", &self.contract)
            .field("caller", &self.caller)
            .field("block_height", &self.block_height)
            .field("block_time_ms", &self.block_time_ms)
            .finish_non_exhaustive()
    }
}

/// Bounds on one call. Every size a contract or a client controls is checked against one of
/// these before the executor acts on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Fuel available to the call (instructions and host functions).
    pub fuel: u64,
    /// Largest module accepted, checked before parsing.
    pub max_code_bytes: usize,
    /// Largest linear memory, in 64 KiB pages (declared minimum and any growth).
    pub max_memory_pages: u32,
    /// Deepest call stack (nested wasm calls).
    pub max_call_depth: usize,
    /// Largest input.
    pub max_input_bytes: usize,
    /// Largest output (all `output_write` calls together).
    pub max_output_bytes: usize,
    /// Largest storage key.
    pub max_key_bytes: usize,
    /// Largest storage value (written, or read from the view).
    pub max_value_bytes: usize,
    /// Most distinct keys one call may write or remove.
    pub max_writes: usize,
    /// Most events one call may emit.
    pub max_events: usize,
    /// Largest event.
    pub max_event_bytes: usize,
    /// Most random bytes one call may draw.
    pub max_random_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            fuel: 10_000_000,
            max_code_bytes: 512 * 1024,
            // 4 MiB.
            max_memory_pages: 64,
            max_call_depth: 512,
            max_input_bytes: 64 * 1024,
            max_output_bytes: 64 * 1024,
            max_key_bytes: 256,
            max_value_bytes: 64 * 1024,
            max_writes: 1024,
            max_events: 64,
            max_event_bytes: 4096,
            max_random_bytes: 64 * 1024,
        }
    }
}

/// A successful call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// What the contract wrote with `output_write`.
    pub output: Vec<u8>,
    /// Fuel consumed, at most [`Limits::fuel`].
    pub fuel_used: u64,
    /// The storage writes to apply (always empty for a query).
    pub writes: WriteSet,
    /// Events emitted, in order (always empty for a query).
    pub events: Vec<Vec<u8>>,
}

/// Why a call failed. A failed call has no effect on the contract's state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    /// The code is larger than [`Limits::max_code_bytes`] (not parsed).
    #[error("code is {len} bytes, over the limit of {max}")]
    CodeTooLarge { len: usize, max: usize },
    /// The input is larger than [`Limits::max_input_bytes`].
    #[error("input is {len} bytes, over the limit of {max}")]
    InputTooLarge { len: usize, max: usize },
    /// Not a valid WebAssembly module under the executor's configuration (this includes any
    /// floating-point type or instruction, and a `start` function).
    #[error("invalid module: {0}")]
    InvalidModule(String),
    /// The module imports something the host does not provide.
    #[error("unknown import {module}::{name}")]
    UnknownImport { module: String, name: String },
    /// The module imports a host function with the wrong signature.
    #[error("bad import: {0}")]
    BadImport(String),
    /// The module lacks the memory export or the entry point, or one has the wrong type.
    #[error("bad export: {0}")]
    BadExport(String),
    /// The call ran out of fuel.
    #[error("out of fuel")]
    OutOfFuel,
    /// The call stack grew past its limit (unbounded recursion).
    #[error("call stack exhausted")]
    StackOverflow,
    /// The module's memory would exceed [`Limits::max_memory_pages`]: its declared minimum is
    /// over the limit, or the call trapped after a `memory.grow` was refused (which returns -1,
    /// as the wasm spec says; a call that copes with the refusal and finishes succeeds).
    #[error("memory limit of {max_pages} pages exceeded")]
    MemoryLimit { max_pages: u32 },
    /// A wasm trap (`unreachable`, an out-of-bounds access, division by zero, ...).
    #[error("trap: {0}")]
    Trap(String),
    /// A host function was given a pointer and length outside the contract's memory.
    #[error("{function}: {len} bytes at {ptr} are outside the contract's memory")]
    HostOutOfBounds {
        function: &'static str,
        ptr: u32,
        len: u64,
    },
    /// The output would exceed [`Limits::max_output_bytes`].
    #[error("output of {len} bytes is over the limit of {max}")]
    OutputTooLarge { len: usize, max: usize },
    /// A storage key over [`Limits::max_key_bytes`].
    #[error("storage key of {len} bytes is over the limit of {max}")]
    KeyTooLarge { len: usize, max: usize },
    /// A storage value (written, or found in the view) over [`Limits::max_value_bytes`].
    #[error("storage value of {len} bytes is over the limit of {max}")]
    ValueTooLarge { len: usize, max: usize },
    /// More distinct keys written than [`Limits::max_writes`].
    #[error("more than {max} storage keys written")]
    TooManyWrites { max: usize },
    /// More events than [`Limits::max_events`].
    #[error("more than {max} events")]
    TooManyEvents { max: usize },
    /// An event over [`Limits::max_event_bytes`].
    #[error("event of {len} bytes is over the limit of {max}")]
    EventTooLarge { len: usize, max: usize },
    /// More random bytes than [`Limits::max_random_bytes`].
    #[error("more than {max} random bytes drawn")]
    TooMuchRandom { max: usize },
    /// The contract ended the call with its own error (the `revert` host function).
    #[error("reverted: {0}")]
    Reverted(String),
    /// A host function whose key or source this call was not given (`sign` without the
    /// contract's key, `random` without a source).
    #[error("{0} is not available to this call")]
    Unavailable(&'static str),
    /// A query tried to write storage or emit an event.
    #[error("{0} in a query")]
    WriteInQuery(&'static str),
    /// The storage view failed.
    #[error("storage: {0}")]
    Storage(StorageError),
    /// An error of the interpreter that none of the above describes.
    #[error("executor: {0}")]
    Internal(String),
}

/// Runs one call of a contract module.
pub trait Executor {
    /// Runs `entry` of the module `code` with `input`. On success the [`Outcome`]'s write set is
    /// what the caller applies to the contract's state; on error nothing is to be applied.
    fn execute(
        &self,
        code: &[u8],
        entry: EntryPoint,
        input: &[u8],
        host: Host<'_>,
        limits: &Limits,
    ) -> Result<Outcome, ExecError>;
}
