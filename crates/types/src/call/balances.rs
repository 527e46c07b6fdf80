//! Calls of the `balances` component.

use crate::{AccountId, Amount};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, Write};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BalancesCall {
    /// Move `amount` base units from the signer to `to`.
    Transfer { to: AccountId, amount: Amount },
}

impl BalancesCall {
    const TAG_TRANSFER: u8 = 0;

    pub fn name(&self) -> &'static str {
        match self {
            BalancesCall::Transfer { .. } => "balances.transfer",
        }
    }
}

impl Write for BalancesCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            BalancesCall::Transfer { to, amount } => {
                Self::TAG_TRANSFER.write(buf);
                to.write(buf);
                amount.write(buf);
            }
        }
    }
}

impl EncodeSize for BalancesCall {
    fn encode_size(&self) -> usize {
        match self {
            BalancesCall::Transfer { .. } => 1 + AccountId::SIZE + Amount::SIZE,
        }
    }
}

impl Read for BalancesCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_TRANSFER => Ok(BalancesCall::Transfer {
                to: AccountId::read(buf)?,
                amount: Amount::read(buf)?,
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
