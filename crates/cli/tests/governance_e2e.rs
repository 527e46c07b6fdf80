#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! In `phalanx dev`: two accounts vote through a parameter change and a treasury spend; their
//! PHA is locked while the vote runs; both actions run after the enactment delay and show in
//! `GET /chain`, the balances and `phalanx treasury`. Bad proposals and votes are refused,
//! before sending (exit 2) or by the chain with its code (exit 5).

mod common;

use common::{cli, cli_code, free_port, start_dev_with, wait_height};
use serde_json::Value;
use std::time::{Duration, Instant};

fn units(v: &Value) -> u128 {
    v["base_units"].as_str().unwrap().parse().unwrap()
}

fn balance(rpc: &str, who: &str) -> u128 {
    let (ok, v, err) = cli(rpc, &["balance", who]);
    assert!(ok, "{err}");
    v["balance"].as_str().unwrap().parse().unwrap()
}

/// `gov propose ... --from FROM`: the new proposal's id.
fn propose(rpc: &str, from: &str, args: &[&str]) -> u64 {
    let mut all = vec!["gov", "propose"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--voting", "20s", "--from", from]);
    let (ok, v, err) = cli(rpc, &all);
    assert!(ok, "{all:?}: {err}");
    v["location"]["receipt"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| (e["event"] == "proposed").then(|| e["proposal"].as_u64().unwrap()))
        .unwrap()
}

#[test]
fn two_accounts_vote_through_a_parameter_change_and_a_treasury_spend() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_dev_with(&dir.path().join("chain"), free_port(), &[]);
    let rpc = node.rpc.as_str();
    wait_height(rpc, 1);

    // The treasury fills with fees; spend a tenth of what it holds.
    let deadline = Instant::now() + Duration::from_secs(60);
    let spend = loop {
        let (ok, t, err) = cli(rpc, &["treasury"]);
        assert!(ok, "{err}");
        let held = units(&t["balance"]);
        if held >= 10 {
            break held / 10;
        }
        assert!(Instant::now() < deadline, "the treasury stayed empty");
        std::thread::sleep(Duration::from_millis(500));
    };
    let spend_pha = format!(
        "{}.{:012}",
        spend / 1_000_000_000_000,
        spend % 1_000_000_000_000
    );

    let grace = propose(
        rpc,
        "dev:alice",
        &["params", "stakepool", "withdrawal_grace_ms=120000"],
    );
    let pay = propose(rpc, "dev:alice", &["spend", "dev:bob", &spend_pha]);
    for who in ["dev:alice", "dev:bob"] {
        for id in [grace, pay] {
            let (ok, _, err) = cli(rpc, &["gov", "vote", &id.to_string(), "yes", "--from", who]);
            assert!(ok, "{err}");
        }
    }
    let (ok, shown, err) = cli(rpc, &["gov", "show", &grace.to_string()]);
    assert!(ok, "{err}");
    let p = &shown["proposal"];
    assert_eq!(p["voters"], 2, "{p:#}");
    assert_eq!(
        p["passing"], true,
        "two dev accounts reach the quorum: {p:#}"
    );
    assert_eq!(p["action"]["params"]["withdrawal_grace_ms"], 120_000);

    // A vote locks what it counted: alice cannot pay another deposit until it ends.
    let (status, v, err) = cli_code(
        rpc,
        &["gov", "propose", "signal", "again", "--from", "dev:alice"],
    );
    assert_eq!(status, Some(5), "{err}");
    assert_eq!(v["error"]["code"], "governance.insufficient_balance");
    // One account alone does not reach the dev quorum (1.5 M PHA).
    let alone = propose(rpc, "dev:charlie", &["signal", "only alice"]);
    let (ok, _, err) = cli(
        rpc,
        &[
            "gov",
            "vote",
            &alone.to_string(),
            "yes",
            "--from",
            "dev:alice",
        ],
    );
    assert!(ok, "{err}");
    let (_, shown, _) = cli(rpc, &["gov", "show", &alone.to_string()]);
    assert_eq!(shown["proposal"]["passing"], false);

    // Refused by the chain, with its code.
    let refused = |args: &[&str], code: &str| {
        let (status, v, err) = cli_code(rpc, args);
        assert_eq!(status, Some(5), "{args:?}: {err}");
        assert_eq!(v["error"]["code"], code, "{args:?}");
    };
    refused(
        &[
            "transfer",
            "--from",
            "dev:alice",
            "--to",
            "dev:charlie",
            "--amount",
            "999000",
        ],
        "balances.balance_locked",
    );
    // `balance` shows the lock and when it ends.
    let (_, alice, _) = cli(rpc, &["balance", "dev:alice"]);
    assert!(
        units(&alice["lock"]["amount"]) > 900_000 * 10u128.pow(12),
        "{alice:#}"
    );
    assert!(alice["lock"]["until_ms"].as_u64().is_some(), "{alice:#}");
    refused(
        &["gov", "vote", "99", "yes", "--from", "dev:bob"],
        "governance.unknown_proposal",
    );
    refused(
        &[
            "gov", "propose", "signal", "short", "--voting", "1s", "--from", "dev:bob",
        ],
        "governance.voting_period_out_of_range",
    );
    // Refused before sending: a field that does not exist, a value the component refuses.
    for args in [
        &[
            "gov",
            "propose",
            "params",
            "stakepool",
            "nonesuch=1",
            "--from",
            "dev:bob",
        ][..],
        &[
            "gov",
            "propose",
            "params",
            "stakepool",
            "max_queue=0",
            "--from",
            "dev:bob",
        ][..],
        &[
            "gov", "propose", "params", "nonesuch", "a=1", "--from", "dev:bob",
        ][..],
        &[
            "gov", "propose", "spend", "dev:bob", "0", "--from", "dev:bob",
        ][..],
    ] {
        let (status, _, err) = cli_code(rpc, args);
        assert_eq!(status, Some(2), "{args:?}: {err}");
    }

    // Both pass and run after the delay; the parameter is in force and bob is paid.
    let bob_before = balance(rpc, "dev:bob");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (ok, list, err) = cli(rpc, &["gov", "list"]);
        assert!(ok, "{err}");
        let status = |id: u64| list["proposals"][id as usize]["status"].clone();
        if status(grace) == "enacted" && status(pay) == "enacted" {
            assert_eq!(status(alone), "rejected", "{list:#}");
            break;
        }
        assert!(Instant::now() < deadline, "not enacted: {list:#}");
        std::thread::sleep(Duration::from_millis(500));
    }
    let (ok, chain, err) = cli(rpc, &["info"]);
    assert!(ok, "{err}");
    let params = if chain["params"].is_null() {
        &chain["chain"]["params"]
    } else {
        &chain["params"]
    };
    assert_eq!(
        params["stakepool"]["withdrawal_grace_ms"], 120_000,
        "{chain:#}"
    );
    assert_eq!(balance(rpc, "dev:bob"), bob_before + spend);
    let (_, t, _) = cli(rpc, &["treasury"]);
    assert_eq!(units(&t["spent"]), spend);
}
