//! Parameters of `beacon`.

use crate::params::ComponentParams;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Length of a round in block time, ms (12 s: the reference's block time, so its heartbeat
    /// rates carry over per round).
    pub round_ms: u64,
    /// How many rounds after its own a round's partials are still accepted.
    pub max_late_rounds: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            round_ms: 12_000,
            max_late_rounds: 2,
        }
    }
}

impl Params {
    /// Development chains: a seed every 3 s, so mining's challenges come every few seconds.
    pub fn dev() -> Self {
        Self {
            round_ms: 3_000,
            ..Self::default()
        }
    }
}

impl ComponentParams for Params {
    const COMPONENT: &'static str = "beacon";

    fn validate(&self) -> Result<(), String> {
        if !(1_000..=3_600_000).contains(&self.round_ms) {
            return Err("round_ms must be between 1 s and an hour".into());
        }
        if self.max_late_rounds > 100 {
            return Err("max_late_rounds must be at most 100".into());
        }
        Ok(())
    }
}

impl Write for Params {
    fn write(&self, buf: &mut impl BufMut) {
        self.round_ms.write(buf);
        self.max_late_rounds.write(buf);
    }
}

impl EncodeSize for Params {
    fn encode_size(&self) -> usize {
        16
    }
}

impl Read for Params {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            round_ms: u64::read(buf)?,
            max_late_rounds: u64::read(buf)?,
        })
    }
}
