//! Calls of the `mq` component: messages from TEE workers to the chain.

use crate::SignedMessage;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MqCall {
    /// Relay a worker's signed message to the chain. Anyone may relay; the fee is refunded on
    /// success when the sender is a gatekeeper and the message did new work.
    PushMessage { message: Box<SignedMessage> },
}

impl MqCall {
    const TAG_PUSH_MESSAGE: u8 = 0;

    pub fn name(&self) -> &'static str {
        match self {
            MqCall::PushMessage { .. } => "mq.push_message",
        }
    }
}

impl Write for MqCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            MqCall::PushMessage { message } => {
                Self::TAG_PUSH_MESSAGE.write(buf);
                message.write(buf);
            }
        }
    }
}

impl EncodeSize for MqCall {
    fn encode_size(&self) -> usize {
        match self {
            MqCall::PushMessage { message } => 1 + message.encode_size(),
        }
    }
}

impl Read for MqCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_PUSH_MESSAGE => Ok(MqCall::PushMessage {
                message: Box::new(SignedMessage::read(buf)?),
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
