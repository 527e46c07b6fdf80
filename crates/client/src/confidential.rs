//! Confidential contracts from the client's side: encrypted commands through the chain and
//! encrypted queries straight to a worker, with the chain's answers checked against state
//! proofs (see [`proven_state`]).

use crate::client::{ChainInfo, ClientError, send_checked};
use crate::{api::StateRequest, endpoint, http::HttpError};
use commonware_cryptography::ed25519::PrivateKey;
use phalanx_contracts::{
    query::{QueryAnswer, make_query, open_answer},
    sealed::{self, CommandOutcome},
};
use phalanx_crypto::hpke;
use phalanx_runtime::{
    Event,
    contracts::{self, CommandRecord, ContractRecord},
    registry::{self, WorkerRecord},
};
use phalanx_state::StateProof;
use phalanx_types::{AccountId, ContractsCall, Sealed};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

mod session;
pub use session::QuerySession;

/// A value read with a proof: its bytes, or `None` when the state holds nothing there.
pub type ProvenValue = Option<Vec<u8>>;

fn other(message: impl Into<String>) -> ClientError {
    ClientError::Other(message.into())
}

/// An HTTP failure talking to a worker's query server, worded for it: the transport's words
/// name "the node", which a user would take for `--rpc`.
pub(crate) fn from_worker(e: HttpError) -> ClientError {
    match e {
        HttpError::Unreachable(m) => {
            ClientError::Unreachable(m.replace("the node", "the worker's query server").replace(
                "(is `phalanx dev` running?)",
                "(is the worker running, and serving queries there: --query-addr?)",
            ))
        }
        e => e.into(),
    }
}

fn hex32(text: &str, what: &str) -> Result<[u8; 32], ClientError> {
    hex::decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| other(format!("node returned no valid {what}")))
}

/// Reads `keys` with state proofs, and checks each against the state root of the block the
/// node names (whose header this client fetches itself): a node cannot make this client
/// believe a value the state does not hold at that block. (That the block is final is taken
/// from the node; the worker's light client checks the validators' certificates too.)
pub fn proven_state(
    rpc: &str,
    keys: &[phalanx_runtime::StateKey],
) -> Result<(u64, Vec<ProvenValue>), ClientError> {
    let request = StateRequest {
        keys: keys
            .iter()
            .map(|k| hex::encode(<[u8; 32]>::from(*k)))
            .collect(),
    };
    let response = endpoint::state(rpc, &request)?;
    let block = endpoint::block(rpc, &response.height.to_string())?;
    if hex::encode(&response.state_root.0) != block.state_root {
        return Err(other(format!(
            "the node's proofs are against root {}, but block {}'s root is {}",
            hex::encode(&response.state_root.0),
            response.height,
            block.state_root
        )));
    }
    let root = hex32(&block.state_root, "state root")?;
    if response.entries.len() != keys.len() {
        return Err(other("the node answered for other keys than asked"));
    }
    let mut values = Vec::with_capacity(keys.len());
    for (key, entry) in keys.iter().zip(response.entries) {
        if entry.key.0 != <[u8; 32]>::from(*key) {
            return Err(other("the node answered for another key than asked"));
        }
        let value = entry.value.map(|v| v.0);
        StateProof::decode(&entry.proof.0)
            .and_then(|proof| proof.verify(key, value.as_deref(), &root.into()))
            .map_err(|e| other(format!("state proof REFUSED: {e}")))?;
        values.push(value);
    }
    Ok((response.height, values))
}

fn decode<T: commonware_codec::Read<Cfg = ()>>(bytes: &[u8], what: &str) -> Result<T, ClientError> {
    <T as commonware_codec::DecodeExt<()>>::decode(commonware_codec::Copying(bytes))
        .map_err(|e| other(format!("proven {what} does not decode: {e}")))
}

/// A contract's record, proven.
pub fn contract(rpc: &str, id: &[u8; 32]) -> Result<Option<ContractRecord>, ClientError> {
    let (_, values) = proven_state(rpc, &[contracts::state_key::contract(id)])?;
    values
        .into_iter()
        .next()
        .flatten()
        .map(|bytes| decode(&bytes, "contract"))
        .transpose()
}

