#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The wasmi executor: a counter contract, the host functions, and one error per bad input.

use phalanx_contracts::{
    EntryPoint, ExecError, Executor, Host, Limits, Outcome, Randomness, StorageView, WasmiExecutor,
    WriteSet,
};
use std::collections::BTreeMap;

type State = BTreeMap<Vec<u8>, Vec<u8>>;

const CALLER: [u8; 32] = [7; 32];

/// Every host function, and one page of memory.
const PRELUDE: &str = r#"
  (import "phalanx_v1" "input_len" (func $input_len (result i32)))
  (import "phalanx_v1" "input_read" (func $input_read (param i32)))
  (import "phalanx_v1" "output_write" (func $output_write (param i32 i32)))
  (import "phalanx_v1" "storage_get" (func $storage_get (param i32 i32 i32 i32) (result i32)))
  (import "phalanx_v1" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
  (import "phalanx_v1" "storage_remove" (func $storage_remove (param i32 i32)))
  (import "phalanx_v1" "caller" (func $caller (param i32)))
  (import "phalanx_v1" "block_height" (func $block_height (result i64)))
  (import "phalanx_v1" "block_time_ms" (func $block_time_ms (result i64)))
  (import "phalanx_v1" "emit_event" (func $emit_event (param i32 i32)))
"#;

/// A module with every import, an exported memory of one page, and `body`.
fn contract(body: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module {PRELUDE} (memory (export "memory") 1) {body})"#
    ))
    .unwrap()
}

/// Key "n" at 0; the counter's little-endian u64 at 16.
const COUNTER: &str = r#"
  (data (i32.const 0) "n")
  (func $load
    (if (i32.eq (call $storage_get (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 8))
                (i32.const -1))
      (then (i64.store (i32.const 16) (i64.const 0)))))
  (func (export "call")
    (call $load)
    (i64.store (i32.const 16) (i64.add (i64.load (i32.const 16)) (i64.const 1)))
    (call $storage_set (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 8))
    (call $output_write (i32.const 16) (i32.const 8)))
  (func (export "query")
    (call $load)
    (call $output_write (i32.const 16) (i32.const 8)))
"#;

fn run_with(
    code: &[u8],
    entry: EntryPoint,
    input: &[u8],
    state: &dyn StorageView,
    limits: &Limits,
) -> Result<Outcome, ExecError> {
    let host = Host {
        contract: [1; 32],
        caller: CALLER,
        block_height: 42,
        block_time_ms: 1_700_000_000_123,
        storage: state,
        key: None,
        randomness: Randomness::Unavailable,
    };
    WasmiExecutor::new(limits).execute(code, entry, input, host, limits)
}

fn run(code: &[u8], entry: EntryPoint, input: &[u8]) -> Result<Outcome, ExecError> {
    run_with(code, entry, input, &State::new(), &Limits::default())
}

fn apply(state: &mut State, writes: WriteSet) {
    for (key, value) in writes {
        match value {
            Some(value) => state.insert(key, value),
            None => state.remove(&key),
        };
    }
}

#[test]
fn counter_counts_across_calls() {
    let code = contract(COUNTER);
    let limits = Limits::default();
    let mut state = State::new();
    for expected in 1u64..=2 {
        let outcome = run_with(&code, EntryPoint::Call, b"", &state, &limits).unwrap();
        assert_eq!(outcome.output, expected.to_le_bytes());
        assert_eq!(
            outcome.writes,
            WriteSet::from([(b"n".to_vec(), Some(expected.to_le_bytes().to_vec()))])
        );
        assert!(outcome.fuel_used > 0 && outcome.fuel_used < limits.fuel);
        apply(&mut state, outcome.writes);
    }
    // A query reads the state and writes nothing.
    let outcome = run_with(&code, EntryPoint::Query, b"", &state, &limits).unwrap();
    assert_eq!(outcome.output, 2u64.to_le_bytes());
    assert!(outcome.writes.is_empty());
}

