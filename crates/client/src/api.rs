//! Requests and responses of the node's HTTP API: the server (`phalanx-rpc`) serializes these
//! types and its clients deserialize them, so neither side looks fields up by name.
//!
//! Conventions on the wire: amounts are decimal strings of base units (JSON numbers lose
//! precision above 2^53; [`amount_json`]); byte strings a client decodes (headers,
//! certificates, proofs, state values) are lower-case hex ([`HexBytes`]); block hashes and
//! state roots shown to people are hex strings. `GET /chain/spec` answers the chain spec file
//! itself (`phalanx_consensus::spec::ChainSpec`, which both sides (de)serialize; it lives with
//! the consensus code that checks it).

use phalanx_runtime::{
    Event, Params, Receipt, TxStatus, amount_json, beacon,
    computation::{self, SessionState},
    contracts::{ClusterRecord, CodeInfo, ContractRecord},
    fixed::Fixed,
    mq::Heartbeat,
    registry::WorkerRecord,
    tokenomics,
};
use phalanx_types::{
    AccountId, Amount, AttestationPolicy, BalancesCall, Call, ComputationCall, ContractsCall,
    EvidenceKind, GovernanceCall, KeysCall, MqCall, Payload, RegistryCall, StakePoolCall,
    WorkerInfo, format_pha,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A byte string, as lower-case hex on the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HexBytes(#[serde(with = "phalanx_types::hex_serde::bytes")] pub Vec<u8>);

impl From<Vec<u8>> for HexBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// The body of every error answer (any non-2xx status).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A refusal: a machine-readable code (`malformed`, `insufficient_balance`, …) and words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl ToString) -> Self {
        Self {
            error: ErrorDetail {
                code: code.to_string(),
                message: message.to_string(),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Chain and accounts

/// A finalized block, as the node's index knows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub height: u64,
    /// The block's digest, hex.
    pub digest: String,
    pub timestamp_ms: u64,
    /// The state root its header commits to, hex.
    pub state_root: String,
}

/// `GET /chain`: what a client needs before it signs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainResponse {
    pub chain_id: String,
    /// Every component's parameters in the finalized state; `None` before the first block.
    pub params: Option<Params>,
    /// The genesis block's digest, hex (worker registrations bind it).
    pub genesis: String,
    pub finalized: Head,
    /// Transactions waiting in the node's pool.
    pub mempool: usize,
    /// The genesis root account, whose privileged calls (policy, promotion, rotation) bypass
    /// governance: development convenience; a production chain has none, and those calls are
    /// reachable only through governance proposals.
    #[serde(default)]
    pub root: Option<AccountId>,
}

/// `GET /account/{id}`: an account in the finalized state (a never-created one reads as zero
/// balance, nonce 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountResponse {
    pub account: AccountId,
    #[serde(with = "amount_json")]
    pub balance: Amount,
    pub balance_pha: String,
    /// The nonce its next transaction must carry, by the finalized state.
    pub nonce: u64,
    /// The nonce to sign the next transaction with: `nonce`, moved past this account's
    /// transactions waiting in the node's pool (absent from older nodes: use `nonce`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_nonce: Option<u64>,
    /// The height of the finalized block whose state this is (at least).
    pub finalized_height: u64,
    /// Base units a governance vote locks (not transferable, stakeable or delegable; fees may
    /// still be paid from them) until `locked_until_ms`; absent when nothing is locked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<LockView>,
}

/// Part of a balance locked by votes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockView {
    pub amount: AmountView,
    /// Block time from which it is spendable again, ms since the Unix epoch.
    pub until_ms: u64,
}

/// Whether a state proof shows a value or its absence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofKind {
    Inclusion,
    Exclusion,
}

impl ProofKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ProofKind::Inclusion => "inclusion",
            ProofKind::Exclusion => "exclusion",
        }
    }
}

/// `GET /proof/account/{id}`: an account's state value with its proof against the state root
/// of a finalized block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountProofResponse {
    pub account: AccountId,
    /// The state key (the client computes it itself and should not trust this one).
    pub key: HexBytes,
    /// The encoded account; `None` when it does not exist.
    pub value: Option<HexBytes>,
    /// The node's decoding of `value`, for people.
    pub decoded: Option<ProvenAccount>,
    pub kind: ProofKind,
    /// A `phalanx_state::StateProof`.
    pub proof: HexBytes,
    pub state_root: String,
    /// The finalized block whose header carries `state_root`.
    pub height: u64,
    pub block_hash: String,
}

/// An account value as decoded by the node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenAccount {
    #[serde(with = "amount_json")]
    pub balance: Amount,
    pub balance_pha: String,
    pub nonce: u64,
}

// ---------------------------------------------------------------------------------------------
// Transactions

/// `POST /tx`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitRequest {
    /// Hex of the encoded signed transaction.
    pub tx: String,
}

/// `POST /tx`, admitted (status 202): the transaction's hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitResponse {
    pub hash: String,
}

/// Most transactions in one `POST /txs`.
pub const MAX_BATCH_TXS: usize = 1_000;

/// `POST /txs`: up to [`MAX_BATCH_TXS`] transactions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitBatchRequest {
    /// Hex of each encoded signed transaction.
    pub txs: Vec<String>,
}

/// `POST /txs`: each transaction admitted or refused on its own, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitBatchResponse {
    pub accepted: usize,
    pub results: Vec<BatchResult>,
}

/// One transaction of a batch: `{"hash": …}` or `{"error": {"code": …, "message": …}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BatchResult {
    Admitted { hash: String },
    Refused { error: ErrorDetail },
}

/// `GET /tx/{hash}`: a transaction the node knows (an unknown one is a 404 error).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TxStatusResponse {
    /// In a finalized block, with its receipt.
    Finalized(FinalizedTx),
    /// In the node's pool.
    Pending { hash: String },
}

/// A finalized transaction: where it landed and what it did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalizedTx {
    pub hash: String,
    pub location: TxLocation,
}

/// Where a transaction landed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxLocation {
    pub height: u64,
    /// Its position in the block.
    pub index: u32,
    /// The block's hash, hex.
    pub block: String,
    pub receipt: Receipt,
    /// True when the node rebuilt this receipt from the block archive (after its index was
    /// damaged, or from an older node's data): status and fee are right, events are missing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub events_unavailable: bool,
}

