#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! End to end: `phalanx localnet --validators 4` starts four validator processes on loopback;
//! they finalize the same blocks, a transfer sent to one validator is gossiped to the others and
//! visible on another once finalized, and
//! SIGTERM to the supervisor stops all four cleanly.

mod common;

use common::{BIN, cli, free_port_block, http_get_raw, transfer, wait_height};
use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Localnet(Child);

impl Drop for Localnet {
    fn drop(&mut self) {
        // On a failed assertion: stop the supervisor, which stops its validators.
        if let Ok(pid) = i32::try_from(self.0.id()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let _ = self.0.wait();
    }
}

#[test]
fn four_validators_finalize_together_and_stop_cleanly() {
    const N: u16 = 4;
    let dir = tempfile::tempdir().unwrap();
    let rpc_port = free_port_block(N);
    let p2p_port = free_port_block(N);
    let mut child = Command::new(BIN)
        .args(["localnet", "--validators", &N.to_string()])
        .args(["--rpc-port", &rpc_port.to_string()])
        .args(["--p2p-port", &p2p_port.to_string()])
        .args(["--block-interval-ms", "100"])
        .arg("--data-dir")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn phalanx localnet");
    let stdout = child.stdout.take().unwrap();
    let net = Localnet(child);
    let (lines_tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("localnet did not report ready");
        if line.starts_with("localnet ready") {
            break;
        }
    }
    let rpcs: Vec<String> = (0..N)
        .map(|i| format!("http://127.0.0.1:{}", rpc_port + i))
        .collect();
    for rpc in &rpcs {
        wait_height(rpc, 5);
    }
    // One chain: every validator holds the same block at each height.
    for height in ["1", "3", "5"] {
        let hashes: Vec<_> = rpcs
            .iter()
            .map(|rpc| cli(rpc, &["block", height]).1["hash"].clone())
            .collect();
        assert!(hashes[0].is_string(), "no block {height}");
        assert!(hashes.iter().all(|h| *h == hashes[0]), "{hashes:?}");
    }

    // A transfer sent to validator 1 finalizes and shows on validator 3.
    let (ok, sent, err) = transfer(&rpcs[1], "dev:alice", "dev:charlie", "7", &[]);
    assert!(ok, "transfer failed: {err}");
    let height = sent["location"]["height"].as_u64().unwrap();
    wait_height(&rpcs[3], height);
    let (_, bal, _) = cli(&rpcs[3], &["balance", "dev:charlie"]);
    assert_eq!(bal["balance_pha"], "1000007");
    let (_, on_three, _) = cli(&rpcs[3], &["tx", "status", sent["hash"].as_str().unwrap()]);
    assert_eq!(on_three["location"]["height"].as_u64(), Some(height));
    // Validator 1 gossiped it to the others, so any leader could include it. (Gossip is best
    // effort: a peer whose connection is still being set up misses it, so count arrivals over
    // all three.)
    let counter = |rpc: &str, name: &str| -> u64 {
        http_get_raw(rpc, "/metrics")
            .lines()
            .find_map(|l| l.strip_prefix(&format!("node_gossip_{name}_txs_total ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    assert!(
        counter(&rpcs[1], "sent") >= 1,
        "validator 1 gossiped nothing"
    );
    let arrived: u64 = [0, 2, 3]
        .iter()
        .map(|&i| counter(&rpcs[i], "received") + counter(&rpcs[i], "refused"))
        .sum();
    assert!(arrived >= 1, "no validator received validator 1's gossip");

    // SIGTERM to the supervisor stops every validator with a clean exit.
    let mut net = net;
    kill(Pid::from_raw(net.0.id() as i32), Signal::SIGTERM).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = net.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "localnet did not stop");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "localnet exited with {status}");
    let rest: Vec<String> = lines.try_iter().collect();
    let clean = rest
        .iter()
        .filter(|l| l.contains("stopped (exit status: 0)"))
        .count();
    assert_eq!(clean, N as usize, "{rest:#?}");
    for rpc in &rpcs {
        assert!(!cli(rpc, &["info"]).0, "{rpc} still answers");
    }
}
