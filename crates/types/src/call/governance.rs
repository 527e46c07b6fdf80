//! Calls of the `governance` component: proposals and votes.

use crate::{AccountId, Amount, AttestationPolicy, PoolId, WorkerId};
use bytes::BufMut;
use commonware_codec::{
    Buf, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, ReadRangeExt, Write,
};

/// Longest component name in a parameter change.
pub const MAX_COMPONENT_NAME: usize = 32;
/// Largest encoded parameter set in a parameter change.
pub const MAX_PARAMS_BYTES: usize = 4_096;
/// Longest text of a signal proposal, bytes of UTF-8.
pub const MAX_SIGNAL_TEXT: usize = 1_024;
/// Most pools one vote may count shares in.
pub const MAX_VOTE_POOLS: usize = 16;

/// What a proposal does if it passes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProposalAction {
    /// Replace one component's parameters with `params` (that component's canonical encoding
    /// of its whole parameter set; `phalanx gov propose params` builds it from JSON).
    SetParams { component: String, params: Vec<u8> },
    /// Replace the attestation policy.
    SetAttestationPolicy { policy: AttestationPolicy },
    /// Make a registered, freshly attested worker a gatekeeper.
    PromoteGatekeeper { worker: WorkerId },
    /// Take a gatekeeper out of the set; the master key is reshared to the others.
    RemoveGatekeeper { worker: WorkerId },
    /// Start a fresh DKG for the next master key generation.
    RotateMasterKey,
    /// Pay `amount` from the treasury to `to`.
    TreasurySpend { to: AccountId, amount: Amount },
    /// No effect: the chain records what its holders think.
    Signal { text: String },
    /// Create a cluster of chosen workers for contracts (as `contracts.create_cluster`).
    CreateCluster { members: Vec<WorkerId> },
}

impl ProposalAction {
    const TAG_SET_PARAMS: u8 = 0;
    const TAG_SET_ATTESTATION_POLICY: u8 = 1;
    const TAG_PROMOTE_GATEKEEPER: u8 = 2;
    const TAG_ROTATE_MASTER_KEY: u8 = 3;
    const TAG_TREASURY_SPEND: u8 = 4;
    const TAG_SIGNAL: u8 = 5;
    const TAG_REMOVE_GATEKEEPER: u8 = 6;
    const TAG_CREATE_CLUSTER: u8 = 7;

    /// Its kind, for events and lists.
    pub fn kind(&self) -> &'static str {
        match self {
            ProposalAction::SetParams { .. } => "set_params",
            ProposalAction::SetAttestationPolicy { .. } => "set_attestation_policy",
            ProposalAction::PromoteGatekeeper { .. } => "promote_gatekeeper",
            ProposalAction::RemoveGatekeeper { .. } => "remove_gatekeeper",
            ProposalAction::RotateMasterKey => "rotate_master_key",
            ProposalAction::TreasurySpend { .. } => "treasury_spend",
            ProposalAction::Signal { .. } => "signal",
            ProposalAction::CreateCluster { .. } => "create_cluster",
        }
    }
}

impl Write for ProposalAction {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            ProposalAction::SetParams { component, params } => {
                Self::TAG_SET_PARAMS.write(buf);
                component.as_bytes().to_vec().write(buf);
                params.write(buf);
            }
            ProposalAction::SetAttestationPolicy { policy } => {
                Self::TAG_SET_ATTESTATION_POLICY.write(buf);
                policy.write(buf);
            }
            ProposalAction::PromoteGatekeeper { worker } => {
                Self::TAG_PROMOTE_GATEKEEPER.write(buf);
                worker.write(buf);
            }
            ProposalAction::RemoveGatekeeper { worker } => {
                Self::TAG_REMOVE_GATEKEEPER.write(buf);
                worker.write(buf);
            }
            ProposalAction::RotateMasterKey => Self::TAG_ROTATE_MASTER_KEY.write(buf),
            ProposalAction::TreasurySpend { to, amount } => {
                Self::TAG_TREASURY_SPEND.write(buf);
                to.write(buf);
                amount.write(buf);
            }
            ProposalAction::Signal { text } => {
                Self::TAG_SIGNAL.write(buf);
                text.as_bytes().to_vec().write(buf);
            }
            ProposalAction::CreateCluster { members } => {
                Self::TAG_CREATE_CLUSTER.write(buf);
                members.write(buf);
            }
        }
    }
}

impl EncodeSize for ProposalAction {
    fn encode_size(&self) -> usize {
        1 + match self {
            ProposalAction::SetParams { component, params } => {
                component.as_bytes().to_vec().encode_size() + params.encode_size()
            }
            ProposalAction::SetAttestationPolicy { policy } => policy.encode_size(),
            ProposalAction::PromoteGatekeeper { .. } | ProposalAction::RemoveGatekeeper { .. } => {
                AccountId::SIZE
            }
            ProposalAction::RotateMasterKey => 0,
            ProposalAction::TreasurySpend { .. } => AccountId::SIZE + Amount::SIZE,
            ProposalAction::Signal { text } => text.as_bytes().to_vec().encode_size(),
            ProposalAction::CreateCluster { members } => members.encode_size(),
        }
    }
}

