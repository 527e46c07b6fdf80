#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
use super::super::tests::{CONTRACT, board, chain};
use super::super::{QueryLimits, Refusal, serve};
use super::*;
use commonware_cryptography::Signer as _;
use phalanx_contracts::sealed::CommandOutcome;
use phalanx_contracts::session::{ClientSession, request_session};
use phalanx_types::AccountId;
use std::time::Duration;

/// alice's session with `board`'s worker, opened at `now`.
fn open(board: &QueryBoard, worker: &AccountId, key: &[u8; 32], now: u64) -> ClientSession {
    let (request, keys) = request_session(
        &chain(),
        worker,
        key,
        &phalanx_crypto::dev_key("alice"),
        now,
    )
    .unwrap();
    let opened = board.open_session(&request, now).unwrap();
    ClientSession::new(&chain(), worker.clone(), keys, &opened).unwrap()
}

fn count() -> CommandOutcome {
    CommandOutcome::Output(41u64.to_le_bytes().to_vec())
}

#[test]
fn a_session_answers_each_counter_once_until_it_expires() {
    let limits = QueryLimits {
        session_lifetime: Duration::from_secs(60),
        ..QueryLimits::default()
    };
    let (board, worker, key) = board(limits);
    let session = open(&board, &worker, &key, 1_000_000);
    let first = session.make_query(&chain(), &CONTRACT, &[0]).unwrap();
    let second = session.make_query(&chain(), &CONTRACT, &[0]).unwrap();
    // Out of order, as concurrent queries arrive.
    let answer = board.answer_in_session(&second, 1_000_100).unwrap();
    assert_eq!(answer.height, 7);
    assert_eq!(session.open_answer(&chain(), &second, &answer), Ok(count()));
    let answer = board.answer_in_session(&first, 1_000_200).unwrap();
    assert_eq!(session.open_answer(&chain(), &first, &answer), Ok(count()));
    assert_eq!(
        board.answer_in_session(&first, 1_000_300).err(),
        Some(Refusal::Replayed)
    );
    // A changed query does not open, and does not use its counter up.
    let third = session.make_query(&chain(), &CONTRACT, &[0]).unwrap();
    let mut tampered = third.clone();
    tampered.sealed[0] ^= 1;
    assert_eq!(
        board.answer_in_session(&tampered, 1_000_400).err(),
        Some(Refusal::DoesNotOpen)
    );
    board.answer_in_session(&third, 1_000_400).unwrap();
    let mut unknown = session.make_query(&chain(), &CONTRACT, &[0]).unwrap();
    unknown.session.0[0] ^= 1;
    assert_eq!(
        board.answer_in_session(&unknown, 1_000_500).err(),
        Some(Refusal::UnknownSession)
    );
    let late = session.make_query(&chain(), &CONTRACT, &[0]).unwrap();
    assert_eq!(
        board.answer_in_session(&late, 1_060_000).err(),
        Some(Refusal::SessionExpired)
    );
    assert_eq!(
        board.answer_in_session(&late, 1_060_001).err(),
        Some(Refusal::UnknownSession),
        "an expired session is forgotten"
    );
}

#[test]
fn opening_is_checked_like_a_query() {
    let (board, worker, key) = board(QueryLimits::default());
    let alice = phalanx_crypto::dev_key("alice");
    let (request, _) = request_session(&chain(), &worker, &key, &alice, 1_000_000).unwrap();
    board.open_session(&request, 1_000_000).unwrap();
    assert_eq!(
        board.open_session(&request, 1_000_001).err(),
        Some(Refusal::Replayed)
    );
    let (stale, _) = request_session(&chain(), &worker, &key, &alice, 1_000_000).unwrap();
    assert_eq!(
        board.open_session(&stale, 1_200_000).err(),
        Some(Refusal::Stale)
    );
    let (mut forged, _) = request_session(&chain(), &worker, &key, &alice, 1_000_000).unwrap();
    forged.account = phalanx_crypto::dev_key("bob").public_key().into();
    assert_eq!(
        board.open_session(&forged, 1_000_000).err(),
        Some(Refusal::BadSignature)
    );
    let other: AccountId = phalanx_crypto::dev_key("other").public_key().into();
    let (misaddressed, _) = request_session(&chain(), &other, &key, &alice, 1_000_000).unwrap();
    assert_eq!(
        board.open_session(&misaddressed, 1_000_000).err(),
        Some(Refusal::OtherWorker)
    );
    // A session opened with another worker's key: its queries do not open here.
    let other_key = phalanx_crypto::hpke::public_key(&[8; 32]);
    let (wrong, keys) = request_session(&chain(), &worker, &other_key, &alice, 1_000_000).unwrap();
    let opened = board.open_session(&wrong, 1_000_000).unwrap();
    assert!(
        ClientSession::new(&chain(), worker.clone(), keys, &opened).is_err(),
        "its confirmation does not open for the client"
    );
}

#[test]
fn sessions_over_http_and_no_unencrypted_route_on_a_worker() {
    let (board, worker, key) = board(QueryLimits::default());
    let addr = serve(Arc::new(board), "127.0.0.1:0".parse().unwrap()).unwrap();
    let client = reqwest::blocking::Client::new();
    let alice = phalanx_crypto::dev_key("alice");
    let (request, keys) = request_session(
        &chain(),
        &worker,
        &key,
        &alice,
        phalanx_contracts::query::now_ms(),
    )
    .unwrap();
    let opened: SessionOpened = client
        .post(format!("http://{addr}/v1/session"))
        .json(&request)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let session = ClientSession::new(&chain(), worker, keys, &opened).unwrap();
    let query = session.make_query(&chain(), &CONTRACT, &[0]).unwrap();
    let post = |query: &SessionQuery| {
        client
            .post(format!("http://{addr}/v1/session/query"))
            .json(query)
            .send()
            .unwrap()
    };
    let answer: SessionAnswer = post(&query).json().unwrap();
    assert_eq!(session.open_answer(&chain(), &query, &answer), Ok(count()));
    let replay = post(&query);
    assert_eq!(replay.status().as_u16(), 409);
    let body: phalanx_client::api::ErrorBody = replay.json().unwrap();
    assert_eq!(body.error.code, "replayed");
    let mut unknown = session.make_query(&chain(), &CONTRACT, &[0]).unwrap();
    unknown.session.0[0] ^= 1;
    let refused = post(&unknown);
    assert_eq!(refused.status().as_u16(), 404);
    let body: phalanx_client::api::ErrorBody = refused.json().unwrap();
    assert_eq!(body.error.code, "unknown_session");
    // The benchmark's plaintext route is not a worker's.
    let plaintext = client
        .post(format!(
            "http://{addr}{}",
            super::super::bench_route::UNENCRYPTED_ROUTE
        ))
        .json(&serde_json::json!({
            "contract": hex::encode(CONTRACT),
            "account": AccountId::from(alice.public_key()),
            "input": "00",
        }))
        .send()
        .unwrap();
    assert_eq!(plaintext.status().as_u16(), 404);
}
