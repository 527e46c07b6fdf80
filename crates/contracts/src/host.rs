//! The host functions of module `phalanx_v1`, and what they cost.
//!
//! Pointers and lengths are wasm32 addresses (`i32` on the wasm side, read as `u32`). Every
//! range a function touches is checked against the contract's memory: a range outside it ends
//! the call with [`ExecError::HostOutOfBounds`]. Every call is charged [`HOST_CALL_FUEL`] plus a
//! per-byte cost for the bytes it copies or stores, before it does the work; the prices were
//! measured (see the constants).
//!
//! | function | signature | does |
//! |---|---|---|
//! | `input_len` | `() -> i32` | length of the call's input |
//! | `input_read` | `(ptr)` | copies the whole input to `ptr` |
//! | `output_write` | `(ptr, len)` | appends `len` bytes at `ptr` to the output |
//! | `storage_get` | `(key_ptr, key_len, out_ptr, out_cap) -> i32` | value length, or -1 if absent; copies `min(len, cap)` bytes to `out_ptr` |
//! | `storage_set` | `(key_ptr, key_len, val_ptr, val_len)` | writes a value (not in a query) |
//! | `storage_remove` | `(key_ptr, key_len)` | removes a key (not in a query) |
//! | `caller` | `(out_ptr)` | copies the caller's 32-byte account to `out_ptr` |
//! | `block_height` | `() -> i64` | the block's height |
//! | `block_time_ms` | `() -> i64` | the block's time, ms since the Unix epoch |
//! | `emit_event` | `(ptr, len)` | emits an event (not in a query) |
//!
//! Reads see the call's own earlier writes and removals.

use wasmi::{Caller, Error, Linker, Memory};

use crate::{ExecError, HOST_MODULE, Host, Limits, StorageView, WriteSet};

// Fuel. Wasmi charges about 1 fuel per executed instruction, so a host call's price is in the
// same unit. The prices were measured with
// `cargo run --release -p phalanx-contracts --example fuel_prices` (docs/BENCHMARKS.md,
// "Contract fuel prices"): a unit of fuel is worth about 0.6-0.75 ns of plain wasm on the
// development VM, and each price is about twice the measured cost of the host function's work
// at that rate, so that a host call is never cheaper per ns than wasm. Two kinds of price are
// above that: a per-byte cost is at least 1 (a copy measures about 0.01 fuel a byte), and bytes
// that end up in state or in the block's events cost more, as every node keeps them.

/// Charged for every host function call (measured: about 30-35 ns, 50 fuel, for a call that
/// does nothing else).
pub const HOST_CALL_FUEL: u64 = 100;
/// Per byte copied between the contract's memory and the host (input, output, keys, values
/// read): the smallest price, far above the measured 0.01-0.03 fuel a byte.
pub const COPY_FUEL_PER_BYTE: u64 = 1;
/// Extra base cost of a storage read. The host's own work measures about 75-80 ns (100-135
/// fuel) with an in-memory view; the price also covers the state's lookup, which that does not
/// measure.
pub const STORAGE_READ_FUEL: u64 = 500;
/// Extra base cost of a storage write or removal (the host's own work: about 65-90 ns).
pub const STORAGE_WRITE_FUEL: u64 = 1_000;
/// Per byte of key and value written: priced for being kept by every node that holds the
/// state, not for the copy (measured: about 0.01 fuel a byte).
pub const STORAGE_WRITE_FUEL_PER_BYTE: u64 = 10;
/// Extra base cost of an event (the host's own work: about 50 ns).
pub const EVENT_FUEL: u64 = 200;
/// Per byte of an event: priced for being kept in the block's receipts (the copy measures
/// about 0.5 fuel a byte).
pub const EVENT_FUEL_PER_BYTE: u64 = 5;

/// The names of the host functions, for checking a module's imports before linking.
pub const FUNCTIONS: [&str; 10] = [
    "input_len",
    "input_read",
    "output_write",
    "storage_get",
    "storage_set",
    "storage_remove",
    "caller",
    "block_height",
    "block_time_ms",
    "emit_event",
];

/// Refuses memory growth past the limit and remembers that it did.
pub(crate) struct MemoryLimiter {
    pub(crate) max_bytes: usize,
    pub(crate) refused: bool,
}

impl wasmi::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        let allowed = desired <= self.max_bytes;
        if !allowed {
            self.refused = true;
        }
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        1
    }

    fn memories(&self) -> usize {
        1
    }
}

