//! What the chain keeps about a module and a contract.

use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{AccountId, WorkerId};
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

/// A contract's public keys, as the first worker of its cluster reported them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractKeys {
    /// The X25519 key commands are encrypted to (HPKE).
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub encryption_key: [u8; 32],
    /// The ed25519 key the contract signs with.
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub signing_key: [u8; 32],
    pub reported_by: WorkerId,
    pub height: u64,
    /// Workers that reported the same keys since (the first reporter excluded).
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
}

impl Write for ContractRecord {
    fn write(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.code_hash);
        self.cluster.write(buf);
        self.generation.write(buf);
        self.deployer.write(buf);
        self.created_height.write(buf);
        self.keys.write(buf);
    }
}

impl EncodeSize for ContractRecord {
    fn encode_size(&self) -> usize {
        32 + 4 + 4 + self.deployer.encode_size() + 8 + self.keys.encode_size()
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
        })
    }
}
