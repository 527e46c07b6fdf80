//! A mining session: the stake, V and the benchmark of one worker, from start to reclaim.
//!
//! States: no session (ready) → `Mining` ⇄ `Unresponsive` → `CoolingDown` → reclaim → no
//! session. V is stored as of `value_at_ms` and brought forward in closed form by
//! [`Session::settle`] whenever the session is touched, never per block.

use super::{
    Params,
    value::{self, Benchmark, Overflow, Performance, Value},
};
use crate::fixed::Fixed;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, Write};
use num_bigint::BigUint;
use phalanx_types::{AccountId, Amount, PoolId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    Mining = 0,
    Unresponsive = 1,
    CoolingDown = 2,
}

/// Who a session pays and returns stake to: the account that started it, or the stake pool
/// whose owner started it with the pool's stake. In JSON `{"account": ".."}` or `{"pool": 3}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionOwner {
    Account(AccountId),
    Pool(PoolId),
}

impl SessionOwner {
    const TAG_ACCOUNT: u8 = 0;
    const TAG_POOL: u8 = 1;

    /// The account, for a session an account owns.
    pub fn account(&self) -> Option<&AccountId> {
        match self {
            SessionOwner::Account(a) => Some(a),
            SessionOwner::Pool(_) => None,
        }
    }
}

impl std::fmt::Display for SessionOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionOwner::Account(a) => write!(f, "{a}"),
            SessionOwner::Pool(id) => write!(f, "pool {id}"),
        }
    }
}

impl Write for SessionOwner {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            SessionOwner::Account(a) => {
                Self::TAG_ACCOUNT.write(buf);
                a.write(buf);
            }
            SessionOwner::Pool(id) => {
                Self::TAG_POOL.write(buf);
                id.write(buf);
            }
        }
    }
}

impl EncodeSize for SessionOwner {
    fn encode_size(&self) -> usize {
        1 + match self {
            SessionOwner::Account(_) => AccountId::SIZE,
            SessionOwner::Pool(_) => 8,
        }
    }
}

impl Read for SessionOwner {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_ACCOUNT => Ok(SessionOwner::Account(AccountId::read(buf)?)),
            Self::TAG_POOL => Ok(SessionOwner::Pool(u64::read(buf)?)),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}

