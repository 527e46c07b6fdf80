//! `phalanx contract build`, `call` and `query`: building a contract for wasm32, sending it an
//! encrypted command through the chain, and asking a worker an encrypted query.

use crate::exit::{CliError, Exit};
use phalanx_client::{
    client::ChainInfo,
    confidential::{self, CommandResultView, QueryView},
};
use phalanx_contracts::sealed::CommandOutcome;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Debian's wasm32 toolchain (see `contracts/build.sh` and `shared/notes/wasm-contracts.md`).
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const WASM_LD: &str = "/usr/bin/wasm-ld";
const RUST_SRC: &str = "/usr/lib/rustlib/src/rust/library";

/// A built module.
#[derive(Serialize)]
pub struct Built {
    pub path: String,
    pub size: usize,
    /// SHA-256, hex: the code hash `contract upload` stores it under.
    pub code_hash: String,
}

/// Builds the contract crate in `dir` (a `cdylib` using `phalanx-contract`) for
/// `wasm32-unknown-unknown` the way `contracts/build.sh` builds the examples: Debian's rustc
/// with `-Zbuild-std=core,alloc`, size-optimised, `panic = abort`, a 64 KiB stack, paths
/// remapped. Each module is then checked as the chain will check it at upload.
pub fn build(dir: &Path) -> Result<Vec<Built>, CliError> {
    for tool in [DEBIAN_RUSTC, DEBIAN_CARGO, WASM_LD] {
        if !Path::new(tool).exists() {
            return Err(CliError::new(
                Exit::Other,
                format!(
                    "{tool} is missing: building contracts needs Debian's wasm32 toolchain \
                     (apt-get install rustc-web cargo-web rust-web-src lld)"
                ),
            ));
        }
    }
    if !Path::new(RUST_SRC).is_dir() {
        return Err(CliError::new(
            Exit::Other,
            "the standard library's source is missing: apt-get install rust-web-src",
        ));
    }
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(CliError::new(
            Exit::Usage,
            format!("{} has no Cargo.toml", dir.display()),
        ));
    }
    let dir = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let target = dir.join("target");
    let status = std::process::Command::new(DEBIAN_CARGO)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-Zbuild-std=core,alloc",
            "--manifest-path",
        ])
        .arg(&manifest)
        .env("RUSTC", DEBIAN_RUSTC)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", &target)
        .env(
            "RUSTFLAGS",
            format!(
                "-C linker=wasm-ld -C link-arg=-zstack-size=65536 --remap-path-prefix={}=/contract",
                dir.display()
            ),
        )
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
        .env("CARGO_PROFILE_RELEASE_LTO", "true")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
        .env("CARGO_PROFILE_RELEASE_STRIP", "true")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WRAPPER")
        .status()
        .map_err(|e| format!("running {DEBIAN_CARGO}: {e}"))?;
    if !status.success() {
        return Err(CliError::new(
            Exit::Other,
            "the contract did not build (cargo's errors are above)",
        ));
    }
    let out = target.join("wasm32-unknown-unknown").join("release");
    let mut built = Vec::new();
    let entries = std::fs::read_dir(&out).map_err(|e| format!("reading {}: {e}", out.display()))?;
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        if path.extension().is_none_or(|e| e != "wasm") {
            continue;
        }
        let code = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        phalanx_runtime::contracts::check_code(&code, phalanx_types::MAX_CODE_BYTES).map_err(
            |e| {
                CliError::new(
                    Exit::Other,
                    format!(
                        "{} built, but the chain would refuse it: {}",
                        path.display(),
                        e
                    ),
                )
            },
        )?;
        let hash = phalanx_client::contracts::code_hash(&code);
        built.push(Built {
            path: path.display().to_string(),
            size: code.len(),
            code_hash: hex::encode(hash),
        });
    }
    if built.is_empty() {
        return Err(CliError::new(
            Exit::Other,
            format!(
                "no .wasm in {}: is the crate a cdylib (`[lib] crate-type = [\"cdylib\"]`)?",
                out.display()
            ),
        ));
    }
    built.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(built)
}

/// What a command or a query gave back, for printing.
#[derive(Serialize)]
pub struct OutcomeView {
    pub succeeded: bool,
    /// The output, hex (when it succeeded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The output as text, when it is printable UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_text: Option<String>,
    /// Why it failed (the contract's revert message, or the executor's error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The output decoded by the method's output type, when an ABI was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoded: Option<serde_json::Value>,
}

impl OutcomeView {
    /// Decodes the output as `ty` (no ABI: nothing; an output that does not fit its type is
    /// said so, and the hex stays).
    pub fn decode_with(&mut self, ty: Option<&crate::contract_abi::Ty>) {
        let (Some(ty), Some(output)) = (ty, &self.output) else {
            return;
        };
        let Ok(bytes) = hex::decode(output) else {
            return;
        };
        let mut rest = bytes.as_slice();
        self.decoded = Some(match crate::contract_abi::decode(ty, &mut rest) {
            Ok(value) if rest.is_empty() => value,
            Ok(_) => serde_json::Value::String("the output is longer than its ABI type".into()),
            Err(e) => serde_json::Value::String(format!("the output does not decode: {e}")),
        });
    }
}

