//! `governance.vote`: a holder votes with its balance and its pool shares.

use super::{Ballot, Error, Event, Status, proposal, state_key};
use crate::{CallResult, Ctx, balances, stakepool, state::State};
use commonware_codec::Encode;
use phalanx_types::{PoolId, VoteChoice};

/// The weight is the signer's balance plus what its shares in `pools` (less those queued for
/// withdrawal) are worth now; both are locked until the vote ends, so the same PHA cannot vote
/// again from another account. A second vote replaces the first (its weight is recomputed).
pub fn vote(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    id: u64,
    choice: VoteChoice,
    pools: &[PoolId],
) -> CallResult {
    let now = ctx.env.timestamp_ms;
    let mut p = proposal::proposal(state, id)?.ok_or(Error::UnknownProposal)?;
    if p.status != Status::Voting || now >= p.ends_ms {
        return Err(Error::VotingClosed.into());
    }
    let balance = balances::account(state, ctx.signer)?.balance;
    let mut weight = balance;
    let mut shares = Vec::with_capacity(pools.len());
    for (i, pool_id) in pools.iter().enumerate() {
        if pools[..i].contains(pool_id) {
            return Err(Error::BadPoolList.into());
        }
        let pool = stakepool::pool(state, *pool_id)?.ok_or(Error::BadPoolList)?;
        let position = stakepool::position(state, *pool_id, ctx.signer)?;
        let free = position
            .shares
            .saturating_sub(pool.ledger.queued(ctx.signer));
        weight = weight.saturating_add(pool.ledger.worth(free));
        shares.push((*pool_id, free));
    }
    if weight == 0 {
        return Err(Error::NoVotingPower.into());
    }
    balances::lock::extend_lock(state, ctx.signer, balance, p.ends_ms, now)?;
    for (pool_id, free) in shares {
        if free > 0 {
            stakepool::lock_shares(state, pool_id, ctx.signer, free, p.ends_ms, now)?;
        }
    }
    let ballot = Ballot { choice, weight };
    p.count(proposal::ballot(state, id, ctx.signer)?, ballot);
    state.put(
        state_key::ballot(id, ctx.signer),
        Some(ballot.encode().to_vec()),
    );
    proposal::set_proposal(state, id, &p);
    Ok(vec![
        Event::Voted {
            proposal: id,
            voter: ctx.signer.clone(),
            choice: choice.name().into(),
            weight,
        }
        .into(),
    ])
}
