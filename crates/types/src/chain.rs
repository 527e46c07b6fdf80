//! Chain identifiers. A chain id is part of every signature's domain, so a transaction signed for
//! one network is never valid on another.

use bytes::BufMut;
use commonware_codec::Buf;
use commonware_codec::{EncodeSize, Error as CodecError, RangeCfg, Read, Write};
use std::fmt;
use thiserror::Error;

/// Longest chain id accepted.
pub const MAX_CHAIN_ID_LEN: usize = 32;

/// A network's identifier, e.g. `phalanx-dev` or `phalanx-mainnet`: 1–32 bytes of `[a-z0-9-]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainId(String);

/// Why a chain id was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ChainIdError {
    #[error("chain id must be 1 to {MAX_CHAIN_ID_LEN} bytes long, got {0}")]
    Length(usize),
    #[error("chain id `{0}` may contain only lowercase letters, digits and '-'")]
    Charset(String),
}

impl ChainId {
    /// A signing or encryption domain for this chain: `prefix` followed by the id, so that
    /// what is signed or sealed for one chain never verifies or opens on another.
    pub fn namespace(&self, prefix: &[u8]) -> Vec<u8> {
        [prefix, self.as_str().as_bytes()].concat()
    }

    /// Validates and wraps a chain id.
    pub fn new(id: impl Into<String>) -> Result<Self, ChainIdError> {
        let id = id.into();
        if id.is_empty() || id.len() > MAX_CHAIN_ID_LEN {
            return Err(ChainIdError::Length(id.len()));
        }
        if !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(ChainIdError::Charset(id));
        }
        Ok(Self(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this names a development or test chain: one of its `-`-separated parts is `dev`,
    /// `test`, `local` or `localnet`. Only such chains may accept simulated TEEs, so a spec
    /// that allows them can never be mistaken for a production one by its name.
    pub fn is_development(&self) -> bool {
        self.0
            .split('-')
            .any(|part| matches!(part, "dev" | "test" | "local" | "localnet"))
    }
}

impl fmt::Display for ChainId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ChainId {
    type Err = ChainIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl Write for ChainId {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.as_bytes().to_vec().write(buf);
    }
}

impl EncodeSize for ChainId {
    fn encode_size(&self) -> usize {
        self.0.as_bytes().to_vec().encode_size()
    }
}

impl Read for ChainId {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let range: RangeCfg<usize> = (1..=MAX_CHAIN_ID_LEN).into();
        let bytes = Vec::<u8>::read_cfg(buf, &(range, ()))?;
        let text =
            String::from_utf8(bytes).map_err(|_| CodecError::Invalid("ChainId", "not utf-8"))?;
        Self::new(text).map_err(|_| CodecError::Invalid("ChainId", "bad characters"))
    }
}

impl serde::Serialize for ChainId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ChainId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::{DecodeExt, Encode};

    #[test]
    fn validates() {
        assert!(ChainId::new("phalanx-dev").is_ok());
        assert!(ChainId::new("phalanx-dev").unwrap().is_development());
        assert!(ChainId::new("phalanx-localnet").unwrap().is_development());
        assert!(!ChainId::new("phalanx-mainnet").unwrap().is_development());
        assert!(!ChainId::new("phalanx-devious").unwrap().is_development());
        assert_eq!(ChainId::new(""), Err(ChainIdError::Length(0)));
        assert!(matches!(
            ChainId::new("Phalanx"),
            Err(ChainIdError::Charset(_))
        ));
        assert!(matches!(
            ChainId::new("a".repeat(33)),
            Err(ChainIdError::Length(33))
        ));
    }

    #[test]
    fn round_trips_and_refuses_bad_bytes() {
        let id = ChainId::new("phalanx-dev").unwrap();
        assert_eq!(ChainId::decode(id.encode()).unwrap(), id);
        let bad = b"\x03ABC".to_vec();
        assert!(ChainId::decode(commonware_codec::Copying(bad.as_slice())).is_err());
    }
}
