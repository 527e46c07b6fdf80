//! Query sessions on the worker (protocol in `phalanx_contracts::session`): `POST /v1/session`
//! opens one after the checks a one-shot query passes (this worker, the account's signature,
//! the time window, replay), `POST /v1/session/query` answers a query in one after checking
//! the session (known, not expired), the counter (unused, within the window), the contract,
//! and that the ciphertext opens with the session's key; then the same in-flight limits and
//! execution as a one-shot query.

use super::{QueryBoard, Refusal, on_blocking_thread};
use axum::{Json, extract::State};
use phalanx_contracts::sealed::SealError;
use phalanx_contracts::session::{
    OpenSessionRequest, SessionAnswer, SessionId, SessionOpened, SessionQuery, accept_session,
};
use std::sync::{Arc, PoisonError};

impl QueryBoard {
    /// Opens a session for a request (at `now_ms` on this worker's clock).
    pub fn open_session(
        &self,
        request: &OpenSessionRequest,
        now_ms: u64,
    ) -> Result<SessionOpened, Refusal> {
        self.check_signed(&request.worker, request.timestamp_ms, now_ms, |c| {
            request.verify(c)
        })?;
        let mut id = SessionId([0; 16]);
        getrandom::fill(&mut id.0).map_err(|_| Refusal::Internal)?;
        let keys = accept_session(&self.encryption_secret, request, &id)
            .map_err(|_| Refusal::DoesNotOpen)?;
        self.remember_genuine(request.replay_id(), now_ms)?;
        let expires_ms = super::session_table::expiry(&self.limits, now_ms);
        let confirmation = keys
            .confirmation(&self.chain, &self.worker, &id, expires_ms)
            .map_err(|_| Refusal::Internal)?;
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, request.account.clone(), keys, now_ms, &self.limits)?;
        Ok(SessionOpened {
            session: id,
            expires_ms,
            confirmation,
        })
    }

    /// Checks and answers a query in a session (runs the contract: call it on a blocking
    /// thread).
    pub fn answer_in_session(
        &self,
        query: &SessionQuery,
        now_ms: u64,
    ) -> Result<SessionAnswer, Refusal> {
        let found = self
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .find(&query.session, query.counter, now_ms)?;
        let Some(contract) = self.contract(&query.contract) else {
            return Err(Refusal::UnknownContract);
        };
        let input = found
            .keys
            .open_query(&self.chain, &self.worker, query)
            .map_err(|e| match e {
                SealError::CounterExhausted => Refusal::SessionExhausted,
                _ => Refusal::DoesNotOpen,
            })?;
        // Used only once it opened, so nobody without the key can burn a session's counters.
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .accept(&query.session, query.counter)?;
        let (outcome, fuel_used) =
            self.run_limited(&contract, query.contract, &found.account, &input)?;
        found
            .keys
            .seal_answer(
                &self.chain,
                &self.worker,
                query,
                contract.height,
                fuel_used,
                &outcome,
            )
            .map_err(|_| Refusal::Internal)
    }
}

pub(super) async fn open(
    State(board): State<Arc<QueryBoard>>,
    Json(request): Json<OpenSessionRequest>,
) -> Result<Json<SessionOpened>, Refusal> {
    on_blocking_thread(board, move |board, now| board.open_session(&request, now)).await
}

pub(super) async fn query(
    State(board): State<Arc<QueryBoard>>,
    Json(query): Json<SessionQuery>,
) -> Result<Json<SessionAnswer>, Refusal> {
    on_blocking_thread(board, move |board, now| {
        board.answer_in_session(&query, now)
    })
    .await
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
