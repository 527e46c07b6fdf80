#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The worker runtime against a real `phalanx dev` node:
//!
//! * a node that lies (changed header, dropped header, broken certificate, forged state value,
//!   wrong state root) is refused with the specific error, and the worker does not advance;
//! * the worker process registers itself on first start, and after SIGKILL at any moment it
//!   resumes from its sealed state with the same keys.

mod common;

use common::{free_port, start_dev, start_dev_with, wait_height};
use phalanx_consensus::light::LightError;
use phalanx_state::ProofError;
use phalanx_worker::{
    chain::{ChainError, HttpSource, Source},
    run::{Worker, WorkerConfig},
    tee::TeeSource,
};
use serde_json::Value;
use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_phalanx");

#[derive(Clone, Copy, Debug)]
enum Lie {
    ChangeHeader,
    DropHeader,
    BreakCertificate,
    ForgeValue,
    WrongRoot,
}

/// A node that passes everything through except the one lie it tells.
struct Liar {
    honest: HttpSource,
    lie: Lie,
}

fn flip_hex(text: &str, at: usize) -> String {
    let mut bytes = hex::decode(text).unwrap();
    let i = at.min(bytes.len() - 1);
    bytes[i] ^= 0x01;
    hex::encode(bytes)
}

impl Source for Liar {
    fn get(&self, path: &str) -> Result<Value, String> {
        let mut v = self.honest.get(path)?;
        if path.starts_with("/light/headers")
            && v["headers"].as_array().is_some_and(|h| h.len() > 8)
        {
            match self.lie {
                Lie::ChangeHeader => {
                    // Byte 100 lies inside the header's state root.
                    let h = v["headers"][5].as_str().unwrap().to_string();
                    v["headers"][5] = Value::String(flip_hex(&h, 100));
                }
                Lie::DropHeader => {
                    v["headers"].as_array_mut().unwrap().remove(3);
                }
                Lie::BreakCertificate => {
                    let c = v["certificate"].as_str().unwrap().to_string();
                    v["certificate"] = Value::String(flip_hex(&c, usize::MAX));
                }
                _ => {}
            }
        }
        Ok(v)
    }

    fn post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let mut v = self.honest.post(path, body)?;
        match self.lie {
            Lie::ForgeValue => {
                let value = v["entries"][0]["value"].as_str().unwrap().to_string();
                v["entries"][0]["value"] = Value::String(flip_hex(&value, 0));
            }
            Lie::WrongRoot => {
                let root = v["state_root"].as_str().unwrap().to_string();
                v["state_root"] = Value::String(flip_hex(&root, 0));
            }
            _ => {}
        }
        Ok(v)
    }
}

fn config(rpc: &str, dir: &std::path::Path) -> WorkerConfig {
    WorkerConfig {
        rpc: rpc.to_string(),
        dir: dir.to_path_buf(),
        tee: TeeSource::simulated(),
        operator: None,
        spec: None,
        checkpoint: None,
        poll: Duration::from_millis(100),
    }
}

#[test]
fn a_lying_node_is_refused_and_the_worker_does_not_advance() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_dev(&dir.path().join("chain"), free_port());
    wait_height(&node.rpc, 12);

    for (i, lie) in [Lie::ChangeHeader, Lie::DropHeader, Lie::BreakCertificate]
        .into_iter()
        .enumerate()
    {
        let liar = Liar {
            honest: HttpSource {
                rpc: node.rpc.clone(),
            },
            lie,
        };
        let wdir = dir.path().join(format!("liar-{i}"));
        let mut worker = Worker::open_with(config(&node.rpc, &wdir), Some(Box::new(liar))).unwrap();
        let err = worker.sync().unwrap_err();
        match (lie, &err) {
            (Lie::ChangeHeader, ChainError::Refused(LightError::ParentMismatch { height: 7 })) => {}
            (Lie::DropHeader, ChainError::Refused(LightError::NotContiguous { .. })) => {}
            (Lie::BreakCertificate, ChainError::Refused(LightError::CertificateInvalid { .. })) => {
            }
            _ => panic!("{lie:?}: unexpected {err}"),
        }
        assert!(err.to_string().contains("REFUSED"), "{err}");
        assert_eq!(worker.chain.tip().height, 0, "{lie:?} moved the worker");
        // Retrying meets the same lie and stays put; it does not crash.
        assert!(worker.sync().is_err());
        assert_eq!(worker.chain.tip().height, 0);
    }

    // State reads: the worker syncs honestly, then the node lies about a value or a root.
    let policy_key: [u8; 32] = phalanx_runtime::registry::policy_key().into();
    for (i, lie) in [Lie::ForgeValue, Lie::WrongRoot].into_iter().enumerate() {
        let liar = Liar {
            honest: HttpSource {
                rpc: node.rpc.clone(),
            },
            lie,
        };
        let wdir = dir.path().join(format!("reader-{i}"));
        let mut worker = Worker::open_with(config(&node.rpc, &wdir), Some(Box::new(liar))).unwrap();
        worker.sync().unwrap();
        let err = worker.chain.read_one(policy_key).unwrap_err();
        match (lie, &err) {
            (
                Lie::ForgeValue,
                ChainError::Refused(LightError::Proof(ProofError::RootMismatch(_))),
            ) => {}
            (Lie::WrongRoot, ChainError::Refused(LightError::StateRootMismatch { .. })) => {}
            _ => panic!("{lie:?}: unexpected {err}"),
        }
    }

    // The honest node: the worker follows the chain and reads with proofs.
    let mut worker = Worker::open(config(&node.rpc, &dir.path().join("honest"))).unwrap();
    let report = worker.sync().unwrap();
    assert!(report.to >= 12, "{report:?}");
    assert!(worker.chain.read_one(policy_key).unwrap().is_some());
}