impl FinalizedTx {
    /// The receipt's error, when the call failed in its block.
    pub fn failure(&self) -> Option<phalanx_runtime::DispatchError> {
        match self.location.receipt.status {
            TxStatus::Success => None,
            TxStatus::Failed(e) => Some(e),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// History: an account's transactions, events, blocks (the node's index)

/// Most items one history, events or blocks page holds (`limit` above it is refused).
pub const MAX_HISTORY_PAGE: u64 = 1_000;

/// `limit` when a history, events or blocks request gives none.
pub const DEFAULT_HISTORY_PAGE: u64 = 50;

fn default_history_limit() -> u64 {
    DEFAULT_HISTORY_PAGE
}

/// `GET /account/{id}/txs?before=&limit=`: newest first; `before` is a previous page's `next`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountTxsQuery {
    /// `HEIGHT.INDEX`: only transactions strictly before this position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default = "default_history_limit")]
    pub limit: u64,
}

/// `GET /account/{id}/txs`: the transactions an account signed or an event of which names it
/// (a transfer it received, a pool it delegates to, …), newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountTxsResponse {
    pub account: AccountId,
    pub txs: Vec<HistoryTx>,
    /// Pass as `before` for the next (older) page; `None`: no more.
    pub next: Option<String>,
    /// Set when blocks below this height were rebuilt without their events: an account named
    /// only by an event of theirs (a transfer received) is missing from their part of the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_known_from: Option<u64>,
}

/// A transaction in a history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryTx {
    pub hash: String,
    pub height: u64,
    pub index: u32,
    /// Its block's time.
    pub timestamp_ms: u64,
    pub signer: AccountId,
    pub nonce: u64,
    /// `component.call`.
    pub call: String,
    pub receipt: Receipt,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub events_unavailable: bool,
}

/// `GET /events?kind=&from=&to=&cursor=&limit=`: events in chain order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsQuery {
    /// `component.event` (`balances.transfer`); all kinds when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// First height (default: the last 100 blocks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<u64>,
    /// Last height, inclusive (default: the finalized head).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u64>,
    /// A previous page's `next`: where to resume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(default = "default_history_limit")]
    pub limit: u64,
}

/// `GET /events`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsResponse {
    /// The heights searched (after defaults and the finalized head were applied).
    pub from: u64,
    pub to: u64,
    pub events: Vec<IndexedEvent>,
    /// Pass as `cursor` (with the same `kind`, `from`, `to`) for the rest; `None`: no more.
    pub next: Option<String>,
    /// Set when blocks below this height were rebuilt without their events (they are missing
    /// from the answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_known_from: Option<u64>,
}

/// An event and where it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedEvent {
    /// `HEIGHT.TX.N` (`TX` is `b` for the block hooks').
    pub position: String,
    pub height: u64,
    /// The transaction that emitted it, hex; `None` for `begin_block`/`end_block` events.
    pub tx: Option<String>,
    pub kind: String,
    pub event: Event,
}

/// `GET /blocks?from=&limit=`: block headers in height order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlocksQuery {
    /// First height (default: the last `limit` blocks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<u64>,
    #[serde(default = "default_history_limit")]
    pub limit: u64,
}

/// `GET /blocks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlocksResponse {
    pub blocks: Vec<BlockSummary>,
    /// The next height to ask for; `None` once the finalized head is reached.
    pub next: Option<u64>,
}

/// A block's header, its transaction count and its block-hook event count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockSummary {
    pub height: u64,
    pub hash: String,
    pub timestamp_ms: u64,
    pub state_root: String,
    pub txs: u32,
    /// Events of `begin_block` and `end_block` (transactions' events are in their receipts).
    pub events: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub events_unavailable: bool,
}

// ---------------------------------------------------------------------------------------------
// Blocks

/// `GET /block/{height|latest}`, and each event of `GET /subscribe/blocks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockResponse {
    pub height: u64,
    pub hash: String,
    pub parent: String,
    pub timestamp_ms: u64,
    pub state_root: String,
    /// The consensus view it was finalized in.
    pub view: u64,
    /// The leader's public key, hex.
    pub proposer: String,
    pub transactions: Vec<BlockTx>,
    /// The block hooks' events (`begin_block`, then `end_block`); `None` (JSON `null`) when the
    /// node does not know them (a block it rebuilt from the archive without executing it).
    pub events: Option<Vec<Event>>,
}

/// A transaction in a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockTx {
    pub hash: String,
    pub signer: AccountId,
    pub nonce: u64,
    #[serde(with = "amount_json")]
    pub fee: Amount,
    pub call: CallView,
    /// `{"status": "success"}` or `{"status": "failed", "error": "component.code"}`.
    pub status: TxStatus,
}

/// A call's name (`component.call`) and its arguments, for people; evidence is summarized by
/// its size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "name")]
pub enum CallView {
    #[serde(rename = "balances.transfer")]
    Transfer {
        to: AccountId,
        #[serde(with = "amount_json")]
        amount: Amount,
        amount_pha: String,
    },
    #[serde(rename = "registry.register_worker")]
    RegisterWorker {
        worker: WorkerInfo,
        evidence_kind: EvidenceKind,
        evidence_bytes: usize,
    },
    #[serde(rename = "registry.set_attestation_policy")]
    SetAttestationPolicy { policy: AttestationPolicy },
    #[serde(rename = "registry.promote_gatekeeper")]
    PromoteGatekeeper { worker: AccountId },
    #[serde(rename = "mq.push_message")]
    PushMessage {
        sender: AccountId,
        seq: u64,
        payload: Box<Payload>,
    },
    #[serde(rename = "keys.rotate_master_key")]
    RotateMasterKey,
    #[serde(rename = "computation.start_mining")]
    StartMining {
        worker: AccountId,
        #[serde(with = "amount_json")]
        stake: Amount,
        stake_pha: String,
    },
    #[serde(rename = "computation.stop_mining")]
    StopMining { worker: AccountId },
    #[serde(rename = "computation.reclaim")]
    Reclaim { worker: AccountId },
    #[serde(rename = "computation.report_equivocation")]
    ReportEquivocation {
        worker: AccountId,
        round: u64,
        /// The two counters the worker signed for the round.
        counters: [u64; 2],
    },
    #[serde(rename = "computation.report_revoked")]
    ReportRevoked { worker: AccountId },
    #[serde(rename = "stakepool.create")]
    CreatePool {
        commission_ppm: u32,
        #[serde(with = "phalanx_runtime::amount_json::option")]
        cap: Option<Amount>,
    },
    #[serde(rename = "stakepool.add_worker")]
    PoolAddWorker { pool: u64, worker: AccountId },
    #[serde(rename = "stakepool.remove_worker")]
    PoolRemoveWorker { pool: u64, worker: AccountId },
    #[serde(rename = "stakepool.start_mining")]
    PoolStartMining {
        pool: u64,
        worker: AccountId,
        #[serde(with = "amount_json")]
        stake: Amount,
        stake_pha: String,
    },
    #[serde(rename = "stakepool.stop_mining")]
    PoolStopMining { pool: u64, worker: AccountId },
    #[serde(rename = "stakepool.contribute")]
    Contribute {
        pool: u64,
        #[serde(with = "amount_json")]
        amount: Amount,
        amount_pha: String,
    },
    #[serde(rename = "stakepool.withdraw")]
    Withdraw {
        pool: u64,
        #[serde(with = "amount_json")]
        shares: u128,
    },
    #[serde(rename = "stakepool.claim_commission")]
    ClaimCommission { pool: u64 },
    #[serde(rename = "governance.propose")]
    Propose {
        /// The action's kind (`set_params`, `treasury_spend`, ...).
        kind: String,
        voting_ms: u64,
    },
    #[serde(rename = "governance.vote")]
    Vote {
        proposal: u64,
        choice: String,
        pools: Vec<u64>,
    },
    #[serde(rename = "contracts.upload_code")]
    UploadCode {
        /// SHA-256 of the module, hex.
        code_hash: String,
        size: usize,
    },
    #[serde(rename = "contracts.instantiate")]
    Instantiate {
        code_hash: String,
        cluster: u32,
        salt: String,
    },
    /// An encrypted command: only its size shows.
    #[serde(rename = "contracts.command")]
    Command {
        contract: String,
        gas_limit: u64,
        sealed_bytes: usize,
    },
    #[serde(rename = "contracts.create_cluster")]
    CreateCluster { members: Vec<AccountId> },
    #[serde(rename = "contracts.expire_command")]
    ExpireCommand { contract: String, seq: u64 },
}

