//! What the index on disk answers beyond a single transaction: an account's history
//! (`/account/{id}/txs`), events by kind and height (`/events`) and block headers (`/blocks`).
//! Every request is bounded (`limit` ≤ [`MAX_HISTORY_PAGE`], cursors parsed strictly, at most
//! `phalanx_index::MAX_SCAN_BLOCKS` blocks visited) and runs on a blocking thread.

// The helpers' error is the HTTP answer itself, made at most once per request: boxing it
// would only add an allocation.
#![allow(clippy::result_large_err)]

use crate::server::{Shared, error, index_failed};
use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use phalanx_client::api::{
    AccountTxsQuery, AccountTxsResponse, BlockSummary, BlocksQuery, BlocksResponse, EventsQuery,
    EventsResponse, HistoryTx, IndexedEvent, MAX_HISTORY_PAGE,
};
use phalanx_index::{EventFilter, EventPosition, IndexError, TxPosition};
use phalanx_runtime::Event;
use phalanx_types::AccountId;

/// How far back `/events` looks when `from` is not given.
const DEFAULT_EVENT_BLOCKS: u64 = 100;

fn check_limit(limit: u64) -> Result<usize, Response> {
    if limit == 0 || limit > MAX_HISTORY_PAGE {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("limit must be between 1 and {MAX_HISTORY_PAGE}, not {limit}"),
        ));
    }
    Ok(limit as usize)
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, Response> {
    q.map(|Query(q)| q)
        .map_err(|e| error(StatusCode::BAD_REQUEST, "malformed", e.body_text()))
}

/// Runs an index read on a blocking thread (redb reads the disk).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, IndexError> + Send + 'static,
) -> Result<T, Response> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(index_failed(e)),
        Err(e) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "index_failed",
            format!("index reader stopped: {e}"),
        )),
    }
}

/// The JSON of a page, or the error answer that stopped it.
async fn answer<T: serde::Serialize>(page: impl Future<Output = Result<T, Response>>) -> Response {
    match page.await {
        Ok(page) => Json(page).into_response(),
        Err(response) => response,
    }
}

/// `Some(h)` when blocks below `h` lack their events.
fn events_known_from(s: &Shared) -> Result<Option<u64>, Response> {
    match s.index.store().events_known_from() {
        Ok(1) => Ok(None),
        Ok(h) => Ok(Some(h)),
        Err(e) => Err(index_failed(e)),
    }
}

/// `GET /account/{id}/txs?before=&limit=`.
pub async fn account_txs(
    State(s): State<Shared>,
    Path(id): Path<String>,
    q: Result<Query<AccountTxsQuery>, QueryRejection>,
) -> Response {
    let result = async {
        let q = query(q)?;
        let account =
            AccountId::from_hex(&id).map_err(|e| error(StatusCode::BAD_REQUEST, "malformed", e))?;
        let limit = check_limit(q.limit)?;
        let before = q
            .before
            .as_deref()
            .map(str::parse::<TxPosition>)
            .transpose()
            .map_err(|e| error(StatusCode::BAD_REQUEST, "malformed", e))?;
        let store = s.index.store().clone();
        let who = account.clone();
        let page = blocking(move || store.account_txs(&who, before, limit)).await?;
        Ok(AccountTxsResponse {
            account,
            txs: page
                .items
                .into_iter()
                .map(|e| HistoryTx {
                    hash: hex::encode(e.tx.hash),
                    height: e.position.height,
                    index: e.position.index,
                    timestamp_ms: e.block.timestamp_ms,
                    signer: e.tx.signer,
                    nonce: e.tx.nonce,
                    call: e.tx.call,
                    events_unavailable: !e.block.events_known,
                    receipt: e.tx.receipt,
                })
                .collect(),
            next: page.next.map(|p| p.to_string()),
            events_known_from: events_known_from(&s)?,
        })
    };
    answer(result).await
}

