//! What every component's events share: [`component_events!`], which gives a component's
//! `Event` its binary encoding, its kind names and the accounts it names.
//!
//! Nodes store the encoding (receipts in the transaction index), so it is frozen like the block
//! encoding: a variant is a `u8` tag, then its fields in declaration order, each in its codec
//! encoding. Never renumber a tag, reorder fields or change a field's type; a new variant
//! takes the next tag. Text is its UTF-8 bytes behind a length prefix (as `Vec<u8>`) and is
//! read with an explicit bound, so a corrupt or hostile index cannot make a reader allocate
//! without limit. JSON (serde) is separate and unchanged.

use crate::fixed::Fixed;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, ReadRangeExt, Write};
use phalanx_types::AccountId;
use std::borrow::Cow;

/// An event field holding text.
pub(crate) trait Text: Sized {
    fn as_text(&self) -> &str;
    fn from_text(text: String) -> Self;
}

impl Text for String {
    fn as_text(&self) -> &str {
        self
    }
    fn from_text(text: String) -> Self {
        text
    }
}

/// Names the chain picks from a fixed set are `Cow` so emitting them does not allocate; a
/// decoded one owns its text.
impl Text for Cow<'static, str> {
    fn as_text(&self) -> &str {
        self
    }
    fn from_text(text: String) -> Self {
        Cow::Owned(text)
    }
}

pub(crate) fn write_text(text: &impl Text, buf: &mut impl BufMut) {
    text.as_text().as_bytes().write(buf);
}

pub(crate) fn text_size(text: &impl Text) -> usize {
    text.as_text().as_bytes().encode_size()
}

/// Reads text of at most `max` bytes.
pub(crate) fn read_text<T: Text>(buf: &mut impl Buf, max: usize) -> Result<T, CodecError> {
    let bytes = Vec::<u8>::read_range(buf, ..=max)?;
    String::from_utf8(bytes)
        .map(T::from_text)
        .map_err(|_| CodecError::Invalid("Event", "text is not UTF-8"))
}

/// `text` cut to at most `max` bytes, on a character boundary: for text the chain composes
/// from values it did not choose, so the event always decodes within its bound.
pub(crate) fn cut_text(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// The accounts an event field names, added to `out` unless already there. Every field type
/// of an event implements it, so a new type must say whether it names accounts.
pub(crate) trait Accounts {
    fn add_accounts(&self, out: &mut Vec<AccountId>);
}

impl Accounts for AccountId {
    fn add_accounts(&self, out: &mut Vec<AccountId>) {
        if !out.contains(self) {
            out.push(self.clone());
        }
    }
}

impl<T: Accounts> Accounts for Option<T> {
    fn add_accounts(&self, out: &mut Vec<AccountId>) {
        if let Some(value) = self {
            value.add_accounts(out);
        }
    }
}

impl<T: Accounts> Accounts for Vec<T> {
    fn add_accounts(&self, out: &mut Vec<AccountId>) {
        for value in self {
            value.add_accounts(out);
        }
    }
}

macro_rules! names_no_account {
    ($($t:ty),+ $(,)?) => {
        $(impl Accounts for $t {
            fn add_accounts(&self, _: &mut Vec<AccountId>) {}
        })+
    };
}
names_no_account!(
    bool,
    u8,
    u32,
    u64,
    u128,
    [u8; 32],
    String,
    Cow<'static, str>,
    Fixed
);

/// Gives the component's `Event` (declared above it with its serde names) its binary encoding
/// (`Write`, `EncodeSize`, `Read` with `Cfg = ()`), `KINDS`, `kind()` and `accounts()`.
///
/// Lists every variant once, in declaration order: its frozen tag, its serde name and its
/// fields in declaration order (the `Write` match is exhaustive, so a variant left out does
/// not compile). A text field says the bound it is read with: `name: text(MAX)`; any other
/// field must have a codec with `Cfg = ()`.
macro_rules! component_events {
    (
        component = $component:literal;
        $(
            $tag:literal => $variant:ident $name:literal {
                $( $field:ident $(: text($max:expr))? ),* $(,)?
            };
        )+
    ) => {
        impl Event {
            /// Every kind of the component's events, `component.event`, in tag order.
            pub const KINDS: &'static [&'static str] = &[$(concat!($component, ".", $name)),+];

            /// `component.event`: the names JSON uses.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => concat!($component, ".", $name),)+
                }
            }

            /// Every account the event names, each once, in field order.
            pub fn accounts(&self) -> Vec<::phalanx_types::AccountId> {
                let mut out = Vec::new();
                match self {
                    $(Self::$variant { $($field),* } => {
                        $($crate::events::Accounts::add_accounts($field, &mut out);)*
                    })+
                }
                out
            }

            /// The fields in encoding order (tests check it is the declaration order).
            #[cfg(test)]
            pub(crate) fn codec_fields(&self) -> &'static [&'static str] {
                match self {
                    $(Self::$variant { .. } => &[$(stringify!($field)),*],)+
                }
            }
        }

        impl ::commonware_codec::Write for Event {
            fn write(&self, buf: &mut impl ::bytes::BufMut) {
                match self {
                    $(Self::$variant { $($field),* } => {
                        let tag: u8 = $tag;
                        ::commonware_codec::Write::write(&tag, buf);
                        $($crate::events::event_field!(write buf, $field $(, $max)?);)*
                    })+
                }
            }
        }

        impl ::commonware_codec::EncodeSize for Event {
            fn encode_size(&self) -> usize {
                1 + match self {
                    $(Self::$variant { $($field),* } => {
                        0 $(+ $crate::events::event_field!(size $field $(, $max)?))*
                    })+
                }
            }
        }

        impl ::commonware_codec::Read for Event {
            type Cfg = ();
            fn read_cfg(
                buf: &mut impl ::commonware_codec::Buf,
                _: &(),
            ) -> Result<Self, ::commonware_codec::Error> {
                // Struct fields are evaluated in the order written: the declaration order.
                match <u8 as ::commonware_codec::ReadExt>::read(buf)? {
                    $($tag => Ok(Self::$variant {
                        $($field: $crate::events::event_field!(read buf $(, $max)?),)*
                    }),)+
                    tag => Err(::commonware_codec::Error::InvalidEnum(tag)),
                }
            }
        }
    };
}

