//! `GET /treasury`: the treasury pot at the finalized head, and its income by source.

use crate::{registry::read, server::Shared};
use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Response},
};
use phalanx_client::api::{AmountView, TreasuryResponse};
use phalanx_runtime::{
    balances::{self, TREASURY},
    treasury::{self, Source},
};
use phalanx_types::Amount;
use std::collections::BTreeMap;

/// `GET /treasury`.
pub async fn treasury(State(s): State<Shared>) -> Response {
    let head = s.index.head();
    let balance: Amount = match read(&s, balances::state_key::pot(TREASURY.0).into()).await {
        Ok(v) => v.unwrap_or(0),
        Err(r) => return r,
    };
    let mut income = BTreeMap::new();
    for source in Source::ALL {
        match read::<Amount>(&s, treasury::state_key::income(source).into()).await {
            Ok(v) => {
                income.insert(source.name().to_string(), AmountView::from(v.unwrap_or(0)));
            }
            Err(r) => return r,
        }
    }
    let spent: Amount = match read(&s, treasury::state_key::spent().into()).await {
        Ok(v) => v.unwrap_or(0),
        Err(r) => return r,
    };
    Json(TreasuryResponse {
        finalized_height: head.height,
        balance: AmountView::from(balance),
        income,
        spent: AmountView::from(spent),
    })
    .into_response()
}
