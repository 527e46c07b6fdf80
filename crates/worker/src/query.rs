//! The query server: read-only contract calls sent straight to this worker over HTTP
//! (`POST /v1/query`, protocol in `phalanx_contracts::query`), answered inside the TEE from the
//! latest state this worker holds.
//!
//! Every request is checked before any work: its size, that it is for this worker, the
//! account's signature, a timestamp within [`QueryLimits::window`] of this worker's clock,
//! that it was not seen before (replay; remembered for twice the window, at most
//! [`QueryLimits::max_remembered`] requests), that the contract is one this worker runs, and
//! that the ciphertext opens with this worker's key. Queries run on blocking threads, at most
//! [`QueryLimits::max_in_flight`] at once and [`QueryLimits::per_account`] per account;
//! beyond that the answer is 503 (busy) or 429 (this account's limit), with `Retry-After`.
//! Each runs under a fuel limit and a wall-clock timeout.
//!
//! Query sessions (`POST /v1/session`, then `POST /v1/session/query`; protocol in
//! `phalanx_contracts::session`, the checks in [`session`], the bounds in `session_table`)
//! spend the key agreement and the signature once per account and worker; their queries pass
//! the same contract check and the same in-flight limits.
//!
//! `GET /v1/info` tells a client which worker it reached (identity, encryption key, chain):
//! the client checks those against the worker's record and attestation on chain before it
//! seals anything to the key.

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use phalanx_contracts::{
    ContractKey, EntryPoint, Host, Limits, Randomness, WasmiExecutor,
    query::{QueryAnswer, QueryRequest, now_ms, open_query, seal_answer},
    sealed::CommandOutcome,
    state::StateMap,
};
use phalanx_types::{AccountId, ChainId, MAX_COMMAND_IO};
use serde::Serialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;
use tracing::{info, warn};
use zeroize::Zeroizing;

pub mod bench_route;
pub mod session;
mod session_table;

use session_table::SessionTable;

/// Bounds on the query server.
#[derive(Clone, Copy, Debug)]
pub struct QueryLimits {
    /// Queries running at once (beyond: 503 busy).
    pub max_in_flight: usize,
    /// Queries of one account running at once (beyond: 429).
    pub per_account: usize,
    /// How far a request's timestamp may be from this worker's clock.
    pub window: Duration,
    /// Requests remembered for replay protection.
    pub max_remembered: usize,
    /// Fuel per query.
    pub fuel: u64,
    /// Wall-clock time per query.
    pub timeout: Duration,
    /// Largest request body.
    pub max_body: usize,
    /// Sessions open at once, all accounts (beyond, once expired ones are dropped: 503 busy).
    pub max_sessions: usize,
    /// Sessions of one account open at once (beyond: its oldest is closed).
    pub sessions_per_account: usize,
    /// How long a session lives from its opening.
    pub session_lifetime: Duration,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_in_flight: 64,
            per_account: 8,
            window: Duration::from_secs(60),
            max_remembered: 100_000,
            fuel: 10_000_000,
            timeout: Duration::from_secs(2),
            max_body: 64 * 1024,
            max_sessions: 4_096,
            sessions_per_account: 16,
            session_lifetime: Duration::from_secs(600),
        }
    }
}

/// What a query runs on: a contract as of the last command this worker applied.
pub struct LiveContract {
    pub key: ContractKey,
    pub code: Arc<Vec<u8>>,
    pub state: Arc<StateMap>,
    /// The block of the last command applied (what `block_height` and `block_time_ms` say).
    pub height: u64,
    pub time_ms: u64,
}

/// What the worker shares with its query server.
pub struct QueryBoard {
    chain: ChainId,
    worker: AccountId,
    encryption_secret: Zeroizing<[u8; 32]>,
    encryption_key: [u8; 32],
    limits: QueryLimits,
    executor: WasmiExecutor,
    contracts: RwLock<HashMap<[u8; 32], Arc<LiveContract>>>,
    /// Replay id → when it may be forgotten (ms).
    seen: Mutex<HashMap<[u8; 32], u64>>,
    in_flight: Mutex<(usize, HashMap<AccountId, usize>)>,
    sessions: Mutex<SessionTable>,
}

