//! What a light client (the worker runtime) reads: headers with finality certificates, and
//! state values with proofs. Nothing here is trusted by the client: it checks the hash chain,
//! the validators' signatures and the proofs itself (`phalanx_consensus::light`).
//!
//! * `GET /light/headers?from=H&limit=N`: encoded headers from height `H` up to the highest
//!   height in the range whose finality certificate this node holds, and that certificate.
//! * `GET /light/checkpoint/{hash}`: one block's header and certificate, for a checkpoint start.
//! * `POST /light/state` `{"keys": [hex, ...]}`: values and proofs for up to 64 keys, read from
//!   one snapshot, with the finalized block whose header carries the root.
//! * `GET /chain/spec`: the chain spec (a client that has none may take it on first use).

use crate::server::{Shared, block_of_root, error};
use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use commonware_codec::Encode;
use commonware_consensus::{marshal::Identifier, types::Height};
use phalanx_client::api::{
    CheckpointResponse, HeadersQuery, HeadersResponse, StateEntry, StateRequest, StateResponse,
};
use phalanx_consensus::{block::Digest, light::MAX_BATCH_HEADERS, reader::MAX_PROVE_KEYS};

/// `GET /light/headers?from=&limit=`.
pub async fn headers(State(s): State<Shared>, Query(range): Query<HeadersQuery>) -> Response {
    if range.from == 0 {
        return error(
            StatusCode::BAD_REQUEST,
            "malformed",
            "from must be at least 1 (the genesis block comes from the chain spec)",
        );
    }
    let finalized = s.index.head().height;
    if range.from > finalized {
        return Json(HeadersResponse {
            from: None,
            to: None,
            headers: Vec::new(),
            certificate: None,
            finalized,
        })
        .into_response();
    }
    let limit = range.limit.clamp(1, MAX_BATCH_HEADERS as u64);
    let mut end = range.from.saturating_add(limit - 1).min(finalized);
    // The batch ends at the highest height whose certificate this node stores (marshal keeps
    // one for nearly every block; ancestors fetched during catch-up may lack one).
    let certificate = loop {
        if let Some(f) = s.marshal.get_finalization(Height::new(end)).await {
            break f;
        }
        if end == range.from {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "no_certificate",
                format!(
                    "this node holds no finality certificate for heights {}..={}; ask another node",
                    range.from,
                    range.from.saturating_add(limit - 1).min(finalized)
                ),
            );
        }
        end -= 1;
    };
    let mut headers = Vec::with_capacity((end - range.from + 1) as usize);
    for height in range.from..=end {
        let Some(block) = s
            .marshal
            .get_block(Identifier::Height(Height::new(height)))
            .await
        else {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                format!("finalized block {height} is missing from this node's archive"),
            );
        };
        headers.push(block.inner().header().encode().to_vec().into());
    }
    Json(HeadersResponse {
        from: Some(range.from),
        to: Some(end),
        headers,
        certificate: Some(certificate.encode().to_vec().into()),
        finalized,
    })
    .into_response()
}

/// `GET /light/checkpoint/{hash}`.
pub async fn checkpoint(State(s): State<Shared>, Path(hash): Path<String>) -> Response {
    let Some(digest) = hex::decode(&hash)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "malformed",
            "block hash must be 32 bytes of hex",
        );
    };
    let Some(block) = s
        .marshal
        .get_block(Identifier::Digest(Digest::from(digest)))
        .await
    else {
        return error(
            StatusCode::NOT_FOUND,
            "unknown",
            format!("no finalized block {hash}"),
        );
    };
    let height = block.inner().height;
    let Some(certificate) = s.marshal.get_finalization(height).await else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_certificate",
            format!("this node holds no finality certificate for block {hash}; ask another node"),
        );
    };
    Json(CheckpointResponse {
        height: height.get(),
        header: block.inner().header().encode().to_vec().into(),
        certificate: certificate.encode().to_vec().into(),
    })
    .into_response()
}

/// `POST /light/state`.
pub async fn state(State(s): State<Shared>, Json(query): Json<StateRequest>) -> Response {
    if query.keys.is_empty() || query.keys.len() > MAX_PROVE_KEYS {
        return error(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("ask for 1 to {MAX_PROVE_KEYS} keys"),
        );
    }
    let mut keys = Vec::with_capacity(query.keys.len());
    for k in &query.keys {
        match hex::decode(k)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
        {
            Some(key) => keys.push(key),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    format!("key `{k}` is not 32 bytes of hex"),
                );
            }
        }
    }
    let (entries, root) = match s.admission.state.prove_many(keys.clone()).await {
        Ok(p) => p,
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", e),
    };
    let block = match block_of_root(&s, &root).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let entries: Vec<_> = keys
        .iter()
        .zip(entries)
        .map(|(key, (value, proof))| StateEntry {
            key: key.to_vec().into(),
            value: value.map(Into::into),
            proof: proof.to_bytes().into(),
        })
        .collect();
    Json(StateResponse {
        height: block.height,
        block_hash: block.digest,
        state_root: root.to_vec().into(),
        entries,
    })
    .into_response()
}

/// `GET /chain/spec`: the `ChainSpec` itself (see `phalanx_client::api`).
pub async fn spec(State(s): State<Shared>) -> Response {
    Json(&s.spec).into_response()
}
