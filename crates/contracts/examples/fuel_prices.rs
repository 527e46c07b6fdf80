//! Measures, on this machine, what a unit of fuel is worth and what each host function costs,
//! and prints the prices `host.rs` and `host_crypto.rs` charge next to them; then the time per
//! call of the counter example with and without the executor's module cache.
//!
//! `cargo run --release -p phalanx-contracts --example fuel_prices`
//!
//! * **Fuel.** Loops of plain integer arithmetic and of memory loads and stores run for about
//!   300 ms each, seven times; ns per fuel is the time over the fuel the interpreter charged,
//!   the median of the runs. The cheapest loop (fewest ns per fuel) is the reference: a host
//!   call priced at it is never cheaper per ns than plain wasm.
//! * **Host functions.** A contract calls one host function in a loop (about 100 ms a run,
//!   median of five runs); the time per iteration of the same loop with an empty body is
//!   subtracted, so what remains is the call: the interpreter's trampoline, the host's checks,
//!   the fuel charge, the copies and the work. A base cost is measured at a small size, a
//!   per-byte cost as the difference between a small and a large size over the bytes between.
//!   Storage is this example's in-memory view, so the storage rows are the host's own work,
//!   not the state's.
//! * **Module cache.** The median time of one `query` call (input `[0]`) of
//!   `contracts/wasm/counter.wasm`, with the default cache and with none.

