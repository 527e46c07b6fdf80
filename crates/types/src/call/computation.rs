//! Calls of the `computation` component: mining sessions, and the evidence that slashes them.

use crate::{Amount, ChainId, Payload, WorkerId, WorkerMessage};
use bytes::BufMut;
use commonware_codec::{
    Buf, Encode, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, Write,
};
use commonware_cryptography::{Verifier, ed25519};

/// One signed `mining_heartbeat` message of a worker, as evidence: with the worker and the
/// round (given once in the call), it rebuilds the [`WorkerMessage`] the signature covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeartbeat {
    pub seq: u64,
    pub iterations: u64,
    pub signature: ed25519::Signature,
}

impl SignedHeartbeat {
    /// The message this evidence claims `worker` signed for `round`.
    pub fn message(&self, worker: &WorkerId, round: u64) -> WorkerMessage {
        WorkerMessage {
            sender: worker.clone(),
            seq: self.seq,
            payload: Payload::MiningHeartbeat {
                round,
                iterations: self.iterations,
            },
        }
    }

    /// Whether `worker` signed it for `round` on `chain`.
    pub fn verify(&self, worker: &WorkerId, round: u64, chain: &ChainId) -> bool {
        worker.public_key().verify(
            &crate::mq_namespace(chain),
            &self.message(worker, round).encode(),
            &self.signature,
        )
    }
}

impl Write for SignedHeartbeat {
    fn write(&self, buf: &mut impl BufMut) {
        self.seq.write(buf);
        self.iterations.write(buf);
        self.signature.write(buf);
    }
}

impl EncodeSize for SignedHeartbeat {
    fn encode_size(&self) -> usize {
        8 + 8 + ed25519::Signature::SIZE
    }
}

impl Read for SignedHeartbeat {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            seq: u64::read(buf)?,
            iterations: u64::read(buf)?,
            signature: ed25519::Signature::read(buf)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComputationCall {
    /// Start mining with `worker` (operated by the signer), moving `stake` base units from the
    /// signer into the mining stake pot.
    StartMining { worker: WorkerId, stake: Amount },
    /// Stop mining: the session cools down, then its stake can be reclaimed.
    StopMining { worker: WorkerId },
    /// After the cool-down, return the stake (less what V lost) to the session's owner.
    Reclaim { worker: WorkerId },
    /// Evidence (from anyone) that `worker` signed two different heartbeats for one challenge
    /// round: its session is slashed and stopped.
    ReportEquivocation {
        worker: WorkerId,
        round: u64,
        first: Box<SignedHeartbeat>,
        second: Box<SignedHeartbeat>,
    },
    /// A claim (from anyone) that `worker`'s attestation no longer passes the policy (its
    /// measurement left the allow-list, or its TCB level is no longer accepted): the chain
    /// checks it against the record and, if so, slashes and stops the session.
    ReportRevoked { worker: WorkerId },
}

impl ComputationCall {
    const TAG_START_MINING: u8 = 0;
    const TAG_STOP_MINING: u8 = 1;
    const TAG_RECLAIM: u8 = 2;
    const TAG_REPORT_EQUIVOCATION: u8 = 3;
    const TAG_REPORT_REVOKED: u8 = 4;

    pub fn name(&self) -> &'static str {
        match self {
            ComputationCall::StartMining { .. } => "computation.start_mining",
            ComputationCall::StopMining { .. } => "computation.stop_mining",
            ComputationCall::Reclaim { .. } => "computation.reclaim",
            ComputationCall::ReportEquivocation { .. } => "computation.report_equivocation",
            ComputationCall::ReportRevoked { .. } => "computation.report_revoked",
        }
    }

    /// The worker the call is about.
    pub fn worker(&self) -> &WorkerId {
        match self {
            ComputationCall::StartMining { worker, .. }
            | ComputationCall::StopMining { worker }
            | ComputationCall::Reclaim { worker }
            | ComputationCall::ReportEquivocation { worker, .. }
            | ComputationCall::ReportRevoked { worker } => worker,
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
            ComputationCall::ReportEquivocation {
                worker,
                round,
                first,
                second,
            } => {
                Self::TAG_REPORT_EQUIVOCATION.write(buf);
                worker.write(buf);
                round.write(buf);
                first.write(buf);
                second.write(buf);
            }
            ComputationCall::ReportRevoked { worker } => {
                Self::TAG_REPORT_REVOKED.write(buf);
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
                ComputationCall::StopMining { .. }
                | ComputationCall::Reclaim { .. }
                | ComputationCall::ReportRevoked { .. } => 0,
                ComputationCall::ReportEquivocation { first, second, .. } => {
                    8 + first.encode_size() + second.encode_size()
                }
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
            Self::TAG_REPORT_EQUIVOCATION => Ok(ComputationCall::ReportEquivocation {
                worker: WorkerId::read(buf)?,
                round: u64::read(buf)?,
                first: Box::new(SignedHeartbeat::read(buf)?),
                second: Box::new(SignedHeartbeat::read(buf)?),
            }),
            Self::TAG_REPORT_REVOKED => Ok(ComputationCall::ReportRevoked {
                worker: WorkerId::read(buf)?,
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