impl CallView {
    /// The call's name, as `Call::name` gives it.
    pub fn name(&self) -> &'static str {
        match self {
            CallView::Transfer { .. } => "balances.transfer",
            CallView::RegisterWorker { .. } => "registry.register_worker",
            CallView::SetAttestationPolicy { .. } => "registry.set_attestation_policy",
            CallView::PromoteGatekeeper { .. } => "registry.promote_gatekeeper",
            CallView::PushMessage { .. } => "mq.push_message",
            CallView::RotateMasterKey => "keys.rotate_master_key",
            CallView::StartMining { .. } => "computation.start_mining",
            CallView::StopMining { .. } => "computation.stop_mining",
            CallView::Reclaim { .. } => "computation.reclaim",
            CallView::ReportEquivocation { .. } => "computation.report_equivocation",
            CallView::ReportRevoked { .. } => "computation.report_revoked",
            CallView::CreatePool { .. } => "stakepool.create",
            CallView::PoolAddWorker { .. } => "stakepool.add_worker",
            CallView::PoolRemoveWorker { .. } => "stakepool.remove_worker",
            CallView::PoolStartMining { .. } => "stakepool.start_mining",
            CallView::PoolStopMining { .. } => "stakepool.stop_mining",
            CallView::Contribute { .. } => "stakepool.contribute",
            CallView::Withdraw { .. } => "stakepool.withdraw",
            CallView::ClaimCommission { .. } => "stakepool.claim_commission",
            CallView::Propose { .. } => "governance.propose",
            CallView::Vote { .. } => "governance.vote",
            CallView::UploadCode { .. } => "contracts.upload_code",
            CallView::Instantiate { .. } => "contracts.instantiate",
            CallView::Command { .. } => "contracts.command",
            CallView::CreateCluster { .. } => "contracts.create_cluster",
            CallView::ExpireCommand { .. } => "contracts.expire_command",
        }
    }
}

impl From<&Call> for CallView {
    fn from(call: &Call) -> Self {
        match call {
            Call::Balances(BalancesCall::Transfer { to, amount }) => CallView::Transfer {
                to: to.clone(),
                amount: *amount,
                amount_pha: format_pha(*amount),
            },
            Call::Registry(RegistryCall::RegisterWorker { info, evidence }) => {
                CallView::RegisterWorker {
                    worker: info.clone(),
                    evidence_kind: evidence.kind,
                    evidence_bytes: evidence.quote.len() + evidence.collateral.len(),
                }
            }
            Call::Registry(RegistryCall::SetAttestationPolicy { policy }) => {
                CallView::SetAttestationPolicy {
                    policy: policy.clone(),
                }
            }
            Call::Registry(RegistryCall::PromoteGatekeeper { worker }) => {
                CallView::PromoteGatekeeper {
                    worker: worker.clone(),
                }
            }
            Call::Mq(MqCall::PushMessage { message }) => CallView::PushMessage {
                sender: message.message.sender.clone(),
                seq: message.message.seq,
                payload: Box::new(message.message.payload.clone()),
            },
            Call::Keys(KeysCall::RotateMasterKey) => CallView::RotateMasterKey,
            Call::Computation(ComputationCall::StartMining { worker, stake }) => {
                CallView::StartMining {
                    worker: worker.clone(),
                    stake: *stake,
                    stake_pha: format_pha(*stake),
                }
            }
            Call::Computation(ComputationCall::StopMining { worker }) => CallView::StopMining {
                worker: worker.clone(),
            },
            Call::Computation(ComputationCall::Reclaim { worker }) => CallView::Reclaim {
                worker: worker.clone(),
            },
            Call::Computation(ComputationCall::ReportEquivocation {
                worker,
                round,
                first,
                second,
            }) => CallView::ReportEquivocation {
                worker: worker.clone(),
                round: *round,
                counters: [first.iterations, second.iterations],
            },
            Call::Computation(ComputationCall::ReportRevoked { worker }) => {
                CallView::ReportRevoked {
                    worker: worker.clone(),
                }
            }
            Call::StakePool(c) => stakepool_view(c),
            Call::Governance(GovernanceCall::Propose { action, voting_ms }) => CallView::Propose {
                kind: action.kind().into(),
                voting_ms: *voting_ms,
            },
            Call::Governance(GovernanceCall::Vote {
                proposal,
                choice,
                pools,
            }) => CallView::Vote {
                proposal: *proposal,
                choice: choice.name().into(),
                pools: pools.clone(),
            },
            Call::Contracts(ContractsCall::UploadCode { code }) => CallView::UploadCode {
                code_hash: hex::encode(crate::contracts::code_hash(code)),
                size: code.len(),
            },
            Call::Contracts(ContractsCall::Instantiate {
                code_hash,
                cluster,
                salt,
            }) => CallView::Instantiate {
                code_hash: hex::encode(code_hash),
                cluster: *cluster,
                salt: hex::encode(salt),
            },
            Call::Contracts(ContractsCall::Command {
                contract,
                sealed,
                gas_limit,
            }) => CallView::Command {
                contract: hex::encode(contract),
                gas_limit: *gas_limit,
                sealed_bytes: sealed.ciphertext.len(),
            },
            Call::Contracts(ContractsCall::CreateCluster { members }) => CallView::CreateCluster {
                members: members.clone(),
            },
            Call::Contracts(ContractsCall::ExpireCommand { contract, seq }) => {
                CallView::ExpireCommand {
                    contract: hex::encode(contract),
                    seq: *seq,
                }
            }
        }
    }
}

