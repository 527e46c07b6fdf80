//! A pool's record and a delegator's position, and how they are stored.

use super::{
    ledger::{Ledger, Withdrawal},
    params::{MAX_QUEUE_LIMIT, MAX_WORKERS_LIMIT},
    state_key,
};
use crate::state::{State, StateError, read_decoded};
use bytes::BufMut;
use commonware_codec::{
    Buf, Encode, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, Write,
};
use phalanx_types::{AccountId, Amount, PoolId, WorkerId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    pub owner: AccountId,
    pub ledger: Ledger,
    /// The pool's workers, in the order they were added.
    pub workers: Vec<WorkerId>,
    pub created_ms: u64,
    /// Mining payouts received after commission, since creation (what raised the price).
    pub rewards: Amount,
}

/// A delegator's place in one pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// Shares held, including those queued for withdrawal.
    pub shares: u128,
    /// Base units contributed, and paid back, since the first contribution.
    pub contributed: Amount,
    pub withdrawn: Amount,
    /// Shares a governance vote counted, which cannot be withdrawn before `locked_until_ms`.
    pub locked_shares: u128,
    pub locked_until_ms: u64,
}

impl Position {
    /// Shares locked by votes at `now_ms`.
    pub fn locked_at(&self, now_ms: u64) -> u128 {
        if now_ms < self.locked_until_ms {
            self.locked_shares
        } else {
            0
        }
    }
}

/// Locks at least `shares` of `delegator`'s position in `pool` until at least `until_ms` (a
/// vote counted them); like balance locks, a new lock extends the old one rather than adding.
pub fn lock_shares(
    state: &mut (impl State + ?Sized),
    pool: PoolId,
    delegator: &AccountId,
    shares: u128,
    until_ms: u64,
    now_ms: u64,
) -> Result<(), StateError> {
    let mut p = position(state, pool, delegator)?;
    let active = p.locked_at(now_ms);
    p.locked_shares = active.max(shares);
    p.locked_until_ms = if active > 0 {
        p.locked_until_ms.max(until_ms)
    } else {
        until_ms
    };
    set_position(state, pool, delegator, &p);
    Ok(())
}

pub fn pool(state: &(impl State + ?Sized), id: PoolId) -> Result<Option<Pool>, StateError> {
    read_decoded(state, state_key::pool(id))
}

/// A pool that a session or a worker record says exists: its absence is corruption.
pub(super) fn existing_pool(state: &(impl State + ?Sized), id: PoolId) -> Result<Pool, StateError> {
    pool(state, id)?.ok_or_else(|| StateError::Corrupt {
        key: state_key::pool(id),
        reason: format!("pool {id} owns a session but has no record"),
    })
}

pub(super) fn set_pool(state: &mut (impl State + ?Sized), id: PoolId, pool: &Pool) {
    state.put(state_key::pool(id), Some(pool.encode().to_vec()));
}

/// How many pools exist (ids are `0..count`).
pub fn pool_count(state: &(impl State + ?Sized)) -> Result<u64, StateError> {
    Ok(read_decoded(state, state_key::next_id())?.unwrap_or(0))
}

pub fn position(
    state: &(impl State + ?Sized),
    pool: PoolId,
    delegator: &AccountId,
) -> Result<Position, StateError> {
    Ok(read_decoded(state, state_key::position(pool, delegator))?.unwrap_or_default())
}

pub(super) fn set_position(
    state: &mut (impl State + ?Sized),
    pool: PoolId,
    delegator: &AccountId,
    position: &Position,
) {
    state.put(
        state_key::position(pool, delegator),
        Some(position.encode().to_vec()),
    );
}

/// The pool a worker belongs to, if any.
pub fn worker_pool(
    state: &(impl State + ?Sized),
    worker: &WorkerId,
) -> Result<Option<PoolId>, StateError> {
    read_decoded(state, state_key::worker_pool(worker))
}

impl Write for Position {
    fn write(&self, buf: &mut impl BufMut) {
        self.shares.write(buf);
        self.contributed.write(buf);
        self.withdrawn.write(buf);
        self.locked_shares.write(buf);
        self.locked_until_ms.write(buf);
    }
}

impl EncodeSize for Position {
    fn encode_size(&self) -> usize {
        72
    }
}

impl Read for Position {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            shares: u128::read(buf)?,
            contributed: Amount::read(buf)?,
            withdrawn: Amount::read(buf)?,
            locked_shares: u128::read(buf)?,
            locked_until_ms: u64::read(buf)?,
        })
    }
}

