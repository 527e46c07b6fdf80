#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The executor's cache of parsed modules: what it keeps, what it evicts, what it refuses to
//! keep, and that the checks depending on the call still run on every call.

use phalanx_contracts::{
    EntryPoint, ExecError, Executor, Host, Limits, ModuleCacheLimits, ModuleCacheStats, Outcome,
    Randomness, WasmiExecutor,
};
use std::collections::BTreeMap;

type State = BTreeMap<Vec<u8>, Vec<u8>>;

/// A counter: `call` adds one to key "n" and outputs it, `query` outputs it.
const COUNTER: &str = r#"(module
  (import "phalanx_v1" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "phalanx_v1" "storage_set" (func $set (param i32 i32 i32 i32)))
  (import "phalanx_v1" "output_write" (func $out (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "n")
  (func $load
    (if (i32.eq (call $get (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 8)) (i32.const -1))
      (then (i64.store (i32.const 16) (i64.const 0)))))
  (func (export "call")
    (call $load)
    (i64.store (i32.const 16) (i64.add (i64.load (i32.const 16)) (i64.const 1)))
    (call $set (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 8))
    (call $out (i32.const 16) (i32.const 8)))
  (func (export "query")
    (call $load)
    (call $out (i32.const 16) (i32.const 8))))"#;

/// A module that outputs `tag`, padded with a data segment of `padding` bytes: distinct code
/// of a chosen size.
fn tagged(tag: u8, padding: usize) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
             (import "phalanx_v1" "output_write" (func $out (param i32 i32)))
             (memory (export "memory") 1)
             (data (i32.const 0) "\{tag:02x}")
             (data (i32.const 16) "{}")
             (func (export "call") (call $out (i32.const 0) (i32.const 1))))"#,
        "x".repeat(padding)
    ))
    .unwrap()
}

fn run(
    executor: &WasmiExecutor,
    code: &[u8],
    entry: EntryPoint,
    state: &State,
    limits: &Limits,
) -> Result<Outcome, ExecError> {
    let host = Host {
        contract: [1; 32],
        caller: [2; 32],
        block_height: 3,
        block_time_ms: 4,
        storage: state,
        key: None,
        randomness: Randomness::Unavailable,
    };
    executor.execute(code, entry, b"", host, limits)
}

fn call(executor: &WasmiExecutor, code: &[u8]) -> Result<Outcome, ExecError> {
    run(
        executor,
        code,
        EntryPoint::Call,
        &State::new(),
        &Limits::default(),
    )
}

fn stats(executor: &WasmiExecutor) -> ModuleCacheStats {
    executor.module_cache_stats()
}

#[test]
fn a_cached_second_call_gives_the_same_outcome() {
    let code = wat::parse_str(COUNTER).unwrap();
    let limits = Limits::default();
    let state = State::from([(b"n".to_vec(), 41u64.to_le_bytes().to_vec())]);
    let cached = WasmiExecutor::new(&limits);
    let first = run(&cached, &code, EntryPoint::Call, &state, &limits).unwrap();
    assert_eq!(first.output, 42u64.to_le_bytes());
    let second = run(&cached, &code, EntryPoint::Call, &state, &limits).unwrap();
    assert_eq!(second, first, "outcome, fuel used and write set alike");
    assert_eq!(
        stats(&cached),
        ModuleCacheStats {
            modules: 1,
            code_bytes: code.len(),
            hits: 1,
            misses: 1
        }
    );
    // And the same as without any cache.
    let uncached = WasmiExecutor::with_module_cache(&limits, ModuleCacheLimits::DISABLED);
    let plain = run(&uncached, &code, EntryPoint::Call, &state, &limits).unwrap();
    assert_eq!(plain, first);
    assert_eq!(stats(&uncached).modules, 0);
}

