//! Calls of the `keys` component: the threshold master key.

use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeysCall {
    /// Ask the gatekeepers for a new master key generation (privileged).
    RotateMasterKey,
}

impl KeysCall {
    const TAG_ROTATE_MASTER_KEY: u8 = 0;

    pub fn name(&self) -> &'static str {
        match self {
            KeysCall::RotateMasterKey => "keys.rotate_master_key",
        }
    }
}

impl Write for KeysCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            KeysCall::RotateMasterKey => Self::TAG_ROTATE_MASTER_KEY.write(buf),
        }
    }
}

impl EncodeSize for KeysCall {
    fn encode_size(&self) -> usize {
        1
    }
}

impl Read for KeysCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_ROTATE_MASTER_KEY => Ok(KeysCall::RotateMasterKey),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
