//! Runtime parameters. They live in state (so they are authenticated and, later, changed by
//! governance) under one key, and are read once per block.

use crate::state::{State, StateError, StateKey, state_key};
use bytes::BufMut;
use commonware_codec::{
    Buf, DecodeExt, Encode, EncodeSize, Error as CodecError, Read, ReadExt, Write,
};
use phalanx_types::{Amount, UNITS_PER_PHA};
use serde::{Deserialize, Serialize};

/// Parameters of the `balances` and `fees` modules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// Smallest balance an account may hold (other than zero). Guards against dust accounts
    /// that cost state forever: a transfer that would create an account below it, or leave the
    /// sender below it, fails.
    pub existential_deposit: Amount,
    /// Fee charged for every transaction.
    pub base_fee: Amount,
    /// Fee per encoded byte of the signed transaction.
    pub fee_per_byte: Amount,
    /// Fee for the work of a `balances.transfer` call (its weight, priced).
    pub transfer_fee: Amount,
    /// Fee for the work of verifying TEE evidence (`registry.register_worker`): a few
    /// milliseconds of every validator's CPU.
    #[serde(default = "default_attestation_fee")]
    pub attestation_fee: Amount,
    /// Fee for the work of a privileged registry call.
    #[serde(default = "default_admin_fee")]
    pub admin_fee: Amount,
    /// Most `registry.register_worker` calls a block may carry: each costs every validator
    /// milliseconds of evidence verification, so this bounds a block's verification time.
    #[serde(default = "default_max_block_attestations")]
    pub max_block_attestations: u32,
    /// Most transactions a block may carry.
    pub max_block_txs: u32,
    /// Most encoded transaction bytes a block may carry.
    pub max_block_bytes: u32,
}

fn default_attestation_fee() -> Amount {
    UNITS_PER_PHA / 100 // 0.01 PHA
}

fn default_admin_fee() -> Amount {
    UNITS_PER_PHA / 100_000 // 0.00001 PHA
}

fn default_max_block_attestations() -> u32 {
    32
}

impl Default for Params {
    fn default() -> Self {
        Self {
            existential_deposit: UNITS_PER_PHA / 100, // 0.01 PHA
            base_fee: UNITS_PER_PHA / 10_000,         // 0.0001 PHA
            fee_per_byte: UNITS_PER_PHA / 10_000_000, // 0.0000001 PHA
            transfer_fee: UNITS_PER_PHA / 100_000,    // 0.00001 PHA
            attestation_fee: default_attestation_fee(),
            admin_fee: default_admin_fee(),
            max_block_attestations: default_max_block_attestations(),
            max_block_txs: 20_000,
            max_block_bytes: 8 * 1024 * 1024,
        }
    }
}

/// The state key under which [`Params`] are stored.
pub fn params_key() -> StateKey {
    state_key("runtime", "params", b"")
}

impl Params {
    /// Reads the parameters from state. Genesis always writes them, so absence is corruption.
    pub fn load(state: &(impl State + ?Sized)) -> Result<Self, StateError> {
        let key = params_key();
        let bytes = state.get(&key)?.ok_or_else(|| StateError::Corrupt {
            key,
            reason: "runtime parameters missing".into(),
        })?;
        Self::decode(bytes.as_slice().to_vec()).map_err(|e| StateError::Corrupt {
            key,
            reason: e.to_string(),
        })
    }

    /// Writes the parameters to state.
    pub fn store(&self, state: &mut (impl State + ?Sized)) {
        state.put(params_key(), Some(self.encode().to_vec()));
    }
}

impl Write for Params {
    fn write(&self, buf: &mut impl BufMut) {
        self.existential_deposit.write(buf);
        self.base_fee.write(buf);
        self.fee_per_byte.write(buf);
        self.transfer_fee.write(buf);
        self.attestation_fee.write(buf);
        self.admin_fee.write(buf);
        self.max_block_attestations.write(buf);
        self.max_block_txs.write(buf);
        self.max_block_bytes.write(buf);
    }
}

impl EncodeSize for Params {
    fn encode_size(&self) -> usize {
        16 * 6 + 4 + 4 + 4
    }
}

impl Read for Params {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            existential_deposit: Amount::read(buf)?,
            base_fee: Amount::read(buf)?,
            fee_per_byte: Amount::read(buf)?,
            transfer_fee: Amount::read(buf)?,
            attestation_fee: Amount::read(buf)?,
            admin_fee: Amount::read(buf)?,
            max_block_attestations: u32::read(buf)?,
            max_block_txs: u32::read(buf)?,
            max_block_bytes: u32::read(buf)?,
        })
    }
}
