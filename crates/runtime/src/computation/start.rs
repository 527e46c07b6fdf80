//! `computation.start_mining`: an operator stakes PHA on one of its workers; `stakepool` starts
//! its pools' sessions through the same checks.

use super::{
    Error, Event, Session, SessionOwner, SessionState, benchmark, challenge, rewards, session,
    state_key, value,
};
use crate::{
    CallResult, Ctx,
    balances::{
        self,
        pots::{self, Pot},
    },
    fixed::Fixed,
    registry,
    state::State,
};
use commonware_codec::Encode;
use phalanx_types::{AccountId, Amount, WorkerId};

/// Where a new session's stake comes from.
#[derive(Clone, Copy, Debug)]
pub enum Funding<'a> {
    /// The account's balance, which must keep the existential deposit.
    Account(&'a AccountId),
    /// A pot the caller has already checked covers the stake (a pool's free stake).
    Pot(Pot),
}

/// `computation.start_mining`: the signer stakes its own PHA on a worker it operates, and owns
/// the session. A worker in a stake pool mines only for its pool (`stakepool.start_mining`).
pub fn start_mining(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl super::MiningHooks,
    worker: &WorkerId,
    stake: Amount,
) -> CallResult {
    if hooks.worker_pool(state, worker)?.is_some() {
        return Err(Error::WorkerInPool.into());
    }
    start_session(
        state,
        ctx,
        worker,
        SessionOwner::Account(ctx.signer.clone()),
        ctx.signer,
        stake,
        Funding::Account(ctx.signer),
    )
}

/// Starts a session for `owner` with `stake` from `funding`. Checks, in order, each with its
/// own refusal: the worker is registered, operated by `operator`, attested within the policy's
/// age, measured (P ≥ min_p) and has no session; the stake is at least k·√P and gives
/// Vᵉ ≤ V_max; the funding covers it (an account keeps the existential deposit). Then the stake
/// moves into the mining stake pot and the session starts with V = Vᵉ.
pub fn start_session(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    worker: &WorkerId,
    owner: SessionOwner,
    operator: &AccountId,
    stake: Amount,
    funding: Funding<'_>,
) -> CallResult {
    let params = &ctx.params.computation;
    let now = ctx.env.timestamp_ms;
    let record = registry::worker(state, worker)?.ok_or(Error::UnknownWorker)?;
    if &record.operator != operator {
        return Err(Error::NotOperator.into());
    }
    let max_age_ms = registry::policy(state)?
        .max_evidence_age_secs
        .saturating_mul(1000);
    if now.saturating_sub(record.last_attested_ms) > max_age_ms {
        return Err(Error::AttestationExpired.into());
    }
    if let Some(existing) = session(state, worker)? {
        return Err(match existing.state {
            SessionState::CoolingDown => Error::CoolingDown,
            SessionState::Mining | SessionState::Unresponsive => Error::AlreadyMining,
        }
        .into());
    }
    let measured = benchmark(state, worker)?
        .filter(|b| b.p > 0)
        .ok_or(Error::NoBenchmark)?;
    let p = measured.p;
    if p < params.min_p {
        return Err(Error::BenchmarkTooLow.into());
    }
    if stake < value::min_stake(params, p)? {
        return Err(Error::StakeTooLow.into());
    }
    let initial_value = value::initial_value(params, stake, p, record.confidence)?;
    if initial_value > params.v_max {
        return Err(Error::StakeTooHigh.into());
    }
    if challenge::bucket_is_full(state, worker)? {
        return Err(Error::BucketFull.into());
    }
    let moved = match funding {
        Funding::Account(payer) => {
            let ed = ctx.params.balances.existential_deposit;
            if !balances::lock::can_spend(state, payer, stake, ed, ctx.env.timestamp_ms)? {
                return Err(Error::InsufficientBalance.into());
            }
            pots::from_account(state, payer, pots::MINING_STAKE, stake)?.map_err(|short| {
                short.corruption(pots::MINING_STAKE, "the payer's balance was just checked")
            })
        }
        Funding::Pot(pot) => pots::move_between(state, pot, pots::MINING_STAKE, stake)?
            .map_err(|short| short.corruption(pot, "the caller checked the pot covers the stake")),
    };
    moved?;
    let mut new = Session::start(
        owner.clone(),
        stake,
        initial_value,
        p,
        measured.iterations,
        record.confidence,
        now,
    );
    new.share = new.current_share(params)?;
    new.acc_at = rewards::replace_share(state, Fixed::ZERO, new.share)?;
    challenge::join(state, worker)?;
    state.put(state_key::session(worker), Some(new.encode().to_vec()));
    Ok(vec![
        Event::MiningStarted {
            worker: worker.clone(),
            owner,
            stake,
            p,
            initial_value,
        }
        .into(),
    ])
}
