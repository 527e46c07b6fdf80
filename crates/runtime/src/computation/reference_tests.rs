//! The reference network's own numeric tests, reproduced on this component's arithmetic
//! (phala-blockchain: `test_tokenomic` in `pallets/phala/src/compute/computation.rs`;
//! `check_tokenomic_numerics`, `should_payout_at_v_max`, `test_update_p_instant` in
//! `crates/phactory/src/system/gk.rs`). The reference steps V once per 12-second block; here
//! V moves in closed form over 12-second ticks, so "n blocks of idle updates" is `grow(n)`.
//!
//! The published payouts of `check_tokenomic_numerics` (576,424.18 PHA) and
//! `should_payout_at_v_max` (564,977.41 PHA) are not reproduced on purpose: they pay a single
//! worker `share/Σshare` with Σshare computed before the heartbeat changed its P and share after,
//! which is how one worker got 100.05 % of the budget. Here payouts come from the budget itself
//! and can never exceed it; the V numbers these tests publish are reproduced.

use super::params::{HOUR_MS, Params};
use super::value::{
    Benchmark, Performance, Value, after_payout, decay, grow, initial_value, min_stake, rig_cost,
    share,
};
use crate::fixed::Fixed;
use phalanx_types::UNITS_PER_PHA;
use proptest::prelude::*;

/// Relative agreement required with the reference's published numbers.
const TOLERANCE: f64 = 1e-9;

fn fp(s: &str) -> Fixed {
    Fixed::parse_decimal(s).unwrap_or(Fixed::MAX)
}

fn assert_close(actual: Fixed, published: &str) {
    assert!(
        actual.approx_eq(fp(published), TOLERANCE),
        "got {actual}, the reference publishes {published}"
    );
}

fn perf(p_instant: &str, p_bench: u64) -> Performance {
    Performance {
        p_instant: fp(p_instant),
        p_bench: Fixed::from_int(p_bench),
    }
}

fn grown(params: &Params, v: Value, perf: Performance, ticks: u64) -> Value {
    grow(params, v, perf, ticks).unwrap_or_default()
}

#[test]
fn test_tokenomic() {
    let params = Params::default();
    assert_eq!(params.v_max, Fixed::from_int(30_000));
    // 100·√1000 = 3162.27766016837933…; the reference's square root gives 3162.277660146355
    // (7·10⁻¹² relative below), ours is exact to the last base unit.
    let published = 3_162_277_660_146_355_f64;
    let ours = min_stake(&params, 1000).unwrap_or_default();
    assert_eq!(ours, 3162_277660168379);
    assert!((ours as f64 - published).abs() / published < TOLERANCE);
    let stake = 1000 * UNITS_PER_PHA;
    let ve = |level| initial_value(&params, stake, 1000, level).unwrap_or_default();
    assert_close(ve(1), "1690.0000000000000000282");
    assert_close(ve(2), "1690.0000000000000000282");
    assert_close(ve(3), "1690.0000000000000000282");
    assert_close(ve(4), "1612.0000000000000000247");
    assert_close(ve(5), "1572.9999999999999999877");
    assert_close(
        rig_cost(&params, 500).unwrap_or_default(),
        "150.0000000000000000054",
    );
    assert_close(
        rig_cost(&params, 2000).unwrap_or_default(),
        "600.0000000000000000217",
    );
    assert_close(
        rig_cost(&params, 2800).unwrap_or_default(),
        "840.00000000000000003036",
    );

    let hour_ticks = HOUR_MS / params.tick_ms;
    let keep = Fixed::ONE.saturating_sub(params.unresponsive_decay_per_tick);
    assert_close(
        keep.checked_pow(hour_ticks).unwrap_or_default(),
        "0.9990004981683704595",
    );
    assert_close(
        params
            .rho_per_tick
            .checked_pow(hour_ticks)
            .unwrap_or_default(),
        "1.00019999999998037056",
    );
    // Operating cost of P = 2000 per year: (cost_k·P + cost_b) per 12 s block × blocks a year.
    let per_tick = params
        .cost_k_per_tick
        .checked_mul_int(2000)
        .and_then(|c| c.checked_add(params.cost_b_per_tick))
        .unwrap_or_default();
    let per_year = per_tick
        .checked_div_int(12)
        .and_then(|c| c.checked_mul_int(3600 * 24 * 365));
    assert_close(per_year.unwrap_or_default(), "171.71874999975847951583");
}

#[test]
fn check_tokenomic_numerics() {
    let params = Params::default();
    let start = Value {
        v: Fixed::from_int(3000),
        deductible: Fixed::ZERO,
    };
    let p = perf("100", 100);
    // The block that starts mining updates V once.
    assert_close(grown(&params, start, p, 1).v, "3000.00203509369147797934");
    // Then a day of blocks.
    assert_close(
        grown(&params, start, p, 1 + 3600 * 24 / 12).v,
        "3014.6899337932040476463",
    );
    // The challenge block grows V once more, then the heartbeat pays far more than the
    // deductible growth: V returns to where it started.
    let before_payout = grown(&params, start, p, 2 + 3600 * 24 / 12);
    let paid = after_payout(before_payout, fp("576160"));
    assert_eq!(paid.v, Fixed::from_int(3000));
    assert_eq!(paid.deductible, Fixed::ZERO);

    // The heartbeat, in block 7204, reports 110 iterations per 6 s over the day since the start
    // (block 2).
    let mut bench = Benchmark {
        p_bench: Fixed::from_int(100),
        p_instant: Fixed::from_int(100),
        iterations_last: 0,
        challenge_time_last_ms: 24_000,
    };
    let block_ms = |block: u64| block * 12_000;
    let iterations = 110 * 7200 * 12 / 6;
    assert_eq!(
        bench.heartbeat(&params, block_ms(7204), iterations, block_ms(7203)),
        Ok(())
    );
    assert_close(bench.p_instant, "109.96945292974173840575");

    // A new challenge (block 7205) goes unanswered: 11 blocks of idle growth at the new P, then
    // the worker is unresponsive and loses 0.1 % of V per hour for 300 blocks.
    let p = Performance {
        p_instant: bench.p_instant,
        p_bench: bench.p_bench,
    };
    let waited = grown(&params, paid, p, 11);
    let decayed = decay(&params, waited, 300).unwrap_or_default();
    assert_close(decayed.v, "2997.0260877851113935014");
    assert_eq!(decayed.deductible, Fixed::ZERO);
}