impl From<&CommandOutcome> for OutcomeView {
    fn from(outcome: &CommandOutcome) -> Self {
        match outcome {
            CommandOutcome::Output(bytes) => Self {
                succeeded: true,
                output: Some(hex::encode(bytes)),
                output_text: std::str::from_utf8(bytes)
                    .ok()
                    .filter(|t| !t.is_empty() && t.chars().all(|c| !c.is_control() || c == '\n'))
                    .map(str::to_string),
                error: None,
                decoded: None,
            },
            CommandOutcome::Failed(message) => Self {
                succeeded: false,
                output: None,
                output_text: None,
                error: Some(message.clone()),
                decoded: None,
            },
        }
    }
}

/// `phalanx contract call`'s answer.
#[derive(Serialize)]
pub struct CallView {
    pub contract: String,
    pub seq: u64,
    pub tx_hash: String,
    pub gas_limit: u64,
    pub fuel_used: u64,
    /// What the command paid for the fuel it burned (base units; the rest of what was held
    /// came back).
    #[serde(with = "phalanx_runtime::amount_json")]
    pub gas_paid: phalanx_types::Amount,
    pub gas_paid_pha: String,
    /// The hash of the contract's encrypted state after the command.
    pub state_hash: String,
    pub reported_by: String,
    #[serde(flatten)]
    pub outcome: OutcomeView,
}

/// Seals `input` to the contract, sends it as `key`'s command and waits for the cluster's
/// result.
pub fn call(
    rpc: &str,
    key: &commonware_cryptography::ed25519::PrivateKey,
    contract: &[u8; 32],
    input: &[u8],
    gas_limit: u64,
    wait: Duration,
    quiet: bool,
) -> Result<CallView, CliError> {
    let chain = ChainInfo::fetch(rpc)?;
    let sent = confidential::send_command(rpc, &chain, key, contract, input, gas_limit, quiet)?;
    if !quiet {
        eprintln!(
            "command {} accepted (tx {}); waiting for the cluster's result…",
            sent.seq, sent.tx_hash
        );
    }
    let CommandResultView { record, outcome } =
        confidential::await_result(rpc, &chain, &sent, wait)?;
    let result = record
        .result
        .as_ref()
        .ok_or_else(|| CliError::new(Exit::Other, "the command has no result"))?;
    let gas_paid = record.gas_burned(result.fuel_used);
    Ok(CallView {
        contract: hex::encode(contract),
        seq: sent.seq,
        tx_hash: sent.tx_hash,
        gas_limit: record.gas_limit,
        fuel_used: result.fuel_used,
        gas_paid,
        gas_paid_pha: phalanx_types::format_pha(gas_paid),
        state_hash: hex::encode(result.state_hash),
        reported_by: result.reported_by.to_string(),
        outcome: OutcomeView::from(&outcome),
    })
}

/// `phalanx contract query`'s answer.
#[derive(Serialize)]
pub struct QueryResultView {
    pub contract: String,
    pub worker: String,
    pub height: u64,
    pub fuel_used: u64,
    #[serde(flatten)]
    pub outcome: OutcomeView,
}

/// Asks the worker at `worker_url` the contract's query with `input`, signed by `key`.
pub fn query(
    rpc: &str,
    worker_url: &str,
    key: &commonware_cryptography::ed25519::PrivateKey,
    contract: &[u8; 32],
    input: &[u8],
) -> Result<QueryResultView, CliError> {
    let QueryView {
        worker,
        height,
        fuel_used,
        outcome,
    } = confidential::query(rpc, worker_url, key, contract, input)?;
    Ok(QueryResultView {
        contract: hex::encode(contract),
        worker: worker.to_string(),
        height,
        fuel_used,
        outcome: OutcomeView::from(&outcome),
    })
}

/// A contract's input (a type of its own: clap takes a `Vec<u8>` for many `u8` values).
#[derive(Clone, Debug)]
pub struct Input(pub Vec<u8>);

/// `--input`: hex bytes (`0x` allowed), at most what a command carries.
pub fn parse_input(s: &str) -> Result<Input, String> {
    let text = s.strip_prefix("0x").unwrap_or(s);
    let bytes = hex::decode(text).map_err(|e| format!("--input is not hex: {e}"))?;
    if bytes.len() > phalanx_types::MAX_COMMAND_IO {
        return Err(format!(
            "--input is {} bytes; a contract's input is at most {}",
            bytes.len(),
            phalanx_types::MAX_COMMAND_IO
        ));
    }
    Ok(Input(bytes))
}
