#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! In `phalanx dev`, the dev worker measures its benchmark, dev:charlie stakes on it, the
//! gatekeeper's beacon seeds challenge it, it answers and is paid: `phalanx mining status` shows
//! its P, V, share and rewards growing. `estimate` computes what a stake would earn; every bad
//! input to `start`, `stop` and `reclaim` is refused with the chain's specific code, and `stop`
//! starts the cool-down.

mod common;

use common::{cli, cli_code, free_port, start_dev_with, wait_height};
use serde_json::Value;
use std::time::{Duration, Instant};

fn units(v: &Value) -> u128 {
    v["base_units"].as_str().unwrap().parse().unwrap()
}

/// `mining status --json` until `done` holds for the first worker (at most `secs`).
fn status_until(rpc: &str, secs: u64, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let (ok, v, err) = cli(rpc, &["mining", "status"]);
        assert!(ok, "{err}");
        if v["workers"].get(0).is_some_and(&done) {
            return v;
        }
        assert!(Instant::now() < deadline, "not reached in {secs} s: {v:#}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn the_dev_worker_mines_earns_and_every_bad_call_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_dev_with(&dir.path().join("chain"), free_port(), &[]);
    let rpc = node.rpc.as_str();
    wait_height(rpc, 1);

    // Paid at least twice: rewards grow while it mines.
    let first = status_until(rpc, 150, |w| {
        w["session"]["rewards"]["base_units"]
            .as_str()
            .is_some_and(|r| r != "0")
    });
    let worker = first["workers"][0]["worker"].as_str().unwrap().to_string();
    let paid = units(&first["workers"][0]["session"]["rewards"]);
    let later = status_until(rpc, 60, |w| units(&w["session"]["rewards"]) > paid);
    let w = &later["workers"][0];
    assert!(w["benchmark"]["p"].as_u64().unwrap() >= 10, "{w:#}");
    let s = &w["session"];
    assert_eq!(s["state"], "mining");
    assert_eq!(
        s["owner"]["account"],
        cli(rpc, &["balance", "dev:charlie"]).1["account"]
    );
    assert_eq!(units(&s["stake"]), 10_000 * 10u128.pow(12));
    assert!(units(&s["projected_daily"]) > 0);
    assert!(s["v"].as_str().unwrap().parse::<f64>().unwrap() > 13_000.0);
    assert!(later["network"]["beacon"]["round"].as_u64().is_some());
    assert_eq!(later["network"]["live_sessions"], 1);

    // The treasury counts where its PHA came from: fees and 20 % of the payouts so far.
    let (ok, t, err) = cli(rpc, &["treasury"]);
    assert!(ok, "{err}");
    assert!(units(&t["income"]["mining_payouts"]) > 0, "{t:#}");
    assert!(units(&t["income"]["fees"]) > 0, "{t:#}");
    let income: u128 = ["fees", "mining_payouts", "slashes", "lost_stake"]
        .iter()
        .map(|s| units(&t["income"][s]))
        .sum();
    assert_eq!(units(&t["balance"]), income, "{t:#}");

    // The estimate is the chain's own arithmetic: V_e = 1.3·(S + 0.3·P).
    let (ok, e, err) = cli(
        rpc,
        &["mining", "estimate", "--stake", "10000", "--p", "100"],
    );
    assert!(ok, "{err}");
    // (1.3 has no exact binary fraction: the fixed point gives 13038.99999999999999956.)
    let initial: f64 = e["initial_value"].as_str().unwrap().parse().unwrap();
    assert!((initial - 13_039.0).abs() < 1e-9, "{e:#}");
    assert_eq!(units(&e["min_stake"]), 1_000 * 10u128.pow(12));
    assert!(units(&e["projected_daily"]) > 0);
    assert_eq!(e["refusal"], Value::Null);
    let (ok, e, err) = cli(rpc, &["mining", "estimate", "--stake", "1", "--p", "100"]);
    assert!(ok, "{err}");
    assert_eq!(e["refusal"], "computation.stake_too_low");
    assert_eq!(units(&e["projected_daily"]), 0);
    let (code, _, err) = cli_code(rpc, &["mining", "estimate", "--stake", "1", "--p", "0"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, _, err) = cli_code(
        rpc,
        &[
            "mining",
            "estimate",
            "--stake",
            "1",
            "--p",
            "9",
            "--confidence",
            "6",
        ],
    );
    assert_eq!(code, Some(2), "{err}");

    // Bad calls: each included, failed in its block (status 5) with the chain's code.
    let refused = |args: &[&str], code: &str| {
        let (status, v, err) = cli_code(rpc, args);
        assert_eq!(status, Some(5), "{args:?}: {err}");
        assert_eq!(v["error"]["code"], code, "{args:?}");
    };
    refused(
        &[
            "mining",
            "start",
            &worker,
            "--stake",
            "10000",
            "--from",
            "dev:charlie",
        ],
        "computation.already_mining",
    );
    // A valid key that no worker registered (dev:alice's account).
    let alice = cli(rpc, &["balance", "dev:alice"]).1["account"]
        .as_str()
        .unwrap()
        .to_string();
    refused(
        &[
            "mining", "start", &alice, "--stake", "10000", "--from", "dev:bob",
        ],
        "computation.unknown_worker",
    );
    let (code, _, err) = cli_code(
        rpc,
        &[
            "mining",
            "start",
            &"ab".repeat(32),
            "--stake",
            "1",
            "--from",
            "dev:bob",
        ],
    );
    assert_eq!(code, Some(2), "not an ed25519 key: {err}");
    refused(
        &["mining", "stop", &worker, "--from", "dev:bob"],
        "computation.not_session_owner",
    );
    refused(
        &["mining", "reclaim", &worker, "--from", "dev:bob"],
        "computation.not_cooling_down",
    );
    // Its attestation still passes the policy: nothing to slash.
    refused(
        &["mining", "report-revoked", &worker, "--from", "dev:bob"],
        "computation.not_revoked",
    );
    let (code, _, err) = cli_code(
        rpc,
        &[
            "mining", "start", "not-hex", "--stake", "1", "--from", "dev:bob",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    let (code, _, err) = cli_code(
        rpc,
        &[
            "mining", "start", &worker, "--stake", "0", "--from", "dev:bob",
        ],
    );
    assert_eq!(code, Some(2), "{err}");

    // Stop: the session cools down (a minute on dev chains) and cannot be reclaimed yet.
    let (ok, _, err) = cli(rpc, &["mining", "stop", &worker, "--from", "dev:charlie"]);
    assert!(ok, "{err}");
    let (ok, v, err) = cli(rpc, &["mining", "status", &worker]);
    assert!(ok, "{err}");
    let s = &v["workers"][0]["session"];
    assert_eq!(s["state"], "cooling_down", "{v:#}");
    assert!(s["reclaimable_at_ms"].as_u64().unwrap() > s["cool_down_since_ms"].as_u64().unwrap());
    assert_eq!(units(&s["projected_daily"]), 0);
    refused(
        &["mining", "reclaim", &worker, "--from", "dev:charlie"],
        "computation.cool_down_not_over",
    );
    assert_eq!(
        cli(rpc, &["mining", "status"]).1["network"]["live_sessions"],
        0
    );
}