#[test]
fn writes_in_a_query_are_refused() {
    let set = contract(
        r#"(func (export "query")
             (call $storage_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1)))"#,
    );
    assert_eq!(
        run(&set, EntryPoint::Query, b""),
        Err(ExecError::WriteInQuery("storage_set"))
    );
    let remove =
        contract(r#"(func (export "query") (call $storage_remove (i32.const 0) (i32.const 1)))"#);
    assert_eq!(
        run(&remove, EntryPoint::Query, b""),
        Err(ExecError::WriteInQuery("storage_remove"))
    );
    let event =
        contract(r#"(func (export "query") (call $emit_event (i32.const 0) (i32.const 1)))"#);
    assert_eq!(
        run(&event, EntryPoint::Query, b""),
        Err(ExecError::WriteInQuery("emit_event"))
    );
}

#[test]
fn reads_see_the_calls_own_writes_and_removals() {
    // Sets "k" = "vv", reads it into 32 (output: length byte + value), removes "a", reads it.
    let code = contract(
        r#"(data (i32.const 0) "k") (data (i32.const 1) "vv") (data (i32.const 3) "a")
           (func (export "call")
             (call $storage_set (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 2))
             (i32.store8 (i32.const 32)
               (call $storage_get (i32.const 0) (i32.const 1) (i32.const 33) (i32.const 8)))
             (call $storage_remove (i32.const 3) (i32.const 1))
             (i32.store8 (i32.const 35)
               (call $storage_get (i32.const 3) (i32.const 1) (i32.const 36) (i32.const 8)))
             (call $output_write (i32.const 32) (i32.const 4)))"#,
    );
    let state = State::from([(b"a".to_vec(), b"old".to_vec())]);
    let outcome = run_with(&code, EntryPoint::Call, b"", &state, &Limits::default()).unwrap();
    assert_eq!(outcome.output, [2, b'v', b'v', 0xff]);
    assert_eq!(
        outcome.writes,
        WriteSet::from([(b"a".to_vec(), None), (b"k".to_vec(), Some(b"vv".to_vec()))])
    );
}

#[test]
fn storage_get_copies_at_most_the_capacity() {
    let code = contract(
        r#"(data (i32.const 0) "k")
           (func (export "call")
             (i32.store8 (i32.const 8)
               (call $storage_get (i32.const 0) (i32.const 1) (i32.const 9) (i32.const 2)))
             (call $output_write (i32.const 8) (i32.const 4)))"#,
    );
    let state = State::from([(b"k".to_vec(), b"abcdef".to_vec())]);
    let outcome = run_with(&code, EntryPoint::Call, b"", &state, &Limits::default()).unwrap();
    assert_eq!(outcome.output, [6, b'a', b'b', 0]);
}

#[test]
fn host_context_input_and_events() {
    // Output: input, caller, height, time. Events: the input, twice.
    let code = contract(
        r#"(func (export "call")
             (local $n i32)
             (local.set $n (call $input_len))
             (call $input_read (i32.const 0))
             (call $caller (local.get $n))
             (i64.store (i32.add (local.get $n) (i32.const 32)) (call $block_height))
             (i64.store (i32.add (local.get $n) (i32.const 40)) (call $block_time_ms))
             (call $output_write (i32.const 0) (i32.add (local.get $n) (i32.const 48)))
             (call $emit_event (i32.const 0) (local.get $n))
             (call $emit_event (i32.const 0) (local.get $n)))"#,
    );
    let outcome = run(&code, EntryPoint::Call, b"hello").unwrap();
    let mut expected = b"hello".to_vec();
    expected.extend_from_slice(&CALLER);
    expected.extend_from_slice(&42u64.to_le_bytes());
    expected.extend_from_slice(&1_700_000_000_123u64.to_le_bytes());
    assert_eq!(outcome.output, expected);
    assert_eq!(outcome.events, vec![b"hello".to_vec(), b"hello".to_vec()]);
}

