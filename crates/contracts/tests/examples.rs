#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The example contracts (`contracts/`), built to wasm32 and kept in `contracts/wasm/`, run
//! through the executor: the counter and key-value store, the sealed-bid auction and the
//! signer. And where Debian's wasm32 toolchain is installed (CI installs it), a rebuild of the
//! modules is byte-identical to the ones kept in the repository.

use phalanx_contract::{Decode, Encode};
use phalanx_contracts::keys::verify_contract_signature;
use phalanx_contracts::{
    ContractKey, EntryPoint, ExecError, Executor, Host, Limits, Randomness, WasmiExecutor,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type State = BTreeMap<Vec<u8>, Vec<u8>>;

const CONTRACT: [u8; 32] = [0xAB; 32];

fn contracts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts")
}

fn module(name: &str) -> Vec<u8> {
    std::fs::read(contracts_dir().join("wasm").join(format!("{name}.wasm"))).unwrap()
}

/// A contract's state and key, called like a cluster worker would.
struct Instance {
    code: Vec<u8>,
    state: State,
    key: ContractKey,
    height: u64,
    events: Vec<Vec<u8>>,
    commands: u64,
}

impl Instance {
    fn new(name: &str) -> Self {
        Self {
            code: module(name),
            state: State::new(),
            key: ContractKey::from_secret(CONTRACT, &[0x11; 32]),
            height: 1,
            events: Vec::new(),
            commands: 0,
        }
    }

    fn run(
        &mut self,
        entry: EntryPoint,
        caller: u8,
        tag: u8,
        args: impl Encode,
    ) -> Result<Vec<u8>, ExecError> {
        let mut input = vec![tag];
        args.encode_to(&mut input);
        self.commands += 1;
        let mut command = [0u8; 32];
        command[..8].copy_from_slice(&self.commands.to_le_bytes());
        let seed = self.key.command_seed(&command);
        let host = Host {
            contract: CONTRACT,
            caller: [caller; 32],
            block_height: self.height,
            block_time_ms: self.height * 1000,
            storage: &self.state,
            key: Some(&self.key),
            randomness: match entry {
                EntryPoint::Call => Randomness::Seeded(&seed),
                EntryPoint::Query => Randomness::Enclave,
            },
        };
        let limits = Limits::default();
        let outcome =
            WasmiExecutor::new(&limits).execute(&self.code, entry, &input, host, &limits)?;
        for (key, value) in outcome.writes {
            match value {
                Some(value) => self.state.insert(key, value),
                None => self.state.remove(&key),
            };
        }
        self.events.extend(outcome.events);
        Ok(outcome.output)
    }

    fn call(&mut self, caller: u8, tag: u8, args: impl Encode) -> Result<Vec<u8>, ExecError> {
        self.run(EntryPoint::Call, caller, tag, args)
    }

    fn query(&mut self, caller: u8, tag: u8, args: impl Encode) -> Result<Vec<u8>, ExecError> {
        self.run(EntryPoint::Query, caller, tag, args)
    }
}

fn reverted(message: &str) -> Result<Vec<u8>, ExecError> {
    Err(ExecError::Reverted(message.into()))
}

#[test]
fn counter_counts_and_keeps_each_accounts_values_apart() {
    let mut c = Instance::new("counter");
    assert_eq!(c.call(1, 0, 5u64), Ok(5u64.encode()));
    assert_eq!(c.call(2, 0, 2u64), Ok(7u64.encode()));
    assert_eq!(c.query(3, 0, ()), Ok(7u64.encode()));
    assert_eq!(
        c.call(1, 0, u64::MAX),
        reverted("count would overflow"),
        "an overflow reverts"
    );
    assert_eq!(c.query(3, 0, ()), Ok(7u64.encode()), "and changes nothing");

    assert_eq!(c.call(1, 1, ("diary", b"dear diary".to_vec())), Ok(vec![]));
    assert_eq!(
        c.query(1, 1, "diary"),
        Ok(Some(b"dear diary".to_vec()).encode())
    );
    assert_eq!(
        c.query(2, 1, "diary"),
        Ok(None::<Vec<u8>>.encode()),
        "another account sees nothing"
    );
    assert_eq!(c.call(1, 2, "diary"), Ok(true.encode()));
    assert_eq!(c.call(1, 2, "diary"), Ok(false.encode()));
    assert_eq!(c.query(1, 1, "diary"), Ok(None::<Vec<u8>>.encode()));

    // A query cannot write, and bad input is the codec's error.
    assert_eq!(c.run(EntryPoint::Query, 1, 7, ()), reverted("unknown tag"));
    assert_eq!(c.call(1, 0, 1u8), reverted("input ended early"));
    assert_eq!(
        c.call(1, 0, (1u64, 2u8)),
        reverted("trailing bytes after the input")
    );
    assert_eq!(
        c.call(1, 1, ("k".repeat(200), vec![1u8])),
        reverted("key longer than 128 bytes")
    );
}

