//! Parameters of `tokenomics`: the emission schedule (DESIGN §4).

use super::schedule;
use crate::params::ComponentParams;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{Amount, UNITS_PER_PHA};
use serde::{Deserialize, Serialize};

/// One day in milliseconds: the unit the emission rate is quoted in.
pub const DAY_MS: u64 = 86_400_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Emission per day during the first period, in base units.
    #[serde(with = "crate::amount_json")]
    pub daily_emission: Amount,
    /// Length of a period, in milliseconds of block time.
    pub period_ms: u64,
    /// At each period boundary the rate is multiplied by `decay_numerator / decay_denominator`.
    pub decay_numerator: u32,
    pub decay_denominator: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            daily_emission: 720_000 * UNITS_PER_PHA,
            period_ms: 180 * DAY_MS,
            decay_numerator: 3,
            decay_denominator: 4,
        }
    }
}

impl ComponentParams for Params {
    const COMPONENT: &'static str = "tokenomics";

    fn validate(&self) -> Result<(), String> {
        if self.period_ms < DAY_MS {
            return Err("period_ms must be at least a day".into());
        }
        if self.decay_denominator == 0
            || self.decay_numerator >= self.decay_denominator
            || self.decay_denominator > schedule::MAX_DECAY_DENOMINATOR
        {
            return Err(format!(
                "the decay must be a fraction below 1 with a denominator of at most {}",
                schedule::MAX_DECAY_DENOMINATOR
            ));
        }
        if self.daily_emission > schedule::MAX_DAILY_EMISSION {
            return Err("daily_emission is larger than the supply".into());
        }
        if !schedule::settles(self) {
            return Err(format!(
                "the schedule must have emitted all but its last base unit within {} periods",
                schedule::MAX_PERIODS
            ));
        }
        Ok(())
    }
}

impl Write for Params {
    fn write(&self, buf: &mut impl BufMut) {
        self.daily_emission.write(buf);
        self.period_ms.write(buf);
        self.decay_numerator.write(buf);
        self.decay_denominator.write(buf);
    }
}

impl EncodeSize for Params {
    fn encode_size(&self) -> usize {
        16 + 8 + 4 + 4
    }
}

impl Read for Params {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            daily_emission: Amount::read(buf)?,
            period_ms: u64::read(buf)?,
            decay_numerator: u32::read(buf)?,
            decay_denominator: u32::read(buf)?,
        })
    }
}
