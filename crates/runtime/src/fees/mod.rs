//! `fees`: every transaction pays a fee in PHA, by size and by the work its call does (each
//! component prices its calls in its `call_info`); fees go to the treasury pot. Also holds the
//! block's capacity (transactions and bytes).
//!
//! | file | what |
//! |------|------|
//! | `params.rs` | base fee, per byte, per call class, block capacity |
//! | `event.rs` | `fee_paid`, `fee_refunded` |
//!
//! No state of its own (fees land in the `treasury` pot of `balances`), no calls.

mod event;
mod params;

pub use event::Event;
pub use params::Params;

use crate::{
    balances::{self, TREASURY},
    state::{State, StateError},
};
use phalanx_types::{AccountId, Amount};

/// The least fee a transaction of `encoded_len` bytes whose call does `call_fee` of work must
/// offer. Saturating: absurd parameters give an unpayable fee, never an overflow.
pub fn required_fee(params: &Params, encoded_len: usize, call_fee: Amount) -> Amount {
    params
        .base_fee
        .saturating_add(params.fee_per_byte.saturating_mul(encoded_len as Amount))
        .saturating_add(call_fee)
}

/// Why a fee cannot be charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CannotPay {
    pub balance: Amount,
}

/// Takes `fee` from `payer` into the treasury, keeping the existential deposit.
pub fn charge(
    state: &mut (impl State + ?Sized),
    balances: &balances::Params,
    payer: &AccountId,
    fee: Amount,
) -> Result<Result<(), CannotPay>, StateError> {
    let balance = balances::account(state, payer)?.balance;
    match balance.checked_sub(fee) {
        Some(left) if left >= balances.existential_deposit => {}
        _ => return Ok(Err(CannotPay { balance })),
    }
    Ok(
        crate::treasury::receive_from_account(state, payer, fee, crate::treasury::Source::Fees)?
            .map_err(|s| CannotPay {
                balance: s.available,
            }),
    )
}

/// Gives a charged `fee` back to `payer` (a gatekeeper's message that did new work).
pub fn refund(
    state: &mut (impl State + ?Sized),
    payer: &AccountId,
    fee: Amount,
) -> Result<(), StateError> {
    crate::treasury::refund_to_account(state, payer, fee, crate::treasury::Source::Fees)?
        .map_err(|short| short.corruption(TREASURY, "the fee being refunded was just charged"))
}
