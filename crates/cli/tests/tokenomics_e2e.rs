#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! End to end: on a running `phalanx dev`, every block moves the schedule's emission from the
//! mining reserve to the mining-rewards pot (`phalanx tokenomics`, the block's events), and
//! `phalanx tokenomics schedule` projects the same numbers offline, with a plot.

mod common;

use common::{cli, free_port, start_dev_with, wait_height};
use serde_json::Value;

const PHA: u128 = 1_000_000_000_000;
const RESERVE: u128 = 700_000_000 * PHA;

fn units(v: &Value) -> u128 {
    v["base_units"].as_str().unwrap().parse().unwrap()
}

#[test]
fn emission_on_a_running_chain() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_dev_with(dir.path(), free_port(), &["--no-worker"]);
    wait_height(&node.rpc, 3);

    let (ok, first, err) = cli(&node.rpc, &["tokenomics"]);
    assert!(ok, "{err}");
    let emitted = units(&first["emitted"]);
    assert!(emitted > 0, "{first}");
    assert_eq!(emitted, units(&first["schedule_at_head"]), "{first}");
    assert_eq!(units(&first["pots"]["mining_rewards"]), emitted);
    assert_eq!(units(&first["pots"]["mining_reserve"]), RESERVE - emitted);
    assert_eq!(units(&first["daily_rate"]), 720_000 * PHA);
    assert_eq!(first["period"], 0);

    // Block by block: the rewards grow at 720,000 PHA a day of block time.
    let height = first["finalized_height"].as_u64().unwrap();
    wait_height(&node.rpc, height + 5);
    let (_, second, _) = cli(&node.rpc, &["tokenomics"]);
    let grown = units(&second["emitted"]) - emitted;
    let elapsed = second["elapsed_ms"].as_u64().unwrap() - first["elapsed_ms"].as_u64().unwrap();
    let expected = 720_000 * PHA * elapsed as u128 / 86_400_000;
    assert!(grown.abs_diff(expected) <= 1, "{grown} vs {expected}");
    assert_eq!(
        units(&second["pots"]["mining_reserve"]),
        RESERVE - units(&second["emitted"])
    );

    // The emission is a block event, shown by `phalanx block`.
    let (ok, block, err) = cli(&node.rpc, &["block", "latest"]);
    assert!(ok, "{err}");
    let events = block["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["component"] == "tokenomics" && e["event"] == "emission"),
        "{block}"
    );
    let (code, text, err) = common::cli_text(&node.rpc, &["block", "latest"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(text.contains("tokenomics.emission amount="), "{text}");
    let (code, text, err) = common::cli_text(&node.rpc, &["tokenomics"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(text.contains("720000 PHA per day"), "{text}");
}

#[test]
fn schedule_projection_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("schedule.svg");
    let unused = "http://127.0.0.1:9";
    let (ok, v, err) = cli(
        unused,
        &[
            "tokenomics",
            "schedule",
            "--days",
            "3650",
            "--every",
            "180",
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    let at = |day: u64| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["day"] == day)
            .map(|r| r["cumulative"].as_str().unwrap().parse::<u128>().unwrap())
    };
    assert_eq!(at(180), Some(129_600_000 * PHA));
    assert_eq!(at(360), Some(226_800_000 * PHA));
    assert_eq!(v["limit"], (518_400_000 * PHA).to_string());
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("daily budget"));
    // Bad input: usage errors (exit status 2), nothing written.
    for days in ["0", "36501", "abc"] {
        let (code, _, err) = common::cli_code(unused, &["tokenomics", "schedule", "--days", days]);
        assert_eq!(code, Some(2), "--days {days}: {err}");
        assert!(err.contains("--days"), "{err}");
    }
    let (code, _, err) = common::cli_code(unused, &["tokenomics", "schedule", "--every", "0"]);
    assert_eq!(code, Some(2), "{err}");
    let bad = dir.path().join("schedule.gif");
    let (code, _, err) = common::cli_code(
        unused,
        &["tokenomics", "schedule", "--plot", bad.to_str().unwrap()],
    );
    assert!(
        code == Some(2) && err.contains(".svg") && err.contains(".png"),
        "{err}"
    );
    assert!(!bad.exists());
    // A node that cannot be reached: exit status 3, as for every client command.
    let (code, _, err) = common::cli_code(unused, &["tokenomics"]);
    assert_eq!(code, Some(3), "{err}");
}
