//! `GET /pools?offset=&limit=` (a page of pools: their ledgers and price) and
//! `GET /pool/{id}?delegator=ACCOUNT` (one pool with its workers' sessions, its withdrawal queue
//! with each request's worst-case payment time, and a delegator's position). Read from
//! finalized state; the views are built by pure functions below, tested here.

use crate::{
    registry::read,
    server::{Shared, error},
};
use axum::{
    Json,
    extract::{
        Path, Query, State,
        rejection::{PathRejection, QueryRejection},
    },
    http::StatusCode,
    response::{IntoResponse, Response},
};
use phalanx_client::api::{
    AmountView, MAX_POOLS_PAGE, PoolQuery, PoolResponse, PoolView, PoolWorkerState, PoolWorkerView,
    PoolsQuery, PoolsResponse, PositionView, QueuedWithdrawalView, SignedAmountView,
};
use phalanx_runtime::{
    computation::{self, Session, SessionState},
    stakepool::{self, Pool, Position, ledger::mul_div},
};
use phalanx_types::{AccountId, UNITS_PER_PHA};

/// `GET /pools?offset=&limit=`.
pub async fn pools(
    State(s): State<Shared>,
    page: Result<Query<PoolsQuery>, QueryRejection>,
) -> Response {
    let Query(page) = match page {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, "malformed", e.body_text()),
    };
    let limit = page.limit.clamp(1, MAX_POOLS_PAGE);
    let count: u64 = match read(&s, stakepool::state_key::next_id().into()).await {
        Ok(c) => c.unwrap_or(0),
        Err(r) => return r,
    };
    let end = page.offset.saturating_add(limit).min(count);
    let mut list = Vec::new();
    for id in page.offset..end {
        match read::<Pool>(&s, stakepool::state_key::pool(id).into()).await {
            Ok(Some(pool)) => list.push(pool_view(id, &pool)),
            Ok(None) => {}
            Err(r) => return r,
        }
    }
    Json(PoolsResponse {
        finalized_height: s.index.head().height,
        count,
        offset: page.offset,
        pools: list,
    })
    .into_response()
}

/// `GET /pool/{id}?delegator=ACCOUNT`.
pub async fn pool(
    State(s): State<Shared>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<PoolQuery>, QueryRejection>,
) -> Response {
    let id = match id {
        Ok(Path(id)) => match id.parse::<u64>() {
            Ok(id) => id,
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    "a pool id is a number",
                );
            }
        },
        Err(e) => return error(StatusCode::BAD_REQUEST, "malformed", e.body_text()),
    };
    let delegator = match query {
        Ok(Query(PoolQuery { delegator: None })) => None,
        Ok(Query(PoolQuery { delegator: Some(d) })) => match AccountId::from_hex(d.trim()) {
            Ok(d) => Some(d),
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    format!("delegator: {e}"),
                );
            }
        },
        Err(e) => return error(StatusCode::BAD_REQUEST, "malformed", e.body_text()),
    };
    match pool_inner(&s, id, delegator).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

async fn pool_inner(
    s: &Shared,
    id: u64,
    delegator: Option<AccountId>,
) -> Result<PoolResponse, Response> {
    let params = crate::server::finalized_params(s).await?;
    let head = s.index.head();
    let Some(found) = read::<Pool>(s, stakepool::state_key::pool(id).into()).await? else {
        return Err(error(
            StatusCode::NOT_FOUND,
            "unknown_pool",
            format!("no pool has id {id}"),
        ));
    };
    let cool_down_ms = params.computation.cool_down_ms;
    let mut workers = Vec::with_capacity(found.workers.len());
    for worker in &found.workers {
        let session: Option<Session> =
            read(s, computation::state_key::session(worker).into()).await?;
        workers.push(worker_view(worker, session.as_ref(), cool_down_ms));
    }
    // A stop already made frees its stake at its reclaim time, which may be later than the
    // formula's (the stop came after the grace ended).
    let reclaims_at = workers.iter().filter_map(|w| w.reclaimable_at_ms).max();
    let position = match delegator {
        Some(d) => {
            let stored: Option<Position> =
                read(s, stakepool::state_key::position(id, &d).into()).await?;
            Some(position_view(&found, d, stored.unwrap_or_default()))
        }
        None => None,
    };
    Ok(PoolResponse {
        finalized_height: head.height,
        block_time_ms: head.timestamp_ms,
        pool: pool_view(id, &found),
        withdrawal_grace_ms: params.stakepool.withdrawal_grace_ms,
        cool_down_ms,
        workers,
        queue: queue_view(
            &found,
            params.stakepool.withdrawal_grace_ms,
            cool_down_ms,
            reclaims_at,
        ),
        position,
    })
}

