#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The `governance` component on a whole runtime: proposals with a deposit, votes weighted by
//! balance and pool shares and locked until the end, the tally (yes > no, turnout ≥ quorum; a
//! tie fails), deposits returned or forfeited, actions run after the enactment delay once,
//! and a failing action as an event. Every refusal has its own code and changes nothing.

mod common;

use common::mining::*;
use common::*;
use phalanx_runtime::{
    ComponentParams, Event, State, StateKey,
    balances::{self as bal, pots},
    governance::{self, Error, Status},
    stakepool, treasury,
};
use phalanx_types::{
    Amount, BalancesCall, GovernanceCall, ProposalAction, StakePoolCall, VoteChoice,
};

const PHA: Amount = UNITS_PER_PHA;
const MINUTE: u64 = 60 * SECOND;

fn refused(e: Error) -> TxStatus {
    TxStatus::Failed(DispatchError::Governance(e))
}

/// A chain with quick governance: a minute's vote, enacted 10 s after, a 100,000 PHA quorum.
fn gov_chain() -> Chain {
    let mut c = mining_chain();
    c.params.governance = quick_governance(100_000 * PHA);
    c
}

/// Governance that votes for a minute and enacts 10 s after, with `quorum`.
fn quick_governance(quorum: Amount) -> governance::Params {
    governance::Params {
        proposal_deposit: 10 * PHA,
        min_voting_ms: MINUTE,
        max_voting_ms: 60 * MINUTE,
        enactment_delay_ms: 10 * SECOND,
        quorum,
        ..governance::Params::default()
    }
}

fn propose(action: ProposalAction) -> GovernanceCall {
    GovernanceCall::Propose {
        action,
        voting_ms: MINUTE,
    }
}

fn vote(proposal: u64, choice: VoteChoice) -> GovernanceCall {
    GovernanceCall::Vote {
        proposal,
        choice,
        pools: Vec::new(),
    }
}

fn spend(to: &str, amount: Amount) -> ProposalAction {
    ProposalAction::TreasurySpend { to: id(to), amount }
}

/// The stake-pool parameters with a different grace period, encoded as a proposal carries them.
fn new_grace(c: &Chain, grace_ms: u64) -> ProposalAction {
    use commonware_codec::Encode;
    let mut p = c.params.stakepool.clone();
    p.withdrawal_grace_ms = grace_ms;
    ProposalAction::SetParams {
        component: "stakepool".into(),
        params: p.encode().to_vec(),
    }
}

