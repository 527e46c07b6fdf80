//! JSON over HTTP: submit transactions, read blocks, transactions, accounts and state proofs,
//! stream finalized blocks (server-sent events), and Prometheus metrics.
//!
//! Every input is bounded: request bodies (axum's limit, set below), path parameters are parsed
//! strictly, and the index's pages (`history.rs`) are limited in items and blocks visited.

use crate::index::Index;
use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Path, State},
    http::StatusCode,
    response::{
        IntoResponse, Response,
        sse::{Event as SseEvent, KeepAlive, Sse},
    },
    routing::{get, post},
};
use commonware_consensus::{marshal::Identifier, types::Height};
use phalanx_client::api::{
    AccountProofResponse, AccountResponse, BatchResult, BlockResponse, BlockTx, CallView,
    ChainResponse, ErrorBody, ErrorDetail, FinalizedTx, ProofKind, ProvenAccount,
    SubmitBatchRequest, SubmitBatchResponse, SubmitRequest, SubmitResponse, TxStatusResponse,
};
use phalanx_consensus::{
    admission::{Admission, Origin},
    app::Finalized,
    engine::MarshalMailbox,
    mempool::{Mempool, Rejection},
};
use phalanx_runtime::{Event, Params, balances};
use phalanx_types::{AccountId, MAX_TX_SIZE, format_pha};
use std::{convert::Infallible, sync::Arc};
use tokio::sync::broadcast;

/// Everything the handlers share.
pub struct RpcState {
    /// Chain id, pool and finalized-state reader, and the admission rules.
    pub admission: Arc<Admission>,
    pub genesis_digest: String,
    /// The chain spec this node runs (served to light clients at `/chain/spec`).
    pub spec: phalanx_consensus::spec::ChainSpec,
    pub index: Arc<Index>,
    pub marshal: MarshalMailbox,
    /// Finalized blocks for `/subscribe/blocks`.
    pub blocks: broadcast::Sender<Arc<BlockResponse>>,
    pub metrics: Arc<dyn Fn() -> String + Send + Sync>,
}

pub(crate) type Shared = Arc<RpcState>;

pub(crate) fn error(status: StatusCode, code: &str, message: impl ToString) -> Response {
    (status, Json(ErrorBody::new(code, message))).into_response()
}

/// The index could not answer (a damaged record, a disk error): said, never guessed around.
pub(crate) fn index_failed(e: phalanx_index::IndexError) -> Response {
    tracing::error!(error = %e, "index read failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "index_failed",
        format!("the node's index cannot answer: {e}"),
    )
}

/// The router.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { "phalanx node: see /chain, /block/latest, /metrics" }),
        )
        .route("/health", get(|| async { "ok" }))
        .route("/chain", get(chain))
        .route("/tx", post(submit))
        .route(
            "/txs",
            post(submit_batch).layer(DefaultBodyLimit::max(MAX_BATCH_BODY)),
        )
        .route("/tx/{hash}", get(tx_status))
        .route("/block/{height}", get(block))
        .route("/account/{id}", get(account))
        .route("/account/{id}/txs", get(crate::history::account_txs))
        .route("/events", get(crate::history::events))
        .route("/blocks", get(crate::history::blocks))
        .route("/proof/account/{id}", get(proof))
        .route("/workers", get(crate::registry::workers))
        .route("/worker/{id}", get(crate::registry::worker))
        .route("/keys", get(crate::registry::keys))
        .route("/tokenomics", get(crate::tokenomics::tokenomics))
        .route("/treasury", get(crate::treasury::treasury))
        .route("/proposals", get(crate::governance::proposals))
        .route("/proposal/{id}", get(crate::governance::proposal))
        .route("/mining", get(crate::mining::mining))
        .route("/mining/{worker}", get(crate::mining::mining_worker))
        .route("/pools", get(crate::stakepool::pools))
        .route("/pool/{id}", get(crate::stakepool::pool))
        .route("/contracts", get(crate::contracts::list_contracts))
        .route("/contract/{id}", get(crate::contracts::contract))
        .route("/codes", get(crate::contracts::list_codes))
        .route("/clusters", get(crate::contracts::list_clusters))
        .route("/cluster/{id}", get(crate::contracts::cluster))
        .route("/code/{hash}", get(crate::contracts::code))
        .route("/chain/spec", get(crate::light::spec))
        .route("/light/headers", get(crate::light::headers))
        .route("/light/checkpoint/{hash}", get(crate::light::checkpoint))
        .route("/light/state", post(crate::light::state))
        .route("/subscribe/blocks", get(subscribe))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(4 * MAX_TX_SIZE))
        .with_state(state)
}

