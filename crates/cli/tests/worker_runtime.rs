#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The worker runtime against a real `phalanx dev` node:
//!
//! * a node that lies (changed header, dropped header, broken certificate, forged state value,
//!   wrong state root) is refused with the specific error, and the worker does not advance;
//! * the worker process registers itself on first start, and after SIGKILL at any moment it
//!   resumes from its sealed state with the same keys;
//! * `phalanx dev`'s worker becomes the first gatekeeper and runs the first DKG round; a second
//!   worker recovers its cluster key from the gatekeeper's partial signature; a third worker is
//!   promoted and the master key is reshared 2-of-2 (same group key); a rotation runs a fresh
//!   DKG and every worker recovers the same new cluster key, and a worker registered after
//!   it recovers both generations' keys, all checked in the workers' sealed state; a contract
//!   on a cluster of one chosen worker gets its keys and results from that worker alone, and
//!   the others skip it;
//! * a key share sealed to another key, DKG messages from non-gatekeepers and stale rounds,
//!   replayed, skipped and forged messages are refused, and the worker goes on.

mod common;

use common::{cli, free_port, start_dev, start_dev_with, wait_height};
use phalanx_client::api::{
    ChainResponse, CheckpointResponse, HeadersQuery, HeadersResponse, StateRequest, StateResponse,
};
use phalanx_consensus::{light::LightError, spec::ChainSpec};
use phalanx_state::ProofError;
use phalanx_worker::{
    chain::{ChainError, HttpSource, Source},
    run::{Worker, WorkerConfig},
    seal::Sealer,
    store::{Store, WorkerState},
    tee::TeeSource,
};
use serde_json::Value;
use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_phalanx");

#[derive(Clone, Copy, Debug)]
enum Lie {
    ChangeHeader,
    DropHeader,
    BreakCertificate,
    ForgeValue,
    WrongRoot,
}

/// A node that passes everything through except the one lie it tells.
struct Liar {
    honest: HttpSource,
    lie: Lie,
}

/// Flips one bit of byte `at` (or of the last byte).
fn flip(bytes: &mut [u8], at: usize) {
    let i = at.min(bytes.len() - 1);
    bytes[i] ^= 0x01;
}

impl Source for Liar {
    fn chain(&self) -> Result<ChainResponse, String> {
        self.honest.chain()
    }

    fn chain_spec(&self) -> Result<ChainSpec, String> {
        self.honest.chain_spec()
    }

    fn checkpoint(&self, hash: &str) -> Result<CheckpointResponse, String> {
        self.honest.checkpoint(hash)
    }

    fn headers(&self, query: &HeadersQuery) -> Result<HeadersResponse, String> {
        let mut v = self.honest.headers(query)?;
        if v.headers.len() > 8 {
            match self.lie {
                // Byte 100 lies inside the header's state root.
                Lie::ChangeHeader => flip(&mut v.headers[5].0, 100),
                Lie::DropHeader => {
                    v.headers.remove(3);
                }
                Lie::BreakCertificate => {
                    if let Some(c) = v.certificate.as_mut() {
                        flip(&mut c.0, usize::MAX);
                    }
                }
                _ => {}
            }
        }
        Ok(v)
    }

    fn state(&self, request: &StateRequest) -> Result<StateResponse, String> {
        let mut v = self.honest.state(request)?;
        match self.lie {
            Lie::ForgeValue => flip(&mut v.entries[0].value.as_mut().unwrap().0, 0),
            Lie::WrongRoot => flip(&mut v.state_root.0, 0),
            _ => {}
        }
        Ok(v)
    }
}

fn config(rpc: &str, dir: &std::path::Path) -> WorkerConfig {
    WorkerConfig {
        rpc: rpc.to_string(),
        dir: dir.to_path_buf(),
        tee: TeeSource::simulated(),
        operator: None,
        spec: None,
        checkpoint: None,
        poll: Duration::from_millis(100),
        mining: Default::default(),
        query_listen: None,
    }
}

