//! Account identifiers: an account is the ed25519 public key that signs for it.

use bytes::BufMut;
use commonware_codec::Buf;
use commonware_codec::{EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, Write};
use commonware_cryptography::ed25519;
use std::fmt;
use thiserror::Error;

/// An account on the Phalanx chain, identified by its ed25519 public key.
///
/// Shown and parsed as 64 lowercase hex characters (an optional `0x` prefix is accepted).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(ed25519::PublicKey);

/// Why an account id string was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseAccountError {
    #[error("account id must be 64 hex characters (32 bytes), got {0} characters")]
    Length(usize),
    #[error("account id is not hex: {0}")]
    NotHex(String),
    #[error("account id is not a valid ed25519 public key")]
    NotOnCurve,
}

impl AccountId {
    /// Encoded size in bytes.
    pub const LEN: usize = ed25519::PublicKey::SIZE;

    /// The account's public key.
    pub fn public_key(&self) -> &ed25519::PublicKey {
        &self.0
    }

    /// The 32 raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_ref()
    }

    /// Parses the canonical hex form.
    pub fn from_hex(s: &str) -> Result<Self, ParseAccountError> {
        let s = s.trim();
        let s = s.strip_prefix("0x").unwrap_or(s);
        if s.len() != 2 * Self::LEN {
            return Err(ParseAccountError::Length(s.len()));
        }
        let bytes = hex::decode(s).map_err(|e| ParseAccountError::NotHex(e.to_string()))?;
        Self::from_bytes(&bytes)
    }

    /// Parses 32 raw bytes, checking they are a valid public key.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ParseAccountError> {
        if bytes.len() != Self::LEN {
            return Err(ParseAccountError::Length(bytes.len() * 2));
        }
        let mut buf = commonware_codec::Copying(bytes);
        ed25519::PublicKey::read(&mut buf)
            .map(Self)
            .map_err(|_| ParseAccountError::NotOnCurve)
    }
}

impl From<ed25519::PublicKey> for AccountId {
    fn from(key: ed25519::PublicKey) -> Self {
        Self(key)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.as_bytes()))
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({self})")
    }
}

impl std::str::FromStr for AccountId {
    type Err = ParseAccountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_hex(s)
    }
}

impl serde::Serialize for AccountId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for AccountId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

impl Write for AccountId {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.write(buf);
    }
}

impl FixedSize for AccountId {
    const SIZE: usize = ed25519::PublicKey::SIZE;
}

impl Read for AccountId {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        ed25519::PublicKey::read(buf).map(Self)
    }
}

// FixedSize gives EncodeSize through the codec's blanket impl.
const _: fn() = || {
    fn assert_encode_size<T: EncodeSize>() {}
    assert_encode_size::<AccountId>();
};

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_cryptography::Signer as _;

    #[test]
    fn hex_round_trip() {
        let id = AccountId::from(ed25519::PrivateKey::from_seed(7).public_key());
        let text = id.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(AccountId::from_hex(&text).unwrap(), id);
        assert_eq!(AccountId::from_hex(&format!("0x{text}")).unwrap(), id);
    }

    #[test]
    fn refuses_bad_ids() {
        assert_eq!(
            AccountId::from_hex("abc"),
            Err(ParseAccountError::Length(3))
        );
        assert!(matches!(
            AccountId::from_hex(&"zz".repeat(32)),
            Err(ParseAccountError::NotHex(_))
        ));
    }
}
