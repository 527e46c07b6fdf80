//! `GET /tokenomics`: the emission schedule's state at the finalized head: the current period
//! and rate, what has been emitted (and what the closed form says should have been, at the
//! head's block time), the reserve and the pots, and the parameters.

use crate::{
    registry::read,
    server::{Shared, error},
};
use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use phalanx_client::api::{AmountView, TokenomicsResponse};
use phalanx_runtime::{
    balances::{self, MINING_RESERVE, MINING_REWARDS, Pot, TREASURY},
    tokenomics::{self, schedule},
};
use phalanx_types::Amount;
use std::collections::BTreeMap;

fn amount(v: Amount) -> AmountView {
    AmountView::from(v)
}

/// `GET /tokenomics`.
pub async fn tokenomics(State(s): State<Shared>) -> Response {
    let params = match crate::server::finalized_params(&s).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let start: u64 = match read(&s, tokenomics::state_key::start().into()).await {
        Ok(Some(v)) => v,
        Ok(None) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "corrupt",
                "emission start missing",
            );
        }
        Err(r) => return r,
    };
    let emitted: Amount = match read(&s, tokenomics::state_key::emitted().into()).await {
        Ok(v) => v.unwrap_or(0),
        Err(r) => return r,
    };
    let mut pots = BTreeMap::new();
    for pot in [MINING_RESERVE, MINING_REWARDS, TREASURY] {
        let Pot(name) = pot;
        match read::<Amount>(&s, balances::state_key::pot(name).into()).await {
            Ok(v) => {
                pots.insert(name.to_string(), amount(v.unwrap_or(0)));
            }
            Err(r) => return r,
        }
    }
    let head = s.index.head();
    let p = &params.tokenomics;
    let elapsed = head.timestamp_ms.saturating_sub(start);
    Json(TokenomicsResponse {
        finalized_height: head.height,
        block_time_ms: head.timestamp_ms,
        genesis_time_ms: start,
        elapsed_ms: elapsed,
        period: schedule::period(p, elapsed),
        daily_rate: amount(schedule::daily_rate(p, elapsed)),
        emitted: amount(emitted),
        schedule_at_head: amount(schedule::cumulative(p, elapsed)),
        // What the schedule approaches and never reaches.
        limit: amount(schedule::supremum(p)),
        pots,
        params: p.clone(),
    })
    .into_response()
}
