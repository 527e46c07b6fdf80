//! What the chain keeps about a module and a contract.

use bytes::BufMut;
use commonware_codec::{
    Buf, EncodeSize, Error as CodecError, Read, ReadExt, ReadRangeExt as _, Write,
};
use phalanx_types::{AccountId, MAX_CLUSTER_MEMBERS, WorkerId};
use serde::{Deserialize, Serialize};

/// An uploaded module (its bytes live under their own key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeInfo {
    pub uploader: AccountId,
    pub size: u32,
    pub height: u64,
}

impl Write for CodeInfo {
    fn write(&self, buf: &mut impl BufMut) {
        self.uploader.write(buf);
        self.size.write(buf);
        self.height.write(buf);
    }
}

impl EncodeSize for CodeInfo {
    fn encode_size(&self) -> usize {
        self.uploader.encode_size() + 4 + 8
    }
}

impl Read for CodeInfo {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            uploader: AccountId::read(buf)?,
            size: u32::read(buf)?,
            height: u64::read(buf)?,
        })
    }
}

/// A contract's public keys, published once a quorum of its cluster reported them (see
/// [`super::cluster_quorum`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractKeys {
    /// The X25519 key commands are encrypted to (HPKE).
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub encryption_key: [u8; 32],
    /// The ed25519 key the contract signs with.
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub signing_key: [u8; 32],
    /// The worker whose report completed the quorum.
    pub reported_by: WorkerId,
    pub height: u64,
    /// Workers that reported the same keys, `reported_by` excluded (the rest of the quorum,
    /// then every later one).
    pub confirmations: u32,
}

impl Write for ContractKeys {
    fn write(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.encryption_key);
        buf.put_slice(&self.signing_key);
        self.reported_by.write(buf);
        self.height.write(buf);
        self.confirmations.write(buf);
    }
}

impl EncodeSize for ContractKeys {
    fn encode_size(&self) -> usize {
        32 + 32 + self.reported_by.encode_size() + 8 + 4
    }
}

impl Read for ContractKeys {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            encryption_key: <[u8; 32]>::read(buf)?,
            signing_key: <[u8; 32]>::read(buf)?,
            reported_by: WorkerId::read(buf)?,
            height: u64::read(buf)?,
            confirmations: u32::read(buf)?,
        })
    }
}

/// A contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRecord {
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub code_hash: [u8; 32],
    pub cluster: u32,
    /// The master key generation whose cluster key the contract's keys derive from.
    pub generation: u32,
    pub deployer: AccountId,
    pub created_height: u64,
    /// `None` until a worker of the cluster reports them.
    pub keys: Option<ContractKeys>,
    /// Commands submitted: the next command's `seq`.
    pub commands: u64,
    /// Commands whose result is recorded (results are recorded in `seq` order).
    pub executed: u64,
    /// The hash of the contract's encrypted state after the last recorded result (zeros
    /// before the first).
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub state_hash: [u8; 32],
}

impl Write for ContractRecord {
    fn write(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.code_hash);
        self.cluster.write(buf);
        self.generation.write(buf);
        self.deployer.write(buf);
        self.created_height.write(buf);
        self.keys.write(buf);
        self.commands.write(buf);
        self.executed.write(buf);
        buf.put_slice(&self.state_hash);
    }
}

impl EncodeSize for ContractRecord {
    fn encode_size(&self) -> usize {
        32 + 4 + 4 + self.deployer.encode_size() + 8 + self.keys.encode_size() + 8 + 8 + 32
    }
}

impl Read for ContractRecord {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            code_hash: <[u8; 32]>::read(buf)?,
            cluster: u32::read(buf)?,
            generation: u32::read(buf)?,
            deployer: AccountId::read(buf)?,
            created_height: u64::read(buf)?,
            keys: Option::<ContractKeys>::read(buf)?,
            commands: u64::read(buf)?,
            executed: u64::read(buf)?,
            state_hash: <[u8; 32]>::read(buf)?,
        })
    }
}

/// The result the chain recorded for a command: the first worker's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandResult {
    pub succeeded: bool,
    pub fuel_used: u64,
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub state_hash: [u8; 32],
    /// SHA-256 of the sealed output and the events, as reported: what later reports must match.
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub digest: [u8; 32],
    /// The worker whose report completed the quorum.
    pub reported_by: WorkerId,
    pub height: u64,
    /// Workers that reported the same, `reported_by` excluded.
    pub confirmations: u32,
}

