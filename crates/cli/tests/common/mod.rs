//! Helpers shared by the end-to-end tests: run the real `phalanx` binary and read its JSON.
#![allow(dead_code)] // each test binary uses a different subset

use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_phalanx");

/// Runs `phalanx --rpc RPC --json ARGS…`: (success, stdout as JSON, stderr).
pub fn cli(rpc: &str, args: &[&str]) -> (bool, Value, String) {
    let out = Command::new(BIN)
        .args(["--rpc", rpc, "--json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.success(),
        json,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Waits (at most 60 s) until the node at `rpc` has finalized `at_least` and has parameters.
pub fn wait_height(rpc: &str, at_least: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (ok, v, _) = cli(rpc, &["info"]);
        if ok
            && v["finalized"]["height"].as_u64().unwrap_or(0) >= at_least
            && !v["params"].is_null()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{rpc} did not reach height {at_least}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The first of `n` consecutive ports that are all free right now.
pub fn free_port_block(n: u16) -> u16 {
    for _ in 0..100 {
        let base = free_port();
        if base > u16::MAX - n {
            continue;
        }
        if (base..base + n).all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok()) {
            return base;
        }
    }
    panic!("no block of {n} free ports");
}
