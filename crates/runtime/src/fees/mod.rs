//! The `fees` module: every transaction pays a fee in PHA, by size and by the work its call
//! does, and fees go to the treasury pot.

use crate::{
    balances::{self, TREASURY},
    params::Params,
    state::{State, StateError},
};
use phalanx_types::{Amount, Call};

/// The least fee a transaction of `encoded_len` bytes carrying `call` must offer.
///
/// Saturating: absurd parameters give an unpayable fee, never an overflow.
pub fn required_fee(params: &Params, encoded_len: usize, call: &Call) -> Amount {
    let call_fee = match call {
        Call::Transfer { .. } => params.transfer_fee,
        Call::RegisterWorker { .. } => params.attestation_fee,
        Call::SetAttestationPolicy { .. }
        | Call::PromoteGatekeeper { .. }
        | Call::RotateMasterKey => params.admin_fee,
        // One signature check and a few writes: priced like a transfer.
        Call::PushMessage { .. } => params.transfer_fee,
    };
    params
        .base_fee
        .saturating_add(params.fee_per_byte.saturating_mul(encoded_len as Amount))
        .saturating_add(call_fee)
}

/// Moves `fee` from the payer's (already-debited) balance into the treasury pot.
pub fn credit_treasury(state: &mut (impl State + ?Sized), fee: Amount) -> Result<(), StateError> {
    let treasury = balances::pot(state, TREASURY)?;
    // Cannot overflow: the treasury holds part of a supply capped far below u128::MAX.
    balances::set_pot(state, TREASURY, treasury.saturating_add(fee));
    Ok(())
}
