//! `governance.propose`: anyone with the deposit puts an action to a vote.

use super::{Error, Event, GovernanceHooks, ParamsRefusal, Proposal, Status, proposal, state_key};
use crate::{
    CallResult, Ctx,
    balances::{self, pots},
    contracts, registry,
    state::State,
};
use commonware_codec::Encode;
use phalanx_types::ProposalAction;

/// Checks, each with its own refusal: the voting period is within the params, a slot is free
/// among the open proposals, the action could run now (its parameters decode and validate,
/// the policy is allowed, the worker exists, the treasury holds the spend), and the signer can
/// pay the deposit. The action is checked again when it runs: what changed meanwhile makes it
/// fail as an event, not the chain.
pub fn propose(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl GovernanceHooks,
    action: &ProposalAction,
    voting_ms: u64,
) -> CallResult {
    let params = &ctx.params.governance;
    let now = ctx.env.timestamp_ms;
    if !(params.min_voting_ms..=params.max_voting_ms).contains(&voting_ms) {
        return Err(Error::VotingPeriodOutOfRange.into());
    }
    let mut open = proposal::active(state)?;
    if open.0.len() >= params.max_active as usize {
        return Err(Error::TooManyProposals.into());
    }
    check_action(state, ctx, hooks, action)?;
    let base = match action {
        ProposalAction::SetParams { component, .. } => hooks
            .current_params(state, component)?
            .ok_or(Error::UnknownComponent)?,
        _ => Vec::new(),
    };
    let deposit = params.proposal_deposit;
    let ed = ctx.params.balances.existential_deposit;
    if !balances::lock::can_spend(state, ctx.signer, deposit, ed, now)? {
        return Err(Error::InsufficientBalance.into());
    }
    if let Err(short) = pots::from_account(state, ctx.signer, pots::GOVERNANCE_DEPOSITS, deposit)? {
        return Err(short
            .corruption(pots::GOVERNANCE_DEPOSITS, "the balance was just checked")
            .into());
    }
    let id = proposal::proposal_count(state)?;
    let ends_ms = now.saturating_add(voting_ms);
    let record = Proposal {
        proposer: ctx.signer.clone(),
        action: action.clone(),
        deposit,
        created_ms: now,
        ends_ms,
        enact_ms: 0,
        yes: 0,
        no: 0,
        abstain: 0,
        voters: 0,
        status: Status::Voting,
        outcome: String::new(),
        base,
    };
    proposal::set_proposal(state, id, &record);
    open.0.push((id, ends_ms));
    proposal::set_active(state, &open);
    state.put(state_key::next_id(), Some((id + 1).encode().to_vec()));
    Ok(vec![
        Event::Proposed {
            proposal: id,
            proposer: ctx.signer.clone(),
            kind: action.kind().into(),
            deposit,
            ends_ms,
        }
        .into(),
    ])
}

fn check_action(
    state: &(impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl GovernanceHooks,
    action: &ProposalAction,
) -> CallResult<()> {
    match action {
        ProposalAction::SetParams { component, params } => {
            match hooks.check_params(component, params) {
                Ok(()) => {}
                Err(ParamsRefusal::UnknownComponent) => {
                    return Err(Error::UnknownComponent.into());
                }
                Err(ParamsRefusal::Invalid(_)) => return Err(Error::InvalidParams.into()),
            }
        }
        ProposalAction::SetAttestationPolicy { policy } => {
            if !registry::policy_allowed(ctx, policy) {
                return Err(Error::InvalidPolicy.into());
            }
        }
        ProposalAction::PromoteGatekeeper { worker } => {
            registry::worker(state, worker)?.ok_or(Error::UnknownWorker)?;
        }
        ProposalAction::RemoveGatekeeper { worker } => {
            let record = registry::worker(state, worker)?.ok_or(Error::UnknownWorker)?;
            if !record.gatekeeper {
                return Err(Error::NotGatekeeper.into());
            }
        }
        ProposalAction::TreasurySpend { amount, .. } => {
            if *amount == 0 {
                return Err(Error::InvalidSpend.into());
            }
            if *amount > pots::balance(state, pots::TREASURY.0)? {
                return Err(Error::TreasuryTooPoor.into());
            }
        }
        ProposalAction::CreateCluster { members } => {
            if contracts::check_cluster_members(state, members)?.is_err() {
                return Err(Error::InvalidCluster.into());
            }
        }
        ProposalAction::RotateMasterKey | ProposalAction::Signal { .. } => {}
    }
    Ok(())
}