/// Largest table (of function references, for `call_indirect`).
pub(crate) const MAX_TABLE_ELEMENTS: usize = 4096;

/// The store's data during one call.
pub(crate) struct State<'a> {
    pub(crate) host: Host<'a>,
    pub(crate) input: &'a [u8],
    pub(crate) limits: Limits,
    pub(crate) query: bool,
    pub(crate) memory: Option<Memory>,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) output: Vec<u8>,
    pub(crate) writes: WriteSet,
    pub(crate) events: Vec<Vec<u8>>,
    /// Random bytes drawn so far by this call.
    pub(crate) random_drawn: usize,
    /// 32-byte blocks of the seeded random stream used so far.
    pub(crate) random_blocks: u64,
    /// The specific error a host function ended the call with (the interpreter only carries a
    /// message).
    pub(crate) fault: Option<ExecError>,
}

impl<'a> State<'a> {
    pub(crate) fn new(host: Host<'a>, input: &'a [u8], limits: Limits, query: bool) -> Self {
        let max_bytes = usize::try_from(limits.max_memory_pages)
            .unwrap_or(usize::MAX)
            .saturating_mul(65_536);
        Self {
            host,
            input,
            limits,
            query,
            memory: None,
            limiter: MemoryLimiter {
                max_bytes,
                refused: false,
            },
            output: Vec::new(),
            writes: WriteSet::new(),
            events: Vec::new(),
            random_drawn: 0,
            random_blocks: 0,
            fault: None,
        }
    }

