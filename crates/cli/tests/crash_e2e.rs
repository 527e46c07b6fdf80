#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! SIGKILL under load: while `phalanx bench transfers` streams transactions into `phalanx dev`,
//! kill the node, restart it on the same data directory, and check that every block and
//! transaction seen finalized before the kill is still there, unchanged, and that every
//! transaction finalized up to the kill (also those in the blocks finalized between the last
//! look and the kill) still has its receipt **with its events** in the node's index.

mod common;

use common::{BIN, free_port, http_get, start_dev, wait_height};
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn sigkill_during_load_loses_no_finalized_block_or_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let p2p = free_port();
    let node = start_dev(dir.path(), p2p);
    wait_height(&node.rpc, 2);

    // Load: the benchmark client, submitting thousands of transfers in batches.
    let mut load = Command::new(BIN)
        .args(["--rpc", &node.rpc, "bench", "transfers"])
        .args([
            "--txs",
            "20000",
            "--senders",
            "40",
            "--latency-samples",
            "0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // Wait until load transactions are finalizing, then snapshot everything finalized so far.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen_txs = 0usize;
    let mut blocks = BTreeMap::new();
    let mut next = 1u64;
    while seen_txs < 3000 {
        assert!(Instant::now() < deadline, "load never reached the chain");
        let (_, info) = http_get(&node.rpc, "/chain");
        let head = info["finalized"]["height"].as_u64().unwrap_or(0);
        while next <= head {
            let (status, block) = http_get(&node.rpc, &format!("/block/{next}"));
            assert_eq!(status, 200, "block {next}: {block}");
            let txs: Vec<String> = block["transactions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["hash"].as_str().unwrap().to_string())
                .collect();
            seen_txs += txs.len();
            blocks.insert(
                next,
                (block["hash"].clone(), block["state_root"].clone(), txs),
            );
            next += 1;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let (_, info) = http_get(&node.rpc, "/chain");
    assert!(
        info["mempool"].as_u64().unwrap_or(0) > 0 || load.try_wait().unwrap().is_none(),
        "the kill must land while transactions are still flowing"
    );
    drop(node); // SIGKILL
    let _ = load.kill();
    let _ = load.wait();

    let node = start_dev(dir.path(), p2p);
    let last = *blocks.keys().last().unwrap();
    wait_height(&node.rpc, last);
    for (height, (hash, root, txs)) in &blocks {
        let (status, block) = http_get(&node.rpc, &format!("/block/{height}"));
        assert_eq!(status, 200, "block {height} lost: {block}");
        assert_eq!(&block["hash"], hash, "block {height} changed");
        assert_eq!(&block["state_root"], root, "state root {height} changed");
        for tx in txs {
            let (code, status) = http_get(&node.rpc, &format!("/tx/{tx}"));
            assert_eq!(code, 200, "tx {tx} lost: {status}");
            assert_eq!(status["location"]["height"].as_u64(), Some(*height));
        }
    }
    // Every block finalized before the kill, including those after the last look: each
    // transaction's receipt kept its events (the index is written before the state is applied).
    let (_, info) = http_get(&node.rpc, "/chain");
    let head = info["finalized"]["height"].as_u64().unwrap();
    let mut checked = 0;
    for height in 1..=head {
        let (status, block) = http_get(&node.rpc, &format!("/block/{height}"));
        assert_eq!(status, 200, "block {height}: {block}");
        assert!(
            block["events"].is_array(),
            "block {height} lost its hook events: {block}"
        );
        for tx in block["transactions"].as_array().unwrap() {
            let hash = tx["hash"].as_str().unwrap();
            let (code, status) = http_get(&node.rpc, &format!("/tx/{hash}"));
            assert_eq!(code, 200, "tx {hash}: {status}");
            let location = &status["location"];
            assert!(location.get("events_unavailable").is_none(), "{status}");
            let events = location["receipt"]["events"].as_array().unwrap();
            assert!(
                events.iter().any(|e| e["event"] == "fee_paid"),
                "tx {hash} at height {height} lost its events: {status}"
            );
            checked += 1;
        }
    }
    assert!(checked >= seen_txs, "checked {checked} of {seen_txs}");
    // And the chain goes on.
    wait_height(&node.rpc, last + 3);
}