#[test]
fn the_checks_that_depend_on_the_call_run_on_every_call() {
    let limits = Limits::default();
    let executor = WasmiExecutor::new(&limits);
    // Only a `call` entry point, and a memory of 5 pages.
    let code =
        wat::parse_str(r#"(module (memory (export "memory") 5) (func (export "call")))"#).unwrap();
    assert!(run(&executor, &code, EntryPoint::Call, &State::new(), &limits).is_ok());
    // Cached now, yet a query has no entry point...
    assert!(matches!(
        run(&executor, &code, EntryPoint::Query, &State::new(), &limits),
        Err(ExecError::BadExport(_))
    ));
    // ...and a call with a lower memory limit is refused.
    let small = Limits {
        max_memory_pages: 4,
        ..limits
    };
    assert_eq!(
        run(&executor, &code, EntryPoint::Call, &State::new(), &small),
        Err(ExecError::MemoryLimit { max_pages: 4 })
    );
    // So is code over this call's size limit, cached or not.
    let tiny = Limits {
        max_code_bytes: 8,
        ..limits
    };
    assert!(matches!(
        run(&executor, &code, EntryPoint::Call, &State::new(), &tiny),
        Err(ExecError::CodeTooLarge { .. })
    ));
    assert!(run(&executor, &code, EntryPoint::Call, &State::new(), &limits).is_ok());
    assert_eq!(stats(&executor).modules, 1);
    assert_eq!(stats(&executor).misses, 1);
}

#[test]
fn eviction_respects_the_number_of_modules() {
    let limits = Limits::default();
    let executor = WasmiExecutor::with_module_cache(
        &limits,
        ModuleCacheLimits {
            max_modules: 2,
            max_code_bytes: 1 << 20,
        },
    );
    let (a, b, c) = (tagged(1, 0), tagged(2, 0), tagged(3, 0));
    assert_eq!(call(&executor, &a).unwrap().output, [1]);
    assert_eq!(call(&executor, &b).unwrap().output, [2]);
    // `a` used again: `b` is now the least recently used, and goes for `c`.
    call(&executor, &a).unwrap();
    assert_eq!(call(&executor, &c).unwrap().output, [3]);
    let kept = stats(&executor);
    assert_eq!(kept.modules, 2);
    assert_eq!(kept.code_bytes, a.len() + c.len());
    call(&executor, &a).unwrap();
    call(&executor, &c).unwrap();
    assert_eq!(stats(&executor).misses, kept.misses, "a and c were kept");
    assert_eq!(call(&executor, &b).unwrap().output, [2]);
    assert_eq!(stats(&executor).misses, kept.misses + 1, "b was not");
}

#[test]
fn eviction_respects_the_bytes_of_code() {
    let limits = Limits::default();
    let (a, b, c) = (tagged(1, 1000), tagged(2, 1000), tagged(3, 2000));
    let executor = WasmiExecutor::with_module_cache(
        &limits,
        ModuleCacheLimits {
            max_modules: 64,
            max_code_bytes: a.len() + b.len(),
        },
    );
    call(&executor, &a).unwrap();
    call(&executor, &b).unwrap();
    assert_eq!(stats(&executor).modules, 2);
    // `c` is about as large as both: both go.
    assert_eq!(call(&executor, &c).unwrap().output, [3]);
    assert_eq!(
        stats(&executor),
        ModuleCacheStats {
            modules: 1,
            code_bytes: c.len(),
            hits: 0,
            misses: 3
        }
    );
    // Code larger than the whole bound runs, but is not kept (and evicts nothing).
    let huge = tagged(4, 8000);
    assert_eq!(call(&executor, &huge).unwrap().output, [4]);
    assert_eq!(stats(&executor).modules, 1);
    call(&executor, &c).unwrap();
    assert_eq!(stats(&executor).hits, 1);
}

#[test]
fn a_refused_module_is_refused_again_and_never_cached() {
    let executor = WasmiExecutor::new(&Limits::default());
    let invalid = b"\0asm not really".to_vec();
    let floats = wat::parse_str(
        r#"(module (memory (export "memory") 1)
                   (func (export "call") (drop (f64.add (f64.const 1) (f64.const 2)))))"#,
    )
    .unwrap();
    let unknown_import = wat::parse_str(
        r#"(module (import "env" "abort" (func)) (memory (export "memory") 1)
                   (func (export "call")))"#,
    )
    .unwrap();
    for _ in 0..2 {
        assert!(matches!(
            call(&executor, &invalid),
            Err(ExecError::InvalidModule(_))
        ));
        assert!(matches!(
            call(&executor, &floats),
            Err(ExecError::InvalidModule(_))
        ));
        assert!(matches!(
            call(&executor, &unknown_import),
            Err(ExecError::UnknownImport { .. })
        ));
    }
    assert_eq!(
        stats(&executor),
        ModuleCacheStats {
            modules: 0,
            code_bytes: 0,
            hits: 0,
            misses: 6
        }
    );
}

#[test]
fn one_executor_serves_several_threads() {
    fn shared_between_threads<T: Send + Sync>() {}
    shared_between_threads::<WasmiExecutor>();

    let limits = Limits::default();
    let executor = WasmiExecutor::new(&limits);
    let code = wat::parse_str(COUNTER).unwrap();
    let state = State::from([(b"n".to_vec(), 6u64.to_le_bytes().to_vec())]);
    let expected = run(&executor, &code, EntryPoint::Query, &state, &limits).unwrap();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                for _ in 0..20 {
                    let outcome =
                        run(&executor, &code, EntryPoint::Query, &state, &limits).unwrap();
                    assert_eq!(outcome, expected);
                }
            });
        }
    });
    assert_eq!(stats(&executor).hits, 40);
    assert_eq!(stats(&executor).misses, 1);
}
