//! One function per route of the node's API: the path and the types it answers with, in one
//! place. `rpc` is the node's base URL (`http://127.0.0.1:8545`). These block the calling
//! thread (see [`crate::http`]).

use crate::{
    api::{
        AccountProofResponse, AccountResponse, AccountTxsQuery, AccountTxsResponse, BlockResponse,
        BlocksQuery, BlocksResponse, ChainResponse, CheckpointResponse, ClusterResponse,
        ClustersResponse, CodeResponse, CodesResponse, ContractResponse, ContractsQuery,
        ContractsResponse, EventsQuery, EventsResponse, HeadersQuery, HeadersResponse,
        KeysResponse, MiningResponse, MiningWorkerResponse, PoolResponse, PoolsQuery,
        PoolsResponse, StateRequest, StateResponse, SubmitBatchRequest, SubmitBatchResponse,
        SubmitRequest, SubmitResponse, TokenomicsResponse, TreasuryResponse, TxStatusResponse,
        WorkerView, WorkersQuery, WorkersResponse,
    },
    http::{self, HttpError},
};
use commonware_codec::Encode;
use phalanx_types::{AccountId, SignedTx};
use serde::de::DeserializeOwned;

/// A path segment from user input, percent-encoded so it stays one segment (`/` or `?` in it
/// cannot reach another route).
fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /chain`.
pub fn chain(rpc: &str) -> Result<ChainResponse, HttpError> {
    http::get(rpc, "/chain")
}

/// `GET /chain`, from async code.
pub async fn chain_async(rpc: &str) -> Result<ChainResponse, HttpError> {
    http::get_async(rpc, "/chain").await
}

/// `GET /chain/spec`: the chain spec, as `T` (`phalanx_consensus::spec::ChainSpec`).
pub fn chain_spec<T: DeserializeOwned>(rpc: &str) -> Result<T, HttpError> {
    http::get(rpc, "/chain/spec")
}

/// `GET /account/{id}`.
pub fn account(rpc: &str, id: &AccountId) -> Result<AccountResponse, HttpError> {
    http::get(rpc, &format!("/account/{id}"))
}

/// `GET /proof/account/{id}`.
pub fn account_proof(rpc: &str, id: &AccountId) -> Result<AccountProofResponse, HttpError> {
    http::get(rpc, &format!("/proof/account/{id}"))
}

/// `GET /account/{id}/txs?before=&limit=`: the account's transactions, newest first.
pub fn account_txs(
    rpc: &str,
    id: &AccountId,
    query: &AccountTxsQuery,
) -> Result<AccountTxsResponse, HttpError> {
    let mut path = format!("/account/{id}/txs?limit={}", query.limit);
    if let Some(before) = &query.before {
        path.push_str(&format!("&before={}", segment(before)));
    }
    http::get(rpc, &path)
}

/// `GET /events?kind=&from=&to=&cursor=&limit=`.
pub fn events(rpc: &str, query: &EventsQuery) -> Result<EventsResponse, HttpError> {
    let mut path = format!("/events?limit={}", query.limit);
    if let Some(kind) = &query.kind {
        path.push_str(&format!("&kind={}", segment(kind)));
    }
    if let Some(from) = query.from {
        path.push_str(&format!("&from={from}"));
    }
    if let Some(to) = query.to {
        path.push_str(&format!("&to={to}"));
    }
    if let Some(cursor) = &query.cursor {
        path.push_str(&format!("&cursor={}", segment(cursor)));
    }
    http::get(rpc, &path)
}

/// `GET /blocks?from=&limit=`.
pub fn blocks(rpc: &str, query: &BlocksQuery) -> Result<BlocksResponse, HttpError> {
    match query.from {
        Some(from) => http::get(rpc, &format!("/blocks?from={from}&limit={}", query.limit)),
        None => http::get(rpc, &format!("/blocks?limit={}", query.limit)),
    }
}

/// `GET /metrics`: Prometheus text.
pub fn metrics(rpc: &str) -> Result<String, HttpError> {
    http::get_text(rpc, "/metrics")
}

/// The node's resident memory in bytes, from its `/metrics` (`None` when it does not report
/// it: not on Linux).
pub fn node_rss_bytes(rpc: &str) -> Result<Option<u64>, HttpError> {
    Ok(metrics(rpc)?.lines().find_map(|line| {
        line.strip_prefix("process_resident_memory_bytes ")
            .and_then(|v| v.trim().parse().ok())
    }))
}

/// `POST /tx`.
pub fn submit(rpc: &str, tx: &SignedTx) -> Result<SubmitResponse, HttpError> {
    http::post(
        rpc,
        "/tx",
        &SubmitRequest {
            tx: hex::encode(tx.encode()),
        },
    )
}

/// `POST /txs`: `txs` are hex-encoded signed transactions (at most
/// [`crate::api::MAX_BATCH_TXS`]).
pub fn submit_batch(rpc: &str, txs: Vec<String>) -> Result<SubmitBatchResponse, HttpError> {
    http::post(rpc, "/txs", &SubmitBatchRequest { txs })
}

/// `GET /tx/{hash}`.
pub fn tx_status(rpc: &str, hash: &str) -> Result<TxStatusResponse, HttpError> {
    http::get(rpc, &format!("/tx/{}", segment(hash)))
}

/// `GET /block/{which}`: a height or `latest`.
pub fn block(rpc: &str, which: &str) -> Result<BlockResponse, HttpError> {
    http::get(rpc, &format!("/block/{}", segment(which)))
}

/// `GET /workers?offset=&limit=`.
pub fn workers(rpc: &str, query: &WorkersQuery) -> Result<WorkersResponse, HttpError> {
    http::get(
        rpc,
        &format!("/workers?offset={}&limit={}", query.offset, query.limit),
    )
}

/// `GET /worker/{id}`.
pub fn worker(rpc: &str, id: &AccountId) -> Result<WorkerView, HttpError> {
    http::get(rpc, &format!("/worker/{id}"))
}

/// `GET /keys`.
pub fn keys(rpc: &str) -> Result<KeysResponse, HttpError> {
    http::get(rpc, "/keys")
}

/// `GET /tokenomics`.
pub fn tokenomics(rpc: &str) -> Result<TokenomicsResponse, HttpError> {
    http::get(rpc, "/tokenomics")
}

/// `GET /treasury`.
pub fn treasury(rpc: &str) -> Result<TreasuryResponse, HttpError> {
    http::get(rpc, "/treasury")
}

/// `GET /mining`.
pub fn mining(rpc: &str) -> Result<MiningResponse, HttpError> {
    http::get(rpc, "/mining")
}

/// `GET /mining/{worker}`.
pub fn mining_worker(rpc: &str, worker: &AccountId) -> Result<MiningWorkerResponse, HttpError> {
    http::get(rpc, &format!("/mining/{worker}"))
}

/// `GET /pools?offset=&limit=`.
pub fn pools(rpc: &str, query: &PoolsQuery) -> Result<PoolsResponse, HttpError> {
    http::get(
        rpc,
        &format!("/pools?offset={}&limit={}", query.offset, query.limit),
    )
}

/// `GET /pool/{id}[?delegator=ACCOUNT]`.
pub fn pool(rpc: &str, id: u64, delegator: Option<&AccountId>) -> Result<PoolResponse, HttpError> {
    match delegator {
        Some(d) => http::get(rpc, &format!("/pool/{id}?delegator={d}")),
        None => http::get(rpc, &format!("/pool/{id}")),
    }
}

/// `GET /contracts?offset=&limit=`: contracts in creation order.
pub fn contracts(rpc: &str, query: &ContractsQuery) -> Result<ContractsResponse, HttpError> {
    http::get(
        rpc,
        &format!("/contracts?offset={}&limit={}", query.offset, query.limit),
    )
}

/// `GET /clusters?offset=&limit=`: clusters of chosen workers in creation order (offset 0 is
/// cluster 1).
pub fn clusters(rpc: &str, query: &ContractsQuery) -> Result<ClustersResponse, HttpError> {
    http::get(
        rpc,
        &format!("/clusters?offset={}&limit={}", query.offset, query.limit),
    )
}

/// `GET /cluster/{id}`.
pub fn cluster(rpc: &str, id: u32) -> Result<ClusterResponse, HttpError> {
    http::get(rpc, &format!("/cluster/{id}"))
}

/// `GET /contract/{id}`.
pub fn contract(rpc: &str, id: &[u8; 32]) -> Result<ContractResponse, HttpError> {
    http::get(rpc, &format!("/contract/{}", hex::encode(id)))
}

/// `GET /codes?offset=&limit=`: uploaded modules in upload order.
pub fn codes(rpc: &str, query: &ContractsQuery) -> Result<CodesResponse, HttpError> {
    http::get(
        rpc,
        &format!("/codes?offset={}&limit={}", query.offset, query.limit),
    )
}

/// `GET /code/{hash}[?bytes=true]` (with `bytes`, the module itself, hex; check it with
/// [`crate::contracts::find_code`]).
pub fn code(rpc: &str, hash: &[u8; 32], bytes: bool) -> Result<CodeResponse, HttpError> {
    let hash = hex::encode(hash);
    if bytes {
        http::get(rpc, &format!("/code/{hash}?bytes=true"))
    } else {
        http::get(rpc, &format!("/code/{hash}"))
    }
}

/// `GET /light/headers?from=&limit=`.
pub fn headers(rpc: &str, query: &HeadersQuery) -> Result<HeadersResponse, HttpError> {
    http::get(
        rpc,
        &format!("/light/headers?from={}&limit={}", query.from, query.limit),
    )
}

/// `GET /light/checkpoint/{hash}` (`hash`: hex).
pub fn checkpoint(rpc: &str, hash: &str) -> Result<CheckpointResponse, HttpError> {
    http::get(rpc, &format!("/light/checkpoint/{}", segment(hash)))
}

/// `POST /light/state`.
pub fn state(rpc: &str, request: &StateRequest) -> Result<StateResponse, HttpError> {
    http::post(rpc, "/light/state", request)
}

#[cfg(test)]
mod tests {
    use super::segment;

    #[test]
    fn user_text_stays_one_segment() {
        assert_eq!(segment("latest"), "latest");
        assert_eq!(segment("12"), "12");
        assert_eq!(segment("../keys?x=1"), "..%2Fkeys%3Fx%3D1");
    }
}
