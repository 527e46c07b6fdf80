//! The `command_result` message: a worker of the contract's cluster reports what command `seq`
//! did. The first report, in command order, is recorded: the burned fuel is paid to the
//! treasury, the rest of the gas goes back to the sender, the sealed output is kept for the
//! sender, the events are published. Every later report from another worker must match it;
//! one that does not is recorded as evidence of a state disagreement.

use super::{CommandRecord, CommandResult, Error, Event, contract, state_key};
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
    let mut events = Vec::new();
    match &mut command.result {
        None => {
            if report.seq != record.executed {
                return Err(Error::ResultOutOfOrder.into());
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
                confirmations: 0,
            });
            record.executed = record.executed.saturating_add(1);
            record.state_hash = *report.state_hash;
            state.put(state_key::contract(id), Some(record.encode().to_vec()));
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
    state.put(reported, Some(vec![1]));
    state.put(
        state_key::command(id, report.seq),
        Some(command.encode().to_vec()),
    );
    Ok(Handled {
        events,
        new_work: true,
    })
}
