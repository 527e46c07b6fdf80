//! Parameters of `balances`.

use crate::params::ComponentParams;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{Amount, UNITS_PER_PHA};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Smallest balance an account may hold (other than zero). Guards against dust accounts
    /// that cost state forever: a transfer that would create an account below it, or leave the
    /// sender below it, fails.
    #[serde(with = "crate::amount_json")]
    pub existential_deposit: Amount,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            existential_deposit: UNITS_PER_PHA / 100, // 0.01 PHA
        }
    }
}

impl ComponentParams for Params {
    const COMPONENT: &'static str = "balances";

    fn validate(&self) -> Result<(), String> {
        if self.existential_deposit == 0 {
            return Err("existential_deposit must be positive".into());
        }
        Ok(())
    }
}

impl Write for Params {
    fn write(&self, buf: &mut impl BufMut) {
        self.existential_deposit.write(buf);
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
            existential_deposit: Amount::read(buf)?,
        })
    }
}
