//! The value V of a mining worker and the numbers derived from it, in fixed point (DESIGN §4).
//!
//! The reference network updates every worker's V in every block (`update_v_idle` in
//! phala-blockchain `crates/phactory/src/system/gk.rs`), so a block costs O(workers). Here V is
//! evolved in closed form from the worker's last event to the next, so a block costs nothing
//! per idle worker. Per tick the reference does
//!
//! ```text
//! ΔV = m·((ρ − 1)·V + cost),   V ← min(V + ΔV, V_max),   deductible ← deductible + ΔV
//! ```
//!
//! with `m = P_instant / P_bench` and `cost = cost_k·P_bench + cost_b`. With `a = 1 + m·(ρ − 1)`
//! and `b = m·cost`, n ticks from V₀ give `Vₙ = aⁿ·V₀ + b·(1 + a + … + aⁿ⁻¹)` until V reaches
//! V_max; from then on each tick adds `m·((ρ − 1)·V_max + cost)` to the deductible (the reference
//! keeps counting growth at the cap, and a payout takes it back). [`grow`] computes both in
//! O(log² n) products; [`tests`] check it against the reference's tick-by-tick loop.

use super::Params;
use crate::fixed::Fixed;
use phalanx_types::Amount;

/// Why a mining number is out of range (only reachable with extreme params or input; the
/// callers refuse the call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("mining arithmetic left the fixed-point range")]
pub struct Overflow;

fn ok<T>(x: Option<T>) -> Result<T, Overflow> {
    x.ok_or(Overflow)
}

/// Least stake for a benchmark score `p`: `k·√P`, in base units (rounded down, as the
/// reference does).
pub fn min_stake(params: &Params, p: u32) -> Result<Amount, Overflow> {
    let root = Fixed::from_int(u64::from(p)).sqrt();
    ok(params
        .min_stake_k
        .checked_mul(root)
        .and_then(Fixed::to_units))
}

/// Estimated rig cost for a benchmark score: `rig_cost_k·P + rig_cost_b`, in PHA.
pub fn rig_cost(params: &Params, p: u32) -> Result<Fixed, Overflow> {
    ok(params
        .rig_cost_k
        .checked_mul_int(u64::from(p))
        .and_then(|c| c.checked_add(params.rig_cost_b)))
}

/// Initial value `Vᵉ = ((Rᵉ − 1)·c + 1)·(S + rig cost)` for a stake of `stake` base units.
pub fn initial_value(
    params: &Params,
    stake: Amount,
    p: u32,
    confidence_level: u8,
) -> Result<Fixed, Overflow> {
    let c = params.confidence_factor(confidence_level);
    let tweaked = ok(params
        .initial_value_ratio
        .checked_sub(Fixed::ONE)
        .and_then(|r| r.checked_mul(c))
        .and_then(|r| r.checked_add(Fixed::ONE)))?;
    let s = ok(Fixed::from_units(stake))?;
    ok(tweaked.checked_mul(ok(s.checked_add(rig_cost(params, p)?))?))
}

/// A worker's share of the rewards: `√(V² + (2·P·c)²)`.
pub fn share(params: &Params, v: Fixed, p: Fixed, confidence_level: u8) -> Result<Fixed, Overflow> {
    let c = params.confidence_factor(confidence_level);
    let pc = ok(p.checked_mul_int(2).and_then(|x| x.checked_mul(c)))?;
    let sum = ok(v
        .checked_mul(v)
        .and_then(|v2| pc.checked_mul(pc).and_then(|pc2| v2.checked_add(pc2))))?;
    Ok(sum.sqrt())
}

/// V and the part of it grown since the last payout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Value {
    pub v: Fixed,
    /// Growth since the last payout (or recovery): what a payout may take back.
    pub deductible: Fixed,
}

/// Performance of the worker during a span: P_instant and P_bench.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Performance {
    pub p_instant: Fixed,
    pub p_bench: Fixed,
}

impl Performance {
    /// `m = P_instant / P_bench` (1 when there is no benchmark, as in the reference).
    fn multiplier(&self) -> Result<Fixed, Overflow> {
        if self.p_bench.is_zero() {
            return Ok(Fixed::ONE);
        }
        ok(self.p_instant.checked_div(self.p_bench))
    }
}

/// `(aⁿ, 1 + a + … + aⁿ⁻¹)` by binary powering: doubling gives `(a²ᵏ, Gₖ·(1 + aᵏ))`, a step
/// gives `(aᵏ⁺¹, Gₖ + aᵏ)`. No division by `a − 1`, which is ~10⁻⁷ here.
fn power_and_geometric_sum(a: Fixed, n: u64) -> Result<(Fixed, Fixed), Overflow> {
    let mut power = Fixed::ONE;
    let mut sum = Fixed::ZERO;
    for bit in (0..u64::BITS - n.leading_zeros()).rev() {
        sum = ok(sum.checked_add(ok(sum.checked_mul(power))?))?;
        power = ok(power.checked_mul(power))?;
        if n >> bit & 1 == 1 {
            sum = ok(sum.checked_add(power))?;
            power = ok(power.checked_mul(a))?;
        }
    }
    Ok((power, sum))
}

/// V after `ticks` idle ticks, without the cap: `aⁿ·V₀ + b·Gₙ`.
fn uncapped(v0: Fixed, a: Fixed, b: Fixed, ticks: u64) -> Result<Fixed, Overflow> {
    let (power, sum) = power_and_geometric_sum(a, ticks)?;
    ok(power
        .checked_mul(v0)
        .and_then(|x| b.checked_mul(sum).and_then(|y| x.checked_add(y))))
}