/// Reads UTF-8 text of at most `max` bytes.
fn read_text(buf: &mut impl Buf, min: usize, max: usize) -> Result<String, CodecError> {
    let bytes = Vec::<u8>::read_range(buf, min..=max)?;
    String::from_utf8(bytes).map_err(|_| CodecError::Invalid("text", "not UTF-8"))
}

impl Read for ProposalAction {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_SET_PARAMS => Ok(ProposalAction::SetParams {
                component: read_text(buf, 1, MAX_COMPONENT_NAME)?,
                params: Vec::<u8>::read_range(buf, 0..=MAX_PARAMS_BYTES)?,
            }),
            Self::TAG_SET_ATTESTATION_POLICY => Ok(ProposalAction::SetAttestationPolicy {
                policy: AttestationPolicy::read(buf)?,
            }),
            Self::TAG_PROMOTE_GATEKEEPER => Ok(ProposalAction::PromoteGatekeeper {
                worker: WorkerId::read(buf)?,
            }),
            Self::TAG_REMOVE_GATEKEEPER => Ok(ProposalAction::RemoveGatekeeper {
                worker: WorkerId::read(buf)?,
            }),
            Self::TAG_ROTATE_MASTER_KEY => Ok(ProposalAction::RotateMasterKey),
            Self::TAG_TREASURY_SPEND => Ok(ProposalAction::TreasurySpend {
                to: AccountId::read(buf)?,
                amount: Amount::read(buf)?,
            }),
            Self::TAG_SIGNAL => Ok(ProposalAction::Signal {
                text: read_text(buf, 0, MAX_SIGNAL_TEXT)?,
            }),
            Self::TAG_CREATE_CLUSTER => Ok(ProposalAction::CreateCluster {
                members: Vec::<WorkerId>::read_range(buf, ..=crate::MAX_CLUSTER_MEMBERS)?,
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}

/// A vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VoteChoice {
    Yes = 0,
    No = 1,
    /// Counts toward the quorum only.
    Abstain = 2,
}

impl VoteChoice {
    pub fn name(self) -> &'static str {
        match self {
            VoteChoice::Yes => "yes",
            VoteChoice::No => "no",
            VoteChoice::Abstain => "abstain",
        }
    }
}

impl Write for VoteChoice {
    fn write(&self, buf: &mut impl BufMut) {
        (*self as u8).write(buf);
    }
}

impl FixedSize for VoteChoice {
    const SIZE: usize = 1;
}

impl Read for VoteChoice {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            0 => Ok(VoteChoice::Yes),
            1 => Ok(VoteChoice::No),
            2 => Ok(VoteChoice::Abstain),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GovernanceCall {
    /// Propose `action`, open for votes for `voting_ms` of block time (at least the
    /// component's minimum voting period); the proposal deposit is held until it closes.
    Propose {
        action: ProposalAction,
        voting_ms: u64,
    },
    /// Vote on an open proposal with the signer's free balance and the worth of its shares in
    /// `pools`, all locked until the vote ends. A second vote replaces the first.
    Vote {
        proposal: u64,
        choice: VoteChoice,
        pools: Vec<PoolId>,
    },
}

impl GovernanceCall {
    const TAG_PROPOSE: u8 = 0;
    const TAG_VOTE: u8 = 1;

    pub fn name(&self) -> &'static str {
        match self {
            GovernanceCall::Propose { .. } => "governance.propose",
            GovernanceCall::Vote { .. } => "governance.vote",
        }
    }
}

impl Write for GovernanceCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            GovernanceCall::Propose { action, voting_ms } => {
                Self::TAG_PROPOSE.write(buf);
                action.write(buf);
                voting_ms.write(buf);
            }
            GovernanceCall::Vote {
                proposal,
                choice,
                pools,
            } => {
                Self::TAG_VOTE.write(buf);
                proposal.write(buf);
                choice.write(buf);
                pools.write(buf);
            }
        }
    }
}

impl EncodeSize for GovernanceCall {
    fn encode_size(&self) -> usize {
        1 + match self {
            GovernanceCall::Propose { action, .. } => action.encode_size() + 8,
            GovernanceCall::Vote { pools, .. } => 8 + 1 + pools.encode_size(),
        }
    }
}

impl Read for GovernanceCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_PROPOSE => Ok(GovernanceCall::Propose {
                action: ProposalAction::read(buf)?,
                voting_ms: u64::read(buf)?,
            }),
            Self::TAG_VOTE => Ok(GovernanceCall::Vote {
                proposal: u64::read(buf)?,
                choice: VoteChoice::read(buf)?,
                pools: Vec::<PoolId>::read_cfg(buf, &((0..=MAX_VOTE_POOLS).into(), ()))?,
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
