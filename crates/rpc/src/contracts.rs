//! `GET /contracts?offset=&limit=` and `GET /codes?offset=&limit=` (pages of the `contracts`
//! component's append logs, oldest first, at most 100 a page), `GET /contract/{id}` (a
//! contract's record with the public keys its cluster reported, or `keys: null`) and
//! `GET /code/{hash}[?bytes=true]` (an uploaded module's record, and with `bytes=true` the
//! module itself as hex). Read from finalized state. A malformed id or hash is 400 `malformed`;
//! an unknown one 404 `unknown_contract` / `unknown_code`. `GET /clusters?offset=&limit=` and
//! `GET /cluster/{id}` show the clusters of chosen workers (numbered from 1; cluster 0, every
//! registered worker, has no record: 404 `unknown_cluster` like a number never created).
//!
//! The module travels as hex in the JSON answer rather than as `application/wasm` on a route
//! of its own: it is at most `MAX_CODE_BYTES` (60 KiB, 120 KiB as hex, far under the
//! client's 16 MiB cap), every byte string a client decodes is hex in this API, an error has
//! the same form either way, and the client checks the bytes against the hash it asked for.

use crate::{
    registry::read,
    server::{Shared, error},
};
use axum::{
    Json,
    extract::{
        Path, Query, State,
        rejection::{PathRejection, QueryRejection},
    },
    http::StatusCode,
    response::{IntoResponse, Response},
};
use phalanx_client::{
    api::{
        ClusterResponse, ClusterView, ClustersResponse, CodeQuery, CodeResponse, CodeView,
        CodesResponse, ContractResponse, ContractView, ContractsQuery, ContractsResponse, HexBytes,
        MAX_CONTRACTS_PAGE,
    },
    contracts::parse_hash,
};
use phalanx_runtime::contracts::{ClusterRecord, CodeInfo, ContractRecord, state_key};

/// The 400 answer to a request that does not parse.
fn malformed(message: String) -> Response {
    error(StatusCode::BAD_REQUEST, "malformed", message)
}

/// The 32-byte id or hash in a path, or why it is none.
fn path_hash(path: Result<Path<String>, PathRejection>, what: &str) -> Result<[u8; 32], String> {
    match path {
        Ok(Path(text)) => parse_hash(&text, what),
        Err(e) => Err(e.body_text()),
    }
}

/// A page's query with its limit brought within bounds, or why it does not parse.
fn page(query: Result<Query<ContractsQuery>, QueryRejection>) -> Result<ContractsQuery, String> {
    match query {
        Ok(Query(q)) => Ok(ContractsQuery {
            offset: q.offset,
            limit: q.limit.clamp(1, MAX_CONTRACTS_PAGE),
        }),
        Err(e) => Err(e.body_text()),
    }
}

/// `GET /contracts?offset=&limit=`.
pub async fn list_contracts(
    State(s): State<Shared>,
    query: Result<Query<ContractsQuery>, QueryRejection>,
) -> Response {
    match contracts_page(&s, query).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

async fn contracts_page(
    s: &Shared,
    query: Result<Query<ContractsQuery>, QueryRejection>,
) -> Result<ContractsResponse, Response> {
    let q = page(query).map_err(malformed)?;
    let log = state_key::contracts();
    let count: u64 = read(s, log.len_key().into()).await?.unwrap_or(0);
    let end = q.offset.saturating_add(q.limit).min(count);
    let mut list = Vec::new();
    for index in q.offset..end {
        let Some(id) = read::<[u8; 32]>(s, log.entry_key(index).into()).await? else {
            continue;
        };
        if let Some(record) = read::<ContractRecord>(s, state_key::contract(&id).into()).await? {
            list.push(ContractView { id, record });
        }
    }
    Ok(ContractsResponse {
        finalized_height: s.index.head().height,
        count,
        offset: q.offset,
        contracts: list,
    })
}

/// `GET /contract/{id}`.
pub async fn contract(
    State(s): State<Shared>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let id = match path_hash(id, "a contract id") {
        Ok(id) => id,
        Err(e) => return malformed(e),
    };
    match read::<ContractRecord>(&s, state_key::contract(&id).into()).await {
        Ok(Some(record)) => Json(ContractResponse {
            finalized_height: s.index.head().height,
            contract: ContractView { id, record },
        })
        .into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "unknown_contract",
            format!("no contract has id {}", hex::encode(id)),
        ),
        Err(r) => r,
    }
}

