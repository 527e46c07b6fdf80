//! `stakepool.withdraw`: a delegator sells shares back to the pool.

use super::{Error, Event, payments, pool};
use crate::{CallResult, Ctx, state::State};
use phalanx_types::PoolId;

/// The request joins the back of the queue and the queue is paid as far as the free stake
/// goes, at the price of the moment: paid now if the free stake covers it and nobody waits
/// before it; otherwise the rest waits, and after `withdrawal_grace_ms` anyone may stop the
/// pool's workers to free stake for it.
pub fn withdraw(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    id: PoolId,
    shares: u128,
) -> CallResult {
    let mut found = pool::pool(state, id)?.ok_or(Error::UnknownPool)?;
    if found.ledger.queue.len() >= ctx.params.stakepool.max_queue as usize {
        return Err(Error::QueueFull.into());
    }
    // Shares a vote locked stay until the vote ends.
    let position = pool::position(state, id, ctx.signer)?;
    let held = position
        .shares
        .saturating_sub(position.locked_at(ctx.env.timestamp_ms));
    let paid = found
        .ledger
        .withdraw(ctx.signer, held, shares, ctx.env.timestamp_ms)?;
    let queued = found.ledger.queued(ctx.signer);
    pool::set_pool(state, id, &found);
    let mut events = payments::pay(state, id, paid)?;
    if queued > 0 {
        events.push(
            Event::WithdrawalQueued {
                pool: id,
                delegator: ctx.signer.clone(),
                shares: queued,
            }
            .into(),
        );
    }
    Ok(events)
}