/// `GET /events?kind=&from=&to=&cursor=&limit=`.
pub async fn events(
    State(s): State<Shared>,
    q: Result<Query<EventsQuery>, QueryRejection>,
) -> Response {
    let result = async {
        let q = query(q)?;
        let limit = check_limit(q.limit)?;
        if let Some(kind) = &q.kind
            && !Event::KINDS.contains(&kind.as_str())
        {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unknown_kind",
                format!(
                    "unknown event kind `{}`; kinds: {}",
                    kind.chars().take(64).collect::<String>(),
                    Event::KINDS.join(", ")
                ),
            ));
        }
        let head = s.index.head().height;
        if let (Some(from), Some(to)) = (q.from, q.to)
            && from > to
        {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "malformed",
                format!("from ({from}) is above to ({to})"),
            ));
        }
        let to = q.to.unwrap_or(head).min(head);
        let from = q
            .from
            .unwrap_or_else(|| to.saturating_sub(DEFAULT_EVENT_BLOCKS - 1))
            .max(1);
        let cursor = q
            .cursor
            .as_deref()
            .map(str::parse::<EventPosition>)
            .transpose()
            .map_err(|e| error(StatusCode::BAD_REQUEST, "malformed", e))?;
        if let Some(c) = cursor
            && (c.height < from || c.height > to.max(from))
        {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "malformed",
                format!("cursor {c} is outside heights {from}..={to}"),
            ));
        }
        if from > to {
            // Nothing finalized there yet (or an empty chain): an empty answer; the same
            // request asked again later finds what was finalized since.
            return Ok(EventsResponse {
                from,
                to,
                events: Vec::new(),
                next: None,
                events_known_from: events_known_from(&s)?,
            });
        }
        let store = s.index.store().clone();
        let kind = q.kind.clone();
        let page = blocking(move || {
            store.events(
                EventFilter {
                    kind: kind.as_deref(),
                    from,
                    to,
                },
                cursor,
                limit,
            )
        })
        .await?;
        Ok(EventsResponse {
            from,
            to,
            events: page
                .items
                .into_iter()
                .map(|e| IndexedEvent {
                    position: e.position.to_string(),
                    height: e.position.height,
                    tx: e.tx.map(hex::encode),
                    kind: e.event.kind().to_string(),
                    event: e.event,
                })
                .collect(),
            next: page.next.map(|p| p.to_string()),
            events_known_from: events_known_from(&s)?,
        })
    };
    answer(result).await
}

/// `GET /blocks?from=&limit=`.
pub async fn blocks(
    State(s): State<Shared>,
    q: Result<Query<BlocksQuery>, QueryRejection>,
) -> Response {
    let result = async {
        let q = query(q)?;
        let limit = check_limit(q.limit)? as u64;
        let head = s.index.head().height;
        let from = q
            .from
            .unwrap_or_else(|| head.saturating_sub(limit - 1))
            .max(1);
        if from > head {
            return Ok(BlocksResponse {
                blocks: Vec::new(),
                next: Some(from),
            });
        }
        // The index may already hold the block being applied: answer up to the head only.
        let limit = limit.min(head - from + 1) as usize;
        let store = s.index.store().clone();
        let page = blocking(move || store.blocks(from, limit)).await?;
        let last = page.items.last().map(|(h, _)| *h);
        Ok(BlocksResponse {
            blocks: page
                .items
                .into_iter()
                .map(|(height, b)| BlockSummary {
                    height,
                    hash: hex::encode(b.digest),
                    timestamp_ms: b.timestamp_ms,
                    state_root: hex::encode(b.state_root),
                    txs: b.tx_count,
                    events: b.block_events.len() as u32,
                    events_unavailable: !b.events_known,
                })
                .collect(),
            next: match last {
                Some(h) if h >= head => None,
                Some(h) => Some(h + 1),
                // Not indexed yet (the index is catching up from the archive).
                None => Some(from),
            },
        })
    };
    answer(result).await
}
