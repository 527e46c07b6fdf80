//! `contracts.expire_command`: the gas held for a command whose cluster has recorded no result
//! for it within [`COMMAND_EXPIRY_BLOCKS`] goes back to its sender. Anyone may ask (the gas
//! only ever goes to the sender).
//!
//! The command is not cancelled: workers execute every command in order, and one that ran it
//! before the expiry cannot take it back, so all of them keep applying it and their state
//! stays the same. When its cluster comes back and records its result, it was run for free
//! (its escrow is zero, so nothing burns and nothing is refunded twice).

use super::{Error, Event, command_record, contract, state_key};
use crate::{
    CallResult, Ctx,
    balances::{pots, pots::CONTRACT_GAS},
    state::State,
};
use commonware_codec::Encode;

/// How many blocks after its own a command waits for its result before its gas can be given
/// back (about 10 minutes at one block a second; 2 minutes on `phalanx dev`'s 200 ms blocks).
pub const COMMAND_EXPIRY_BLOCKS: u64 = 600;

pub fn expire_command(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    id: &[u8; 32],
    seq: u64,
) -> CallResult {
    if contract(state, id)?.is_none() {
        return Err(Error::UnknownContract.into());
    }
    let Some(mut command) = command_record(state, id, seq)? else {
        return Err(Error::UnknownCommand.into());
    };
    if command.result.is_some() {
        return Err(Error::CommandRecorded.into());
    }
    let marker = state_key::expired(id, seq);
    if state.get(&marker)?.is_some() {
        return Err(Error::CommandAlreadyExpired.into());
    }
    if ctx.env.height < command.height.saturating_add(COMMAND_EXPIRY_BLOCKS) {
        return Err(Error::CommandNotExpired.into());
    }
    let refunded = command.escrow;
    if let Err(short) = pots::to_account(state, CONTRACT_GAS, &command.sender, refunded)? {
        return Err(short
            .corruption(CONTRACT_GAS, "a command's gas is held until its result")
            .into());
    }
    command.escrow = 0;
    state.put(state_key::command(id, seq), Some(command.encode().to_vec()));
    state.put(marker, Some(vec![1]));
    Ok(vec![
        Event::CommandExpired {
            contract: *id,
            seq,
            sender: command.sender,
            refunded,
        }
        .into(),
    ])
}