/// One field of [`component_events!`]: text through the bounded text codec, anything else
/// through its own codec.
macro_rules! event_field {
    (write $buf:ident, $field:ident) => {
        ::commonware_codec::Write::write($field, $buf)
    };
    (write $buf:ident, $field:ident, $max:expr) => {
        $crate::events::write_text($field, $buf)
    };
    (size $field:ident) => {
        ::commonware_codec::EncodeSize::encode_size($field)
    };
    (size $field:ident, $max:expr) => {
        $crate::events::text_size($field)
    };
    (read $buf:ident) => {
        ::commonware_codec::ReadExt::read($buf)?
    };
    (read $buf:ident, $max:expr) => {
        $crate::events::read_text($buf, $max)?
    };
}

pub(crate) use {component_events, event_field};

#[cfg(test)]
pub(crate) mod tests {
    use crate::{Event, balances, computation, mq, stakepool, tokenomics};
    use commonware_codec::{DecodeExt, Encode, EncodeSize, Error as CodecError};
    use phalanx_types::AccountId;
    use std::collections::BTreeSet;

    /// A fixed account for samples.
    pub(crate) fn account(seed: u64) -> AccountId {
        use commonware_cryptography::Signer;
        AccountId::from(commonware_cryptography::ed25519::PrivateKey::from_seed(seed).public_key())
    }

    fn decode(bytes: Vec<u8>) -> Result<Event, CodecError> {
        Event::decode(bytes)
    }

    #[test]
    fn every_variant_round_trips() {
        for event in Event::samples() {
            let bytes = event.encode().to_vec();
            assert_eq!(bytes.len(), event.encode_size(), "{}", event.kind());
            assert_eq!(
                decode(bytes).ok().as_ref(),
                Some(&event),
                "{}",
                event.kind()
            );
        }
    }

    /// A variant added to an `Event` is in its component's `component_events!` (or the build
    /// fails), so in `KINDS`: this fails until it has a sample too.
    #[test]
    fn samples_cover_every_kind() {
        let samples: Vec<&str> = Event::samples().iter().map(Event::kind).collect();
        let kinds: BTreeSet<&str> = Event::KINDS.iter().copied().collect();
        assert_eq!(kinds.len(), Event::KINDS.len(), "a kind is listed twice");
        assert_eq!(samples.iter().copied().collect::<BTreeSet<_>>(), kinds);
        assert_eq!(samples.len(), kinds.len(), "one sample per variant");
    }

    #[test]
    fn kinds_are_the_json_names() {
        for event in Event::samples() {
            let json = serde_json::to_value(&event).unwrap();
            let named = format!(
                "{}.{}",
                json["component"].as_str().unwrap(),
                json["event"].as_str().unwrap()
            );
            assert_eq!(event.kind(), named);
        }
    }

    /// serde writes a struct's fields in declaration order: the encoding must follow it.
    #[test]
    fn fields_encode_in_declaration_order() {
        for event in Event::samples() {
            let json = serde_json::to_string(&event).unwrap();
            let at: Vec<usize> = event
                .codec_fields()
                .iter()
                .map(|f| json.find(&format!("\"{f}\":")).unwrap())
                .collect();
            assert!(at.is_sorted(), "{}: {json}", event.kind());
            let keys = serde_json::to_value(&event)
                .unwrap()
                .as_object()
                .unwrap()
                .len();
            // Every field is encoded; the two tags are JSON's own.
            assert_eq!(keys, event.codec_fields().len() + 2, "{}", event.kind());
        }
    }