async fn chain(State(s): State<Shared>) -> Json<ChainResponse> {
    let root = crate::registry::read(&s, phalanx_runtime::registry::state_key::root().into())
        .await
        .ok()
        .flatten();
    Json(ChainResponse {
        chain_id: s.admission.chain_id.to_string(),
        params: s.admission.params().await,
        genesis: s.genesis_digest.clone(),
        finalized: s.index.head(),
        mempool: s.admission.mempool.len(),
        root,
    })
}

/// Most transactions in one `POST /txs`.
pub use phalanx_client::api::MAX_BATCH_TXS;
/// Largest `POST /txs` body: room for a full batch of ordinary transfers (a few hundred hex
/// characters each), far below MAX_BATCH_TXS × MAX_TX_SIZE.
const MAX_BATCH_BODY: usize = 2 * 1024 * 1024;

/// Admission of one hex-encoded client transaction against the finalized state.
async fn admit_hex(
    s: &RpcState,
    params: &Params,
    hex_tx: &str,
) -> Result<phalanx_types::Hash, Rejection> {
    if hex_tx.len() > 2 * MAX_TX_SIZE {
        return Err(Rejection::TooLarge(hex_tx.len() / 2));
    }
    let bytes = hex::decode(hex_tx.trim()).map_err(|_| Rejection::Malformed("not hex".into()))?;
    s.admission.admit(params, &bytes, Origin::Client).await
}

fn rejection_status(e: &Rejection) -> StatusCode {
    match e {
        Rejection::PoolFull(_) | Rejection::AccountFull(_) => StatusCode::SERVICE_UNAVAILABLE,
        Rejection::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn not_ready() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "not_ready",
        "the chain has no finalized state yet; retry shortly",
    )
}

/// Every component's parameters in the finalized state, or the `not_ready` answer.
pub(crate) async fn finalized_params(s: &Shared) -> Result<phalanx_runtime::Params, Response> {
    s.admission.params().await.ok_or_else(not_ready)
}

async fn submit(
    State(s): State<Shared>,
    body: Result<Json<SubmitRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", e.body_text()),
    };
    let Some(params) = s.admission.params().await else {
        return not_ready();
    };
    match admit_hex(&s, &params, &body.tx).await {
        Ok(hash) => (
            StatusCode::ACCEPTED,
            Json(SubmitResponse {
                hash: hex::encode(hash),
            }),
        )
            .into_response(),
        Err(e) => error(rejection_status(&e), e.code(), e),
    }
}

/// `POST /txs`: up to [`MAX_BATCH_TXS`] transactions; each is admitted or refused on its own.
async fn submit_batch(
    State(s): State<Shared>,
    body: Result<Json<SubmitBatchRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", e.body_text()),
    };
    if body.txs.len() > MAX_BATCH_TXS {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "{} transactions in one batch; the limit is {MAX_BATCH_TXS}",
                body.txs.len()
            ),
        );
    }
    let Some(params) = s.admission.params().await else {
        return not_ready();
    };
    let mut results = Vec::with_capacity(body.txs.len());
    let mut accepted = 0usize;
    for tx in &body.txs {
        results.push(match admit_hex(&s, &params, tx).await {
            Ok(hash) => {
                accepted += 1;
                BatchResult::Admitted {
                    hash: hex::encode(hash),
                }
            }
            Err(e) => BatchResult::Refused {
                error: ErrorDetail {
                    code: e.code().to_string(),
                    message: e.to_string(),
                },
            },
        });
    }
    Json(SubmitBatchResponse { accepted, results }).into_response()
}

fn parse_digest(text: &str) -> Option<phalanx_consensus::block::Digest> {
    let bytes: [u8; 32] = hex::decode(text.strip_prefix("0x").unwrap_or(text))
        .ok()?
        .try_into()
        .ok()?;
    Some(phalanx_consensus::block::Digest::from(bytes))
}

