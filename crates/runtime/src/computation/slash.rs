//! Slashing: offences proven on chain cost a session part of its stake, which goes to the
//! treasury, and stop the session (it cools down; the reclaim returns what is left).
//!
//! | offence | proof | level (param) |
//! |---------|-------|---------------|
//! | offline | a challenge unanswered for `heartbeat_window_ms` (the grace period) | V decays `unresponsive_decay_per_tick` (0.1 %/h); the reclaim returns `min(V/Vᵉ, 1)·S` and the rest goes to the treasury |
//! | equivocation | two heartbeats the worker signed for one round with different counters (`report_equivocation`, from anyone) | `slash_equivocation` (10 %) |
//! | revoked attestation | the worker's recorded measurement is no longer allowed, or its confidence level is worse than the policy accepts (checked at its next heartbeat, or on `report_revoked` from anyone) | `slash_revoked` (1 %) |
//!
//! An honest worker never equivocates: it fixes the counter it reports for a round before it
//! first signs the heartbeat, and signs the same counter again if it must resend (only the
//! sequence number may differ, which is not an offence). One equivocation is slashed once per
//! worker and round.

use super::{
    Error, Event, Session, SessionState,
    owner::{self, MiningHooks},
    session, state_key,
    stop::cool_down,
};
use crate::{
    CallResult, Ctx,
    balances::pots,
    beacon,
    fixed::Fixed,
    registry::{self, WorkerRecord},
    state::State,
};
use commonware_codec::Encode;
use phalanx_types::{AttestationPolicy, SignedHeartbeat, WorkerId};

/// Why `record` no longer passes `policy`, if it does not.
pub fn revocation(record: &WorkerRecord, policy: &AttestationPolicy) -> Option<String> {
    let measurement = hex::encode(&record.measurement);
    if !policy.allowed_measurements.contains(&measurement) {
        return Some(format!(
            "measurement {measurement} is no longer in the allow-list"
        ));
    }
    if record.confidence > policy.worst_confidence {
        return Some(format!(
            "confidence level {} ({}) is worse than the policy's {}",
            record.confidence, record.tcb_status, policy.worst_confidence
        ));
    }
    if record.simulated && !policy.allow_simulated {
        return Some("simulated evidence is no longer allowed".into());
    }
    None
}

/// Slashes `ratio` of `live`'s stake into the treasury, stops the session and stores it.
/// Returns the `slashed` event, then the pool's if a pool owns the session.
#[allow(clippy::too_many_arguments)]
pub(super) fn slash_and_stop(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl MiningHooks,
    worker: &WorkerId,
    mut live: Session,
    ratio: Fixed,
    offence: &str,
    evidence: String,
) -> CallResult {
    let amount = super::treasury_part(live.stake, ratio);
    if let Err(short) = crate::treasury::receive_from_pot(
        state,
        pots::MINING_STAKE,
        amount,
        crate::treasury::Source::Slashes,
    )? {
        return Err(short
            .corruption(pots::MINING_STAKE, "a session's stake is in the stake pot")
            .into());
    }
    live.stake -= amount;
    if live.state != SessionState::CoolingDown {
        cool_down(
            state,
            &ctx.params.computation,
            worker,
            &mut live,
            ctx.env.timestamp_ms,
        )?;
    }
    state.put(state_key::session(worker), Some(live.encode().to_vec()));
    let mut events = vec![
        Event::Slashed {
            worker: worker.clone(),
            offence: offence.into(),
            evidence: crate::events::cut_text(evidence, super::MAX_EVIDENCE_BYTES),
            amount,
            stake: live.stake,
        }
        .into(),
    ];
    events.extend(owner::slashed(state, ctx, hooks, &live.owner, amount)?);
    Ok(events)
}

/// `computation.report_equivocation`: anyone proves that `worker` signed two heartbeats with
/// different counters for `round`.
pub fn report_equivocation(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl MiningHooks,
    worker: &WorkerId,
    round: u64,
    first: &SignedHeartbeat,
    second: &SignedHeartbeat,
) -> CallResult {
    let chain = &ctx.env.chain_id;
    if !first.verify(worker, round, chain) || !second.verify(worker, round, chain) {
        return Err(Error::BadEvidence.into());
    }
    if first.iterations == second.iterations {
        return Err(Error::NotEquivocation.into());
    }
    let live = session(state, worker)?.ok_or(Error::NoSession)?;
    // Evidence from an earlier session (reclaimed, then restarted) does not reach this one.
    if round < beacon::round_at(&ctx.params.beacon, live.started_ms) {
        return Err(Error::EvidenceBeforeSession.into());
    }
    let key = state_key::equivocation(worker, round);
    if state.get(&key)?.is_some() {
        return Err(Error::AlreadySlashed.into());
    }
    state.put(key, Some(vec![1]));
    let evidence = format!(
        "round {round}: counter {} (message {}) and counter {} (message {})",
        first.iterations, first.seq, second.iterations, second.seq
    );
    let ratio = ctx.params.computation.slash_equivocation;
    slash_and_stop(
        state,
        ctx,
        hooks,
        worker,
        live,
        ratio,
        "equivocation",
        evidence,
    )
}

/// `computation.report_revoked`: anyone asks the chain to check `worker`'s attestation against
/// the current policy; a live session whose worker no longer passes is slashed and stopped.
pub fn report_revoked(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl MiningHooks,
    worker: &WorkerId,
) -> CallResult {
    let live = session(state, worker)?.ok_or(Error::NoSession)?;
    if live.state == SessionState::CoolingDown {
        return Err(Error::NotMining.into());
    }
    let record = registry::worker(state, worker)?.ok_or(Error::UnknownWorker)?;
    let policy = registry::policy(state)?;
    let reason = revocation(&record, &policy).ok_or(Error::NotRevoked)?;
    let ratio = ctx.params.computation.slash_revoked;
    slash_and_stop(
        state,
        ctx,
        hooks,
        worker,
        live,
        ratio,
        "revoked_attestation",
        reason,
    )
}
