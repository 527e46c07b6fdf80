//! Locks: part of an account's balance that cannot be transferred, staked or delegated until a
//! time (a governance vote locks what it counted until the vote ends, so the same PHA cannot
//! vote twice from two accounts). Fees may still be paid from locked PHA, so an account that
//! voted can still send transactions; the vote keeps the weight it was cast with.
//!
//! One lock per account: a new lock extends it to the larger amount and the later end (several
//! votes by the same PHA overlap rather than add up, as the same PHA backs each of them).

use super::{account, state_key};
use crate::state::{State, StateError, read_decoded};
use bytes::BufMut;
use commonware_codec::{Buf, Encode, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{AccountId, Amount};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lock {
    pub amount: Amount,
    /// Block time from which the lock no longer holds.
    pub until_ms: u64,
}

impl Lock {
    /// What it locks at `now_ms`.
    pub fn at(&self, now_ms: u64) -> Amount {
        if now_ms < self.until_ms {
            self.amount
        } else {
            0
        }
    }
}

pub fn lock(state: &(impl State + ?Sized), who: &AccountId) -> Result<Lock, StateError> {
    Ok(read_decoded(state, state_key::lock(who))?.unwrap_or_default())
}

/// What `who` may not spend at `now_ms`.
pub fn locked(
    state: &(impl State + ?Sized),
    who: &AccountId,
    now_ms: u64,
) -> Result<Amount, StateError> {
    Ok(lock(state, who)?.at(now_ms))
}

/// What `who` may spend at `now_ms`: its balance less what is locked.
pub fn spendable(
    state: &(impl State + ?Sized),
    who: &AccountId,
    now_ms: u64,
) -> Result<Amount, StateError> {
    let balance = account(state, who)?.balance;
    Ok(balance.saturating_sub(locked(state, who, now_ms)?))
}

/// Whether `amount` can leave `who`'s balance (for a stake, a contribution, a deposit) and
/// leave at least the existential deposit and what votes lock at `now_ms`.
pub fn can_spend(
    state: &(impl State + ?Sized),
    who: &AccountId,
    amount: Amount,
    existential_deposit: Amount,
    now_ms: u64,
) -> Result<bool, StateError> {
    let Some(keeps) = account(state, who)?.balance.checked_sub(amount) else {
        return Ok(false);
    };
    Ok(keeps >= existential_deposit.max(locked(state, who, now_ms)?))
}

/// Locks at least `amount` of `who` until at least `until_ms`.
pub fn extend_lock(
    state: &mut (impl State + ?Sized),
    who: &AccountId,
    amount: Amount,
    until_ms: u64,
    now_ms: u64,
) -> Result<Lock, StateError> {
    let old = lock(state, who)?;
    let new = Lock {
        amount: old.at(now_ms).max(amount),
        until_ms: if old.at(now_ms) > 0 {
            old.until_ms.max(until_ms)
        } else {
            until_ms
        },
    };
    state.put(state_key::lock(who), Some(new.encode().to_vec()));
    Ok(new)
}

impl Write for Lock {
    fn write(&self, buf: &mut impl BufMut) {
        self.amount.write(buf);
        self.until_ms.write(buf);
    }
}

impl EncodeSize for Lock {
    fn encode_size(&self) -> usize {
        24
    }
}

impl Read for Lock {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            amount: Amount::read(buf)?,
            until_ms: u64::read(buf)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::MemoryState;

    #[test]
    fn a_lock_extends_to_the_larger_amount_and_the_later_end_and_then_expires() {
        let mut state = MemoryState::default();
        let who = AccountId::from(commonware_cryptography::Signer::public_key(
            &phalanx_crypto::dev_key("locked"),
        ));
        assert_eq!(locked(&state, &who, 0), Ok(0));
        extend_lock(&mut state, &who, 10, 100, 0).unwrap();
        extend_lock(&mut state, &who, 5, 200, 50).unwrap();
        assert_eq!(
            lock(&state, &who),
            Ok(Lock {
                amount: 10,
                until_ms: 200
            })
        );
        assert_eq!(locked(&state, &who, 199), Ok(10));
        assert_eq!(locked(&state, &who, 200), Ok(0));
        // An expired lock is replaced, not extended.
        extend_lock(&mut state, &who, 3, 300, 250).unwrap();
        assert_eq!(
            lock(&state, &who),
            Ok(Lock {
                amount: 3,
                until_ms: 300
            })
        );
    }
}
