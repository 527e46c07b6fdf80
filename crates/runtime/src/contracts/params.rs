//! Parameters of `contracts`.

use crate::params::ComponentParams;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{Amount, MAX_CODE_BYTES, UNITS_PER_PHA};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Largest module `contracts.upload_code` accepts (at most what a transaction can carry,
    /// `phalanx_types::MAX_CODE_BYTES`).
    pub max_code_bytes: u32,
    /// Fee per byte of uploaded code, on top of the transaction's own fees: every node keeps
    /// the code for as long as the chain lives.
    #[serde(with = "crate::amount_json")]
    pub code_fee_per_byte: Amount,
    /// Fee for `contracts.instantiate`: a record every node keeps, and key derivation by
    /// every worker of the cluster.
    #[serde(with = "crate::amount_json")]
    pub instantiate_fee: Amount,
    /// Base units per unit of fuel a command burns (wasmi charges about one per instruction).
    #[serde(with = "crate::amount_json")]
    pub gas_price: Amount,
    /// The most fuel one command may ask for.
    pub max_gas_per_command: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            max_code_bytes: MAX_CODE_BYTES as u32,
            // 0.0001 PHA a byte: a 16 KiB module costs about 1.6 PHA.
            code_fee_per_byte: UNITS_PER_PHA / 10_000,
            instantiate_fee: UNITS_PER_PHA / 10, // 0.1 PHA
            // 0.01 PHA per million fuel.
            gas_price: UNITS_PER_PHA / 100_000_000,
            max_gas_per_command: 10_000_000,
        }
    }
}

impl ComponentParams for Params {
    const COMPONENT: &'static str = "contracts";

    fn validate(&self) -> Result<(), String> {
        if self.max_code_bytes == 0 {
            return Err("max_code_bytes must be positive".into());
        }
        if usize::try_from(self.max_code_bytes).map_or(true, |max| max > MAX_CODE_BYTES) {
            return Err(format!(
                "max_code_bytes must be at most {MAX_CODE_BYTES} (what a transaction carries)"
            ));
        }
        if self.max_gas_per_command == 0 {
            return Err("max_gas_per_command must be positive".into());
        }
        Ok(())
    }
}

impl Write for Params {
    fn write(&self, buf: &mut impl BufMut) {
        self.max_code_bytes.write(buf);
        self.code_fee_per_byte.write(buf);
        self.instantiate_fee.write(buf);
        self.gas_price.write(buf);
        self.max_gas_per_command.write(buf);
    }
}

impl EncodeSize for Params {
    fn encode_size(&self) -> usize {
        4 + 16 + 16 + 16 + 8
    }
}

impl Read for Params {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            max_code_bytes: u32::read(buf)?,
            code_fee_per_byte: Amount::read(buf)?,
            instantiate_fee: Amount::read(buf)?,
            gas_price: Amount::read(buf)?,
            max_gas_per_command: u64::read(buf)?,
        })
    }
}
