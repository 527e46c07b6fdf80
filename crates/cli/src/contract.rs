//! `phalanx contract upload|instantiate|show|list|code|codes`: confidential WebAssembly
//! contracts (`contracts` calls), and what the chain records of them (`GET /contract/{id}`,
//! `/contracts`, `/code/{hash}`, `/codes`). Everything the chain would refuse and that can be
//! known beforehand is refused before anything is signed: a module the executor would not
//! load (exit 2, checked by the runtime's own `check_code`), a module already uploaded, unknown
//! code or an id already taken (exit 4), so no fee is paid for a refusal.

use crate::{
    exit::{CliError, Exit},
    keys,
    show::{print, tx_text},
};
use clap::Subcommand;
use commonware_cryptography::Signer;
use phalanx_client::{
    api::{
        CodeResponse, CodeView, CodesResponse, ContractView, ContractsResponse, TxStatusResponse,
    },
    client, contracts, endpoint,
};
use phalanx_runtime::{DispatchError, contracts::Error as ContractsError};
use phalanx_types::{AccountId, MAX_CODE_BYTES};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Most contracts or modules `list` and `codes` show.
const MAX_LIST: u64 = 1_000;

/// `phalanx contract --help`: how a contract comes to be.
pub const CONTRACT_HELP: &str = "\
A contract is a WebAssembly module run inside the TEE workers of a cluster (cluster 0 is
every registered worker; `phalanx cluster --help` for others). Creating one takes two
transactions:

  upload FILE.wasm      stores the module on chain under its SHA-256, the CODE HASH. The
                        chain checks it as the workers' executor will load it; this command
                        runs the same check first, so a module the chain would refuse (not
                        WebAssembly, floats, a start function, imports other than phalanx_v1,
                        no call/query exports, too large) is refused here and costs nothing.
                        The fee is the transaction's plus contracts.code_fee_per_byte for
                        each byte (0.0001 PHA by default: about 1.4 PHA for 14 KB).
  instantiate HASH      creates a contract from uploaded code (fee: the transaction's plus
                        contracts.instantiate_fee, 0.1 PHA by default). Its ID is
                        SHA-256(chain, deployer, code hash, cluster, SALT): the same inputs
                        give the same id, known before sending. The salt is random unless
                        --salt or --salt-text gives it.

Then the cluster's workers derive the contract's keys from their cluster key, inside the TEE,
and report the public ones: an X25519 key that commands are encrypted to and an ed25519 key
the contract signs with. They are published once a quorum of the cluster agree (a majority
of a cluster of chosen workers; the first report for cluster 0), later reports confirm them;
`show` prints them, or that the cluster has not published them yet (a few seconds on
`phalanx dev`).

Amounts are PHA in text and base units in --json.";

