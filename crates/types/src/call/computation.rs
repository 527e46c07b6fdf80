//! Calls of the `computation` component: mining sessions.

use crate::{Amount, WorkerId};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, Write};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComputationCall {
    /// Start mining with `worker` (operated by the signer), moving `stake` base units from the
    /// signer into the mining stake pot.
    StartMining { worker: WorkerId, stake: Amount },
    /// Stop mining: the session cools down, then its stake can be reclaimed.
    StopMining { worker: WorkerId },
    /// After the cool-down, return the stake (less what V lost) to the session's owner.
    Reclaim { worker: WorkerId },
}

impl ComputationCall {
    const TAG_START_MINING: u8 = 0;
    const TAG_STOP_MINING: u8 = 1;
    const TAG_RECLAIM: u8 = 2;

    pub fn name(&self) -> &'static str {
        match self {
            ComputationCall::StartMining { .. } => "computation.start_mining",
            ComputationCall::StopMining { .. } => "computation.stop_mining",
            ComputationCall::Reclaim { .. } => "computation.reclaim",
        }
    }

    /// The worker the call is about.
    pub fn worker(&self) -> &WorkerId {
        match self {
            ComputationCall::StartMining { worker, .. }
            | ComputationCall::StopMining { worker }
            | ComputationCall::Reclaim { worker } => worker,
        }
    }
}

impl Write for ComputationCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            ComputationCall::StartMining { worker, stake } => {
                Self::TAG_START_MINING.write(buf);
                worker.write(buf);
                stake.write(buf);
            }
            ComputationCall::StopMining { worker } => {
                Self::TAG_STOP_MINING.write(buf);
                worker.write(buf);
            }
            ComputationCall::Reclaim { worker } => {
                Self::TAG_RECLAIM.write(buf);
                worker.write(buf);
            }
        }
    }
}

impl EncodeSize for ComputationCall {
    fn encode_size(&self) -> usize {
        1 + WorkerId::SIZE
            + match self {
                ComputationCall::StartMining { .. } => Amount::SIZE,
                ComputationCall::StopMining { .. } | ComputationCall::Reclaim { .. } => 0,
            }
    }
}

impl Read for ComputationCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_START_MINING => Ok(ComputationCall::StartMining {
                worker: WorkerId::read(buf)?,
                stake: Amount::read(buf)?,
            }),
            Self::TAG_STOP_MINING => Ok(ComputationCall::StopMining {
                worker: WorkerId::read(buf)?,
            }),
            Self::TAG_RECLAIM => Ok(ComputationCall::Reclaim {
                worker: WorkerId::read(buf)?,
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
