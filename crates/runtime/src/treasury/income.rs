//! Money into (and, for a refunded fee, back out of) the treasury, counted by source.

use super::state_key;
use crate::{
    balances::{Pot, TREASURY, pots, pots::Shortfall},
    state::{State, StateError, read_decoded},
};
use commonware_codec::Encode;
use phalanx_types::{AccountId, Amount};
use serde::{Deserialize, Serialize};

/// Where treasury income comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Transaction fees (less the fees refunded to gatekeepers for useful messages).
    Fees,
    /// The treasury's part (`treasury_ratio`, 20 %) of every mining payout.
    MiningPayouts,
    /// Stake slashed for an offence (equivocation, a revoked attestation).
    Slashes,
    /// Stake a reclaim did not return because V fell below Vᵉ (offline decay).
    LostStake,
    /// Deposits of proposals whose turnout fell far short of the quorum.
    ForfeitedDeposits,
    /// Fuel burned by contract commands, at `contracts.gas_price`.
    ContractGas,
}

impl Source {
    pub const ALL: [Source; 6] = [
        Source::Fees,
        Source::MiningPayouts,
        Source::Slashes,
        Source::LostStake,
        Source::ForfeitedDeposits,
        Source::ContractGas,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Source::Fees => "fees",
            Source::MiningPayouts => "mining_payouts",
            Source::Slashes => "slashes",
            Source::LostStake => "lost_stake",
            Source::ForfeitedDeposits => "forfeited_deposits",
            Source::ContractGas => "contract_gas",
        }
    }
}

/// What the treasury has received from `source`.
pub fn income(state: &(impl State + ?Sized), source: Source) -> Result<Amount, StateError> {
    Ok(read_decoded(state, state_key::income(source))?.unwrap_or(0))
}

fn count(
    state: &mut (impl State + ?Sized),
    source: Source,
    delta: impl FnOnce(Amount) -> Amount,
) -> Result<(), StateError> {
    let now = delta(income(state, source)?);
    state.put(state_key::income(source), Some(now.encode().to_vec()));
    Ok(())
}

/// Moves `amount` from pot `from` into the treasury, counted as `source`.
pub fn receive_from_pot(
    state: &mut (impl State + ?Sized),
    from: Pot,
    amount: Amount,
    source: Source,
) -> Result<Result<(), Shortfall>, StateError> {
    if let Err(short) = pots::move_between(state, from, TREASURY, amount)? {
        return Ok(Err(short));
    }
    count(state, source, |n| n.saturating_add(amount))?;
    Ok(Ok(()))
}

/// Moves `amount` from account `who` into the treasury, counted as `source` (the caller has
/// checked what the account must keep).
pub fn receive_from_account(
    state: &mut (impl State + ?Sized),
    who: &AccountId,
    amount: Amount,
    source: Source,
) -> Result<Result<(), Shortfall>, StateError> {
    if let Err(short) = pots::from_account(state, who, TREASURY, amount)? {
        return Ok(Err(short));
    }
    count(state, source, |n| n.saturating_add(amount))?;
    Ok(Ok(()))
}

/// Gives `amount` received from `source` back to `who` (a refunded fee), uncounting it.
pub fn refund_to_account(
    state: &mut (impl State + ?Sized),
    who: &AccountId,
    amount: Amount,
    source: Source,
) -> Result<Result<(), Shortfall>, StateError> {
    if let Err(short) = pots::to_account(state, TREASURY, who, amount)? {
        return Ok(Err(short));
    }
    count(state, source, |n| n.saturating_sub(amount))?;
    Ok(Ok(()))
}

/// What the treasury has paid out by governance since genesis.
pub fn spent(state: &(impl State + ?Sized)) -> Result<Amount, StateError> {
    Ok(read_decoded(state, state_key::spent())?.unwrap_or(0))
}

/// Pays `amount` from the treasury to `to` (a spend governance passed), or says what the
/// treasury holds. Counted in [`spent`], so income − spent = balance.
pub fn spend(
    state: &mut (impl State + ?Sized),
    to: &AccountId,
    amount: Amount,
) -> Result<Result<(), Shortfall>, StateError> {
    if let Err(short) = pots::to_account(state, TREASURY, to, amount)? {
        return Ok(Err(short));
    }
    let total = spent(state)?.saturating_add(amount);
    state.put(state_key::spent(), Some(total.encode().to_vec()));
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::MemoryState;

    #[test]
    fn income_is_counted_by_source_and_a_refund_uncounts_it() {
        let mut state = MemoryState::default();
        pots::set_balance(&mut state, crate::balances::MINING_REWARDS.0, 100);
        let take = |s: &mut MemoryState, amount, source| {
            receive_from_pot(s, crate::balances::MINING_REWARDS, amount, source)
        };
        assert_eq!(take(&mut state, 30, Source::MiningPayouts), Ok(Ok(())));
        assert_eq!(take(&mut state, 20, Source::Fees), Ok(Ok(())));
        // More than the pot holds: refused, nothing counted.
        assert_eq!(
            take(&mut state, 51, Source::Slashes),
            Ok(Err(Shortfall { available: 50 }))
        );
        assert_eq!(income(&state, Source::Slashes), Ok(0));
        use commonware_cryptography::Signer;
        let who = AccountId::from(
            commonware_cryptography::ed25519::PrivateKey::from_seed(1).public_key(),
        );
        assert_eq!(
            refund_to_account(&mut state, &who, 5, Source::Fees),
            Ok(Ok(()))
        );
        assert_eq!(income(&state, Source::Fees), Ok(15));
        assert_eq!(income(&state, Source::MiningPayouts), Ok(30));
        assert_eq!(pots::balance(&state, TREASURY.0), Ok(45));
    }
}