const WITHDRAWAL_SIZE: usize = AccountId::SIZE + 16 + 8;

impl Write for Pool {
    fn write(&self, buf: &mut impl BufMut) {
        self.owner.write(buf);
        let l = &self.ledger;
        l.total_shares.write(buf);
        l.free.write(buf);
        l.locked.write(buf);
        l.commission.write(buf);
        l.commission_ppm.write(buf);
        l.cap.write(buf);
        (l.queue.len() as u32).write(buf);
        for w in &l.queue {
            w.delegator.write(buf);
            w.shares.write(buf);
            w.requested_ms.write(buf);
        }
        (self.workers.len() as u32).write(buf);
        for worker in &self.workers {
            worker.write(buf);
        }
        self.created_ms.write(buf);
        self.rewards.write(buf);
    }
}

impl EncodeSize for Pool {
    fn encode_size(&self) -> usize {
        AccountId::SIZE
            + 4 * 16
            + 4
            + self.ledger.cap.encode_size()
            + 4
            + self.ledger.queue.len() * WITHDRAWAL_SIZE
            + 4
            + self.workers.len() * AccountId::SIZE
            + 8
            + 16
    }
}

/// Reads a length prefix no larger than `max`.
fn read_len(buf: &mut impl Buf, max: u32) -> Result<usize, CodecError> {
    let len = u32::read(buf)?;
    if len > max {
        return Err(CodecError::InvalidLength(len as usize));
    }
    Ok(len as usize)
}

impl Read for Pool {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let owner = AccountId::read(buf)?;
        let total_shares = u128::read(buf)?;
        let free = Amount::read(buf)?;
        let locked = Amount::read(buf)?;
        let commission = Amount::read(buf)?;
        let commission_ppm = u32::read(buf)?;
        let cap = Option::<Amount>::read(buf)?;
        let queue_len = read_len(buf, MAX_QUEUE_LIMIT)?;
        let mut queue = Vec::with_capacity(queue_len);
        for _ in 0..queue_len {
            queue.push(Withdrawal {
                delegator: AccountId::read(buf)?,
                shares: u128::read(buf)?,
                requested_ms: u64::read(buf)?,
            });
        }
        let workers_len = read_len(buf, MAX_WORKERS_LIMIT)?;
        let mut workers = Vec::with_capacity(workers_len);
        for _ in 0..workers_len {
            workers.push(WorkerId::read(buf)?);
        }
        Ok(Self {
            owner,
            ledger: Ledger {
                total_shares,
                free,
                locked,
                commission,
                commission_ppm,
                cap,
                queue,
            },
            workers,
            created_ms: u64::read(buf)?,
            rewards: Amount::read(buf)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::DecodeExt;

    fn account(seed: &str) -> AccountId {
        AccountId::from(commonware_cryptography::Signer::public_key(
            &phalanx_crypto::dev_key(seed),
        ))
    }

    #[test]
    fn a_pool_round_trips_and_oversized_lists_are_refused() {
        let mut ledger = Ledger::new(50_000, Some(9));
        ledger.total_shares = 7;
        ledger.free = 3;
        ledger.locked = 4;
        ledger.commission = 1;
        ledger.queue.push(Withdrawal {
            delegator: account("d"),
            shares: 2,
            requested_ms: 8,
        });
        let pool = Pool {
            owner: account("o"),
            ledger,
            workers: vec![account("w1"), account("w2")],
            created_ms: 5,
            rewards: 6,
        };
        let bytes = pool.encode();
        assert_eq!(bytes.len(), pool.encode_size());
        assert_eq!(Pool::decode(bytes.clone()).ok(), Some(pool.clone()));
        // A queue length beyond the limit is refused before anything is allocated.
        let mut forged = bytes.to_vec();
        let at = AccountId::SIZE + 4 * 16 + 4 + pool.ledger.cap.encode_size();
        forged[at..at + 4].copy_from_slice(&(MAX_QUEUE_LIMIT + 1).to_be_bytes());
        assert!(Pool::decode(bytes::Bytes::from(forged)).is_err());
        let position = Position {
            shares: 1,
            contributed: 2,
            withdrawn: 3,
            locked_shares: 4,
            locked_until_ms: 5,
        };
        assert_eq!(Position::decode(position.encode()).ok(), Some(position));
    }
}
