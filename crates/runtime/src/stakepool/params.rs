//! Parameters of `stakepool`.

use crate::params::ComponentParams;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{Amount, UNITS_PER_PHA};
use serde::{Deserialize, Serialize};

/// The largest `max_workers` and `max_queue` a chain may set: they bound one pool record,
/// which every payout to the pool rewrites.
pub const MAX_WORKERS_LIMIT: u32 = 256;
pub const MAX_QUEUE_LIMIT: u32 = 4_096;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// How long a withdrawal may wait unpaid before anyone may stop the pool's workers to free
    /// stake for it, ms (7 days). Its worst case is this plus mining's cool-down.
    pub withdrawal_grace_ms: u64,
    /// Workers one pool may hold.
    pub max_workers: u32,
    /// Unpaid withdrawal requests one pool may hold (a request beyond it is refused; the
    /// delegator tries again when the queue moves).
    pub max_queue: u32,
    /// The least contribution, base units: a dust contribution would cost the chain a position
    /// for less than its fee.
    #[serde(with = "crate::amount_json")]
    pub min_contribution: Amount,
    /// Pools that may ever be created.
    pub max_pools: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            withdrawal_grace_ms: 7 * 24 * 3_600_000,
            max_workers: 64,
            max_queue: 1_024,
            min_contribution: UNITS_PER_PHA,
            max_pools: 100_000,
        }
    }
}

impl Params {
    /// Development chains: a withdrawal waits at most a minute before anyone may stop the
    /// pool's workers (with mining's one-minute dev cool-down: two minutes at worst).
    pub fn dev() -> Self {
        Self {
            withdrawal_grace_ms: 60_000,
            ..Self::default()
        }
    }
}

impl ComponentParams for Params {
    const COMPONENT: &'static str = "stakepool";

    fn validate(&self) -> Result<(), String> {
        if !(1_000..=366 * 24 * 3_600_000).contains(&self.withdrawal_grace_ms) {
            return Err("withdrawal_grace_ms must be between 1 s and a year".into());
        }
        if !(1..=MAX_WORKERS_LIMIT).contains(&self.max_workers) {
            return Err(format!(
                "max_workers must be between 1 and {MAX_WORKERS_LIMIT}"
            ));
        }
        if !(1..=MAX_QUEUE_LIMIT).contains(&self.max_queue) {
            return Err(format!("max_queue must be between 1 and {MAX_QUEUE_LIMIT}"));
        }
        if self.min_contribution == 0 {
            return Err("min_contribution must be at least one base unit".into());
        }
        if !(1..=10_000_000).contains(&self.max_pools) {
            return Err("max_pools must be between 1 and 10,000,000".into());
        }
        Ok(())
    }
}

impl Write for Params {
    fn write(&self, buf: &mut impl BufMut) {
        self.withdrawal_grace_ms.write(buf);
        self.max_workers.write(buf);
        self.max_queue.write(buf);
        self.min_contribution.write(buf);
        self.max_pools.write(buf);
    }
}

impl EncodeSize for Params {
    fn encode_size(&self) -> usize {
        8 + 4 + 4 + 16 + 8
    }
}

impl Read for Params {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            withdrawal_grace_ms: u64::read(buf)?,
            max_workers: u32::read(buf)?,
            max_queue: u32::read(buf)?,
            min_contribution: Amount::read(buf)?,
            max_pools: u64::read(buf)?,
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
        let bad = Params {
            max_queue: MAX_QUEUE_LIMIT + 1,
            ..Params::default()
        };
        assert!(bad.validate().is_err());
    }
}
