//! `Fixed`: unsigned fixed point with 64 integer and 64 fraction bits, the precision the mining
//! economics are stated in (the reference network's `U64F64`).
//!
//! Every operation rounds toward zero and is exact integer arithmetic on the 128-bit pattern, so
//! every validator computes the same bits. Operations that could leave the range return `None`
//! (`checked_*`) or clamp (`saturating_*`); nothing panics. Products and quotients go through a
//! 256-bit intermediate, so `a·b` and `a/b` lose at most one unit in the last place (2⁻⁶⁴).
//!
//! In JSON a `Fixed` is a decimal string (`"1.0002"`): parsing rounds toward zero to the nearest
//! 2⁻⁶⁴, and printing gives the shortest decimal that parses back to the same bits, so params
//! round-trip exactly.

use bytes::BufMut;
use commonware_codec::{Buf, Error as CodecError, FixedSize, Read, ReadExt, Write};
use num_bigint::BigUint;
use phalanx_types::{Amount, UNITS_PER_PHA};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

const FRAC_BITS: u32 = 64;
const ONE_BITS: u128 = 1 << FRAC_BITS;
/// Longest decimal string accepted when parsing (20 integer digits, a point, 40 fraction
/// digits and some slack): a param file is input from outside.
const MAX_DECIMAL_CHARS: usize = 80;

#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fixed(u128);

impl Fixed {
    pub const ZERO: Fixed = Fixed(0);
    pub const ONE: Fixed = Fixed(ONE_BITS);
    pub const MAX: Fixed = Fixed(u128::MAX);

    pub const fn from_bits(bits: u128) -> Fixed {
        Fixed(bits)
    }

    pub const fn to_bits(self) -> u128 {
        self.0
    }

    pub const fn from_int(n: u64) -> Fixed {
        Fixed((n as u128) << FRAC_BITS)
    }

    /// `⌊num / den⌋` in fixed point, or `None` when `den` is zero or the result is out of range.
    pub fn from_ratio(num: u128, den: u128) -> Option<Fixed> {
        if den == 0 {
            return None;
        }
        let bits = (BigUint::from(num) << FRAC_BITS) / BigUint::from(den);
        u128::try_from(&bits).ok().map(Fixed)
    }

