#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! `phalanx bench dkg`: a whole threshold round in process, reported as JSON, and a clear
//! refusal of a gatekeeper count outside the registry's limit. (The timings themselves are
//! recorded in docs/BENCHMARKS.md, never asserted.)

mod common;

/// `phalanx bench dkg --gatekeepers N --json` (no node is needed; the RPC flag is unused).
fn bench(gatekeepers: &str) -> (bool, serde_json::Value, String) {
    common::cli(
        "http://127.0.0.1:9",
        &["bench", "dkg", "--gatekeepers", gatekeepers],
    )
}

#[test]
fn a_round_runs_and_reports_every_step_and_bad_counts_are_refused() {
    let (ok, v, err) = bench("4");
    assert!(ok, "{err}");
    assert_eq!(v["gatekeepers"], 4);
    assert_eq!(v["threshold"], 3);
    for step in [
        "deal_per_dealer",
        "acknowledge_per_dealing",
        "check_log_mean",
        "observe",
        "player_share",
        "recover_cluster_key",
    ] {
        assert!(v["ms"][step].as_f64().unwrap() > 0.0, "{step}: {v}");
    }
    let limit = v["bytes"]["limit"].as_u64().unwrap();
    assert!(
        v["bytes"]["signed_log_max"].as_u64().unwrap() < limit,
        "{v}"
    );
    assert!(err.contains("acknowledging 16 dealings"), "{err}");

    for bad in ["0", "65"] {
        let (ok, _, err) = bench(bad);
        assert!(!ok);
        assert!(err.contains("between 1 and 64"), "{err}");
    }
}
