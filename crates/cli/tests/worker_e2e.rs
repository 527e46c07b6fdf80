#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! In `phalanx dev`, a worker with simulated evidence registers through the CLI and is listed as
//! simulated; the registry root promotes it to gatekeeper; a dev chain whose spec forbids
//! simulation refuses the same registration and its registry stays empty.

mod common;

use common::{cli, cli_code, free_port, start_dev, start_dev_with, wait_height};

#[test]
fn simulated_worker_registers_on_dev_and_is_refused_where_forbidden() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_dev(&dir.path().join("chain"), free_port());
    wait_height(&node.rpc, 1);
    let worker_dir = dir.path().join("worker");
    let worker_dir = worker_dir.to_str().unwrap();
    let register = |rpc: &str, operator: &str| {
        cli(
            rpc,
            &[
                "worker",
                "register",
                "--tee",
                "sim",
                "--operator",
                operator,
                "--data-dir",
                worker_dir,
            ],
        )
    };

    let (ok, v, err) = register(&node.rpc, "dev:bob");
    assert!(ok, "{err}");
    let worker = &v["worker"];
    assert_eq!(worker["simulated"], true);
    assert_eq!(worker["tee"], "sgx");
    assert_eq!(worker["tcb_status"], "UpToDate");
    assert!(worker["warning"].as_str().unwrap().contains("SIMULATED"));
    let id = worker["identity"].as_str().unwrap().to_string();

    let (ok, list, err) = cli(&node.rpc, &["worker", "list"]);
    assert!(ok, "{err}");
    assert_eq!(list["count"], 1);
    assert_eq!(list["workers"][0]["identity"], id.as_str());
    assert_eq!(list["workers"][0]["simulated"], true);
    assert_eq!(list["policy"]["allow_simulated"], true);

    // Registering again (same keys, from the key file) refreshes the record.
    let (ok, v, err) = register(&node.rpc, "dev:bob");
    assert!(ok, "{err}");
    assert_eq!(v["worker"]["identity"], id.as_str());
    assert!(v["worker"]["last_attested_ms"].as_u64() > worker["last_attested_ms"].as_u64());
    // Another operator cannot take the worker over: included, failed in its block (status 5).
    let (code, v, err) = cli_code(
        &node.rpc,
        &[
            "worker",
            "register",
            "--tee",
            "sim",
            "--operator",
            "dev:charlie",
            "--data-dir",
            worker_dir,
        ],
    );
    assert_eq!(code, Some(5), "{err}");
    assert_eq!(v["error"]["code"], "registry.operator_mismatch");

    // Only the registry root promotes gatekeepers.
    // (Included and failed in its block: exit status 5, the chain's code in the JSON error.)
    let (code, v, err) = cli_code(&node.rpc, &["worker", "promote", &id, "--from", "dev:bob"]);
    assert_eq!(code, Some(5), "{err}");
    assert_eq!(
        (v["error"]["kind"].as_str(), v["error"]["code"].as_str()),
        (Some("failed"), Some("registry.not_root"))
    );
    let (ok, _, err) = cli(
        &node.rpc,
        &["worker", "promote", &id, "--from", "dev:alice"],
    );
    assert!(ok, "{err}");
    let (ok, shown, err) = cli(&node.rpc, &["worker", "show", &id]);
    assert!(ok, "{err}");
    assert_eq!(shown["gatekeeper"], true);
    let (ok, list, _) = cli(&node.rpc, &["worker", "list"]);
    assert!(ok);
    assert_eq!(list["gatekeepers"][0], id.as_str());

    // The root freezes new registrations: a second worker is refused, the first still refreshes.
    let (ok, policy, err) = cli(&node.rpc, &["worker", "policy"]);
    assert!(ok, "{err}");
    let mut frozen = policy.clone();
    frozen["registrations_frozen"] = true.into();
    let policy_file = dir.path().join("policy.json");
    std::fs::write(&policy_file, frozen.to_string()).unwrap();
    let policy_file = policy_file.to_str().unwrap();
    let set_policy = |from: &str| {
        cli(
            &node.rpc,
            &["worker", "policy", "--set", policy_file, "--from", from],
        )
    };
    let (ok, _, err) = set_policy("dev:bob");
    assert!(!ok && err.contains("not_root"), "{err}");
    let (ok, _, err) = set_policy("dev:alice");
    assert!(ok, "{err}");
    let other_worker = dir.path().join("worker-2");
    let (ok, _, err) = cli(
        &node.rpc,
        &[
            "worker",
            "register",
            "--tee",
            "sim",
            "--operator",
            "dev:bob",
            "--data-dir",
            other_worker.to_str().unwrap(),
        ],
    );
    assert!(!ok && err.contains("registrations_frozen"), "{err}");
    let (ok, _, err) = register(&node.rpc, "dev:bob");
    assert!(ok, "{err}");
    drop(node);

    // A chain whose spec forbids simulation refuses the same worker.
    let strict = start_dev_with(
        &dir.path().join("strict"),
        free_port(),
        &["--forbid-simulated-tee"],
    );
    wait_height(&strict.rpc, 1);
    // The worker's state belongs to the first chain: it says so instead of following another.
    let (ok, _, err) = register(&strict.rpc, "dev:bob");
    assert!(!ok);
    assert!(err.contains("use another --data-dir"), "{err}");
    let strict_worker = dir.path().join("strict-worker");
    let (ok, _, err) = cli(
        &strict.rpc,
        &[
            "worker",
            "register",
            "--tee",
            "sim",
            "--operator",
            "dev:bob",
            "--data-dir",
            strict_worker.to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(err.contains("simulated_not_allowed"), "{err}");
    let (ok, list, _) = cli(&strict.rpc, &["worker", "list"]);
    assert!(ok);
    assert_eq!(list["count"], 0);
    assert_eq!(list["policy"]["allow_simulated"], false);

    // Hardware paths: `auto` on a machine without a TEE says so; a Gramine-style producer's
    // quote reaches the chain, which judges it (this fake quote is not a valid DCAP quote).
    let empty = dir.path().join("no-tee");
    std::fs::create_dir_all(&empty).unwrap();
    let empty = empty.to_str().unwrap();
    // A Gramine worker seals its state with the enclave's sealing key: its own directory.
    let hw_worker = dir.path().join("hw-worker");
    let hw_worker = hw_worker.to_str().unwrap();
    let hw = |tee: &str, gramine: &str, collateral: Option<&str>| {
        let mut args = vec![
            "worker",
            "register",
            "--tee",
            tee,
            "--operator",
            "dev:bob",
            "--data-dir",
            hw_worker,
            "--gramine-dir",
            gramine,
            "--tsm-dir",
            empty,
        ];
        if let Some(c) = collateral {
            args.extend(["--collateral", c]);
        }
        cli(&strict.rpc, &args)
    };
    let (ok, _, err) = hw("auto", empty, None);
    assert!(!ok && err.contains("found no TEE"), "{err}");
    let gramine = dir.path().join("gramine");
    std::fs::create_dir_all(&gramine).unwrap();
    std::fs::write(gramine.join("attestation_type"), "dcap").unwrap();
    std::fs::write(gramine.join("quote"), b"not really a quote").unwrap();
    std::fs::create_dir_all(gramine.join("keys")).unwrap();
    std::fs::write(gramine.join("keys/_sgx_mrenclave"), [9u8; 16]).unwrap();
    let gramine = gramine.to_str().unwrap();
    let (ok, _, err) = hw("sgx", gramine, None);
    assert!(!ok && err.contains("--collateral"), "{err}");
    let collateral = format!(
        "{}/../attestation/testdata/sgx_quote_collateral.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let (ok, _, err) = hw("auto", gramine, Some(&collateral));
    assert!(!ok && err.contains("evidence_invalid"), "{err}");

    // Bad input: a malformed id, an unknown worker.
    let (ok, _, err) = cli(&strict.rpc, &["worker", "show", "zz"]);
    assert!(!ok && err.contains("worker id"), "{err}");
    let (ok, _, err) = cli(&strict.rpc, &["worker", "show", &id]);
    assert!(!ok && err.contains("no worker"), "{err}");
}