/// Starts `phalanx worker` and returns it with a reader of its log (stderr).
fn spawn_worker(
    rpc: &str,
    dir: &std::path::Path,
) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let mut child = Command::new(BIN)
        .args([
            "--rpc",
            rpc,
            "worker",
            "--tee",
            "sim",
            "--operator",
            "dev:bob",
        ])
        .args(["--poll-ms", "100", "--data-dir"])
        .arg(dir)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

/// Waits for a log line containing `needle`; returns it.
fn wait_log(rx: &std::sync::mpsc::Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
            && line.contains(needle)
        {
            return line;
        }
    }
    panic!("no log line with `{needle}` within 60 s");
}

fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let start = line.find(&format!("{name}=")).unwrap() + name.len() + 1;
    line[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_matches('"')
}

#[test]
fn the_worker_registers_itself_and_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_dev(&dir.path().join("chain"), free_port());
    wait_height(&node.rpc, 2);
    let wdir = dir.path().join("worker");

    let (mut child, log) = spawn_worker(&node.rpc, &wdir);
    let started = wait_log(&log, "worker started");
    let id = field(&started, "worker").to_string();
    wait_log(&log, "registered");
    let (_, record) = common::http_get(&node.rpc, &format!("/worker/{id}"));
    assert_eq!(record["simulated"], true);
    let registered_at = record["registered_at_ms"].as_u64().unwrap();
    std::thread::sleep(Duration::from_millis(600));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // Kill it again and again at different moments of its start (opening, syncing, polling).
    let mut last_tip = 0;
    for delay_ms in [30u64, 80, 150, 400] {
        let (mut child, log) = spawn_worker(&node.rpc, &wdir);
        let resumed = wait_log(&log, "resumed worker state");
        assert_eq!(
            field(&resumed, "worker"),
            id,
            "a restart changed the worker's keys"
        );
        let tip: u64 = field(&resumed, "tip").parse().unwrap();
        assert!(tip >= last_tip, "tip went back from {last_tip} to {tip}");
        last_tip = tip;
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    // A clean run after all that: same worker, still registered once, following the chain.
    let (mut child, log) = spawn_worker(&node.rpc, &wdir);
    let resumed = wait_log(&log, "resumed worker state");
    assert_eq!(field(&resumed, "worker"), id);
    wait_log(&log, "synced");
    let (_, list) = common::http_get(&node.rpc, "/workers");
    assert_eq!(list["count"], 1);
    let (_, record) = common::http_get(&node.rpc, &format!("/worker/{id}"));
    assert_eq!(record["registered_at_ms"].as_u64().unwrap(), registered_at);
    assert!(last_tip > 0);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn dev_runs_a_worker_that_becomes_the_first_gatekeeper_and_a_second_worker_joins() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_dev_with(&dir.path().join("chain"), free_port(), &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let gatekeeper = loop {
        let (_, list) = common::http_get(&node.rpc, "/workers");
        if let Some(g) = list["gatekeepers"].as_array().and_then(|g| g.first()) {
            break g.as_str().unwrap().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "the dev worker never became gatekeeper: {list}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let (_, record) = common::http_get(&node.rpc, &format!("/worker/{gatekeeper}"));
    assert_eq!(record["gatekeeper"], true);
    assert_eq!(record["simulated"], true);
    assert_eq!(
        record["operator"].as_str().unwrap(),
        phalanx_types::AccountId::from(commonware_cryptography::Signer::public_key(
            &phalanx_crypto::dev_key("charlie")
        ))
        .to_string()
    );

    // A second worker, started by hand, registers itself.
    let (mut child, log) = spawn_worker(&node.rpc, &dir.path().join("second"));
    let started = wait_log(&log, "worker started");
    let second = field(&started, "worker").to_string();
    wait_log(&log, "registered");
    let (_, list) = common::http_get(&node.rpc, "/workers");
    assert_eq!(list["count"], 2);
    let (_, record) = common::http_get(&node.rpc, &format!("/worker/{second}"));
    assert_eq!(record["gatekeeper"], false);
    child.kill().unwrap();
    child.wait().unwrap();
}
