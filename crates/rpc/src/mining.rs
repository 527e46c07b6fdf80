//! `GET /mining` (the network: live sessions, Σshare, emission, pots, the newest beacon seed,
//! the parameters) and `GET /mining/{worker}` (a worker's benchmark and session, with V and
//! its share brought forward to the finalized head's block time by the chain's own code, and
//! the projected daily reward). Read from finalized state.

use crate::{
    registry::read,
    server::{Shared, error},
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use phalanx_client::api::{
    AmountView, BenchmarkView, MiningResponse, MiningWorkerResponse, SeedView, SessionView,
};
use phalanx_runtime::{
    balances::{self, MINING_REWARDS, Pot, pots::MINING_STAKE},
    beacon::{self, PublishedSeed},
    computation::{
        self, BenchmarkRecord, Session, SessionState,
        challenge::Stats,
        estimate,
        rewards::{self, RewardPool},
    },
    tokenomics::{self, schedule},
};
use phalanx_types::{AccountId, Amount};

/// What both endpoints need: the head's time, the params, Σshare and the day's emission.
struct Network {
    height: u64,
    time_ms: u64,
    params: phalanx_runtime::Params,
    pool: RewardPool,
    daily_emission: Amount,
}

async fn network(s: &Shared) -> Result<Network, Response> {
    let params = crate::server::finalized_params(s).await?;
    let head = s.index.head();
    let start: u64 = read(s, tokenomics::state_key::start().into())
        .await?
        .unwrap_or(0);
    let pool: RewardPool = read(s, computation::state_key::rewards().into())
        .await?
        .unwrap_or_default();
    let elapsed = head.timestamp_ms.saturating_sub(start);
    let daily_emission = schedule::daily_rate(&params.tokenomics, elapsed);
    Ok(Network {
        height: head.height,
        time_ms: head.timestamp_ms,
        params,
        pool,
        daily_emission,
    })
}

async fn pot(s: &Shared, pot: Pot) -> Result<AmountView, Response> {
    let Pot(name) = pot;
    let units: Option<Amount> = read(s, balances::state_key::pot(name).into()).await?;
    Ok(AmountView::from(units.unwrap_or(0)))
}

/// `GET /mining`.
pub async fn mining(State(s): State<Shared>) -> Response {
    match mining_inner(&s).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

async fn mining_inner(s: &Shared) -> Result<MiningResponse, Response> {
    let n = network(s).await?;
    let stats: Stats = read(s, computation::state_key::stats().into())
        .await?
        .unwrap_or_default();
    let seed: Option<PublishedSeed> = read(s, beacon::state_key::latest().into()).await?;
    Ok(MiningResponse {
        finalized_height: n.height,
        block_time_ms: n.time_ms,
        live_sessions: stats.live,
        total_share: n.pool.total_share,
        daily_emission: AmountView::from(n.daily_emission),
        rewards_pot: pot(s, MINING_REWARDS).await?,
        stake_pot: pot(s, MINING_STAKE).await?,
        beacon: seed.map(|seed| SeedView {
            round: seed.round,
            seed: seed.seed.to_vec(),
        }),
        params: n.params.computation,
        beacon_params: n.params.beacon,
    })
}

/// `GET /mining/{worker}`.
pub async fn mining_worker(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    let worker = match AccountId::from_hex(&id) {
        Ok(id) => id,
        Err(e) => return error(StatusCode::BAD_REQUEST, "malformed", e),
    };
    match worker_inner(&s, worker).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

async fn worker_inner(s: &Shared, worker: AccountId) -> Result<MiningWorkerResponse, Response> {
    let n = network(s).await?;
    let bench: Option<BenchmarkRecord> =
        read(s, computation::state_key::benchmark(&worker).into()).await?;
    let session: Option<Session> = read(s, computation::state_key::session(&worker).into()).await?;
    let session = match session {
        Some(session) => Some(session_view(&n, session).map_err(|what| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "corrupt",
                format!("the session's {what} left the fixed-point range"),
            )
        })?),
        None => None,
    };
    Ok(MiningWorkerResponse {
        worker,
        finalized_height: n.height,
        block_time_ms: n.time_ms,
        benchmark: bench.map(|b| BenchmarkView {
            p: b.p,
            iterations: b.iterations,
            reported_ms: b.reported_ms,
        }),
        session,
    })
}

/// The session as of the head; `Err` names the number that left the fixed-point range.
fn session_view(n: &Network, stored: Session) -> Result<SessionView, &'static str> {
    let params = &n.params.computation;
    let mut now = stored.clone();
    now.settle(params, n.time_ms).map_err(|_| "V")?;
    let share = now.current_share(params).map_err(|_| "share")?;
    let mining = stored.state == SessionState::Mining;
    let counted = if mining {
        stored.share
    } else {
        Default::default()
    };
    let accrued = if mining {
        rewards::accrued(stored.share, stored.acc_at, n.pool.acc)
    } else {
        0
    };
    let projected = estimate::daily_reward(params, counted, n.pool.total_share, n.daily_emission);
    let cooling = stored.state == SessionState::CoolingDown;
    Ok(SessionView {
        owner: stored.owner.clone(),
        state: stored.state,
        stake: AmountView::from(stored.stake),
        initial_value: stored.initial_value,
        v: now.value.v,
        p_bench: stored.bench.p_bench,
        p_instant: stored.bench.p_instant,
        confidence: stored.confidence,
        share,
        counted_share: counted,
        started_ms: stored.started_ms,
        last_challenge_answered_ms: stored.bench.challenge_time_last_ms,
        owed_round: stored.owed_round,
        owed_since_ms: stored.owed_round.map(|_| stored.owed_since_ms),
        cool_down_since_ms: cooling.then_some(stored.cool_down_since_ms),
        reclaimable_at_ms: cooling.then(|| {
            stored
                .cool_down_since_ms
                .saturating_add(params.cool_down_ms)
        }),
        returned_stake: AmountView::from(now.returned_stake()),
        rewards: AmountView::from(stored.rewards),
        accrued: AmountView::from(accrued),
        projected_daily: AmountView::from(projected),
        paid_height: stored.paid_height,
    })
}
