//! Calls of the `stakepool` component: pools that delegators fund and whose owner mines with
//! their stake.

use crate::{AccountId, Amount, WorkerId};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, Write};

/// A pool's number, given in order of creation from 0.
pub type PoolId = u64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StakePoolCall {
    /// Create a pool owned by the signer: `commission_ppm` (parts per million, at most
    /// 1,000,000) of every mining payout goes to the owner; `cap` bounds the pool's value.
    Create {
        commission_ppm: u32,
        cap: Option<Amount>,
    },
    /// The owner adds a worker it operates, which has no mining session and is in no pool.
    AddWorker { pool: PoolId, worker: WorkerId },
    /// The owner removes a worker that has no session (mining or cooling down).
    RemoveWorker { pool: PoolId, worker: WorkerId },
    /// The owner starts mining with one of the pool's workers, staking `stake` base units of
    /// the pool's free stake; the pool owns the session.
    StartMining {
        pool: PoolId,
        worker: WorkerId,
        stake: Amount,
    },
    /// Stop a pool's session: its owner at any time, anyone once a withdrawal has waited
    /// longer than the grace period.
    StopMining { pool: PoolId, worker: WorkerId },
    /// Delegate `amount` base units of the signer's to the pool, for shares at the pool's price.
    Contribute { pool: PoolId, amount: Amount },
    /// Withdraw `shares` of the signer's: paid at once from free stake, or queued.
    Withdraw { pool: PoolId, shares: u128 },
    /// The owner takes the commission the pool holds for it.
    ClaimCommission { pool: PoolId },
}

impl StakePoolCall {
    const TAG_CREATE: u8 = 0;
    const TAG_ADD_WORKER: u8 = 1;
    const TAG_REMOVE_WORKER: u8 = 2;
    const TAG_START_MINING: u8 = 3;
    const TAG_STOP_MINING: u8 = 4;
    const TAG_CONTRIBUTE: u8 = 5;
    const TAG_WITHDRAW: u8 = 6;
    const TAG_CLAIM_COMMISSION: u8 = 7;

    pub fn name(&self) -> &'static str {
        match self {
            StakePoolCall::Create { .. } => "stakepool.create",
            StakePoolCall::AddWorker { .. } => "stakepool.add_worker",
            StakePoolCall::RemoveWorker { .. } => "stakepool.remove_worker",
            StakePoolCall::StartMining { .. } => "stakepool.start_mining",
            StakePoolCall::StopMining { .. } => "stakepool.stop_mining",
            StakePoolCall::Contribute { .. } => "stakepool.contribute",
            StakePoolCall::Withdraw { .. } => "stakepool.withdraw",
            StakePoolCall::ClaimCommission { .. } => "stakepool.claim_commission",
        }
    }

    /// The pool the call is about (none for `create`).
    pub fn pool(&self) -> Option<PoolId> {
        match self {
            StakePoolCall::Create { .. } => None,
            StakePoolCall::AddWorker { pool, .. }
            | StakePoolCall::RemoveWorker { pool, .. }
            | StakePoolCall::StartMining { pool, .. }
            | StakePoolCall::StopMining { pool, .. }
            | StakePoolCall::Contribute { pool, .. }
            | StakePoolCall::Withdraw { pool, .. }
            | StakePoolCall::ClaimCommission { pool } => Some(*pool),
        }
    }

    /// The worker the call is about, if any.
    pub fn worker(&self) -> Option<&WorkerId> {
        match self {
            StakePoolCall::AddWorker { worker, .. }
            | StakePoolCall::RemoveWorker { worker, .. }
            | StakePoolCall::StartMining { worker, .. }
            | StakePoolCall::StopMining { worker, .. } => Some(worker),
            _ => None,
        }
    }
}

impl Write for StakePoolCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            StakePoolCall::Create {
                commission_ppm,
                cap,
            } => {
                Self::TAG_CREATE.write(buf);
                commission_ppm.write(buf);
                cap.write(buf);
            }
            StakePoolCall::AddWorker { pool, worker } => {
                Self::TAG_ADD_WORKER.write(buf);
                pool.write(buf);
                worker.write(buf);
            }
            StakePoolCall::RemoveWorker { pool, worker } => {
                Self::TAG_REMOVE_WORKER.write(buf);
                pool.write(buf);
                worker.write(buf);
            }
            StakePoolCall::StartMining {
                pool,
                worker,
                stake,
            } => {
                Self::TAG_START_MINING.write(buf);
                pool.write(buf);
                worker.write(buf);
                stake.write(buf);
            }
            StakePoolCall::StopMining { pool, worker } => {
                Self::TAG_STOP_MINING.write(buf);
                pool.write(buf);
                worker.write(buf);
            }
            StakePoolCall::Contribute { pool, amount } => {
                Self::TAG_CONTRIBUTE.write(buf);
                pool.write(buf);
                amount.write(buf);
            }
            StakePoolCall::Withdraw { pool, shares } => {
                Self::TAG_WITHDRAW.write(buf);
                pool.write(buf);
                shares.write(buf);
            }
            StakePoolCall::ClaimCommission { pool } => {
                Self::TAG_CLAIM_COMMISSION.write(buf);
                pool.write(buf);
            }
        }
    }
}

impl EncodeSize for StakePoolCall {
    fn encode_size(&self) -> usize {
        1 + match self {
            StakePoolCall::Create { cap, .. } => 4 + cap.encode_size(),
            StakePoolCall::AddWorker { .. }
            | StakePoolCall::RemoveWorker { .. }
            | StakePoolCall::StopMining { .. } => 8 + AccountId::SIZE,
            StakePoolCall::StartMining { .. } => 8 + AccountId::SIZE + Amount::SIZE,
            StakePoolCall::Contribute { .. } | StakePoolCall::Withdraw { .. } => 8 + 16,
            StakePoolCall::ClaimCommission { .. } => 8,
        }
    }
}

impl Read for StakePoolCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_CREATE => Ok(StakePoolCall::Create {
                commission_ppm: u32::read(buf)?,
                cap: Option::<Amount>::read(buf)?,
            }),
            Self::TAG_ADD_WORKER => Ok(StakePoolCall::AddWorker {
                pool: u64::read(buf)?,
                worker: WorkerId::read(buf)?,
            }),
            Self::TAG_REMOVE_WORKER => Ok(StakePoolCall::RemoveWorker {
                pool: u64::read(buf)?,
                worker: WorkerId::read(buf)?,
            }),
            Self::TAG_START_MINING => Ok(StakePoolCall::StartMining {
                pool: u64::read(buf)?,
                worker: WorkerId::read(buf)?,
                stake: Amount::read(buf)?,
            }),
            Self::TAG_STOP_MINING => Ok(StakePoolCall::StopMining {
                pool: u64::read(buf)?,
                worker: WorkerId::read(buf)?,
            }),
            Self::TAG_CONTRIBUTE => Ok(StakePoolCall::Contribute {
                pool: u64::read(buf)?,
                amount: Amount::read(buf)?,
            }),
            Self::TAG_WITHDRAW => Ok(StakePoolCall::Withdraw {
                pool: u64::read(buf)?,
                shares: u128::read(buf)?,
            }),
            Self::TAG_CLAIM_COMMISSION => Ok(StakePoolCall::ClaimCommission {
                pool: u64::read(buf)?,
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
