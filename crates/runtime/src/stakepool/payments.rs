//! Paying what the ledger decided: queued withdrawals leave the stake-pools pot for the
//! delegators' accounts and their shares leave their positions.

use super::{Event, ledger::Payment, pool};
use crate::{
    CallResult,
    balances::pots::{self, STAKE_POOLS},
    state::{State, StateError},
};
use phalanx_types::PoolId;

pub(super) fn pay(
    state: &mut (impl State + ?Sized),
    id: PoolId,
    payments: Vec<Payment>,
) -> CallResult {
    let mut events = Vec::with_capacity(payments.len());
    for p in payments {
        if let Err(short) = pots::to_account(state, STAKE_POOLS, &p.delegator, p.amount)? {
            return Err(short
                .corruption(STAKE_POOLS, "the pot holds every pool's free stake")
                .into());
        }
        let mut position = pool::position(state, id, &p.delegator)?;
        position.shares =
            position
                .shares
                .checked_sub(p.shares)
                .ok_or_else(|| StateError::Corrupt {
                    key: super::state_key::position(id, &p.delegator),
                    reason: format!("a queued withdrawal of pool {id} exceeds the shares held"),
                })?;
        position.withdrawn = position.withdrawn.saturating_add(p.amount);
        pool::set_position(state, id, &p.delegator, &position);
        events.push(
            Event::WithdrawalPaid {
                pool: id,
                delegator: p.delegator,
                shares: p.shares,
                amount: p.amount,
            }
            .into(),
        );
    }
    Ok(events)
}