impl QueryBoard {
    pub fn new(
        chain: ChainId,
        worker: AccountId,
        encryption_secret: &[u8; 32],
        limits: QueryLimits,
    ) -> Self {
        let executor_limits = Limits {
            fuel: limits.fuel,
            max_input_bytes: MAX_COMMAND_IO,
            max_output_bytes: MAX_COMMAND_IO,
            ..Limits::default()
        };
        Self {
            chain,
            worker,
            encryption_key: phalanx_crypto::hpke::public_key(encryption_secret),
            encryption_secret: Zeroizing::new(*encryption_secret),
            limits,
            executor: WasmiExecutor::new(&executor_limits),
            contracts: RwLock::new(HashMap::new()),
            seen: Mutex::new(HashMap::new()),
            in_flight: Mutex::new((0, HashMap::new())),
            sessions: Mutex::new(SessionTable::default()),
        }
    }

    /// Makes `contract` (as of its latest applied command) answerable.
    pub fn publish(&self, id: [u8; 32], contract: LiveContract) {
        self.contracts
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::new(contract));
    }

    fn contract(&self, id: &[u8; 32]) -> Option<Arc<LiveContract>> {
        self.contracts
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    /// Remembers `id` until `until_ms`; false if it was already there (a replay), or if the
    /// memory is full of requests still inside their window (then the server is busy).
    fn remember(&self, id: [u8; 32], now_ms: u64, until_ms: u64) -> Result<(), Refusal> {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.contains_key(&id) {
            return Err(Refusal::Replayed);
        }
        if seen.len() >= self.limits.max_remembered {
            seen.retain(|_, until| *until > now_ms);
            if seen.len() >= self.limits.max_remembered {
                return Err(Refusal::Busy);
            }
        }
        seen.insert(id, until_ms);
        Ok(())
    }

    /// Takes a place for `account`, or says why not.
    fn enter(&self, account: &AccountId) -> Result<(), Refusal> {
        let mut guard = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (total, per) = &mut *guard;
        if *total >= self.limits.max_in_flight {
            return Err(Refusal::Busy);
        }
        let mine = per.entry(account.clone()).or_insert(0);
        if *mine >= self.limits.per_account {
            return Err(Refusal::AccountLimit);
        }
        *mine += 1;
        *total += 1;
        Ok(())
    }

    fn leave(&self, account: &AccountId) {
        let mut guard = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (total, per) = &mut *guard;
        *total = total.saturating_sub(1);
        if let Some(mine) = per.get_mut(account) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                per.remove(account);
            }
        }
    }

    /// The checks every account-signed request passes before its ciphertext is opened: it is
    /// for this worker, `signed` (whether its signature verifies), its time in the window.
    fn check_signed(
        &self,
        worker: &AccountId,
        timestamp_ms: u64,
        now_ms: u64,
        signed: impl FnOnce(&ChainId) -> bool,
    ) -> Result<(), Refusal> {
        if *worker != self.worker {
            return Err(Refusal::OtherWorker);
        }
        if !signed(&self.chain) {
            return Err(Refusal::BadSignature);
        }
        if timestamp_ms.abs_diff(now_ms) > self.window_ms() {
            return Err(Refusal::Stale);
        }
        Ok(())
    }

    fn window_ms(&self) -> u64 {
        u64::try_from(self.limits.window.as_millis()).unwrap_or(u64::MAX)
    }

    /// Remembers a signed request that opened, for as long as its time is in the window.
    /// Only once it is known to be genuine, so nobody can fill the memory with requests that
    /// were never signed.
    fn remember_genuine(&self, replay_id: [u8; 32], now_ms: u64) -> Result<(), Refusal> {
        let until = now_ms.saturating_add(self.window_ms().saturating_mul(2));
        self.remember(replay_id, now_ms, until)
    }

    /// Runs `contract`'s query as `account`, inside the in-flight limits.
    fn run_limited(
        &self,
        contract: &LiveContract,
        id: [u8; 32],
        account: &AccountId,
        input: &[u8],
    ) -> Result<(CommandOutcome, u64), Refusal> {
        self.enter(account)?;
        let result = self.run(contract, id, account, input);
        self.leave(account);
        Ok(result)
    }

    /// Checks and answers one request (runs the contract: call it on a blocking thread).
    pub fn answer(&self, request: &QueryRequest, now_ms: u64) -> Result<QueryAnswer, Refusal> {
        self.check_signed(&request.worker, request.timestamp_ms, now_ms, |c| {
            request.verify(c)
        })?;
        let Some(contract) = self.contract(&request.contract) else {
            return Err(Refusal::UnknownContract);
        };
        let (answer_key, input) = open_query(&self.encryption_secret, &self.chain, request)
            .map_err(|_| Refusal::DoesNotOpen)?;
        self.remember_genuine(request.replay_id(), now_ms)?;
        let (outcome, fuel_used) =
            self.run_limited(&contract, request.contract, &request.account, &input)?;
        let sealed = seal_answer(&self.chain, request, &answer_key, &outcome)
            .map_err(|_| Refusal::Internal)?;
        Ok(QueryAnswer {
            height: contract.height,
            fuel_used,
            sealed,
        })
    }

    fn run(
        &self,
        contract: &LiveContract,
        id: [u8; 32],
        account: &AccountId,
        input: &[u8],
    ) -> (CommandOutcome, u64) {
        let mut caller = [0u8; 32];
        caller.copy_from_slice(account.as_bytes());
        let limits = Limits {
            fuel: self.limits.fuel,
            max_input_bytes: MAX_COMMAND_IO,
            max_output_bytes: MAX_COMMAND_IO,
            ..Limits::default()
        };
        let host = Host {
            contract: id,
            caller,
            block_height: contract.height,
            block_time_ms: contract.time_ms,
            storage: contract.state.as_ref(),
            key: Some(&contract.key),
            randomness: Randomness::Enclave,
        };
        let (result, burned) =
            self.executor
                .execute_metered(&contract.code, EntryPoint::Query, input, host, &limits);
        match result {
            Ok(done) => (CommandOutcome::Output(done.output), done.fuel_used),
            Err(e) => (CommandOutcome::Failed(e.to_string()), burned),
        }
    }
}

