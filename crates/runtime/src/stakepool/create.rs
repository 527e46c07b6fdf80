//! `stakepool.create`: anyone opens a pool and owns it.

use super::{
    Error, Event, Pool,
    ledger::{Ledger, PPM},
    pool, state_key,
};
use crate::{CallResult, Ctx, state::State};
use commonware_codec::Encode;
use phalanx_types::Amount;

pub fn create(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    commission_ppm: u32,
    cap: Option<Amount>,
) -> CallResult {
    if commission_ppm > PPM {
        return Err(Error::CommissionTooHigh.into());
    }
    if cap == Some(0) {
        return Err(Error::InvalidCap.into());
    }
    let id = pool::pool_count(state)?;
    if id >= ctx.params.stakepool.max_pools {
        return Err(Error::TooManyPools.into());
    }
    let new = Pool {
        owner: ctx.signer.clone(),
        ledger: Ledger::new(commission_ppm, cap),
        workers: Vec::new(),
        created_ms: ctx.env.timestamp_ms,
        rewards: 0,
    };
    pool::set_pool(state, id, &new);
    state.put(state_key::next_id(), Some((id + 1).encode().to_vec()));
    Ok(vec![
        Event::Created {
            pool: id,
            owner: ctx.signer.clone(),
            commission_ppm,
            cap,
        }
        .into(),
    ])
}
