//! The emission schedule in closed form, in exact integer arithmetic.
//!
//! With rate `R` per day in the first period, period length `P`, decay `a/b` and
//! `D` = one day: after `t` ms, `k = ⌊t/P⌋` whole periods and `d = t − kP` into the next,
//!
//! ```text
//! E(t) = R/D · ( P · Σ_{i<k} (a/b)^i  +  (a/b)^k · d )
//!      = R · ( P · S_k + a^k · d ) / ( D · b^k ),     S_k = Σ_{i<k} a^i · b^(k−i) = b·(b^k − a^k)/(b − a)
//! ```
//!
//! and the chain has emitted exactly `⌊E(t)⌋` base units by block time `t`: each block emits
//! `⌊E(t_block)⌋ − emitted so far`, so no rounding accumulates whatever the block times, and a
//! period boundary inside a block is counted exactly. The limit is `R·P·b / (D·(b − a))`
//! (518,400,000 PHA with the design's constants). `(a/b)^k` needs big integers; after
//! [`MAX_PERIODS`] periods the floor has settled (parameters that would not settle are
//! refused), so `k` is capped there and the cost per block is bounded.

use super::{Params, params::DAY_MS};
use num_bigint::BigUint;
use phalanx_types::{Amount, MAX_SUPPLY};

/// Periods after which the schedule must have settled (its floor no longer grows).
pub const MAX_PERIODS: u64 = 1024;
/// Largest decay denominator accepted (bounds `b^k` to 16 × 1024 bits).
pub const MAX_DECAY_DENOMINATOR: u32 = 1 << 16;
/// Largest daily emission accepted: the whole supply.
pub const MAX_DAILY_EMISSION: Amount = MAX_SUPPLY;

/// Cumulative emission, in base units, `elapsed_ms` after genesis: `⌊E(elapsed_ms)⌋`.
pub fn cumulative(params: &Params, elapsed_ms: u64) -> Amount {
    let period = params.period_ms.max(1);
    let k = elapsed_ms / period;
    if k >= MAX_PERIODS {
        return cumulative_at(params, MAX_PERIODS, 0);
    }
    cumulative_at(params, k, elapsed_ms % period)
}

/// `⌊E⌋` after `k` whole periods and `d` ms into the next.
fn cumulative_at(params: &Params, k: u64, d: u64) -> Amount {
    let a = BigUint::from(params.decay_numerator);
    let b = BigUint::from(params.decay_denominator);
    // k < MAX_PERIODS = 1024, so it fits a u32 exponent.
    let k = k.min(MAX_PERIODS) as u32;
    let a_k = a.pow(k);
    let b_k = b.pow(k);
    let whole_periods = sum_of_powers(params, k, &b_k, &a_k);
    let numerator = BigUint::from(params.daily_emission)
        * (BigUint::from(params.period_ms) * whole_periods + a_k * BigUint::from(d));
    let denominator = BigUint::from(DAY_MS) * b_k;
    let value = numerator / denominator;
    Amount::try_from(&value).unwrap_or(Amount::MAX)
}

/// `S_k = Σ_{i<k} a^i · b^(k−i) = b·(b^k − a^k)/(b − a)` (exact: `b − a` divides `b^k − a^k`).
fn sum_of_powers(params: &Params, k: u32, b_k: &BigUint, a_k: &BigUint) -> BigUint {
    if k == 0 || params.decay_denominator <= params.decay_numerator {
        return BigUint::from(0u32);
    }
    let b = BigUint::from(params.decay_denominator);
    let gap = BigUint::from(params.decay_denominator - params.decay_numerator);
    b * (b_k - a_k) / gap
}

/// The limit of the schedule, rounded down: what it emits in infinite time, less its last
/// fraction of a base unit.
pub fn limit(params: &Params) -> Amount {
    cumulative_at(params, MAX_PERIODS, 0)
}

/// The exact limit of the schedule, rounded up to a base unit: `⌈R·P·b / (D·(b − a))⌉`. The
/// cumulative emission approaches it from below and never reaches it (518,400,000 PHA with
/// the design's constants).
pub fn supremum(params: &Params) -> Amount {
    if params.decay_denominator == 0 || params.decay_numerator >= params.decay_denominator {
        return Amount::MAX;
    }
    let gap = BigUint::from(params.decay_denominator - params.decay_numerator);
    let num = BigUint::from(params.daily_emission)
        * BigUint::from(params.period_ms)
        * BigUint::from(params.decay_denominator);
    let den = BigUint::from(DAY_MS) * gap;
    let up = (num + &den - 1u32) / den;
    Amount::try_from(&up).unwrap_or(Amount::MAX)
}

