//! The `balances` module: PHA held by accounts and by system pots, nonces, and transfers.
//!
//! * state: `account(id)` → [`Account`]; `pot(name)` → u128; `total_issuance` → u128.
//! * rule against dust: an account's balance is either 0 (never created) or at least the
//!   existential deposit. Accounts are never reaped, so nonces never reset and an old
//!   transaction can never be replayed.
//! * pots (`treasury`, `mining_reserve`, …) are balances no key can sign for; only runtime logic
//!   (fees now, rewards and governance later) moves funds in or out of them.

mod transfer;

pub use transfer::transfer;

use crate::state::{State, StateError, StateKey, state_key};
use bytes::BufMut;
use commonware_codec::{
    Buf, DecodeExt, Encode, EncodeSize, Error as CodecError, Read, ReadExt, Write,
};
use phalanx_types::{AccountId, Amount};

/// The pot that receives fees (and, later, the treasury share of mining payouts).
pub const TREASURY: &str = "treasury";

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

/// State key of an account.
pub fn account_key(id: &AccountId) -> StateKey {
    state_key("balances", "account", id.as_bytes())
}

/// State key of a pot.
pub fn pot_key(name: &str) -> StateKey {
    state_key("balances", "pot", name.as_bytes())
}

/// State key of the total issuance.
pub fn total_issuance_key() -> StateKey {
    state_key("balances", "total_issuance", b"")
}

fn corrupt(key: StateKey, e: CodecError) -> StateError {
    StateError::Corrupt {
        key,
        reason: e.to_string(),
    }
}

/// Reads an account (a never-created account reads as zero balance, nonce 0).
pub fn account(state: &(impl State + ?Sized), id: &AccountId) -> Result<Account, StateError> {
    let key = account_key(id);
    match state.get(&key)? {
        None => Ok(Account::default()),
        Some(bytes) => Account::decode(bytes.as_slice().to_vec()).map_err(|e| corrupt(key, e)),
    }
}

/// Writes an account. A zero-balance, zero-nonce account is not stored.
pub fn set_account(state: &mut (impl State + ?Sized), id: &AccountId, account: Account) {
    let value = (account != Account::default()).then(|| account.encode().to_vec());
    state.put(account_key(id), value);
}

fn read_amount(state: &(impl State + ?Sized), key: StateKey) -> Result<Amount, StateError> {
    match state.get(&key)? {
        None => Ok(0),
        Some(bytes) => Amount::decode(bytes.as_slice().to_vec()).map_err(|e| corrupt(key, e)),
    }
}

/// Reads a pot's balance.
pub fn pot(state: &(impl State + ?Sized), name: &str) -> Result<Amount, StateError> {
    read_amount(state, pot_key(name))
}

/// Writes a pot's balance.
pub fn set_pot(state: &mut (impl State + ?Sized), name: &str, amount: Amount) {
    state.put(pot_key(name), Some(amount.encode().to_vec()));
}

/// Reads the total issuance.
pub fn total_issuance(state: &(impl State + ?Sized)) -> Result<Amount, StateError> {
    read_amount(state, total_issuance_key())
}

/// Writes the total issuance (genesis only: nothing mints after genesis).
pub fn set_total_issuance(state: &mut (impl State + ?Sized), amount: Amount) {
    state.put(total_issuance_key(), Some(amount.encode().to_vec()));
}