/// A command that was accepted: what its result is awaited with.
pub struct SentCommand {
    pub contract: [u8; 32],
    pub seq: u64,
    /// The tx hash, hex.
    pub tx_hash: String,
    /// The secret of the reply key the result is sealed to (kept by the client only).
    pub reply_secret: Zeroizing<[u8; 32]>,
}

/// Seals `input` to `contract`'s published key and sends it as `key`'s command with
/// `gas_limit`; returns once the command is in a finalized block.
pub fn send_command(
    rpc: &str,
    chain: &ChainInfo,
    key: &PrivateKey,
    contract: &[u8; 32],
    input: &[u8],
    gas_limit: u64,
    quiet: bool,
) -> Result<SentCommand, ClientError> {
    let record = self::contract(rpc, contract)?.ok_or_else(|| other("no contract has this id"))?;
    let keys = record.keys.ok_or_else(|| {
        other("the contract's cluster has not published its encryption key yet: try again shortly")
    })?;
    let chain_id = chain.chain_id.clone();
    let account = AccountId::from(commonware_cryptography::Signer::public_key(key));
    let reply = hpke::generate_key_pair().map_err(|e| other(e.to_string()))?;
    let sealed = sealed::seal_command(
        &keys.encryption_key,
        &chain_id,
        contract,
        account.as_bytes(),
        &reply.public,
        input,
    )
    .map_err(|e| other(e.to_string()))?;
    let call = ContractsCall::Command {
        contract: *contract,
        sealed,
        gas_limit,
    }
    .into();
    let finalized = send_checked(rpc, chain, key, call, "contract command", quiet)?;
    let seq = finalized
        .location
        .receipt
        .events
        .iter()
        .find_map(|e| match e {
            Event::Contracts(contracts::Event::CommandSubmitted {
                contract: c, seq, ..
            }) if c == contract => Some(*seq),
            _ => None,
        })
        .ok_or_else(|| other("the command's receipt names no sequence number"))?;
    Ok(SentCommand {
        contract: *contract,
        seq,
        tx_hash: finalized.hash.clone(),
        reply_secret: Zeroizing::new(*reply.secret),
    })
}

/// A command's result as the chain recorded it, opened.
pub struct CommandResultView {
    pub record: CommandRecord,
    pub outcome: CommandOutcome,
}

