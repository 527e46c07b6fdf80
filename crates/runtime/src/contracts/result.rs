//! The `command_result` message: a member of the contract's cluster reports what command `seq`
//! did. Reports are tallied per candidate (status, fuel, state hash, output, events) until one
//! has the cluster's quorum ([`super::cluster_quorum`]: a majority of a cluster of chosen
//! workers, the first report for cluster 0); it is recorded then: the burned fuel is paid to
//! the treasury, the rest of the gas goes back to the sender, the sealed output is kept for the
//! sender, the events are published, and each member that had reported otherwise is evidence
//! of a state disagreement. Every later report must match it or is evidence too. Commands are
//! recorded as each reaches its quorum; the contract's `executed` count and state hash move
//! past an unbroken run of recorded commands.

use super::{CommandRecord, CommandResult, Error, Event, contract, quorum, state_key};
use crate::{
    CallResult, Ctx,
    balances::{pots, pots::CONTRACT_GAS},
    mq::Handled,
    registry::WorkerRecord,
    state::{State, StateError, read_decoded},
    treasury::{self, Source},
};
use commonware_codec::Encode;
use phalanx_types::Sealed;

/// What a report is, as the handler takes it.
pub struct Report<'a> {
    pub contract: &'a [u8; 32],
    pub seq: u64,
    pub succeeded: bool,
    pub fuel_used: u64,
    pub state_hash: &'a [u8; 32],
    pub output: &'a Sealed,
    pub events: &'a [Vec<u8>],
}

/// What later reports must match besides status, fuel and state: the sealed output and the
/// events.
fn digest(output: &Sealed, events: &[Vec<u8>]) -> [u8; 32] {
    let encoded_output = output.encode();
    let encoded_events = events.to_vec().encode();
    super::sha256(&[encoded_output.as_ref(), encoded_events.as_ref()])
}

/// Command `seq` of contract `id`.
pub fn command_record(
    state: &(impl State + ?Sized),
    id: &[u8; 32],
    seq: u64,
) -> Result<Option<CommandRecord>, StateError> {
    read_decoded(state, state_key::command(id, seq))
}

/// What a report claims, as one hash: status, fuel, state hash, sealed output and events.
/// Reports are tallied by it, and each member's report marker keeps it.
fn candidate(report: &Report<'_>, digest: &[u8; 32]) -> [u8; 32] {
    super::sha256(&[
        &[u8::from(report.succeeded)],
        &report.fuel_used.to_be_bytes(),
        report.state_hash,
        digest,
    ])
}

pub fn report_result(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    sender: &WorkerRecord,
    report: &Report<'_>,
) -> CallResult<Handled> {
    let id = report.contract;
    let Some(mut record) = contract(state, id)? else {
        return Err(Error::UnknownContract.into());
    };
    let Some(mut command) = command_record(state, id, report.seq)? else {
        return Err(Error::UnknownCommand.into());
    };
    if report.fuel_used > command.gas_limit {
        return Err(Error::FuelOverLimit.into());
    }
    let by = &sender.info.identity;
    if !super::is_member(state, record.cluster, by)? {
        return Err(Error::NotClusterMember.into());
    }
    let reported = state_key::result_report(id, report.seq, by);
    if state.get(&reported)?.is_some() {
        return Err(Error::ResultAlreadyReported.into());
    }
    let digest = digest(report.output, report.events);
    let candidate = candidate(report, &digest);
    state.put(reported, Some(candidate.to_vec()));
    let mut events = Vec::new();
    match &mut command.result {
        None => {
            let quorum = super::cluster_quorum(state, record.cluster)?;
            let votes = |c: &[u8; 32]| state_key::result_votes(id, report.seq, c);
            let reports = quorum::tally(state, votes(&candidate), quorum)?;
            if reports < quorum {
                return Ok(Handled {
                    events: vec![
                        Event::ResultReported {
                            contract: *id,
                            seq: report.seq,
                            by: by.clone(),
                            reports,
                            quorum,
                        }
                        .into(),
                    ],
                    new_work: true,
                });
            }
            let burned = command.gas_burned(report.fuel_used);
            if let Err(short) =
                treasury::receive_from_pot(state, CONTRACT_GAS, burned, Source::ContractGas)?
            {
                return Err(short
                    .corruption(CONTRACT_GAS, "a command's gas is held until its result")
                    .into());
            }
            let refund = command.escrow - burned;
            if let Err(short) = pots::to_account(state, CONTRACT_GAS, &command.sender, refund)? {
                return Err(short
                    .corruption(CONTRACT_GAS, "a command's gas is held until its result")
                    .into());
            }
            command.result = Some(CommandResult {
                succeeded: report.succeeded,
                fuel_used: report.fuel_used,
                state_hash: *report.state_hash,
                digest,
                reported_by: by.clone(),
                height: ctx.env.height,
                confirmations: reports - 1,
            });
            state.put(
                state_key::command_output(id, report.seq),
                Some(report.output.encode().to_vec()),
            );
            events.push(
                Event::CommandExecuted {
                    contract: *id,
                    seq: report.seq,
                    succeeded: report.succeeded,
                    fuel_used: report.fuel_used,
                    state_hash: *report.state_hash,
                    by: by.clone(),
                }
                .into(),
            );
            for data in report.events {
                events.push(
                    Event::ContractEvent {
                        contract: *id,
                        seq: report.seq,
                        data: super::EventData(data.clone()),
                    }
                    .into(),
                );
            }
            let dissent = quorum::dissenters(
                state,
                record.cluster,
                &candidate,
                |member| state_key::result_report(id, report.seq, member),
                votes,
            )?;
            for member in dissent {
                events.push(
                    Event::StateDisagreement {
                        contract: *id,
                        seq: report.seq,
                        by: member,
                        recorded_by: by.clone(),
                    }
                    .into(),
                );
            }
            state.put(
                state_key::command(id, report.seq),
                Some(command.encode().to_vec()),
            );
            advance_executed(state, id, &mut record)?;
            state.put(state_key::contract(id), Some(record.encode().to_vec()));
            return Ok(Handled {
                events,
                new_work: true,
            });
        }
        Some(first)
            if first.succeeded == report.succeeded
                && first.fuel_used == report.fuel_used
                && first.state_hash == *report.state_hash
                && first.digest == digest =>
        {
            first.confirmations = first.confirmations.saturating_add(1);
            events.push(
                Event::CommandConfirmed {
                    contract: *id,
                    seq: report.seq,
                    by: by.clone(),
                }
                .into(),
            );
        }
        Some(first) => events.push(
            Event::StateDisagreement {
                contract: *id,
                seq: report.seq,
                by: by.clone(),
                recorded_by: first.reported_by.clone(),
            }
            .into(),
        ),
    }
    state.put(
        state_key::command(id, report.seq),
        Some(command.encode().to_vec()),
    );
    Ok(Handled {
        events,
        new_work: true,
    })
}

/// Moves the contract's `executed` count (and its state hash) past every command whose
/// result is recorded without a gap: results are recorded as each reaches its quorum, maybe
/// out of order, and the contract's state is the one after the last of an unbroken run. Each
/// command is passed once over the contract's life.
fn advance_executed(
    state: &(impl State + ?Sized),
    id: &[u8; 32],
    record: &mut super::ContractRecord,
) -> Result<(), StateError> {
    while let Some(CommandRecord {
        result: Some(result),
        ..
    }) = command_record(state, id, record.executed)?
    {
        record.executed = record.executed.saturating_add(1);
        record.state_hash = result.state_hash;
    }
    Ok(())
}
