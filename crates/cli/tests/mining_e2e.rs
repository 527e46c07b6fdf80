#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! In `phalanx dev`, the dev worker measures its benchmark, dev:charlie stakes on it, the
//! gatekeeper's beacon seeds challenge it, it answers and is paid: `phalanx mining status` shows
//! its P, V, share and rewards growing. `estimate` computes what a stake would earn; every bad
//! input to `start`, `stop` and `reclaim` is refused with the chain's specific code, and `stop`
//! starts the cool-down.
//!
//! Then, in the same run (one node: the cool-down is the long wait), the worker moves to a stake
//! pool: while its session cools down dev:charlie creates pool 0, dev:bob contributes, and bad
//! pool calls are refused; after the reclaim (the dev worker does not start mining again by
//! itself) the worker joins the pool and mines with the delegated stake, payouts raise the
//! share price, and bob's `withdraw --all` is paid in part at once and queued for the rest.
//!
//! During the first cool-down, contracts (`phalanx contract`): dev:alice uploads the counter
//! module and instantiates it, the dev worker (the gatekeeper, holding the cluster key) reports
//! the contract's keys and the chain publishes them; modules the chain would refuse, code
//! uploaded twice and ids already taken are refused before anything is sent.

mod common;

use common::{cli, cli_code, cli_text, free_port, http_get, start_dev_with, wait_height};
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
    let reclaimable_at = s["reclaimable_at_ms"].as_u64().unwrap();

    // While the session cools down: contracts, whose keys this gatekeeper derives.
    contracts(rpc, &worker, dir.path());
    pools(rpc, &worker, reclaimable_at);
}

