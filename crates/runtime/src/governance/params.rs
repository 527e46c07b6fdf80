//! Parameters of `governance`.

use crate::params::ComponentParams;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{Amount, UNITS_PER_PHA};
use serde::{Deserialize, Serialize};

/// The most proposals a chain may allow open at once (voting or waiting to enact): the block
/// hook reads the list of them every block.
pub const MAX_ACTIVE_LIMIT: u32 = 256;

const DAY_MS: u64 = 86_400_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Held from the proposer until the vote ends.
    #[serde(with = "crate::amount_json")]
    pub proposal_deposit: Amount,
    /// The shortest and longest voting period a proposal may ask for, ms of block time.
    pub min_voting_ms: u64,
    pub max_voting_ms: u64,
    /// Time between a proposal passing and its action running.
    pub enactment_delay_ms: u64,
    /// Turnout (yes + no + abstain, base units of voting power) a proposal needs to pass.
    #[serde(with = "crate::amount_json")]
    pub quorum: Amount,
    /// A proposal whose turnout is below this fraction of the quorum (ppm) loses its deposit
    /// to the treasury: spam that nobody cared to vote on pays for itself.
    pub forfeit_below_ppm: u32,
    /// Proposals open at once.
    pub max_active: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            proposal_deposit: 1_000 * UNITS_PER_PHA,
            min_voting_ms: 7 * DAY_MS,
            max_voting_ms: 30 * DAY_MS,
            enactment_delay_ms: DAY_MS,
            // 1 % of the supply.
            quorum: 10_000_000 * UNITS_PER_PHA,
            forfeit_below_ppm: 100_000,
            max_active: 64,
        }
    }
}

impl Params {
    /// Development chains: a vote of at least 20 s, enacted 5 s after it ends, with a quorum
    /// of 1.5 M PHA: two of the dev accounts (1 M each) reach it, one alone does not.
    pub fn dev() -> Self {
        Self {
            proposal_deposit: 10 * UNITS_PER_PHA,
            min_voting_ms: 20_000,
            max_voting_ms: 3_600_000,
            enactment_delay_ms: 5_000,
            quorum: 1_500_000 * UNITS_PER_PHA,
            ..Self::default()
        }
    }
}

impl ComponentParams for Params {
    const COMPONENT: &'static str = "governance";

    fn validate(&self) -> Result<(), String> {
        if self.min_voting_ms == 0 || self.min_voting_ms > self.max_voting_ms {
            return Err("min_voting_ms must be positive and at most max_voting_ms".into());
        }
        if self.max_voting_ms > 366 * DAY_MS || self.enactment_delay_ms > 366 * DAY_MS {
            return Err("voting periods and the enactment delay must be at most a year".into());
        }
        if self.quorum == 0 {
            return Err("quorum must be positive".into());
        }
        if self.forfeit_below_ppm > 1_000_000 {
            return Err("forfeit_below_ppm must be at most 1,000,000".into());
        }
        if !(1..=MAX_ACTIVE_LIMIT).contains(&self.max_active) {
            return Err(format!(
                "max_active must be between 1 and {MAX_ACTIVE_LIMIT}"
            ));
        }
        Ok(())
    }
}

impl Write for Params {
    fn write(&self, buf: &mut impl BufMut) {
        self.proposal_deposit.write(buf);
        self.min_voting_ms.write(buf);
        self.max_voting_ms.write(buf);
        self.enactment_delay_ms.write(buf);
        self.quorum.write(buf);
        self.forfeit_below_ppm.write(buf);
        self.max_active.write(buf);
    }
}

impl EncodeSize for Params {
    fn encode_size(&self) -> usize {
        16 + 8 * 3 + 16 + 4 + 4
    }
}

impl Read for Params {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            proposal_deposit: Amount::read(buf)?,
            min_voting_ms: u64::read(buf)?,
            max_voting_ms: u64::read(buf)?,
            enactment_delay_ms: u64::read(buf)?,
            quorum: Amount::read(buf)?,
            forfeit_below_ppm: u32::read(buf)?,
            max_active: u32::read(buf)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::{DecodeExt, Encode};

    #[test]
    fn defaults_and_dev_are_valid_and_round_trip() {
        for p in [Params::default(), Params::dev()] {
            assert_eq!(p.validate(), Ok(()));
            assert_eq!(Params::decode(p.encode()).ok(), Some(p));
        }
    }
}