/// `GET /clusters?offset=&limit=`.
pub async fn list_clusters(
    State(s): State<Shared>,
    query: Result<Query<ContractsQuery>, QueryRejection>,
) -> Response {
    match clusters_page(&s, query).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

async fn clusters_page(
    s: &Shared,
    query: Result<Query<ContractsQuery>, QueryRejection>,
) -> Result<ClustersResponse, Response> {
    let q = page(query).map_err(malformed)?;
    let log = state_key::clusters();
    let count: u64 = read(s, log.len_key().into()).await?.unwrap_or(0);
    let end = q
        .offset
        .saturating_add(q.limit)
        .min(count)
        .min(u64::from(u32::MAX));
    let mut list = Vec::new();
    for index in q.offset..end {
        if let Some(record) = read::<ClusterRecord>(s, log.entry_key(index).into()).await? {
            // Entry `index` is cluster `index + 1` (`end` keeps it within u32).
            let id = u32::try_from(index + 1).unwrap_or(u32::MAX);
            list.push(ClusterView { id, record });
        }
    }
    Ok(ClustersResponse {
        finalized_height: s.index.head().height,
        count,
        offset: q.offset,
        clusters: list,
    })
}

/// `GET /cluster/{id}`.
pub async fn cluster(State(s): State<Shared>, id: Result<Path<String>, PathRejection>) -> Response {
    let id = match id {
        Ok(Path(text)) => match text.trim().parse::<u32>() {
            Ok(id) => id,
            Err(_) => {
                let shown: String = text.chars().take(40).collect();
                return malformed(format!(
                    "a cluster is a number from 0 to 4294967295, not `{shown}`"
                ));
            }
        },
        Err(e) => return malformed(e.body_text()),
    };
    let Some(index) = id.checked_sub(1) else {
        return error(
            StatusCode::NOT_FOUND,
            "unknown_cluster",
            "cluster 0 is every registered worker and has no record (GET /workers lists them)"
                .to_string(),
        );
    };
    let key = state_key::clusters().entry_key(u64::from(index));
    match read::<ClusterRecord>(&s, key.into()).await {
        Ok(Some(record)) => Json(ClusterResponse {
            finalized_height: s.index.head().height,
            cluster: ClusterView { id, record },
        })
        .into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "unknown_cluster",
            format!(
                "no cluster {id} (clusters are numbered from 1 as the root account creates them)"
            ),
        ),
        Err(r) => r,
    }
}

/// `GET /codes?offset=&limit=`.
pub async fn list_codes(
    State(s): State<Shared>,
    query: Result<Query<ContractsQuery>, QueryRejection>,
) -> Response {
    match codes_page(&s, query).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

async fn codes_page(
    s: &Shared,
    query: Result<Query<ContractsQuery>, QueryRejection>,
) -> Result<CodesResponse, Response> {
    let q = page(query).map_err(malformed)?;
    let log = state_key::codes();
    let count: u64 = read(s, log.len_key().into()).await?.unwrap_or(0);
    let end = q.offset.saturating_add(q.limit).min(count);
    let mut list = Vec::new();
    for index in q.offset..end {
        let Some(hash) = read::<[u8; 32]>(s, log.entry_key(index).into()).await? else {
            continue;
        };
        if let Some(info) = read::<CodeInfo>(s, state_key::code_info(&hash).into()).await? {
            list.push(CodeView { hash, info });
        }
    }
    Ok(CodesResponse {
        finalized_height: s.index.head().height,
        count,
        offset: q.offset,
        codes: list,
    })
}

/// `GET /code/{hash}[?bytes=true]`.
pub async fn code(
    State(s): State<Shared>,
    hash: Result<Path<String>, PathRejection>,
    query: Result<Query<CodeQuery>, QueryRejection>,
) -> Response {
    let hash = match path_hash(hash, "a code hash") {
        Ok(h) => h,
        Err(e) => return malformed(e),
    };
    let query = match query {
        Ok(Query(q)) => q,
        Err(e) => return malformed(e.body_text()),
    };
    let info = match read::<CodeInfo>(&s, state_key::code_info(&hash).into()).await {
        Ok(Some(info)) => info,
        Ok(None) => {
            return error(
                StatusCode::NOT_FOUND,
                "unknown_code",
                format!("no module is uploaded under hash {}", hex::encode(hash)),
            );
        }
        Err(r) => return r,
    };
    let bytes = if query.bytes {
        // Stored with its record in the same block, and never removed.
        match s.admission.state.get(state_key::code(&hash).into()).await {
            Some(bytes) => Some(HexBytes(bytes)),
            None => {
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "corrupt",
                    format!("module {} has a record but no bytes", hex::encode(hash)),
                );
            }
        }
    } else {
        None
    };
    Json(CodeResponse {
        finalized_height: s.index.head().height,
        code: CodeView { hash, info },
        bytes,
    })
    .into_response()
}