use ed25519_dalek::{Signer, SigningKey};
use phalanx_contracts::host::{
    COPY_FUEL_PER_BYTE, EVENT_FUEL, EVENT_FUEL_PER_BYTE, HOST_CALL_FUEL, STORAGE_READ_FUEL,
    STORAGE_WRITE_FUEL, STORAGE_WRITE_FUEL_PER_BYTE,
};
use phalanx_contracts::host_crypto::{
    ED25519_VERIFY_FUEL, RANDOM_FUEL, RANDOM_FUEL_PER_BYTE, SHA256_FUEL, SHA256_FUEL_PER_BYTE,
    SIGN_FUEL, SIGN_FUEL_PER_BYTE,
};
use phalanx_contracts::{
    ContractKey, EntryPoint, ExecError, Executor, Host, Limits, ModuleCacheLimits, Randomness,
    WasmiExecutor,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::error::Error;
use std::time::{Duration, Instant};

type State = BTreeMap<Vec<u8>, Vec<u8>>;

/// Every host function a loop below calls.
const IMPORTS: &str = r#"
  (import "phalanx_v1" "input_read" (func $input_read (param i32)))
  (import "phalanx_v1" "caller" (func $caller (param i32)))
  (import "phalanx_v1" "block_height" (func $block_height (result i64)))
  (import "phalanx_v1" "storage_get" (func $storage_get (param i32 i32 i32 i32) (result i32)))
  (import "phalanx_v1" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
  (import "phalanx_v1" "storage_remove" (func $storage_remove (param i32 i32)))
  (import "phalanx_v1" "emit_event" (func $emit_event (param i32 i32)))
  (import "phalanx_v1" "sha256" (func $sha256 (param i32 i32 i32)))
  (import "phalanx_v1" "ed25519_verify" (func $verify (param i32 i32 i32 i32) (result i32)))
  (import "phalanx_v1" "contract_public_key" (func $public_key (param i32)))
  (import "phalanx_v1" "sign" (func $sign (param i32 i32 i32)))
  (import "phalanx_v1" "random" (func $random (param i32 i32)))
"#;

/// Where the payload of the input starts in memory: the input is copied to 0, and its first 4
/// bytes are the iteration count.
const PAYLOAD_AT: usize = 4;
/// Where host functions write their results (past the largest input).
const OUT_AT: usize = 0x2_0000;

/// A contract that copies its input to address 0, then runs `body` as many times as the
/// input's first 4 bytes say (little-endian). The locals `$a`, `$b`, `$p` (i32) and `$c` (i64)
/// are the body's; their values are stored after the loop, so no computation is dead.
fn loop_module(body: &str) -> Result<Vec<u8>, wat::Error> {
    wat::parse_str(format!(
        r#"(module {IMPORTS}
             (memory (export "memory") 8)
             (func (export "call")
               (local $n i32) (local $a i32) (local $b i32) (local $p i32) (local $c i64)
               (call $input_read (i32.const 0))
               (local.set $n (i32.load (i32.const 0)))
               (local.set $b (i32.const 7))
               (block $done
                 (br_if $done (i32.eqz (local.get $n)))
                 (loop $next
                   {body}
                   (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
               (i32.store (i32.const {OUT_AT}) (i32.add (local.get $a) (local.get $b)))
               (i64.store (i32.const {OUT_AT}) (local.get $c))))"#
    ))
}

/// Plain integer arithmetic on locals.
const ARITHMETIC: &str = r#"
  (local.set $a (i32.add (i32.mul (local.get $a) (i32.const 31)) (local.get $b)))
  (local.set $b (i32.xor (local.get $b) (i32.shr_u (local.get $a) (i32.const 3))))
  (local.set $c (i64.add (local.get $c) (i64.extend_i32_u (local.get $a))))
  (local.set $b (i32.rotl (i32.sub (local.get $b) (local.get $a)) (i32.const 5)))"#;

/// Loads and stores over two regions of 4 KiB, with the address arithmetic they need.
const MEMORY: &str = r#"
  (local.set $p (i32.and (i32.shl (local.get $n) (i32.const 3)) (i32.const 4088)))
  (i64.store offset=8192 (local.get $p)
    (i64.add (i64.load offset=8192 (local.get $p)) (i64.load offset=16384 (local.get $p))))
  (i32.store offset=16384 (local.get $p)
    (i32.add (i32.load offset=8192 (local.get $p)) (i32.load8_u offset=3 (local.get $p))))"#;

/// The value sizes `storage_get` is measured at (its `small` and `large`).
const STORAGE_GET_SIZES: [usize; 2] = [32, 16 * 1024];

/// The storage key of the value of `len` bytes: its length.
fn storage_key(len: usize) -> [u8; 8] {
    (len as u64).to_le_bytes()
}

/// Runs contracts through the executor, with what their calls need.
struct Bench {
    executor: WasmiExecutor,
    limits: Limits,
    state: State,
    key: ContractKey,
    seed: [u8; 32],
}

/// One timed run of a loop.
struct Run {
    elapsed: Duration,
    fuel: u64,
}

impl Bench {
    fn new() -> Self {
        // Bounds high enough that no loop below runs into one: the point is the cost per call.
        let limits = Limits {
            fuel: 1 << 60,
            max_input_bytes: 1 << 20,
            max_value_bytes: 1 << 20,
            max_events: usize::MAX,
            max_event_bytes: 1 << 20,
            max_random_bytes: usize::MAX,
            ..Limits::default()
        };
        let key = ContractKey::from_secret([0xC0; 32], &[0x5E; 32]);
        let seed = *key.command_seed(&[1; 32]);
        // What `storage_get` reads: a value of each size it is measured at, under its key.
        let state = STORAGE_GET_SIZES
            .iter()
            .map(|&len| (storage_key(len).to_vec(), vec![0x64; len]))
            .collect();
        Self {
            executor: WasmiExecutor::new(&limits),
            limits,
            state,
            key,
            seed,
        }
    }

    /// Runs `call` of `code` for `iterations` with `payload` after the count.
    fn run(
        &self,
        code: &[u8],
        iterations: u32,
        payload: &[u8],
        randomness: Randomness<'_>,
    ) -> Result<Run, ExecError> {
        let mut input = iterations.to_le_bytes().to_vec();
        input.extend_from_slice(payload);
        let host = Host {
            contract: [0xC0; 32],
            caller: [7; 32],
            block_height: 1,
            block_time_ms: 1_000,
            storage: &self.state,
            key: Some(&self.key),
            randomness,
        };
        let started = Instant::now();
        let outcome = self
            .executor
            .execute(code, EntryPoint::Call, &input, host, &self.limits)?;
        Ok(Run {
            elapsed: started.elapsed(),
            fuel: outcome.fuel_used,
        })
    }

    /// The iteration count that makes one run take about `target` (at most `max`), from a
    /// short trial run.
    fn calibrate(
        &self,
        code: &[u8],
        payload: &[u8],
        randomness: Randomness<'_>,
        target: Duration,
        max: u32,
    ) -> Result<u32, ExecError> {
        let mut iterations = 16u32;
        loop {
            let run = self.run(code, iterations, payload, randomness)?;
            if run.elapsed >= Duration::from_millis(5) || iterations >= max {
                let per_iteration = run.elapsed.as_secs_f64() / f64::from(iterations);
                let wanted = (target.as_secs_f64() / per_iteration).ceil();
                return Ok(wanted.clamp(1.0, f64::from(max)) as u32);
            }
            iterations = iterations.saturating_mul(4).min(max);
        }
    }

    /// The time per iteration in ns (the median over `repetitions` runs) and the fuel, without
    /// what a run costs besides its iterations (instantiation, copying the input), which is
    /// measured by a run of no iterations.
    fn per_iteration(
        &self,
        code: &[u8],
        iterations: u32,
        payload: &[u8],
        randomness: Randomness<'_>,
        repetitions: usize,
    ) -> Result<PerIteration, ExecError> {
        let mut fixed_ns = Vec::with_capacity(repetitions);
        let mut samples = Vec::with_capacity(repetitions);
        let mut fixed_fuel = 0;
        let mut fuel = 0;
        for _ in 0..repetitions {
            let fixed = self.run(code, 0, payload, randomness)?;
            fixed_ns.push(fixed.elapsed.as_secs_f64() * 1e9);
            fixed_fuel = fixed.fuel;
            let run = self.run(code, iterations, payload, randomness)?;
            samples.push(run.elapsed.as_secs_f64() * 1e9);
            fuel = run.fuel;
        }
        let iterations = f64::from(iterations);
        Ok(PerIteration {
            ns: (median(samples) - median(fixed_ns)) / iterations,
            fuel: fuel.saturating_sub(fixed_fuel) as f64 / iterations,
        })
    }
}

/// What one iteration of a loop took.
struct PerIteration {
    ns: f64,
    fuel: f64,
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The interpreter's speed on one compute loop: ns per unit of fuel (the median of 7 runs of
/// about 300 ms), and the loop's fuel per iteration.
fn ns_per_fuel(bench: &Bench, body: &str) -> Result<(f64, f64), Box<dyn Error>> {
    let code = loop_module(body)?;
    let randomness = Randomness::Unavailable;
    let iterations =
        bench.calibrate(&code, &[], randomness, Duration::from_millis(300), u32::MAX)?;
    let per = bench.per_iteration(&code, iterations, &[], randomness, 7)?;
    Ok((per.ns / per.fuel, per.fuel))
}

/// Which random source a host function loop draws from.
#[derive(Clone, Copy)]
enum Source {
    /// A command's seeded stream.
    Seeded,
    /// The enclave's generator (a query's).
    Enclave,
}

/// One host function, measured at one or two sizes.
struct HostCall {
    name: &'static str,
    /// The loop body for `len` bytes.
    body: fn(usize) -> String,
    /// The input after the iteration count, for `len` bytes.
    payload: fn(usize) -> Vec<u8>,
    /// The base cost is measured at `small` bytes; the per-byte cost between `small` and
    /// `large`, if there is a `large`.
    small: usize,
    large: Option<usize>,
    /// The fuel charged for one call with `len` bytes, from the constants.
    charged: fn(usize) -> u64,
    source: Source,
    /// At most this many bytes kept in one run (the events a call emits are kept until it
    /// ends, each in a `Vec`), to bound the example's memory.
    max_bytes_per_run: Option<usize>,
}

fn host_calls() -> Vec<HostCall> {
    let no_payload: fn(usize) -> Vec<u8> = |_| Vec::new();
    let bytes: fn(usize) -> Vec<u8> = |len| vec![0x61; len];
    vec![
        HostCall {
            name: "host call (`block_height`)",
            body: |_| "(local.set $c (call $block_height))".into(),
            payload: no_payload,
            small: 0,
            large: None,
            charged: |_| HOST_CALL_FUEL,
            source: Source::Seeded,
            max_bytes_per_run: None,
        },
        HostCall {
            name: "`caller` (32 bytes out)",
            body: |_| format!("(call $caller (i32.const {OUT_AT}))"),
            payload: no_payload,
            small: 32,
            large: None,
            charged: |len| HOST_CALL_FUEL + COPY_FUEL_PER_BYTE * len as u64,
            source: Source::Seeded,
            max_bytes_per_run: None,
        },
        HostCall {
            // The whole input is copied: the 4-byte count and `len` bytes.
            name: "`input_read` (copy into memory)",
            body: |_| "(call $input_read (i32.const 0))".into(),
            payload: bytes,
            small: 0,
            large: Some(64 * 1024),
            charged: |len| HOST_CALL_FUEL + COPY_FUEL_PER_BYTE * (4 + len as u64),
            source: Source::Seeded,
            max_bytes_per_run: None,
        },
        HostCall {
            name: "`storage_get` (8-byte key)",
            body: |len| {
                format!(
                    "(local.set $a (call $storage_get (i32.const {PAYLOAD_AT}) (i32.const 8) \
                     (i32.const {OUT_AT}) (i32.const {len})))"
                )
            },
            // The key is the value's length: see `Bench::new`.
            payload: |len| storage_key(len).to_vec(),
            small: STORAGE_GET_SIZES[0],
            large: Some(STORAGE_GET_SIZES[1]),
            charged: |len| {
                HOST_CALL_FUEL + STORAGE_READ_FUEL + COPY_FUEL_PER_BYTE * (8 + len as u64)
            },
            source: Source::Seeded,
            max_bytes_per_run: None,
        },
        HostCall {
            // The same key every time: an overwrite in the call's write set.
            name: "`storage_set` (8-byte key)",
            body: |len| {
                format!(
                    "(call $storage_set (i32.const {PAYLOAD_AT}) (i32.const 8) \
                     (i32.const {}) (i32.const {len}))",
                    PAYLOAD_AT + 8
                )
            },
            payload: |len| {
                let mut payload = b"counter!".to_vec();
                payload.resize(8 + len, 0x62);
                payload
            },
            small: 8,
            large: Some(16 * 1024),
            charged: |len| {
                let stored = 8 + len as u64;
                HOST_CALL_FUEL
                    + STORAGE_WRITE_FUEL
                    + (STORAGE_WRITE_FUEL_PER_BYTE + COPY_FUEL_PER_BYTE) * stored
            },
            source: Source::Seeded,
            max_bytes_per_run: None,
        },
        HostCall {
            name: "`storage_remove` (8-byte key)",
            body: |_| format!("(call $storage_remove (i32.const {PAYLOAD_AT}) (i32.const 8))"),
            payload: |_| b"counter!".to_vec(),
            small: 8,
            large: None,
            charged: |len| {
                HOST_CALL_FUEL
                    + STORAGE_WRITE_FUEL
                    + (STORAGE_WRITE_FUEL_PER_BYTE + COPY_FUEL_PER_BYTE) * len as u64
            },
            source: Source::Seeded,
            max_bytes_per_run: None,
        },
        HostCall {
            name: "`emit_event`",
            body: |len| format!("(call $emit_event (i32.const {PAYLOAD_AT}) (i32.const {len}))"),
            payload: bytes,
            small: 0,
            large: Some(4 * 1024),
            charged: |len| {
                HOST_CALL_FUEL
                    + EVENT_FUEL
                    + (EVENT_FUEL_PER_BYTE + COPY_FUEL_PER_BYTE) * len as u64
            },
            source: Source::Seeded,
            max_bytes_per_run: Some(64 << 20),
        },
        HostCall {
            name: "`sha256`",
            body: |len| {
                format!(
                    "(call $sha256 (i32.const {PAYLOAD_AT}) (i32.const {len}) (i32.const {OUT_AT}))"
                )
            },
            payload: bytes,
            small: 0,
            large: Some(64 * 1024),
            charged: |len| {
                HOST_CALL_FUEL
                    + SHA256_FUEL
                    + (SHA256_FUEL_PER_BYTE + COPY_FUEL_PER_BYTE) * len as u64
            },
            source: Source::Seeded,
            max_bytes_per_run: None,
        },
        HostCall {
            // A valid signature: strict verification does all its work.
            name: "`ed25519_verify` (valid)",
            body: |len| {
                format!(
                    "(local.set $a (call $verify (i32.const {PAYLOAD_AT}) (i32.const {}) \
                     (i32.const {len}) (i32.const {})))",
                    PAYLOAD_AT + 96,
                    PAYLOAD_AT + 32
                )
            },
            payload: |len| {
                let signer = SigningKey::from_bytes(&[3; 32]);
                let message = vec![0x63; len];
                let signature = signer.sign(&message).to_bytes();
                [&signer.verifying_key().to_bytes()[..], &signature, &message].concat()
            },
            small: 32,
            large: Some(16 * 1024),
            charged: |len| {
                HOST_CALL_FUEL
                    + ED25519_VERIFY_FUEL
                    + (SIGN_FUEL_PER_BYTE + COPY_FUEL_PER_BYTE) * len as u64
            },
            source: Source::Seeded,
            max_bytes_per_run: None,
        },
        HostCall {
            name: "`sign` (the contract's key)",
            body: |len| {
                format!(
                    "(call $sign (i32.const {PAYLOAD_AT}) (i32.const {len}) (i32.const {OUT_AT}))"
                )
            },
            payload: bytes,
            small: 32,
            large: Some(16 * 1024),
            charged: |len| {
                HOST_CALL_FUEL + SIGN_FUEL + (SIGN_FUEL_PER_BYTE + COPY_FUEL_PER_BYTE) * len as u64
            },
            source: Source::Seeded,
            max_bytes_per_run: None,
        },
        HostCall {
            name: "`contract_public_key`",
            body: |_| format!("(call $public_key (i32.const {OUT_AT}))"),
            payload: no_payload,
            small: 32,
            large: None,
            charged: |len| HOST_CALL_FUEL + COPY_FUEL_PER_BYTE * len as u64,
            source: Source::Seeded,
            max_bytes_per_run: None,
        },
        HostCall {
            name: "`random`, seeded (a command)",
            body: |len| format!("(call $random (i32.const {OUT_AT}) (i32.const {len}))"),
            payload: no_payload,
            small: 32,
            large: Some(64 * 1024),
            charged: |len| {
                HOST_CALL_FUEL
                    + RANDOM_FUEL
                    + (RANDOM_FUEL_PER_BYTE + COPY_FUEL_PER_BYTE) * len as u64
            },
            source: Source::Seeded,
            max_bytes_per_run: None,
        },
        HostCall {
            name: "`random`, enclave (a query)",
            body: |len| format!("(call $random (i32.const {OUT_AT}) (i32.const {len}))"),
            payload: no_payload,
            small: 32,
            large: Some(64 * 1024),
            charged: |len| {
                HOST_CALL_FUEL
                    + RANDOM_FUEL
                    + (RANDOM_FUEL_PER_BYTE + COPY_FUEL_PER_BYTE) * len as u64
            },
            source: Source::Enclave,
            max_bytes_per_run: None,
        },
    ]
}

/// A host function's cost at `len` bytes: time and fuel per call, the empty loop's subtracted.
fn measure_call(
    bench: &Bench,
    call: &HostCall,
    len: usize,
    empty_loop: &PerIteration,
) -> Result<PerIteration, Box<dyn Error>> {
    let code = loop_module(&(call.body)(len))?;
    let payload = (call.payload)(len);
    let randomness = match call.source {
        Source::Seeded => Randomness::Seeded(&bench.seed),
        Source::Enclave => Randomness::Enclave,
    };
    let max = match call.max_bytes_per_run {
        Some(bytes) => {
            let kept = len + std::mem::size_of::<Vec<u8>>();
            u32::try_from(bytes / kept).unwrap_or(u32::MAX)
        }
        None => u32::MAX,
    };
    let iterations =
        bench.calibrate(&code, &payload, randomness, Duration::from_millis(100), max)?;
    let per = bench.per_iteration(&code, iterations, &payload, randomness, 5)?;
    Ok(PerIteration {
        ns: per.ns - empty_loop.ns,
        fuel: per.fuel - empty_loop.fuel,
    })
}

/// One line of the table.
struct Row {
    operation: String,
    ns: f64,
    charged: f64,
}

/// Formats a number with about three significant digits.
fn num(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// The median time of `calls` calls of `query` (input `[0]`) of the counter example.
fn counter_query(
    bench: &Bench,
    executor: &WasmiExecutor,
    code: &[u8],
    calls: usize,
) -> Result<Duration, ExecError> {
    let mut samples = Vec::with_capacity(calls);
    for _ in 0..calls {
        let host = Host {
            contract: [0xC0; 32],
            caller: [7; 32],
            block_height: 1,
            block_time_ms: 1_000,
            storage: &bench.state,
            key: Some(&bench.key),
            randomness: Randomness::Enclave,
        };
        let started = Instant::now();
        executor.execute(code, EntryPoint::Query, &[0], host, &Limits::default())?;
        samples.push(started.elapsed());
    }
    samples.sort();
    Ok(samples.get(samples.len() / 2).copied().unwrap_or_default())
}

fn main() -> Result<(), Box<dyn Error>> {
    let bench = Bench::new();

    let (arithmetic, arithmetic_fuel) = ns_per_fuel(&bench, ARITHMETIC)?;
    let (memory, memory_fuel) = ns_per_fuel(&bench, MEMORY)?;
    let reference = arithmetic.min(memory);
    println!("Interpreter (median of 7 runs of ~300 ms):");
    println!(
        "  integer arithmetic loop: {} ns per fuel ({} fuel per iteration)",
        num(arithmetic),
        num(arithmetic_fuel)
    );
    println!(
        "  memory load/store loop:  {} ns per fuel ({} fuel per iteration)",
        num(memory),
        num(memory_fuel)
    );
    println!("  reference (the cheaper): {} ns per fuel", num(reference));
    println!();

    let empty = loop_module("")?;
    let iterations = bench.calibrate(
        &empty,
        &[],
        Randomness::Unavailable,
        Duration::from_millis(100),
        u32::MAX,
    )?;
    let empty_loop = bench.per_iteration(&empty, iterations, &[], Randomness::Unavailable, 5)?;
    println!(
        "The empty loop, subtracted below: {} ns and {} fuel per iteration.",
        num(empty_loop.ns),
        num(empty_loop.fuel)
    );

    let mut rows = Vec::new();
    for call in host_calls() {
        let small = measure_call(&bench, &call, call.small, &empty_loop)?;
        let charged_small = (call.charged)(call.small);
        check_charge(call.name, call.small, charged_small, small.fuel);
        rows.push(Row {
            operation: format!("{}, {} B", call.name, call.small),
            ns: small.ns,
            charged: charged_small as f64,
        });
        if let Some(large_len) = call.large {
            let large = measure_call(&bench, &call, large_len, &empty_loop)?;
            let charged_large = (call.charged)(large_len);
            check_charge(call.name, large_len, charged_large, large.fuel);
            let bytes = (large_len - call.small) as f64;
            rows.push(Row {
                operation: format!(
                    "{}, per byte ({} B → {} KiB)",
                    call.name,
                    call.small,
                    large_len / 1024
                ),
                ns: (large.ns - small.ns) / bytes,
                charged: (charged_large - charged_small) as f64 / bytes,
            });
        }
    }

    println!();
    println!(
        "| operation | measured ns | = fuel at {} ns/fuel | charged now | charged ÷ measured |",
        num(reference)
    );
    println!("|---|---:|---:|---:|---:|");
    for row in &rows {
        let fuel = row.ns / reference;
        println!(
            "| {} | {} | {} | {} | {} |",
            row.operation,
            num(row.ns),
            num(fuel),
            num(row.charged),
            num(row.charged / fuel)
        );
    }

    let code = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../contracts/wasm/counter.wasm"
    ))?;
    let cached = WasmiExecutor::new(&Limits::default());
    let uncached =
        WasmiExecutor::with_module_cache(&Limits::default(), ModuleCacheLimits::DISABLED);
    // The first call fills the cache.
    counter_query(&bench, &cached, &code, 1)?;
    let with_cache = counter_query(&bench, &cached, &code, 5_000)?;
    let without_cache = counter_query(&bench, &uncached, &code, 500)?;
    let mut hashing = Vec::new();
    for _ in 0..5_000 {
        let started = Instant::now();
        let digest = Sha256::digest(&code);
        hashing.push(started.elapsed());
        std::hint::black_box(digest);
    }
    hashing.sort();
    let hashing = hashing.get(hashing.len() / 2).copied().unwrap_or_default();
    println!();
    println!(
        "counter.wasm ({} bytes), `query` with input [0], median per call:",
        code.len()
    );
    println!(
        "  with the module cache (5,000 calls): {with_cache:.1?} (of which hashing the code: {hashing:.1?})"
    );
    println!("  without (500 calls):                 {without_cache:.1?}");
    Ok(())
}

/// Warns if the fuel a loop used per call is not what the constants say the call is charged
/// (the call instruction and its arguments add a few fuel of the interpreter's own): a sign the
/// `charged` formula here no longer matches the host function.
fn check_charge(name: &str, len: usize, charged: u64, used: f64) {
    let interpreter_share = used - charged as f64;
    if !(0.0..=8.0).contains(&interpreter_share) {
        eprintln!(
            "warning: {name} at {len} B is charged {charged} by the constants, but the loop used \
             {used:.1} fuel per call more than the empty loop"
        );
    }
}
