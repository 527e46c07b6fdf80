//! `computation.start_mining`: an operator stakes PHA on one of its workers.

use super::{
    Error, Event, Session, SessionState, benchmark, challenge, rewards, session, state_key, value,
};
use crate::{
    CallResult, Ctx,
    balances::{self, pots},
    fixed::Fixed,
    registry,
    state::State,
};
use commonware_codec::Encode;
use phalanx_types::{Amount, WorkerId};

/// Checks, in order, each with its own refusal: the worker is registered, operated by the
/// signer, attested within the policy's age, measured (P ≥ min_p) and has no session; the stake
/// is at least k·√P and gives Vᵉ ≤ V_max; the signer can pay it and keep the existential
/// deposit. Then the stake moves into the mining stake pot and the session starts with V = Vᵉ.
pub fn start_mining(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    worker: &WorkerId,
    stake: Amount,
) -> CallResult {
    let params = &ctx.params.computation;
    let now = ctx.env.timestamp_ms;
    let record = registry::worker(state, worker)?.ok_or(Error::UnknownWorker)?;
    if &record.operator != ctx.signer {
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
    let balance = balances::account(state, ctx.signer)?.balance;
    let keeps = balance
        .checked_sub(stake)
        .ok_or(Error::InsufficientBalance)?;
    if keeps < ctx.params.balances.existential_deposit {
        return Err(Error::InsufficientBalance.into());
    }
    if let Err(short) = pots::from_account(state, ctx.signer, pots::MINING_STAKE, stake)? {
        return Err(short
            .corruption(pots::MINING_STAKE, "the signer's balance was just checked")
            .into());
    }
    let mut new = Session::start(
        ctx.signer.clone(),
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
            owner: ctx.signer.clone(),
            stake,
            p,
            initial_value,
        }
        .into(),
    ])
}
