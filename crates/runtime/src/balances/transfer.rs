//! `balances.transfer`: the stateful part (the stateless checks are the executor's).

use super::{Error, Event, account, set_account};
use crate::{CallResult, Ctx, state::State};
use phalanx_types::{AccountId, Amount};

/// Moves `amount` from the signer to `to`, enforcing the existential-deposit rule on both
/// sides.
pub fn transfer(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    to: &AccountId,
    amount: Amount,
) -> CallResult {
    let from = ctx.signer;
    let existential_deposit = ctx.params.balances.existential_deposit;
    if amount == 0 {
        return Err(Error::ZeroAmount.into());
    }
    if from == to {
        return Err(Error::SelfTransfer.into());
    }
    let mut sender = account(state, from)?;
    let mut recipient = account(state, to)?;
    let left = sender
        .balance
        .checked_sub(amount)
        .ok_or(Error::InsufficientBalance)?;
    if left < existential_deposit {
        return Err(Error::SenderBelowExistentialDeposit.into());
    }
    if left < super::lock::locked(state, from, ctx.env.timestamp_ms)? {
        return Err(Error::BalanceLocked.into());
    }
    let received = recipient
        .balance
        .checked_add(amount)
        .ok_or(Error::Overflow)?;
    if received < existential_deposit {
        return Err(Error::RecipientBelowExistentialDeposit.into());
    }
    let created = recipient.balance == 0;
    sender.balance = left;
    recipient.balance = received;
    set_account(state, from, sender);
    set_account(state, to, recipient);
    let mut events = Vec::with_capacity(2);
    if created {
        events.push(
            Event::Endowed {
                account: to.clone(),
                amount,
            }
            .into(),
        );
    }
    events.push(
        Event::Transfer {
            from: from.clone(),
            to: to.clone(),
            amount,
        }
        .into(),
    );
    Ok(events)
}
