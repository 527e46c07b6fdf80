#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! End to end: `phalanx localnet --validators 4` starts four validator processes on loopback;
//! they finalize the same blocks, a transfer sent to one validator is gossiped to the others and
//! visible on another once finalized; a validator that is killed is reported and restarted while
//! the other three keep finalizing, and catches up; SIGTERM to the supervisor stops all four
//! cleanly. A validator that cannot run is given up on after its restarts, and the supervisor
//! then fails (no quorum left) and keeps its temporary directory with the logs.

mod common;

use common::{BIN, cli, free_port, free_port_block, http_get_raw, transfer, wait_height};
use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Localnet(Child);

/// The next line of the supervisor's output that starts with `prefix` (at most `secs` s).
fn line_starting(lines: &mpsc::Receiver<String>, prefix: &str, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no line starting with `{prefix}`"));
        if line.starts_with(prefix) {
            return line;
        }
    }
}

/// The finalized height a validator reports, if it answers.
fn finalized(rpc: &str) -> Option<u64> {
    let (ok, v, _) = cli(rpc, &["info"]);
    if ok {
        v["finalized"]["height"].as_u64()
    } else {
        None
    }
}

impl Drop for Localnet {
    fn drop(&mut self) {
        // On a failed assertion: stop the supervisor, which stops its validators. (Not once it
        // has exited and been reaped: its pid may belong to another process by now.)
        if let Ok(None) = self.0.try_wait()
            && let Ok(pid) = i32::try_from(self.0.id())
        {
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
        // A wide window in which the killed validator is down and the others must finalize.
        .args(["--restart-delay-ms", "15000"])
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
    let mut pids = Vec::new();
    loop {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("localnet did not report ready");
        if let Some((_, rest)) = line.split_once(" pid ") {
            pids.push(
                rest.split_whitespace()
                    .next()
                    .unwrap()
                    .parse::<i32>()
                    .unwrap(),
            );
        }
        if line.starts_with("localnet ready") {
            break;
        }
    }
    assert_eq!(pids.len(), N as usize);
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

    // Validator 2 dies. The supervisor says which, how and where its log is, and restarts it;
    // meanwhile the other three (a quorum) keep finalizing; once back, it catches up.
    kill(Pid::from_raw(pids[2]), Signal::SIGKILL).unwrap();
    let exited = line_starting(&lines, "validator 2 exited", 30);
    assert!(exited.contains("signal: 9"), "{exited}");
    assert!(exited.contains("node-2/node.log"), "{exited}");
    assert!(
        exited.contains("restarting it in 15.0 s (restart 1 of 3"),
        "{exited}"
    );
    let down_since = Instant::now();
    let before = finalized(&rpcs[0]).unwrap();
    while finalized(&rpcs[0]).unwrap() < before + 2 {
        assert!(
            down_since.elapsed() < Duration::from_millis(14_500),
            "the three others did not finalize while validator 2 was down"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(finalized(&rpcs[2]).is_none(), "validator 2 still answers");
    line_starting(&lines, "validator 2 restarted", 30);
    let now = finalized(&rpcs[0]).unwrap();
    wait_height(&rpcs[2], now);
    let log = std::fs::read_to_string(dir.path().join("node-2/node.log")).unwrap();
    assert!(
        log.contains("=== phalanx localnet: validator exited"),
        "{log}"
    );

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
    assert!(dir.path().join("node-2/node.log").exists());
    let rest: Vec<String> = lines.try_iter().collect();
    let clean = rest
        .iter()
        .filter(|l| l.contains("stopped (exit status: 0)"))
        .count();
    // A validator that did not stop cleanly: show the end of its log (the directory is
    // deleted with the test).
    let tails: Vec<String> = (0..N)
        .filter(|i| {
            !rest
                .iter()
                .any(|l| l.contains(&format!("validator {i} stopped (exit status: 0)")))
        })
        .map(|i| {
            let log = std::fs::read_to_string(dir.path().join(format!("node-{i}/node.log")))
                .unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            format!("node-{i}/node.log, last lines:\n{}", tail.join("\n"))
        })
        .collect();
    assert_eq!(clean, N as usize, "{rest:#?}\n{}", tails.join("\n"));
    for rpc in &rpcs {
        assert!(!cli(rpc, &["info"]).0, "{rpc} still answers");
    }
}

#[test]
fn a_validator_that_keeps_dying_is_given_up_and_without_a_quorum_the_supervisor_fails() {
    // One validator, one restart allowed: killed twice, it is given up on, and with no quorum
    // left the supervisor fails and keeps its temporary directory with the log.
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["localnet", "--validators", "1"])
        .args(["--rpc-port", &free_port().to_string()])
        .args(["--p2p-port", &free_port().to_string()])
        .args(["--max-restarts", "1", "--restart-delay-ms", "100"])
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let net = Localnet(child);
    let (lines_tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let pid_in = |line: &str| -> i32 {
        let (_, rest) = line.split_once("pid ").unwrap();
        rest.split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let first = pid_in(&line_starting(&lines, "  validator 0:", 30));
    kill(Pid::from_raw(first), Signal::SIGKILL).unwrap();
    let exited = line_starting(&lines, "validator 0 exited", 30);
    assert!(
        exited.contains("restarting it in 0.1 s (restart 1 of 1"),
        "{exited}"
    );
    let second = pid_in(&line_starting(&lines, "validator 0 restarted", 30));
    assert_ne!(first, second);
    kill(Pid::from_raw(second), Signal::SIGKILL).unwrap();
    let exited = line_starting(&lines, "validator 0 exited", 30);
    assert!(exited.contains("giving up on it"), "{exited}");
    let kept = line_starting(&lines, "the validators' logs are kept in ", 30);
    let mut net = net;
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = net.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the supervisor did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(1));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut net.0.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("0 of 1 validators left"), "{stderr}");
    let dir = kept
        .strip_prefix("the validators' logs are kept in ")
        .and_then(|l| l.split(" (").next())
        .unwrap();
    assert!(dir.starts_with(tmp.path().to_str().unwrap()), "{dir}");
    let log = std::fs::read_to_string(std::path::Path::new(dir).join("node-0/node.log")).unwrap();
    assert_eq!(
        log.matches("=== phalanx localnet: validator exited (signal: 9")
            .count(),
        2,
        "{log}"
    );
}