#[derive(Subcommand)]
pub enum ContractCommand {
    /// Upload a WebAssembly module (at most 60 KiB, or the chain's contracts.max_code_bytes);
    /// prints its code hash. Checked here as the chain will check it, and refused before
    /// sending if it would fail or is uploaded already.
    Upload {
        /// The module (`.wasm`), e.g. contracts/wasm/counter.wasm.
        file: PathBuf,
        /// The uploader, who pays: a key name, keystore file, or `dev:NAME`.
        #[arg(long)]
        from: String,
    },
    /// Create a contract from uploaded code; prints its id. Refused before sending when no
    /// module has this hash or a contract with the same id exists.
    Instantiate {
        /// The code hash `upload` printed (64 hex characters).
        code_hash: String,
        /// 32 bytes (64 hex characters) mixed into the contract's id. Default: random, so each
        /// instantiation creates a new contract (the salt used is printed).
        #[arg(long, value_parser = parse_salt, conflicts_with = "salt_text")]
        salt: Option<[u8; 32]>,
        /// A salt from text: SHA-256 of the text, for an id that is easy to derive again.
        #[arg(long)]
        salt_text: Option<String>,
        /// The cluster whose workers run it: 0 is every registered worker, others are created
        /// by the root account (`phalanx cluster list`).
        #[arg(long, default_value_t = 0)]
        cluster: u32,
        /// The deployer, who pays: a key name, keystore file, or `dev:NAME`.
        #[arg(long)]
        from: String,
    },
    /// A contract: its code, cluster, master key generation, deployer, creation height and
    /// the public keys its cluster published (encryption and signing), with how many workers
    /// confirmed them.
    Show {
        /// The contract's id (64 hex characters).
        id: String,
    },
    /// Contracts in creation order (up to 1,000 from --offset).
    List {
        /// The first contract to list (0 is the oldest).
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// An uploaded module: size, uploader, height; --out saves the module itself, checked
    /// against its hash.
    Code {
        /// The code hash (64 hex characters).
        hash: String,
        /// Write the module to this file (which must not exist).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Uploaded modules in upload order (up to 1,000 from --offset).
    Codes {
        /// The first module to list (0 is the oldest).
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// Build a contract crate (a `cdylib` written with the `phalanx-contract` SDK) for
    /// wasm32 with Debian's toolchain (apt-get install rustc-web cargo-web rust-web-src lld),
    /// as contracts/build.sh builds the examples; prints each module's path, size and code
    /// hash, after checking it as the chain will at upload.
    Build {
        /// The crate's directory (default: the current one).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Send an encrypted command: the input is sealed (HPKE) to the contract's published key,
    /// so only the TEEs of its cluster read it; waits for the cluster's result, sealed to a
    /// key only this command holds, and prints it opened. Gas: --gas-limit fuel is held at
    /// contracts.gas_price and what the command does not burn comes back (a failed command
    /// pays for what it burned; one that runs out, for all of it).
    Call {
        /// The contract's id (64 hex characters).
        id: String,
        #[command(flatten)]
        input: InputArgs,
        /// The caller, who pays: a key name, keystore file, or `dev:NAME`.
        #[arg(long)]
        from: String,
        /// The most fuel the command may burn.
        #[arg(long, default_value_t = 1_000_000)]
        gas_limit: u64,
        /// Seconds to wait for the cluster's result.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
        wait: u64,
    },
    /// Ask a worker an encrypted, signed query (read-only, no transaction, no fee). The
    /// worker's key is checked against its record on chain (with a state proof) before
    /// anything is sealed to it; the answer is sealed to a fresh key of this query.
    Query {
        /// The contract's id (64 hex characters).
        id: String,
        #[command(flatten)]
        input: InputArgs,
        /// Who asks (signs the query; the contract sees it as its caller): a key name,
        /// keystore file, or `dev:NAME`.
        #[arg(long)]
        from: String,
        /// The worker's query server (`phalanx dev` serves one at http://127.0.0.1:8546).
        #[arg(long, default_value = "http://127.0.0.1:8546")]
        worker: String,
    },
    /// Give back the gas held for a command whose cluster recorded no result for it within
    /// 600 blocks (`contracts::COMMAND_EXPIRY_BLOCKS`): to the command's sender, whoever
    /// asks. The command is not cancelled: if its cluster comes back, it still runs, for
    /// free. Refused before sending when its result is recorded, it is too early, or its gas
    /// went back already.
    Expire {
        /// The contract's id (64 hex characters).
        id: String,
        /// The command's sequence number (`contract call` prints it).
        seq: u64,
        /// Who signs and pays the transaction's fee: a key name, keystore file, or `dev:NAME`.
        #[arg(long)]
        from: String,
    },
}

/// A contract's input: raw hex, or a method of its ABI file with arguments.
#[derive(clap::Args)]
pub struct InputArgs {
    /// The input, hex (the examples' encodings are in contracts/*/src/lib.rs).
    #[arg(long, value_parser = crate::contract_run::parse_input, required_unless_present = "method", conflicts_with = "method")]
    input: Option<crate::contract_run::Input>,
    /// The contract's ABI file (e.g. contracts/counter/abi.json): encodes --method and --arg,
    /// and decodes the output.
    #[arg(long, requires = "method")]
    abi: Option<PathBuf>,
    /// The method to call, by its name in the ABI.
    #[arg(long, requires = "abi")]
    method: Option<String>,
    /// One argument of the method, in order (a JSON value, or a plain string).
    #[arg(long = "arg")]
    args: Vec<String>,
}

impl InputArgs {
    /// The input bytes, and the output's type when the ABI is known.
    fn resolve(self, call: bool) -> Result<(Vec<u8>, Option<crate::contract_abi::Ty>), CliError> {
        match (self.input, self.abi, self.method) {
            (Some(input), _, _) => Ok((input.0, None)),
            (None, Some(abi), Some(method)) => {
                let abi =
                    crate::contract_abi::read(&abi).map_err(|e| CliError::new(Exit::Usage, e))?;
                let (input, output) = crate::contract_abi::input(&abi, call, &method, &self.args)
                    .map_err(|e| CliError::new(Exit::Usage, e))?;
                Ok((input, Some(output)))
            }
            _ => Err(CliError::new(
                Exit::Usage,
                "give --input HEX, or --abi FILE --method NAME",
            )),
        }
    }
}

/// `--salt`: 64 hex characters.
fn parse_salt(text: &str) -> Result<[u8; 32], String> {
    contracts::parse_hash(text, "salt")
}

/// The id or hash of an argument, as a usage error when it is none.
fn hash_arg(text: &str, what: &str) -> Result<[u8; 32], CliError> {
    contracts::parse_hash(text, what).map_err(|e| CliError::new(Exit::Usage, e))
}

/// A refusal before sending: `exit`, the chain's code for it, and words.
pub(crate) fn refused_here(exit: Exit, error: ContractsError, message: String) -> CliError {
    CliError {
        code: Some(DispatchError::from(error).name()),
        ..CliError::new(exit, message)
    }
}

/// `phalanx contract …`.
pub fn run(rpc: &str, action: ContractCommand, json_mode: bool) -> Result<(), CliError> {
    match action {
        ContractCommand::Upload { file, from } => upload(rpc, &file, &from, json_mode),
        ContractCommand::Instantiate {
            code_hash,
            salt,
            salt_text,
            cluster,
            from,
        } => {
            let code_hash = hash_arg(&code_hash, "code hash")?;
            let salt = match (salt, salt_text) {
                (Some(salt), _) => salt,
                (None, Some(text)) => contracts::code_hash(text.as_bytes()),
                (None, None) => {
                    let mut salt = [0u8; 32];
                    getrandom::fill(&mut salt).map_err(|e| format!("OS random generator: {e}"))?;
                    salt
                }
            };
            instantiate(rpc, code_hash, cluster, salt, &from, json_mode)
        }
        ContractCommand::Show { id } => {
            let id = hash_arg(&id, "contract id")?;
            let v = endpoint::contract(rpc, &id)?;
            print(json_mode, &v, || {
                format!(
                    "contract at block {}\n{}",
                    v.finalized_height,
                    contract_text(&v.contract)
                )
            });
            Ok(())
        }
        ContractCommand::List { offset } => {
            let v = contracts::list_contracts(rpc, offset, MAX_LIST)?;
            print(json_mode, &v, || list_text(&v));
            Ok(())
        }
        ContractCommand::Code { hash, out } => {
            let hash = hash_arg(&hash, "code hash")?;
            code(rpc, hash, out.as_deref(), json_mode)
        }
        ContractCommand::Codes { offset } => {
            let v = contracts::list_codes(rpc, offset, MAX_LIST)?;
            print(json_mode, &v, || codes_text(&v));
            Ok(())
        }
        ContractCommand::Build { dir } => {
            let built = crate::contract_run::build(&dir)?;
            print(json_mode, &built, || {
                built
                    .iter()
                    .map(|b| format!("{}  {} bytes  code hash {}", b.path, b.size, b.code_hash))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        ContractCommand::Call {
            id,
            input,
            from,
            gas_limit,
            wait,
        } => {
            let id = hash_arg(&id, "contract id")?;
            let (input, output) = input.resolve(true)?;
            let key = keys::resolve_signer_or_file(&from)?;
            let mut v = crate::contract_run::call(
                rpc,
                &key,
                &id,
                &input,
                gas_limit,
                std::time::Duration::from_secs(wait),
                json_mode,
            )?;
            v.outcome.decode_with(output.as_ref());
            print(json_mode, &v, || {
                format!(
                    "command {} of {}: {}\n  fuel: {} of {}, paid {} PHA (state hash {}, reported by {})",
                    v.seq,
                    v.contract,
                    outcome_text(&v.outcome),
                    v.fuel_used,
                    v.gas_limit,
                    v.gas_paid_pha,
                    v.state_hash,
                    v.reported_by
                )
            });
            Ok(())
        }
        ContractCommand::Expire { id, seq, from } => {
            let id = hash_arg(&id, "contract id")?;
            expire(rpc, &id, seq, &from, json_mode)
        }
        ContractCommand::Query {
            id,
            input,
            from,
            worker,
        } => {
            let id = hash_arg(&id, "contract id")?;
            let (input, output) = input.resolve(false)?;
            let key = keys::resolve_signer_or_file(&from)?;
            let mut v = crate::contract_run::query(rpc, &worker, &key, &id, &input)?;
            v.outcome.decode_with(output.as_ref());
            print(json_mode, &v, || {
                format!(
                    "query of {} answered by worker {} (state of block {}): {}\n  fuel: {}",
                    v.contract,
                    v.worker,
                    v.height,
                    outcome_text(&v.outcome),
                    v.fuel_used
                )
            });
            Ok(())
        }
    }
}

/// `phalanx contract expire`: checked against the command's record (read with proofs) first.
fn expire(rpc: &str, id: &[u8; 32], seq: u64, from: &str, json_mode: bool) -> Result<(), CliError> {
    let key = keys::resolve_signer_or_file(from)?;
    let (height, record, expired) = phalanx_client::confidential::command_status(rpc, id, seq)?;
    let refuse =
        |error: ContractsError, message: String| Err(refused_here(Exit::Refused, error, message));
    let Some(record) = record else {
        return refuse(
            ContractsError::UnknownCommand,
            format!(
                "contract {} has no command {seq}: nothing sent",
                hex::encode(id)
            ),
        );
    };
    if record.result.is_some() {
        return refuse(
            ContractsError::CommandRecorded,
            format!("command {seq}'s result is recorded: its gas is settled; nothing sent"),
        );
    }
    if expired {
        return refuse(
            ContractsError::CommandAlreadyExpired,
            format!("command {seq}'s gas went back already; nothing sent"),
        );
    }
    let due = record
        .height
        .saturating_add(phalanx_runtime::contracts::COMMAND_EXPIRY_BLOCKS);
    // The transaction lands in a block after `height`: refuse only what cannot be due then.
    if height.saturating_add(1) < due {
        return refuse(
            ContractsError::CommandNotExpired,
            format!(
                "command {seq} was sent at block {} and can expire from block {due} (now {height}); nothing sent",
                record.height
            ),
        );
    }
    let chain = client::ChainInfo::fetch(rpc)?;
    let sent = phalanx_client::confidential::expire_command(rpc, &chain, &key, id, seq, json_mode)?;
    let v = TxStatusResponse::Finalized(sent);
    print(json_mode, &v, || {
        format!(
            "command {seq}'s gas ({} PHA) goes back to {}\n{}",
            phalanx_types::format_pha(record.escrow),
            record.sender,
            tx_text(&v)
        )
    });
    Ok(())
}

fn outcome_text(o: &crate::contract_run::OutcomeView) -> String {
    if let Some(decoded) = &o.decoded {
        return format!("succeeded, output {decoded}");
    }
    match (&o.output, &o.output_text, &o.error) {
        (_, Some(text), _) => format!("succeeded, output {text:?}"),
        (Some(hex), None, _) if hex.is_empty() => "succeeded, no output".into(),
        (Some(hex), None, _) => format!("succeeded, output 0x{hex}"),
        (_, _, Some(error)) => format!("FAILED: {error}"),
        _ => "no outcome".into(),
    }
}

/// What `upload` prints in JSON.
#[derive(Serialize)]
struct Uploaded {
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    code_hash: [u8; 32],
    size: usize,
    transaction: TxStatusResponse,
}

fn upload(rpc: &str, file: &Path, from: &str, json_mode: bool) -> Result<(), CliError> {
    // Everything about the file first: no password asked, no node needed, for a bad one.
    // One byte past the limit is enough to know it is too large.
    let code = crate::files::read_limited(file, MAX_CODE_BYTES as u64 + 1, "module")
        .map_err(|e| CliError::new(Exit::Usage, e))?;
    if code.len() > MAX_CODE_BYTES {
        return Err(refused_here(
            Exit::Usage,
            ContractsError::CodeTooLarge,
            format!(
                "{} is larger than {MAX_CODE_BYTES} bytes, the most a transaction carries: nothing sent",
                file.display()
            ),
        ));
    }
    if !contracts::looks_like_wasm(&code) {
        return Err(refused_here(
            Exit::Usage,
            ContractsError::InvalidCode,
            format!(
                "{} is not a WebAssembly module (it does not start with `\\0asm`): nothing sent",
                file.display()
            ),
        ));
    }
    let mut most = phalanx_runtime::Params::default();
    most.contracts.max_code_bytes = u32::try_from(MAX_CODE_BYTES).unwrap_or(u32::MAX);
    contracts::check_code(&most, &code).map_err(|e| invalid(file, e))?;
    let key = keys::resolve_signer_or_file(from)?;
    let chain = client::ChainInfo::fetch(rpc)?;
    // The chain's own limit may be lower than what a transaction carries.
    let hash = contracts::check_code(&chain.params, &code).map_err(|e| invalid(file, e))?;
    if let Some(found) = contracts::find_code(rpc, &hash, false)? {
        let info = &found.code.info;
        return Err(refused_here(
            Exit::Refused,
            ContractsError::CodeExists,
            format!(
                "code {} is already uploaded (by {} at block {}): nothing sent; create a contract from it with `phalanx contract instantiate {}`",
                hex::encode(hash),
                info.uploader,
                info.height,
                hex::encode(hash)
            ),
        ));
    }
    let size = code.len();
    let sent = contracts::upload_code(rpc, &chain, &key, code, json_mode)?;
    let v = Uploaded {
        code_hash: sent.code_hash,
        size,
        transaction: TxStatusResponse::Finalized(sent.transaction),
    };
    print(json_mode, &v, || {
        let hash = hex::encode(v.code_hash);
        format!(
            "code {hash} uploaded ({size} bytes)\n  next: `phalanx contract instantiate {hash} --from ACCOUNT`\n{}",
            tx_text(&v.transaction)
        )
    });
    Ok(())
}

/// A module the executor would not load: a usage error with the chain's code.
fn invalid(file: &Path, error: ContractsError) -> CliError {
    let max = match error {
        ContractsError::CodeTooLarge => " (see `phalanx info --json`: contracts.max_code_bytes)",
        _ => "",
    };
    refused_here(
        Exit::Usage,
        error,
        format!(
            "{}: the chain would refuse this module: {error}{max}: nothing sent",
            file.display()
        ),
    )
}

/// What `instantiate` prints in JSON.
#[derive(Serialize)]
struct Instantiated {
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    contract: [u8; 32],
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    code_hash: [u8; 32],
    cluster: u32,
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    salt: [u8; 32],
    deployer: AccountId,
    transaction: TxStatusResponse,
}

fn instantiate(
    rpc: &str,
    code_hash: [u8; 32],
    cluster: u32,
    salt: [u8; 32],
    from: &str,
    json_mode: bool,
) -> Result<(), CliError> {
    let key = keys::resolve_signer_or_file(from)?;
    let deployer = AccountId::from(key.public_key());
    let chain = client::ChainInfo::fetch(rpc)?;
    if contracts::find_code(rpc, &code_hash, false)?.is_none() {
        return Err(refused_here(
            Exit::Refused,
            ContractsError::UnknownCode,
            format!(
                "no module is uploaded under hash {}: nothing sent (upload it with `phalanx contract upload FILE`)",
                hex::encode(code_hash)
            ),
        ));
    }
    if cluster != 0 && contracts::find_cluster(rpc, cluster)?.is_none() {
        return Err(refused_here(
            Exit::Refused,
            ContractsError::UnknownCluster,
            format!(
                "no cluster {cluster} (`phalanx cluster list`; 0 is every worker): nothing sent"
            ),
        ));
    }
    let id = contracts::contract_id(&chain, &deployer, &code_hash, cluster, &salt);
    if contracts::find_contract(rpc, &id)?.is_some() {
        return Err(refused_here(
            Exit::Refused,
            ContractsError::ContractExists,
            format!(
                "contract {} exists already (the same deployer, code, cluster and salt give the same id): nothing sent; choose another --salt",
                hex::encode(id)
            ),
        ));
    }
    let sent = contracts::instantiate(rpc, &chain, &key, code_hash, cluster, salt, json_mode)?;
    let v = Instantiated {
        contract: sent.contract,
        code_hash,
        cluster,
        salt,
        deployer,
        transaction: TxStatusResponse::Finalized(sent.transaction),
    };
    print(json_mode, &v, || {
        let id = hex::encode(v.contract);
        format!(
            "contract {id} created from code {} on cluster {cluster} (salt {})\n  its cluster's workers now derive its keys: `phalanx contract show {id}` prints them once published\n{}",
            hex::encode(code_hash),
            hex::encode(salt),
            tx_text(&v.transaction)
        )
    });
    Ok(())
}

/// What `code` prints in JSON: the record, and where the module was saved.
#[derive(Serialize)]
struct CodeShown {
    #[serde(flatten)]
    code: CodeResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    saved_to: Option<String>,
}

fn code(rpc: &str, hash: [u8; 32], out: Option<&Path>, json_mode: bool) -> Result<(), CliError> {
    let Some(mut found) = contracts::find_code(rpc, &hash, out.is_some())? else {
        return Err(CliError {
            code: Some("unknown_code".into()),
            ..CliError::new(
                Exit::Refused,
                format!("no module is uploaded under hash {}", hex::encode(hash)),
            )
        });
    };
    let saved_to = match (out, found.bytes.take()) {
        (Some(path), Some(bytes)) => {
            write_new(path, &bytes.0)?;
            Some(path.display().to_string())
        }
        _ => None,
    };
    let v = CodeShown {
        code: found,
        saved_to,
    };
    print(json_mode, &v, || {
        let mut text = format!(
            "code at block {}\n{}",
            v.code.finalized_height,
            code_text(&v.code.code)
        );
        if let Some(path) = &v.saved_to {
            text.push_str(&format!(
                "\n  saved to:    {path} (its SHA-256 checked against the hash)"
            ));
        }
        text
    });
    Ok(())
}

/// Creates `path` (which must not exist) and writes `bytes`.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| CliError::new(Exit::Other, format!("creating {}: {e}", path.display())))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| CliError::new(Exit::Other, format!("writing {}: {e}", path.display())))
}

fn contract_text(c: &ContractView) -> String {
    let r = &c.record;
    let mut out = format!(
        "  id:          {}\n  code:        {}\n  cluster:     {} (keys from master key generation {})\n  deployer:    {}\n  created:     block {}\n",
        hex::encode(c.id),
        hex::encode(r.code_hash),
        r.cluster,
        r.generation,
        r.deployer,
        r.created_height,
    );
    match &r.keys {
        None => out.push_str(
            "  keys:        not yet published by its cluster (its workers derive them from the cluster key and report them)",
        ),
        Some(k) => out.push_str(&format!(
            "  keys:        published at block {} by worker {}, confirmed by {} other worker(s)\n    encryption: {} (X25519: commands are encrypted to it)\n    signing:    {} (ed25519)",
            k.height,
            k.reported_by,
            k.confirmations,
            hex::encode(k.encryption_key),
            hex::encode(k.signing_key),
        )),
    }
    out.push_str(&format!(
        "\n  commands:    {} submitted, {} executed (state hash after the last: {})",
        r.commands,
        r.executed,
        hex::encode(r.state_hash),
    ));
    out
}

fn code_text(c: &CodeView) -> String {
    format!(
        "  hash:        {}\n  size:        {} bytes\n  uploaded by: {} at block {}",
        hex::encode(c.hash),
        c.info.size,
        c.info.uploader,
        c.info.height,
    )
}

fn list_text(v: &ContractsResponse) -> String {
    if v.contracts.is_empty() {
        return format!(
            "no contracts at block {} (of {}; create one with `phalanx contract upload FILE.wasm`, then `phalanx contract instantiate HASH`)",
            v.finalized_height, v.count
        );
    }
    let mut out = format!("{} contract(s) at block {}\n", v.count, v.finalized_height);
    for c in &v.contracts {
        let r = &c.record;
        out.push_str(&format!(
            "contract {}: code {}, cluster {}, deployer {}, created at block {}, keys {}\n",
            hex::encode(c.id),
            hex::encode(r.code_hash),
            r.cluster,
            r.deployer,
            r.created_height,
            if r.keys.is_some() {
                "published"
            } else {
                "not yet published"
            },
        ));
    }
    if v.count > v.offset.saturating_add(v.contracts.len() as u64) || v.offset > 0 {
        out.push_str(&format!(
            "(contracts {}..{} shown; --offset N for others)\n",
            v.offset,
            v.offset.saturating_add(v.contracts.len() as u64)
        ));
    }
    out.trim_end().to_string()
}

fn codes_text(v: &CodesResponse) -> String {
    if v.codes.is_empty() {
        return format!(
            "no modules at block {} (of {}; upload one with `phalanx contract upload FILE.wasm`)",
            v.finalized_height, v.count
        );
    }
    let mut out = format!("{} module(s) at block {}\n", v.count, v.finalized_height);
    for c in &v.codes {
        out.push_str(&format!(
            "code {}: {} bytes, uploaded by {} at block {}\n",
            hex::encode(c.hash),
            c.info.size,
            c.info.uploader,
            c.info.height,
        ));
    }
    if v.count > v.offset.saturating_add(v.codes.len() as u64) || v.offset > 0 {
        out.push_str(&format!(
            "(modules {}..{} shown; --offset N for others)\n",
            v.offset,
            v.offset.saturating_add(v.codes.len() as u64)
        ));
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use phalanx_runtime::contracts::{CodeInfo, ContractKeys, ContractRecord};

    fn account(name: &str) -> AccountId {
        AccountId::from(phalanx_crypto::dev_key(name).public_key())
    }

    #[test]
    fn salts_are_64_hex_characters() {
        assert_eq!(parse_salt(&"01".repeat(32)), Ok([1; 32]));
        assert!(parse_salt("01").is_err());
        assert!(parse_salt(&"g0".repeat(32)).is_err());
        assert!(hash_arg("nope", "contract id").is_err_and(|e| e.exit == Exit::Usage));
    }

    #[test]
    fn a_contract_shows_its_keys_or_that_they_are_not_published() {
        let mut c = ContractView {
            id: [2; 32],
            record: ContractRecord {
                code_hash: [1; 32],
                cluster: 0,
                generation: 0,
                deployer: account("alice"),
                created_height: 12,
                keys: None,
                commands: 0,
                executed: 0,
                state_hash: [0; 32],
            },
        };
        let text = contract_text(&c);
        assert!(text.contains("not yet published by its cluster"), "{text}");
        assert!(text.contains(&format!("code:        {}", "01".repeat(32))));
        c.record.keys = Some(ContractKeys {
            encryption_key: [3; 32],
            signing_key: [4; 32],
            reported_by: account("worker"),
            height: 14,
            confirmations: 2,
        });
        let text = contract_text(&c);
        assert!(
            text.contains("published at block 14") && text.contains("confirmed by 2 other"),
            "{text}"
        );
        assert!(text.contains(&format!("encryption: {}", "03".repeat(32))));
        let list = ContractsResponse {
            finalized_height: 20,
            count: 3,
            offset: 0,
            contracts: vec![c],
        };
        let text = list_text(&list);
        assert!(text.starts_with("3 contract(s) at block 20"), "{text}");
        assert!(text.contains("keys published") && text.contains("0..1 shown"));
        let codes = CodesResponse {
            finalized_height: 20,
            count: 0,
            offset: 0,
            codes: vec![],
        };
        assert!(codes_text(&codes).starts_with("no modules at block 20"));
        let code = CodeView {
            hash: [5; 32],
            info: CodeInfo {
                uploader: account("bob"),
                size: 13_794,
                height: 9,
            },
        };
        assert!(code_text(&code).contains("13794 bytes"));
    }

    #[test]
    fn refusals_here_carry_the_chain_s_code() {
        let e = invalid(Path::new("x.wasm"), ContractsError::BadExport);
        assert_eq!(e.exit, Exit::Usage);
        assert_eq!(e.code.as_deref(), Some("contracts.bad_export"));
        assert!(e.message.contains("nothing sent"), "{}", e.message);
    }
}