    /// The integer part.
    pub const fn floor_int(self) -> u64 {
        (self.0 >> FRAC_BITS) as u64
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn checked_add(self, other: Fixed) -> Option<Fixed> {
        self.0.checked_add(other.0).map(Fixed)
    }

    pub fn saturating_add(self, other: Fixed) -> Fixed {
        Fixed(self.0.saturating_add(other.0))
    }

    pub fn checked_sub(self, other: Fixed) -> Option<Fixed> {
        self.0.checked_sub(other.0).map(Fixed)
    }

    pub fn saturating_sub(self, other: Fixed) -> Fixed {
        Fixed(self.0.saturating_sub(other.0))
    }

    /// `⌊a·b⌋` to 2⁻⁶⁴.
    pub fn checked_mul(self, other: Fixed) -> Option<Fixed> {
        let (hi, lo) = mul_wide(self.0, other.0);
        // The result is the 256-bit product shifted right by 64: it fits when hi < 2^64.
        if hi >> FRAC_BITS != 0 {
            return None;
        }
        Some(Fixed((hi << FRAC_BITS) | (lo >> FRAC_BITS)))
    }

    pub fn saturating_mul(self, other: Fixed) -> Fixed {
        self.checked_mul(other).unwrap_or(Fixed::MAX)
    }

    /// `a · n` for an integer `n`.
    pub fn checked_mul_int(self, n: u64) -> Option<Fixed> {
        self.0.checked_mul(u128::from(n)).map(Fixed)
    }

    /// `⌊a/b⌋` to 2⁻⁶⁴; `None` when `b` is zero or the quotient is out of range.
    pub fn checked_div(self, other: Fixed) -> Option<Fixed> {
        if other.0 == 0 {
            return None;
        }
        let bits = (BigUint::from(self.0) << FRAC_BITS) / BigUint::from(other.0);
        u128::try_from(&bits).ok().map(Fixed)
    }

    /// `a / n` for an integer `n`; `None` when `n` is zero.
    pub fn checked_div_int(self, n: u64) -> Option<Fixed> {
        if n == 0 {
            return None;
        }
        Some(Fixed(self.0 / u128::from(n)))
    }

    /// `⌊√a⌋` to 2⁻⁶⁴ (always in range: √ of a number below 2⁶⁴ is below 2³²).
    pub fn sqrt(self) -> Fixed {
        // √(bits / 2^64) · 2^64 = √(bits · 2^64).
        let root = (BigUint::from(self.0) << FRAC_BITS).sqrt();
        Fixed(u128::try_from(&root).unwrap_or(u128::MAX))
    }

    /// `aⁿ` by repeated squaring: about 2·log₂ n products, each rounded toward zero.
    pub fn checked_pow(self, mut n: u64) -> Option<Fixed> {
        let mut result = Fixed::ONE;
        let mut base = self;
        while n > 0 {
            if n & 1 == 1 {
                result = result.checked_mul(base)?;
            }
            n >>= 1;
            if n > 0 {
                base = base.checked_mul(base)?;
            }
        }
        Some(result)
    }

    /// An amount of base units as PHA (12 decimals), rounded toward zero to 2⁻⁶⁴.
    pub fn from_units(units: Amount) -> Option<Fixed> {
        Fixed::from_ratio(units, UNITS_PER_PHA)
    }

    /// PHA as base units, rounded down; `None` when out of range.
    pub fn to_units(self) -> Option<Amount> {
        let units = (BigUint::from(self.0) * BigUint::from(UNITS_PER_PHA)) >> FRAC_BITS;
        Amount::try_from(&units).ok()
    }

    /// Whether `a` and `b` agree to within a relative `tolerance` (for tests against published
    /// numbers; uses floats, so never in consensus code).
    pub fn approx_eq(self, other: Fixed, tolerance: f64) -> bool {
        let (a, b) = (self.to_f64(), other.to_f64());
        let scale = a.abs().max(b.abs()).max(f64::MIN_POSITIVE);
        (a - b).abs() / scale <= tolerance
    }

    /// For display and tests only: never feed the result back into consensus arithmetic.
    pub fn to_f64(self) -> f64 {
        (self.0 >> FRAC_BITS) as f64 + ((self.0 as u64) as f64) / (ONE_BITS as f64)
    }

    /// Parse a decimal (`"1.0002"`, `"30000"`), rounding toward zero to 2⁻⁶⁴.
    pub fn parse_decimal(s: &str) -> Result<Fixed, FixedParseError> {
        if s.is_empty() || s.len() > MAX_DECIMAL_CHARS {
            return Err(FixedParseError::Length);
        }
        let (int_part, frac_part) = s.split_once('.').unwrap_or((s, ""));
        let digits_ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() || !digits_ok(int_part) || !digits_ok(frac_part) {
            return Err(FixedParseError::Syntax);
        }
        let int: u64 = int_part.parse().map_err(|_| FixedParseError::Range)?;
        let mut frac_bits = 0u128;
        if !frac_part.is_empty() {
            let numerator: BigUint = frac_part.parse().map_err(|_| FixedParseError::Syntax)?;
            let denominator = BigUint::from(10u32).pow(frac_part.len() as u32);
            let bits = (numerator << FRAC_BITS) / denominator;
            frac_bits = u128::try_from(&bits).map_err(|_| FixedParseError::Range)?;
        }
        Ok(Fixed((u128::from(int) << FRAC_BITS) | frac_bits))
    }
}

/// The full 256-bit product of two u128s, as (high, low) halves.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    let mask = u128::from(u64::MAX);
    let (a1, a0) = (a >> 64, a & mask);
    let (b1, b0) = (b >> 64, b & mask);
    let lo_lo = a0 * b0;
    let hi_hi = a1 * b1;
    let (mid, mid_carry) = (a1 * b0).overflowing_add(a0 * b1);
    let (lo, lo_carry) = lo_lo.overflowing_add(mid << 64);
    let hi = hi_hi + (mid >> 64) + (u128::from(mid_carry) << 64) + u128::from(lo_carry);
    (hi, lo)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixedParseError {
    #[error("a fixed-point number must be 1 to {MAX_DECIMAL_CHARS} characters")]
    Length,
    #[error(
        "a fixed-point number is written as decimal digits with at most one point, e.g. 1.0002"
    )]
    Syntax,
    #[error("a fixed-point number must be below 2^64")]
    Range,
}

