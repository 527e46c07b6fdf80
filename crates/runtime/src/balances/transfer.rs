//! Handler for `Call::Transfer`: the stateful part (the stateless checks are in the executor).

use super::{account, set_account};
use crate::{
    params::Params,
    receipt::{DispatchError, Event},
    state::{State, StateError},
};
use phalanx_types::{AccountId, Amount};

/// Moves `amount` from `from` to `to`, enforcing the existential-deposit rule on both sides.
///
/// Returns the events on success. On a dispatch error nothing has been written.
pub fn transfer(
    state: &mut (impl State + ?Sized),
    params: &Params,
    from: &AccountId,
    to: &AccountId,
    amount: Amount,
) -> Result<Result<Vec<Event>, DispatchError>, StateError> {
    if amount == 0 {
        return Ok(Err(DispatchError::ZeroAmount));
    }
    if from == to {
        return Ok(Err(DispatchError::SelfTransfer));
    }
    let mut sender = account(state, from)?;
    let mut recipient = account(state, to)?;
    let Some(left) = sender.balance.checked_sub(amount) else {
        return Ok(Err(DispatchError::InsufficientBalance));
    };
    if left < params.existential_deposit {
        return Ok(Err(DispatchError::SenderBelowExistentialDeposit));
    }
    let Some(received) = recipient.balance.checked_add(amount) else {
        return Ok(Err(DispatchError::Overflow));
    };
    if received < params.existential_deposit {
        return Ok(Err(DispatchError::RecipientBelowExistentialDeposit));
    }
    let created = recipient.balance == 0;
    sender.balance = left;
    recipient.balance = received;
    set_account(state, from, sender);
    set_account(state, to, recipient);
    let mut events = Vec::with_capacity(2);
    if created {
        events.push(Event::Endowed {
            account: to.clone(),
            amount,
        });
    }
    events.push(Event::Transfer {
        from: from.clone(),
        to: to.clone(),
        amount,
    });
    Ok(Ok(events))
}