impl Write for CommandResult {
    fn write(&self, buf: &mut impl BufMut) {
        self.succeeded.write(buf);
        self.fuel_used.write(buf);
        buf.put_slice(&self.state_hash);
        buf.put_slice(&self.digest);
        self.reported_by.write(buf);
        self.height.write(buf);
        self.confirmations.write(buf);
    }
}

impl EncodeSize for CommandResult {
    fn encode_size(&self) -> usize {
        1 + 8 + 32 + 32 + self.reported_by.encode_size() + 8 + 4
    }
}

impl Read for CommandResult {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            succeeded: bool::read(buf)?,
            fuel_used: u64::read(buf)?,
            state_hash: <[u8; 32]>::read(buf)?,
            digest: <[u8; 32]>::read(buf)?,
            reported_by: WorkerId::read(buf)?,
            height: u64::read(buf)?,
            confirmations: u32::read(buf)?,
        })
    }
}

/// A command, from submission to result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandRecord {
    pub sender: AccountId,
    pub gas_limit: u64,
    /// What is held in the `contract_gas` pot for it (`gas_limit × gas_price` at submission).
    #[serde(with = "crate::amount_json")]
    pub escrow: phalanx_types::Amount,
    pub height: u64,
    pub result: Option<CommandResult>,
}

impl CommandRecord {
    /// What a result that burned `fuel_used` pays: fuel at the price the command was
    /// submitted at (its escrow over its gas limit, so a later change of
    /// `contracts.gas_price` does not reach it), never more than the escrow.
    pub fn gas_burned(&self, fuel_used: u64) -> phalanx_types::Amount {
        let price = self
            .escrow
            .checked_div(phalanx_types::Amount::from(self.gas_limit))
            .unwrap_or(0);
        phalanx_types::Amount::from(fuel_used)
            .saturating_mul(price)
            .min(self.escrow)
    }
}

impl Write for CommandRecord {
    fn write(&self, buf: &mut impl BufMut) {
        self.sender.write(buf);
        self.gas_limit.write(buf);
        self.escrow.write(buf);
        self.height.write(buf);
        self.result.write(buf);
    }
}

impl EncodeSize for CommandRecord {
    fn encode_size(&self) -> usize {
        self.sender.encode_size() + 8 + 16 + 8 + self.result.encode_size()
    }
}

impl Read for CommandRecord {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            sender: AccountId::read(buf)?,
            gas_limit: u64::read(buf)?,
            escrow: phalanx_types::Amount::read(buf)?,
            height: u64::read(buf)?,
            result: Option::<CommandResult>::read(buf)?,
        })
    }
}

/// A cluster of chosen workers (cluster 0, every registered worker, has no record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRecord {
    /// Its workers, in the order the creating call listed them (at most
    /// [`MAX_CLUSTER_MEMBERS`], no repeats).
    pub members: Vec<WorkerId>,
    pub created_by: AccountId,
    pub created_height: u64,
}

impl ClusterRecord {
    pub fn has_member(&self, worker: &WorkerId) -> bool {
        self.members.contains(worker)
    }
}

impl Write for ClusterRecord {
    fn write(&self, buf: &mut impl BufMut) {
        self.members.write(buf);
        self.created_by.write(buf);
        self.created_height.write(buf);
    }
}

impl EncodeSize for ClusterRecord {
    fn encode_size(&self) -> usize {
        self.members.encode_size() + self.created_by.encode_size() + 8
    }
}

impl Read for ClusterRecord {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            members: Vec::<WorkerId>::read_range(buf, ..=MAX_CLUSTER_MEMBERS)?,
            created_by: AccountId::read(buf)?,
            created_height: u64::read(buf)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gas_is_burned_at_the_submission_price_and_never_over_the_escrow() {
        let command = CommandRecord {
            sender: crate::events::tests::account(1),
            gas_limit: 1_000,
            escrow: 7_000,
            height: 3,
            result: None,
        };
        assert_eq!(command.gas_burned(0), 0);
        assert_eq!(command.gas_burned(250), 1_750);
        assert_eq!(command.gas_burned(1_000), 7_000);
        assert_eq!(command.gas_burned(u64::MAX), 7_000);
    }
}