#[test]
fn a_lying_node_is_refused_and_the_worker_does_not_advance() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_dev(&dir.path().join("chain"), free_port());
    wait_height(&node.rpc, 12);

    for (i, lie) in [Lie::ChangeHeader, Lie::DropHeader, Lie::BreakCertificate]
        .into_iter()
        .enumerate()
    {
        let liar = Liar {
            honest: HttpSource {
                rpc: node.rpc.clone(),
            },
            lie,
        };
        let wdir = dir.path().join(format!("liar-{i}"));
        let mut worker = Worker::open_with(config(&node.rpc, &wdir), Some(Box::new(liar))).unwrap();
        let err = worker.sync().unwrap_err();
        match (lie, &err) {
            (Lie::ChangeHeader, ChainError::Refused(LightError::ParentMismatch { height: 7 })) => {}
            (Lie::DropHeader, ChainError::Refused(LightError::NotContiguous { .. })) => {}
            (Lie::BreakCertificate, ChainError::Refused(LightError::CertificateInvalid { .. })) => {
            }
            _ => panic!("{lie:?}: unexpected {err}"),
        }
        assert!(err.to_string().contains("REFUSED"), "{err}");
        assert_eq!(worker.chain.tip().height, 0, "{lie:?} moved the worker");
        // Retrying meets the same lie and stays put; it does not crash.
        assert!(worker.sync().is_err());
        assert_eq!(worker.chain.tip().height, 0);
    }

    // State reads: the worker syncs honestly, then the node lies about a value or a root.
    let policy_key: [u8; 32] = phalanx_runtime::registry::state_key::policy().into();
    for (i, lie) in [Lie::ForgeValue, Lie::WrongRoot].into_iter().enumerate() {
        let liar = Liar {
            honest: HttpSource {
                rpc: node.rpc.clone(),
            },
            lie,
        };
        let wdir = dir.path().join(format!("reader-{i}"));
        let mut worker = Worker::open_with(config(&node.rpc, &wdir), Some(Box::new(liar))).unwrap();
        worker.sync().unwrap();
        let err = worker.chain.read_one(policy_key).unwrap_err();
        match (lie, &err) {
            (
                Lie::ForgeValue,
                ChainError::Refused(LightError::Proof(ProofError::RootMismatch(_))),
            ) => {}
            (Lie::WrongRoot, ChainError::Refused(LightError::StateRootMismatch { .. })) => {}
            _ => panic!("{lie:?}: unexpected {err}"),
        }
    }

    // The honest node: the worker follows the chain and reads with proofs.
    let mut worker = Worker::open(config(&node.rpc, &dir.path().join("honest"))).unwrap();
    let report = worker.sync().unwrap();
    assert!(report.to >= 12, "{report:?}");
    assert!(worker.chain.read_one(policy_key).unwrap().is_some());
}

/// Starts `phalanx worker` and returns it with a reader of its log (stderr).
fn spawn_worker(
    rpc: &str,
    dir: &std::path::Path,
) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let mut child = Command::new(BIN)
        .args([
            "--rpc",
            rpc,
            "worker",
            "--tee",
            "sim",
            "--operator",
            "dev:bob",
        ])
        .args(["--poll-ms", "100", "--data-dir"])
        .arg(dir)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

/// Waits for a log line containing `needle`; returns it.
fn wait_log(rx: &std::sync::mpsc::Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
            && line.contains(needle)
        {
            return line;
        }
    }
    panic!("no log line with `{needle}` within 60 s");
}

fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let start = line.find(&format!("{name}=")).unwrap() + name.len() + 1;
    line[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_matches('"')
}

