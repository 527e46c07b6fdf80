//! The unencrypted query `phalanx bench queries` compares the encrypted ones with: the same
//! server, HTTP stack, JSON, contract lookup, in-flight limits, blocking thread, timeout and
//! wasm run, with no key agreement, signature or sealing. It reads as any account it is told,
//! in plaintext, so it is mounted only by [`serve_with_unencrypted_route_for_benchmark`]; a
//! worker's query server ([`super::serve`], [`super::router`]) has no such route.

use super::{QueryBoard, Refusal, on_blocking_thread, routes, serve_router, with_board};
use axum::{Json, Router, extract::State, routing::post};
use phalanx_types::AccountId;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;

/// Where the benchmark's server takes unencrypted queries.
pub const UNENCRYPTED_ROUTE: &str = "/bench/unencrypted-query";

/// A query in plaintext: what a session query carries, opened.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnencryptedQuery {
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub contract: [u8; 32],
    pub account: AccountId,
    #[serde(with = "phalanx_types::hex_serde::bytes")]
    pub input: Vec<u8>,
}

/// Its answer: the outcome's bytes as a sealed answer would carry them, not sealed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnencryptedAnswer {
    pub height: u64,
    pub fuel_used: u64,
    #[serde(with = "phalanx_types::hex_serde::bytes")]
    pub outcome: Vec<u8>,
}

impl QueryBoard {
    fn answer_unencrypted(&self, query: &UnencryptedQuery) -> Result<UnencryptedAnswer, Refusal> {
        let Some(contract) = self.contract(&query.contract) else {
            return Err(Refusal::UnknownContract);
        };
        let (outcome, fuel_used) =
            self.run_limited(&contract, query.contract, &query.account, &query.input)?;
        Ok(UnencryptedAnswer {
            height: contract.height,
            fuel_used,
            outcome: outcome.to_plaintext().to_vec(),
        })
    }
}

async fn unencrypted(
    State(board): State<Arc<QueryBoard>>,
    Json(query): Json<UnencryptedQuery>,
) -> Result<Json<UnencryptedAnswer>, Refusal> {
    on_blocking_thread(board, move |board, _| board.answer_unencrypted(&query)).await
}

fn router_with_unencrypted_route(board: Arc<QueryBoard>) -> Router {
    with_board(routes().route(UNENCRYPTED_ROUTE, post(unencrypted)), board)
}

/// [`super::serve`] plus [`UNENCRYPTED_ROUTE`]: for the benchmark only, never a worker.
pub fn serve_with_unencrypted_route_for_benchmark(
    board: Arc<QueryBoard>,
    listen: SocketAddr,
) -> Result<SocketAddr, String> {
    serve_router(board, router_with_unencrypted_route, listen)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a test failure
    use super::super::QueryLimits;
    use super::super::tests::{CONTRACT, board};
    use super::*;
    use commonware_cryptography::Signer as _;

    #[test]
    fn the_benchmarks_server_answers_in_plaintext() {
        let (board, _, _) = board(QueryLimits::default());
        let addr = serve_with_unencrypted_route_for_benchmark(
            Arc::new(board),
            "127.0.0.1:0".parse().unwrap(),
        )
        .unwrap();
        let query = UnencryptedQuery {
            contract: CONTRACT,
            account: phalanx_crypto::dev_key("alice").public_key().into(),
            input: vec![0],
        };
        let answer: UnencryptedAnswer = reqwest::blocking::Client::new()
            .post(format!("http://{addr}{UNENCRYPTED_ROUTE}"))
            .json(&query)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let mut expected = vec![0];
        expected.extend_from_slice(&41u64.to_le_bytes());
        assert_eq!((answer.height, answer.outcome), (7, expected));
    }
}