fn stakepool_view(call: &StakePoolCall) -> CallView {
    match call.clone() {
        StakePoolCall::Create {
            commission_ppm,
            cap,
        } => CallView::CreatePool {
            commission_ppm,
            cap,
        },
        StakePoolCall::AddWorker { pool, worker } => CallView::PoolAddWorker { pool, worker },
        StakePoolCall::RemoveWorker { pool, worker } => CallView::PoolRemoveWorker { pool, worker },
        StakePoolCall::StartMining {
            pool,
            worker,
            stake,
        } => CallView::PoolStartMining {
            pool,
            worker,
            stake,
            stake_pha: format_pha(stake),
        },
        StakePoolCall::StopMining { pool, worker } => CallView::PoolStopMining { pool, worker },
        StakePoolCall::Contribute { pool, amount } => CallView::Contribute {
            pool,
            amount,
            amount_pha: format_pha(amount),
        },
        StakePoolCall::Withdraw { pool, shares } => CallView::Withdraw { pool, shares },
        StakePoolCall::ClaimCommission { pool } => CallView::ClaimCommission { pool },
    }
}

// ---------------------------------------------------------------------------------------------
// Registry and keys

/// Most workers one `GET /workers` returns.
pub const MAX_WORKERS_PAGE: u64 = 100;

fn default_workers_limit() -> u64 {
    MAX_WORKERS_PAGE
}

/// `GET /workers?offset=&limit=` (registration order; `limit` at most [`MAX_WORKERS_PAGE`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkersQuery {
    #[serde(default)]
    pub offset: u64,
    #[serde(default = "default_workers_limit")]
    pub limit: u64,
}

/// `GET /workers`: a page of registered workers, the gatekeepers and the attestation policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkersResponse {
    /// Workers ever registered.
    pub count: u64,
    pub offset: u64,
    pub workers: Vec<WorkerView>,
    pub gatekeepers: Vec<AccountId>,
    pub policy: Option<AttestationPolicy>,
    pub finalized_height: u64,
}

/// A worker's record (`GET /worker/{id}` adds its message-queue position as `mq`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerView {
    #[serde(flatten)]
    pub record: WorkerRecord,
    /// Set for simulated workers: no hardware protects their secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mq: Option<WorkerQueue>,
}

/// The warning every simulated worker's record carries.
pub const SIMULATED_WARNING: &str = "SIMULATED TEE: no hardware protects this worker's secrets";

impl WorkerView {
    /// The record as `GET /workers` shows it (with the warning of a simulated worker).
    pub fn new(record: WorkerRecord) -> Self {
        let warning = record.simulated.then(|| SIMULATED_WARNING.to_string());
        Self {
            record,
            warning,
            mq: None,
        }
    }
}

/// A worker's place in the message queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerQueue {
    /// The sequence number its next message must carry.
    pub next_seq: u64,
    /// Messages in its inbox so far.
    pub inbox_len: u64,
    pub last_heartbeat: Option<Heartbeat>,
}

/// `GET /keys`: the threshold master key generations (public halves only) and the DKG round
/// in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysResponse {
    /// The newest generation, if any.
    pub generation: Option<u32>,
    pub active_round: Option<RoundView>,
    /// The newest generations first (at most 64).
    pub master_public_keys: Vec<MasterKeyView>,
    pub finalized_height: u64,
}

/// A DKG round in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundView {
    pub round: u64,
    pub generation: u32,
    /// The round whose output a reshare hands on; `None` for a fresh key.
    pub reshare_of_round: Option<u64>,
    pub dealers: Vec<AccountId>,
    pub players: Vec<AccountId>,
    pub started_at_height: u64,
}

/// One master key generation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterKeyView {
    pub generation: u32,
    /// The group public key, hex.
    pub public_key: String,
    /// The round of its current sharing.
    pub round: Option<u64>,
    /// `threshold`-of-`holders`, when the node can read the sharing's output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holders: Option<u32>,
}

// ---------------------------------------------------------------------------------------------
// Light client

/// Headers per `GET /light/headers` when the client names no limit.
pub const DEFAULT_HEADERS_LIMIT: u64 = 1_000;

fn default_headers_limit() -> u64 {
    DEFAULT_HEADERS_LIMIT
}

/// `GET /light/headers?from=&limit=`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadersQuery {
    pub from: u64,
    #[serde(default = "default_headers_limit")]
    pub limit: u64,
}

/// `GET /light/headers`: encoded headers from `from` to `to` and the finality certificate of
/// the last; only `headers` (empty) and `finalized` when the node has nothing from `from` on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadersResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u64>,
    pub headers: Vec<HexBytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<HexBytes>,
    /// The node's finalized height.
    pub finalized: u64,
}

/// `GET /light/checkpoint/{hash}`: one block's header and finality certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointResponse {
    pub height: u64,
    pub header: HexBytes,
    pub certificate: HexBytes,
}

/// `POST /light/state`: up to 64 state keys (hex of 32 bytes each).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateRequest {
    pub keys: Vec<String>,
}

/// `POST /light/state`: the values and proofs, read from one snapshot whose root the header of
/// block `height` carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateResponse {
    pub height: u64,
    pub block_hash: String,
    pub state_root: HexBytes,
    /// One per key asked, in order.
    pub entries: Vec<StateEntry>,
}

/// One key's value (`None`: absent) and its `phalanx_state::StateProof`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateEntry {
    pub key: HexBytes,
    pub value: Option<HexBytes>,
    pub proof: HexBytes,
}

// ---------------------------------------------------------------------------------------------
// Tokenomics

/// An amount in both forms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountView {
    #[serde(with = "amount_json")]
    pub base_units: u128,
    /// The same amount in PHA, for people.
    pub pha: String,
}

impl From<Amount> for AmountView {
    fn from(base_units: Amount) -> Self {
        Self {
            base_units,
            pha: format_pha(base_units),
        }
    }
}

/// `GET /tokenomics`: the emission schedule at the finalized head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenomicsResponse {
    pub finalized_height: u64,
    /// The head's block time, ms since the Unix epoch.
    pub block_time_ms: u64,
    /// When emission started (the genesis time).
    pub genesis_time_ms: u64,
    pub elapsed_ms: u64,
    /// The period (0-based) the head is in.
    pub period: u64,
    /// The emission rate per day in that period.
    pub daily_rate: AmountView,
    /// Moved from the mining reserve to the mining-rewards pot so far.
    pub emitted: AmountView,
    /// What the schedule's closed form says at the head's time (equal to `emitted` unless the
    /// reserve ran out).
    pub schedule_at_head: AmountView,
    /// What the schedule approaches and never reaches.
    pub limit: AmountView,
    /// `mining_reserve`, `mining_rewards`, `treasury`.
    pub pots: BTreeMap<String, AmountView>,
    pub params: tokenomics::Params,
}

// ---------------------------------------------------------------------------------------------
// Treasury

/// `GET /treasury`: the treasury pot at the finalized head and where its PHA came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreasuryResponse {
    pub finalized_height: u64,
    pub balance: AmountView,
    /// Received since genesis, by source (`fees`, `mining_payouts`, `slashes`, `lost_stake`,
    /// `forfeited_deposits`), net of refunded fees.
    pub income: BTreeMap<String, AmountView>,
    /// Paid out by governance since genesis (income − spent = balance).
    pub spent: AmountView,
}

// ---------------------------------------------------------------------------------------------
// Mining

