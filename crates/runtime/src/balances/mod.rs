//! `balances`: PHA held by accounts and by pots, nonces, and transfers.
//!
//! | file | what |
//! |------|------|
//! | `params.rs` | the existential deposit |
//! | `state_key.rs` | `account(id)` → [`Account`]; `pot(name)` → u128; `total_issuance` → u128 |
//! | `event.rs` | `transfer`, `endowed` |
//! | `error.rs` | codes 1–6 |
//! | `genesis.rs` | the allocation: every PHA that will ever exist, to accounts and pots |
//! | `lock.rs` | what an account may not spend until a time (votes) |
//! | `pots.rs` | the only functions that move PHA into or out of a pot |
//! | `call.rs` | [`BalancesCall`](phalanx_types::BalancesCall): fee class and prefetch keys |
//! | `transfer.rs` | the transfer handler |
//!
//! Rule against dust: an account's balance is either 0 (never created) or at least the
//! existential deposit. Accounts are never reaped, so nonces never reset and an old
//! transaction can never be replayed.

mod call;
mod error;
mod event;
mod genesis;
pub mod lock;
mod params;
pub mod pots;
pub mod state_key;
mod transfer;

pub use call::{call_info, dispatch};
pub use error::Error;
pub use event::Event;
pub use genesis::{Allocation, Genesis, Recipient};
pub use lock::{Lock, spendable};
pub use params::Params;
pub use pots::{MINING_RESERVE, MINING_REWARDS, Pot, TREASURY};

use crate::state::{State, StateError, read_decoded};
use bytes::BufMut;
use commonware_codec::{Buf, Encode, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{AccountId, Amount};

/// An account's balance and next nonce.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Account {
    pub balance: Amount,
    pub nonce: u64,
}

impl Write for Account {
    fn write(&self, buf: &mut impl BufMut) {
        self.balance.write(buf);
        self.nonce.write(buf);
    }
}

impl EncodeSize for Account {
    fn encode_size(&self) -> usize {
        16 + 8
    }
}

impl Read for Account {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            balance: Amount::read(buf)?,
            nonce: u64::read(buf)?,
        })
    }
}

/// Reads an account (a never-created account reads as zero balance, nonce 0).
pub fn account(state: &(impl State + ?Sized), id: &AccountId) -> Result<Account, StateError> {
    Ok(read_decoded(state, state_key::account(id))?.unwrap_or_default())
}

/// Writes an account. A zero-balance, zero-nonce account is not stored.
pub fn set_account(state: &mut (impl State + ?Sized), id: &AccountId, account: Account) {
    let value = (account != Account::default()).then(|| account.encode().to_vec());
    state.put(state_key::account(id), value);
}

/// A pot's balance.
pub fn pot(state: &(impl State + ?Sized), pot: Pot) -> Result<Amount, StateError> {
    pots::balance(state, pot.0)
}

/// The total issuance: the supply, fixed at genesis (nothing mints afterwards).
pub fn total_issuance(state: &(impl State + ?Sized)) -> Result<Amount, StateError> {
    Ok(read_decoded(state, state_key::total_issuance())?.unwrap_or(0))
}
