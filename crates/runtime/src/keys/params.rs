//! Parameters of `keys`.

use crate::params::ComponentParams;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Blocks a dealer waits for acknowledgements before it logs without them (revealing the
    /// shares of players that did not answer). Gatekeepers read it with a proof.
    pub ack_window_blocks: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            ack_window_blocks: 30,
        }
    }
}

impl ComponentParams for Params {
    const COMPONENT: &'static str = "keys";

    fn validate(&self) -> Result<(), String> {
        if self.ack_window_blocks == 0 {
            return Err("ack_window_blocks must be positive".into());
        }
        Ok(())
    }
}

impl Write for Params {
    fn write(&self, buf: &mut impl BufMut) {
        self.ack_window_blocks.write(buf);
    }
}

impl EncodeSize for Params {
    fn encode_size(&self) -> usize {
        8
    }
}

impl Read for Params {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            ack_window_blocks: u64::read(buf)?,
        })
    }
}
