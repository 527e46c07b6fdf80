//! What executing a transaction produced: its status, the fee it paid and its events.

use crate::{DispatchError, Event};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::Amount;
use serde::{Deserialize, Serialize};

/// The outcome of an included transaction's call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "error", rename_all = "snake_case")]
pub enum TxStatus {
    Success,
    Failed(DispatchError),
}

/// The receipt of an included transaction. Status and fee are committed in the block (every
/// validator re-executes and must agree); events are derived on execution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    #[serde(flatten)]
    pub status: TxStatus,
    #[serde(with = "crate::amount_json")]
    pub fee_paid: Amount,
    pub events: Vec<Event>,
}

/// The consensus-committed part of a receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: TxStatus,
    pub fee_paid: Amount,
}

impl Receipt {
    /// The part of the receipt that blocks commit to.
    pub fn outcome(&self) -> Outcome {
        Outcome {
            status: self.status,
            fee_paid: self.fee_paid,
        }
    }
}

impl Outcome {
    /// A receipt rebuilt from the committed outcome alone, when the execution that produced
    /// the events is not available (events need the parent state to recompute).
    pub fn receipt_without_events(&self) -> Receipt {
        Receipt {
            status: self.status,
            fee_paid: self.fee_paid,
            events: Vec::new(),
        }
    }
}

/// Encoding: `[kind][code][fee]`: kind 0 is success (code 0), kind `1 + component tag` a
/// failure with the component's code.
impl Write for Outcome {
    fn write(&self, buf: &mut impl BufMut) {
        let (kind, code): (u8, u8) = match self.status {
            TxStatus::Success => (0, 0),
            TxStatus::Failed(e) => (e.component_tag() + 1, e.code()),
        };
        kind.write(buf);
        code.write(buf);
        self.fee_paid.write(buf);
    }
}

impl EncodeSize for Outcome {
    fn encode_size(&self) -> usize {
        1 + 1 + 16
    }
}

impl Read for Outcome {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let kind = u8::read(buf)?;
        let code = u8::read(buf)?;
        let status = match kind {
            0 if code == 0 => TxStatus::Success,
            0 => return Err(CodecError::Invalid("Outcome", "success carries no code")),
            _ => TxStatus::Failed(
                DispatchError::from_codes(kind - 1, code).ok_or(CodecError::InvalidEnum(code))?,
            ),
        };
        Ok(Self {
            status,
            fee_paid: Amount::read(buf)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{balances, keys};
    use commonware_codec::{DecodeExt, Encode};

    /// Blocks commit these bytes: changing them is a hard fork.
    #[test]
    fn outcome_encoding_is_frozen() {
        let ok = Outcome {
            status: TxStatus::Success,
            fee_paid: 1,
        };
        assert_eq!(
            hex::encode(ok.encode()),
            "000000000000000000000000000000000001"
        );
        let failed = Outcome {
            status: TxStatus::Failed(balances::Error::InsufficientBalance.into()),
            fee_paid: 0,
        };
        // kind 1 = component tag 0 (balances) + 1, code 1.
        assert_eq!(&hex::encode(failed.encode())[..4], "0101");
        let keys = Outcome {
            status: TxStatus::Failed(keys::Error::NotShareHolder.into()),
            fee_paid: 0,
        };
        assert_eq!(&hex::encode(keys.encode())[..4], "040e");
        for o in [ok, failed, keys] {
            assert_eq!(Outcome::decode(o.encode()).ok(), Some(o));
        }
        // A success with a code, an unknown component or code: refused.
        for bad in ["0001", "0901", "01ff"] {
            let bytes = hex::decode(format!("{bad}{}", "00".repeat(16))).unwrap_or_default();
            assert!(Outcome::decode(bytes.as_slice().to_vec()).is_err(), "{bad}");
        }
    }

    #[test]
    fn dispatch_errors_are_named_by_component() {
        let e: DispatchError = keys::Error::NotRoot.into();
        assert_eq!(e.name(), "keys.not_root");
        assert_eq!(DispatchError::from_name("keys.not_root"), Some(e));
        assert_eq!(
            DispatchError::from_name("registry.not_root").map(|e| e.component_tag()),
            Some(1)
        );
        assert_eq!(DispatchError::from_name("nope.not_root"), None);
        assert_eq!(DispatchError::from_name("not_root"), None);
    }
}