/// Whether the floor of the schedule has settled by [`MAX_PERIODS`]: the emission still to come
/// after it is below one base unit short of the next integer. Checked on every parameter change
/// so that capping `k` changes no result.
pub fn settles(params: &Params) -> bool {
    if params.decay_denominator == 0 || params.decay_numerator >= params.decay_denominator {
        return false;
    }
    // The remaining emission after k periods is L·(a/b)^k with L the exact limit; the floor
    // is settled when the value at MAX_PERIODS equals ⌈L⌉ − 1.
    let b = BigUint::from(params.decay_denominator);
    let gap = BigUint::from(params.decay_denominator - params.decay_numerator);
    let limit_num = BigUint::from(params.daily_emission) * BigUint::from(params.period_ms) * b;
    let limit_den = BigUint::from(DAY_MS) * gap;
    // ⌈L⌉ − 1 = ⌊(num − 1) / den⌋ for num > 0.
    let settled = if limit_num == BigUint::from(0u32) {
        BigUint::from(0u32)
    } else {
        (limit_num - 1u32) / limit_den
    };
    BigUint::from(limit(params)) == settled
}

/// The emission rate per day during the period that contains `elapsed_ms`, rounded down.
pub fn daily_rate(params: &Params, elapsed_ms: u64) -> Amount {
    let k = period(params, elapsed_ms).min(MAX_PERIODS) as u32;
    let rate = BigUint::from(params.daily_emission) * BigUint::from(params.decay_numerator).pow(k)
        / BigUint::from(params.decay_denominator).pow(k);
    Amount::try_from(&rate).unwrap_or(Amount::MAX)
}

/// The period (0-based) that contains `elapsed_ms`.
pub fn period(params: &Params, elapsed_ms: u64) -> u64 {
    elapsed_ms / params.period_ms.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use phalanx_types::UNITS_PER_PHA;

    const PHA: Amount = UNITS_PER_PHA;

    fn day(n: u64) -> u64 {
        n * DAY_MS
    }

    #[test]
    fn design_numbers() {
        let p = Params::default();
        assert_eq!(cumulative(&p, 0), 0);
        assert_eq!(cumulative(&p, day(1)), 720_000 * PHA);
        assert_eq!(cumulative(&p, day(180)), 129_600_000 * PHA);
        assert_eq!(cumulative(&p, day(181)), 129_600_000 * PHA + 540_000 * PHA);
        assert_eq!(cumulative(&p, day(360)), 226_800_000 * PHA);
        // 720,000 × 180 / 0.25: an exact integer, which the schedule approaches from below.
        assert_eq!(limit(&p), 518_400_000 * PHA - 1);
        assert_eq!(supremum(&p), 518_400_000 * PHA);
        assert!(settles(&p));
        assert_eq!(daily_rate(&p, day(179)), 720_000 * PHA);
        assert_eq!(daily_rate(&p, day(180)), 540_000 * PHA);
        assert_eq!(period(&p, day(360)), 2);
    }

    #[test]
    fn far_future_is_the_settled_limit() {
        let p = Params::default();
        assert_eq!(cumulative(&p, u64::MAX), limit(&p));
        assert_eq!(cumulative(&p, day(180 * 2000)), limit(&p));
    }

    #[test]
    fn monotone_across_a_boundary() {
        let p = Params::default();
        let boundary = day(180);
        let before = cumulative(&p, boundary - 1);
        let at = cumulative(&p, boundary);
        let after = cumulative(&p, boundary + 1);
        assert!(before <= at && at <= after);
        // 1 ms at 720,000 PHA/day is 8,333,333,333.33 base units.
        assert!((8_333_333_333..=8_333_333_334).contains(&(at - before)));
    }

    #[test]
    fn unsettled_schedules_are_refused() {
        let slow = Params {
            decay_numerator: 65_535,
            decay_denominator: 65_536,
            ..Params::default()
        };
        assert!(!settles(&slow));
    }
}