#[test]
fn invalid_wasm_is_refused() {
    let err = run(b"\0asm not really", EntryPoint::Call, b"").unwrap_err();
    assert!(matches!(err, ExecError::InvalidModule(_)), "{err:?}");
}

#[test]
fn floating_point_is_refused() {
    let code = contract(r#"(func (export "call") (drop (f64.add (f64.const 1) (f64.const 2))))"#);
    let err = run(&code, EntryPoint::Call, b"").unwrap_err();
    assert!(
        matches!(&err, ExecError::InvalidModule(m) if m.contains("float")),
        "{err:?}"
    );
}

#[test]
fn start_functions_are_refused() {
    let code = contract(r#"(func $s) (start $s) (func (export "call"))"#);
    let err = run(&code, EntryPoint::Call, b"").unwrap_err();
    assert!(matches!(err, ExecError::InvalidModule(_)), "{err:?}");
}

#[test]
fn code_over_the_limit_is_not_parsed() {
    let limits = Limits {
        max_code_bytes: 16,
        ..Limits::default()
    };
    let code = contract(COUNTER);
    let err = run_with(&code, EntryPoint::Call, b"", &State::new(), &limits).unwrap_err();
    assert_eq!(
        err,
        ExecError::CodeTooLarge {
            len: code.len(),
            max: 16
        }
    );
}

#[test]
fn unknown_imports_are_refused() {
    let other_module = wat::parse_str(
        r#"(module (import "env" "abort" (func))
                   (memory (export "memory") 1) (func (export "call")))"#,
    )
    .unwrap();
    assert_eq!(
        run(&other_module, EntryPoint::Call, b""),
        Err(ExecError::UnknownImport {
            module: "env".into(),
            name: "abort".into()
        })
    );
    let other_name = wat::parse_str(
        r#"(module (import "phalanx_v1" "get_random" (func (result i64)))
                   (memory (export "memory") 1) (func (export "call")))"#,
    )
    .unwrap();
    assert_eq!(
        run(&other_name, EntryPoint::Call, b""),
        Err(ExecError::UnknownImport {
            module: "phalanx_v1".into(),
            name: "get_random".into()
        })
    );
    let imported_memory = wat::parse_str(
        r#"(module (import "phalanx_v1" "caller" (memory 1)) (func (export "call")))"#,
    )
    .unwrap();
    assert!(matches!(
        run(&imported_memory, EntryPoint::Call, b""),
        Err(ExecError::UnknownImport { .. })
    ));
}

#[test]
fn a_host_function_with_the_wrong_signature_is_refused() {
    let code = wat::parse_str(
        r#"(module (import "phalanx_v1" "input_len" (func (result i64)))
                   (memory (export "memory") 1) (func (export "call")))"#,
    )
    .unwrap();
    let err = run(&code, EntryPoint::Call, b"").unwrap_err();
    assert!(matches!(err, ExecError::BadImport(_)), "{err:?}");
}