#[test]
fn should_payout_at_v_max() {
    let params = Params::default();
    let start = Value {
        v: Fixed::from_int(30_000),
        deductible: Fixed::ZERO,
    };
    // Start block, a day, the challenge block: 7202 updates at the cap.
    let before_payout = grown(&params, start, perf("3000", 3000), 7202);
    assert_eq!(before_payout.v, Fixed::from_int(30_000));
    let paid = after_payout(before_payout, fp("564977.41335989500435977944"));
    assert_close(paid.v, "29855.38985958385856094607");
    assert_eq!(paid.deductible, Fixed::ZERO);
}

#[test]
fn test_update_p_instant() {
    let params = Params::default();
    let mut bench = Benchmark {
        p_bench: Fixed::from_int(100),
        ..Benchmark::default()
    };
    // Normal
    assert_eq!(bench.update_p_instant(&params, 100_000, 1000), Ok(()));
    bench.challenge_time_last_ms = 90_000;
    bench.iterations_last = 1000;
    assert_eq!(bench.p_instant, Fixed::from_int(60));
    // Reset
    assert_eq!(bench.update_p_instant(&params, 200_000, 999), Ok(()));
    assert_eq!(bench.p_instant, Fixed::ZERO);
}

#[test]
fn share_follows_v_and_p() {
    let params = Params::default();
    // √(3000² + (2·100·1)²) and level 5 (c = 0.7): √(3000² + 140²).
    let s = share(&params, Fixed::from_int(3000), Fixed::from_int(100), 2).unwrap_or_default();
    assert_close(s, "3006.6592756745816541758");
    let s = share(&params, Fixed::from_int(3000), Fixed::from_int(100), 5).unwrap_or_default();
    assert_close(s, "3003.2648900821252733377");
}

/// The reference's loop, one tick at a time.
fn grow_tick_by_tick(params: &Params, mut value: Value, perf: Performance, ticks: u64) -> Value {
    let m = perf
        .p_instant
        .checked_div(perf.p_bench)
        .unwrap_or(Fixed::ONE);
    let cost = params
        .cost_k_per_tick
        .saturating_mul(perf.p_bench)
        .saturating_add(params.cost_b_per_tick);
    let rho_minus_one = params.rho_per_tick.saturating_sub(Fixed::ONE);
    for _ in 0..ticks {
        let delta = m.saturating_mul(rho_minus_one.saturating_mul(value.v).saturating_add(cost));
        value.v = value.v.saturating_add(delta).min(params.v_max);
        value.deductible = value.deductible.saturating_add(delta);
    }
    value
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The closed form agrees with the tick-by-tick loop, below, at and across the cap.
    #[test]
    fn closed_form_matches_the_loop(
        v0 in 0u64..30_000,
        p_bench in 50u64..6_000,
        instant_percent in 0u64..=120,
        ticks in 0u64..20_000,
        v_max in prop_oneof![Just(30_000u64), 1_000u64..40_000],
    ) {
        let params = Params {
            v_max: Fixed::from_int(v_max),
            // A faster ρ so that short runs cross the cap too.
            rho_per_tick: fp("1.0001"),
            ..Params::default()
        };
        let start = Value { v: Fixed::from_int(v0).min(params.v_max), deductible: Fixed::ZERO };
        let p_instant = Fixed::from_int(p_bench * instant_percent).checked_div_int(100).unwrap_or_default();
        let perf = Performance { p_instant, p_bench: Fixed::from_int(p_bench) };
        let closed = grow(&params, start, perf, ticks);
        prop_assert!(closed.is_ok());
        let closed = closed.unwrap_or_default();
        let looped = grow_tick_by_tick(&params, start, perf, ticks);
        prop_assert!(closed.v <= params.v_max);
        prop_assert!(closed.v.approx_eq(looped.v, 1e-12), "v {} vs {}", closed.v, looped.v);
        prop_assert!(
            closed.deductible.approx_eq(looped.deductible, 1e-9)
                || closed.deductible.saturating_sub(looped.deductible).max(looped.deductible.saturating_sub(closed.deductible)) < fp("0.000001"),
            "deductible {} vs {}", closed.deductible, looped.deductible
        );
    }

    /// Decay never raises V and empties the deductible.
    #[test]
    fn decay_only_lowers(v0 in 0u64..30_000, ticks in 0u64..1_000_000) {
        let params = Params::default();
        let start = Value { v: Fixed::from_int(v0), deductible: Fixed::ONE };
        let after = decay(&params, start, ticks);
        prop_assert!(after.is_ok());
        let after = after.unwrap_or_default();
        prop_assert!(after.v <= start.v);
        prop_assert_eq!(after.deductible, Fixed::ZERO);
    }
}
