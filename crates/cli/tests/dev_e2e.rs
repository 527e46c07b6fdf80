#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! End to end: start the real `phalanx dev` process on loopback, transfer with the CLI, check the
//! balance, the block and the receipt, feed the RPC bad input, check the exit statuses and error
//! forms of refused and failed transactions, SIGKILL the node, restart it on the same data
//! directory and check nothing finalized was lost. And `phalanx dev --json`.

mod common;

use common::{
    BIN, Node, cli, cli_code, cli_text, free_port, http_get, start_dev, transfer, wait_height,
};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn post_raw(rpc: &str, body: &str) -> (u16, Value) {
    post_to(rpc, "/tx", body)
}

fn post_to(rpc: &str, path: &str, body: &str) -> (u16, Value) {
    use std::io::{Read, Write};
    let host = rpc.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(s, "POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// A proxy in front of `rpc` that forwards every request but, in `/proof/` answers, changes the
/// last byte of the proven value (the high byte of the nonce, for an account).
fn lying_proxy(rpc: &str) -> String {
    use std::io::{Read, Write};
    let upstream = rpc.trim_start_matches("http://").to_string();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut req = [0u8; 4096];
            let n = conn.read(&mut req).unwrap_or(0);
            let head = String::from_utf8_lossy(&req[..n]).to_string();
            let Ok(mut up) = std::net::TcpStream::connect(&upstream) else {
                continue;
            };
            let _ = up.write_all(&req[..n]);
            let mut resp = String::new();
            let _ = up.read_to_string(&mut resp);
            let (headers, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
            let mut body = body.to_string();
            if head.contains(" /proof/") {
                let mut v: Value = serde_json::from_str(&body).unwrap();
                let mut value = hex::decode(v["value"].as_str().unwrap()).unwrap();
                *value.last_mut().unwrap() ^= 1;
                v["value"] = Value::String(hex::encode(value));
                body = v.to_string();
            }
            let status = headers.lines().next().unwrap_or("HTTP/1.1 502");
            let _ = write!(
                conn,
                "{status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

/// An account's balance in base units.
fn balance(rpc: &str, account: &str) -> u128 {
    let (ok, v, err) = cli(rpc, &["balance", account]);
    assert!(ok, "{err}");
    v["balance"].as_str().unwrap().parse().unwrap()
}

#[test]
fn dev_json_prints_one_line_once_the_chain_is_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["dev", "--json", "--no-worker", "--rpc-addr", "127.0.0.1:0"])
        .args(["--p2p-addr", &format!("127.0.0.1:{}", free_port())])
        .args(["--block-interval-ms", "50", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Killed when dropped, whatever fails below.
    let mut node = Node {
        child,
        rpc: String::new(),
    };
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let v: Value = serde_json::from_str(&first).unwrap();
    node.rpc = v["rpc"].as_str().unwrap().to_string();
    assert!(node.rpc.starts_with("http://127.0.0.1:"), "{v}");
    assert_eq!(v["data_dir"], dir.path().to_str().unwrap());
    assert_eq!(v["chain_id"], "phalanx-dev");
    assert!(v["worker"].is_null());
    let accounts = v["accounts"].as_array().unwrap();
    let names: Vec<_> = accounts
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev:alice", "dev:bob", "dev:charlie"]);
    // The chain is up when the line comes: the accounts are funded and a transfer goes through.
    let bob = accounts[1]["account"].as_str().unwrap();
    assert_eq!(balance(&node.rpc, bob), balance(&node.rpc, "dev:bob"));
    let (ok, _, err) = transfer(&node.rpc, "dev:alice", bob, "1", &[]);
    assert!(ok, "{err}");
    // Three transfers sent without waiting, one after the other: each takes the next nonce
    // after those still waiting in the pool (the same nonce would replace the one before).
    let before = balance(&node.rpc, "dev:charlie");
    for _ in 0..3 {
        let (ok, _, err) = transfer(&node.rpc, "dev:alice", "dev:charlie", "1", &["--no-wait"]);
        assert!(ok, "{err}");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while balance(&node.rpc, "dev:charlie") < before + 3 * 10u128.pow(12) {
        assert!(
            std::time::Instant::now() < deadline,
            "not all three transfers landed"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(
        balance(&node.rpc, "dev:charlie"),
        before + 3 * 10u128.pow(12)
    );
}

#[test]
fn transfer_survives_sigkill_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let p2p = free_port();
    let node = start_dev(dir.path(), p2p);
    wait_height(&node.rpc, 2);

    let (ok, sent, err) = transfer(&node.rpc, "dev:alice", "dev:charlie", "2.5", &[]);
    assert!(ok, "transfer failed: {err}");
    assert_eq!(sent["status"], "finalized");
    assert_eq!(sent["location"]["receipt"]["status"], "success");
    let hash = sent["hash"].as_str().unwrap().to_string();
    let height = sent["location"]["height"].as_u64().unwrap();

    let (_, bal, _) = cli(&node.rpc, &["balance", "dev:charlie"]);
    assert_eq!(bal["balance_pha"], "1000002.5");
    let (_, block, _) = cli(&node.rpc, &["block", &height.to_string()]);
    assert_eq!(block["transactions"][0]["hash"], hash.as_str());

    // The balance verified client-side: an inclusion proof against the state root of a block.
    let (ok, proven, err) = cli(&node.rpc, &["balance", "dev:charlie", "--prove"]);
    assert!(ok, "{err}");
    assert_eq!(proven["verified"], true);
    assert_eq!(proven["proof_kind"], "inclusion");
    assert_eq!(proven["balance_pha"], "1000002.5");
    assert!(proven["height"].as_u64().unwrap() >= height);
    // An account that never existed: an exclusion proof.
    let (ok, proven, err) = cli(&node.rpc, &["balance", "dev:nobody", "--prove"]);
    assert!(ok, "{err}");
    assert_eq!(
        (proven["proof_kind"].as_str(), proven["balance"].as_str()),
        (Some("exclusion"), Some("0"))
    );
    // A lying node (a proxy that inflates the proven value) is caught.
    let liar = lying_proxy(&node.rpc);
    let (ok, _, err) = cli(&liar, &["balance", "dev:charlie", "--prove"]);
    assert!(!ok && err.contains("state proof REFUSED"), "{err}");

    // The index: the transfer is in both accounts' histories and among the transfer events.
    for account in ["dev:charlie", "dev:alice"] {
        let (ok, history, err) = cli(&node.rpc, &["account", "history", account]);
        assert!(ok, "{err}");
        assert_eq!(history["txs"][0]["hash"], hash.as_str(), "{history}");
        assert_eq!(history["txs"][0]["call"], "balances.transfer");
    }
    let (ok, events, err) = cli(
        &node.rpc,
        &["events", "--kind", "balances.transfer", "--from", "1"],
    );
    assert!(ok, "{err}");
    let found = events["events"].as_array().unwrap();
    assert!(
        found
            .iter()
            .any(|e| e["tx"] == hash.as_str() && e["event"]["amount"] == "2500000000000"),
        "{events}"
    );
    let (_, blocks) = http_get(&node.rpc, &format!("/blocks?from={height}&limit=1"));
    assert_eq!(blocks["blocks"][0]["txs"], 1, "{blocks}");
    // Bad pages: a specific error each, from the node (exit 4) or before asking (exit 2).
    for (path, code) in [
        ("/events?cursor=1.x.0", "malformed"),
        ("/events?limit=100000", "malformed"),
        ("/events?limit=0", "malformed"),
        ("/events?from=9&to=3", "malformed"),
        ("/events?kind=balances.nothing", "unknown_kind"),
        ("/events?from=1&to=2&cursor=5.0.0", "malformed"),
        ("/blocks?limit=99999999999999999999999", "malformed"),
        ("/account/zz/txs", "malformed"),
    ] {
        let (status, v) = http_get(&node.rpc, path);
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (400, Some(code)),
            "{path}: {v}"
        );
    }
    let alice_txs = format!(
        "/account/{}/txs?before=18446744073709551616.0",
        cli(&node.rpc, &["balance", "dev:alice"]).1["account"]
            .as_str()
            .unwrap()
    );
    let (status, v) = http_get(&node.rpc, &alice_txs);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (400, Some("malformed")),
        "{v}"
    );
    let (code, v, _) = cli_code(&node.rpc, &["events", "--kind", "nope"]);
    assert_eq!(code, Some(4), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("balances.transfer"),
        "{v}"
    );
    let (code, _, _) = cli_code(
        &node.rpc,
        &["account", "history", "dev:bob", "--limit", "0"],
    );
    assert_eq!(code, Some(2));

    // Bad input is refused with a specific code and changes nothing.
    let (status, v) = post_raw(&node.rpc, r#"{"tx":"zz"}"#);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (400, Some("malformed"))
    );
    let (status, v) = post_raw(&node.rpc, r#"{"tx":"00"}"#);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (400, Some("malformed"))
    );
    let (status, _) = post_raw(&node.rpc, "not json");
    assert_eq!(status, 400);
    // Batches: each entry judged on its own; too many entries refused as a whole.
    let (status, v) = post_to(&node.rpc, "/txs", r#"{"txs":["zz","00"]}"#);
    assert_eq!((status, v["accepted"].as_u64()), (200, Some(0)));
    assert_eq!(v["results"][0]["error"]["code"], "malformed");
    assert_eq!(v["results"][1]["error"]["code"], "malformed");
    let many = format!(r#"{{"txs":[{}]}}"#, vec![r#""00""#; 1001].join(","));
    let (status, v) = post_to(&node.rpc, "/txs", &many);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (413, Some("batch_too_large"))
    );
    let (ok, _, err) = transfer(
        &node.rpc,
        "dev:alice",
        "dev:bob",
        "1",
        &["--fee", "0.000000000001"],
    );
    assert!(!ok && err.contains("fee_too_low"), "{err}");
    let (ok, _, err) = transfer(&node.rpc, "dev:nobody", "dev:bob", "1", &[]);
    assert!(!ok && err.contains("insufficient_balance"), "{err}");

    // Exit statuses. Not admitted by the node: 4, a JSON error with the node's code, and in
    // text the amounts in PHA.
    let (code, v, err) = cli_code(
        &node.rpc,
        &[
            "transfer",
            "--from",
            "dev:nobody",
            "--to",
            "dev:bob",
            "--amount",
            "1",
        ],
    );
    assert_eq!(code, Some(4), "{err}");
    assert_eq!(v["error"]["kind"], "refused");
    assert_eq!(v["error"]["code"], "insufficient_balance");
    let (code, _, err) = cli_text(
        &node.rpc,
        &[
            "transfer",
            "--from",
            "dev:bob",
            "--to",
            "dev:alice",
            "--amount",
            "999999999",
        ],
    );
    assert_eq!(code, Some(4), "{err}");
    assert!(
        err.contains("balance 1000000 PHA cannot cover") && !err.contains("base units"),
        "{err}"
    );
    let (code, _, err) = cli_text(
        &node.rpc,
        &[
            "transfer",
            "--from",
            "dev:bob",
            "--to",
            "dev:alice",
            "--amount",
            "1",
            "--fee",
            "0.000000000001",
        ],
    );
    assert_eq!(code, Some(4), "{err}");
    assert!(
        err.contains("fee 0.000000000001 PHA is below the required"),
        "{err}"
    );
    // A transfer to oneself is refused before anything is signed: 2, nothing charged.
    let bob_before = balance(&node.rpc, "dev:bob");
    let (code, v, err) = cli_code(
        &node.rpc,
        &[
            "transfer", "--from", "dev:bob", "--to", "dev:bob", "--amount", "1",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(v["error"]["kind"], "usage");
    assert_eq!(balance(&node.rpc, "dev:bob"), bob_before);
    // Included, and failed in its block (it would create an account below the existential
    // deposit): 5, the fee is charged, and the JSON error carries the transaction.
    let dust = [
        "transfer", "--from", "dev:bob", "--to", "dev:dust", "--amount", "0.001",
    ];
    let (code, v, err) = cli_code(&node.rpc, &dust);
    assert_eq!(code, Some(5), "{err}");
    assert_eq!(v["error"]["kind"], "failed");
    assert_eq!(
        v["error"]["code"],
        "balances.recipient_below_existential_deposit"
    );
    let receipt = &v["error"]["transaction"]["location"]["receipt"];
    assert_eq!(receipt["status"], "failed");
    let fee: u128 = receipt["fee_paid"].as_str().unwrap().parse().unwrap();
    assert!(fee > 0);
    assert_eq!(balance(&node.rpc, "dev:bob"), bob_before - fee);
    let (code, _, err) = cli_text(&node.rpc, &dust);
    assert_eq!(code, Some(5), "{err}");
    assert!(
        err.contains("transfer FAILED in block")
            && err.contains("(balances.recipient_below_existential_deposit); fee paid 0."),
        "{err}"
    );
    // Text output shows PHA: a receipt, and the chain's parameters.
    let (code, out, err) = cli_text(
        &node.rpc,
        &[
            "transfer",
            "--from",
            "dev:alice",
            "--to",
            "dev:bob",
            "--amount",
            "1",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("result:   success") && out.contains("fee paid: 0."),
        "{out}"
    );
    assert!(
        out.contains("amount=1 PHA") && !out.contains("base units"),
        "{out}"
    );
    let (code, out, err) = cli_text(&node.rpc, &["info"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("chain `phalanx-dev`"), "{out}");
    assert!(
        out.contains("transfer fee:") && out.contains(" PHA"),
        "{out}"
    );
    assert!(!out.contains('{'), "{out}");

    // SIGKILL, restart on the same data directory: the finalized transfer is still there.
    drop(node);
    let node = start_dev(dir.path(), p2p);
    wait_height(&node.rpc, height + 1);
    let (_, bal, _) = cli(&node.rpc, &["balance", "dev:charlie"]);
    assert_eq!(bal["balance_pha"], "1000002.5");
    let (_, status, _) = cli(&node.rpc, &["tx", "status", &hash]);
    assert_eq!(status["status"], "finalized");
    assert_eq!(status["location"]["height"].as_u64(), Some(height));

    // A damaged index file (cut short): the node moves it aside, says so, and rebuilds the
    // index from the block archive: the transfer is found again with its status and fee, and
    // marked as having lost its events (they cannot be recomputed).
    drop(node);
    let file = dir.path().join("index").join("index.redb");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let node = start_dev(dir.path(), p2p);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        let (_, status, _) = cli(&node.rpc, &["tx", "status", &hash]);
        if status["status"] == "finalized" {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not re-indexed: {status}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(status["location"]["height"].as_u64(), Some(height));
    assert_eq!(status["location"]["receipt"]["status"], "success");
    assert_eq!(status["location"]["events_unavailable"], true, "{status}");
    let kept: Vec<_> = std::fs::read_dir(dir.path().join("index"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("damaged"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept for the operator");
    let (ok, history, err) = cli(&node.rpc, &["account", "history", "dev:alice"]);
    assert!(ok, "{err}");
    assert!(
        history["events_known_from"].as_u64().unwrap() > height,
        "{history}"
    );
}
