//! `GET /proposals?offset=&limit=` and `GET /proposal/{id}`: governance proposals from
//! finalized state, with the tally so far, the quorum, and whether each would pass now.

use crate::{
    registry::read,
    server::{Shared, error, finalized_params},
};
use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use phalanx_client::{
    api::AmountView,
    gov::{
        MAX_PROPOSALS_PAGE, ProposalResponse, ProposalView, ProposalsQuery, ProposalsResponse,
        decode_params,
    },
};
use phalanx_runtime::governance::{self, Proposal};
use phalanx_types::{Amount, ProposalAction, format_pha};
use serde_json::{Value, json};

fn action_json(action: &ProposalAction) -> Value {
    match action {
        ProposalAction::SetParams { component, params } => match decode_params(component, params) {
            Ok(p) => json!({ "component": component, "params": p }),
            Err(e) => json!({ "component": component, "undecodable": e }),
        },
        ProposalAction::SetAttestationPolicy { policy } => json!({ "policy": policy }),
        ProposalAction::PromoteGatekeeper { worker }
        | ProposalAction::RemoveGatekeeper { worker } => json!({ "worker": worker }),
        ProposalAction::RotateMasterKey => json!({}),
        ProposalAction::TreasurySpend { to, amount } => json!({
            "to": to,
            "amount": { "base_units": amount.to_string(), "pha": format_pha(*amount) },
        }),
        ProposalAction::Signal { text } => json!({ "text": text }),
        ProposalAction::CreateCluster { members } => json!({ "members": members }),
    }
}

fn view(id: u64, p: Proposal, quorum: Amount) -> ProposalView {
    ProposalView {
        id,
        proposer: p.proposer.clone(),
        kind: p.action.kind().into(),
        action: action_json(&p.action),
        status: p.status,
        deposit: AmountView::from(p.deposit),
        created_ms: p.created_ms,
        ends_ms: p.ends_ms,
        enact_ms: p.enact_ms,
        yes: AmountView::from(p.yes),
        no: AmountView::from(p.no),
        abstain: AmountView::from(p.abstain),
        turnout: AmountView::from(p.turnout()),
        quorum: AmountView::from(quorum),
        voters: p.voters,
        passing: p.passes(quorum),
        outcome: p.outcome,
    }
}

async fn quorum(s: &Shared) -> Result<Amount, Response> {
    Ok(finalized_params(s).await?.governance.quorum)
}

/// `GET /proposals`.
pub async fn proposals(State(s): State<Shared>, Query(page): Query<ProposalsQuery>) -> Response {
    let quorum = match quorum(&s).await {
        Ok(q) => q,
        Err(r) => return r,
    };
    let head = s.index.head();
    let count: u64 = match read(&s, governance::state_key::next_id().into()).await {
        Ok(c) => c.unwrap_or(0),
        Err(r) => return r,
    };
    let limit = page.limit.clamp(1, MAX_PROPOSALS_PAGE);
    let end = page.offset.saturating_add(limit).min(count);
    let mut list = Vec::new();
    for id in page.offset..end {
        match read::<Proposal>(&s, governance::state_key::proposal(id).into()).await {
            Ok(Some(p)) => list.push(view(id, p, quorum)),
            Ok(None) => {}
            Err(r) => return r,
        }
    }
    Json(ProposalsResponse {
        finalized_height: head.height,
        block_time_ms: head.timestamp_ms,
        count,
        proposals: list,
    })
    .into_response()
}

/// `GET /proposal/{id}`.
pub async fn proposal(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return error(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("`{id}` is not a proposal id (a number)"),
        );
    };
    let quorum = match quorum(&s).await {
        Ok(q) => q,
        Err(r) => return r,
    };
    let head = s.index.head();
    match read::<Proposal>(&s, governance::state_key::proposal(id).into()).await {
        Ok(Some(p)) => Json(ProposalResponse {
            finalized_height: head.height,
            block_time_ms: head.timestamp_ms,
            proposal: view(id, p, quorum),
        })
        .into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "unknown_proposal",
            format!("no proposal {id}"),
        ),
        Err(r) => r,
    }
}
