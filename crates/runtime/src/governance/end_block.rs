//! The block hook: proposals whose vote ended are closed, passed ones enacted when due.

use super::{Event, GovernanceHooks, ParamsRefusal, Proposal, Status, proposal};
use crate::{
    BlockEnv, CallError, Ctx, Params,
    balances::pots::{self, GOVERNANCE_DEPOSITS},
    contracts, keys, registry,
    stakepool::ledger::mul_div,
    state::{State, StateError},
    treasury,
};
use phalanx_types::ProposalAction;

/// Runs every open proposal that is due at the block's time (at most `max_active`, a list
/// read once per block): closing a vote, then (in the same block if the enactment delay is
/// over) running its action. Each closes and enacts once: it leaves the open list when done.
pub fn end_block(
    state: &mut (impl State + ?Sized),
    params: &Params,
    env: &BlockEnv,
    hooks: &impl GovernanceHooks,
) -> Result<Vec<crate::Event>, StateError> {
    let mut open = proposal::active(state)?;
    let now = env.timestamp_ms;
    if open.0.iter().all(|(_, due)| *due > now) {
        return Ok(Vec::new());
    }
    let mut events = Vec::new();
    let mut still_open = Vec::with_capacity(open.0.len());
    for (id, due) in std::mem::take(&mut open.0) {
        if due > now {
            still_open.push((id, due));
            continue;
        }
        let mut p = proposal::proposal(state, id)?.ok_or_else(|| StateError::Corrupt {
            key: super::state_key::proposal(id),
            reason: format!("open proposal {id} has no record"),
        })?;
        if p.status == Status::Voting {
            events.push(close(state, params, id, &mut p)?);
        }
        if p.status == Status::Passed {
            if p.enact_ms > now {
                still_open.push((id, p.enact_ms));
            } else {
                events.extend(enact(state, params, env, hooks, id, &mut p)?);
            }
        }
        proposal::set_proposal(state, id, &p);
    }
    open.0 = still_open;
    proposal::set_active(state, &open);
    Ok(events)
}

/// Counts the vote and settles the deposit.
fn close(
    state: &mut (impl State + ?Sized),
    params: &Params,
    id: u64,
    p: &mut Proposal,
) -> Result<crate::Event, StateError> {
    let gov = &params.governance;
    let passed = p.passes(gov.quorum);
    let floor = mul_div(gov.quorum, u128::from(gov.forfeit_below_ppm), 1_000_000).unwrap_or(0);
    let forfeited = !passed && p.turnout() < floor;
    let why = "the pot holds every open proposal's deposit";
    let moved = if forfeited {
        treasury::receive_from_pot(
            state,
            GOVERNANCE_DEPOSITS,
            p.deposit,
            treasury::Source::ForfeitedDeposits,
        )?
    } else {
        pots::to_account(state, GOVERNANCE_DEPOSITS, &p.proposer, p.deposit)?
    };
    if let Err(short) = moved {
        return Err(short.corruption(GOVERNANCE_DEPOSITS, why));
    }
    if passed {
        p.status = Status::Passed;
        p.enact_ms = p.ends_ms.saturating_add(gov.enactment_delay_ms);
    } else {
        p.status = Status::Rejected;
    }
    Ok(Event::Closed {
        proposal: id,
        passed,
        yes: p.yes,
        no: p.no,
        abstain: p.abstain,
        quorum: gov.quorum,
        deposit_forfeited: forfeited,
        enact_ms: p.enact_ms,
    }
    .into())
}

/// Runs a passed proposal's action. A refusal is recorded and announced; the chain goes on.
fn enact(
    state: &mut (impl State + ?Sized),
    params: &Params,
    env: &BlockEnv,
    hooks: &impl GovernanceHooks,
    id: u64,
    p: &mut Proposal,
) -> Result<Vec<crate::Event>, StateError> {
    let proposer = p.proposer.clone();
    let ctx = Ctx {
        env,
        signer: &proposer,
        params,
    };
    let kind = p.action.kind().to_string();
    let result: Result<Vec<crate::Event>, String> = match &p.action {
        ProposalAction::SetParams { component, params } => {
            if hooks.current_params(state, component)?.as_ref() != Some(&p.base) {
                return Ok(failed(
                    id,
                    p,
                    kind,
                    format!(
                        "the {component} parameters changed since this proposal (another change was enacted first): propose again from the parameters in force"
                    ),
                ));
            }
            match hooks.set_params(state, component, params)? {
                Ok(()) => Ok(Vec::new()),
                Err(ParamsRefusal::UnknownComponent) => Err(format!("no component `{component}`")),
                Err(ParamsRefusal::Invalid(why)) => Err(why),
            }
        }
        ProposalAction::SetAttestationPolicy { policy } => {
            refusal(registry::apply_attestation_policy(state, &ctx, policy))?
        }
        ProposalAction::PromoteGatekeeper { worker } => {
            refusal(hooks.promote_gatekeeper(state, &ctx, worker))?
        }
        ProposalAction::RemoveGatekeeper { worker } => {
            refusal(hooks.remove_gatekeeper(state, &ctx, worker))?
        }
        ProposalAction::RotateMasterKey => refusal(keys::rotate(state, &ctx))?,
        ProposalAction::CreateCluster { members } => {
            refusal(contracts::make_cluster(state, &ctx, members))?
        }
        ProposalAction::TreasurySpend { to, amount } => {
            match treasury::spend(state, to, *amount)? {
                Ok(()) => Ok(Vec::new()),
                Err(short) => Err(format!(
                    "the treasury holds {} PHA, less than the spend",
                    phalanx_types::format_pha(short.available)
                )),
            }
        }
        ProposalAction::Signal { .. } => Ok(Vec::new()),
    };
    Ok(match result {
        Ok(effects) => {
            p.status = Status::Enacted;
            let mut events = vec![Event::Enacted { proposal: id, kind }.into()];
            events.extend(effects);
            events
        }
        Err(reason) => failed(id, p, kind, reason),
    })
}

/// Records and announces an action refused when it ran.
fn failed(id: u64, p: &mut Proposal, kind: String, reason: String) -> Vec<crate::Event> {
    p.status = Status::Failed;
    // The event carries what the proposal keeps, so it decodes within its bound.
    p.outcome = proposal::reason(reason);
    vec![
        Event::EnactmentFailed {
            proposal: id,
            kind,
            reason: p.outcome.clone(),
        }
        .into(),
    ]
}

/// A handler's refusal as the reason an enactment failed; state errors stay errors.
fn refusal(
    result: Result<Vec<crate::Event>, CallError>,
) -> Result<Result<Vec<crate::Event>, String>, StateError> {
    match result {
        Ok(events) => Ok(Ok(events)),
        Err(CallError::Refused(e)) => Ok(Err(format!("{}: {e}", e.name()))),
        Err(CallError::State(e)) => Err(e),
    }
}
