//! What a transaction asks the chain to do: one call enum per runtime component, each under
//! one outer tag.
//!
//! The outer tag names the component (it never changes once assigned); the component's own
//! enum carries its calls with tags of its own. A component with calls adds one file here and
//! one variant to [`Call`]. Both sets of tags are part of the frozen encoding
//! (`tests/encoding.rs`): never reuse or renumber one.

mod balances;
mod computation;
mod contracts;
mod governance;
mod keys;
mod mq;
mod registry;
mod stakepool;

pub use balances::BalancesCall;
pub use computation::{ComputationCall, SignedHeartbeat};
pub use contracts::{
    ContractsCall, MAX_CLUSTER_MEMBERS, MAX_CODE_BYTES, MAX_COMMAND_EVENT_BYTES,
    MAX_COMMAND_EVENTS, MAX_COMMAND_IO, MAX_SEALED_BYTES, Sealed,
};
pub use governance::{
    GovernanceCall, MAX_COMPONENT_NAME, MAX_PARAMS_BYTES, MAX_SIGNAL_TEXT, MAX_VOTE_POOLS,
    ProposalAction, VoteChoice,
};
pub use keys::KeysCall;
pub use mq::MqCall;
pub use registry::RegistryCall;
pub use stakepool::{PoolId, StakePoolCall};

use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};

/// A call, addressed to the component that handles it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    Balances(BalancesCall),
    Registry(RegistryCall),
    Mq(MqCall),
    Keys(KeysCall),
    Computation(ComputationCall),
    StakePool(StakePoolCall),
    Governance(GovernanceCall),
    Contracts(ContractsCall),
}

impl Call {
    const TAG_BALANCES: u8 = 0;
    const TAG_REGISTRY: u8 = 1;
    const TAG_MQ: u8 = 2;
    const TAG_KEYS: u8 = 3;
    const TAG_COMPUTATION: u8 = 4;
    const TAG_STAKEPOOL: u8 = 5;
    const TAG_GOVERNANCE: u8 = 6;
    const TAG_CONTRACTS: u8 = 7;

    /// `component.call`, used in events, logs and the RPC.
    pub fn name(&self) -> &'static str {
        match self {
            Call::Balances(c) => c.name(),
            Call::Registry(c) => c.name(),
            Call::Mq(c) => c.name(),
            Call::Keys(c) => c.name(),
            Call::Computation(c) => c.name(),
            Call::StakePool(c) => c.name(),
            Call::Governance(c) => c.name(),
            Call::Contracts(c) => c.name(),
        }
    }
}

impl From<BalancesCall> for Call {
    fn from(c: BalancesCall) -> Self {
        Call::Balances(c)
    }
}
impl From<RegistryCall> for Call {
    fn from(c: RegistryCall) -> Self {
        Call::Registry(c)
    }
}
impl From<MqCall> for Call {
    fn from(c: MqCall) -> Self {
        Call::Mq(c)
    }
}
impl From<KeysCall> for Call {
    fn from(c: KeysCall) -> Self {
        Call::Keys(c)
    }
}
impl From<ComputationCall> for Call {
    fn from(c: ComputationCall) -> Self {
        Call::Computation(c)
    }
}
impl From<StakePoolCall> for Call {
    fn from(c: StakePoolCall) -> Self {
        Call::StakePool(c)
    }
}
impl From<GovernanceCall> for Call {
    fn from(c: GovernanceCall) -> Self {
        Call::Governance(c)
    }
}
impl From<ContractsCall> for Call {
    fn from(c: ContractsCall) -> Self {
        Call::Contracts(c)
    }
}

impl Write for Call {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            Call::Balances(c) => {
                Self::TAG_BALANCES.write(buf);
                c.write(buf);
            }
            Call::Registry(c) => {
                Self::TAG_REGISTRY.write(buf);
                c.write(buf);
            }
            Call::Mq(c) => {
                Self::TAG_MQ.write(buf);
                c.write(buf);
            }
            Call::Keys(c) => {
                Self::TAG_KEYS.write(buf);
                c.write(buf);
            }
            Call::Computation(c) => {
                Self::TAG_COMPUTATION.write(buf);
                c.write(buf);
            }
            Call::StakePool(c) => {
                Self::TAG_STAKEPOOL.write(buf);
                c.write(buf);
            }
            Call::Governance(c) => {
                Self::TAG_GOVERNANCE.write(buf);
                c.write(buf);
            }
            Call::Contracts(c) => {
                Self::TAG_CONTRACTS.write(buf);
                c.write(buf);
            }
        }
    }
}

impl EncodeSize for Call {
    fn encode_size(&self) -> usize {
        1 + match self {
            Call::Balances(c) => c.encode_size(),
            Call::Registry(c) => c.encode_size(),
            Call::Mq(c) => c.encode_size(),
            Call::Keys(c) => c.encode_size(),
            Call::Computation(c) => c.encode_size(),
            Call::StakePool(c) => c.encode_size(),
            Call::Governance(c) => c.encode_size(),
            Call::Contracts(c) => c.encode_size(),
        }
    }
}

impl Read for Call {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_BALANCES => Ok(Call::Balances(BalancesCall::read(buf)?)),
            Self::TAG_REGISTRY => Ok(Call::Registry(RegistryCall::read(buf)?)),
            Self::TAG_MQ => Ok(Call::Mq(MqCall::read(buf)?)),
            Self::TAG_KEYS => Ok(Call::Keys(KeysCall::read(buf)?)),
            Self::TAG_COMPUTATION => Ok(Call::Computation(ComputationCall::read(buf)?)),
            Self::TAG_STAKEPOOL => Ok(Call::StakePool(StakePoolCall::read(buf)?)),
            Self::TAG_GOVERNANCE => Ok(Call::Governance(GovernanceCall::read(buf)?)),
            Self::TAG_CONTRACTS => Ok(Call::Contracts(ContractsCall::read(buf)?)),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
