#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! `phalanx bench queries`, shortened: the worker's real query server in process, the three
//! kinds of query over HTTP (one-shot, session, unencrypted), the cryptography timed alone and
//! the machine's limit, all reported as JSON. A smoke test that the benchmark still runs end to
//! end (its numbers are recorded in docs/BENCHMARKS.md, never asserted).

mod common;

#[test]
fn the_query_benchmark_runs_every_kind_and_reports_them() {
    let (ok, v, err) = common::cli(
        "http://127.0.0.1:9",
        &[
            "bench",
            "queries",
            "--sequential",
            "30",
            "--clients",
            "2",
            "--seconds",
            "1",
        ],
    );
    assert!(ok, "{err}");
    for kind in ["one_shot", "session", "unencrypted"] {
        let mode = &v[kind];
        assert!(mode["p50_ms"].as_f64().unwrap() > 0.0, "{kind}: {v}");
        assert!(
            mode["p99_ms"].as_f64().unwrap() >= mode["p50_ms"].as_f64().unwrap(),
            "{kind}: {v}"
        );
        assert!(
            mode["queries_per_second"].as_f64().unwrap() > 0.0,
            "{kind}: {v}"
        );
    }
    for cost in ["one_shot_us", "session_query_us", "session_open_us"] {
        assert!(v["crypto"][cost].as_f64().unwrap() > 0.0, "{cost}: {v}");
    }
    assert!(v["executor_only_per_second"].as_f64().unwrap() > 0.0, "{v}");
}
