//! What executing a transaction produced: its status, the fee it paid and its events.

use crate::{DispatchError, Event};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, RangeCfg, Read, ReadExt, Write};
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

/// Most events a decoded receipt may hold. The runtime sets no limit of its own on a
/// transaction's events; the most one can produce is bounded by the withdrawal queue: adding
/// free stake to a pool (a contribution, a withdrawal, a heartbeat's payout, a reclaim) pays its
/// whole queue at once, one `stakepool.withdrawal_paid` per request (at most
/// [`MAX_QUEUE_LIMIT`](crate::stakepool::MAX_QUEUE_LIMIT), plus one part-payment), and the call
/// and the fees add fewer than ten others. Twice the queue limit leaves room.
pub const MAX_EVENTS_PER_RECEIPT: usize = 8_192;

// Raising the queue limit must raise this bound first: stored receipts would not decode.
const _: () = assert!(crate::stakepool::MAX_QUEUE_LIMIT as usize + 64 <= MAX_EVENTS_PER_RECEIPT);

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

/// Encoding: the [`Outcome`], then the events (a length prefix, then each [`Event`]'s own
/// encoding). Nodes store it in the transaction index: frozen like the block encoding.
impl Write for Receipt {
    fn write(&self, buf: &mut impl BufMut) {
        self.outcome().write(buf);
        self.events.write(buf);
    }
}

impl EncodeSize for Receipt {
    fn encode_size(&self) -> usize {
        self.outcome().encode_size() + self.events.encode_size()
    }
}

impl Read for Receipt {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let outcome = Outcome::read(buf)?;
        let events: RangeCfg<usize> = (..=MAX_EVENTS_PER_RECEIPT).into();
        Ok(Self {
            status: outcome.status,
            fee_paid: outcome.fee_paid,
            events: Vec::<Event>::read_cfg(buf, &(events, ()))?,
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

    /// Nodes store these bytes in the transaction index: changing them breaks stored receipts.
    #[test]
    fn receipt_encoding_is_frozen() {
        use crate::{
            events::tests::{ACCOUNT_1, ACCOUNT_2, account},
            fees,
        };
        let receipt = Receipt {
            status: TxStatus::Failed(balances::Error::InsufficientBalance.into()),
            fee_paid: 7,
            events: vec![
                balances::Event::Transfer {
                    from: account(1),
                    to: account(2),
                    amount: 1_000,
                }
                .into(),
                fees::Event::FeePaid {
                    who: account(1),
                    amount: 7,
                }
                .into(),
            ],
        };
        let fee = "00000000000000000000000000000007";
        let expected = [
            // The outcome: balances (tag 0) + 1, insufficient_balance (1), the fee.
            format!("0101{fee}"),
            // Two events.
            "02".to_string(),
            // balances (0) transfer (0): from, to, 1000.
            format!("0000{ACCOUNT_1}{ACCOUNT_2}000000000000000000000000000003e8"),
            // fees (8) fee_paid (0): who, amount.
            format!("0800{ACCOUNT_1}{fee}"),
        ]
        .concat();
        assert_eq!(hex::encode(receipt.encode()), expected);
        assert_eq!(receipt.encode_size(), expected.len() / 2);
        assert_eq!(Receipt::decode(receipt.encode()).ok(), Some(receipt));
    }

    #[test]
    fn receipt_decoding_is_bounded() {
        use crate::tokenomics;
        let with_events = |n: usize| Receipt {
            status: TxStatus::Success,
            fee_paid: 1,
            events: vec![tokenomics::Event::ReserveExhausted { short: 1 }.into(); n],
        };
        let most = with_events(MAX_EVENTS_PER_RECEIPT);
        assert_eq!(Receipt::decode(most.encode()).ok(), Some(most));
        let too_many = with_events(MAX_EVENTS_PER_RECEIPT + 1);
        assert!(matches!(
            Receipt::decode(too_many.encode()),
            Err(CodecError::InvalidLength(_))
        ));
        let mut trailing = with_events(1).encode().to_vec();
        trailing.push(0);
        assert!(matches!(
            Receipt::decode(trailing),
            Err(CodecError::ExtraData(1))
        ));
        // A receipt without events is its outcome and an empty list.
        let empty = with_events(0);
        assert_eq!(empty.encode().len(), empty.outcome().encode().len() + 1);
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
