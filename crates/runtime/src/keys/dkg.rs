//! The DKG messages of a round: a dealer's dealing, a player's acknowledgement, a dealer's
//! signed log. Each is checked against the round in progress; the first one from a sender
//! counts, an identical repeat confirms it (and pays its fee), a different one is a
//! disagreement.

use super::{StoredDeal, ack_key, active, deal_key, log_key, round::record_log, round_info};
use crate::{
    executor::BlockEnv,
    receipt::{DispatchError, Event},
    state::{State, StateError},
};
use commonware_codec::Encode;
use phalanx_threshold::{Ack, PubMsg, SignedLog, round::RoundCodec};
use phalanx_types::{Envelope, WorkerId};

type Handled = Result<Result<Vec<Event>, DispatchError>, StateError>;

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
) -> Result<Result<bool, DispatchError>, StateError> {
    match state.get(&key)? {
        Some(held) if held == value => Ok(Ok(false)),
        Some(_) => Ok(Err(DispatchError::KeyDisagreement)),
        None => {
            state.put(key, Some(value));
            Ok(Ok(true))
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
) -> Handled {
    let Some(record) = current(state, round)? else {
        return Ok(Err(DispatchError::DkgWrongRound));
    };
    if !record.dealers.contains(sender) {
        return Ok(Err(DispatchError::NotDealer));
    }
    if PubMsg::decode_bytes(commitment).is_err() || shares.len() != record.players.len() {
        return Ok(Err(DispatchError::DkgBadMessage));
    }
    let stored = StoredDeal {
        commitment: commitment.to_vec(),
        shares: shares.to_vec(),
    };
    Ok(
        first_wins(state, deal_key(round, sender), stored.encode().to_vec())?.map(|new| {
            vec![Event::DkgMessage {
                round,
                kind: "deal",
                by: sender.clone(),
                confirmation: !new,
            }]
        }),
    )
}

/// A player's acknowledgement of `dealer`'s share.
pub fn ack(
    state: &mut (impl State + ?Sized),
    sender: &WorkerId,
    round: u64,
    dealer: &WorkerId,
    ack: &[u8],
) -> Handled {
    let Some(record) = current(state, round)? else {
        return Ok(Err(DispatchError::DkgWrongRound));
    };
    if !record.players.contains(sender) {
        return Ok(Err(DispatchError::NotPlayer));
    }
    if !record.dealers.contains(dealer) || state.get(&deal_key(round, dealer))?.is_none() {
        return Ok(Err(DispatchError::NotDealer));
    }
    let Ok(decoded) = Ack::decode_bytes(ack) else {
        return Ok(Err(DispatchError::DkgBadMessage));
    };
    Ok(first_wins(
        state,
        ack_key(round, dealer, sender),
        decoded.encode().to_vec(),
    )?
    .map(|new| {
        vec![Event::DkgMessage {
            round,
            kind: "ack",
            by: sender.clone(),
            confirmation: !new,
        }]
    }))
}

/// A dealer's signed log: checked in full (signature for this round, every acknowledgement,
/// every revealed share) before it is recorded; a quorum of them finishes the round.
pub fn log(
    state: &mut (impl State + ?Sized),
    env: &BlockEnv,
    sender: &WorkerId,
    round: u64,
    log: &[u8],
) -> Handled {
    let Some(record) = current(state, round)? else {
        return Ok(Err(DispatchError::DkgWrongRound));
    };
    if !record.dealers.contains(sender) {
        return Ok(Err(DispatchError::NotDealer));
    }
    if let Some(held) = state.get(&log_key(round, sender))? {
        if held != log {
            return Ok(Err(DispatchError::KeyDisagreement));
        }
        return Ok(Ok(vec![Event::DkgMessage {
            round,
            kind: "log",
            by: sender.clone(),
            confirmation: true,
        }]));
    }
    let info = match round_info(state, &env.chain_id, &record)? {
        Ok(info) => info,
        Err(reason) => {
            return Err(StateError::Corrupt {
                key: super::round_key(round),
                reason,
            });
        }
    };
    let Ok(signed) = SignedLog::decode_bytes(log) else {
        return Ok(Err(DispatchError::DkgBadMessage));
    };
    if phalanx_threshold::check_log(&info, signed, sender.public_key()).is_err() {
        return Ok(Err(DispatchError::DkgBadLog));
    }
    record_log(state, env, &record, &info, sender, log)
}