    /// Nodes store these bytes: changing them breaks every stored receipt.
    #[test]
    fn transfer_encoding_is_frozen() {
        let transfer = Event::from(balances::Event::Transfer {
            from: account(1),
            to: account(2),
            amount: 1_000,
        });
        assert_eq!(hex::encode(account(1).encode()), ACCOUNT_1);
        assert_eq!(hex::encode(account(2).encode()), ACCOUNT_2);
        // Balances (0), transfer (0), from, to, 1000 as a big-endian u128.
        assert_eq!(
            hex::encode(transfer.encode()),
            format!("0000{ACCOUNT_1}{ACCOUNT_2}000000000000000000000000000003e8")
        );
    }

    /// Component tags are `component_tag`'s; variant tags count from 0 in listing order.
    #[test]
    fn tags_are_frozen() {
        let components = [
            ("balances", 0),
            ("registry", 1),
            ("mq", 2),
            ("keys", 3),
            ("computation", 4),
            ("beacon", 5),
            ("stakepool", 6),
            ("governance", 7),
            ("fees", 8),
            ("tokenomics", 9),
            ("contracts", 10),
        ];
        for event in Event::samples() {
            let bytes = event.encode();
            let (component, _) = event.kind().split_once('.').unwrap();
            let tag = components.iter().find(|(c, _)| *c == component).unwrap().1;
            assert_eq!(bytes[0], tag, "{}", event.kind());
            let variant = Event::KINDS
                .iter()
                .filter(|k| k.starts_with(&format!("{component}.")))
                .position(|k| *k == event.kind())
                .unwrap();
            assert_eq!(usize::from(bytes[1]), variant, "{}", event.kind());
        }
    }

    /// `account(1)` and `account(2)`, encoded (ed25519 public keys: fixed by their seeds).
    pub(crate) const ACCOUNT_1: &str =
        "478b8e507e0bb2b18c0f9e0824769e8562d10df9abe2e774896f82b4b4405266";
    pub(crate) const ACCOUNT_2: &str =
        "5925ba86e2189444a6c3b437b25d2ef35daecd1abf82c5fb36060f9fc0af428c";

    #[test]
    fn decode_refuses_malformed_events() {
        let topic = |topic: String| {
            Event::from(mq::Event::MessageAccepted {
                sender: account(3),
                seq: 1,
                topic: topic.into(),
                free: false,
            })
        };
        // At the bound it decodes; one byte longer it does not.
        let longest = topic("t".repeat(mq::MAX_TOPIC_BYTES));
        assert_eq!(decode(longest.encode().to_vec()).ok(), Some(longest));
        let too_long = topic("t".repeat(mq::MAX_TOPIC_BYTES + 1));
        assert!(matches!(
            decode(too_long.encode().to_vec()),
            Err(CodecError::InvalidLength(_))
        ));

        let valid = Event::from(tokenomics::Event::ReserveExhausted { short: 1 }).encode();
        // Unknown component (11 is the first free tag), unknown tokenomics variant.
        let mut unknown = valid.to_vec();
        unknown[0] = 11;
        assert!(matches!(decode(unknown), Err(CodecError::InvalidEnum(11))));
        let mut unknown = valid.to_vec();
        unknown[1] = 2;
        assert!(matches!(decode(unknown), Err(CodecError::InvalidEnum(2))));
        // Trailing bytes.
        let mut trailing = valid.to_vec();
        trailing.push(0);
        assert!(matches!(decode(trailing), Err(CodecError::ExtraData(1))));
        // Text that is not UTF-8.
        let mut bytes = topic("ab".into()).encode().to_vec();
        let at = bytes.len() - 3;
        bytes[at] = 0xff;
        assert!(matches!(decode(bytes), Err(CodecError::Invalid(..))));
    }

    #[test]
    fn accounts_are_named_once() {
        let transfer = Event::from(balances::Event::Transfer {
            from: account(1),
            to: account(2),
            amount: 1,
        });
        assert_eq!(transfer.accounts(), vec![account(1), account(2)]);
        let stopped = Event::from(stakepool::Event::StoppedForWithdrawals {
            pool: 1,
            worker: account(3),
            by: account(3),
        });
        assert_eq!(stopped.accounts(), vec![account(3)]);
        // A session's owner is named when it is an account, not when it is a pool.
        let started = |owner| {
            Event::from(computation::Event::MiningStarted {
                worker: account(3),
                owner,
                stake: 1,
                p: 1,
                initial_value: crate::fixed::Fixed::ONE,
            })
        };
        assert_eq!(
            started(computation::SessionOwner::Account(account(1))).accounts(),
            vec![account(3), account(1)]
        );
        assert_eq!(
            started(computation::SessionOwner::Pool(1)).accounts(),
            vec![account(3)]
        );
        let emission = Event::from(tokenomics::Event::ReserveExhausted { short: 1 });
        assert!(emission.accounts().is_empty());
    }
}
