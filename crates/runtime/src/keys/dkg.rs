//! The DKG messages of a round: a dealer's dealing, a player's acknowledgement, a dealer's
//! signed log. Each is checked against the round in progress; the first one from a sender
//! counts, an identical repeat confirms it (and pays its fee), a different one is a
//! disagreement.

use super::{Error, Event, StoredDeal, active, round::record_log, round_info, state_key};
use crate::{
    CallResult, Ctx,
    state::{State, StateError},
};
use commonware_codec::Encode;
use phalanx_threshold::{Ack, PubMsg, SignedLog, round::RoundCodec};
use phalanx_types::{Envelope, WorkerId};

/// The round in progress, if it is `round`.
fn current(
    state: &(impl State + ?Sized),
    round: u64,
) -> Result<Option<super::RoundRecord>, StateError> {
    Ok(active(state)?.filter(|r| r.round == round))
}

/// Stores `value` under `key` unless something is there: the same bytes confirm, others
/// disagree.
fn first_wins(
    state: &mut (impl State + ?Sized),
    key: crate::state::StateKey,
    value: Vec<u8>,
) -> CallResult<bool> {
    match state.get(&key)? {
        Some(held) if held == value => Ok(false),
        Some(_) => Err(Error::KeyDisagreement.into()),
        None => {
            state.put(key, Some(value));
            Ok(true)
        }
    }
}

/// A dealer's dealing: its commitment and one encrypted share per player.
pub fn deal(
    state: &mut (impl State + ?Sized),
    sender: &WorkerId,
    round: u64,
    commitment: &[u8],
    shares: &[Envelope],
) -> CallResult {
    let Some(record) = current(state, round)? else {
        return Err(Error::DkgWrongRound.into());
    };
    if !record.dealers.contains(sender) {
        return Err(Error::NotDealer.into());
    }
    if PubMsg::decode_bytes(commitment).is_err() || shares.len() != record.players.len() {
        return Err(Error::DkgBadMessage.into());
    }
    let stored = StoredDeal {
        commitment: commitment.to_vec(),
        shares: shares.to_vec(),
    };
    let new = first_wins(
        state,
        state_key::deal(round, sender),
        stored.encode().to_vec(),
    )?;
    Ok(vec![
        Event::DkgMessage {
            round,
            kind: "deal".into(),
            by: sender.clone(),
            confirmation: !new,
        }
        .into(),
    ])
}

/// A player's acknowledgement of `dealer`'s share.
pub fn ack(
    state: &mut (impl State + ?Sized),
    sender: &WorkerId,
    round: u64,
    dealer: &WorkerId,
    ack: &[u8],
) -> CallResult {
    let Some(record) = current(state, round)? else {
        return Err(Error::DkgWrongRound.into());
    };
    if !record.players.contains(sender) {
        return Err(Error::NotPlayer.into());
    }
    if !record.dealers.contains(dealer) || state.get(&state_key::deal(round, dealer))?.is_none() {
        return Err(Error::NotDealer.into());
    }
    let Ok(decoded) = Ack::decode_bytes(ack) else {
        return Err(Error::DkgBadMessage.into());
    };
    let new = first_wins(
        state,
        state_key::ack(round, dealer, sender),
        decoded.encode().to_vec(),
    )?;
    Ok(vec![
        Event::DkgMessage {
            round,
            kind: "ack".into(),
            by: sender.clone(),
            confirmation: !new,
        }
        .into(),
    ])
}

/// A dealer's signed log: checked in full (signature for this round, every acknowledgement,
/// every revealed share) before it is recorded; a quorum of them finishes the round.
pub fn log(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    sender: &WorkerId,
    round: u64,
    log: &[u8],
) -> CallResult {
    let Some(record) = current(state, round)? else {
        return Err(Error::DkgWrongRound.into());
    };
    if !record.dealers.contains(sender) {
        return Err(Error::NotDealer.into());
    }
    if let Some(held) = state.get(&state_key::log(round, sender))? {
        if held != log {
            return Err(Error::KeyDisagreement.into());
        }
        return Ok(vec![
            Event::DkgMessage {
                round,
                kind: "log".into(),
                by: sender.clone(),
                confirmation: true,
            }
            .into(),
        ]);
    }
    let info = match round_info(state, &ctx.env.chain_id, &record)? {
        Ok(info) => info,
        Err(reason) => {
            return Err(StateError::Corrupt {
                key: state_key::round(round),
                reason,
            }
            .into());
        }
    };
    let Ok(signed) = SignedLog::decode_bytes(log) else {
        return Err(Error::DkgBadMessage.into());
    };
    if phalanx_threshold::check_log(&info, signed, sender.public_key()).is_err() {
        return Err(Error::DkgBadLog.into());
    }
    record_log(state, ctx.env, &record, &info, sender, log)
}