fn gov_events(c: &mut Chain, at_ms: u64) -> Vec<governance::Event> {
    let env = BlockEnv {
        chain_id: c.chain.clone(),
        height: 3,
        timestamp_ms: at_ms,
    };
    phalanx_runtime::end_block(&mut c.state, &c.params, &env)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e {
            Event::Governance(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// Bob votes yes on `proposal` at `t0` (enough for the quick quorum); the vote closes a minute
/// later and the action runs 10 s after: what governance emitted then.
fn bob_passes(c: &mut Chain, proposal: u64, t0: u64) -> Vec<governance::Event> {
    assert_eq!(
        c.call("bob", vote(proposal, VoteChoice::Yes), t0),
        TxStatus::Success
    );
    gov_events(c, t0 + MINUTE);
    gov_events(c, t0 + MINUTE + 10 * SECOND)
}

fn enacted(proposal: u64, kind: &str) -> Vec<governance::Event> {
    vec![governance::Event::Enacted {
        proposal,
        kind: kind.into(),
    }]
}

fn status(c: &Chain, id: u64) -> Status {
    governance::proposal(&c.state, id).unwrap().unwrap().status
}

fn treasury_balance(c: &Chain) -> Amount {
    pots::balance(&c.state, pots::TREASURY.0).unwrap()
}

fn snapshot(c: &Chain) -> Vec<Option<Vec<u8>>> {
    let mut keys: Vec<StateKey> = vec![
        governance::state_key::next_id(),
        governance::state_key::active(),
    ];
    for p in 0..3 {
        keys.push(governance::state_key::proposal(p));
        for (n, _) in FUNDED {
            keys.push(governance::state_key::ballot(p, &id(n)));
        }
    }
    for (n, _) in FUNDED {
        keys.push(bal::state_key::lock(&id(n)));
    }
    let mut values: Vec<_> = keys.iter().map(|k| c.state.get(k).unwrap()).collect();
    values.push(Some(
        pots::balance(&c.state, pots::GOVERNANCE_DEPOSITS.0)
            .unwrap()
            .to_be_bytes()
            .to_vec(),
    ));
    values
}

#[test]
fn a_parameter_change_and_a_treasury_spend_pass_by_vote_and_run_once_after_the_delay() {
    let mut c = gov_chain();
    let t0 = NOW_MS + MINUTE;
    let supply = counted_supply(&c);
    let grace = 42 * SECOND;
    let r = c.call_receipt("carol", propose(new_grace(&c, grace)), t0);
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
    let pot = treasury_balance(&c);
    assert!(pot > 0, "fees fill the treasury");
    assert_eq!(
        c.call("carol", propose(spend("dave", pot / 2)), t0),
        TxStatus::Success
    );
    assert_eq!(
        pots::balance(&c.state, pots::GOVERNANCE_DEPOSITS.0).unwrap(),
        20 * PHA
    );
    // bob (100,000) and carol (50,000) vote yes on both; operator (100,000) no on the spend.
    for p in [0, 1] {
        assert_eq!(
            c.call("bob", vote(p, VoteChoice::Yes), t0),
            TxStatus::Success
        );
        assert_eq!(
            c.call("carol", vote(p, VoteChoice::Yes), t0),
            TxStatus::Success
        );
    }
    assert_eq!(
        c.call("operator", vote(1, VoteChoice::No), t0),
        TxStatus::Success
    );
    // Changing one's mind replaces the vote: carol abstains on the spend after all.
    assert_eq!(
        c.call("carol", vote(1, VoteChoice::Abstain), t0),
        TxStatus::Success
    );
    let p1 = governance::proposal(&c.state, 1).unwrap().unwrap();
    assert_eq!(p1.voters, 3);
    assert!(p1.abstain > 49_000 * PHA && p1.yes > p1.no);
    // The votes lock what they counted: bob cannot send his PHA away until the vote ends.
    let send = BalancesCall::Transfer {
        to: id("dave"),
        amount: 10 * PHA,
    };
    assert_eq!(
        c.call("bob", send.clone(), t0 + SECOND),
        TxStatus::Failed(DispatchError::Balances(bal::Error::BalanceLocked))
    );

    // Nothing happens before the end.
    assert!(gov_events(&mut c, t0 + MINUTE - 1).is_empty());
    let carol_before = balance(&c, "carol");
    let closed = gov_events(&mut c, t0 + MINUTE);
    assert!(matches!(
        closed[0],
        governance::Event::Closed {
            proposal: 0,
            passed: true,
            deposit_forfeited: false,
            ..
        }
    ));
    assert!(matches!(
        closed[1],
        governance::Event::Closed {
            proposal: 1,
            passed: true,
            ..
        }
    ));
    assert_eq!(
        balance(&c, "carol"),
        carol_before + 20 * PHA,
        "both deposits back"
    );
    assert_eq!(status(&c, 0), Status::Passed);
    // The transfer goes through once the vote is over.
    assert_eq!(c.call("bob", send, t0 + MINUTE), TxStatus::Success);

    // Enacted after the delay, once.
    assert!(gov_events(&mut c, t0 + MINUTE + 9 * SECOND).is_empty());
    let dave_before = balance(&c, "dave");
    let enacted = gov_events(&mut c, t0 + MINUTE + 10 * SECOND);
    assert_eq!(
        enacted,
        vec![
            governance::Event::Enacted {
                proposal: 0,
                kind: "set_params".into()
            },
            governance::Event::Enacted {
                proposal: 1,
                kind: "treasury_spend".into()
            },
        ]
    );
    assert_eq!(
        stakepool::Params::load(&c.state)
            .unwrap()
            .withdrawal_grace_ms,
        grace
    );
    assert_eq!(balance(&c, "dave"), dave_before + pot / 2);
    assert_eq!(treasury::spent(&c.state).unwrap(), pot / 2);
    assert!(
        gov_events(&mut c, t0 + 2 * MINUTE).is_empty(),
        "enacted once"
    );
    assert_eq!(
        (status(&c, 0), status(&c, 1)),
        (Status::Enacted, Status::Enacted)
    );
    assert!(governance::active(&c.state).unwrap().0.is_empty());
    assert_eq!(counted_supply(&c), supply);
}

#[test]
fn a_tie_fails_and_a_proposal_far_below_the_quorum_loses_its_deposit() {
    let mut c = gov_chain();
    c.params.governance.quorum = 1_000 * PHA;
    let t0 = NOW_MS + MINUTE;
    let signal = |text: &str| ProposalAction::Signal { text: text.into() };
    assert_eq!(
        c.call("carol", propose(signal("tie")), t0),
        TxStatus::Success
    );
    assert_eq!(
        c.call("carol", propose(signal("nobody cares")), t0),
        TxStatus::Success
    );
    // alice and dave hold 1,000 PHA each and pay the same fee: exactly as many yes as no.
    assert_eq!(
        c.call("alice", vote(0, VoteChoice::Yes), t0),
        TxStatus::Success
    );
    assert_eq!(
        c.call("dave", vote(0, VoteChoice::No), t0),
        TxStatus::Success
    );
    let p0 = governance::proposal(&c.state, 0).unwrap().unwrap();
    assert_eq!(p0.yes, p0.no);
    let treasury_before = treasury_balance(&c);
    let carol_before = balance(&c, "carol");
    let closed = gov_events(&mut c, t0 + MINUTE);
    assert!(matches!(
        closed[0],
        governance::Event::Closed {
            proposal: 0,
            passed: false,
            deposit_forfeited: false,
            ..
        }
    ));
    assert!(matches!(
        closed[1],
        governance::Event::Closed {
            proposal: 1,
            passed: false,
            deposit_forfeited: true,
            ..
        }
    ));
    assert_eq!(balance(&c, "carol"), carol_before + 10 * PHA);
    assert_eq!(treasury_balance(&c), treasury_before + 10 * PHA);
    assert_eq!(
        treasury::income(&c.state, treasury::Source::ForfeitedDeposits).unwrap(),
        10 * PHA
    );
    assert_eq!(
        (status(&c, 0), status(&c, 1)),
        (Status::Rejected, Status::Rejected)
    );
}

#[test]
fn a_failing_action_is_an_event_and_the_chain_goes_on() {
    let mut c = gov_chain();
    c.params.governance.quorum = 1_000 * PHA;
    c.params.governance.max_voting_ms = 10 * DAY_MS;
    let t0 = NOW_MS + MINUTE;
    // worker-2's attestation is fresh now, and seven days old (expired) when the vote ends.
    let promote = GovernanceCall::Propose {
        action: ProposalAction::PromoteGatekeeper {
            worker: id("worker-2"),
        },
        voting_ms: 8 * DAY_MS,
    };
    assert_eq!(c.call("carol", promote, t0), TxStatus::Success);
    assert_eq!(
        c.call("bob", vote(0, VoteChoice::Yes), t0),
        TxStatus::Success
    );
    let end = t0 + 8 * DAY_MS;
    gov_events(&mut c, end);
    let ran = gov_events(&mut c, end + 10 * SECOND);
    assert!(
        matches!(&ran[..], [governance::Event::EnactmentFailed { proposal: 0, reason, .. }] if reason.starts_with("registry.attestation_expired")),
        "{ran:?}"
    );
    let failed = governance::proposal(&c.state, 0).unwrap().unwrap();
    assert_eq!(failed.status, Status::Failed);
    assert!(failed.outcome.starts_with("registry.attestation_expired"));
    assert!(
        !phalanx_runtime::registry::worker(&c.state, &id("worker-2"))
            .unwrap()
            .unwrap()
            .gatekeeper
    );
    // The chain goes on, and nothing runs twice.
    assert!(gov_events(&mut c, end + MINUTE).is_empty());
    assert_eq!(
        c.call("carol", vote(0, VoteChoice::No), end + MINUTE),
        refused(Error::VotingClosed)
    );
}

#[test]
fn pool_shares_vote_and_stay_locked_until_the_vote_ends() {
    let mut c = gov_chain();
    let t0 = NOW_MS + MINUTE;
    assert_eq!(
        c.call(
            "operator",
            StakePoolCall::Create {
                commission_ppm: 0,
                cap: None
            },
            t0
        ),
        TxStatus::Success
    );
    assert_eq!(
        c.call(
            "dave",
            StakePoolCall::Contribute {
                pool: 0,
                amount: 500 * PHA
            },
            t0
        ),
        TxStatus::Success
    );
    assert_eq!(
        c.call(
            "carol",
            propose(ProposalAction::Signal {
                text: "pools".into()
            }),
            t0
        ),
        TxStatus::Success
    );
    let r = c.call_receipt(
        "dave",
        GovernanceCall::Vote {
            proposal: 0,
            choice: VoteChoice::Yes,
            pools: vec![0],
        },
        t0,
    );
    assert_eq!(r.status, TxStatus::Success);
    let dave = balance(&c, "dave");
    assert_eq!(
        governance::proposal(&c.state, 0).unwrap().unwrap().yes,
        dave + 500 * PHA
    );
    let out = StakePoolCall::Withdraw {
        pool: 0,
        shares: PHA,
    };
    assert_eq!(
        c.call("dave", out.clone(), t0 + SECOND),
        TxStatus::Failed(DispatchError::StakePool(stakepool::Error::NotEnoughShares))
    );
    assert_eq!(c.call("dave", out, t0 + MINUTE), TxStatus::Success);
}

#[test]
fn every_bad_proposal_and_vote_is_refused_with_its_own_error_and_changes_nothing() {
    let mut c = gov_chain();
    let t = NOW_MS + MINUTE;
    let check = |c: &mut Chain, signer: &str, call: GovernanceCall, expected: Error| {
        let before = snapshot(c);
        assert_eq!(c.call(signer, call, t), refused(expected), "{expected:?}");
        assert_eq!(snapshot(c), before, "{expected:?} changed state");
    };
    let signal = ProposalAction::Signal { text: "hi".into() };
    for voting_ms in [MINUTE - 1, 60 * MINUTE + 1] {
        check(
            &mut c,
            "carol",
            GovernanceCall::Propose {
                action: signal.clone(),
                voting_ms,
            },
            Error::VotingPeriodOutOfRange,
        );
    }
    let params = |component: &str, params: Vec<u8>| {
        propose(ProposalAction::SetParams {
            component: component.into(),
            params,
        })
    };
    check(
        &mut c,
        "carol",
        params("nonesuch", vec![]),
        Error::UnknownComponent,
    );
    check(
        &mut c,
        "carol",
        params("stakepool", vec![1, 2, 3]),
        Error::InvalidParams,
    );
    // Decodes, but fails validation: a zero grace period.
    let zero_grace = new_grace(&c, 0);
    check(&mut c, "carol", propose(zero_grace), Error::InvalidParams);
    let mut bad_policy = dev_policy();
    bad_policy.allowed_measurements.clear();
    bad_policy.worst_confidence = 0;
    check(
        &mut c,
        "carol",
        propose(ProposalAction::SetAttestationPolicy { policy: bad_policy }),
        Error::InvalidPolicy,
    );
    check(
        &mut c,
        "carol",
        propose(ProposalAction::PromoteGatekeeper {
            worker: id("nobody"),
        }),
        Error::UnknownWorker,
    );
    check(
        &mut c,
        "carol",
        propose(spend("dave", 0)),
        Error::InvalidSpend,
    );
    // (The proposal's own fee reaches the treasury before the check.)
    let too_much = treasury_balance(&c) + 10 * PHA;
    check(
        &mut c,
        "carol",
        propose(spend("dave", too_much)),
        Error::TreasuryTooPoor,
    );
    c.params.governance.proposal_deposit = 1_000 * PHA;
    check(
        &mut c,
        "dave",
        propose(signal.clone()),
        Error::InsufficientBalance,
    );
    c.params.governance.proposal_deposit = 10 * PHA;
    c.params.governance.max_active = 1;
    assert_eq!(
        c.call("carol", propose(signal.clone()), t),
        TxStatus::Success
    );
    check(
        &mut c,
        "carol",
        propose(signal.clone()),
        Error::TooManyProposals,
    );
    check(
        &mut c,
        "bob",
        vote(7, VoteChoice::Yes),
        Error::UnknownProposal,
    );
    check(
        &mut c,
        "bob",
        GovernanceCall::Vote {
            proposal: 0,
            choice: VoteChoice::Yes,
            pools: vec![3],
        },
        Error::BadPoolList,
    );
    assert_eq!(
        c.call(
            "operator",
            StakePoolCall::Create {
                commission_ppm: 0,
                cap: None
            },
            t
        ),
        TxStatus::Success
    );
    check(
        &mut c,
        "bob",
        GovernanceCall::Vote {
            proposal: 0,
            choice: VoteChoice::Yes,
            pools: vec![0, 0],
        },
        Error::BadPoolList,
    );
    // After the end (the block that closes it has not run yet): too late.
    let late = t + MINUTE;
    let before = snapshot(&c);
    assert_eq!(
        c.call("bob", vote(0, VoteChoice::Yes), late),
        refused(Error::VotingClosed)
    );
    assert_eq!(snapshot(&c), before);
}

#[test]
fn a_gatekeeper_removed_by_vote_leaves_the_set_and_the_key_is_reshared_without_it() {
    let (mut c, reshared) = common::dkg::chain_with_master_key();
    c.params.governance = quick_governance(100 * PHA);
    let remove = |who: &str| propose(ProposalAction::RemoveGatekeeper { worker: id(who) });
    let t0 = NOW_MS + MINUTE;
    assert_eq!(
        c.call("bob", remove("worker-3"), t0),
        refused(Error::NotGatekeeper)
    );
    assert_eq!(c.call("bob", remove("worker-2"), t0), TxStatus::Success);
    assert_eq!(bob_passes(&mut c, 0, t0), enacted(0, "remove_gatekeeper"));
    let registry = phalanx_runtime::registry::gatekeepers(&c.state).unwrap();
    assert_eq!(registry, vec![id("worker-1")]);
    assert!(
        !phalanx_runtime::registry::worker(&c.state, &id("worker-2"))
            .unwrap()
            .unwrap()
            .gatekeeper
    );
    // A reshare of the same generation to the remaining gatekeeper has started.
    let round = phalanx_runtime::keys::active(&c.state).unwrap().unwrap();
    assert_eq!(round.previous, Some(reshared.round));
    assert_eq!(round.players, vec![id("worker-1")]);
    // The last gatekeeper cannot be removed: that proposal fails when it runs.
    assert_eq!(
        c.call("bob", remove("worker-1"), t0 + 2 * MINUTE),
        TxStatus::Success
    );
    assert_eq!(
        c.call("bob", vote(1, VoteChoice::Yes), t0 + 2 * MINUTE),
        TxStatus::Success
    );
    gov_events(&mut c, t0 + 3 * MINUTE);
    let ran = gov_events(&mut c, t0 + 3 * MINUTE + 10 * SECOND);
    assert!(
        matches!(&ran[..], [governance::Event::EnactmentFailed { reason, .. }] if reason.starts_with("registry.last_gatekeeper")),
        "{ran:?}"
    );
}

#[test]
fn two_changes_to_one_component_never_undo_each_other() {
    use commonware_codec::Encode;
    let mut c = gov_chain();
    let t0 = NOW_MS + MINUTE;
    // Both built from the parameters in force: one changes the grace, the other the queue.
    let mut queue = c.params.stakepool.clone();
    queue.max_queue = 512;
    let change_queue = ProposalAction::SetParams {
        component: "stakepool".into(),
        params: queue.encode().to_vec(),
    };
    assert_eq!(
        c.call("carol", propose(new_grace(&c, 42 * SECOND)), t0),
        TxStatus::Success
    );
    assert_eq!(
        c.call("carol", propose(change_queue), t0),
        TxStatus::Success
    );
    for p in [0, 1] {
        assert_eq!(
            c.call("bob", vote(p, VoteChoice::Yes), t0),
            TxStatus::Success
        );
        assert_eq!(
            c.call("carol", vote(p, VoteChoice::Yes), t0),
            TxStatus::Success
        );
    }
    gov_events(&mut c, t0 + MINUTE);
    let ran = gov_events(&mut c, t0 + MINUTE + 10 * SECOND);
    assert_eq!(
        ran[0],
        governance::Event::Enacted {
            proposal: 0,
            kind: "set_params".into()
        }
    );
    // The second would have put the old grace back: it fails instead.
    assert!(
        matches!(&ran[1], governance::Event::EnactmentFailed { proposal: 1, reason, .. } if reason.contains("changed since this proposal")),
        "{ran:?}"
    );
    let now = stakepool::Params::load(&c.state).unwrap();
    assert_eq!(
        (now.withdrawal_grace_ms, now.max_queue),
        (42 * SECOND, 1_024)
    );
}

#[test]
fn a_cluster_of_chosen_workers_is_created_by_vote() {
    let mut c = gov_chain();
    c.params.governance = quick_governance(100 * PHA);
    let t0 = NOW_MS + MINUTE;
    let cluster = |members: &[&str]| {
        propose(ProposalAction::CreateCluster {
            members: members.iter().map(|m| id(m)).collect(),
        })
    };
    assert_eq!(
        c.call("carol", cluster(&[]), t0),
        refused(Error::InvalidCluster)
    );
    assert_eq!(
        c.call("carol", cluster(&["worker-2", "nobody"]), t0),
        refused(Error::InvalidCluster)
    );
    assert_eq!(
        c.call("carol", cluster(&["worker-2", "worker-2"]), t0),
        refused(Error::InvalidCluster)
    );
    assert_eq!(
        c.call("carol", cluster(&["worker-1", "worker-2"]), t0),
        TxStatus::Success
    );
    assert_eq!(bob_passes(&mut c, 0, t0), enacted(0, "create_cluster"));
    let record = phalanx_runtime::contracts::cluster(&c.state, 1)
        .unwrap()
        .unwrap();
    assert_eq!(record.members, vec![id("worker-1"), id("worker-2")]);
    assert_eq!(record.created_by, id("carol"), "the proposer");
}
