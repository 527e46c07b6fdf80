//! Queries to one worker in a session (protocol in `phalanx_contracts::session`): the worker
//! is checked against the chain once, the session opened on the first query (one key
//! agreement, one signature) and reused; opened again a little before it expires, and when
//! the worker says it no longer holds it (forgotten in a restart, out of counters), once per
//! query. A worker whose session table is full (503: anyone with keys can fill it for a
//! while) is asked the query one-shot instead.

use super::{QueryView, WorkerInfo, attested_worker, from_worker, one_shot, other};
use crate::client::ClientError;
use crate::http::HttpError;
use commonware_cryptography::ed25519::PrivateKey;
use phalanx_contracts::query::now_ms;
use phalanx_contracts::sealed::SealError;
use phalanx_contracts::session::{
    ClientSession, SessionAnswer, SessionOpened, SessionQuery, request_session,
};
use phalanx_types::ChainId;
use std::sync::{Arc, Mutex, PoisonError};

/// The worker's error codes after which a new session may succeed.
const REOPEN_ON: [&str; 3] = ["unknown_session", "session_expired", "session_exhausted"];

/// A session this close to its expiry is opened again before the next query, rather than
/// spending a refused round trip on learning it expired (and clocks drift a little).
const RENEW_BEFORE_EXPIRY_MS: u64 = 10_000;

/// Whether a session expiring at `expires_ms` should be opened again at `now_ms`.
fn due_for_renewal(expires_ms: u64, now_ms: u64) -> bool {
    now_ms.saturating_add(RENEW_BEFORE_EXPIRY_MS) >= expires_ms
}

/// One account's queries to one attested worker, in a session. Shareable between threads:
/// queries in flight together use one session with their own counters.
pub struct QuerySession {
    worker_url: String,
    worker: WorkerInfo,
    chain: ChainId,
    account: PrivateKey,
    session: Mutex<Option<Arc<ClientSession>>>,
}

/// Why one attempt failed: whether a new session may help.
enum Attempt {
    Reopen,
    Failed(ClientError),
}

impl QuerySession {
    /// Checks the worker at `worker_url` against the chain `rpc` serves (see
    /// [`attested_worker`]); opens no session yet.
    pub fn connect(rpc: &str, worker_url: &str, account: PrivateKey) -> Result<Self, ClientError> {
        let worker_url = worker_url.trim_end_matches('/').to_string();
        let (worker, chain) = attested_worker(rpc, &worker_url)?;
        Ok(Self {
            worker_url,
            worker,
            chain,
            account,
            session: Mutex::new(None),
        })
    }

    /// Runs `contract`'s query with `input` in the session (opening it first if needed).
    pub fn query(&self, contract: &[u8; 32], input: &[u8]) -> Result<QueryView, ClientError> {
        let session = match self.current() {
            Ok(session) => session,
            Err(ClientError::Refused { status: 503, .. }) => {
                return one_shot(
                    &self.worker_url,
                    &self.worker,
                    &self.chain,
                    &self.account,
                    contract,
                    input,
                );
            }
            Err(e) => return Err(e),
        };
        match self.attempt(&session, contract, input) {
            Ok(view) => Ok(view),
            Err(Attempt::Failed(e)) => Err(e),
            Err(Attempt::Reopen) => {
                self.forget(&session);
                let session = self.current()?;
                self.attempt(&session, contract, input)
                    .map_err(|e| match e {
                        Attempt::Failed(e) => e,
                        Attempt::Reopen => other("the worker refused a session it had just opened"),
                    })
            }
        }
    }

    fn attempt(
        &self,
        session: &ClientSession,
        contract: &[u8; 32],
        input: &[u8],
    ) -> Result<QueryView, Attempt> {
        let query = match session.make_query(&self.chain, contract, input) {
            Ok(query) => query,
            Err(SealError::CounterExhausted) => return Err(Attempt::Reopen),
            Err(e) => return Err(Attempt::Failed(other(e.to_string()))),
        };
        let answer: SessionAnswer =
            match crate::http::post(&self.worker_url, "/v1/session/query", &query) {
                Ok(answer) => answer,
                Err(HttpError::Status { code, .. }) if REOPEN_ON.contains(&code.as_str()) => {
                    return Err(Attempt::Reopen);
                }
                Err(e) => return Err(Attempt::Failed(from_worker(e))),
            };
        self.open(session, &query, &answer).map_err(Attempt::Failed)
    }

    fn open(
        &self,
        session: &ClientSession,
        query: &SessionQuery,
        answer: &SessionAnswer,
    ) -> Result<QueryView, ClientError> {
        let outcome = session
            .open_answer(&self.chain, query, answer)
            .map_err(|e| other(format!("the answer does not open: {e}")))?;
        Ok(QueryView {
            worker: self.worker.worker.clone(),
            height: answer.height,
            fuel_used: answer.fuel_used,
            outcome,
        })
    }

    /// The open session, or a new one. The lock is held while opening, so threads that start
    /// together open one session, not one each.
    fn current(&self) -> Result<Arc<ClientSession>, ClientError> {
        let mut slot = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(session) = slot.as_ref()
            && !due_for_renewal(session.expires_ms, now_ms())
        {
            return Ok(session.clone());
        }
        let session = Arc::new(self.open_session()?);
        *slot = Some(session.clone());
        Ok(session)
    }

    /// Forgets `stale`, unless another thread has replaced it already.
    fn forget(&self, stale: &Arc<ClientSession>) {
        let mut slot = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.as_ref().is_some_and(|s| Arc::ptr_eq(s, stale)) {
            *slot = None;
        }
    }

    fn open_session(&self) -> Result<ClientSession, ClientError> {
        let (request, keys) = request_session(
            &self.chain,
            &self.worker.worker,
            &self.worker.encryption_key,
            &self.account,
            now_ms(),
        )
        .map_err(|e| other(e.to_string()))?;
        let opened: SessionOpened =
            crate::http::post(&self.worker_url, "/v1/session", &request).map_err(from_worker)?;
        ClientSession::new(&self.chain, self.worker.worker.clone(), keys, &opened)
            .map_err(|_| other("the worker's session confirmation does not open: REFUSED"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_renewed_shortly_before_it_expires() {
        let expires = 600_000;
        assert!(!due_for_renewal(expires, 0));
        assert!(!due_for_renewal(
            expires,
            expires - RENEW_BEFORE_EXPIRY_MS - 1
        ));
        assert!(due_for_renewal(expires, expires - RENEW_BEFORE_EXPIRY_MS));
        assert!(due_for_renewal(expires, expires + 1));
        assert!(due_for_renewal(0, u64::MAX));
    }

    #[test]
    fn an_unreachable_worker_is_named_as_such() {
        let e = from_worker(HttpError::Unreachable(
            "cannot reach the node at http://127.0.0.1:1: refused (is `phalanx dev` running?)"
                .into(),
        ));
        let ClientError::Unreachable(m) = e else {
            panic!("{e:?}")
        };
        assert!(
            m.contains("the worker's query server at http://127.0.0.1:1"),
            "{m}"
        );
        assert!(!m.contains("phalanx dev"), "{m}");
    }
}