/// The newest beacon seed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedView {
    pub round: u64,
    #[serde(with = "phalanx_types::hex_serde::bytes")]
    pub seed: Vec<u8>,
}

/// `GET /mining`: the network's mining at the finalized head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiningResponse {
    pub finalized_height: u64,
    /// The head's block time, ms since the Unix epoch.
    pub block_time_ms: u64,
    /// Sessions mining or unresponsive (the number the challenge target divides among).
    pub live_sessions: u64,
    /// Σshare of the mining (responsive) sessions.
    pub total_share: Fixed,
    /// Emission per day at the head (all of it goes to the mining-rewards pot).
    pub daily_emission: AmountView,
    /// The mining-rewards pot (emitted, not yet paid) and the stake pot.
    pub rewards_pot: AmountView,
    pub stake_pot: AmountView,
    /// The newest beacon seed, if any round has one.
    pub beacon: Option<SeedView>,
    pub params: computation::Params,
    pub beacon_params: beacon::Params,
}

/// A worker's benchmark as the chain measured it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchmarkView {
    /// The measured score (0 until two reports were far enough apart).
    pub p: u32,
    pub iterations: u64,
    pub reported_ms: u64,
}

/// A mining session, with V and the share brought forward to the head's block time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub owner: phalanx_runtime::computation::SessionOwner,
    pub state: SessionState,
    pub stake: AmountView,
    /// Vᵉ, fixed at the start.
    pub initial_value: Fixed,
    /// V at the head's block time.
    pub v: Fixed,
    pub p_bench: Fixed,
    pub p_instant: Fixed,
    pub confidence: u8,
    /// The share `√(V² + (2·P·c)²)` at the head's time, and the one Σshare counts for it (as
    /// of its last event; zero unless mining).
    pub share: Fixed,
    pub counted_share: Fixed,
    pub started_ms: u64,
    /// When the last answered challenge was issued (the start, before any).
    pub last_challenge_answered_ms: u64,
    /// The round of the heartbeat owed, if one is, and since when.
    pub owed_round: Option<u64>,
    pub owed_since_ms: Option<u64>,
    pub cool_down_since_ms: Option<u64>,
    /// When the stake can be reclaimed (cooling down only).
    pub reclaimable_at_ms: Option<u64>,
    /// What a reclaim would return now: `min(V / Vᵉ, 1) · S`.
    pub returned_stake: AmountView,
    /// Paid to the owner so far (after the treasury's part).
    pub rewards: AmountView,
    /// Accrued since the last payout, paid (less the treasury's part) with the next heartbeat.
    pub accrued: AmountView,
    /// The owner's projected reward per day at today's emission and Σshare (zero unless
    /// mining).
    pub projected_daily: AmountView,
    pub paid_height: u64,
}

/// `GET /mining/{worker}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiningWorkerResponse {
    pub worker: AccountId,
    pub finalized_height: u64,
    pub block_time_ms: u64,
    pub benchmark: Option<BenchmarkView>,
    pub session: Option<SessionView>,
}

// ---------------------------------------------------------------------------------------------
// Stake pools

/// Most pools one `GET /pools` returns.
pub const MAX_POOLS_PAGE: u64 = 100;

fn default_pools_limit() -> u64 {
    MAX_POOLS_PAGE
}

/// `GET /pools?offset=&limit=` (by id; `limit` at most [`MAX_POOLS_PAGE`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolsQuery {
    #[serde(default)]
    pub offset: u64,
    #[serde(default = "default_pools_limit")]
    pub limit: u64,
}

/// `GET /pool/{id}?delegator=ACCOUNT`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolQuery {
    /// An account id (hex) whose position to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegator: Option<String>,
}

/// `GET /pools`: how many pools exist (ids `0..count`) and a page of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolsResponse {
    pub finalized_height: u64,
    pub count: u64,
    pub offset: u64,
    pub pools: Vec<PoolView>,
}

/// A pool's ledger at the finalized head. Shares are counted like base units (a pool's first
/// contributions buy one share per base unit), as decimal strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolView {
    pub id: u64,
    pub owner: AccountId,
    /// The owner's part of every mining payout, parts per million.
    pub commission_ppm: u32,
    /// The most the pool's value may reach through contributions, if bounded.
    pub cap: Option<AmountView>,
    /// What the delegators own together: `free + locked`.
    pub value: AmountView,
    /// Stake not staked on a worker: pays withdrawals at once.
    pub free: AmountView,
    /// Stake in the pool's mining sessions (cooling-down ones included).
    pub locked: AmountView,
    /// Commission held for the owner (not part of the value).
    pub commission: AmountView,
    #[serde(with = "amount_json")]
    pub total_shares: u128,
    /// PHA per share: value / total shares, rounded down to 12 decimals; `1` without shares.
    pub price: String,
    pub worker_count: u64,
    /// Withdrawal requests waiting for free stake.
    pub queue_len: u64,
    /// Mining payouts received after commission, since creation.
    pub rewards: AmountView,
    pub created_ms: u64,
    /// Value zero with shares outstanding: the pool takes no contributions.
    pub bankrupt: bool,
}

/// A pool worker's mining session, as `computation` holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolWorkerState {
    None,
    Mining,
    Unresponsive,
    CoolingDown,
}

impl From<Option<SessionState>> for PoolWorkerState {
    fn from(state: Option<SessionState>) -> Self {
        match state {
            None => PoolWorkerState::None,
            Some(SessionState::Mining) => PoolWorkerState::Mining,
            Some(SessionState::Unresponsive) => PoolWorkerState::Unresponsive,
            Some(SessionState::CoolingDown) => PoolWorkerState::CoolingDown,
        }
    }
}

/// One of a pool's workers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolWorkerView {
    pub worker: AccountId,
    pub state: PoolWorkerState,
    /// Who the session pays (the pool, unless its operator mines with it as an account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_owner: Option<computation::SessionOwner>,
    /// The session's stake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stake: Option<AmountView>,
    /// Cooling down: when anyone may reclaim the stake (`cool_down_since_ms + cool_down_ms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclaimable_at_ms: Option<u64>,
}

/// A withdrawal waiting in a pool's queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedWithdrawalView {
    pub delegator: AccountId,
    #[serde(with = "amount_json")]
    pub shares: u128,
    /// What the shares are worth at the head (the payment is at the price of its moment).
    pub worth: AmountView,
    pub requested_ms: u64,
    /// The worst case: after `withdrawal_grace_ms` anyone may stop the pool's workers, and
    /// their stake frees after mining's cool-down (`requested_ms + grace + cool_down_ms`).
    pub paid_by_ms: u64,
}

/// A signed amount (rewards so far may be negative after a slash): base units as a decimal
/// string with its sign, and PHA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedAmountView {
    #[serde(with = "signed_amount_json")]
    pub base_units: i128,
    pub pha: String,
}

