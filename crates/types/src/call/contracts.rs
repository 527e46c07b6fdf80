//! Calls of the `contracts` component: confidential WebAssembly contracts.

use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, ReadRangeExt, Write};
use serde::{Deserialize, Serialize};

/// Largest contract module a transaction can carry: what fits in one transaction
/// ([`crate::MAX_TX_SIZE`]) with room for the rest of it. The chain's own limit
/// (`contracts.max_code_bytes`) may be lower.
pub const MAX_CODE_BYTES: usize = 60 * 1024;

/// Largest plaintext input of a command, and largest output of one.
pub const MAX_COMMAND_IO: usize = 16 * 1024;
/// Largest sealed command or result: the plaintext, what the protocol adds (a 32-byte reply
/// key, a status byte) and the AEAD tag, with headroom.
pub const MAX_SEALED_BYTES: usize = MAX_COMMAND_IO + 256;
/// Most workers in one cluster: every member receives a key share from every gatekeeper, and
/// the chain checks membership by reading the list.
pub const MAX_CLUSTER_MEMBERS: usize = 64;

/// Most events one command may emit, and the largest one (they are public and kept in
/// receipts by every node).
pub const MAX_COMMAND_EVENTS: usize = 16;
pub const MAX_COMMAND_EVENT_BYTES: usize = 1024;

/// Bytes encrypted with HPKE (RFC 9180 base mode, single-shot) to one key: the sender's
/// encapsulated ephemeral key and the ciphertext. How a command or a result is sealed and
/// opened is `phalanx_contracts::sealed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    #[serde(with = "crate::hex_serde::bytes32")]
    pub enc: [u8; 32],
    #[serde(with = "crate::hex_serde::bytes")]
    pub ciphertext: Vec<u8>,
}

impl Write for Sealed {
    fn write(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.enc);
        self.ciphertext.write(buf);
    }
}

impl EncodeSize for Sealed {
    fn encode_size(&self) -> usize {
        32 + self.ciphertext.encode_size()
    }
}

impl Read for Sealed {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            enc: <[u8; 32]>::read(buf)?,
            ciphertext: Vec::<u8>::read_range(buf, ..=MAX_SEALED_BYTES)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContractsCall {
    /// Store a contract module (WebAssembly). The chain checks it as the executor will (valid,
    /// no floats, only `phalanx_v1` imports, `call` and `query` exports) and keeps it under
    /// its SHA-256.
    UploadCode { code: Vec<u8> },
    /// Create a contract from uploaded code, run by the workers of `cluster`. Its id is
    /// derived from the chain, the signer, the code and `salt`, so a deployer can know it in
    /// advance and two deployments differ only by salt.
    Instantiate {
        code_hash: [u8; 32],
        cluster: u32,
        salt: [u8; 32],
    },
    /// An encrypted command for `contract`, sealed to its published encryption key, with the
    /// most fuel it may burn. `gas_limit` × `contracts.gas_price` is held from the signer and
    /// what the command does not burn is refunded when its result comes back.
    Command {
        contract: [u8; 32],
        sealed: Sealed,
        gas_limit: u64,
    },
    /// Create a cluster of chosen workers (the root account; a governance proposal's
    /// `CreateCluster` action does the same). The
    /// chain numbers it (1, 2, …; cluster 0 is every worker); the gatekeepers send each
    /// member its partial signatures towards the cluster's key, and contracts instantiated on
    /// it run only on those members.
    CreateCluster { members: Vec<crate::WorkerId> },
    /// Give back the gas held for command `seq` of `contract` when its cluster has recorded no
    /// result for it long after it was sent (`contracts::COMMAND_EXPIRY_BLOCKS`). Anyone may
    /// send it; the gas goes to the command's sender. The command may still run when the
    /// cluster comes back, then for free.
    ExpireCommand { contract: [u8; 32], seq: u64 },
}

impl ContractsCall {
    const TAG_UPLOAD_CODE: u8 = 0;
    const TAG_INSTANTIATE: u8 = 1;
    const TAG_COMMAND: u8 = 2;
    const TAG_CREATE_CLUSTER: u8 = 3;
    const TAG_EXPIRE_COMMAND: u8 = 4;

    pub fn name(&self) -> &'static str {
        match self {
            ContractsCall::UploadCode { .. } => "contracts.upload_code",
            ContractsCall::Instantiate { .. } => "contracts.instantiate",
            ContractsCall::Command { .. } => "contracts.command",
            ContractsCall::CreateCluster { .. } => "contracts.create_cluster",
            ContractsCall::ExpireCommand { .. } => "contracts.expire_command",
        }
    }
}

impl Write for ContractsCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            ContractsCall::UploadCode { code } => {
                Self::TAG_UPLOAD_CODE.write(buf);
                code.write(buf);
            }
            ContractsCall::Instantiate {
                code_hash,
                cluster,
                salt,
            } => {
                Self::TAG_INSTANTIATE.write(buf);
                buf.put_slice(code_hash);
                cluster.write(buf);
                buf.put_slice(salt);
            }
            ContractsCall::Command {
                contract,
                sealed,
                gas_limit,
            } => {
                Self::TAG_COMMAND.write(buf);
                buf.put_slice(contract);
                sealed.write(buf);
                gas_limit.write(buf);
            }
            ContractsCall::CreateCluster { members } => {
                Self::TAG_CREATE_CLUSTER.write(buf);
                members.write(buf);
            }
            ContractsCall::ExpireCommand { contract, seq } => {
                Self::TAG_EXPIRE_COMMAND.write(buf);
                buf.put_slice(contract);
                seq.write(buf);
            }
        }
    }
}

impl EncodeSize for ContractsCall {
    fn encode_size(&self) -> usize {
        1 + match self {
            ContractsCall::UploadCode { code } => code.encode_size(),
            ContractsCall::Instantiate { .. } => 32 + 4 + 32,
            ContractsCall::Command { sealed, .. } => 32 + sealed.encode_size() + 8,
            ContractsCall::CreateCluster { members } => members.encode_size(),
            ContractsCall::ExpireCommand { .. } => 32 + 8,
        }
    }
}

impl Read for ContractsCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_UPLOAD_CODE => Ok(ContractsCall::UploadCode {
                code: Vec::<u8>::read_range(buf, ..=MAX_CODE_BYTES)?,
            }),
            Self::TAG_INSTANTIATE => Ok(ContractsCall::Instantiate {
                code_hash: <[u8; 32]>::read(buf)?,
                cluster: u32::read(buf)?,
                salt: <[u8; 32]>::read(buf)?,
            }),
            Self::TAG_COMMAND => Ok(ContractsCall::Command {
                contract: <[u8; 32]>::read(buf)?,
                sealed: Sealed::read(buf)?,
                gas_limit: u64::read(buf)?,
            }),
            Self::TAG_CREATE_CLUSTER => Ok(ContractsCall::CreateCluster {
                members: Vec::<crate::WorkerId>::read_range(buf, ..=MAX_CLUSTER_MEMBERS)?,
            }),
            Self::TAG_EXPIRE_COMMAND => Ok(ContractsCall::ExpireCommand {
                contract: <[u8; 32]>::read(buf)?,
                seq: u64::read(buf)?,
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