#[test]
fn missing_or_mistyped_exports_are_refused() {
    let cases = [
        // No entry point of that name.
        contract(r#"(func (export "query"))"#),
        // Entry point with a parameter.
        contract(r#"(func (export "call") (param i32))"#),
        // Entry point with a result.
        contract(r#"(func (export "call") (result i32) (i32.const 0))"#),
        // Entry point that is not a function.
        contract(r#"(global (export "call") i32 (i32.const 0))"#),
        // No memory export.
        wat::parse_str(r#"(module (memory 1) (func (export "call")))"#).unwrap(),
        // `memory` that is not a memory.
        wat::parse_str(r#"(module (func (export "memory")) (func (export "call")))"#).unwrap(),
    ];
    for code in cases {
        let err = run(&code, EntryPoint::Call, b"").unwrap_err();
        assert!(matches!(err, ExecError::BadExport(_)), "{err:?}");
    }
}

#[test]
fn an_infinite_loop_runs_out_of_fuel_and_writes_nothing() {
    let code = contract(
        r#"(func (export "call")
             (call $storage_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
             (loop $l (br $l)))"#,
    );
    let limits = Limits {
        fuel: 200_000,
        ..Limits::default()
    };
    let state = State::new();
    let err = run_with(&code, EntryPoint::Call, b"", &state, &limits).unwrap_err();
    assert_eq!(err, ExecError::OutOfFuel);
    assert!(state.is_empty());
}

#[test]
fn fuel_runs_out_inside_a_host_function() {
    // 60 KB written: the per-byte cost is over this budget.
    let code = contract(
        r#"(func (export "call")
             (call $storage_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 60000)))"#,
    );
    let limits = Limits {
        fuel: 100_000,
        ..Limits::default()
    };
    let err = run_with(&code, EntryPoint::Call, b"", &State::new(), &limits).unwrap_err();
    assert_eq!(err, ExecError::OutOfFuel);
}

#[test]
fn unreachable_is_a_trap() {
    let code = contract(r#"(func (export "call") unreachable)"#);
    let err = run(&code, EntryPoint::Call, b"").unwrap_err();
    assert!(matches!(err, ExecError::Trap(_)), "{err:?}");
    let code = contract(r#"(func (export "call") (drop (i32.load (i32.const 70000))))"#);
    let err = run(&code, EntryPoint::Call, b"").unwrap_err();
    assert!(matches!(err, ExecError::Trap(_)), "{err:?}");
}

#[test]
fn unbounded_recursion_exhausts_the_stack() {
    let code = contract(r#"(func $f (call $f)) (func (export "call") (call $f))"#);
    assert_eq!(
        run(&code, EntryPoint::Call, b""),
        Err(ExecError::StackOverflow)
    );
}

#[test]
fn memory_growth_beyond_the_limit() {
    let limits = Limits {
        max_memory_pages: 4,
        ..Limits::default()
    };
    let state = State::new();
    // Growing within the limit works.
    let ok = contract(
        r#"(func (export "call")
             (i32.store (i32.const 0) (memory.grow (i32.const 3)))
             (call $output_write (i32.const 0) (i32.const 4)))"#,
    );
    let outcome = run_with(&ok, EntryPoint::Call, b"", &state, &limits).unwrap();
    assert_eq!(outcome.output, 1i32.to_le_bytes());
    // Beyond it, memory.grow returns -1; a contract that copes with it succeeds...
    let copes = contract(
        r#"(func (export "call")
             (i32.store (i32.const 0) (memory.grow (i32.const 4)))
             (call $output_write (i32.const 0) (i32.const 4)))"#,
    );
    let outcome = run_with(&copes, EntryPoint::Call, b"", &state, &limits).unwrap();
    assert_eq!(outcome.output, (-1i32).to_le_bytes());
    // ...and one that traps after the refusal gets the specific error.
    let traps = contract(
        r#"(func (export "call")
             (if (i32.eq (memory.grow (i32.const 100)) (i32.const -1)) (then unreachable)))"#,
    );
    assert_eq!(
        run_with(&traps, EntryPoint::Call, b"", &state, &limits),
        Err(ExecError::MemoryLimit { max_pages: 4 })
    );
    // A declared minimum over the limit is refused before running.
    let big =
        wat::parse_str(r#"(module (memory (export "memory") 5) (func (export "call")))"#).unwrap();
    assert_eq!(
        run_with(&big, EntryPoint::Call, b"", &state, &limits),
        Err(ExecError::MemoryLimit { max_pages: 4 })
    );
}

#[test]
fn out_of_bounds_pointers_to_host_functions_are_errors() {
    let past_end = contract(
        r#"(func (export "call") (call $output_write (i32.const 65500) (i32.const 100)))"#,
    );
    assert_eq!(
        run(&past_end, EntryPoint::Call, b""),
        Err(ExecError::HostOutOfBounds {
            function: "output_write",
            ptr: 65500,
            len: 100
        })
    );
    // A pointer near 2^32 whose end overflows 32 bits.
    let wraps = contract(r#"(func (export "call") (call $caller (i32.const -8)))"#);
    assert_eq!(
        run(&wraps, EntryPoint::Call, b""),
        Err(ExecError::HostOutOfBounds {
            function: "caller",
            ptr: u32::MAX - 7,
            len: 32
        })
    );
    let input = contract(r#"(func (export "call") (call $input_read (i32.const 65535)))"#);
    assert!(matches!(
        run(&input, EntryPoint::Call, b"ab"),
        Err(ExecError::HostOutOfBounds {
            function: "input_read",
            ..
        })
    ));
    let get = contract(
        r#"(func (export "call")
             (drop (call $storage_get (i32.const 0) (i32.const 1) (i32.const 65535) (i32.const 2))))"#,
    );
    let state = State::from([(vec![0], b"xy".to_vec())]);
    assert!(matches!(
        run_with(&get, EntryPoint::Call, b"", &state, &Limits::default()),
        Err(ExecError::HostOutOfBounds {
            function: "storage_get",
            ..
        })
    ));
}

#[test]
fn inputs_and_outputs_over_their_limits() {
    let limits = Limits {
        max_input_bytes: 8,
        max_output_bytes: 8,
        max_key_bytes: 4,
        max_value_bytes: 16,
        max_events: 1,
        max_event_bytes: 8,
        max_writes: 1,
        ..Limits::default()
    };
    let state = State::new();
    let noop = contract(r#"(func (export "call"))"#);
    assert_eq!(
        run_with(&noop, EntryPoint::Call, &[0; 9], &state, &limits),
        Err(ExecError::InputTooLarge { len: 9, max: 8 })
    );
    let cases = [
        (
            // Two writes of 5 bytes: 10 in all.
            r#"(call $output_write (i32.const 0) (i32.const 5))
               (call $output_write (i32.const 0) (i32.const 5))"#,
            ExecError::OutputTooLarge { len: 10, max: 8 },
        ),
        (
            r#"(call $storage_set (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 1))"#,
            ExecError::KeyTooLarge { len: 5, max: 4 },
        ),
        (
            r#"(call $storage_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 17))"#,
            ExecError::ValueTooLarge { len: 17, max: 16 },
        ),
        (
            r#"(call $storage_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
               (call $storage_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 2))
               (call $storage_remove (i32.const 0) (i32.const 2))"#,
            ExecError::TooManyWrites { max: 1 },
        ),
        (
            r#"(call $emit_event (i32.const 0) (i32.const 9))"#,
            ExecError::EventTooLarge { len: 9, max: 8 },
        ),
        (
            r#"(call $emit_event (i32.const 0) (i32.const 1))
               (call $emit_event (i32.const 0) (i32.const 1))"#,
            ExecError::TooManyEvents { max: 1 },
        ),
    ];
    for (body, expected) in cases {
        let code = contract(&format!(r#"(func (export "call") {body})"#));
        assert_eq!(
            run_with(&code, EntryPoint::Call, b"", &state, &limits),
            Err(expected)
        );
    }
}

#[test]
fn a_stored_value_over_the_limit_is_an_error() {
    let limits = Limits {
        max_value_bytes: 4,
        ..Limits::default()
    };
    let code = contract(
        r#"(func (export "call")
             (drop (call $storage_get (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 4))))"#,
    );
    let state = State::from([(vec![0], vec![1; 5])]);
    assert_eq!(
        run_with(&code, EntryPoint::Call, b"", &state, &limits),
        Err(ExecError::ValueTooLarge { len: 5, max: 4 })
    );
}

#[test]
fn fuel_grows_with_the_bytes_touched() {
    // Writes a value as long as the input says (u32, little-endian).
    let code = contract(
        r#"(func (export "call")
             (call $input_read (i32.const 0))
             (call $storage_set (i32.const 0) (i32.const 1) (i32.const 8)
               (i32.load (i32.const 0))))"#,
    );
    let fuel = |len: u32| {
        run(&code, EntryPoint::Call, &len.to_le_bytes())
            .unwrap()
            .fuel_used
    };
    let (small, large) = (fuel(10), fuel(1010));
    // 1000 more bytes stored and copied.
    let per_byte = phalanx_contracts::host::STORAGE_WRITE_FUEL_PER_BYTE
        + phalanx_contracts::host::COPY_FUEL_PER_BYTE;
    assert_eq!(large - small, 1000 * per_byte);
}

#[test]
fn check_refuses_what_execute_would_refuse_and_runs_nothing() {
    let limits = Limits::default();
    let executor = WasmiExecutor::new(&limits);
    assert_eq!(executor.check(&contract(COUNTER), &limits), Ok(()));
    assert!(matches!(
        executor.check(b"\0asm\x01\0\0\0garbage", &limits),
        Err(ExecError::InvalidModule(_))
    ));
    let only_call = contract(r#"(func (export "call"))"#);
    assert!(matches!(
        executor.check(&only_call, &limits),
        Err(ExecError::BadExport(_))
    ));
    let wrong_signature = wat::parse_str(
        r#"(module (import "phalanx_v1" "caller" (func (param i64)))
                   (memory (export "memory") 1) (func (export "call")) (func (export "query")))"#,
    )
    .unwrap();
    assert!(matches!(
        executor.check(&wrong_signature, &limits),
        Err(ExecError::BadImport(_))
    ));
    let unknown = wat::parse_str(
        r#"(module (import "env" "abort" (func))
                   (memory (export "memory") 1) (func (export "call")) (func (export "query")))"#,
    )
    .unwrap();
    assert!(matches!(
        executor.check(&unknown, &limits),
        Err(ExecError::UnknownImport { .. })
    ));
    // A call that would loop forever is not run by the check.
    let loops = contract(r#"(func (export "call") (loop (br 0))) (func (export "query"))"#);
    assert_eq!(executor.check(&loops, &limits), Ok(()));
    let small = Limits {
        max_code_bytes: 10,
        ..limits
    };
    assert!(matches!(
        executor.check(&loops, &small),
        Err(ExecError::CodeTooLarge { .. })
    ));
}

#[test]
fn a_failed_call_reports_the_fuel_it_burned() {
    let limits = Limits {
        fuel: 100_000,
        ..Limits::default()
    };
    let executor = WasmiExecutor::new(&limits);
    let state = State::new();
    let host = || Host {
        contract: [1; 32],
        caller: CALLER,
        block_height: 1,
        block_time_ms: 1,
        storage: &state,
        key: None,
        randomness: Randomness::Unavailable,
    };
    // Some work, then a trap: charged what it burned, not the budget.
    let traps = contract(
        r#"(func (export "call") (local i32)
             (loop (local.set 0 (i32.add (local.get 0) (i32.const 1)))
                   (br_if 0 (i32.lt_u (local.get 0) (i32.const 100))))
             unreachable)"#,
    );
    let (result, burned) = executor.execute_metered(&traps, EntryPoint::Call, b"", host(), &limits);
    assert!(matches!(result, Err(ExecError::Trap(_))));
    assert!(burned > 100 && burned < limits.fuel, "{burned}");
    // Running out: the whole budget.
    let spins = contract(r#"(func (export "call") (loop (br 0)))"#);
    let (result, burned) = executor.execute_metered(&spins, EntryPoint::Call, b"", host(), &limits);
    assert_eq!((result, burned), (Err(ExecError::OutOfFuel), limits.fuel));
    // Refused before running: nothing.
    let (result, burned) =
        executor.execute_metered(b"not wasm", EntryPoint::Call, b"", host(), &limits);
    assert!(matches!(result, Err(ExecError::InvalidModule(_))));
    assert_eq!(burned, 0);
}
