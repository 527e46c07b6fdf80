#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! `phalanx keys` and the CLI's errors without a node: a new key's password is read without
//! echo on a terminal and asked twice (a mismatch writes nothing), `$PHALANX_PASSWORD` needs no
//! confirmation, an unknown key name says so, and errors have their exit status and, with
//! `--json`, a JSON form on stdout.

mod common;

use common::{BIN, free_port};
use serde_json::Value;
use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `phalanx ARGS…` with `$PHALANX_HOME` = `home`, feeding `stdin`.
fn phalanx(home: &std::path::Path, args: &[&str], password: Option<&str>, stdin: &str) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("PHALANX_HOME", home)
        .env_remove("PHALANX_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = password {
        cmd.env("PHALANX_PASSWORD", p);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

#[test]
fn a_new_key_s_password_is_confirmed_and_unknown_names_say_so() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");

    // Two different lines: refused, nothing written.
    let out = phalanx(home.path(), &["keys", "new", "k1"], None, "one\ntwo\n");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("the two passwords differ; no key was written"));
    assert!(!keys.join("k1.json").exists());
    // The same line twice: written, and the password appears nowhere in the output.
    let out = phalanx(
        home.path(),
        &["--json", "keys", "new", "k1"],
        None,
        "secret-1\nsecret-1\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created["name"], "k1");
    assert!(keys.join("k1.json").exists());
    assert!(!text(&out.stdout).contains("secret-1") && !text(&out.stderr).contains("secret-1"));
    // $PHALANX_PASSWORD: no prompt, no confirmation.
    let out = phalanx(home.path(), &["keys", "new", "k2"], Some("pw"), "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("password"),
        "{}",
        text(&out.stderr)
    );

    // An empty $PHALANX_PASSWORD is not a password.
    let out = phalanx(home.path(), &["keys", "new", "k3"], Some(""), "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("empty"), "{}", text(&out.stderr));
    assert!(!keys.join("k3.json").exists());

    // An unknown name: what is missing, and how to list what exists.
    let out = phalanx(home.path(), &["keys", "show", "nosuchkey"], None, "");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("no key named `nosuchkey`"), "{err}");
    assert!(err.contains("phalanx keys list"), "{err}");
    assert!(!err.contains("No such file"), "{err}");
    let rpc = format!("http://127.0.0.1:{}", free_port());
    let out = phalanx(
        home.path(),
        &[
            "--rpc",
            &rpc,
            "--json",
            "transfer",
            "--from",
            "nosuchkey",
            "--to",
            "dev:bob",
            "--amount",
            "1",
        ],
        None,
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "other");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no key named `nosuchkey`"),
        "{v}"
    );
    // The stored key signs after its password (one line of stdin): the node is down, so the
    // error is that one.
    let out = phalanx(
        home.path(),
        &[
            "--rpc", &rpc, "transfer", "--from", "k1", "--to", "dev:bob", "--amount", "1",
        ],
        None,
        "secret-1\n",
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot reach the node"));
}

#[test]
fn errors_have_their_exit_status_and_json_form() {
    let home = tempfile::tempdir().unwrap();
    let rpc = format!("http://127.0.0.1:{}", free_port());
    // Nothing listens: 3, as text or JSON.
    let out = phalanx(home.path(), &["--rpc", &rpc, "info"], None, "");
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).starts_with("error: cannot reach the node"));
    let out = phalanx(
        home.path(),
        &["--rpc", &rpc, "--json", "balance", "dev:bob"],
        None,
        "",
    );
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "unreachable");
    assert_eq!(v["error"]["exit_code"], 3);
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    // A zero transfer is a usage error (2), before anything is signed or sent.
    let transfer = [
        "transfer",
        "--from",
        "dev:alice",
        "--to",
        "dev:bob",
        "--amount",
        "0",
    ];
    let out = phalanx(home.path(), &transfer, None, "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("more than 0 PHA"));
    let mut json_args = vec!["--json"];
    json_args.extend(transfer);
    let out = phalanx(home.path(), &json_args, None, "");
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "usage");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("more than 0 PHA")
    );
    // The statuses are documented in the top-level help.
    let out = phalanx(home.path(), &["--help"], None, "");
    assert!(out.status.success());
    let help = text(&out.stdout);
    for line in [
        "Exit status:",
        "  3  cannot reach the node",
        "  5  the transaction",
    ] {
        assert!(help.contains(line), "{help}");
    }
}

/// On a terminal the password is not echoed, and is asked twice.
#[test]
fn on_a_terminal_the_password_is_not_echoed() {
    let home = tempfile::tempdir().unwrap();
    let pty = nix::pty::openpty(None, None).unwrap();
    let child = Command::new(BIN)
        .args(["keys", "new", "tty-key"])
        .env("PHALANX_HOME", home.path())
        .env_remove("PHALANX_PASSWORD")
        .stdin(Stdio::from(pty.slave.try_clone().unwrap()))
        .stderr(Stdio::from(pty.slave.try_clone().unwrap()))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(pty.slave);
    // Everything the terminal shows: the prompts, and an echo if there were one.
    let mut master = std::fs::File::from(pty.master);
    let mut writer = master.try_clone().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        // Ends with an error (EIO) once the child has closed the terminal.
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut screen = String::new();
    let wait_for = |needle: &str, screen: &mut String| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !screen.contains(needle) {
            let chunk = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("no `{needle}` on the terminal: {screen:?}"));
            screen.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    wait_for("password for the new key: ", &mut screen);
    writer.write_all(b"tty-secret\n").unwrap();
    wait_for("the same password again: ", &mut screen);
    writer.write_all(b"tty-secret\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{screen:?}");
    assert!(text(&out.stdout).contains("created key `tty-key`"));
    assert!(home.path().join("keys/tty-key.json").exists());
    while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(200)) {
        screen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(!screen.contains("tty-secret"), "echoed: {screen:?}");
}
