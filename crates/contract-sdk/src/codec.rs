//! The SDK's encoding of inputs, outputs and stored values. Small and fixed, so any client in
//! any language can produce it:
//!
//! * `u8`..`u128`, `i64`: fixed width, little-endian; `bool`: one byte, 0 or 1;
//! * `[u8; N]`: the N bytes;
//! * `Vec<T>`, `String`: a `u32` little-endian count (bytes for a string, which must be UTF-8),
//!   then the items;
//! * `Option<T>`: 0, or 1 then the value; tuples: their fields in order; `()`: nothing.
//!
//! Decoding never trusts a count: one larger than the bytes left is an error, not an
//! allocation. [`Decode::decode`] also refuses trailing bytes.

use alloc::string::String;
use alloc::vec::Vec;

/// Why bytes did not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes ended before the value did.
    Truncated,
    /// A `bool` or `Option` tag other than 0 or 1, or an unknown method or variant.
    BadTag(u8),
    /// A string that is not UTF-8.
    NotUtf8,
    /// Bytes left after the value.
    TrailingBytes,
}

impl DecodeError {
    /// A short description, for a contract's error message.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Truncated => "input ended early",
            Self::BadTag(_) => "unknown tag",
            Self::NotUtf8 => "string is not UTF-8",
            Self::TrailingBytes => "trailing bytes after the input",
        }
    }
}

/// Reads values from a byte slice, front to back.
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len()
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.bytes.len() {
            return Err(DecodeError::Truncated);
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    /// Decodes the next value.
    pub fn read<T: Decode>(&mut self) -> Result<T, DecodeError> {
        T::decode_from(self)
    }

    /// Succeeds only if every byte has been read.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }

    fn count(&mut self) -> Result<usize, DecodeError> {
        let count = usize::try_from(u32::decode_from(self)?).map_err(|_| DecodeError::Truncated)?;
        // Every item takes at least one byte: a larger count cannot be honest.
        if count > self.bytes.len() {
            return Err(DecodeError::Truncated);
        }
        Ok(count)
    }
}

/// A value that can be written in the SDK's encoding.
pub trait Encode {
    /// Appends the encoding of `self` to `out`.
    fn encode_to(&self, out: &mut Vec<u8>);

    /// The encoding of `self`.
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_to(&mut out);
        out
    }
}

/// A value that can be read from the SDK's encoding.
pub trait Decode: Sized {
    /// Reads one value from `reader`.
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Decodes exactly `bytes`: trailing bytes are an error.
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(bytes);
        let value = Self::decode_from(&mut reader)?;
        reader.finish()?;
        Ok(value)
    }
}

macro_rules! int {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn encode_to(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
        impl Decode for $t {
            fn decode_from(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
                const N: usize = core::mem::size_of::<$t>();
                let mut bytes = [0u8; N];
                bytes.copy_from_slice(reader.take(N)?);
                Ok(<$t>::from_le_bytes(bytes))
            }
        }
    )*};
}
int!(u8, u16, u32, u64, u128, i64);

/// Nothing: no arguments, or no output.
impl Encode for () {
    fn encode_to(&self, _out: &mut Vec<u8>) {}
}

impl Decode for () {
    fn decode_from(_reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(())
    }
}

impl Encode for bool {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl Decode for bool {
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match u8::decode_from(reader)? {
            0 => Ok(false),
            1 => Ok(true),
            tag => Err(DecodeError::BadTag(tag)),
        }
    }
}

impl<const N: usize> Encode for [u8; N] {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl<const N: usize> Decode for [u8; N] {
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(reader.take(N)?);
        Ok(out)
    }
}

fn count_to(count: usize, out: &mut Vec<u8>) {
    // Nothing a contract may hold or send comes near 4 GiB (the host's limits are far lower).
    u32::try_from(count).unwrap_or(u32::MAX).encode_to(out);
}

impl<T: Encode> Encode for Vec<T> {
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.as_slice().encode_to(out);
    }
}

impl<T: Encode> Encode for [T] {
    fn encode_to(&self, out: &mut Vec<u8>) {
        count_to(self.len(), out);
        for item in self {
            item.encode_to(out);
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let count = reader.count()?;
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            out.push(T::decode_from(reader)?);
        }
        Ok(out)
    }
}

impl Encode for str {
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.as_bytes().encode_to(out);
    }
}

impl Encode for String {
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.as_str().encode_to(out);
    }
}

impl Decode for String {
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let count = reader.count()?;
        let bytes = reader.take(count)?;
        core::str::from_utf8(bytes)
            .map(String::from)
            .map_err(|_| DecodeError::NotUtf8)
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode_to(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(value) => {
                out.push(1);
                value.encode_to(out);
            }
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match u8::decode_from(reader)? {
            0 => Ok(None),
            1 => Ok(Some(T::decode_from(reader)?)),
            tag => Err(DecodeError::BadTag(tag)),
        }
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode_to(&self, out: &mut Vec<u8>) {
        (**self).encode_to(out);
    }
}

macro_rules! tuple {
    ($($name:ident),+) => {
        impl<$($name: Encode),+> Encode for ($($name,)+) {
            #[allow(non_snake_case)]
            fn encode_to(&self, out: &mut Vec<u8>) {
                let ($($name,)+) = self;
                $($name.encode_to(out);)+
            }
        }
        impl<$($name: Decode),+> Decode for ($($name,)+) {
            fn decode_from(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(($($name::decode_from(reader)?,)+))
            }
        }
    };
}
tuple!(A);
tuple!(A, B);
tuple!(A, B, C);
tuple!(A, B, C, D);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn round_trip<T: Encode + Decode + PartialEq + core::fmt::Debug>(value: T) {
        assert_eq!(T::decode(&value.encode()), Ok(value));
    }

    #[test]
    fn values_round_trip() {
        round_trip(0u8);
        round_trip(u64::MAX);
        round_trip(u128::MAX - 7);
        round_trip(-5i64);
        round_trip(true);
        round_trip([9u8; 32]);
        round_trip(vec![1u8, 2, 3]);
        round_trip(String::from("sealed bid"));
        round_trip(Some(vec![String::from("a"), String::from("")]));
        round_trip(None::<u32>);
        round_trip((1u8, [2u8; 4], String::from("x"), vec![4u64]));
    }

    #[test]
    fn the_encoding_is_fixed() {
        // Frozen: clients in other languages produce these bytes.
        assert_eq!(0x0102_0304u32.encode(), [4, 3, 2, 1]);
        assert_eq!(String::from("hi").encode(), [2, 0, 0, 0, b'h', b'i']);
        assert_eq!(Some(true).encode(), [1, 1]);
        assert_eq!(vec![7u16].encode(), [1, 0, 0, 0, 7, 0]);
    }

    #[test]
    fn bad_bytes_are_errors_not_panics() {
        assert_eq!(u64::decode(&[1, 2, 3]), Err(DecodeError::Truncated));
        assert_eq!(bool::decode(&[2]), Err(DecodeError::BadTag(2)));
        assert_eq!(u8::decode(&[1, 2]), Err(DecodeError::TrailingBytes));
        assert_eq!(
            String::decode(&[2, 0, 0, 0, 0xFF, 0xFE]),
            Err(DecodeError::NotUtf8)
        );
        // A huge count is refused before anything is allocated.
        assert_eq!(
            Vec::<u8>::decode(&[0xFF, 0xFF, 0xFF, 0xFF, 1]),
            Err(DecodeError::Truncated)
        );
        assert_eq!(Option::<u8>::decode(&[3]), Err(DecodeError::BadTag(3)));
    }
}
