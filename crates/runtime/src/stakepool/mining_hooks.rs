//! What a pool's ledger does when its sessions are paid, slashed or reclaimed (the runtime's
//! wiring calls these for `computation::MiningHooks`; the PHA has already moved).

use super::{Event, payments, pool};
use crate::{CallResult, state::State};
use phalanx_types::{Amount, PoolId, WorkerId};

/// A payout: commission to the owner, the rest raises the price and pays the queue.
pub fn rewarded(
    state: &mut (impl State + ?Sized),
    id: PoolId,
    worker: &WorkerId,
    amount: Amount,
) -> CallResult {
    let mut found = pool::existing_pool(state, id)?;
    let (commission, paid) = found.ledger.reward(amount);
    found.rewards = found.rewards.saturating_add(amount - commission);
    pool::set_pool(state, id, &found);
    let mut events = vec![
        Event::Rewarded {
            pool: id,
            worker: worker.clone(),
            amount,
            commission,
        }
        .into(),
    ];
    events.extend(payments::pay(state, id, paid)?);
    Ok(events)
}

/// A slash of one of the pool's sessions lowers the price for every holder, queued or not.
pub fn slashed(state: &mut (impl State + ?Sized), id: PoolId, amount: Amount) -> CallResult {
    let mut found = pool::existing_pool(state, id)?;
    found.ledger.slash(amount);
    pool::set_pool(state, id, &found);
    Ok(vec![
        Event::Slashed {
            pool: id,
            amount,
            value: found.ledger.value(),
        }
        .into(),
    ])
}

/// A session's stake came back (less what V lost): free stake again, which pays the queue.
pub fn reclaimed(
    state: &mut (impl State + ?Sized),
    id: PoolId,
    stake: Amount,
    returned: Amount,
) -> CallResult {
    let mut found = pool::existing_pool(state, id)?;
    let paid = found.ledger.reclaim(stake, returned);
    pool::set_pool(state, id, &found);
    let mut events = vec![
        Event::StakeReturned {
            pool: id,
            stake,
            returned,
        }
        .into(),
    ];
    events.extend(payments::pay(state, id, paid)?);
    Ok(events)
}
