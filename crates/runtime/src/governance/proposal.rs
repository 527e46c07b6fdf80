//! A proposal's record, a ballot, and the list of open proposals, as stored.

use super::{params::MAX_ACTIVE_LIMIT, state_key};
use crate::state::{State, StateError, read_decoded};
use bytes::BufMut;
use commonware_codec::{
    Buf, Encode, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, ReadRangeExt, Write,
};
use phalanx_types::{AccountId, Amount, ProposalAction, VoteChoice};
use serde::{Deserialize, Serialize};

/// Longest failure reason kept in a proposal.
pub const MAX_REASON: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Voting = 0,
    /// Passed; its action runs at `enact_ms`.
    Passed = 1,
    Rejected = 2,
    Enacted = 3,
    /// Passed, and its action was refused when it ran (`outcome` says why).
    Failed = 4,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub proposer: AccountId,
    pub action: ProposalAction,
    pub deposit: Amount,
    pub created_ms: u64,
    pub ends_ms: u64,
    /// When a passed proposal's action runs (0 until it passes).
    pub enact_ms: u64,
    pub yes: Amount,
    pub no: Amount,
    pub abstain: Amount,
    pub voters: u32,
    pub status: Status,
    /// Why the action failed, for `Failed`.
    pub outcome: String,
    /// For a parameter change: the component's parameters (encoded) when it was proposed. It
    /// runs only if they are still in force, so two changes to one component never silently
    /// undo each other (the second to run fails; propose it again).
    pub base: Vec<u8>,
}

impl Proposal {
    pub fn turnout(&self) -> Amount {
        self.yes
            .saturating_add(self.no)
            .saturating_add(self.abstain)
    }

    /// Passes with more yes than no (a tie fails) and a turnout of at least `quorum`.
    pub fn passes(&self, quorum: Amount) -> bool {
        self.yes > self.no && self.turnout() >= quorum
    }

    fn tally_mut(&mut self, choice: VoteChoice) -> &mut Amount {
        match choice {
            VoteChoice::Yes => &mut self.yes,
            VoteChoice::No => &mut self.no,
            VoteChoice::Abstain => &mut self.abstain,
        }
    }

    /// Counts a ballot, replacing `previous` if the voter had one.
    pub fn count(&mut self, previous: Option<Ballot>, ballot: Ballot) {
        match previous {
            Some(old) => {
                let t = self.tally_mut(old.choice);
                *t = t.saturating_sub(old.weight);
            }
            None => self.voters = self.voters.saturating_add(1),
        }
        let t = self.tally_mut(ballot.choice);
        *t = t.saturating_add(ballot.weight);
    }
}

/// One account's vote on one proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ballot {
    pub choice: VoteChoice,
    pub weight: Amount,
}

/// Open proposals and when each is next due (its end while voting, its enactment once
/// passed), in the order they were proposed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Active(pub Vec<(u64, u64)>);

pub fn proposal(state: &(impl State + ?Sized), id: u64) -> Result<Option<Proposal>, StateError> {
    read_decoded(state, state_key::proposal(id))
}

pub(super) fn set_proposal(state: &mut (impl State + ?Sized), id: u64, p: &Proposal) {
    state.put(state_key::proposal(id), Some(p.encode().to_vec()));
}

pub fn proposal_count(state: &(impl State + ?Sized)) -> Result<u64, StateError> {
    Ok(read_decoded(state, state_key::next_id())?.unwrap_or(0))
}

pub fn ballot(
    state: &(impl State + ?Sized),
    id: u64,
    voter: &AccountId,
) -> Result<Option<Ballot>, StateError> {
    read_decoded(state, state_key::ballot(id, voter))
}

pub fn active(state: &(impl State + ?Sized)) -> Result<Active, StateError> {
    Ok(read_decoded(state, state_key::active())?.unwrap_or_default())
}

pub(super) fn set_active(state: &mut (impl State + ?Sized), active: &Active) {
    state.put(state_key::active(), Some(active.encode().to_vec()));
}

impl Write for Status {
    fn write(&self, buf: &mut impl BufMut) {
        (*self as u8).write(buf);
    }
}

impl Read for Status {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(match u8::read(buf)? {
            0 => Status::Voting,
            1 => Status::Passed,
            2 => Status::Rejected,
            3 => Status::Enacted,
            4 => Status::Failed,
            tag => return Err(CodecError::InvalidEnum(tag)),
        })
    }
}

