//! Parameters of `fees`: what a transaction costs, and how much a block carries.

use crate::params::ComponentParams;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{Amount, UNITS_PER_PHA};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Fee charged for every transaction.
    #[serde(with = "crate::amount_json")]
    pub base_fee: Amount,
    /// Fee per encoded byte of the signed transaction.
    #[serde(with = "crate::amount_json")]
    pub fee_per_byte: Amount,
    /// Fee for the work of a cheap call (a transfer, a worker message): its weight, priced.
    #[serde(with = "crate::amount_json")]
    pub transfer_fee: Amount,
    /// Fee for the work of a privileged call (policy, promotion, rotation).
    #[serde(with = "crate::amount_json")]
    pub admin_fee: Amount,
    /// Most transactions a block may carry.
    pub max_block_txs: u32,
    /// Most encoded transaction bytes a block may carry.
    pub max_block_bytes: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            base_fee: UNITS_PER_PHA / 10_000,         // 0.0001 PHA
            fee_per_byte: UNITS_PER_PHA / 10_000_000, // 0.0000001 PHA
            transfer_fee: UNITS_PER_PHA / 100_000,    // 0.00001 PHA
            admin_fee: UNITS_PER_PHA / 100_000,       // 0.00001 PHA
            max_block_txs: 20_000,
            max_block_bytes: 8 * 1024 * 1024,
        }
    }
}

impl ComponentParams for Params {
    const COMPONENT: &'static str = "fees";

    fn validate(&self) -> Result<(), String> {
        if self.max_block_txs == 0 || self.max_block_bytes == 0 {
            return Err("a block must be able to carry a transaction".into());
        }
        if (self.max_block_bytes as usize) < phalanx_types::MAX_TX_SIZE {
            return Err("max_block_bytes is below the largest transaction".into());
        }
        Ok(())
    }
}

impl Write for Params {
    fn write(&self, buf: &mut impl BufMut) {
        self.base_fee.write(buf);
        self.fee_per_byte.write(buf);
        self.transfer_fee.write(buf);
        self.admin_fee.write(buf);
        self.max_block_txs.write(buf);
        self.max_block_bytes.write(buf);
    }
}

impl EncodeSize for Params {
    fn encode_size(&self) -> usize {
        16 * 4 + 4 + 4
    }
}

impl Read for Params {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            base_fee: Amount::read(buf)?,
            fee_per_byte: Amount::read(buf)?,
            transfer_fee: Amount::read(buf)?,
            admin_fee: Amount::read(buf)?,
            max_block_txs: u32::read(buf)?,
            max_block_bytes: u32::read(buf)?,
        })
    }
}
