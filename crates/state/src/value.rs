//! The value type stored in the authenticated state: bytes with a fixed upper bound, decodable
//! without configuration (the state-sync protocol requires it).

use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, RangeCfg, Read, Write};

/// Largest state value, in bytes.
pub const MAX_STATE_VALUE: usize = 64 * 1024;

/// A state value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StateValue(pub Vec<u8>);

impl Write for StateValue {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.write(buf);
    }
}

impl EncodeSize for StateValue {
    fn encode_size(&self) -> usize {
        self.0.encode_size()
    }
}

impl Read for StateValue {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let range: RangeCfg<usize> = (0..=MAX_STATE_VALUE).into();
        Ok(Self(Vec::<u8>::read_cfg(buf, &(range, ()))?))
    }
}