/// Waits (at most `timeout`) for the cluster's result of `sent`, and opens it.
pub fn await_result(
    rpc: &str,
    chain: &ChainInfo,
    sent: &SentCommand,
    timeout: Duration,
) -> Result<CommandResultView, ClientError> {
    let chain_id = chain.chain_id.clone();
    let deadline = Instant::now() + timeout;
    loop {
        let (_, values) = proven_state(
            rpc,
            &[
                contracts::state_key::command(&sent.contract, sent.seq),
                contracts::state_key::command_output(&sent.contract, sent.seq),
            ],
        )?;
        let command: Option<CommandRecord> = values[0]
            .as_deref()
            .map(|b| decode(b, "command"))
            .transpose()?;
        if let (Some(record), Some(output)) = (command, values[1].as_deref())
            && record.result.is_some()
        {
            let sealed_output: Sealed = decode(output, "command output")?;
            let command_id = sealed::command_id(&sent.contract, sent.seq);
            let outcome = if sealed_output.ciphertext.is_empty() {
                CommandOutcome::Failed(
                    "the cluster could not open the command (sealed to another key?)".into(),
                )
            } else {
                sealed::open_result(
                    &sent.reply_secret,
                    &chain_id,
                    &sent.contract,
                    &command_id,
                    &sealed_output,
                )
                .map_err(|e| other(format!("the result does not open: {e}")))?
            };
            return Ok(CommandResultView { record, outcome });
        }
        if Instant::now() >= deadline {
            return Err(other(format!(
                "no result for command {} of the contract within {} s: is a worker of its cluster running?",
                sent.seq,
                timeout.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What a worker's query server says it is (`GET /v1/info`).
#[derive(serde::Deserialize, Debug, Clone)]
pub struct WorkerInfo {
    pub worker: AccountId,
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub encryption_key: [u8; 32],
    pub chain_id: String,
}

/// An opened query answer.
pub struct QueryView {
    pub worker: AccountId,
    pub height: u64,
    pub fuel_used: u64,
    pub outcome: CommandOutcome,
}

/// Command `seq` of `contract` as the chain holds it, read with proofs: the height read at,
/// the record (`None`: no such command) and whether its gas was given back already.
pub fn command_status(
    rpc: &str,
    contract: &[u8; 32],
    seq: u64,
) -> Result<(u64, Option<CommandRecord>, bool), ClientError> {
    let (height, values) = proven_state(
        rpc,
        &[
            contracts::state_key::command(contract, seq),
            contracts::state_key::expired(contract, seq),
        ],
    )?;
    let record = values[0]
        .as_deref()
        .map(|b| decode(b, "command"))
        .transpose()?;
    Ok((height, record, values[1].is_some()))
}

/// Signs `contracts.expire_command` with `key`: the gas held for a command whose cluster
/// recorded no result within `COMMAND_EXPIRY_BLOCKS` goes back to its sender. Check
/// [`command_status`] first: a refusal in the block keeps the fee.
pub fn expire_command(
    rpc: &str,
    chain: &ChainInfo,
    key: &PrivateKey,
    contract: &[u8; 32],
    seq: u64,
    quiet: bool,
) -> Result<crate::api::FinalizedTx, ClientError> {
    send_checked(
        rpc,
        chain,
        key,
        ContractsCall::ExpireCommand {
            contract: *contract,
            seq,
        }
        .into(),
        "command expiry",
        quiet,
    )
}

/// Asks the query server at `worker_url` which worker it is, and checks, with state proofs,
/// that the chain `rpc` serves holds that worker's record with the encryption key the server
/// gave (registered with an attestation): the worker, and the chain's id.
pub(crate) fn attested_worker(
    rpc: &str,
    worker_url: &str,
) -> Result<(WorkerInfo, phalanx_types::ChainId), ClientError> {
    let info: WorkerInfo = crate::http::get(worker_url, "/v1/info").map_err(from_worker)?;
    let chain = ChainInfo::fetch(rpc)?;
    if info.chain_id != chain.chain_id.as_str() {
        return Err(other(format!(
            "the worker serves chain `{}`, the node `{}`",
            info.chain_id, chain.chain_id
        )));
    }
    let (_, values) = proven_state(rpc, &[registry::state_key::worker(&info.worker)])?;
    let record: WorkerRecord = values[0]
        .as_deref()
        .map(|b| decode(b, "worker record"))
        .transpose()?
        .ok_or_else(|| other(format!("the chain holds no worker {}", info.worker)))?;
    if record.info.encryption_key != info.encryption_key {
        return Err(other(
            "the worker's query key is not the key attested on chain: REFUSED",
        ));
    }
    Ok((info, chain.chain_id))
}

/// Asks `worker_url` (a worker's query server) to run `contract`'s query with `input`, signed
/// by `key`: one request with its own key agreement and signature ([`QuerySession`] spends
/// those once for many queries). First checks the worker ([`attested_worker`]); then seals
/// the query to its attested key.
pub fn query(
    rpc: &str,
    worker_url: &str,
    key: &PrivateKey,
    contract: &[u8; 32],
    input: &[u8],
) -> Result<QueryView, ClientError> {
    let worker_url = worker_url.trim_end_matches('/');
    let (info, chain_id) = attested_worker(rpc, worker_url)?;
    one_shot(worker_url, &info, &chain_id, key, contract, input)
}

/// One query with its own key agreement and signature, to the worker `info` (checked already)
/// at `worker_url`.
pub(crate) fn one_shot(
    worker_url: &str,
    info: &WorkerInfo,
    chain_id: &phalanx_types::ChainId,
    key: &PrivateKey,
    contract: &[u8; 32],
    input: &[u8],
) -> Result<QueryView, ClientError> {
    let now = phalanx_contracts::query::now_ms();
    let (request, answer_key) = make_query(
        chain_id,
        &info.worker,
        &info.encryption_key,
        contract,
        key,
        now,
        input,
    )
    .map_err(|e| other(e.to_string()))?;
    let answer: QueryAnswer =
        crate::http::post(worker_url, "/v1/query", &request).map_err(from_worker)?;
    let outcome = open_answer(&answer_key, chain_id, &request, &answer.sealed)
        .map_err(|e| other(format!("the answer does not open: {e}")))?;
    Ok(QueryView {
        worker: info.worker.clone(),
        height: answer.height,
        fuel_used: answer.fuel_used,
        outcome,
    })
}