/// Why a query was refused: each has its HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    OtherWorker,
    BadSignature,
    Stale,
    Replayed,
    /// A session query's counter is too far below the highest the session used.
    CounterBelowWindow,
    UnknownSession,
    SessionExpired,
    /// The session has used every counter it may.
    SessionExhausted,
    UnknownContract,
    DoesNotOpen,
    Busy,
    AccountLimit,
    Timeout,
    Internal,
}

impl Refusal {
    fn status(self) -> StatusCode {
        match self {
            Refusal::OtherWorker | Refusal::DoesNotOpen => StatusCode::MISDIRECTED_REQUEST,
            Refusal::BadSignature => StatusCode::UNAUTHORIZED,
            Refusal::Stale => StatusCode::BAD_REQUEST,
            Refusal::Replayed | Refusal::CounterBelowWindow => StatusCode::CONFLICT,
            Refusal::UnknownSession => StatusCode::NOT_FOUND,
            Refusal::SessionExpired | Refusal::SessionExhausted => StatusCode::GONE,
            Refusal::UnknownContract => StatusCode::NOT_FOUND,
            Refusal::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::AccountLimit => StatusCode::TOO_MANY_REQUESTS,
            Refusal::Timeout => StatusCode::GATEWAY_TIMEOUT,
            Refusal::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error's stable name and what it means.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Refusal::OtherWorker => ("other_worker", "the query is addressed to another worker"),
            Refusal::DoesNotOpen => (
                "does_not_open",
                "the query does not open with this worker's key: it was encrypted to another worker, or changed",
            ),
            Refusal::BadSignature => ("bad_signature", "the account's signature does not verify"),
            Refusal::Stale => (
                "stale",
                "the query's timestamp is too far from this worker's clock",
            ),
            Refusal::Replayed => ("replayed", "this query was answered already"),
            Refusal::CounterBelowWindow => (
                "counter_below_window",
                "the session query's counter is too far below the highest this session used: it cannot be told from a replay",
            ),
            Refusal::UnknownSession => (
                "unknown_session",
                "this worker holds no such session (closed, or the worker restarted): open a new one",
            ),
            Refusal::SessionExpired => ("session_expired", "session expired: open a new one"),
            Refusal::SessionExhausted => (
                "session_exhausted",
                "the session has used all its counters: open a new one",
            ),
            Refusal::UnknownContract => (
                "unknown_contract",
                "this worker does not run that contract (or has applied none of its commands yet)",
            ),
            Refusal::Busy => (
                "busy",
                "the worker is answering as many queries as it can: retry",
            ),
            Refusal::AccountLimit => (
                "account_limit",
                "this account has as many queries running as a worker allows: retry",
            ),
            Refusal::Timeout => ("timeout", "the query ran out of time"),
            Refusal::Internal => ("internal", "the worker could not seal its answer"),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (code, message) = self.describe();
        // The node's error form, so clients read the code (and act on it) as they do a node's.
        let body = phalanx_client::api::ErrorBody::new(code, message);
        let mut response = (self.status(), Json(body)).into_response();
        if matches!(self, Refusal::Busy | Refusal::AccountLimit) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// What `GET /v1/info` says.
#[derive(Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct WorkerQueryInfo {
    pub worker: AccountId,
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub encryption_key: [u8; 32],
    pub chain_id: String,
}

/// Runs `work` on a blocking thread (it opens ciphertexts and runs wasm) within the query
/// timeout.
async fn on_blocking_thread<T: Send + 'static>(
    board: Arc<QueryBoard>,
    work: impl FnOnce(&QueryBoard, u64) -> Result<T, Refusal> + Send + 'static,
) -> Result<Json<T>, Refusal> {
    let timeout = board.limits.timeout;
    let task = tokio::task::spawn_blocking(move || work(&board, now_ms()));
    match tokio::time::timeout(timeout, task).await {
        Ok(Ok(answer)) => answer.map(Json),
        Ok(Err(_)) => Err(Refusal::Internal),
        Err(_) => Err(Refusal::Timeout),
    }
}

async fn query(
    State(board): State<Arc<QueryBoard>>,
    Json(request): Json<QueryRequest>,
) -> Result<Json<QueryAnswer>, Refusal> {
    on_blocking_thread(board, move |board, now| board.answer(&request, now)).await
}

async fn info(State(board): State<Arc<QueryBoard>>) -> Json<WorkerQueryInfo> {
    Json(WorkerQueryInfo {
        worker: board.worker.clone(),
        encryption_key: board.encryption_key,
        chain_id: board.chain.as_str().to_string(),
    })
}

/// The server's routes.
pub fn router(board: Arc<QueryBoard>) -> Router {
    with_board(routes(), board)
}

/// `routes` with the body limit, on `board`.
fn with_board(routes: Router<Arc<QueryBoard>>, board: Arc<QueryBoard>) -> Router {
    routes
        .layer(DefaultBodyLimit::max(board.limits.max_body))
        .with_state(board)
}

/// The routes of a worker's query server, before the body limit and state.
fn routes() -> Router<Arc<QueryBoard>> {
    Router::new()
        .route("/v1/query", post(query))
        .route("/v1/session", post(session::open))
        .route("/v1/session/query", post(session::query))
        .route("/v1/info", get(info))
}

/// Serves queries on `listen` on a thread of its own (the worker's loop blocks) until the
/// process ends. Returns the address it bound.
pub fn serve(board: Arc<QueryBoard>, listen: SocketAddr) -> Result<SocketAddr, String> {
    serve_router(board, router, listen)
}

/// [`serve`] with the routes `make_router` gives.
fn serve_router(
    board: Arc<QueryBoard>,
    make_router: fn(Arc<QueryBoard>) -> Router,
    listen: SocketAddr,
) -> Result<SocketAddr, String> {
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| format!("query server cannot listen on {listen}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("query server address: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("query server socket: {e}"))?;
    std::thread::Builder::new()
        .name("query-server".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .max_blocking_threads(board.limits.max_in_flight.max(1))
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    warn!(error = %e, "query server runtime could not start");
                    return;
                }
            };
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        warn!(error = %e, "query server socket");
                        return;
                    }
                };
                if let Err(e) = axum::serve(listener, make_router(board)).await {
                    warn!(error = %e, "query server stopped");
                }
            });
        })
        .map_err(|e| format!("query server thread: {e}"))?;
    info!(address = %bound, "query server listening");
    Ok(bound)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
    use super::*;
    use commonware_cryptography::Signer as _;
    use phalanx_contracts::query::{AnswerKey, make_query, open_answer};
    use phalanx_crypto::hpke;

    pub(super) const CONTRACT: [u8; 32] = [5; 32];

    fn counter() -> Vec<u8> {
        let path = format!(
            "{}/../../contracts/wasm/counter.wasm",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(path).unwrap()
    }

    pub(super) fn chain() -> ChainId {
        ChainId::new("phalanx-test").unwrap()
    }

    /// A board with the counter (count 41) as [`CONTRACT`]: the board, its worker, its key.
    pub(super) fn board(limits: QueryLimits) -> (QueryBoard, AccountId, [u8; 32]) {
        let worker: AccountId = phalanx_crypto::dev_key("worker").public_key().into();
        let secret = [9u8; 32];
        let board = QueryBoard::new(chain(), worker.clone(), &secret, limits);
        let mut state = StateMap::new();
        state.insert(b"c".to_vec(), 41u64.to_le_bytes().to_vec());
        board.publish(
            CONTRACT,
            LiveContract {
                key: ContractKey::from_secret(CONTRACT, &[1; 32]),
                code: Arc::new(counter()),
                state: Arc::new(state),
                height: 7,
                time_ms: 7_000,
            },
        );
        (board, worker, hpke::public_key(&secret))
    }

    /// alice's query `input` of `contract` to `worker`, sealed to `key`, made at `at`.
    fn query_of(
        worker: &AccountId,
        key: &[u8; 32],
        contract: [u8; 32],
        at: u64,
        input: &[u8],
    ) -> (QueryRequest, AnswerKey) {
        make_query(
            &chain(),
            worker,
            key,
            &contract,
            &phalanx_crypto::dev_key("alice"),
            at,
            input,
        )
        .unwrap()
    }

    #[test]
    fn a_query_is_answered_sealed_and_every_bad_one_refused() {
        let (board, worker, key) = board(QueryLimits::default());
        let (q, answer_key) = query_of(&worker, &key, CONTRACT, 1_000_000, &[0]);
        let answer = board.answer(&q, 1_000_500).unwrap();
        assert_eq!(answer.height, 7);
        assert_eq!(
            open_answer(&answer_key, &chain(), &q, &answer.sealed).unwrap(),
            CommandOutcome::Output(41u64.to_le_bytes().to_vec())
        );
        assert_eq!(board.answer(&q, 1_000_600).err(), Some(Refusal::Replayed));
        let (stale, _) = query_of(&worker, &key, CONTRACT, 1_000_000, &[0]);
        assert_eq!(board.answer(&stale, 1_200_000).err(), Some(Refusal::Stale));
        let (mut forged, _) = query_of(&worker, &key, CONTRACT, 1_000_001, &[0]);
        forged.account = phalanx_crypto::dev_key("bob").public_key().into();
        assert_eq!(
            board.answer(&forged, 1_000_001).err(),
            Some(Refusal::BadSignature)
        );
        let other: AccountId = phalanx_crypto::dev_key("other").public_key().into();
        let (misaddressed, _) = query_of(&other, &key, CONTRACT, 1_000_002, &[0]);
        assert_eq!(
            board.answer(&misaddressed, 1_000_002).err(),
            Some(Refusal::OtherWorker)
        );
        let (wrong_key, _) = query_of(
            &worker,
            &hpke::public_key(&[8; 32]),
            CONTRACT,
            1_000_003,
            &[0],
        );
        assert_eq!(
            board.answer(&wrong_key, 1_000_003).err(),
            Some(Refusal::DoesNotOpen)
        );
        let (unknown, _) = query_of(&worker, &key, [6; 32], 1_000_004, &[0]);
        assert_eq!(
            board.answer(&unknown, 1_000_004).err(),
            Some(Refusal::UnknownContract)
        );
        // A query the contract refuses is an answer, sealed, not a refusal.
        let (bad_method, bad_key) = query_of(&worker, &key, CONTRACT, 1_000_005, &[9]);
        let answer = board.answer(&bad_method, 1_000_005).unwrap();
        assert_eq!(
            open_answer(&bad_key, &chain(), &bad_method, &answer.sealed).unwrap(),
            CommandOutcome::Failed("reverted: unknown tag".into())
        );
    }

    #[test]
    fn limits_per_account_overall_and_on_memory() {
        let limits = QueryLimits {
            max_in_flight: 2,
            per_account: 1,
            max_remembered: 1,
            ..QueryLimits::default()
        };
        let (board, _, _) = board(limits);
        let alice: AccountId = phalanx_crypto::dev_key("alice").public_key().into();
        let bob: AccountId = phalanx_crypto::dev_key("bob").public_key().into();
        let carol: AccountId = phalanx_crypto::dev_key("carol").public_key().into();
        board.enter(&alice).unwrap();
        assert_eq!(board.enter(&alice), Err(Refusal::AccountLimit));
        board.enter(&bob).unwrap();
        assert_eq!(board.enter(&carol), Err(Refusal::Busy));
        board.leave(&alice);
        board.enter(&carol).unwrap();
        // Replay memory: full of live entries is busy; expired ones make room.
        board.remember([1; 32], 0, 100).unwrap();
        assert_eq!(board.remember([2; 32], 50, 150), Err(Refusal::Busy));
        board.remember([2; 32], 101, 200).unwrap();
    }

    #[test]
    fn the_server_answers_over_http_on_loopback() {
        let (board, worker, key) = board(QueryLimits::default());
        let addr = serve(Arc::new(board), "127.0.0.1:0".parse().unwrap()).unwrap();
        let (q, answer_key) = query_of(&worker, &key, CONTRACT, now_ms(), &[0]);
        let client = reqwest::blocking::Client::new();
        let info: WorkerQueryInfo = client
            .get(format!("http://{addr}/v1/info"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!((info.worker, info.encryption_key), (worker, key));
        let answer: QueryAnswer = client
            .post(format!("http://{addr}/v1/query"))
            .json(&q)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(
            open_answer(&answer_key, &chain(), &q, &answer.sealed).unwrap(),
            CommandOutcome::Output(41u64.to_le_bytes().to_vec())
        );
        let replay = client
            .post(format!("http://{addr}/v1/query"))
            .json(&q)
            .send()
            .unwrap();
        assert_eq!(replay.status().as_u16(), 409);
        let garbage = client
            .post(format!("http://{addr}/v1/query"))
            .body(vec![b'{'; 100_000])
            .header("content-type", "application/json")
            .send()
            .unwrap();
        assert_eq!(garbage.status().as_u16(), 413);
    }
}