async fn tx_status(State(s): State<Shared>, Path(hash): Path<String>) -> Response {
    let Some(digest) = parse_digest(&hash) else {
        return error(
            StatusCode::BAD_REQUEST,
            "malformed",
            "transaction hash must be 64 hex characters",
        );
    };
    let mut key = [0u8; 32];
    key.copy_from_slice(digest.as_ref());
    match s.index.tx(&key) {
        Ok(Some(location)) => {
            return Json(TxStatusResponse::Finalized(FinalizedTx { hash, location }))
                .into_response();
        }
        Ok(None) => {}
        Err(e) => return index_failed(e),
    }
    if s.admission.mempool.contains(&digest) {
        return Json(TxStatusResponse::Pending { hash }).into_response();
    }
    error(
        StatusCode::NOT_FOUND,
        "unknown",
        "no such transaction in the pool or the finalized chain",
    )
}

/// A block as the API shows it.
pub fn block_view(
    block: &phalanx_consensus::block::Block,
    digest: &phalanx_consensus::block::Digest,
    block_events: Option<&[Event]>,
) -> BlockResponse {
    BlockResponse {
        height: block.height.get(),
        hash: hex::encode(digest),
        parent: hex::encode(block.parent),
        timestamp_ms: block.timestamp_ms,
        state_root: hex::encode(block.state_root),
        view: block.context.round.view().get(),
        proposer: hex::encode(block.context.leader.as_ref()),
        transactions: block
            .txs
            .iter()
            .zip(&block.outcomes)
            .map(|(tx, o)| BlockTx {
                hash: hex::encode(tx.hash()),
                signer: tx.body.signer.clone(),
                nonce: tx.body.nonce,
                fee: tx.body.fee,
                call: CallView::from(&tx.body.call),
                status: o.status,
            })
            .collect(),
        // The block hooks' events (`begin_block`, then `end_block`); `None` when this node no
        // longer holds them (it keeps the last RECENT_HEADS blocks').
        events: block_events.map(<[Event]>::to_vec),
    }
}

async fn block(State(s): State<Shared>, Path(which): Path<String>) -> Response {
    let height = if which == "latest" {
        s.index.head().height
    } else {
        match which.parse::<u64>() {
            Ok(h) => h,
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    "height must be a number or `latest`",
                );
            }
        }
    };
    match s
        .marshal
        .get_block(Identifier::Height(Height::new(height)))
        .await
    {
        Some(block) => {
            let digest = commonware_cryptography::Digestible::digest(&block);
            let events = match s.index.block_events(height) {
                Ok(events) => events,
                Err(e) => return index_failed(e),
            };
            Json(block_view(block.inner(), &digest, events.as_deref())).into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            "unknown",
            format!("no finalized block at height {height}"),
        ),
    }
}

async fn account(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    let id = match AccountId::from_hex(&id) {
        Ok(id) => id,
        Err(e) => return error(StatusCode::BAD_REQUEST, "malformed", e),
    };
    let head = s.index.head();
    let lock: Option<phalanx_runtime::balances::Lock> =
        match crate::registry::read(&s, phalanx_runtime::balances::state_key::lock(&id).into())
            .await
        {
            Ok(lock) => lock,
            Err(r) => return r,
        };
    let lock =
        lock.filter(|l| l.at(head.timestamp_ms) > 0)
            .map(|l| phalanx_client::api::LockView {
                amount: l.amount.into(),
                until_ms: l.until_ms,
            });
    match s.admission.account(&id).await {
        Some(a) => Json(AccountResponse {
            pending_nonce: Some(s.admission.mempool.next_nonce(&id, a.nonce)),
            account: id,
            balance: a.balance,
            balance_pha: format_pha(a.balance),
            nonce: a.nonce,
            finalized_height: head.height,
            lock,
        })
        .into_response(),
        None => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "corrupt",
            "stored account does not decode",
        ),
    }
}

/// How long a proof request waits for the indexer to record the block whose state it read.
const PROOF_INDEX_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

