//! `stakepool.claim_commission`: the owner takes its commission.

use super::{Error, Event, pool, workers::owned_pool};
use crate::{
    CallResult, Ctx,
    balances::pots::{self, STAKE_POOLS},
    state::State,
};
use phalanx_types::PoolId;

pub fn claim_commission(state: &mut (impl State + ?Sized), ctx: &Ctx, id: PoolId) -> CallResult {
    let mut owned = owned_pool(state, ctx, id)?;
    let amount = owned.ledger.claim_commission();
    if amount == 0 {
        return Err(Error::NoCommission.into());
    }
    if let Err(short) = pots::to_account(state, STAKE_POOLS, ctx.signer, amount)? {
        return Err(short
            .corruption(STAKE_POOLS, "the pot holds every pool's commission")
            .into());
    }
    pool::set_pool(state, id, &owned);
    Ok(vec![
        Event::CommissionClaimed {
            pool: id,
            owner: ctx.signer.clone(),
            amount,
        }
        .into(),
    ])
}