#[test]
fn the_worker_registers_itself_and_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_dev(&dir.path().join("chain"), free_port());
    wait_height(&node.rpc, 2);
    let wdir = dir.path().join("worker");

    let (mut child, log) = spawn_worker(&node.rpc, &wdir);
    let started = wait_log(&log, "worker started");
    let id = field(&started, "worker").to_string();
    wait_log(&log, "registered");
    let (_, record) = common::http_get(&node.rpc, &format!("/worker/{id}"));
    assert_eq!(record["simulated"], true);
    let registered_at = record["registered_at_ms"].as_u64().unwrap();
    std::thread::sleep(Duration::from_millis(600));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // Kill it again and again at different moments of its start (opening, syncing, polling).
    let mut last_tip = 0;
    for delay_ms in [30u64, 80, 150, 400] {
        let (mut child, log) = spawn_worker(&node.rpc, &wdir);
        let resumed = wait_log(&log, "resumed worker state");
        assert_eq!(
            field(&resumed, "worker"),
            id,
            "a restart changed the worker's keys"
        );
        let tip: u64 = field(&resumed, "tip").parse().unwrap();
        assert!(tip >= last_tip, "tip went back from {last_tip} to {tip}");
        last_tip = tip;
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    // A clean run after all that: same worker, still registered once, following the chain.
    let (mut child, log) = spawn_worker(&node.rpc, &wdir);
    let resumed = wait_log(&log, "resumed worker state");
    assert_eq!(field(&resumed, "worker"), id);
    wait_log(&log, "synced");
    let (_, list) = common::http_get(&node.rpc, "/workers");
    assert_eq!(list["count"], 1);
    let (_, record) = common::http_get(&node.rpc, &format!("/worker/{id}"));
    assert_eq!(record["registered_at_ms"].as_u64().unwrap(), registered_at);
    assert!(last_tip > 0);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A worker's sealed state, read from outside (simulated sealing only).
fn sealed_state(rpc: &str, dir: &std::path::Path) -> WorkerState {
    let (_, chain) = common::http_get(rpc, "/chain");
    let store = Store::new(dir, Sealer::simulated(dir).unwrap());
    store
        .load(
            chain["chain_id"].as_str().unwrap(),
            chain["genesis"].as_str().unwrap(),
        )
        .unwrap()
        .unwrap()
}

/// Polls `ready` every 200 ms until it gives a value; fails after 90 s with `what`.
fn poll_until<T>(what: &str, mut ready: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(v) = ready() {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: not within 90 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `GET /keys`'s entry for `generation`, if it has one.
fn generation_entry(keys: &Value, generation: u64) -> Option<Value> {
    keys["master_public_keys"]
        .as_array()?
        .iter()
        .find(|k| k["generation"].as_u64() == Some(generation))
        .cloned()
}

fn public_key(keys: &Value, generation: u64) -> String {
    generation_entry(keys, generation).unwrap()["public_key"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Waits until `GET /keys` reports master key `generation`; returns the answer.
fn wait_generation(rpc: &str, generation: u64) -> Value {
    poll_until(&format!("master key generation {generation}"), || {
        let (_, v) = common::http_get(rpc, "/keys");
        (v["generation"].as_u64() == Some(generation)).then_some(v)
    })
}

/// Waits until `GET /keys` says `generation`'s current sharing is round `round`.
fn wait_sharing(rpc: &str, generation: u64, round: u64) -> Value {
    poll_until(&format!("generation {generation} at round {round}"), || {
        let (_, v) = common::http_get(rpc, "/keys");
        generation_entry(&v, generation).filter(|e| e["round"].as_u64() == Some(round))
    })
}

/// Polls `dir`'s sealed state until `ready` holds; returns it.
fn wait_state(
    rpc: &str,
    dir: &std::path::Path,
    what: &str,
    ready: impl Fn(&WorkerState) -> bool,
) -> WorkerState {
    poll_until(what, || Some(sealed_state(rpc, dir)).filter(&ready))
}

fn cluster_key(state: &WorkerState, slot: &str) -> [u8; 32] {
    *state.cluster_keys[slot].bytes()
}

#[test]
fn dev_gatekeeper_runs_the_dkg_workers_get_keys_and_reshare_and_rotation_reach_all() {
    let dir = tempfile::tempdir().unwrap();
    let chain_dir = dir.path().join("chain");
    let node = start_dev_with(&chain_dir, free_port(), &[]);
    let rpc = node.rpc.as_str();

    // dev's worker registers, becomes the first gatekeeper, runs the first DKG round alone
    // and the chain publishes the group public key: 1-of-1.
    let published = wait_generation(rpc, 0);
    let gen0 = generation_entry(&published, 0).unwrap();
    assert_eq!(
        (gen0["round"].as_u64(), gen0["threshold"].as_u64()),
        (Some(0), Some(1))
    );
    let (_, list) = common::http_get(rpc, "/workers");
    let first = list["gatekeepers"][0].as_str().unwrap().to_string();
    let (_, record) = common::http_get(rpc, &format!("/worker/{first}"));
    assert_eq!(record["gatekeeper"], true);
    assert_eq!(record["simulated"], true);
    assert_eq!(
        record["operator"].as_str().unwrap(),
        phalanx_types::AccountId::from(commonware_cryptography::Signer::public_key(
            &phalanx_crypto::dev_key("charlie")
        ))
        .to_string()
    );
    let first_dir = chain_dir.join("worker");
    let first_state = wait_state(rpc, &first_dir, "the first gatekeeper's cluster key", |s| {
        s.cluster_keys.contains_key("0/0")
    });
    // Its sealed share is the whole secret (1-of-1), so its public half is the group key.
    let held = &first_state.key_shares[&0];
    assert_eq!(held.round, 0);
    let share = <phalanx_threshold::Share as phalanx_threshold::round::RoundCodec>::decode_bytes(
        &hex::decode(&held.share).unwrap(),
    )
    .unwrap();
    let public = share.public::<commonware_cryptography::bls12381::primitives::variant::MinPk>();
    assert_eq!(
        hex::encode(commonware_codec::Encode::encode(&public)),
        public_key(&published, 0),
        "the published key is the public half of the gatekeeper's sealed share"
    );
    let cluster_0 = cluster_key(&first_state, "0/0");

    // A second worker, started by hand, registers and recovers its cluster key from the
    // gatekeeper's partial signature: the same key the gatekeeper holds.
    let second_dir = dir.path().join("second");
    let (mut second, second_log) = spawn_worker(rpc, &second_dir);
    let second_id = field(&wait_log(&second_log, "worker started"), "worker").to_string();
    wait_log(&second_log, "recovered cluster key");
    let (_, record) = common::http_get(rpc, &format!("/worker/{second_id}"));
    assert_eq!(record["gatekeeper"], false);
    assert!(record["mq"]["last_heartbeat"].is_object(), "{record}");
    assert_eq!(
        cluster_key(&sealed_state(rpc, &second_dir), "0/0"),
        cluster_0
    );

    // A third worker is promoted: the first gatekeeper reshares generation 0 to both. The
    // group key stays; it is now 2-of-2, and each holds a new share.
    let third_dir = dir.path().join("third");
    let (mut third, third_log) = spawn_worker(rpc, &third_dir);
    let third_id = field(&wait_log(&third_log, "worker started"), "worker").to_string();
    wait_log(&third_log, "recovered cluster key");
    let (ok, _, err) = cli(
        rpc,
        &["worker", "promote", &third_id, "--from", "dev:alice"],
    );
    assert!(ok, "{err}");
    wait_log(&third_log, "holding a share of the master key generation");
    let reshared = wait_sharing(rpc, 0, 1);
    assert_eq!(
        reshared["public_key"].as_str().unwrap(),
        public_key(&published, 0)
    );
    assert_eq!(
        (reshared["threshold"].as_u64(), reshared["holders"].as_u64()),
        (Some(2), Some(2))
    );
    let third_state = sealed_state(rpc, &third_dir);
    assert_eq!(third_state.key_shares[&0].round, 1);
    assert_eq!(cluster_key(&third_state, "0/0"), cluster_0);
    let first_state = wait_state(rpc, &first_dir, "the first gatekeeper's new share", |s| {
        s.key_shares[&0].round == 1
    });
    assert_ne!(
        first_state.key_shares[&0].share,
        third_state.key_shares[&0].share
    );

    // Rotation: only the root may ask. Both gatekeepers run a fresh DKG for generation 1
    // (2-of-2), then send every worker their partial signatures; every worker recovers the
    // same new cluster key, and generation 0 stays.
    let (ok, _, err) = cli(
        rpc,
        &["worker", "master-key", "--rotate", "--from", "dev:bob"],
    );
    assert!(!ok && err.contains("not_root"), "{err}");
    let (ok, _, err) = cli(
        rpc,
        &["worker", "master-key", "--rotate", "--from", "dev:alice"],
    );
    assert!(ok, "{err}");
    let rotated = wait_generation(rpc, 1);
    assert_eq!(public_key(&rotated, 0), public_key(&published, 0));
    assert_ne!(public_key(&rotated, 1), public_key(&published, 0));
    let gen1 = generation_entry(&rotated, 1).unwrap();
    assert_eq!(
        (gen1["threshold"].as_u64(), gen1["holders"].as_u64()),
        (Some(2), Some(2))
    );
    let mut new_keys = Vec::new();
    for (name, wdir) in [
        ("first", &first_dir),
        ("second", &second_dir),
        ("third", &third_dir),
    ] {
        let state = wait_state(
            rpc,
            wdir,
            &format!("the {name} worker's generation-1 key"),
            |s| s.cluster_keys.contains_key("0/1"),
        );
        assert_eq!(
            cluster_key(&state, "0/0"),
            cluster_0,
            "{name} lost generation 0"
        );
        new_keys.push(cluster_key(&state, "0/1"));
    }
    assert!(
        new_keys.iter().all(|k| *k == new_keys[0]),
        "workers disagree on generation 1"
    );
    assert_ne!(new_keys[0], cluster_0);
    assert!(sealed_state(rpc, &third_dir).key_shares.contains_key(&1));

    // A worker registered after the rotation gets both generations' cluster keys: contracts
    // keep the generation they were created under, and it replays their commands.
    let fourth_dir = dir.path().join("fourth");
    let (mut fourth, fourth_log) = spawn_worker(rpc, &fourth_dir);
    wait_log(&fourth_log, "recovered cluster key");
    let fourth_state = wait_state(rpc, &fourth_dir, "the late worker's two keys", |s| {
        s.cluster_keys.contains_key("0/0") && s.cluster_keys.contains_key("0/1")
    });
    assert_eq!(cluster_key(&fourth_state, "0/0"), cluster_0);
    assert_eq!(cluster_key(&fourth_state, "0/1"), new_keys[0]);

    // A cluster of one chosen worker (the second): the two gatekeepers send it their shares
    // of cluster 1's key; a contract on cluster 1 gets its keys and results from it alone,
    // and the other workers skip it.
    let (ok, v, err) = cli(
        rpc,
        &[
            "cluster",
            "create",
            "--member",
            &second_id,
            "--from",
            "dev:alice",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(v["cluster"], 1);
    let counter = format!(
        "{}/../../contracts/wasm/counter.wasm",
        env!("CARGO_MANIFEST_DIR")
    );
    let (ok, v, err) = cli(
        rpc,
        &["contract", "upload", &counter, "--from", "dev:alice"],
    );
    assert!(ok, "{err}");
    let code_hash = v["code_hash"].as_str().unwrap().to_string();
    let (ok, v, err) = cli(
        rpc,
        &[
            "contract",
            "instantiate",
            &code_hash,
            "--cluster",
            "1",
            "--from",
            "dev:alice",
        ],
    );
    assert!(ok, "{err}");
    let contract = v["contract"].as_str().unwrap().to_string();
    let keys = poll_until("cluster 1's member publishes the keys", || {
        let (_, v, _) = cli(rpc, &["contract", "show", &contract]);
        Some(v["contract"]["keys"].clone()).filter(|k| !k.is_null())
    });
    assert_eq!(keys["reported_by"], Value::String(second_id.clone()));
    wait_log(&fourth_log, "not a member of the contract's cluster");
    // The gatekeepers sent it nothing towards cluster 1's key: it cannot derive the contract's.
    let fourth_state = sealed_state(rpc, &fourth_dir);
    assert!(
        !fourth_state
            .cluster_keys
            .keys()
            .any(|slot| slot.starts_with("1/")),
        "{:?}",
        fourth_state.cluster_keys.keys().collect::<Vec<_>>()
    );
    assert!(
        sealed_state(rpc, &second_dir)
            .cluster_keys
            .contains_key("1/1")
    );
    let mut increment = vec![0u8];
    increment.extend(4u64.to_le_bytes());
    let (ok, v, err) = cli(
        rpc,
        &[
            "contract",
            "call",
            &contract,
            "--input",
            &hex::encode(increment),
            "--from",
            "dev:charlie",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(v["succeeded"], true, "{v}");
    assert_eq!(v["reported_by"], Value::String(second_id.clone()));

    for child in [&mut second, &mut third, &mut fourth] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[test]
fn bad_messages_and_keys_sealed_to_another_key_are_refused_and_the_worker_goes_on() {
    use phalanx_client::client::{self, SendError};
    use phalanx_types::{Call, KeyKind, MqCall, Payload, WorkerMessage};

    let dir = tempfile::tempdir().unwrap();
    let node = start_dev(&dir.path().join("chain"), free_port());
    wait_height(&node.rpc, 2);
    let rpc = node.rpc.as_str();
    let open = |name: &str, operator: &str| {
        let mut c = config(rpc, &dir.path().join(name));
        c.operator = Some(phalanx_crypto::dev_key(operator));
        let mut w = Worker::open(c).unwrap();
        w.sync().unwrap();
        w.ensure_registered().unwrap();
        w
    };

    // A gatekeeper (in this process) runs the first DKG round alone: it deals, acknowledges
    // and logs on successive ticks, and takes its share once the chain has the output.
    let mut gatekeeper = open("gatekeeper", "bob");
    let (ok, _, err) = cli(
        rpc,
        &[
            "worker",
            "promote",
            &gatekeeper.id().to_string(),
            "--from",
            "dev:alice",
        ],
    );
    assert!(ok, "{err}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !gatekeeper.state.key_shares.contains_key(&0) {
        assert!(Instant::now() < deadline, "the DKG round did not finish");
        gatekeeper.tick().unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(wait_generation(rpc, 0)["generation"], 0);

    // A worker registers. Before the honest share, one sealed to another key arrives from the
    // holder: the chain cannot see inside and accepts it (one share per holder, the first
    // wins); the worker refuses it (logged), keeps nothing, and goes on.
    let mut worker = open("worker", "charlie");
    let other_key = phalanx_crypto::envelope::x25519_public(&[42u8; 32]);
    let envelope =
        phalanx_crypto::envelope::seal(&other_key, &[43u8; 32], b"anything", &[1u8; 32]).unwrap();
    let cluster_key = KeyKind::Cluster {
        cluster: 0,
        generation: 0,
    };
    let accepted = gatekeeper
        .send_message(Payload::KeyShare {
            recipient: worker.id(),
            key: cluster_key,
            round: 0,
            envelope: envelope.clone(),
        })
        .unwrap();
    assert!(accepted);
    worker.tick().unwrap();
    assert!(worker.state.cluster_keys.is_empty());
    assert!(worker.state.partials.is_empty());
    assert_eq!(worker.state.mq.inbox, 1);
    // The gatekeeper's honest share now disagrees with the one the chain holds: refused on
    // chain as a disagreement (logged), and the gatekeeper goes on too.
    // (The tick may also sign the current beacon round, which takes one sequence number.)
    let seq_before = gatekeeper.state.mq.next_seq;
    let beacon_before = gatekeeper.beacon_round_signed();
    gatekeeper.tick().unwrap();
    let beacon_sent = u64::from(gatekeeper.beacon_round_signed() != beacon_before);
    assert_eq!(
        gatekeeper.state.mq.next_seq,
        seq_before + beacon_sent,
        "the refused share used no sequence number"
    );
    let (_, record) = common::http_get(rpc, &format!("/worker/{}", worker.id()));
    assert_eq!(record["mq"]["inbox_len"], 1, "{record}");
    worker.tick().unwrap();
    assert!(worker.state.cluster_keys.is_empty());

    // A worker that holds no share (it is not even a gatekeeper) cannot send one, nor take
    // part in a DKG round.
    for payload in [
        Payload::KeyShare {
            recipient: gatekeeper.id(),
            key: cluster_key,
            round: 0,
            envelope,
        },
        Payload::DkgLog {
            round: 0,
            log: vec![0; 16],
        },
    ] {
        assert!(!worker.send_message(payload).unwrap());
    }
    // A stale round's log from the gatekeeper: the round is over.
    assert!(
        !gatekeeper
            .send_message(Payload::DkgLog {
                round: 0,
                log: vec![0; 16],
            })
            .unwrap()
    );

    // Replayed, skipped and forged messages, relayed through the real node: each refused with
    // its own code.
    let (_, info) = common::http_get(rpc, "/chain");
    let chain_id = phalanx_types::ChainId::new(info["chain_id"].as_str().unwrap()).unwrap();
    let chain = client::ChainInfo::fetch(rpc).unwrap();
    let identity = gatekeeper.state.identity();
    let next = gatekeeper.state.mq.next_seq;
    let push = |seq: u64, signer: &phalanx_crypto::PrivateKey| -> Call {
        MqCall::PushMessage {
            message: Box::new(
                WorkerMessage {
                    sender: gatekeeper.id(),
                    seq,
                    payload: Payload::Heartbeat { tip_height: 1 },
                }
                .sign(signer, &chain_id),
            ),
        }
        .into()
    };
    let intruder = phalanx_crypto::dev_key("eve");
    for (call, code) in [
        (push(0, &identity), "message_replayed"),
        (push(next + 3, &identity), "message_sequence_gap"),
        (push(next, &intruder), "bad_message_signature"),
    ] {
        let relayer = phalanx_crypto::dev_key("alice");
        match client::send_call(rpc, &chain, &relayer, call, "message", true) {
            Err(SendError::Refused { reason, .. }) => assert!(reason.contains(code), "{reason}"),
            other => panic!("expected a refusal with {code}, got {other:?}"),
        }
    }
    // None of them moved the gatekeeper's sequence: its next message is still accepted.
    assert!(
        gatekeeper
            .send_message(Payload::Heartbeat { tip_height: 2 })
            .unwrap()
    );
}

#[test]
fn a_freshly_attested_worker_is_not_due_for_a_refresh() {
    // The refresh itself is `register()` (tested above); when it is due is unit-tested in
    // `run::tests` (simulated collateral is issued 10 minutes in the past, so a policy short
    // enough to make a refresh due within a test would refuse the registration itself).
    let dir = tempfile::tempdir().unwrap();
    let node = start_dev(&dir.path().join("chain"), free_port());
    wait_height(&node.rpc, 2);
    let mut c = config(&node.rpc, &dir.path().join("worker"));
    c.operator = Some(phalanx_crypto::dev_key("bob"));
    let mut worker = Worker::open(c).unwrap();
    worker.sync().unwrap();
    let first = worker.ensure_registered().unwrap().last_attested_ms;
    worker.tick().unwrap();
    assert!(!worker.refresh_attestation_if_due().unwrap());
    assert_eq!(worker.record().unwrap().unwrap().last_attested_ms, first);
}
