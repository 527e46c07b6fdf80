//! `phalanx gov propose|vote|show|list`: governance proposals and votes (`governance` calls,
//! `GET /proposals`, `GET /proposal/{id}`). A parameter change is built from the parameters
//! in force (`GET /chain`) with the fields given, and checked by the component's own
//! validation before it is sent.

use crate::{
    exit::{CliError, Exit},
    keys,
    show::{pha, print, tx_text},
};
use clap::{Subcommand, ValueEnum};
use phalanx_client::{
    api::TxStatusResponse,
    endpoint,
    gov::{self, ProposalView, ProposalsQuery},
};
use phalanx_runtime::{PARAMS_COMPONENTS, Params};
use phalanx_types::{
    Amount, AttestationPolicy, GovernanceCall, PoolId, ProposalAction, VoteChoice, parse_pha,
};
use serde_json::Value;

#[derive(Subcommand)]
pub enum GovCommand {
    /// Put an action to a vote. The proposal deposit (10 PHA on dev chains) is held until the
    /// vote ends, then returned; it goes to the treasury if the turnout stays below a tenth of
    /// the quorum. A proposal passes with more yes than no (a tie fails) and a turnout
    /// (yes + no + abstain) of at least the quorum; its action runs after the enactment delay.
    Propose {
        #[command(subcommand)]
        action: ProposeCommand,
        /// How long the vote stays open: `90s`, `10m`, `2h`, `7d`, or milliseconds. Default:
        /// the chain's minimum voting period.
        #[arg(long, global = true, value_parser = parse_duration_ms)]
        voting: Option<u64>,
        /// The proposer, who pays the deposit: a key name, keystore file, or `dev:NAME`.
        #[arg(long, global = true)]
        from: Option<String>,
    },
    /// Vote yes, no or abstain with your balance and (with --pool) the worth of your shares in
    /// those pools. They are locked (cannot be transferred, staked, delegated or withdrawn)
    /// until the vote ends. Voting again replaces your vote.
    Vote {
        /// The proposal's id (`phalanx gov list`).
        proposal: u64,
        /// yes, no or abstain (abstain counts toward the quorum only).
        choice: Choice,
        /// A pool whose shares you hold, to vote with their worth (repeat for several).
        #[arg(long = "pool")]
        pools: Vec<PoolId>,
        /// The voter: a key name, keystore file, or `dev:NAME`.
        #[arg(long)]
        from: String,
    },
    /// One proposal: its action, the tally so far, the quorum, whether it would pass now, and
    /// when the vote ends and the action runs.
    Show {
        /// The proposal's id.
        proposal: u64,
    },
    /// Every proposal (the first 100 from --offset), newest last.
    List {
        /// The first proposal id to list.
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
}

#[derive(Subcommand)]
pub enum ProposeCommand {
    /// Change a component's parameters: `phalanx gov propose params stakepool
    /// withdrawal_grace_ms=120000`. Fields not named keep the value in force now; if another
    /// change to the same component is enacted first, this one fails when its time comes
    /// (propose it again). Amounts are base units (10^-12 PHA), times milliseconds; the fields
    /// and their values in force: `phalanx info --json`.
    Params {
        /// balances, fees, registry, keys, tokenomics, computation, beacon, stakepool, contracts or
        /// governance.
        component: String,
        /// `field=value` (a JSON value: numbers, "quoted strings", true/false; amounts are
        /// base units in quotes or bare).
        #[arg(required = true)]
        set: Vec<String>,
    },
    /// Pay PHA from the treasury to an account.
    Spend {
        /// The recipient: hex account id, key name, or `dev:NAME`.
        to: String,
        /// Amount in PHA.
        amount: String,
    },
    /// Replace the attestation policy with the one in a JSON file (as `phalanx worker policy`
    /// prints it).
    Policy {
        /// The policy, JSON.
        file: std::path::PathBuf,
    },
    /// Make a registered worker a gatekeeper.
    Promote {
        /// The worker's identity (hex).
        worker: String,
    },
    /// Take a gatekeeper out of the set: the master key is reshared to the others, so it
    /// holds no share of what follows (the last gatekeeper cannot be removed).
    RemoveGatekeeper {
        /// The gatekeeper's worker identity (hex).
        worker: String,
    },
    /// Start a fresh DKG for the next master-key generation.
    Rotate,
    /// Create a cluster of chosen workers for contracts (as `phalanx cluster create` does
    /// for the root account): the gatekeepers send each member its share of the cluster key.
    Cluster {
        /// A member's identity (hex, or dev:NAME); repeat for each, at most 64.
        #[arg(long = "member", required = true)]
        members: Vec<String>,
    },
    /// A text-only proposal: it changes nothing, it records what holders think.
    Signal {
        /// At most 1,024 bytes.
        text: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Choice {
    Yes,
    No,
    Abstain,
}

impl From<Choice> for VoteChoice {
    fn from(c: Choice) -> Self {
        match c {
            Choice::Yes => VoteChoice::Yes,
            Choice::No => VoteChoice::No,
            Choice::Abstain => VoteChoice::Abstain,
        }
    }
}

/// `90s`, `10m`, `2h`, `7d`, or bare milliseconds.
pub fn parse_duration_ms(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (number, unit_ms) = match s.char_indices().last() {
        Some((i, 's')) => (&s[..i], 1_000),
        Some((i, 'm')) => (&s[..i], 60_000),
        Some((i, 'h')) => (&s[..i], 3_600_000),
        Some((i, 'd')) => (&s[..i], 86_400_000),
        _ => (s, 1),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (e.g. 90s, 10m, 2h, 7d)"))?;
    n.checked_mul(unit_ms)
        .filter(|ms| *ms > 0)
        .ok_or_else(|| format!("`{s}` is not a positive duration within range"))
}

fn usage(message: impl Into<String>) -> CliError {
    CliError::new(Exit::Usage, message.into())
}

/// Every component's parameters in force on the node.
fn params_in_force(rpc: &str) -> Result<Params, CliError> {
    endpoint::chain(rpc)?
        .params
        .ok_or_else(|| CliError::new(Exit::Refused, "the node has no finalized state yet"))
}

/// The parameters of `component` in `params` with `set` (`field=value`) applied, encoded.
fn changed_params(params: &Params, component: &str, set: &[String]) -> Result<Vec<u8>, CliError> {
    let all = serde_json::to_value(params).map_err(|e| usage(e.to_string()))?;
    let mut current = all.get(component).cloned().unwrap_or(Value::Null);
    let Some(fields) = current.as_object_mut() else {
        return Err(usage(format!("`{component}` has no parameters")));
    };
    for item in set {
        let Some((field, value)) = item.split_once('=') else {
            return Err(usage(format!("`{item}`: expected field=value")));
        };
        let Some(slot) = fields.get_mut(field) else {
            let known: Vec<&str> = fields.keys().map(String::as_str).collect();
            return Err(usage(format!(
                "`{component}` has no field `{field}` (fields: {})",
                known.join(", ")
            )));
        };
        // Amounts are JSON strings of base units: keep a bare number as a string there.
        let parsed: Value = serde_json::from_str(value).unwrap_or(Value::String(value.into()));
        *slot = match (&*slot, parsed) {
            (Value::String(_), Value::Number(n)) => Value::String(n.to_string()),
            (_, v) => v,
        };
    }
    gov::encode_params(component, current).map_err(|e| usage(format!("{component}: {e}")))
}

/// The action `cmd` names, and the parameters in force if it had to read them.
fn action(rpc: &str, cmd: ProposeCommand) -> Result<(ProposalAction, Option<Params>), CliError> {
    let action = match cmd {
        ProposeCommand::Params { component, set } => {
            if !PARAMS_COMPONENTS.contains(&component.as_str()) {
                return Err(usage(format!(
                    "no component `{component}` (one of: {})",
                    PARAMS_COMPONENTS.join(", ")
                )));
            }
            let in_force = params_in_force(rpc)?;
            let action = ProposalAction::SetParams {
                params: changed_params(&in_force, &component, &set)?,
                component,
            };
            return Ok((action, Some(in_force)));
        }
        ProposeCommand::Spend { to, amount } => ProposalAction::TreasurySpend {
            to: keys::resolve_account(&to).map_err(usage)?,
            amount: parse_pha(&amount)
                .map_err(|e| usage(format!("amount `{amount}`: {e}")))
                .and_then(|a: Amount| match a {
                    0 => Err(usage("a spend must be more than 0 PHA")),
                    a => Ok(a),
                })?,
        },
        ProposeCommand::Policy { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| usage(format!("{}: {e}", file.display())))?;
            let policy: AttestationPolicy = serde_json::from_str(&text)
                .map_err(|e| usage(format!("{}: not a policy: {e}", file.display())))?;
            ProposalAction::SetAttestationPolicy { policy }
        }
        ProposeCommand::Promote { worker } => ProposalAction::PromoteGatekeeper {
            worker: keys::resolve_account(&worker).map_err(usage)?,
        },
        ProposeCommand::RemoveGatekeeper { worker } => ProposalAction::RemoveGatekeeper {
            worker: keys::resolve_account(&worker).map_err(usage)?,
        },
        ProposeCommand::Rotate => ProposalAction::RotateMasterKey,
        ProposeCommand::Cluster { members } => {
            let members = crate::cluster::parse_members(&members)?;
            crate::cluster::check_registered(
                rpc,
                &members,
                phalanx_runtime::governance::Error::InvalidCluster.into(),
            )?;
            ProposalAction::CreateCluster { members }
        }
        ProposeCommand::Signal { text } => {
            if text.len() > phalanx_types::MAX_SIGNAL_TEXT {
                return Err(usage(format!(
                    "a signal's text is at most {} bytes",
                    phalanx_types::MAX_SIGNAL_TEXT
                )));
            }
            ProposalAction::Signal { text }
        }
    };
    Ok((action, None))
}

fn send(
    rpc: &str,
    from: &str,
    call: GovernanceCall,
    what: &str,
    quiet: bool,
) -> Result<TxStatusResponse, CliError> {
    Ok(TxStatusResponse::Finalized(crate::tx::send_from(
        rpc, from, call, what, quiet,
    )?))
}

/// `phalanx gov …`.
pub fn run(rpc: &str, cmd: GovCommand, json_mode: bool) -> Result<(), CliError> {
    match cmd {
        GovCommand::Propose {
            action: what,
            voting,
            from,
        } => {
            let from = from.ok_or_else(|| {
                usage("--from is required: the account that proposes (and pays the deposit)")
            })?;
            let (action, in_force) = action(rpc, what)?;
            let voting_ms = match (voting, in_force) {
                (Some(ms), _) => ms,
                (None, Some(params)) => params.governance.min_voting_ms,
                (None, None) => params_in_force(rpc)?.governance.min_voting_ms,
            };
            let kind = action.kind();
            let call = GovernanceCall::Propose { action, voting_ms };
            let v = send(rpc, &from, call, "propose", json_mode)?;
            let id = proposal_id(&v);
            print(json_mode, &v, || {
                format!(
                    "proposal {} ({kind}) is open for {} s: phalanx gov vote {} yes --from ...\n{}",
                    id.map_or("?".into(), |i| i.to_string()),
                    voting_ms / 1_000,
                    id.map_or("ID".into(), |i| i.to_string()),
                    tx_text(&v)
                )
            });
        }
        GovCommand::Vote {
            proposal,
            choice,
            pools,
            from,
        } => {
            if pools.len() > phalanx_types::MAX_VOTE_POOLS {
                return Err(usage(format!(
                    "at most {} pools in one vote",
                    phalanx_types::MAX_VOTE_POOLS
                )));
            }
            let choice = VoteChoice::from(choice);
            let call = GovernanceCall::Vote {
                proposal,
                choice,
                pools,
            };
            let v = send(rpc, &from, call, "vote", json_mode)?;
            print(json_mode, &v, || {
                format!(
                    "voted {} on proposal {proposal}; what it counted is locked until the vote ends\n{}",
                    choice.name(),
                    tx_text(&v)
                )
            });
        }
        GovCommand::Show { proposal } => {
            let r = gov::proposal(rpc, proposal)?;
            print(json_mode, &r, || show(&r.proposal, r.block_time_ms));
        }
        GovCommand::List { offset } => {
            let r = gov::proposals(
                rpc,
                &ProposalsQuery {
                    offset,
                    limit: gov::MAX_PROPOSALS_PAGE,
                },
            )?;
            print(json_mode, &r, || {
                if r.proposals.is_empty() {
                    return format!("no proposals ({} in all)", r.count);
                }
                let mut out = format!("{:>4}  {:<22} {:<9} tally\n", "id", "kind", "status");
                for p in &r.proposals {
                    out.push_str(&format!(
                        "{:>4}  {:<22} {:<9} yes {} / no {} / abstain {} {}\n",
                        p.id,
                        p.kind,
                        status_name(p),
                        pha(p.yes.base_units),
                        pha(p.no.base_units),
                        pha(p.abstain.base_units),
                        when(p, r.block_time_ms)
                    ));
                }
                out.trim_end().to_string()
            });
        }
    }
    Ok(())
}

/// The id in the `governance.proposed` event of the receipt.
fn proposal_id(v: &TxStatusResponse) -> Option<u64> {
    let TxStatusResponse::Finalized(tx) = v else {
        return None;
    };
    tx.location.receipt.events.iter().find_map(|e| match e {
        phalanx_runtime::Event::Governance(phalanx_runtime::governance::Event::Proposed {
            proposal,
            ..
        }) => Some(*proposal),
        _ => None,
    })
}

fn status_name(p: &ProposalView) -> &'static str {
    use phalanx_runtime::governance::Status;
    match p.status {
        Status::Voting => "voting",
        Status::Passed => "passed",
        Status::Rejected => "rejected",
        Status::Enacted => "enacted",
        Status::Failed => "failed",
    }
}

fn when(p: &ProposalView, now_ms: u64) -> String {
    use phalanx_runtime::governance::Status;
    match p.status {
        Status::Voting => format!("(ends {})", crate::mining::due_in(now_ms, p.ends_ms)),
        Status::Passed => format!("(runs {})", crate::mining::due_in(now_ms, p.enact_ms)),
        _ => String::new(),
    }
}

fn show(p: &ProposalView, now_ms: u64) -> String {
    use phalanx_runtime::governance::Status;
    let action = serde_json::to_string_pretty(&p.action).unwrap_or_default();
    let verdict = match p.status {
        Status::Voting => {
            if p.passing {
                "it would pass if the vote ended now"
            } else {
                "it would not pass now (it needs more yes than no, and the quorum)"
            }
        }
        Status::Passed | Status::Enacted | Status::Failed => "passed",
        Status::Rejected => "rejected",
    };
    let mut out = format!(
        "proposal {}: {} by {}\n  action:   {}\n  status:   {}\n  tally:    yes {} / no {} / abstain {} ({} voters)\n  turnout:  {} of a {} quorum: {}\n  deposit:  {}\n",
        p.id,
        p.kind,
        p.proposer,
        action.replace('\n', "\n            "),
        format!("{} {}", status_name(p), when(p, now_ms)).trim_end(),
        pha(p.yes.base_units),
        pha(p.no.base_units),
        pha(p.abstain.base_units),
        p.voters,
        pha(p.turnout.base_units),
        pha(p.quorum.base_units),
        verdict,
        pha(p.deposit.base_units),
    );
    out.push_str(&format!(
        "  ends:     {}\n  runs:     {}",
        crate::pool::utc_text(p.ends_ms),
        if p.enact_ms == 0 {
            "after the enactment delay, if it passes".to_string()
        } else {
            crate::pool::utc_text(p.enact_ms)
        }
    ));
    if !p.outcome.is_empty() {
        out.push_str(&format!("\n  failed:   {}", p.outcome));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units_and_refuse_nonsense() {
        assert_eq!(parse_duration_ms("90s"), Ok(90_000));
        assert_eq!(parse_duration_ms("10m"), Ok(600_000));
        assert_eq!(parse_duration_ms("2h"), Ok(7_200_000));
        assert_eq!(parse_duration_ms("7d"), Ok(604_800_000));
        assert_eq!(parse_duration_ms("1500"), Ok(1_500));
        for bad in ["", "0s", "s", "-1m", "1.5h", "99999999999999999999d", "1w"] {
            assert!(parse_duration_ms(bad).is_err(), "{bad}");
        }
    }
}