async fn proof(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    let id = match AccountId::from_hex(&id) {
        Ok(id) => id,
        Err(e) => return error(StatusCode::BAD_REQUEST, "malformed", e),
    };
    let key = balances::state_key::account(&id);
    let (value, proof, root) = match s.admission.state.prove(key.into()).await {
        Ok(p) => p,
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", e),
    };
    let block = match block_of_root(&s, &root).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let account = value.as_ref().and_then(|v| {
        <balances::Account as commonware_codec::DecodeExt<()>>::decode(commonware_codec::Copying(
            v.as_slice(),
        ))
        .ok()
    });
    Json(AccountProofResponse {
        account: id,
        key: AsRef::<[u8]>::as_ref(&key).to_vec().into(),
        decoded: account.map(|a| ProvenAccount {
            balance: a.balance,
            balance_pha: format_pha(a.balance),
            nonce: a.nonce,
        }),
        value: value.map(Into::into),
        kind: if proof.is_inclusion() {
            ProofKind::Inclusion
        } else {
            ProofKind::Exclusion
        },
        proof: proof.to_bytes().into(),
        state_root: block.state_root,
        height: block.height,
        block_hash: block.digest,
    })
    .into_response()
}

/// The finalized block whose header commits to state root `root`, so a client can check a
/// proof against a block it trusts. The database may be a moment ahead of the indexer, so this
/// waits up to [`PROOF_INDEX_WAIT`] for the indexer to record it.
pub(crate) async fn block_of_root(
    s: &Shared,
    root: &[u8; 32],
) -> Result<crate::index::Head, Response> {
    let root_hex = hex::encode(root);
    let deadline = tokio::time::Instant::now() + PROOF_INDEX_WAIT;
    loop {
        if let Some(head) = s.index.head_with_root(&root_hex) {
            return Ok(head);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "the state's block is not indexed yet; retry shortly",
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn subscribe(
    State(s): State<Shared>,
) -> Sse<impl futures::Stream<Item = Result<SseEvent, Infallible>>> {
    let rx = s.blocks.subscribe();
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(block) => {
                    let data = serde_json::to_string(&*block).unwrap_or_default();
                    return Some((Ok(SseEvent::default().event("block").data(data)), rx));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn metrics(State(s): State<Shared>) -> Response {
    let mut text = (s.metrics)();
    text.push_str(&format!(
        "# HELP phalanx_finalized_height Height of the last finalized block.\n# TYPE phalanx_finalized_height gauge\nphalanx_finalized_height {}\n# HELP phalanx_mempool_size Transactions waiting in the pool.\n# TYPE phalanx_mempool_size gauge\nphalanx_mempool_size {}\n# HELP phalanx_index_contiguous_height Every block up to this height is in the index.\n# TYPE phalanx_index_contiguous_height gauge\nphalanx_index_contiguous_height {}\n",
        s.index.head().height,
        s.admission.mempool.len(),
        s.index.store().contiguous_height(),
    ));
    if let Some(rss) = resident_memory_bytes() {
        text.push_str(&format!(
            "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {rss}\n"
        ));
    }
    ([("content-type", "text/plain; version=0.0.4")], text).into_response()
}

/// This process's resident memory (`VmRSS` in `/proc/self/status`; Linux only).
fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    kb.checked_mul(1024)
}

/// Turns finalized blocks into index entries, pool pruning and subscription events.
pub async fn run_indexer(
    mut finalized: futures::channel::mpsc::UnboundedReceiver<Finalized>,
    index: Arc<Index>,
    mempool: Mempool,
    blocks: broadcast::Sender<Arc<BlockResponse>>,
) {
    use futures::StreamExt;
    while let Some(f) = finalized.next().await {
        // Consensus wrote the block's receipts to the index before applying its state; this
        // is the moment the state is applied: the new head.
        index.note_finalized(&f);
        for tx in &f.block.txs {
            mempool.prune_below(&tx.body.signer, tx.body.nonce + 1);
        }
        if !f.block.txs.is_empty() || f.block.height.get() % 100 == 0 {
            tracing::info!(
                height = f.block.height.get(),
                txs = f.block.txs.len(),
                "finalized"
            );
        }
        let _ = blocks.send(Arc::new(block_view(
            &f.block,
            &f.digest,
            f.receipts
                .events_known
                .then_some(f.receipts.block_events.as_slice()),
        )));
    }
}
