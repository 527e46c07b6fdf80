#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! End to end: start the real `phalanx dev` process on loopback, transfer with the CLI, check the
//! balance, the block and the receipt, feed the RPC bad input, SIGKILL the node, restart it on
//! the same data directory and check nothing finalized was lost.

mod common;

use common::{cli, free_port, start_dev, transfer, wait_height};
use serde_json::Value;

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

    // SIGKILL, restart on the same data directory: the finalized transfer is still there.
    drop(node);
    let node = start_dev(dir.path(), p2p);
    wait_height(&node.rpc, height + 1);
    let (_, bal, _) = cli(&node.rpc, &["balance", "dev:charlie"]);
    assert_eq!(bal["balance_pha"], "1000002.5");
    let (_, status, _) = cli(&node.rpc, &["tx", "status", &hash]);
    assert_eq!(status["status"], "finalized");
    assert_eq!(status["location"]["height"].as_u64(), Some(height));

    // A crash after a block's state commit but before its index line: the index file lacks the
    // block. At startup the node re-indexes it from the block archive.
    drop(node);
    std::fs::write(dir.path().join("index").join("tx-index.jsonl"), "").unwrap();
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
}
