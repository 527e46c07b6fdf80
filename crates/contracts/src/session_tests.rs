#![allow(clippy::unwrap_used)]
use super::*;

const CONTRACT: [u8; 32] = [7; 32];

fn chain() -> ChainId {
    ChainId::new("phalanx-test").unwrap()
}

fn worker() -> AccountId {
    ed25519::PrivateKey::from_seed(1).public_key().into()
}

/// A session alice opened with the worker of `seed`: the client's side and the worker's keys.
fn opened(seed: &[u8]) -> (ClientSession, SessionKeys, OpenSessionRequest) {
    let worker_pair = hpke::derive_key_pair(seed);
    let alice = ed25519::PrivateKey::from_seed(2);
    let (request, client_keys) =
        request_session(&chain(), &worker(), &worker_pair.public, &alice, 1_000).unwrap();
    let id = SessionId([3; 16]);
    let worker_keys = accept_session(&worker_pair.secret, &request, &id).unwrap();
    let opened = SessionOpened {
        session: id,
        expires_ms: 600_000,
        confirmation: worker_keys
            .confirmation(&chain(), &worker(), &id, 600_000)
            .unwrap(),
    };
    let session = ClientSession::new(&chain(), worker(), client_keys, &opened).unwrap();
    (session, worker_keys, request)
}

const SEED: &[u8] = b"the worker's encryption key seed";

#[test]
fn a_session_query_round_trips_and_each_counter_is_fresh() {
    let (session, worker_keys, request) = opened(SEED);
    assert!(request.verify(&chain()));
    assert!(!request.verify(&ChainId::new("phalanx-other").unwrap()));
    let mut forged = request.clone();
    forged.timestamp_ms += 1;
    assert!(!forged.verify(&chain()), "the time is signed");
    let first = session.make_query(&chain(), &CONTRACT, b"get").unwrap();
    let second = session.make_query(&chain(), &CONTRACT, b"get").unwrap();
    assert_eq!((first.counter, second.counter), (0, 1));
    assert_ne!(first.sealed, second.sealed, "each counter is its own nonce");
    let input = worker_keys.open_query(&chain(), &worker(), &first).unwrap();
    assert_eq!(input.as_slice(), b"get");
    let outcome = CommandOutcome::Output(b"42".to_vec());
    let answer = worker_keys
        .seal_answer(&chain(), &worker(), &first, 9, 100, &outcome)
        .unwrap();
    assert_eq!(session.open_answer(&chain(), &first, &answer), Ok(outcome));
    // The height and fuel are bound; the answer belongs to its own counter.
    let mut lied = answer.clone();
    lied.height = 10;
    assert_eq!(
        session.open_answer(&chain(), &first, &lied),
        Err(SealError::Open)
    );
    assert_eq!(
        session.open_answer(&chain(), &second, &answer),
        Err(SealError::Open)
    );
    // JSON round trip, as it travels.
    let json = serde_json::to_string(&first).unwrap();
    assert_eq!(serde_json::from_str::<SessionQuery>(&json).unwrap(), first);
}

#[test]
fn a_changed_query_does_not_open() {
    let (session, worker_keys, _) = opened(SEED);
    let query = session.make_query(&chain(), &CONTRACT, b"get").unwrap();
    let mut tampered = query.clone();
    tampered.sealed[0] ^= 1;
    let mut recounted = query.clone();
    recounted.counter = 5;
    let mut other_contract = query.clone();
    other_contract.contract = [8; 32];
    let mut other_session = query.clone();
    other_session.session = SessionId([4; 16]);
    for changed in [tampered, recounted, other_contract, other_session] {
        assert_eq!(
            worker_keys.open_query(&chain(), &worker(), &changed).err(),
            Some(SealError::Open)
        );
    }
    let other_worker: AccountId = ed25519::PrivateKey::from_seed(9).public_key().into();
    assert_eq!(
        worker_keys
            .open_query(&chain(), &other_worker, &query)
            .err(),
        Some(SealError::Open)
    );
    let mut beyond = query;
    beyond.counter = MAX_COUNTER + 1;
    assert_eq!(
        worker_keys.open_query(&chain(), &worker(), &beyond).err(),
        Some(SealError::CounterExhausted)
    );
}

#[test]
fn the_directions_have_their_own_keys() {
    let (session, worker_keys, _) = opened(SEED);
    let query = session.make_query(&chain(), &CONTRACT, b"get").unwrap();
    // A query sealed with the worker→client key, everything else right, does not open.
    let aad = message_aad(&chain(), Message::Query, &worker(), &query);
    let mut wrong_key = query.clone();
    wrong_key.sealed = worker_keys
        .seal(Message::Answer, query.counter, &aad, b"get")
        .unwrap();
    assert_eq!(
        worker_keys
            .open_query(&chain(), &worker(), &wrong_key)
            .err(),
        Some(SealError::Open)
    );
    // A query reflected back as its own answer does not open either.
    let reflected = SessionAnswer {
        height: 0,
        fuel_used: 0,
        sealed: query.sealed.clone(),
    };
    assert_eq!(
        session.open_answer(&chain(), &query, &reflected),
        Err(SealError::Open)
    );
}

#[test]
fn another_workers_session_and_a_forged_confirmation_are_refused() {
    let (session, _, request) = opened(SEED);
    // The same request taken to another worker: its keys are not the session's.
    let other = hpke::derive_key_pair(b"another worker's key seed.......");
    let other_keys = accept_session(&other.secret, &request, &SessionId([3; 16])).unwrap();
    let query = session.make_query(&chain(), &CONTRACT, b"get").unwrap();
    assert_eq!(
        other_keys.open_query(&chain(), &worker(), &query).err(),
        Some(SealError::Open)
    );
    // A session id and expiry confirmed by anyone but the worker are refused.
    let worker_pair = hpke::derive_key_pair(SEED);
    let alice = ed25519::PrivateKey::from_seed(2);
    let (_, client_keys) =
        request_session(&chain(), &worker(), &worker_pair.public, &alice, 1_000).unwrap();
    let id = SessionId([3; 16]);
    let forged = SessionOpened {
        session: id,
        expires_ms: 600_000,
        confirmation: other_keys
            .confirmation(&chain(), &worker(), &id, 600_000)
            .unwrap(),
    };
    assert_eq!(
        ClientSession::new(&chain(), worker(), client_keys, &forged).err(),
        Some(SealError::Open)
    );
}

#[test]
fn an_opening_accepted_twice_gives_sessions_with_different_keys() {
    // A replay the worker's memory lost (a restart inside the time window): the worker draws
    // a new id, and the keys bound to it are not the first session's.
    let (session, first_keys, request) = opened(SEED);
    let worker_pair = hpke::derive_key_pair(SEED);
    let replayed_keys = accept_session(&worker_pair.secret, &request, &SessionId([4; 16])).unwrap();
    let query = session.make_query(&chain(), &CONTRACT, b"get").unwrap();
    assert!(first_keys.open_query(&chain(), &worker(), &query).is_ok());
    assert_eq!(
        replayed_keys.open_query(&chain(), &worker(), &query).err(),
        Some(SealError::Open)
    );
    // Its confirmation is sealed with its own key: the first session's does not open it.
    assert_ne!(
        replayed_keys
            .confirmation(&chain(), &worker(), &SessionId([4; 16]), 600_000)
            .unwrap(),
        first_keys
            .confirmation(&chain(), &worker(), &SessionId([4; 16]), 600_000)
            .unwrap()
    );
}