/// `value / shares` PHA per share, rounded down to 12 decimals; `"1"` without shares (the
/// price a pool's first contribution buys at).
pub fn price_text(value: u128, shares: u128) -> String {
    if shares == 0 {
        return "1".to_string();
    }
    // Whole part, then the remainder's 12 decimals: rem < shares, so rem·10¹² / shares < 10¹².
    let whole = value / shares;
    let frac = mul_div(value % shares, UNITS_PER_PHA, shares).unwrap_or(0);
    format!("{whole}.{frac:012}")
}

/// A pool as `GET /pools` lists it.
pub fn pool_view(id: u64, pool: &Pool) -> PoolView {
    let l = &pool.ledger;
    PoolView {
        id,
        owner: pool.owner.clone(),
        commission_ppm: l.commission_ppm,
        cap: l.cap.map(AmountView::from),
        value: l.value().into(),
        free: l.free.into(),
        locked: l.locked.into(),
        commission: l.commission.into(),
        total_shares: l.total_shares,
        price: price_text(l.value(), l.total_shares),
        worker_count: pool.workers.len() as u64,
        queue_len: l.queue.len() as u64,
        rewards: pool.rewards.into(),
        created_ms: pool.created_ms,
        bankrupt: l.is_bankrupt(),
    }
}

/// A pool worker and its session.
pub fn worker_view(
    worker: &AccountId,
    session: Option<&Session>,
    cool_down_ms: u64,
) -> PoolWorkerView {
    PoolWorkerView {
        worker: worker.clone(),
        state: PoolWorkerState::from(session.map(|s| s.state)),
        session_owner: session.map(|s| s.owner.clone()),
        stake: session.map(|s| s.stake.into()),
        reclaimable_at_ms: session
            .filter(|s| s.state == SessionState::CoolingDown)
            .map(|s| s.cool_down_since_ms.saturating_add(cool_down_ms)),
    }
}

/// The queue in payment order, each request's worth now and its worst-case payment time.
/// Each queued request with the time it is paid at worst: the grace period from the request,
/// then the cool-down of the stop anyone may then send, or the reclaim time of a stop already
/// made if that is later. (It assumes someone sends the stop and the reclaim when they
/// become possible, and it moves if governance changes the grace or the cool-down.)
pub fn queue_view(
    pool: &Pool,
    grace_ms: u64,
    cool_down_ms: u64,
    reclaims_at: Option<u64>,
) -> Vec<QueuedWithdrawalView> {
    pool.ledger
        .queue
        .iter()
        .map(|w| QueuedWithdrawalView {
            delegator: w.delegator.clone(),
            shares: w.shares,
            worth: pool.ledger.worth(w.shares).into(),
            requested_ms: w.requested_ms,
            paid_by_ms: w
                .requested_ms
                .saturating_add(grace_ms)
                .saturating_add(cool_down_ms)
                .max(reclaims_at.unwrap_or(0)),
        })
        .collect()
}

