//! Helpers shared by the end-to-end tests: run the real `phalanx` binary and read its JSON.
#![allow(dead_code)] // each test binary uses a different subset

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_phalanx");

/// Runs `phalanx --rpc RPC --json ARGS…`: (success, stdout as JSON, stderr). On failure stdout
/// holds the JSON error object, which is appended to the stderr text returned.
pub fn cli(rpc: &str, args: &[&str]) -> (bool, Value, String) {
    let (code, json, err) = cli_code(rpc, args);
    (code == Some(0), json, err)
}

/// [`cli`] with the exit status.
pub fn cli_code(rpc: &str, args: &[&str]) -> (Option<i32>, Value, String) {
    let out = Command::new(BIN)
        .args(["--rpc", rpc, "--json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    let mut err = String::from_utf8_lossy(&out.stderr).to_string();
    if !out.status.success() {
        err.push_str(&stdout);
    }
    (out.status.code(), json, err)
}

/// Runs `phalanx --rpc RPC ARGS…` (text output): (exit status, stdout, stderr).
pub fn cli_text(rpc: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .args(["--rpc", rpc])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `phalanx transfer --from FROM --to TO --amount AMOUNT EXTRA…` against `rpc`.
pub fn transfer(
    rpc: &str,
    from: &str,
    to: &str,
    amount: &str,
    extra: &[&str],
) -> (bool, Value, String) {
    let mut args = vec!["transfer", "--from", from, "--to", to, "--amount", amount];
    args.extend_from_slice(extra);
    cli(rpc, &args)
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

/// A `phalanx dev` process, SIGKILLed when dropped.
pub struct Node {
    pub child: Child,
    pub rpc: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `phalanx dev` without its worker (tests that use the dev accounts freely).
pub fn start_dev(dir: &std::path::Path, p2p: u16) -> Node {
    start_dev_with(dir, p2p, &["--no-worker"])
}

/// `phalanx dev` with extra flags.
pub fn start_dev_with(dir: &std::path::Path, p2p: u16, extra: &[&str]) -> Node {
    let mut child = Command::new(BIN)
        .args([
            "dev",
            "--rpc-addr",
            "127.0.0.1:0",
            "--block-interval-ms",
            "50",
        ])
        .args(["--p2p-addr", &format!("127.0.0.1:{p2p}")])
        .args(extra)
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn phalanx dev");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let rpc = loop {
        let line = lines
            .next()
            .expect("dev exited before printing its RPC URL")
            .unwrap();
        if let Some(url) = line.trim().strip_prefix("RPC:") {
            break url.trim().to_string();
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Node { child, rpc }
}

/// GET `path` from the node: the whole raw response. A plain socket, no client process.
pub fn http_get_raw(rpc: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let host = rpc.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    text
}

/// GET `path` from the node: (status, JSON body).
pub fn http_get(rpc: &str, path: &str) -> (u16, Value) {
    let text = http_get_raw(rpc, path);
    let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}