impl Write for Proposal {
    fn write(&self, buf: &mut impl BufMut) {
        self.proposer.write(buf);
        self.action.write(buf);
        self.deposit.write(buf);
        self.created_ms.write(buf);
        self.ends_ms.write(buf);
        self.enact_ms.write(buf);
        self.yes.write(buf);
        self.no.write(buf);
        self.abstain.write(buf);
        self.voters.write(buf);
        self.status.write(buf);
        self.outcome.as_bytes().to_vec().write(buf);
        self.base.write(buf);
    }
}

impl EncodeSize for Proposal {
    fn encode_size(&self) -> usize {
        AccountId::SIZE
            + self.action.encode_size()
            + 16
            + 8 * 3
            + 16 * 3
            + 4
            + 1
            + self.outcome.as_bytes().to_vec().encode_size()
            + self.base.encode_size()
    }
}

impl Read for Proposal {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            proposer: AccountId::read(buf)?,
            action: ProposalAction::read(buf)?,
            deposit: Amount::read(buf)?,
            created_ms: u64::read(buf)?,
            ends_ms: u64::read(buf)?,
            enact_ms: u64::read(buf)?,
            yes: Amount::read(buf)?,
            no: Amount::read(buf)?,
            abstain: Amount::read(buf)?,
            voters: u32::read(buf)?,
            status: Status::read(buf)?,
            outcome: String::from_utf8(Vec::<u8>::read_range(buf, 0..=MAX_REASON)?)
                .map_err(|_| CodecError::Invalid("outcome", "not UTF-8"))?,
            base: Vec::<u8>::read_range(buf, 0..=phalanx_types::MAX_PARAMS_BYTES)?,
        })
    }
}

impl Write for Ballot {
    fn write(&self, buf: &mut impl BufMut) {
        self.choice.write(buf);
        self.weight.write(buf);
    }
}

impl EncodeSize for Ballot {
    fn encode_size(&self) -> usize {
        1 + 16
    }
}

impl Read for Ballot {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            choice: VoteChoice::read(buf)?,
            weight: Amount::read(buf)?,
        })
    }
}

impl Write for Active {
    fn write(&self, buf: &mut impl BufMut) {
        (self.0.len() as u32).write(buf);
        for (id, due) in &self.0 {
            id.write(buf);
            due.write(buf);
        }
    }
}

impl EncodeSize for Active {
    fn encode_size(&self) -> usize {
        4 + 16 * self.0.len()
    }
}

impl Read for Active {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let len = u32::read(buf)?;
        if len > MAX_ACTIVE_LIMIT {
            return Err(CodecError::InvalidLength(len as usize));
        }
        let mut items = Vec::with_capacity(len as usize);
        for _ in 0..len {
            items.push((u64::read(buf)?, u64::read(buf)?));
        }
        Ok(Self(items))
    }
}

/// A failure reason cut to what a proposal keeps (on a character boundary).
pub fn reason(text: String) -> String {
    crate::events::cut_text(text, MAX_REASON)
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::DecodeExt;

    #[test]
    fn records_round_trip_and_a_tie_fails() {
        let p = Proposal {
            proposer: AccountId::from(commonware_cryptography::Signer::public_key(
                &phalanx_crypto::dev_key("p"),
            )),
            action: ProposalAction::Signal {
                text: "hello".into(),
            },
            deposit: 1,
            created_ms: 2,
            ends_ms: 3,
            enact_ms: 4,
            yes: 5,
            no: 5,
            abstain: 100,
            voters: 3,
            status: Status::Failed,
            outcome: "why".into(),
            base: vec![1, 2],
        };
        assert_eq!(Proposal::decode(p.encode()).ok(), Some(p.clone()));
        assert!(!p.passes(1), "exactly as many yes as no fails");
        let active = Active(vec![(1, 2), (3, 4)]);
        assert_eq!(Active::decode(active.encode()).ok(), Some(active));
        assert_eq!(reason("é".repeat(200)).len(), 256);
    }

    #[test]
    fn a_second_ballot_replaces_the_first() {
        let mut p = Proposal {
            proposer: AccountId::from(commonware_cryptography::Signer::public_key(
                &phalanx_crypto::dev_key("p"),
            )),
            action: ProposalAction::RotateMasterKey,
            deposit: 0,
            created_ms: 0,
            ends_ms: 0,
            enact_ms: 0,
            yes: 0,
            no: 0,
            abstain: 0,
            voters: 0,
            status: Status::Voting,
            outcome: String::new(),
            base: Vec::new(),
        };
        let yes = Ballot {
            choice: VoteChoice::Yes,
            weight: 10,
        };
        p.count(None, yes);
        p.count(
            Some(yes),
            Ballot {
                choice: VoteChoice::No,
                weight: 7,
            },
        );
        assert_eq!((p.yes, p.no, p.voters), (0, 7, 1));
    }
}