impl fmt::Display for Fixed {
    /// The shortest decimal that parses back to the same bits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let int = self.0 >> FRAC_BITS;
        let frac = self.0 & (ONE_BITS - 1);
        if frac == 0 {
            return write!(f, "{int}");
        }
        // 2^-64 needs at most 64 decimal places to be exact; stop at the first prefix that
        // parses back to these bits (rounding toward zero, as parse does).
        let exact = (BigUint::from(frac) * BigUint::from(10u32).pow(64)) >> FRAC_BITS;
        let mut digits = exact.to_string();
        while digits.len() < 64 {
            digits.insert(0, '0');
        }
        for len in 1..=64 {
            let candidate = format!("{int}.{}", &digits[..len]);
            if let Ok(parsed) = Fixed::parse_decimal(&candidate)
                && parsed == *self
            {
                return f.write_str(candidate.trim_end_matches('0'));
            }
            // Rounding the last digit up can also land on our bits.
            let mut up = BigUint::parse_bytes(&digits.as_bytes()[..len], 10).unwrap_or_default();
            up += 1u32;
            let up = format!("{up:0>len$}");
            if up.len() == len {
                let candidate = format!("{int}.{up}");
                if let Ok(parsed) = Fixed::parse_decimal(&candidate)
                    && parsed == *self
                {
                    return f.write_str(candidate.trim_end_matches('0'));
                }
            }
        }
        write!(f, "{int}.{}", digits.trim_end_matches('0'))
    }
}

impl fmt::Debug for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fixed({self})")
    }
}

impl Serialize for Fixed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Fixed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fixed, D::Error> {
        let s = String::deserialize(d)?;
        Fixed::parse_decimal(&s).map_err(serde::de::Error::custom)
    }
}

impl Write for Fixed {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.write(buf);
    }
}

impl FixedSize for Fixed {
    const SIZE: usize = 16;
}

impl Read for Fixed {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Fixed(u128::read(buf)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fp(s: &str) -> Fixed {
        Fixed::parse_decimal(s).unwrap_or(Fixed::MAX)
    }

    #[test]
    fn arithmetic_rounds_toward_zero() {
        assert_eq!(Fixed::from_int(3).checked_mul(fp("0.5")), Some(fp("1.5")));
        assert_eq!(
            Fixed::ONE.checked_div(Fixed::from_int(3)),
            Some(Fixed::from_bits(ONE_BITS / 3))
        );
        assert_eq!(Fixed::from_int(2).sqrt(), fp("1.4142135623730950488"));
        assert_eq!(Fixed::from_int(1_000_000).sqrt(), Fixed::from_int(1000));
        assert_eq!(fp("1.5").checked_pow(0), Some(Fixed::ONE));
        assert_eq!(fp("2").checked_pow(10), Some(Fixed::from_int(1024)));
        assert_eq!(
            Fixed::from_int(1 << 40).checked_mul(Fixed::from_int(1 << 30)),
            None
        );
        assert_eq!(Fixed::ONE.checked_div(Fixed::ZERO), None);
        assert_eq!(Fixed::from_units(1_500_000_000_000), Some(fp("1.5")));
        assert_eq!(fp("1.5").to_units(), Some(1_500_000_000_000));
    }

    #[test]
    fn decimal_strings_round_trip() {
        for s in [
            "0",
            "1",
            "1.0002",
            "30000",
            "0.000000015815258751856933056",
            "0.7",
            "88.59375",
        ] {
            let x = fp(s);
            assert_eq!(fp(&x.to_string()), x, "{s} -> {x}");
        }
        assert_eq!(fp("1.0002").to_string(), "1.0002");
        assert_eq!(fp("0.3").to_string(), "0.3");
        assert_eq!(Fixed::parse_decimal(""), Err(FixedParseError::Length));
        assert_eq!(Fixed::parse_decimal("1.2.3"), Err(FixedParseError::Syntax));
        assert_eq!(Fixed::parse_decimal("-1"), Err(FixedParseError::Syntax));
        assert_eq!(Fixed::parse_decimal(".5"), Err(FixedParseError::Syntax));
        assert_eq!(
            Fixed::parse_decimal("18446744073709551616"),
            Err(FixedParseError::Range)
        );
        assert_eq!(
            Fixed::parse_decimal(&"9".repeat(100)),
            Err(FixedParseError::Length)
        );
    }

    proptest! {
        #[test]
        fn mul_matches_big_integers(a in any::<u128>(), b in any::<u128>()) {
            let exact = (BigUint::from(a) * BigUint::from(b)) >> FRAC_BITS;
            let expected = u128::try_from(&exact).ok().map(Fixed);
            prop_assert_eq!(Fixed(a).checked_mul(Fixed(b)), expected);
        }

        #[test]
        fn display_round_trips(bits in any::<u128>()) {
            let x = Fixed(bits);
            prop_assert_eq!(Fixed::parse_decimal(&x.to_string()), Ok(x));
        }
    }
}
