//! `stakepool.contribute`: a delegator buys shares at the pool's price.

use super::{Error, Event, payments, pool};
use crate::{
    CallResult, Ctx,
    balances::{
        self,
        pots::{self, STAKE_POOLS},
    },
    state::State,
};
use phalanx_types::{Amount, PoolId};

/// `amount` leaves the signer's balance (which keeps the existential deposit and what votes
/// lock) for the pool's
/// free stake, for `⌊amount · shares / value⌋` shares; the new free stake pays queued
/// withdrawals first.
pub fn contribute(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    id: PoolId,
    amount: Amount,
) -> CallResult {
    let mut found = pool::pool(state, id)?.ok_or(Error::UnknownPool)?;
    if amount < ctx.params.stakepool.min_contribution {
        return Err(Error::ContributionTooSmall.into());
    }
    let ed = ctx.params.balances.existential_deposit;
    if !balances::lock::can_spend(state, ctx.signer, amount, ed, ctx.env.timestamp_ms)? {
        return Err(Error::InsufficientBalance.into());
    }
    let (shares, paid) = found.ledger.contribute(amount)?;
    if let Err(short) = pots::from_account(state, ctx.signer, STAKE_POOLS, amount)? {
        return Err(short
            .corruption(STAKE_POOLS, "the signer's balance was just checked")
            .into());
    }
    let mut position = pool::position(state, id, ctx.signer)?;
    position.shares = position.shares.saturating_add(shares);
    position.contributed = position.contributed.saturating_add(amount);
    pool::set_position(state, id, ctx.signer, &position);
    pool::set_pool(state, id, &found);
    let mut events = vec![
        Event::Contributed {
            pool: id,
            delegator: ctx.signer.clone(),
            amount,
            shares,
        }
        .into(),
    ];
    events.extend(payments::pay(state, id, paid)?);
    Ok(events)
}
