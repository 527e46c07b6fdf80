//! Parameters of `registry`.

use crate::params::ComponentParams;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{Amount, UNITS_PER_PHA};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Fee for the work of verifying TEE evidence (`registry.register_worker`): milliseconds
    /// of every validator's CPU.
    #[serde(with = "crate::amount_json")]
    pub attestation_fee: Amount,
    /// Most `registry.register_worker` calls a block may carry: each costs every validator
    /// milliseconds of evidence verification, so this bounds a block's verification time.
    pub max_block_attestations: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            attestation_fee: UNITS_PER_PHA / 100, // 0.01 PHA
            max_block_attestations: 32,
        }
    }
}

impl ComponentParams for Params {
    const COMPONENT: &'static str = "registry";

    fn validate(&self) -> Result<(), String> {
        if self.max_block_attestations == 0 {
            return Err("max_block_attestations must be positive".into());
        }
        Ok(())
    }
}

impl Write for Params {
    fn write(&self, buf: &mut impl BufMut) {
        self.attestation_fee.write(buf);
        self.max_block_attestations.write(buf);
    }
}

impl EncodeSize for Params {
    fn encode_size(&self) -> usize {
        16 + 4
    }
}

impl Read for Params {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            attestation_fee: Amount::read(buf)?,
            max_block_attestations: u32::read(buf)?,
        })
    }
}