/// Idle growth over `ticks` ticks, in closed form.
pub fn grow(
    params: &Params,
    value: Value,
    perf: Performance,
    ticks: u64,
) -> Result<Value, Overflow> {
    if ticks == 0 {
        return Ok(value);
    }
    let m = perf.multiplier()?;
    let cost = ok(params
        .cost_k_per_tick
        .checked_mul(perf.p_bench)
        .and_then(|c| c.checked_add(params.cost_b_per_tick)))?;
    let rho_minus_one = ok(params.rho_per_tick.checked_sub(Fixed::ONE))?;
    let a = ok(m
        .checked_mul(rho_minus_one)
        .and_then(|x| x.checked_add(Fixed::ONE)))?;
    let b = ok(m.checked_mul(cost))?;
    // Growth per tick at the cap.
    let at_cap = ok(rho_minus_one
        .checked_mul(params.v_max)
        .and_then(|x| x.checked_add(cost))
        .and_then(|x| m.checked_mul(x)))?;
    let add_growth = |deductible: Fixed, growth: Fixed| ok(deductible.checked_add(growth));

    if value.v >= params.v_max {
        let growth = ok(at_cap.checked_mul_int(ticks))?;
        return Ok(Value {
            v: params.v_max,
            deductible: add_growth(value.deductible, growth)?,
        });
    }
    let end = uncapped(value.v, a, b, ticks)?;
    if end <= params.v_max {
        let growth = end.saturating_sub(value.v);
        return Ok(Value {
            v: end,
            deductible: add_growth(value.deductible, growth)?,
        });
    }
    // The cap is reached within the span: find the first tick k whose uncapped V exceeds it
    // (V only grows, so binary search), count the uncapped growth up to k, then the growth at
    // the cap for the remaining ticks.
    let (mut below, mut above) = (0u64, ticks);
    while above - below > 1 {
        let mid = below + (above - below) / 2;
        if uncapped(value.v, a, b, mid)? > params.v_max {
            above = mid;
        } else {
            below = mid;
        }
    }
    let reached = uncapped(value.v, a, b, above)?;
    let growth = ok(reached
        .saturating_sub(value.v)
        .checked_add(ok(at_cap.checked_mul_int(ticks - above))?))?;
    Ok(Value {
        v: params.v_max,
        deductible: add_growth(value.deductible, growth)?,
    })
}

/// V after `ticks` unresponsive ticks: `V·(1 − decay)ⁿ`, and nothing is deductible.
pub fn decay(params: &Params, value: Value, ticks: u64) -> Result<Value, Overflow> {
    let keep = ok(Fixed::ONE.checked_sub(params.unresponsive_decay_per_tick))?;
    let factor = ok(keep.checked_pow(ticks))?;
    Ok(Value {
        v: ok(value.v.checked_mul(factor))?,
        deductible: Fixed::ZERO,
    })
}

/// After a payout of `payout` PHA (the worker's part): V drops by at most what it grew since
/// the last payout.
pub fn after_payout(value: Value, payout: Fixed) -> Value {
    let taken = value.deductible.min(payout);
    Value {
        v: value.v.saturating_sub(taken),
        deductible: Fixed::ZERO,
    }
}

/// The benchmark rate, P's unit: `iterations` done in `elapsed_ms`, per 6 s
/// (`iterations · 6000 / elapsed ms`).
pub fn iterations_per_6s(iterations: u64, elapsed_ms: u64) -> Result<Fixed, Overflow> {
    ok(Fixed::from_ratio(
        u128::from(iterations) * 6_000,
        u128::from(elapsed_ms),
    ))
}

/// The benchmark counter a worker reports on heartbeats, and the instant P derived from it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Benchmark {
    pub p_bench: Fixed,
    pub p_instant: Fixed,
    pub iterations_last: u64,
    pub challenge_time_last_ms: u64,
}

impl Benchmark {
    /// A heartbeat answering the challenge of `challenge_time_ms` reports `iterations`
    /// (cumulative) at `now_ms`: instant P is the rate per 6 s since the last report, at most
    /// `p_instant_headroom · P_bench`. A counter that went backwards (the worker restarted)
    /// starts again from the new value.
    pub fn heartbeat(
        &mut self,
        params: &Params,
        now_ms: u64,
        iterations: u64,
        challenge_time_ms: u64,
    ) -> Result<(), Overflow> {
        self.update_p_instant(params, now_ms, iterations)?;
        self.challenge_time_last_ms = challenge_time_ms;
        self.iterations_last = iterations;
        Ok(())
    }

    /// The reference's `update_p_instant`: the instant P part of [`Benchmark::heartbeat`].
    pub fn update_p_instant(
        &mut self,
        params: &Params,
        now_ms: u64,
        iterations: u64,
    ) -> Result<(), Overflow> {
        if now_ms <= self.challenge_time_last_ms {
            return Ok(());
        }
        if iterations < self.iterations_last {
            self.iterations_last = iterations;
        }
        let elapsed_ms = now_ms - self.challenge_time_last_ms;
        let done = iterations - self.iterations_last;
        let rate = iterations_per_6s(done, elapsed_ms)?;
        let cap = ok(self.p_bench.checked_mul(params.p_instant_headroom))?;
        self.p_instant = rate.min(cap);
        Ok(())
    }
}
