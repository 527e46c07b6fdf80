//! Registry reads: `GET /workers` (paged, with the attestation policy and gatekeepers),
//! `GET /worker/{id}` (with its message-queue position and last heartbeat) and `GET /keys`
//! (the master key generations' public keys). Records come from finalized state; simulated
//! workers say so.

use crate::server::{Shared, error};
use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use phalanx_client::api::{
    KeysResponse, MAX_WORKERS_PAGE, MasterKeyView, RoundView, WorkerQueue, WorkerView,
    WorkersQuery, WorkersResponse,
};
use phalanx_runtime::{
    keys, mq,
    registry::{self, WorkerRecord},
};
use phalanx_types::{
    AccountId, AttestationPolicy,
    codec::{DecodeExt, Read},
};

/// Most workers one `GET /workers` returns.
pub const MAX_PAGE: u64 = MAX_WORKERS_PAGE;

/// Reads and decodes one state value; `Err` for a stored value that does not decode.
pub(crate) async fn read<T: Read<Cfg = ()>>(
    s: &Shared,
    key: [u8; 32],
) -> Result<Option<T>, Response> {
    match s.admission.state.get(key).await {
        None => Ok(None),
        Some(bytes) => T::decode(phalanx_types::codec::Copying(bytes.as_slice()))
            .map(Some)
            .map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, "corrupt", e)),
    }
}

/// `GET /workers?offset=&limit=`.
pub async fn workers(
    State(s): State<Shared>,
    page: Result<Query<WorkersQuery>, QueryRejection>,
) -> Response {
    let Query(page) = match page {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, "malformed", e.body_text()),
    };
    let limit = page.limit.clamp(1, MAX_PAGE);
    let count: u64 = match read(&s, registry::state_key::workers().len_key().into()).await {
        Ok(c) => c.unwrap_or(0),
        Err(r) => return r,
    };
    let mut list = Vec::new();
    let end = page.offset.saturating_add(limit).min(count);
    for i in page.offset..end {
        let id: Option<AccountId> =
            match read(&s, registry::state_key::workers().entry_key(i).into()).await {
                Ok(id) => id,
                Err(r) => return r,
            };
        let Some(id) = id else { continue };
        match read::<WorkerRecord>(&s, registry::state_key::worker(&id).into()).await {
            Ok(Some(record)) => list.push(WorkerView::new(record)),
            Ok(None) => {}
            Err(r) => return r,
        }
    }
    let policy: Option<AttestationPolicy> =
        match read(&s, registry::state_key::policy().into()).await {
            Ok(p) => p,
            Err(r) => return r,
        };
    let stored = s
        .admission
        .state
        .get(registry::state_key::gatekeepers().into())
        .await;
    let gatekeepers = match stored.as_deref().map(registry::decode_gatekeepers) {
        None => Vec::new(),
        Some(Some(list)) => list,
        Some(None) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "corrupt",
                "stored gatekeeper list does not decode",
            );
        }
    };
    Json(WorkersResponse {
        count,
        offset: page.offset,
        workers: list,
        gatekeepers,
        policy,
        finalized_height: s.index.head().height,
    })
    .into_response()
}

/// `GET /worker/{id}`.
pub async fn worker(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    let id = match AccountId::from_hex(&id) {
        Ok(id) => id,
        Err(e) => return error(StatusCode::BAD_REQUEST, "malformed", e),
    };
    match read::<WorkerRecord>(&s, registry::state_key::worker(&id).into()).await {
        Ok(Some(record)) => {
            let mut v = WorkerView::new(record);
            let next_seq: Option<u64> = match read(&s, mq::state_key::next_seq(&id).into()).await {
                Ok(n) => n,
                Err(r) => return r,
            };
            let inbox: Option<u64> =
                match read(&s, mq::state_key::inbox(&id).len_key().into()).await {
                    Ok(n) => n,
                    Err(r) => return r,
                };
            let heartbeat: Option<mq::Heartbeat> =
                match read(&s, mq::state_key::heartbeat(&id).into()).await {
                    Ok(h) => h,
                    Err(r) => return r,
                };
            v.mq = Some(WorkerQueue {
                next_seq: next_seq.unwrap_or(0),
                inbox_len: inbox.unwrap_or(0),
                last_heartbeat: heartbeat,
            });
            Json(v).into_response()
        }
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no worker {id} is registered"),
        ),
        Err(r) => r,
    }
}

/// Most master key generations `GET /keys` lists (the newest).
pub const MAX_GENERATIONS_LISTED: u32 = 64;

/// `GET /keys`: the newest master key generation, the DKG round in progress, and for the
/// newest generations their group public key, the round of their current sharing and its
/// threshold. Secrets and shares never reach the chain.
pub async fn keys(State(s): State<Shared>) -> Response {
    let generation: Option<u32> = match read(&s, keys::state_key::generation().into()).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let active: Option<u64> = match read(&s, keys::state_key::active().into()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let active_round = match active {
        Some(round) => {
            match read::<keys::RoundRecord>(&s, keys::state_key::round(round).into()).await {
                Ok(Some(r)) => Some(RoundView {
                    round: r.round,
                    generation: r.generation,
                    reshare_of_round: r.previous,
                    dealers: r.dealers,
                    players: r.players,
                    started_at_height: r.started,
                }),
                Ok(None) => None,
                Err(r) => return r,
            }
        }
        None => None,
    };
    let mut public_keys = Vec::new();
    if let Some(newest) = generation {
        let oldest = newest.saturating_sub(MAX_GENERATIONS_LISTED - 1);
        for g in (oldest..=newest).rev() {
            let pk = match read::<[u8; keys::MASTER_PUBLIC_LEN]>(
                &s,
                keys::state_key::master_public(g).into(),
            )
            .await
            {
                Ok(Some(pk)) => pk,
                Ok(None) => continue,
                Err(r) => return r,
            };
            let round: Option<u64> = match read(&s, keys::state_key::latest(g).into()).await {
                Ok(r) => r,
                Err(r) => return r,
            };
            let mut entry = MasterKeyView {
                generation: g,
                public_key: hex::encode(pk),
                round,
                threshold: None,
                holders: None,
            };
            if let Some(round) = round
                && let Some(bytes) = s.admission.state.get(keys::state_key::output(round).into()).await
                && let Ok(output) = <phalanx_threshold::Output as phalanx_threshold::round::RoundCodec>::decode_bytes(&bytes)
            {
                entry.threshold = Some(output.public().required());
                entry.holders = u32::try_from(output.players().len()).ok();
            }
            public_keys.push(entry);
        }
    }
    Json(KeysResponse {
        generation,
        active_round,
        master_public_keys: public_keys,
        finalized_height: s.index.head().height,
    })
    .into_response()
}