impl SignedAmountView {
    /// `plus − minus`, saturating at i128's range (far beyond the supply).
    pub fn difference(plus: Amount, minus: Amount) -> Self {
        let base_units = if plus >= minus {
            i128::try_from(plus - minus).unwrap_or(i128::MAX)
        } else {
            i128::try_from(minus - plus).map_or(i128::MIN, |v| -v)
        };
        let sign = if base_units < 0 { "-" } else { "" };
        Self {
            base_units,
            pha: format!("{sign}{}", format_pha(base_units.unsigned_abs())),
        }
    }
}

/// An i128 as a decimal string (JSON numbers lose precision above 2^53).
mod signed_amount_json {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A delegator's place in a pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionView {
    pub delegator: AccountId,
    /// Shares held, queued ones included.
    #[serde(with = "amount_json")]
    pub shares: u128,
    /// Shares waiting in the withdrawal queue.
    #[serde(with = "amount_json")]
    pub queued_shares: u128,
    /// What the held shares are worth at the head.
    pub worth: AmountView,
    /// Contributed and paid back since the first contribution.
    pub contributed: AmountView,
    pub withdrawn: AmountView,
    /// `worth + withdrawn − contributed`: negative after a slash.
    pub rewards_so_far: SignedAmountView,
}

/// `GET /pool/{id}`: the pool, its workers' sessions, its queue, and a delegator's position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolResponse {
    pub finalized_height: u64,
    /// The head's block time, ms since the Unix epoch.
    pub block_time_ms: u64,
    pub pool: PoolView,
    /// How long a withdrawal may wait before anyone may stop the pool's workers (`stakepool`).
    pub withdrawal_grace_ms: u64,
    /// Mining's cool-down before a stopped session's stake frees (`computation`).
    pub cool_down_ms: u64,
    pub workers: Vec<PoolWorkerView>,
    /// In payment order.
    pub queue: Vec<QueuedWithdrawalView>,
    /// With `?delegator=`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<PositionView>,
}

// ---------------------------------------------------------------------------------------------
// Contracts

/// Most contracts or modules one `GET /contracts` or `GET /codes` returns.
pub const MAX_CONTRACTS_PAGE: u64 = 100;

fn default_contracts_limit() -> u64 {
    MAX_CONTRACTS_PAGE
}

/// `GET /contracts?offset=&limit=` and `GET /codes?offset=&limit=`: oldest first (creation or
/// upload order, the chain's append logs), `limit` at most [`MAX_CONTRACTS_PAGE`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractsQuery {
    #[serde(default)]
    pub offset: u64,
    #[serde(default = "default_contracts_limit")]
    pub limit: u64,
}

impl Default for ContractsQuery {
    fn default() -> Self {
        Self {
            offset: 0,
            limit: MAX_CONTRACTS_PAGE,
        }
    }
}

/// A contract as the chain records it: its code, cluster, master key generation, deployer,
/// creation height, and the public keys its cluster's workers reported (`keys: null` until the
/// first report).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractView {
    /// The contract's id, hex.
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub id: [u8; 32],
    #[serde(flatten)]
    pub record: ContractRecord,
}

/// `GET /contract/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractResponse {
    pub finalized_height: u64,
    pub contract: ContractView,
}

/// A cluster of chosen workers (cluster 0, every registered worker, has no record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterView {
    pub id: u32,
    #[serde(flatten)]
    pub record: ClusterRecord,
}

/// `GET /cluster/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterResponse {
    pub finalized_height: u64,
    pub cluster: ClusterView,
}

/// `GET /clusters`: how many clusters of chosen workers exist and a page of them (`offset`
/// 0 is cluster 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClustersResponse {
    pub finalized_height: u64,
    pub count: u64,
    pub offset: u64,
    pub clusters: Vec<ClusterView>,
}

/// `GET /contracts`: how many contracts exist and a page of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractsResponse {
    pub finalized_height: u64,
    pub count: u64,
    pub offset: u64,
    pub contracts: Vec<ContractView>,
}

/// An uploaded module: its SHA-256, who uploaded it, its size and the height.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeView {
    /// SHA-256 of the module, hex.
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub hash: [u8; 32],
    #[serde(flatten)]
    pub info: CodeInfo,
}

/// `GET /code/{hash}?bytes=true`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeQuery {
    /// Include the module itself (hex).
    #[serde(default)]
    pub bytes: bool,
}

/// `GET /code/{hash}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeResponse {
    pub finalized_height: u64,
    pub code: CodeView,
    /// The module (with `?bytes=true`): its SHA-256 is `code.hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<HexBytes>,
}

