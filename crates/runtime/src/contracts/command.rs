//! `contracts.command`: an encrypted command. The chain cannot read it; it holds the gas,
//! numbers the command and hands it to the contract's cluster, whose workers execute the
//! contract's commands in that order.

use super::{CommandRecord, Error, Event, contract, state_key};
use crate::{
    CallResult, Ctx,
    balances::{self, pots, pots::CONTRACT_GAS},
    mq,
    state::State,
};
use commonware_codec::Encode;
use phalanx_types::{Amount, ChainMessage, Sealed};

/// What `gas_limit` holds at `gas_price` (saturating: a limit that overflows cannot be paid).
pub fn escrow(gas_limit: u64, gas_price: Amount) -> Amount {
    Amount::from(gas_limit).saturating_mul(gas_price)
}

pub fn command(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    id: &[u8; 32],
    sealed: &Sealed,
    gas_limit: u64,
) -> CallResult {
    let params = &ctx.params.contracts;
    if gas_limit == 0 {
        return Err(Error::GasLimitZero.into());
    }
    if gas_limit > params.max_gas_per_command {
        return Err(Error::GasLimitTooHigh.into());
    }
    let Some(mut record) = contract(state, id)? else {
        return Err(Error::UnknownContract.into());
    };
    if record.keys.is_none() {
        return Err(Error::KeyNotPublished.into());
    }
    let held = escrow(gas_limit, params.gas_price);
    let ed = ctx.params.balances.existential_deposit;
    if !balances::lock::can_spend(state, ctx.signer, held, ed, ctx.env.timestamp_ms)? {
        return Err(Error::InsufficientBalance.into());
    }
    if let Err(short) = pots::from_account(state, ctx.signer, CONTRACT_GAS, held)? {
        return Err(short
            .corruption(CONTRACT_GAS, "the signer's balance was just checked")
            .into());
    }
    let seq = record.commands;
    record.commands = seq.saturating_add(1);
    let submitted = CommandRecord {
        sender: ctx.signer.clone(),
        gas_limit,
        escrow: held,
        height: ctx.env.height,
        result: None,
    };
    state.put(
        state_key::command(id, seq),
        Some(submitted.encode().to_vec()),
    );
    state.put(state_key::contract(id), Some(record.encode().to_vec()));
    mq::broadcast(
        state,
        &ChainMessage::ContractCommand {
            contract: *id,
            seq,
            sender: ctx.signer.clone(),
            height: ctx.env.height,
            time_ms: ctx.env.timestamp_ms,
            gas_limit,
            sealed: sealed.clone(),
        },
    )?;
    Ok(vec![
        Event::CommandSubmitted {
            contract: *id,
            seq,
            sender: ctx.signer.clone(),
            gas_limit,
        }
        .into(),
    ])
}
