//! Calls of the `contracts` component: confidential WebAssembly contracts.

use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, ReadRangeExt, Write};

/// Largest contract module a transaction can carry: what fits in one transaction
/// ([`crate::MAX_TX_SIZE`]) with room for the rest of it. The chain's own limit
/// (`contracts.max_code_bytes`) may be lower.
pub const MAX_CODE_BYTES: usize = 60 * 1024;

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
}

impl ContractsCall {
    const TAG_UPLOAD_CODE: u8 = 0;
    const TAG_INSTANTIATE: u8 = 1;

    pub fn name(&self) -> &'static str {
        match self {
            ContractsCall::UploadCode { .. } => "contracts.upload_code",
            ContractsCall::Instantiate { .. } => "contracts.instantiate",
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
        }
    }
}

impl EncodeSize for ContractsCall {
    fn encode_size(&self) -> usize {
        1 + match self {
            ContractsCall::UploadCode { code } => code.encode_size(),
            ContractsCall::Instantiate { .. } => 32 + 4 + 32,
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
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