    /// The value under `key` as this call sees it: its own write if any, else the view's.
    fn read(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ExecError> {
        if let Some(written) = self.writes.get(key) {
            return Ok(written.clone());
        }
        StorageView::get(self.host.storage, key).map_err(ExecError::Storage)
    }

    /// Records a write or removal, bounded by [`Limits::max_writes`].
    fn write(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) -> Result<(), ExecError> {
        if !self.writes.contains_key(&key) && self.writes.len() >= self.limits.max_writes {
            return Err(ExecError::TooManyWrites {
                max: self.limits.max_writes,
            });
        }
        self.writes.insert(key, value);
        Ok(())
    }
}

pub(crate) type Ctx<'c, 'a> = Caller<'c, State<'a>>;

/// Ends the call with `error`: kept in the state, and a trap for the interpreter.
pub(crate) fn fail(caller: &mut Ctx<'_, '_>, error: ExecError) -> Error {
    let message = error.to_string();
    caller.data_mut().fault = Some(error);
    Error::new(message)
}

/// `base + per_byte * bytes`, saturating (a saturated cost is never affordable).
pub(crate) fn cost(base: u64, per_byte: u64, bytes: usize) -> u64 {
    let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
    base.saturating_add(per_byte.saturating_mul(bytes))
}

/// Takes `amount` fuel, or ends the call with [`ExecError::OutOfFuel`] (no fuel left).
pub(crate) fn charge(caller: &mut Ctx<'_, '_>, amount: u64) -> Result<(), Error> {
    let left = caller
        .get_fuel()
        .map_err(|e| fail(caller, ExecError::Internal(e.to_string())))?;
    match left.checked_sub(amount) {
        Some(rest) => caller
            .set_fuel(rest)
            .map_err(|e| fail(caller, ExecError::Internal(e.to_string()))),
        None => {
            // Nothing is left: the whole budget counts as used.
            caller
                .set_fuel(0)
                .map_err(|e| fail(caller, ExecError::Internal(e.to_string())))?;
            Err(fail(caller, ExecError::OutOfFuel))
        }
    }
}

fn memory(caller: &mut Ctx<'_, '_>) -> Result<Memory, Error> {
    match caller.data().memory {
        Some(memory) => Ok(memory),
        None => Err(fail(
            caller,
            ExecError::Internal("host function called before the memory was bound".into()),
        )),
    }
}

/// The range `[ptr, ptr + len)` of a memory of `size` bytes, or the out-of-bounds error.
fn range(
    function: &'static str,
    ptr: u32,
    len: usize,
    size: usize,
) -> Result<std::ops::Range<usize>, ExecError> {
    let out = || ExecError::HostOutOfBounds {
        function,
        ptr,
        len: u64::try_from(len).unwrap_or(u64::MAX),
    };
    let start = usize::try_from(ptr).map_err(|_| out())?;
    let end = start.checked_add(len).ok_or_else(out)?;
    if end > size {
        return Err(out());
    }
    Ok(start..end)
}

pub(crate) fn len_of(len: u32) -> usize {
    usize::try_from(len).unwrap_or(usize::MAX)
}

/// Ends the call with [`ExecError::HostOutOfBounds`] unless `[ptr, ptr + len)` is inside the
/// contract's memory.
pub(crate) fn check_range(
    caller: &mut Ctx<'_, '_>,
    function: &'static str,
    ptr: u32,
    len: usize,
) -> Result<(), Error> {
    let memory = memory(caller)?;
    let size = memory.data(&*caller).len();
    match range(function, ptr, len, size) {
        Ok(_) => Ok(()),
        Err(e) => Err(fail(caller, e)),
    }
}

/// Copies `len` bytes at `ptr` out of the contract's memory.
pub(crate) fn read_bytes(
    caller: &mut Ctx<'_, '_>,
    function: &'static str,
    ptr: u32,
    len: usize,
) -> Result<Vec<u8>, Error> {
    let memory = memory(caller)?;
    let data = memory.data(&*caller);
    match range(function, ptr, len, data.len()) {
        Ok(r) => Ok(data[r].to_vec()),
        Err(e) => Err(fail(caller, e)),
    }
}

/// Copies `bytes` into the contract's memory at `ptr`.
pub(crate) fn write_bytes(
    caller: &mut Ctx<'_, '_>,
    function: &'static str,
    ptr: u32,
    bytes: &[u8],
) -> Result<(), Error> {
    let memory = memory(caller)?;
    let data = memory.data_mut(&mut *caller);
    match range(function, ptr, bytes.len(), data.len()) {
        Ok(r) => {
            data[r].copy_from_slice(bytes);
            Ok(())
        }
        Err(e) => Err(fail(caller, e)),
    }
}

/// Checks a key's length against the limit, then charges and copies it.
fn read_key(
    caller: &mut Ctx<'_, '_>,
    function: &'static str,
    ptr: u32,
    len: u32,
    base: u64,
) -> Result<Vec<u8>, Error> {
    let len = len_of(len);
    let max = caller.data().limits.max_key_bytes;
    if len > max {
        return Err(fail(caller, ExecError::KeyTooLarge { len, max }));
    }
    charge(caller, cost(base, COPY_FUEL_PER_BYTE, len))?;
    read_bytes(caller, function, ptr, len)
}

pub(crate) fn refuse_in_query(caller: &mut Ctx<'_, '_>, what: &'static str) -> Result<(), Error> {
    if caller.data().query {
        return Err(fail(caller, ExecError::WriteInQuery(what)));
    }
    Ok(())
}

pub(crate) fn as_i32(caller: &mut Ctx<'_, '_>, len: usize) -> Result<i32, Error> {
    i32::try_from(len).map_err(|_| fail(caller, ExecError::Internal("length over i32".into())))
}

/// Defines every host function in `linker`.
pub(crate) fn define(linker: &mut Linker<State<'_>>) -> Result<(), Error> {
    linker.func_wrap(HOST_MODULE, "input_len", |mut c: Ctx<'_, '_>| {
        charge(&mut c, HOST_CALL_FUEL)?;
        let len = c.data().input.len();
        as_i32(&mut c, len)
    })?;
    linker.func_wrap(HOST_MODULE, "input_read", |mut c: Ctx<'_, '_>, ptr: u32| {
        let input = c.data().input;
        charge(
            &mut c,
            cost(HOST_CALL_FUEL, COPY_FUEL_PER_BYTE, input.len()),
        )?;
        write_bytes(&mut c, "input_read", ptr, input)
    })?;
    linker.func_wrap(
        HOST_MODULE,
        "output_write",
        |mut c: Ctx<'_, '_>, ptr: u32, len: u32| {
            let len = len_of(len);
            let total = c.data().output.len().saturating_add(len);
            let max = c.data().limits.max_output_bytes;
            if total > max {
                return Err(fail(&mut c, ExecError::OutputTooLarge { len: total, max }));
            }
            charge(&mut c, cost(HOST_CALL_FUEL, COPY_FUEL_PER_BYTE, len))?;
            let bytes = read_bytes(&mut c, "output_write", ptr, len)?;
            c.data_mut().output.extend_from_slice(&bytes);
            Ok(())
        },
    )?;
    linker.func_wrap(
        HOST_MODULE,
        "storage_get",
        |mut c: Ctx<'_, '_>, key_ptr: u32, key_len: u32, out_ptr: u32, out_cap: u32| {
            let base = HOST_CALL_FUEL.saturating_add(STORAGE_READ_FUEL);
            let key = read_key(&mut c, "storage_get", key_ptr, key_len, base)?;
            let value = match c.data().read(&key) {
                Ok(value) => value,
                Err(e) => return Err(fail(&mut c, e)),
            };
            let Some(value) = value else {
                return Ok(-1);
            };
            let max = c.data().limits.max_value_bytes;
            if value.len() > max {
                let len = value.len();
                return Err(fail(&mut c, ExecError::ValueTooLarge { len, max }));
            }
            let copied = value.len().min(len_of(out_cap));
            charge(&mut c, cost(0, COPY_FUEL_PER_BYTE, copied))?;
            write_bytes(&mut c, "storage_get", out_ptr, &value[..copied])?;
            as_i32(&mut c, value.len())
        },
    )?;
    linker.func_wrap(
        HOST_MODULE,
        "storage_set",
        |mut c: Ctx<'_, '_>, key_ptr: u32, key_len: u32, val_ptr: u32, val_len: u32| {
            refuse_in_query(&mut c, "storage_set")?;
            let val_len = len_of(val_len);
            let max = c.data().limits.max_value_bytes;
            if val_len > max {
                return Err(fail(&mut c, ExecError::ValueTooLarge { len: val_len, max }));
            }
            let stored = len_of(key_len).saturating_add(val_len);
            let base = cost(
                HOST_CALL_FUEL.saturating_add(STORAGE_WRITE_FUEL),
                STORAGE_WRITE_FUEL_PER_BYTE,
                stored,
            );
            let key = read_key(&mut c, "storage_set", key_ptr, key_len, base)?;
            charge(&mut c, cost(0, COPY_FUEL_PER_BYTE, val_len))?;
            let value = read_bytes(&mut c, "storage_set", val_ptr, val_len)?;
            c.data_mut()
                .write(key, Some(value))
                .map_err(|e| fail(&mut c, e))
        },
    )?;
    linker.func_wrap(
        HOST_MODULE,
        "storage_remove",
        |mut c: Ctx<'_, '_>, key_ptr: u32, key_len: u32| {
            refuse_in_query(&mut c, "storage_remove")?;
            let base = cost(
                HOST_CALL_FUEL.saturating_add(STORAGE_WRITE_FUEL),
                STORAGE_WRITE_FUEL_PER_BYTE,
                len_of(key_len),
            );
            let key = read_key(&mut c, "storage_remove", key_ptr, key_len, base)?;
            c.data_mut().write(key, None).map_err(|e| fail(&mut c, e))
        },
    )?;
    linker.func_wrap(HOST_MODULE, "caller", |mut c: Ctx<'_, '_>, ptr: u32| {
        let account = c.data().host.caller;
        charge(
            &mut c,
            cost(HOST_CALL_FUEL, COPY_FUEL_PER_BYTE, account.len()),
        )?;
        write_bytes(&mut c, "caller", ptr, &account)
    })?;
    linker.func_wrap(HOST_MODULE, "block_height", |mut c: Ctx<'_, '_>| {
        charge(&mut c, HOST_CALL_FUEL)?;
        Ok(i64::try_from(c.data().host.block_height).unwrap_or(i64::MAX))
    })?;
    linker.func_wrap(HOST_MODULE, "block_time_ms", |mut c: Ctx<'_, '_>| {
        charge(&mut c, HOST_CALL_FUEL)?;
        Ok(i64::try_from(c.data().host.block_time_ms).unwrap_or(i64::MAX))
    })?;
    linker.func_wrap(
        HOST_MODULE,
        "emit_event",
        |mut c: Ctx<'_, '_>, ptr: u32, len: u32| {
            refuse_in_query(&mut c, "emit_event")?;
            let len = len_of(len);
            let limits = c.data().limits;
            if len > limits.max_event_bytes {
                let max = limits.max_event_bytes;
                return Err(fail(&mut c, ExecError::EventTooLarge { len, max }));
            }
            if c.data().events.len() >= limits.max_events {
                let max = limits.max_events;
                return Err(fail(&mut c, ExecError::TooManyEvents { max }));
            }
            let per_byte = EVENT_FUEL_PER_BYTE.saturating_add(COPY_FUEL_PER_BYTE);
            charge(
                &mut c,
                cost(HOST_CALL_FUEL.saturating_add(EVENT_FUEL), per_byte, len),
            )?;
            let event = read_bytes(&mut c, "emit_event", ptr, len)?;
            c.data_mut().events.push(event);
            Ok(())
        },
    )?;
    Ok(())
}
