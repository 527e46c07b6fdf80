//! PHA amounts: integers of base units, never floating point.

use thiserror::Error;

/// An amount of PHA in base units (10^-12 PHA).
pub type Amount = u128;

/// Number of decimal places of one PHA.
pub const DECIMALS: u32 = 12;

/// Base units in one PHA.
pub const UNITS_PER_PHA: Amount = 1_000_000_000_000;

/// The hard cap on PHA in existence: 1,000,000,000 PHA. Nothing is ever minted beyond it.
pub const MAX_SUPPLY: Amount = 1_000_000_000 * UNITS_PER_PHA;

/// Formats base units as a decimal PHA string without trailing zeros (`1.5`, `0.000000000001`).
pub fn format_pha(units: Amount) -> String {
    let whole = units / UNITS_PER_PHA;
    let frac = units % UNITS_PER_PHA;
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:012}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// Why a PHA amount string was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseAmountError {
    #[error("amount is empty")]
    Empty,
    #[error("amount `{0}` is not a decimal number (use digits and at most one '.')")]
    NotDecimal(String),
    #[error("amount `{0}` has more than {DECIMALS} decimal places")]
    TooPrecise(String),
    #[error("amount `{0}` exceeds the maximum supply of 1,000,000,000 PHA")]
    TooLarge(String),
}

/// Parses a decimal PHA string (`"1.5"`, `"100"`) into base units.
pub fn parse_pha(s: &str) -> Result<Amount, ParseAmountError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(ParseAmountError::Empty);
    }
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) {
        return Err(ParseAmountError::NotDecimal(s.to_string()));
    }
    if frac.len() > DECIMALS as usize {
        return Err(ParseAmountError::TooPrecise(s.to_string()));
    }
    // Whole part longer than the cap's digits cannot fit; check before parsing to avoid overflow.
    if whole.trim_start_matches('0').len() > 10 {
        return Err(ParseAmountError::TooLarge(s.to_string()));
    }
    let whole: Amount = if whole.is_empty() {
        0
    } else {
        whole
            .parse()
            .map_err(|_| ParseAmountError::NotDecimal(s.to_string()))?
    };
    let mut frac_units: Amount = 0;
    if !frac.is_empty() {
        let padded = format!("{frac:0<12}");
        frac_units = padded
            .parse()
            .map_err(|_| ParseAmountError::NotDecimal(s.to_string()))?;
    }
    let total = whole
        .checked_mul(UNITS_PER_PHA)
        .and_then(|w| w.checked_add(frac_units))
        .ok_or_else(|| ParseAmountError::TooLarge(s.to_string()))?;
    if total > MAX_SUPPLY {
        return Err(ParseAmountError::TooLarge(s.to_string()));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_and_parses_examples() {
        assert_eq!(format_pha(0), "0");
        assert_eq!(format_pha(UNITS_PER_PHA), "1");
        assert_eq!(format_pha(UNITS_PER_PHA + UNITS_PER_PHA / 2), "1.5");
        assert_eq!(format_pha(1), "0.000000000001");
        assert_eq!(parse_pha("1.5"), Ok(1_500_000_000_000));
        assert_eq!(parse_pha(".5"), Ok(500_000_000_000));
        assert_eq!(parse_pha("1000000000"), Ok(MAX_SUPPLY));
    }

    #[test]
    fn rejects_bad_amounts() {
        assert_eq!(parse_pha(""), Err(ParseAmountError::Empty));
        assert!(matches!(
            parse_pha("."),
            Err(ParseAmountError::NotDecimal(_))
        ));
        assert!(matches!(
            parse_pha("-1"),
            Err(ParseAmountError::NotDecimal(_))
        ));
        assert!(matches!(
            parse_pha("1e5"),
            Err(ParseAmountError::NotDecimal(_))
        ));
        assert!(matches!(
            parse_pha("1.2.3"),
            Err(ParseAmountError::NotDecimal(_))
        ));
        assert!(matches!(
            parse_pha("0.0000000000001"),
            Err(ParseAmountError::TooPrecise(_))
        ));
        assert!(matches!(
            parse_pha("1000000000.000000000001"),
            Err(ParseAmountError::TooLarge(_))
        ));
        assert!(matches!(
            parse_pha("99999999999999999999999999999999999999999"),
            Err(ParseAmountError::TooLarge(_))
        ));
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(units in 0..=MAX_SUPPLY) {
            prop_assert_eq!(parse_pha(&format_pha(units)), Ok(units));
        }
    }
}