/// An account that owns a session is named by events about it; a pool is not an account.
impl crate::events::Accounts for SessionOwner {
    fn add_accounts(&self, out: &mut Vec<AccountId>) {
        if let SessionOwner::Account(account) = self {
            crate::events::Accounts::add_accounts(account, out);
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub owner: SessionOwner,
    pub state: SessionState,
    /// Base units in the mining stake pot for this session.
    pub stake: Amount,
    /// Vᵉ, fixed at the start.
    pub initial_value: Fixed,
    pub value: Value,
    /// Block time V was last brought forward to.
    pub value_at_ms: u64,
    pub bench: Benchmark,
    pub confidence: u8,
    pub started_ms: u64,
    /// When the session stopped (0 while it runs).
    pub cool_down_since_ms: u64,
    /// The beacon round of the oldest challenge the worker has not answered, if any.
    pub owed_round: Option<u64>,
    /// When that challenge was issued (block time).
    pub owed_since_ms: u64,
    /// The share counted in Σshare while mining (`√(V² + (2·P·c)²)` as of the last event).
    pub share: Fixed,
    /// The rewards accumulator when `share` was last set.
    pub acc_at: u128,
    /// Height of the block of the last payout (one payout per block at most).
    pub paid_height: u64,
    /// Base units paid to the owner so far in this session.
    pub rewards: Amount,
}

/// Ticks whose end falls in `(from_ms, to_ms]`: boundaries are multiples of `tick_ms` since the
/// epoch, so splitting a span at any time gives the same total.
pub fn ticks_between(params: &Params, from_ms: u64, to_ms: u64) -> u64 {
    let tick = params.tick_ms.max(1);
    (to_ms / tick).saturating_sub(from_ms / tick)
}

impl Session {
    /// A session that starts mining at `now_ms` with V = Vᵉ, instant P = benchmark P, nothing
    /// owed and no share counted yet (the caller sets `share` and `acc_at` when it enters
    /// Σshare).
    pub fn start(
        owner: SessionOwner,
        stake: Amount,
        initial_value: Fixed,
        p: u32,
        iterations: u64,
        confidence: u8,
        now_ms: u64,
    ) -> Session {
        let p_bench = Fixed::from_int(u64::from(p));
        Session {
            owner,
            state: SessionState::Mining,
            stake,
            initial_value,
            value: Value {
                v: initial_value,
                deductible: Fixed::ZERO,
            },
            value_at_ms: now_ms,
            bench: Benchmark {
                p_bench,
                p_instant: p_bench,
                iterations_last: iterations,
                challenge_time_last_ms: now_ms,
            },
            confidence,
            started_ms: now_ms,
            cool_down_since_ms: 0,
            owed_round: None,
            owed_since_ms: 0,
            share: Fixed::ZERO,
            acc_at: 0,
            paid_height: 0,
            rewards: 0,
        }
    }

    /// Brings V forward to `now_ms`: idle growth while mining, decay while unresponsive,
    /// nothing once stopped.
    pub fn settle(&mut self, params: &Params, now_ms: u64) -> Result<(), Overflow> {
        let ticks = ticks_between(params, self.value_at_ms, now_ms);
        self.value = match self.state {
            SessionState::Mining => {
                let perf = Performance {
                    p_instant: self.bench.p_instant,
                    p_bench: self.bench.p_bench,
                };
                value::grow(params, self.value, perf, ticks)?
            }
            SessionState::Unresponsive => value::decay(params, self.value, ticks)?,
            SessionState::CoolingDown => self.value,
        };
        self.value_at_ms = self.value_at_ms.max(now_ms);
        Ok(())
    }

    /// The share its current V and P give: `√(V² + (2·P·c)²)`.
    pub fn current_share(&self, params: &Params) -> Result<Fixed, Overflow> {
        value::share(params, self.value.v, self.bench.p_instant, self.confidence)
    }

    /// The stake a reclaim returns: `min(V / Vᵉ, 1) · S`, rounded down.
    pub fn returned_stake(&self) -> Amount {
        if self.value.v >= self.initial_value || self.initial_value.is_zero() {
            return self.stake;
        }
        let returned = BigUint::from(self.stake) * BigUint::from(self.value.v.to_bits())
            / BigUint::from(self.initial_value.to_bits());
        // V < Vᵉ, so the result is below the stake.
        Amount::try_from(&returned)
            .unwrap_or(self.stake)
            .min(self.stake)
    }
}

impl Write for Session {
    fn write(&self, buf: &mut impl BufMut) {
        self.owner.write(buf);
        (self.state as u8).write(buf);
        self.stake.write(buf);
        self.initial_value.write(buf);
        self.value.v.write(buf);
        self.value.deductible.write(buf);
        self.value_at_ms.write(buf);
        self.bench.p_bench.write(buf);
        self.bench.p_instant.write(buf);
        self.bench.iterations_last.write(buf);
        self.bench.challenge_time_last_ms.write(buf);
        self.confidence.write(buf);
        self.started_ms.write(buf);
        self.cool_down_since_ms.write(buf);
        self.owed_round.write(buf);
        self.owed_since_ms.write(buf);
        self.share.write(buf);
        self.acc_at.write(buf);
        self.paid_height.write(buf);
        self.rewards.write(buf);
    }
}

impl EncodeSize for Session {
    fn encode_size(&self) -> usize {
        self.owner.encode_size()
            + 1
            + Amount::SIZE
            + 5 * Fixed::SIZE
            + 8
            + 8
            + 8
            + 1
            + 8
            + 8
            + self.owed_round.encode_size()
            + 8
            + Fixed::SIZE
            + 16
            + 8
            + Amount::SIZE
    }
}

impl Read for Session {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let owner = SessionOwner::read(buf)?;
        let state = match u8::read(buf)? {
            0 => SessionState::Mining,
            1 => SessionState::Unresponsive,
            2 => SessionState::CoolingDown,
            tag => return Err(CodecError::InvalidEnum(tag)),
        };
        Ok(Self {
            owner,
            state,
            stake: Amount::read(buf)?,
            initial_value: Fixed::read(buf)?,
            value: Value {
                v: Fixed::read(buf)?,
                deductible: Fixed::read(buf)?,
            },
            value_at_ms: u64::read(buf)?,
            bench: Benchmark {
                p_bench: Fixed::read(buf)?,
                p_instant: Fixed::read(buf)?,
                iterations_last: u64::read(buf)?,
                challenge_time_last_ms: u64::read(buf)?,
            },
            confidence: u8::read(buf)?,
            started_ms: u64::read(buf)?,
            cool_down_since_ms: u64::read(buf)?,
            owed_round: Option::<u64>::read(buf)?,
            owed_since_ms: u64::read(buf)?,
            share: Fixed::read(buf)?,
            acc_at: u128::read(buf)?,
            paid_height: u64::read(buf)?,
            rewards: Amount::read(buf)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::{DecodeExt, Encode};
    use phalanx_types::UNITS_PER_PHA;

    fn session(v: u64, initial: u64) -> Session {
        Session {
            owner: SessionOwner::Account(AccountId::from(
                commonware_cryptography::Signer::public_key(&phalanx_crypto::dev_key("owner")),
            )),
            state: SessionState::CoolingDown,
            stake: 1_000 * UNITS_PER_PHA,
            initial_value: Fixed::from_int(initial),
            value: Value {
                v: Fixed::from_int(v),
                deductible: Fixed::ZERO,
            },
            value_at_ms: 5,
            bench: Benchmark::default(),
            confidence: 1,
            started_ms: 1,
            cool_down_since_ms: 2,
            owed_round: Some(9),
            owed_since_ms: 3,
            share: Fixed::from_int(3),
            acc_at: 11,
            paid_height: 4,
            rewards: 12,
        }
    }

    #[test]
    fn the_stake_returned_is_min_of_v_over_ve_and_one() {
        assert_eq!(
            session(3_000, 3_000).returned_stake(),
            1_000 * UNITS_PER_PHA
        );
        assert_eq!(
            session(3_100, 3_000).returned_stake(),
            1_000 * UNITS_PER_PHA
        );
        assert_eq!(session(1_500, 3_000).returned_stake(), 500 * UNITS_PER_PHA);
        assert_eq!(session(0, 3_000).returned_stake(), 0);
    }

    #[test]
    fn ticks_are_counted_on_absolute_boundaries() {
        let params = Params::default();
        assert_eq!(ticks_between(&params, 0, 11_999), 0);
        assert_eq!(ticks_between(&params, 11_999, 12_000), 1);
        // Splitting a span anywhere gives the same total.
        let whole = ticks_between(&params, 5_000, 1_000_000);
        assert_eq!(
            whole,
            ticks_between(&params, 5_000, 400_321) + ticks_between(&params, 400_321, 1_000_000)
        );
        assert_eq!(ticks_between(&params, 9, 3), 0);
    }

    #[test]
    fn a_session_round_trips_its_encoding() {
        let mut s = session(1_500, 3_000);
        let bytes = s.encode();
        assert_eq!(bytes.len(), s.encode_size());
        assert_eq!(Session::decode(bytes).ok(), Some(s.clone()));
        s.owner = SessionOwner::Pool(7);
        let bytes = s.encode();
        assert_eq!(bytes.len(), s.encode_size());
        assert_eq!(&bytes[..9], &[1, 0, 0, 0, 0, 0, 0, 0, 7]);
        assert_eq!(Session::decode(bytes).ok(), Some(s));
    }
}
