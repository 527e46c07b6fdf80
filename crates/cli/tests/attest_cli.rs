#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! `phalanx attest verify` on the real Intel samples: verified output as JSON, and a precise
//! refusal for mismatched or expired collateral and for garbage.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_phalanx");
const AT: &str = "1751371200"; // 2025-07-01T12:00:00Z, inside the samples' collateral window

fn testdata(name: &str) -> String {
    format!(
        "{}/../attestation/testdata/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn attest(evidence: &str, collateral: &str, at: &str) -> (bool, serde_json::Value, String) {
    let out = Command::new(BIN)
        .args(["--json", "attest", "verify", "--at", at])
        .args(["--evidence", &testdata(evidence)])
        .args(["--collateral", &testdata(collateral)])
        .output()
        .unwrap();
    // With --json, a failure is one JSON error object on stdout.
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let err = if out.status.success() {
        String::from_utf8_lossy(&out.stderr).to_string()
    } else {
        assert_eq!(json["error"]["kind"], "other", "{json}");
        json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    (out.status.success(), json, err)
}

#[test]
fn samples_verify_and_bad_evidence_is_refused_precisely() {
    let (ok, v, err) = attest("tdx_quote", "tdx_quote_collateral.json", AT);
    assert!(ok, "{err}");
    assert_eq!(v["tee"], "tdx");
    assert_eq!(v["tcb_status"], "UpToDate");
    let (ok, v, err) = attest("sgx_quote", "sgx_quote_collateral.json", AT);
    assert!(ok, "{err}");
    assert_eq!(v["tee"], "sgx");
    assert_eq!(v["confidence"], 3);

    let (ok, _, err) = attest("tdx_quote", "sgx_quote_collateral.json", AT);
    assert!(
        !ok && err.contains("REFUSED") && err.contains("QE"),
        "{err}"
    );
    let (ok, _, err) = attest("sgx_quote", "sgx_quote_collateral.json", "1790000000");
    assert!(!ok && err.contains("REFUSED"), "{err}");
    let (ok, _, err) = attest("README.md", "sgx_quote_collateral.json", AT);
    assert!(!ok && err.contains("REFUSED"), "{err}");
    let (ok, _, err) = attest("sgx_quote", "README.md", AT);
    assert!(!ok && err.contains("collateral"), "{err}");
}

#[test]
fn simulated_evidence_round_trips_and_is_labelled() {
    let dir = tempfile::tempdir().unwrap();
    let quote = dir.path().join("quote");
    let collateral = dir.path().join("collateral.json");
    let out = Command::new(BIN)
        .args(["--json", "attest", "simulate", "--report-data", "0x1234"])
        .arg("--evidence")
        .arg(&quote)
        .arg("--collateral")
        .arg(&collateral)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verify = |simulated: bool| {
        let mut cmd = Command::new(BIN);
        cmd.args(["--json", "attest", "verify", "--evidence"])
            .arg(&quote)
            .arg("--collateral")
            .arg(&collateral);
        if simulated {
            cmd.args(["--kind", "sim"]);
        }
        cmd.output().unwrap()
    };
    let out = verify(true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["simulated"], true);
    assert!(v["report_data"].as_str().unwrap().starts_with("1234000"));
    // As a hardware quote it is checked against Intel's root, and refused.
    let out = verify(false);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("REFUSED"));
}

#[test]
fn the_real_snp_sample_verifies_and_a_wrong_vcek_is_refused() {
    let run = |vcek: &str| {
        Command::new(BIN)
            .args(["--json", "attest", "verify", "--kind", "snp", "--at", AT])
            .args(["--evidence", &testdata("report_milan.hex")])
            .args(["--collateral", &testdata(vcek)])
            .output()
            .unwrap()
    };
    let out = run("vcek_milan.der");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tee"], "snp");
    assert_eq!(v["measurement"]["product"], "Milan-B0");
    let out = run("sgx_quote_collateral.json");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("VCEK certificate is"));
}