/// A delegator's position: its shares' worth now and what it gained or lost so far.
pub fn position_view(pool: &Pool, delegator: AccountId, p: Position) -> PositionView {
    let worth = pool.ledger.worth(p.shares);
    PositionView {
        queued_shares: pool.ledger.queued(&delegator),
        delegator,
        shares: p.shares,
        worth: worth.into(),
        contributed: p.contributed.into(),
        withdrawn: p.withdrawn.into(),
        rewards_so_far: SignedAmountView::difference(
            worth.saturating_add(p.withdrawn),
            p.contributed,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_cryptography::{Signer, ed25519::PrivateKey};
    use phalanx_runtime::stakepool::ledger::{Ledger, Withdrawal};

    const PHA: u128 = UNITS_PER_PHA;

    fn account(seed: u64) -> AccountId {
        AccountId::from(PrivateKey::from_seed(seed).public_key())
    }

    fn pool_with(ledger: Ledger) -> Pool {
        Pool {
            owner: account(0),
            ledger,
            workers: vec![account(10), account(11)],
            created_ms: 7,
            rewards: 3 * PHA,
        }
    }

    #[test]
    fn the_price_has_twelve_decimals_rounded_down_and_is_one_without_shares() {
        assert_eq!(price_text(0, 0), "1");
        assert_eq!(price_text(5 * PHA, 0), "1");
        assert_eq!(price_text(5 * PHA, 5 * PHA), "1.000000000000");
        assert_eq!(price_text(3, 2), "1.500000000000");
        assert_eq!(price_text(1, 3), "0.333333333333");
        assert_eq!(price_text(2, 3), "0.666666666666");
        assert_eq!(price_text(0, 3), "0.000000000000");
        // No overflow at the ends of the range.
        assert_eq!(
            price_text(u128::MAX, 1),
            format!("{}.000000000000", u128::MAX)
        );
        assert_eq!(price_text(u128::MAX - 1, u128::MAX), "0.999999999999");
    }

    #[test]
    fn a_pool_view_shows_its_ledger() {
        let mut ledger = Ledger::new(100_000, Some(50_000 * PHA));
        ledger.contribute(20_000 * PHA).unwrap();
        ledger.stake(10_000 * PHA).unwrap();
        ledger.reward(1_000 * PHA);
        let v = pool_view(4, &pool_with(ledger));
        assert_eq!(v.id, 4);
        assert_eq!(v.commission_ppm, 100_000);
        assert_eq!(v.cap, Some(AmountView::from(50_000 * PHA)));
        assert_eq!(v.free.base_units, 10_900 * PHA);
        assert_eq!(v.locked.base_units, 10_000 * PHA);
        assert_eq!(v.value.base_units, 20_900 * PHA);
        assert_eq!(v.commission.base_units, 100 * PHA);
        assert_eq!(v.total_shares, 20_000 * PHA);
        assert_eq!(v.price, "1.045000000000");
        assert_eq!((v.worker_count, v.queue_len), (2, 0));
        assert!(!v.bankrupt);
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["total_shares"], (20_000 * PHA).to_string());
        assert_eq!(json["free"]["pha"], "10900");
    }

    #[test]
    fn the_queue_shows_worth_and_the_worst_case_and_the_position_its_gain_or_loss() {
        let bob = account(1);
        let mut ledger = Ledger::new(0, None);
        ledger.contribute(100 * PHA).unwrap();
        ledger.stake(80 * PHA).unwrap();
        // 50 shares asked: 20 paid from free stake, the rest queued.
        let paid = ledger.withdraw(&bob, 100 * PHA, 50 * PHA, 1_000).unwrap();
        assert_eq!(paid.len(), 1);
        let pool = pool_with(ledger);
        let queue = queue_view(&pool, 60_000, 60_000, None);
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].shares, 30 * PHA);
        assert_eq!(queue[0].worth.base_units, 30 * PHA);
        assert_eq!(queue[0].requested_ms, 1_000);
        assert_eq!(queue[0].paid_by_ms, 121_000);
        // A stop made late: its reclaim time is the worst case.
        assert_eq!(
            queue_view(&pool, 60_000, 60_000, Some(150_000))[0].paid_by_ms,
            150_000
        );
        assert_eq!(
            queue_view(&pool, u64::MAX, 1, None)[0].paid_by_ms,
            u64::MAX,
            "saturates"
        );

        let position = Position {
            shares: 80 * PHA,
            contributed: 100 * PHA,
            withdrawn: 20 * PHA,
            ..Position::default()
        };
        let v = position_view(&pool, bob.clone(), position);
        assert_eq!(v.queued_shares, 30 * PHA);
        assert_eq!(v.worth.base_units, 80 * PHA);
        assert_eq!(v.rewards_so_far.base_units, 0);
        assert_eq!(v.rewards_so_far.pha, "0");

        // A slash of 40 PHA: the position lost 40.
        let mut slashed = pool.clone();
        slashed.ledger.slash(40 * PHA);
        let v = position_view(&slashed, bob, position);
        assert_eq!(v.worth.base_units, 40 * PHA);
        assert_eq!(v.rewards_so_far.base_units, -40 * PHA as i128);
        assert_eq!(v.rewards_so_far.pha, "-40");
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["rewards_so_far"]["base_units"], "-40000000000000");
        assert_eq!(json["queued_shares"], (30 * PHA).to_string());
        let back: PositionView = serde_json::from_value(json).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn a_worker_shows_its_session_and_when_its_stake_frees() {
        let w = account(10);
        let v = worker_view(&w, None, 60_000);
        assert_eq!(v.state, PoolWorkerState::None);
        assert_eq!((&v.stake, v.reclaimable_at_ms), (&None, None));
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["state"], "none");
        assert!(json.get("stake").is_none());
    }

    #[test]
    fn a_withdrawal_record_is_what_the_queue_holds() {
        // The view reads the runtime's own queue type.
        let w = Withdrawal {
            delegator: account(2),
            shares: 1,
            requested_ms: 0,
        };
        let mut ledger = Ledger::new(0, None);
        ledger.queue.push(w);
        ledger.total_shares = 2;
        ledger.free = 0;
        ledger.locked = 4;
        let v = queue_view(&pool_with(ledger), 1, 1, None);
        assert_eq!(v[0].worth.base_units, 2);
    }
}