/// `GET /codes`: how many modules were uploaded and a page of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodesResponse {
    pub finalized_height: u64,
    pub count: u64,
    pub offset: u64,
    pub codes: Vec<CodeView>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use phalanx_runtime::{DispatchError, balances, fees, keys, mq, registry::TeeCode};
    use serde::de::DeserializeOwned;

    /// Serializes, checks the JSON against `expected` (when given), and reads it back.
    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
        v: &T,
        expected: Option<&str>,
    ) {
        let text = serde_json::to_string(v).unwrap_or_default();
        if let Some(expected) = expected {
            assert_eq!(text, expected);
        }
        let back: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(&back, v, "{text}");
    }

    fn account(byte: u8) -> AccountId {
        dev_account(&format!("account-{byte}"))
    }

    fn dev_account(name: &str) -> AccountId {
        use commonware_cryptography::Signer;
        AccountId::from(phalanx_crypto::dev_key(name).public_key())
    }

    #[test]
    fn amounts_travel_as_strings() {
        let a = AmountView {
            base_units: u128::MAX,
            pha: "x".into(),
        };
        let text = serde_json::to_string(&a).unwrap_or_default();
        assert!(text.contains(&format!("\"{}\"", u128::MAX)), "{text}");
        assert_eq!(serde_json::from_str::<AmountView>(&text).ok(), Some(a));
    }

    #[test]
    fn account_keeps_the_wire_form() {
        let text = r#"{"account":"0000000000000000000000000000000000000000000000000000000000000000","balance":"1000000000000000001","balance_pha":"1000000.000000000001","nonce":7,"finalized_height":9}"#;
        let a: AccountResponse = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((a.balance, a.nonce), (1_000_000_000_000_000_001, 7));
        assert_eq!(serde_json::to_string(&a).ok().as_deref(), Some(text));
        // A balance that is not a decimal string is refused, not read as zero.
        let bad = text.replace("\"1000000000000000001\"", "1e18");
        assert!(serde_json::from_str::<AccountResponse>(&bad).is_err());
    }

    #[test]
    fn chain_round_trips_with_and_without_params() {
        for params in [None, Some(Params::default())] {
            let c = ChainResponse {
                chain_id: "phalanx-dev".into(),
                params,
                genesis: "00".into(),
                finalized: Head::default(),
                mempool: 3,
                root: None,
            };
            round_trip(&c, None);
        }
    }

    #[test]
    fn errors_and_submissions_keep_the_wire_form() {
        round_trip(
            &ErrorBody::new("fee_too_low", "fee 1 is too low"),
            Some(r#"{"error":{"code":"fee_too_low","message":"fee 1 is too low"}}"#),
        );
        round_trip(
            &SubmitBatchResponse {
                accepted: 1,
                results: vec![
                    BatchResult::Admitted { hash: "ab".into() },
                    BatchResult::Refused {
                        error: ErrorDetail {
                            code: "malformed".into(),
                            message: "not hex".into(),
                        },
                    },
                ],
            },
            Some(
                r#"{"accepted":1,"results":[{"hash":"ab"},{"error":{"code":"malformed","message":"not hex"}}]}"#,
            ),
        );
        round_trip(
            &TxStatusResponse::Pending { hash: "ab".into() },
            Some(r#"{"status":"pending","hash":"ab"}"#),
        );
    }

    #[test]
    fn receipts_and_their_events_read_back() {
        let bob = account(2);
        let failed = TxStatusResponse::Finalized(FinalizedTx {
            hash: "ab".into(),
            location: TxLocation {
                height: 9,
                index: 0,
                block: "cd".into(),
                receipt: Receipt {
                    status: TxStatus::Failed(balances::Error::ZeroAmount.into()),
                    fee_paid: 128_100_000,
                    events: vec![
                        fees::Event::FeePaid {
                            who: bob.clone(),
                            amount: 128_100_000,
                        }
                        .into(),
                        keys::Event::DkgMessage {
                            round: 1,
                            kind: "deal".into(),
                            by: bob.clone(),
                            confirmation: false,
                        }
                        .into(),
                        mq::Event::MessageAccepted {
                            sender: bob.clone(),
                            seq: 3,
                            topic: "heartbeat".into(),
                            free: true,
                        }
                        .into(),
                        tokenomics::Event::Emission {
                            amount: 1,
                            emitted: 2,
                            period: 0,
                        }
                        .into(),
                    ],
                },
                events_unavailable: false,
            },
        });
        round_trip(&failed, None);
        let text = serde_json::to_string(&failed).unwrap_or_default();
        for part in [
            r#""status":"failed","error":"balances.zero_amount","fee_paid":"128100000""#,
            r#"{"component":"fees","event":"fee_paid","#,
            r#""amount":"128100000""#,
        ] {
            assert!(text.contains(part), "{part} not in {text}");
        }
        let TxStatusResponse::Finalized(f) = &failed else {
            panic!("not finalized");
        };
        assert_eq!(
            f.failure(),
            Some(DispatchError::from(balances::Error::ZeroAmount))
        );
        let ok = Receipt {
            status: TxStatus::Success,
            fee_paid: 5,
            events: vec![],
        };
        round_trip(
            &ok,
            Some(r#"{"status":"success","fee_paid":"5","events":[]}"#),
        );
    }

    #[test]
    fn blocks_name_their_calls_as_the_chain_does() {
        let alice = dev_account("alice");
        let calls: Vec<Call> = vec![
            BalancesCall::Transfer {
                to: alice.clone(),
                amount: 1_500_000_000_000,
            }
            .into(),
            RegistryCall::PromoteGatekeeper {
                worker: alice.clone(),
            }
            .into(),
            RegistryCall::SetAttestationPolicy {
                policy: AttestationPolicy::default(),
            }
            .into(),
            RegistryCall::RegisterWorker {
                info: WorkerInfo {
                    identity: alice.clone(),
                    encryption_key: [7; 32],
                },
                evidence: phalanx_types::Evidence {
                    kind: EvidenceKind::SimulatedDcap,
                    quote: vec![1, 2],
                    collateral: vec![3],
                },
            }
            .into(),
            KeysCall::RotateMasterKey.into(),
            ComputationCall::StartMining {
                worker: alice.clone(),
                stake: 5,
            }
            .into(),
            ComputationCall::StopMining {
                worker: alice.clone(),
            }
            .into(),
            ComputationCall::Reclaim {
                worker: alice.clone(),
            }
            .into(),
            ContractsCall::UploadCode {
                code: vec![0, 0x61, 0x73, 0x6d],
            }
            .into(),
            ContractsCall::Instantiate {
                code_hash: [1; 32],
                cluster: 0,
                salt: [2; 32],
            }
            .into(),
        ];
        for call in &calls {
            let view = CallView::from(call);
            assert_eq!(view.name(), call.name());
            let text = serde_json::to_string(&view).unwrap_or_default();
            assert!(
                text.starts_with(&format!(r#"{{"name":"{}""#, call.name())),
                "{text}"
            );
            round_trip(&view, None);
        }
        let block = BlockResponse {
            height: 3,
            hash: "aa".into(),
            parent: "bb".into(),
            timestamp_ms: 1,
            state_root: "cc".into(),
            view: 4,
            proposer: "dd".into(),
            transactions: vec![BlockTx {
                hash: "ee".into(),
                signer: alice,
                nonce: 0,
                fee: 10,
                call: CallView::from(&calls[0]),
                status: TxStatus::Success,
            }],
            events: None,
        };
        round_trip(&block, None);
        let text = serde_json::to_string(&block).unwrap_or_default();
        assert!(
            text.contains(r#""amount":"1500000000000","amount_pha":"1.5""#),
            "{text}"
        );
        assert!(text.contains(r#""status":{"status":"success"}"#), "{text}");
        assert!(text.ends_with(r#""events":null}"#), "{text}");
    }

    #[test]
    fn worker_records_keep_the_wire_form() {
        let record = WorkerRecord {
            info: WorkerInfo {
                identity: account(1),
                encryption_key: [2; 32],
            },
            operator: account(3),
            tee: TeeCode::Sgx,
            simulated: true,
            measurement: vec![0xab; 32],
            tcb_status: "UpToDate".into(),
            confidence: 3,
            registered_at_ms: 10,
            last_attested_ms: 11,
            gatekeeper: false,
        };
        let mut view = WorkerView::new(record);
        round_trip(&view, None);
        let text = serde_json::to_string(&view).unwrap_or_default();
        assert!(text.contains(r#""identity":""#), "{text}");
        assert!(
            text.contains(&format!(r#""measurement":"{}""#, "ab".repeat(32))),
            "{text}"
        );
        assert!(text.contains(r#""warning":"SIMULATED TEE"#), "{text}");
        assert!(!text.contains("\"mq\""), "{text}");
        view.mq = Some(WorkerQueue {
            next_seq: 2,
            inbox_len: 1,
            last_heartbeat: Some(Heartbeat {
                tip_height: 5,
                block_height: 6,
                block_time_ms: 7,
            }),
        });
        round_trip(&view, None);
        round_trip(
            &MasterKeyView {
                generation: 0,
                public_key: "ab".into(),
                round: Some(1),
                threshold: None,
                holders: None,
            },
            Some(r#"{"generation":0,"public_key":"ab","round":1}"#),
        );
    }

    #[test]
    fn pool_answers_keep_big_and_signed_numbers_as_strings() {
        let pool = PoolView {
            id: 3,
            owner: account(1),
            commission_ppm: 100_000,
            cap: None,
            value: AmountView::from(u128::MAX),
            free: AmountView::from(1),
            locked: AmountView::from(0),
            commission: AmountView::from(0),
            total_shares: u128::MAX,
            price: "1.000000000000".into(),
            worker_count: 1,
            queue_len: 1,
            rewards: AmountView::from(0),
            created_ms: 9,
            bankrupt: false,
        };
        let v = PoolResponse {
            finalized_height: 5,
            block_time_ms: 6,
            pool: pool.clone(),
            withdrawal_grace_ms: 60_000,
            cool_down_ms: 60_000,
            workers: vec![
                PoolWorkerView {
                    worker: account(2),
                    state: PoolWorkerState::CoolingDown,
                    session_owner: Some(computation::SessionOwner::Pool(3)),
                    stake: Some(AmountView::from(7)),
                    reclaimable_at_ms: Some(8),
                },
                PoolWorkerView {
                    worker: account(4),
                    state: PoolWorkerState::None,
                    session_owner: None,
                    stake: None,
                    reclaimable_at_ms: None,
                },
            ],
            queue: vec![QueuedWithdrawalView {
                delegator: account(3),
                shares: u128::MAX,
                worth: AmountView::from(2),
                requested_ms: 1,
                paid_by_ms: 120_001,
            }],
            position: Some(PositionView {
                delegator: account(3),
                shares: u128::MAX,
                queued_shares: 1,
                worth: AmountView::from(2),
                contributed: AmountView::from(5),
                withdrawn: AmountView::from(1),
                rewards_so_far: SignedAmountView::difference(3, 5),
            }),
        };
        round_trip(&v, None);
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["pool"]["total_shares"], u128::MAX.to_string());
        assert_eq!(json["workers"][0]["state"], "cooling_down");
        assert_eq!(json["workers"][0]["session_owner"]["pool"], 3);
        assert_eq!(json["workers"][1]["state"], "none");
        assert_eq!(
            json["position"]["rewards_so_far"],
            serde_json::json!({"base_units": "-2", "pha": "-0.000000000002"})
        );
        round_trip(
            &PoolsResponse {
                finalized_height: 1,
                count: 4,
                offset: 3,
                pools: vec![pool],
            },
            None,
        );
        // Beyond i128 the difference saturates (the supply is far below it).
        assert_eq!(
            SignedAmountView::difference(0, u128::MAX).base_units,
            i128::MIN
        );
        assert_eq!(
            SignedAmountView::difference(u128::MAX, 0).base_units,
            i128::MAX
        );
        assert_eq!(SignedAmountView::difference(7, 7).pha, "0");
        // Unknown query fields are refused rather than ignored (a misspelt `delegator`).
        assert!(serde_json::from_str::<PoolQuery>(r#"{"delegater":"ab"}"#).is_err());
        assert_eq!(
            serde_json::from_str::<PoolsQuery>("{}").ok(),
            Some(PoolsQuery {
                offset: 0,
                limit: MAX_POOLS_PAGE
            })
        );
    }

    #[test]
    fn contract_answers_are_hex_and_flat() {
        use phalanx_runtime::contracts::ContractKeys;
        let mut contract = ContractView {
            id: [2; 32],
            record: ContractRecord {
                code_hash: [1; 32],
                cluster: 0,
                generation: 3,
                deployer: account(1),
                created_height: 12,
                keys: None,
                commands: 4,
                executed: 3,
                state_hash: [5; 32],
            },
        };
        let json = serde_json::to_value(&contract).unwrap_or_default();
        assert_eq!(json["id"], "02".repeat(32));
        assert_eq!(json["code_hash"], "01".repeat(32));
        assert_eq!(json["generation"], 3);
        assert!(json["keys"].is_null(), "{json}");
        round_trip(&contract, None);
        contract.record.keys = Some(ContractKeys {
            encryption_key: [3; 32],
            signing_key: [4; 32],
            reported_by: account(5),
            height: 14,
            confirmations: 1,
        });
        let v = ContractResponse {
            finalized_height: 20,
            contract: contract.clone(),
        };
        round_trip(&v, None);
        let json = serde_json::to_value(&v).unwrap_or_default();
        assert_eq!(json["contract"]["keys"]["encryption_key"], "03".repeat(32));
        assert_eq!(json["contract"]["keys"]["confirmations"], 1);
        round_trip(
            &ContractsResponse {
                finalized_height: 20,
                count: 1,
                offset: 0,
                contracts: vec![contract],
            },
            None,
        );
        let code = CodeView {
            hash: [9; 32],
            info: CodeInfo {
                uploader: account(1),
                size: 13_794,
                height: 7,
            },
        };
        let mut v = CodeResponse {
            finalized_height: 8,
            code: code.clone(),
            bytes: None,
        };
        let text = serde_json::to_string(&v).unwrap_or_default();
        assert!(!text.contains("bytes"), "{text}");
        assert!(text.contains(r#""size":13794"#), "{text}");
        v.bytes = Some(vec![0, 0x61, 0x73, 0x6d].into());
        let text = serde_json::to_string(&v).unwrap_or_default();
        assert!(text.ends_with(r#""bytes":"0061736d"}"#), "{text}");
        round_trip(&v, None);
        round_trip(
            &CodesResponse {
                finalized_height: 8,
                count: 1,
                offset: 0,
                codes: vec![code],
            },
            None,
        );
        // Queries: defaults, and a misspelt field refused rather than ignored.
        assert_eq!(
            serde_json::from_str::<ContractsQuery>("{}").ok(),
            Some(ContractsQuery::default())
        );
        assert!(serde_json::from_str::<ContractsQuery>(r#"{"from":1}"#).is_err());
        assert_eq!(
            serde_json::from_str::<CodeQuery>("{}").ok(),
            Some(CodeQuery { bytes: false })
        );
        assert!(serde_json::from_str::<CodeQuery>(r#"{"wasm":true}"#).is_err());
    }

    #[test]
    fn light_answers_are_hex() {
        round_trip(
            &HeadersResponse {
                from: None,
                to: None,
                headers: vec![],
                certificate: None,
                finalized: 4,
            },
            Some(r#"{"headers":[],"finalized":4}"#),
        );
        round_trip(
            &StateResponse {
                height: 2,
                block_hash: "aa".into(),
                state_root: vec![0xab, 0xcd].into(),
                entries: vec![StateEntry {
                    key: vec![1].into(),
                    value: None,
                    proof: vec![2].into(),
                }],
            },
            Some(
                r#"{"height":2,"block_hash":"aa","state_root":"abcd","entries":[{"key":"01","value":null,"proof":"02"}]}"#,
            ),
        );
        assert!(serde_json::from_str::<HexBytes>(r#""zz""#).is_err());
        let q: HeadersQuery =
            serde_json::from_str(r#"{"from":3}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.limit, DEFAULT_HEADERS_LIMIT);
    }
}
