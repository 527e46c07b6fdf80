#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! End to end, the README's confidential-contract walkthrough on a real `phalanx dev` (with its
//! simulated-TEE worker): upload the counter example, instantiate it, wait for its cluster to
//! publish its keys, send encrypted commands, query the worker, and then look for the
//! plaintext everywhere the chain, the node and the worker keep anything (the data directory)
//! and in the logs: it must be nowhere. And the refusals a user meets on the way, the
//! sealed-bid auction, and a contract on a cluster of chosen workers.

mod common;

use common::{BIN, cli, cli_code, free_port};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the test stores in the contract and then looks for.
const SECRET: &str = "PLAINTEXT-never-on-disk-7f3a91";

fn example(name: &str) -> String {
    format!(
        "{}/../../contracts/wasm/{name}.wasm",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The SDK's encoding of a string or byte vector: a little-endian u32 length, then the bytes.
fn bytes_arg(bytes: &[u8]) -> Vec<u8> {
    let mut out = (bytes.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(bytes);
    out
}

/// Every file under `dir`, recursively.
fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Waits (at most 120 s) until the contract's cluster has published its keys.
fn wait_for_keys(rpc: &str, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (ok, v, err) = cli(rpc, &["contract", "show", id]);
        assert!(ok, "{err}");
        if !v["contract"]["keys"].is_null() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the cluster never published the keys: {v}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// `phalanx contract upload` of the example `name`, by alice.
fn upload(rpc: &str, name: &str) -> (Option<i32>, Value, String) {
    let file = example(name);
    cli_code(rpc, &["contract", "upload", &file, "--from", "dev:alice"])
}

/// `phalanx contract instantiate CODE_HASH --salt-text SALT` by alice, on `cluster`.
fn instantiate(
    rpc: &str,
    code_hash: &str,
    salt: &str,
    cluster: &str,
) -> (Option<i32>, Value, String) {
    cli_code(
        rpc,
        &[
            "contract",
            "instantiate",
            code_hash,
            "--cluster",
            cluster,
            "--salt-text",
            salt,
            "--from",
            "dev:alice",
        ],
    )
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_confidential_contract_end_to_end_leaves_no_plaintext_behind() {
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let log_path = logs.path().join("dev.log");
    let query_port = free_port();
    let mut child = Command::new(BIN)
        .args([
            "dev",
            "--rpc-addr",
            "127.0.0.1:0",
            "--block-interval-ms",
            "50",
        ])
        .args(["--p2p-addr", &format!("127.0.0.1:{}", free_port())])
        .args(["--query-addr", &format!("127.0.0.1:{query_port}")])
        .arg("--data-dir")
        .arg(data.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let rpc = loop {
        let line = lines.next().expect("dev exited early").unwrap();
        if let Some(url) = line.trim().strip_prefix("RPC:") {
            break url.trim().to_string();
        }
    };
    // The banner's balances are read from the node once its genesis state is readable: a
    // fresh chain shows the funding, not an empty account.
    let alice = loop {
        let line = lines.next().expect("dev exited early").unwrap();
        if line.contains("dev:alice") {
            break line;
        }
    };
    assert!(alice.ends_with(" 1000000 PHA"), "{alice}");
    std::thread::spawn(move || for _ in lines {});
    let node = common::Node { child, rpc };
    let rpc = node.rpc.clone();
    let worker = format!("http://127.0.0.1:{query_port}");
    common::wait_height(&rpc, 1);
    // The dev worker becomes the first gatekeeper and makes the master key the contract's keys
    // derive from.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, keys) = common::http_get(&rpc, "/keys");
        if status == 200
            && keys["master_public_keys"]
                .as_array()
                .is_some_and(|k| !k.is_empty())
        {
            break;
        }
        assert!(Instant::now() < deadline, "no master key: {keys}");
        std::thread::sleep(Duration::from_millis(300));
    }

    // Upload and instantiate.
    let (code, v, err) = upload(&rpc, "counter");
    assert_eq!(code, Some(0), "{err}");
    let code_hash = v["code_hash"].as_str().unwrap().to_string();
    let (code, v, _) = upload(&rpc, "counter");
    assert_eq!(
        code,
        Some(4),
        "the same code again is refused before sending: {v}"
    );
    let (code, v, err) = instantiate(&rpc, &code_hash, "walkthrough", "0");
    assert_eq!(code, Some(0), "{err}");
    let id = v["contract"].as_str().unwrap().to_string();

    // The dev worker (a gatekeeper holding the cluster key) publishes the contract's keys.
    wait_for_keys(&rpc, &id);

    // Encrypted commands: store the secret under the caller's key, then count.
    let mut put = vec![1u8];
    put.extend(bytes_arg(b"diary"));
    put.extend(bytes_arg(SECRET.as_bytes()));
    let (ok, v, err) = cli(
        &rpc,
        &[
            "contract",
            "call",
            &id,
            "--input",
            &hex::encode(&put),
            "--from",
            "dev:alice",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(v["succeeded"], Value::Bool(true), "{v}");
    let mut inc = vec![0u8];
    inc.extend(5u64.to_le_bytes());
    let (ok, v, err) = cli(
        &rpc,
        &[
            "contract",
            "call",
            &id,
            "--input",
            &hex::encode(&inc),
            "--from",
            "dev:bob",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(
        v["output"],
        Value::String(hex::encode(5u64.to_le_bytes())),
        "{v}"
    );
    assert!(v["fuel_used"].as_u64().unwrap() > 0);
    // What the fuel cost: at contracts.gas_price, in base units and in PHA.
    let (_, chain, _) = cli(&rpc, &["info"]);
    let price: u128 = chain["params"]["contracts"]["gas_price"]
        .as_str()
        .map(|p| p.parse().unwrap())
        .or_else(|| {
            chain["params"]["contracts"]["gas_price"]
                .as_u64()
                .map(u128::from)
        })
        .unwrap_or_else(|| panic!("no gas price in {chain}"));
    let paid: u128 = v["gas_paid"].as_str().unwrap().parse().unwrap();
    assert_eq!(paid, u128::from(v["fuel_used"].as_u64().unwrap()) * price);
    assert!(v["gas_paid_pha"].as_str().is_some(), "{v}");
    // Its gas is settled: nothing to give back (checked with proofs before anything is sent).
    for (seq, code) in [
        ("0", "contracts.command_recorded"),
        ("99", "contracts.unknown_command"),
    ] {
        let (exit, v, _) = cli_code(&rpc, &["contract", "expire", &id, seq, "--from", "dev:bob"]);
        assert_eq!(
            (exit, v["error"]["code"].as_str()),
            (Some(4), Some(code)),
            "{v}"
        );
    }
    // A command the contract refuses: reverted, its message back to the caller only.
    let (ok, v, err) = cli(
        &rpc,
        &[
            "contract", "call", &id, "--input", "09", "--from", "dev:bob",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(v["succeeded"], Value::Bool(false));
    assert!(v["error"].as_str().unwrap().contains("unknown tag"), "{v}");

    // Encrypted queries, straight to the worker: alice reads her value; bob reads nothing.
    let mut get = vec![1u8];
    get.extend(bytes_arg(b"diary"));
    let get = hex::encode(&get);
    let (ok, v, err) = cli(
        &rpc,
        &[
            "contract",
            "query",
            &id,
            "--input",
            &get,
            "--worker",
            &worker,
            "--from",
            "dev:alice",
        ],
    );
    assert!(ok, "{err}");
    let mut expected = vec![1u8];
    expected.extend(bytes_arg(SECRET.as_bytes()));
    assert_eq!(v["output"], Value::String(hex::encode(&expected)), "{v}");
    // The Rust API's session: the worker checked once, the session opened on the first query
    // and reused; the same answer as the one-shot query.
    let contract: [u8; 32] = hex::decode(&id).unwrap().try_into().unwrap();
    let session = phalanx_client::confidential::QuerySession::connect(
        &rpc,
        &worker,
        phalanx_crypto::dev_key("alice"),
    )
    .unwrap();
    for _ in 0..3 {
        let view = session
            .query(&contract, &hex::decode(&get).unwrap())
            .unwrap();
        assert_eq!(
            view.outcome,
            phalanx_contracts::sealed::CommandOutcome::Output(expected.clone())
        );
    }
    let (ok, v, err) = cli(
        &rpc,
        &[
            "contract", "query", &id, "--input", &get, "--worker", &worker, "--from", "dev:bob",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(
        v["output"],
        Value::String("00".into()),
        "bob has no value: {v}"
    );
    let (ok, v, err) = cli(
        &rpc,
        &[
            "contract", "query", &id, "--input", "00", "--worker", &worker, "--from", "dev:bob",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(v["output"], Value::String(hex::encode(5u64.to_le_bytes())));
    // With the ABI file: the method by name, the output decoded.
    let abi = format!(
        "{}/../../contracts/counter/abi.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let query_count = [
        "contract", "query", &id, "--abi", &abi, "--method", "count", "--worker", &worker,
        "--from", "dev:bob",
    ];
    let (ok, v, err) = cli(&rpc, &query_count);
    assert!(ok, "{err}");
    assert_eq!(v["decoded"], Value::from(5u64), "{v}");
    let increment = [
        "contract",
        "call",
        &id,
        "--abi",
        &abi,
        "--method",
        "increment",
        "--arg",
        "2",
        "--from",
        "dev:bob",
    ];
    let (ok, v, err) = cli(&rpc, &increment);
    assert!(ok, "{err}");
    assert_eq!(v["decoded"], Value::from(7u64), "{v}");
    let unknown_method = [
        "contract", "call", &id, "--abi", &abi, "--method", "nope", "--from", "dev:bob",
    ];
    let (code, _, _) = cli_code(&rpc, &unknown_method);
    assert_eq!(
        code,
        Some(2),
        "an unknown method is a usage error, nothing sent"
    );

    // Refusals: a contract the worker does not run; no query server there.
    let (code, _, _) = cli_code(
        &rpc,
        &[
            "contract",
            "query",
            &"ab".repeat(32),
            "--input",
            "00",
            "--worker",
            &worker,
            "--from",
            "dev:bob",
        ],
    );
    assert_eq!(code, Some(4));
    let (code, _, _) = cli_code(
        &rpc,
        &[
            "contract",
            "query",
            &id,
            "--input",
            "00",
            "--worker",
            &format!("http://127.0.0.1:{}", free_port()),
            "--from",
            "dev:bob",
        ],
    );
    assert_eq!(code, Some(3));

    // The sealed-bid auction: bids stay secret; closing publishes only the winner and price.
    let (code, v, err) = upload(&rpc, "auction");
    assert_eq!(code, Some(0), "{err}");
    let auction_hash = v["code_hash"].as_str().unwrap().to_string();
    let (code, v, err) = instantiate(&rpc, &auction_hash, "auction", "0");
    assert_eq!(code, Some(0), "{err}");
    let auction = v["contract"].as_str().unwrap().to_string();
    wait_for_keys(&rpc, &auction);
    let (_, info, _) = cli(&rpc, &["info"]);
    // Blocks come every 50 ms here: 400 leave the bids below 20 s even on a slow machine.
    let end = info["finalized"]["height"].as_u64().unwrap() + 400;
    let call = |from: &str, input: Vec<u8>| {
        let (ok, v, err) = cli(
            &rpc,
            &[
                "contract",
                "call",
                &auction,
                "--input",
                &hex::encode(input),
                "--from",
                from,
            ],
        );
        assert!(ok, "{err}");
        v
    };
    let mut open = vec![0u8];
    open.extend(end.to_le_bytes());
    open.extend(100u64.to_le_bytes());
    assert_eq!(call("dev:alice", open)["succeeded"], Value::Bool(true));
    let bid = |amount: u64| {
        let mut input = vec![1u8];
        input.extend(amount.to_le_bytes());
        input
    };
    assert_eq!(call("dev:bob", bid(500))["succeeded"], Value::Bool(true));
    assert_eq!(
        call("dev:charlie", bid(300))["succeeded"],
        Value::Bool(true)
    );
    let early = call("dev:bob", vec![2]);
    assert_eq!(
        early["error"],
        Value::String("reverted: bidding has not ended".into())
    );
    common::wait_height(&rpc, end);
    let closed = call("dev:charlie", vec![2]);
    let bob = commonware_cryptography::Signer::public_key(&phalanx_crypto::dev_key("bob"));
    let mut winner = vec![1u8];
    winner.extend(phalanx_types::AccountId::from(bob).as_bytes());
    winner.extend(500u64.to_le_bytes());
    assert_eq!(
        closed["output"],
        Value::String(hex::encode(&winner)),
        "{closed}"
    );
    // The chain's only trace of the bids: one public event, the winner and price.
    let (ok, events, err) = cli(
        &rpc,
        &[
            "events",
            "--kind",
            "contracts.contract_event",
            "--from",
            "1",
        ],
    );
    assert!(ok, "{err}");
    let published: Vec<&Value> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.to_string().contains(&auction))
        .collect();
    assert_eq!(published.len(), 1, "{events}");
    assert!(
        !published[0]
            .to_string()
            .contains(&hex::encode(300u64.to_le_bytes())),
        "the losing bid stays secret"
    );
    assert!(
        published[0].to_string().contains(&hex::encode(&winner)),
        "{}",
        published[0]
    );

    // A cluster of chosen workers: the root creates it from the dev worker, the gatekeeper
    // sends the member its share of the cluster's key, and a contract on it runs there.
    let (_, workers) = common::http_get(&rpc, "/workers");
    let dev_worker = workers["workers"][0]["identity"]
        .as_str()
        .unwrap()
        .to_string();
    let create = |from: &str, member: &str| {
        cli_code(
            &rpc,
            &["cluster", "create", "--member", member, "--from", from],
        )
    };
    let (code, v, _) = create("dev:bob", &dev_worker);
    assert_eq!(code, Some(4), "only the root creates clusters: {v}");
    let (code, v, _) = create("dev:alice", "dev:nobody");
    assert_eq!(
        (code, v["error"]["code"].as_str()),
        (Some(4), Some("contracts.unknown_worker")),
        "{v}"
    );
    let (code, v, err) = create("dev:alice", &dev_worker);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["cluster"], Value::from(1u32), "{v}");
    let (ok, v, err) = cli(&rpc, &["cluster", "show", "1"]);
    assert!(ok, "{err}");
    assert_eq!(
        v["cluster"]["members"][0],
        Value::String(dev_worker.clone())
    );
    let on_cluster = |cluster: &str| instantiate(&rpc, &code_hash, "cluster one", cluster);
    let (code, v, _) = on_cluster("9");
    assert_eq!(code, Some(4), "no cluster 9: {v}");
    let (code, v, err) = on_cluster("1");
    assert_eq!(code, Some(0), "{err}");
    let clustered = v["contract"].as_str().unwrap().to_string();
    wait_for_keys(&rpc, &clustered);
    let (ok, v, err) = cli(&rpc, &["contract", "show", &clustered]);
    assert!(ok, "{err}");
    assert_eq!(v["contract"]["cluster"], Value::from(1u32));
    assert_ne!(
        v["contract"]["keys"]["encryption_key"],
        Value::Null,
        "the member derived the contract's keys from cluster 1's key"
    );
    let increment_there = [
        "contract",
        "call",
        &clustered,
        "--abi",
        &abi,
        "--method",
        "increment",
        "--arg",
        "3",
        "--from",
        "dev:bob",
    ];
    let (ok, v, err) = cli(&rpc, &increment_there);
    assert!(ok, "{err}");
    assert_eq!(v["decoded"], Value::from(3u64), "{v}");
    let count_there = [
        "contract", "query", &clustered, "--abi", &abi, "--method", "count", "--worker", &worker,
        "--from", "dev:bob",
    ];
    let (ok, v, err) = cli(&rpc, &count_there);
    assert!(ok, "{err}");
    assert_eq!(v["decoded"], Value::from(3u64), "{v}");

    // Stop everything, then look for the secret, as text and as hex, in every file the chain,
    // the node and the worker wrote, and in the logs.
    drop(node);
    let mut all = Vec::new();
    files(data.path(), &mut all);
    assert!(
        all.len() > 5,
        "the data directory holds the chain and the worker"
    );
    let hex_secret = hex::encode(SECRET);
    for path in all.iter().chain(std::iter::once(&log_path)) {
        let bytes = std::fs::read(path).unwrap();
        assert!(
            !contains(&bytes, SECRET.as_bytes()),
            "plaintext in {}",
            path.display()
        );
        assert!(
            !contains(&bytes, hex_secret.as_bytes()),
            "hex plaintext in {}",
            path.display()
        );
    }
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("executed a contract command"),
        "the worker logged its work"
    );
}
