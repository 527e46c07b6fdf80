//! The mining-rewards accumulator: how emission is shared by shares without touching every
//! worker each block.
//!
//! Each block, what the schedule emitted since the last block is spread over the total share of
//! responsive sessions: `acc += emitted · 2⁶⁴ / Σshare`. A session remembers `acc` when its share
//! was last set; at its next heartbeat it is owed `share · (acc − acc_then) / 2⁶⁴`. Each session's
//! share is constant between its own events and Σshare is always the sum of the shares that
//! accrue, so the payouts of any span add up to at most what was emitted in it (rounding only
//! lowers them) — the reference's per-block `share/Σshare` with mismatched P could pay one
//! worker 100.05 % of a block. Emission while no one mines stays in the pot. The pot's balance
//! is a second, hard bound on every payout.
//!
//! Bounds: all emission is below 2⁶⁹ base units and a responsive share is at least
//! `2·min_p·c` ≥ 50 (params keep `min_p` ≥ 50 by default and c ≥ 0.5), so `acc` stays below
//! 2⁶⁹ / 50 · 2⁶⁴ < 2¹²⁷; it saturates rather than wraps if params drive it further.

use super::state_key;
use crate::{
    fixed::Fixed,
    state::{State, StateError, read_decoded},
    tokenomics,
};
use bytes::BufMut;
use commonware_codec::{Buf, Encode, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use num_bigint::BigUint;
use phalanx_types::Amount;

/// Scale of the accumulator.
const ACC_BITS: u32 = 64;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RewardPool {
    /// Σ share of responsive (mining) sessions.
    pub total_share: Fixed,
    /// Base units per unit of share since genesis, × 2⁶⁴.
    pub acc: u128,
    /// Emission already spread (or left in the pot while nobody mined).
    pub accounted: Amount,
}

impl Write for RewardPool {
    fn write(&self, buf: &mut impl BufMut) {
        self.total_share.write(buf);
        self.acc.write(buf);
        self.accounted.write(buf);
    }
}

impl EncodeSize for RewardPool {
    fn encode_size(&self) -> usize {
        48
    }
}

impl Read for RewardPool {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            total_share: Fixed::read(buf)?,
            acc: u128::read(buf)?,
            accounted: Amount::read(buf)?,
        })
    }
}

pub fn pool(state: &(impl State + ?Sized)) -> Result<RewardPool, StateError> {
    Ok(read_decoded(state, state_key::rewards())?.unwrap_or_default())
}

pub fn set_pool(state: &mut (impl State + ?Sized), pool: &RewardPool) {
    state.put(state_key::rewards(), Some(pool.encode().to_vec()));
}

/// Spreads what was emitted since the last call over Σshare (the block hook).
pub fn distribute(state: &mut (impl State + ?Sized)) -> Result<(), StateError> {
    let mut p = pool(state)?;
    let emitted = tokenomics::emitted(state)?;
    let new = emitted.saturating_sub(p.accounted);
    if new == 0 {
        return Ok(());
    }
    if !p.total_share.is_zero() {
        let step = (BigUint::from(new) << (ACC_BITS + 64)) / BigUint::from(p.total_share.to_bits());
        let step = u128::try_from(&step).unwrap_or(u128::MAX);
        p.acc = p.acc.saturating_add(step);
    }
    p.accounted = emitted;
    set_pool(state, &p);
    Ok(())
}

/// What a share accrued between `acc_then` and `acc_now`, in base units (rounded down).
pub fn accrued(share: Fixed, acc_then: u128, acc_now: u128) -> Amount {
    let delta = acc_now.saturating_sub(acc_then);
    let owed = (BigUint::from(share.to_bits()) * BigUint::from(delta)) >> (ACC_BITS + 64);
    Amount::try_from(&owed).unwrap_or(Amount::MAX)
}

/// A session's share in Σshare changes from `old` to `new` (zero for a session that is not
/// mining); returns the accumulator the session's new share accrues from. Every change of a
/// mining session's share goes through here, so Σshare stays the sum of the mining sessions'
/// shares. Σshare cannot overflow (each share is below 2³³ and there are at most
/// `registry::MAX_WORKERS` sessions), so an overflow is reported as corruption.
pub fn replace_share(
    state: &mut (impl State + ?Sized),
    old: Fixed,
    new: Fixed,
) -> Result<u128, StateError> {
    let mut p = pool(state)?;
    p.total_share = p
        .total_share
        .saturating_sub(old)
        .checked_add(new)
        .ok_or_else(|| StateError::Corrupt {
            key: state_key::rewards(),
            reason: "the total mining share left the fixed-point range".into(),
        })?;
    set_pool(state, &p);
    Ok(p.acc)
}