/// `contract show ID --json` until the contract's keys are published (at most `secs`).
fn contract_until_keys(rpc: &str, id: &str, secs: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let (ok, v, err) = cli(rpc, &["contract", "show", id]);
        assert!(ok, "{err}");
        if !v["contract"]["keys"].is_null() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "the dev worker (a gatekeeper holding the cluster key) did not publish contract {id}'s keys within {secs} s; a worker that lacked the cluster key when it read the instantiation never reports them: {v:#}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The contracts part of the run (the dev worker, a gatekeeper, has held its cluster key since
/// its first beacon rounds): dev:alice uploads the counter module and instantiates it, the
/// worker reports the contract's keys, and what the chain would refuse is refused before
/// anything is sent.
fn contracts(rpc: &str, worker: &str, dir: &std::path::Path) {
    use sha2::Digest;
    let wasm_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../contracts/wasm/counter.wasm"
    );
    let wasm = std::fs::read(wasm_path).unwrap();
    let hash = hex::encode(sha2::Sha256::digest(&wasm));
    let alice = cli(rpc, &["balance", "dev:alice"]).1;
    let nonce = |v: &Value| v["nonce"].as_u64().unwrap();
    let alice_nonce = || nonce(&cli(rpc, &["balance", "dev:alice"]).1);
    let before = nonce(&alice);

    let (ok, v, err) = cli(rpc, &["contract", "list"]);
    assert!(ok, "{err}");
    assert_eq!(
        (v["count"].as_u64(), v["contracts"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );

    // Refused before sending (exit 2, the chain's code): not WebAssembly, a module the
    // executor would not load (no exports), more than a transaction carries, no file at all.
    let not_wasm = dir.join("not.wasm");
    std::fs::write(&not_wasm, b"#!/bin/sh\necho not a module\n").unwrap();
    let no_exports = dir.join("empty.wasm");
    std::fs::write(
        &no_exports,
        [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    )
    .unwrap();
    let huge = dir.join("huge.wasm");
    let mut big = wasm.clone();
    big.resize(phalanx_types::MAX_CODE_BYTES + 1, 0);
    std::fs::write(&huge, big).unwrap();
    for (file, code) in [
        (&not_wasm, Some("contracts.invalid_code")),
        (&no_exports, Some("contracts.bad_export")),
        (&huge, Some("contracts.code_too_large")),
        (&dir.join("missing.wasm"), None),
    ] {
        let (status, v, err) = cli_code(
            rpc,
            &[
                "contract",
                "upload",
                file.to_str().unwrap(),
                "--from",
                "dev:alice",
            ],
        );
        assert_eq!(status, Some(2), "{file:?}: {err}");
        assert_eq!(v["error"]["kind"], "usage", "{file:?}");
        assert_eq!(v["error"]["code"].as_str(), code, "{file:?}: {v}");
    }
    assert_eq!(alice_nonce(), before, "nothing was sent");

    // Upload: the code hash is the module's SHA-256.
    let (ok, up, err) = cli(
        rpc,
        &["contract", "upload", wasm_path, "--from", "dev:alice"],
    );
    assert!(ok, "{err}");
    assert_eq!(up["code_hash"], hash.as_str(), "{up:#}");
    assert_eq!(up["size"], wasm.len());
    assert_eq!(
        up["transaction"]["location"]["receipt"]["status"],
        "success"
    );
    // Again: refused by the CLI from the chain's state (exit 4), before a fee is paid.
    let after_upload = alice_nonce();
    let (status, v, err) = cli_code(
        rpc,
        &["contract", "upload", wasm_path, "--from", "dev:alice"],
    );
    assert_eq!(status, Some(4), "{err}");
    assert_eq!(v["error"]["kind"], "refused");
    assert_eq!(v["error"]["code"], "contracts.code_exists");
    assert_eq!(alice_nonce(), after_upload, "nothing was sent");
    // The module as the chain keeps it, saved and checked against its hash.
    let saved = dir.join("saved.wasm");
    let (ok, code, err) = cli(
        rpc,
        &["contract", "code", &hash, "--out", saved.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert_eq!(code["code"]["size"], wasm.len(), "{code:#}");
    assert_eq!(code["code"]["uploader"], alice["account"]);
    assert_eq!(std::fs::read(&saved).unwrap(), wasm);
    let (status, v) = http_get(rpc, &format!("/code/{hash}?bytes=true"));
    assert_eq!(
        (status, v["bytes"].as_str()),
        (200, Some(hex::encode(&wasm).as_str()))
    );

    // Instantiate with a salt from text; the id is the chain's (the receipt's event).
    let (ok, made, err) = cli(
        rpc,
        &[
            "contract",
            "instantiate",
            &hash,
            "--salt-text",
            "e2e",
            "--from",
            "dev:alice",
        ],
    );
    assert!(ok, "{err}");
    let id = made["contract"].as_str().unwrap().to_string();
    let events = made["transaction"]["location"]["receipt"]["events"]
        .as_array()
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "contract_instantiated" && e["contract"] == id.as_str()),
        "{made:#}"
    );
    let created = made["transaction"]["location"]["height"].as_u64().unwrap();
    // The same salt again gives the same id: refused before sending; unknown code too.
    let (status, v, err) = cli_code(
        rpc,
        &[
            "contract",
            "instantiate",
            &hash,
            "--salt-text",
            "e2e",
            "--from",
            "dev:alice",
        ],
    );
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (Some(4), Some("contracts.contract_exists")),
        "{err}"
    );
    let (status, v, err) = cli_code(
        rpc,
        &[
            "contract",
            "instantiate",
            &"00".repeat(32),
            "--from",
            "dev:alice",
        ],
    );
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (Some(4), Some("contracts.unknown_code")),
        "{err}"
    );
    let (status, _, err) = cli_code(
        rpc,
        &[
            "contract",
            "instantiate",
            &hash,
            "--salt",
            "abc",
            "--from",
            "dev:alice",
        ],
    );
    assert_eq!(status, Some(2), "{err}");
    // Without a salt: a random one, so another contract.
    let (ok, other, err) = cli(
        rpc,
        &["contract", "instantiate", &hash, "--from", "dev:alice"],
    );
    assert!(ok, "{err}");
    assert_ne!(other["contract"], id.as_str());
    assert_ne!(other["salt"], made["salt"]);

    // The dev worker derives the keys and reports them; the chain publishes the first report.
    let shown = contract_until_keys(rpc, &id, 60);
    let c = &shown["contract"];
    assert_eq!(c["id"], id.as_str());
    assert_eq!(c["code_hash"], hash.as_str());
    assert_eq!(c["cluster"], 0);
    assert_eq!(c["deployer"], alice["account"]);
    assert_eq!(c["created_height"].as_u64(), Some(created));
    let keys = &c["keys"];
    assert_eq!(keys["reported_by"], worker, "{shown:#}");
    for k in ["encryption_key", "signing_key"] {
        assert_eq!(keys[k].as_str().map(str::len), Some(64), "{shown:#}");
    }
    assert_eq!(keys["confirmations"], 0);
    assert!(keys["height"].as_u64().unwrap() > created);
    let (status, text, err) = cli_text(rpc, &["contract", "show", &id]);
    assert_eq!(status, Some(0), "{err}");
    assert!(
        text.contains("published at block") && text.contains(keys["signing_key"].as_str().unwrap()),
        "{text}"
    );
    let (ok, list, err) = cli(rpc, &["contract", "list"]);
    assert!(ok, "{err}");
    assert_eq!(list["count"], 2);
    assert_eq!(list["contracts"][0]["id"], id.as_str());
    let (ok, codes, err) = cli(rpc, &["contract", "codes"]);
    assert!(ok, "{err}");
    assert_eq!(
        (codes["count"].as_u64(), &codes["codes"][0]["hash"]),
        (Some(1), &Value::from(hash.as_str()))
    );

    // Unknown ids are 404 with their code (exit 4 in the CLI); malformed ones 400 (exit 2).
    let (status, v, err) = cli_code(rpc, &["contract", "show", &"00".repeat(32)]);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (Some(4), Some("unknown_contract")),
        "{err}"
    );
    let (status, _, err) = cli_code(rpc, &["contract", "show", "zz"]);
    assert_eq!(status, Some(2), "{err}");
    for (path, status, code) in [
        ("/contract/zz".to_string(), 400, "malformed"),
        (format!("/contract/{}", "0".repeat(65)), 400, "malformed"),
        (
            format!("/contract/{}", "00".repeat(32)),
            404,
            "unknown_contract",
        ),
        ("/code/xyz".to_string(), 400, "malformed"),
        (format!("/code/{}", "00".repeat(32)), 404, "unknown_code"),
        (format!("/code/{hash}?bytes=maybe"), 400, "malformed"),
        ("/contracts?limit=lots".to_string(), 400, "malformed"),
        ("/contracts?from=1".to_string(), 400, "malformed"),
        ("/codes?offset=-1".to_string(), 400, "malformed"),
    ] {
        let (got, v) = http_get(rpc, &path);
        assert_eq!(
            (got, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{path}: {v}"
        );
    }
    // Pages are bounded and keep their order.
    let (status, v) = http_get(rpc, "/contracts?offset=1&limit=100000");
    assert_eq!((status, v["count"].as_u64()), (200, Some(2)), "{v}");
    assert_eq!(v["contracts"][0]["id"], other["contract"]);
}

/// `pool show ID --json` (with bob's position) until `done` holds (at most `secs`).
fn pool_until(rpc: &str, secs: u64, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let (ok, v, err) = cli(rpc, &["pool", "show", "0", "--delegator", "dev:bob"]);
        assert!(ok, "{err}");
        if done(&v) {
            return v;
        }
        assert!(Instant::now() < deadline, "not reached in {secs} s: {v:#}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The pool part of the run: `worker` is cooling down from dev:charlie's own session, its stake
/// reclaimable at block time `reclaimable_at`.
fn pools(rpc: &str, worker: &str, reclaimable_at: u64) {
    const PHA: u128 = 1_000_000_000_000;
    let refused = |args: &[&str], code: &str| {
        let (status, v, err) = cli_code(rpc, args);
        assert_eq!(status, Some(5), "{args:?}: {err}");
        assert_eq!(v["error"]["code"], code, "{args:?}");
    };
    let (ok, v, err) = cli(rpc, &["pool", "list"]);
    assert!(ok, "{err}");
    assert_eq!(v["count"], 0);

    // A commission above 100 % never leaves the CLI.
    let (code, v, err) = cli_code(
        rpc,
        &[
            "pool",
            "create",
            "--commission",
            "101%",
            "--from",
            "dev:charlie",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(v["error"]["kind"], "usage");
    let (ok, created, err) = cli(
        rpc,
        &[
            "pool",
            "create",
            "--commission",
            "10%",
            "--from",
            "dev:charlie",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(created["pool"], 0, "{created:#}");
    assert_eq!(created["transaction"]["status"], "finalized");
    // The worker still has its (cooling-down) session.
    refused(
        &["pool", "add-worker", "0", worker, "--from", "dev:charlie"],
        "stakepool.worker_has_session",
    );

    // bob delegates 20,000 PHA: one share per base unit.
    let (ok, v, err) = cli(
        rpc,
        &["pool", "contribute", "0", "20000", "--from", "dev:bob"],
    );
    assert!(ok, "{err}");
    assert_eq!(v["status"], "finalized", "{v:#}");
    // Bad input: each refused with its code and exit status.
    let (code, v, err) = cli_code(
        rpc,
        &["pool", "contribute", "0", "5", "--from", "dev:nobody"],
    );
    assert_eq!(code, Some(4), "an account without funds: {err}");
    assert_eq!(v["error"]["code"], "insufficient_balance");
    refused(
        &["pool", "contribute", "0", "0.5", "--from", "dev:bob"],
        "stakepool.contribution_too_small",
    );
    refused(
        &["pool", "contribute", "7", "5", "--from", "dev:bob"],
        "stakepool.unknown_pool",
    );
    refused(
        &[
            "pool",
            "withdraw",
            "0",
            "20000.000000000001",
            "--from",
            "dev:bob",
        ],
        "stakepool.not_enough_shares",
    );
    refused(
        &["pool", "claim", "0", "--from", "dev:bob"],
        "stakepool.not_pool_owner",
    );
    let (code, _, err) = cli_code(rpc, &["pool", "withdraw", "0", "0", "--from", "dev:bob"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, v, err) = cli_code(rpc, &["pool", "show", "9"]);
    assert_eq!(code, Some(4), "{err}");
    assert_eq!(v["error"]["code"], "unknown_pool");
    let (status, v) = http_get(rpc, "/pools?limit=lots");
    assert_eq!(
        (status, &v["error"]["code"]),
        (400, &Value::from("malformed"))
    );
    let (status, v) = http_get(rpc, "/workers?offset=-1");
    assert_eq!(
        (status, &v["error"]["code"]),
        (400, &Value::from("malformed"))
    );
    let (status, v) = http_get(rpc, "/pool/first");
    assert_eq!(
        (status, &v["error"]["code"]),
        (400, &Value::from("malformed"))
    );
    let (status, v) = http_get(rpc, "/pool/0?delegator=zz");
    assert_eq!(
        (status, &v["error"]["code"]),
        (400, &Value::from("malformed"))
    );

    // After the cool-down the stake returns to charlie, and the dev worker stays idle (it
    // starts charlie's session once per process), so it can join the pool.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (ok, v, err) = cli(rpc, &["mining", "status", worker]);
        assert!(ok, "{err}");
        if v["workers"][0]["block_time_ms"].as_u64().unwrap() >= reclaimable_at {
            break;
        }
        assert!(Instant::now() < deadline, "the cool-down did not end");
        std::thread::sleep(Duration::from_millis(500));
    }
    let (ok, _, err) = cli(rpc, &["mining", "reclaim", worker, "--from", "dev:charlie"]);
    assert!(ok, "{err}");
    let (ok, _, err) = cli(
        rpc,
        &["pool", "add-worker", "0", worker, "--from", "dev:charlie"],
    );
    assert!(ok, "{err}");
    refused(
        &["pool", "add-worker", "0", worker, "--from", "dev:charlie"],
        "stakepool.worker_in_pool",
    );
    refused(
        &[
            "pool",
            "start",
            "0",
            worker,
            "--stake",
            "30000",
            "--from",
            "dev:charlie",
        ],
        "stakepool.not_enough_free",
    );
    let (ok, _, err) = cli(
        rpc,
        &[
            "pool",
            "start",
            "0",
            worker,
            "--stake",
            "10000",
            "--from",
            "dev:charlie",
        ],
    );
    assert!(ok, "{err}");
    let (ok, v, err) = cli(rpc, &["mining", "status", worker]);
    assert!(ok, "{err}");
    assert_eq!(v["workers"][0]["session"]["owner"]["pool"], 0, "{v:#}");
    // Only the owner may stop it while no withdrawal waits.
    refused(
        &["pool", "stop", "0", worker, "--from", "dev:bob"],
        "stakepool.grace_not_over",
    );

    // Payouts raise the price above 1.
    let v = pool_until(rpc, 120, |v| units(&v["pool"]["rewards"]) > 0);
    let p = &v["pool"];
    assert!(
        p["price"].as_str().unwrap().parse::<f64>().unwrap() > 1.0,
        "{v:#}"
    );
    assert_eq!(p["commission_ppm"], 100_000);
    assert_eq!(units(&p["locked"]), 10_000 * PHA);
    assert_eq!(units(&p["value"]), units(&p["free"]) + units(&p["locked"]));
    assert!(units(&p["commission"]) > 0);
    assert_eq!(p["total_shares"], (20_000 * PHA).to_string());
    assert_eq!(v["workers"][0]["worker"], worker);
    assert_eq!(v["workers"][0]["state"], "mining");
    assert_eq!(units(&v["workers"][0]["stake"]), 10_000 * PHA);
    assert_eq!(v["withdrawal_grace_ms"], 60_000);
    assert_eq!(v["cool_down_ms"], 60_000);
    let position = &v["position"];
    assert_eq!(position["shares"], (20_000 * PHA).to_string());
    assert_eq!(units(&position["contributed"]), 20_000 * PHA);
    let gain: i128 = position["rewards_so_far"]["base_units"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(gain > 0, "{v:#}");

    // bob withdraws everything: the free stake is paid at once, the rest (about the locked
    // 10,000 PHA) waits in the queue.
    let (ok, w, err) = cli(
        rpc,
        &["pool", "withdraw", "0", "--all", "--from", "dev:bob"],
    );
    assert!(ok, "{err}");
    assert_eq!(w["shares"], (20_000 * PHA).to_string(), "{w:#}");
    let paid: u128 = w["paid"].as_str().unwrap().parse().unwrap();
    let queued: u128 = w["queued"].as_str().unwrap().parse().unwrap();
    assert!(paid > 10_000 * PHA, "{w:#}");
    assert!(queued > 5_000 * PHA && queued < 10_000 * PHA, "{w:#}");
    let (ok, v, err) = cli(rpc, &["pool", "show", "0", "--from", "dev:bob"]);
    assert!(ok, "{err}");
    let q = &v["queue"][0];
    assert_eq!(q["delegator"], position["delegator"], "{v:#}");
    let requested = q["requested_ms"].as_u64().unwrap();
    assert_eq!(q["paid_by_ms"].as_u64().unwrap(), requested + 120_000);
    assert_eq!(w["paid_by_ms"].as_u64(), Some(requested + 120_000));
    // Payouts since may have paid part of it.
    let still: u128 = q["shares"].as_str().unwrap().parse().unwrap();
    assert!(still <= queued && still > 0, "{v:#}");
    // (The position's shares are read a moment after the pool: a payment may fall between.)
    assert_eq!(v["position"]["queued_shares"], q["shares"]);
    let held: u128 = v["position"]["shares"].as_str().unwrap().parse().unwrap();
    assert!(held <= queued, "{v:#}");
    assert!(units(&v["position"]["withdrawn"]) >= paid);
    // Nothing left to ask for, and more than held is refused.
    let (code, _, err) = cli_code(
        rpc,
        &["pool", "withdraw", "0", "--all", "--from", "dev:bob"],
    );
    assert_eq!(code, Some(1), "{err}");
    refused(
        &["pool", "withdraw", "0", "1", "--from", "dev:bob"],
        "stakepool.not_enough_shares",
    );

    // The owner takes its commission.
    let (ok, _, err) = cli(rpc, &["pool", "claim", "0", "--from", "dev:charlie"]);
    assert!(ok, "{err}");

    // The text forms.
    let (code, text, err) = cli_text(rpc, &["pool", "show", "0", "--delegator", "dev:bob"]);
    assert_eq!(code, Some(0), "{err}");
    for part in [
        "PHA per share",
        "commission:  10 % of mining payouts",
        "mining, stake 10000 PHA",
        "paid at worst by",
        "rewards so far: +",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    let (code, text, err) = cli_text(rpc, &["pool", "list"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        text.starts_with("1 pool(s)") && text.contains("pool 0: price 1."),
        "{text}"
    );
}