#[test]
fn the_sealed_bid_auction_reveals_only_the_winner_and_price() {
    let mut a = Instance::new("auction");
    a.height = 10;
    assert_eq!(
        a.call(9, 1, 50u64),
        reverted("the auction is not taking bids")
    );
    assert_eq!(
        a.call(9, 0, (5u64, 1u64)),
        reverted("end_height must be after the current block")
    );
    assert_eq!(a.call(9, 0, (20u64, 100u64)), Ok(vec![]));
    assert_eq!(
        a.call(9, 0, (30u64, 1u64)),
        reverted("the auction is already open")
    );
    assert_eq!(a.call(9, 1, 500u64), reverted("the seller cannot bid"));
    assert_eq!(a.call(1, 1, 99u64), reverted("bid below the reserve"));
    for (bidder, amount) in [
        (1u8, 150u64),
        (2, 300),
        (3, 300),
        (4, 120),
        (1, 310),
        (5, 305),
    ] {
        assert_eq!(
            a.call(bidder, 1, amount),
            Ok(vec![]),
            "{bidder} bids {amount}"
        );
    }
    // While bidding is open: each bidder sees only their own bid; the status shows no result.
    assert_eq!(a.query(2, 1, ()), Ok(Some(300u64).encode()));
    assert_eq!(a.query(6, 1, ()), Ok(None::<u64>.encode()));
    assert_eq!(
        a.query(6, 0, ()),
        Ok((1u8, 20u64, None::<([u8; 32], u64)>).encode())
    );
    assert_eq!(a.call(7, 2, ()), reverted("bidding has not ended"));
    assert!(a.events.is_empty(), "nothing is published before the close");

    a.height = 20;
    assert_eq!(a.call(8, 1, 1000u64), reverted("bidding has ended"));
    let winner = Some(([1u8; 32], 310u64));
    assert_eq!(a.call(7, 2, ()), Ok(winner.encode()));
    assert_eq!(a.call(7, 2, ()), reverted("the auction is not open"));
    // The only public output: one event naming the winner and the price.
    assert_eq!(a.events, vec![winner.encode()]);
    assert_eq!(a.query(6, 0, ()), Ok((2u8, 20u64, winner).encode()));
    let status = <(u8, u64, Option<([u8; 32], u64)>)>::decode(&a.query(6, 0, ()).unwrap());
    assert_eq!(status, Ok((2, 20, winner)));
}

#[test]
fn the_signer_signs_with_the_contracts_derived_key_for_its_owner_only() {
    let mut s = Instance::new("signer");
    let public = s.key.signing_public_key();
    assert_eq!(s.query(1, 0, ()), Ok(public.to_vec()));
    assert_eq!(
        s.call(1, 1, b"price".to_vec()),
        reverted("the signer has no owner yet: claim it first")
    );
    assert_eq!(s.call(1, 0, ()), Ok(public.to_vec()));
    assert_eq!(s.call(2, 0, ()), reverted("the signer is already claimed"));
    assert_eq!(s.query(2, 1, ()), Ok(Some([1u8; 32]).encode()));

    let message = b"BTC/USD=97000 at height 1".to_vec();
    let by_command: [u8; 64] = s.call(1, 1, message.clone()).unwrap().try_into().unwrap();
    assert!(verify_contract_signature(
        &public,
        &CONTRACT,
        &message,
        &by_command
    ));
    let by_query: [u8; 64] = s.query(1, 2, message.clone()).unwrap().try_into().unwrap();
    assert_eq!(by_query, by_command, "ed25519 signatures are deterministic");
    assert_eq!(
        s.query(2, 2, message.clone()),
        reverted("only the owner may do this")
    );
    assert_eq!(
        s.call(2, 1, message.clone()),
        reverted("only the owner may do this")
    );

    assert_eq!(s.call(1, 2, [2u8; 32]), Ok(vec![]));
    assert!(s.query(2, 2, message).is_ok(), "the new owner may sign");
    assert_eq!(
        s.query(1, 2, vec![0u8; 5000]),
        reverted("message longer than 4096 bytes")
    );
}

#[test]
fn every_example_refuses_unknown_methods_and_fits_the_limits() {
    let limits = Limits::default();
    for name in ["counter", "auction", "signer"] {
        let code = module(name);
        assert!(
            code.len() < limits.max_code_bytes / 16,
            "{name}: {} bytes",
            code.len()
        );
        let mut instance = Instance::new(name);
        assert_eq!(
            instance.call(1, 0xEE, ()),
            reverted("unknown tag"),
            "{name}"
        );
        assert_eq!(
            instance.query(1, 0xEE, ()),
            reverted("unknown tag"),
            "{name}"
        );
    }
}

/// Whether Debian's wasm32 toolchain (see `contracts/build.sh`) is installed.
fn toolchain_installed() -> bool {
    ["/usr/bin/rustc", "/usr/bin/cargo", "/usr/bin/wasm-ld"]
        .iter()
        .all(|tool| Path::new(tool).exists())
        && Path::new("/usr/lib/rustlib/src/rust/library").is_dir()
}

#[test]
fn a_rebuild_of_the_examples_is_byte_identical() {
    if !toolchain_installed() {
        // CI installs the toolchain: there, a missing one is a failure, not a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install rustc-web cargo-web rust-web-src lld (see .ci/run)"
        );
        eprintln!(
            "skipped: Debian's wasm32 toolchain is not installed \
             (apt-get install rustc-web cargo-web rust-web-src lld)"
        );
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("bash")
        .arg(contracts_dir().join("build.sh"))
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success(), "contracts/build.sh failed");
    let toolchain = |dir: &Path| std::fs::read_to_string(dir.join("TOOLCHAIN")).unwrap();
    let (kept, installed) = (
        toolchain(&contracts_dir().join("wasm")),
        toolchain(out.path()),
    );
    if kept != installed {
        // A different compiler makes different bytes: the build must still work, but only the
        // compiler the modules were built with can reproduce them.
        eprintln!(
            "warning: contracts/wasm/ was built with {} and the installed compiler is {}: \
             rebuilt, not compared",
            kept.trim(),
            installed.trim()
        );
        return;
    }
    for name in ["counter", "auction", "signer"] {
        let rebuilt = std::fs::read(out.path().join(format!("{name}.wasm"))).unwrap();
        assert!(
            rebuilt == module(name),
            "{name}.wasm differs from the rebuild: run contracts/build.sh and commit contracts/wasm/"
        );
    }
}
