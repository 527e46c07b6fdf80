//! Pots: PHA that a component holds (the treasury, the mining reserve, mining rewards; later
//! stake and escrow). No key can sign for a pot; only these functions move PHA in or out of
//! one, so "total supply = accounts + pots" stays one sum.

use super::{Account, account, set_account, state_key};
use crate::state::{State, StateError, read_decoded};
use commonware_codec::Encode;
use phalanx_types::{AccountId, Amount};

/// A named pot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pot(pub &'static str);

/// Fees, the treasury's share of mining payouts, slashed amounts.
pub const TREASURY: Pot = Pot("treasury");
/// 70 % of the supply at genesis; emission moves it into [`MINING_REWARDS`] block by block.
pub const MINING_RESERVE: Pot = Pot("mining_reserve");
/// Emitted and not yet paid to workers (the computation component pays from it).
pub const MINING_REWARDS: Pot = Pot("mining_rewards");
/// The stake of every mining session, from start to reclaim.
pub const MINING_STAKE: Pot = Pot("mining_stake");
/// Every stake pool's free stake and unclaimed commission (what its sessions do not hold).
pub const STAKE_POOLS: Pot = Pot("stake_pools");
/// Gas held for contract commands until their result comes back (then burned fuel goes to the
/// treasury and the rest back to the sender).
pub const CONTRACT_GAS: Pot = Pot("contract_gas");
/// Deposits of proposals still open (returned, or forfeited to the treasury, when they close).
pub const GOVERNANCE_DEPOSITS: Pot = Pot("governance_deposits");

/// A pot's balance (by name: genesis may create pots of any name).
pub fn balance(state: &(impl State + ?Sized), name: &str) -> Result<Amount, StateError> {
    Ok(read_decoded(state, state_key::pot(name))?.unwrap_or(0))
}

/// Sets a pot's balance: genesis only; everything after it moves PHA instead.
pub(crate) fn set_balance(state: &mut (impl State + ?Sized), name: &str, amount: Amount) {
    state.put(state_key::pot(name), Some(amount.encode().to_vec()));
}

/// A move that the source cannot cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shortfall {
    pub available: Amount,
}

impl Shortfall {
    /// For a move whose caller has just made sure `from` covers it: falling short there means
    /// the stored balances are not what the runtime wrote.
    pub fn corruption(self, from: Pot, why: &str) -> StateError {
        StateError::Corrupt {
            key: state_key::pot(from.0),
            reason: format!("{why}: pot `{}` holds only {}", from.0, self.available),
        }
    }
}

/// Takes `amount` out of pot `from`, or says what it holds.
fn debit(
    state: &mut (impl State + ?Sized),
    from: Pot,
    amount: Amount,
) -> Result<Result<(), Shortfall>, StateError> {
    let available = balance(state, from.0)?;
    let Some(left) = available.checked_sub(amount) else {
        return Ok(Err(Shortfall { available }));
    };
    set_balance(state, from.0, left);
    Ok(Ok(()))
}

/// Adds `amount` to pot `to`. Cannot overflow: every pot holds part of a supply far below
/// u128::MAX, and the amount was just taken from somewhere.
fn credit(state: &mut (impl State + ?Sized), to: Pot, amount: Amount) -> Result<(), StateError> {
    let target = balance(state, to.0)?;
    set_balance(state, to.0, target.saturating_add(amount));
    Ok(())
}

/// Moves `amount` from pot `from` to pot `to`.
pub fn move_between(
    state: &mut (impl State + ?Sized),
    from: Pot,
    to: Pot,
    amount: Amount,
) -> Result<Result<(), Shortfall>, StateError> {
    if let Err(short) = debit(state, from, amount)? {
        return Ok(Err(short));
    }
    credit(state, to, amount)?;
    Ok(Ok(()))
}

/// Moves `amount` from account `who` into pot `to`. The caller has checked what the account
/// must keep (fees: the existential deposit).
pub fn from_account(
    state: &mut (impl State + ?Sized),
    who: &AccountId,
    to: Pot,
    amount: Amount,
) -> Result<Result<(), Shortfall>, StateError> {
    let mut payer = account(state, who)?;
    let Some(left) = payer.balance.checked_sub(amount) else {
        return Ok(Err(Shortfall {
            available: payer.balance,
        }));
    };
    payer.balance = left;
    set_account(state, who, payer);
    credit(state, to, amount)?;
    Ok(Ok(()))
}

/// Moves `amount` from pot `from` to account `who`.
pub fn to_account(
    state: &mut (impl State + ?Sized),
    from: Pot,
    who: &AccountId,
    amount: Amount,
) -> Result<Result<(), Shortfall>, StateError> {
    if let Err(short) = debit(state, from, amount)? {
        return Ok(Err(short));
    }
    let mut payee: Account = account(state, who)?;
    payee.balance = payee.balance.saturating_add(amount);
    set_account(state, who, payee);
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::MemoryState;

    #[test]
    fn moves_exactly_what_a_pot_holds_and_not_a_unit_more() {
        let mut state = MemoryState::default();
        set_balance(&mut state, MINING_RESERVE.0, 10);
        let before = state.clone();
        assert_eq!(
            move_between(&mut state, MINING_RESERVE, MINING_REWARDS, 11),
            Ok(Err(Shortfall { available: 10 }))
        );
        assert_eq!(state, before);
        assert_eq!(
            move_between(&mut state, MINING_RESERVE, MINING_REWARDS, 10),
            Ok(Ok(()))
        );
        assert_eq!(balance(&state, MINING_RESERVE.0), Ok(0));
        assert_eq!(balance(&state, MINING_REWARDS.0), Ok(10));
        let who = AccountId::from(commonware_cryptography::Signer::public_key(
            &phalanx_crypto::dev_key("pots"),
        ));
        assert_eq!(
            to_account(&mut state, MINING_REWARDS, &who, 11),
            Ok(Err(Shortfall { available: 10 }))
        );
        assert_eq!(to_account(&mut state, MINING_REWARDS, &who, 4), Ok(Ok(())));
        assert_eq!(
            from_account(&mut state, &who, TREASURY, 5),
            Ok(Err(Shortfall { available: 4 }))
        );
        assert_eq!(from_account(&mut state, &who, TREASURY, 4), Ok(Ok(())));
        assert_eq!(balance(&state, TREASURY.0), Ok(4));
        assert_eq!(account(&state, &who).map(|a| a.balance), Ok(0));
    }
}
