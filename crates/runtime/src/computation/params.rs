//! Parameters of `computation`: every number of the mining economics (DESIGN §4), after the
//! reference network's `TokenomicParameters` (phala-blockchain
//! `pallets/phala/src/compute/computation.rs`, its genesis defaults).
//!
//! V moves in *ticks* of `tick_ms` of block time (12 s, the reference's block time), so the
//! per-tick rates below are the reference's per-block numbers, derived the same way (an annual
//! or hourly figure × 12 s / the year or the hour, in fixed point), and its published numbers
//! are reproduced. Tick boundaries are absolute (multiples of `tick_ms` since the Unix epoch),
//! so how often blocks come does not change V: a span of real time does.

use crate::fixed::Fixed;
use crate::params::ComponentParams;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, Write};
use serde::{Deserialize, Serialize};

pub const HOUR_MS: u64 = 3_600_000;
pub const YEAR_MS: u64 = 365 * 24 * HOUR_MS;
/// Highest attestation confidence level (1 is best).
pub const MAX_CONFIDENCE_LEVEL: u8 = 5;
/// Largest benchmark score a chain may accept as its cap: bounds every product of P.
pub const MAX_P_CAP: u32 = 1_000_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Minimum stake is `min_stake_k · √P` PHA (k = 100).
    pub min_stake_k: Fixed,
    /// Rᵉ in Vᵉ = ((Rᵉ − 1)·c + 1)·(S + rig cost) (1.3).
    pub initial_value_ratio: Fixed,
    /// The rig cost counted into Vᵉ: `rig_cost_k · P + rig_cost_b` PHA (0.3·P).
    pub rig_cost_k: Fixed,
    pub rig_cost_b: Fixed,
    /// Largest V (30,000); a start whose Vᵉ would exceed it is refused.
    pub v_max: Fixed,
    /// Least benchmark score P that may mine (50).
    pub min_p: u32,
    /// P is iterations per 6 s, capped here (6,000).
    pub p_cap: u32,
    /// A heartbeat's instant P is at most this many times the benchmark P (1.2).
    pub p_instant_headroom: Fixed,
    /// Confidence factor c for attestation levels 1 to 5 (1, 1, 1, 0.8, 0.7).
    pub confidence: [Fixed; MAX_CONFIDENCE_LEVEL as usize],
    /// Length of a V tick, ms (12,000).
    pub tick_ms: u64,
    /// ρ per tick: V grows by (ρ − 1)·V per tick while idle (1.0002 per hour).
    pub rho_per_tick: Fixed,
    /// Operating cost per tick added to V while idle: `cost_k · P + cost_b` (0.0415625·P and
    /// 88.59375 per year).
    pub cost_k_per_tick: Fixed,
    pub cost_b_per_tick: Fixed,
    /// Share of V lost per tick while unresponsive (0.1 % per hour).
    pub unresponsive_decay_per_tick: Fixed,
    /// Least block time between two benchmark reports for the chain to measure P from them
    /// (6 s: P is iterations per 6 s).
    pub benchmark_min_span_ms: u64,
    /// How long a stopped session cools down before its stake can be reclaimed (7 days).
    pub cool_down_ms: u64,
    /// Heartbeats the challenges aim for per hour, network-wide (6,000: the reference's 20 per
    /// 12-second block, ≈ 1.7 per second).
    pub heartbeats_per_hour: u64,
    /// At most this many challenges per worker per hour on average (2).
    pub max_heartbeats_per_worker_per_hour: u64,
    /// A worker whose oldest owed heartbeat is older than this becomes unresponsive (120 s: the
    /// reference's 10 blocks of 12 s).
    pub heartbeat_window_ms: u64,
    /// The treasury's part of every payout (0.2).
    pub treasury_ratio: Fixed,
    /// Share of a session's stake slashed for equivocation, two different signed heartbeats
    /// for one challenge (0.1: the reference's "malicious" level). The session is also stopped.
    pub slash_equivocation: Fixed,
    /// Share of a session's stake slashed when its worker's attestation no longer passes the
    /// policy (0.01: the reference's "bad result" level; a policy change is not proof of
    /// misbehaviour, so not its 100 % "security risk"). The session is also stopped.
    pub slash_revoked: Fixed,
}

impl Params {
    /// The confidence factor of an attestation level (levels outside 1 to 5 count as 1, as in
    /// the reference).
    pub fn confidence_factor(&self, level: u8) -> Fixed {
        match level {
            1..=MAX_CONFIDENCE_LEVEL => self.confidence[usize::from(level - 1)],
            _ => self.confidence[0],
        }
    }
}

/// `rate · tick / period`, computed as the reference does (`fp!(rate) * block_sec / period_sec`).
fn per_tick(rate: &str, tick_ms: u64, period_ms: u64) -> Fixed {
    Fixed::parse_decimal(rate)
        .ok()
        .and_then(|r| r.checked_mul_int(tick_ms / 1000))
        .and_then(|r| r.checked_div_int(period_ms / 1000))
        .unwrap_or(Fixed::ZERO)
}

fn fp(s: &str) -> Fixed {
    Fixed::parse_decimal(s).unwrap_or(Fixed::ZERO)
}

impl Default for Params {
    fn default() -> Self {
        let tick_ms = 12_000;
        Self {
            min_stake_k: Fixed::from_int(100),
            initial_value_ratio: fp("1.3"),
            rig_cost_k: fp("0.3"),
            rig_cost_b: Fixed::ZERO,
            v_max: Fixed::from_int(30_000),
            min_p: 50,
            p_cap: 6_000,
            p_instant_headroom: fp("1.2"),
            confidence: [Fixed::ONE, Fixed::ONE, Fixed::ONE, fp("0.8"), fp("0.7")],
            tick_ms,
            // 1.0002^(1/300): the reference's per-block figure for 1.0002 per hour.
            rho_per_tick: fp("1.000000666600231"),
            cost_k_per_tick: per_tick("0.0415625", tick_ms, YEAR_MS),
            cost_b_per_tick: per_tick("88.59375", tick_ms, YEAR_MS),
            unresponsive_decay_per_tick: per_tick("0.001", tick_ms, HOUR_MS),
            benchmark_min_span_ms: 6_000,
            cool_down_ms: 7 * 24 * HOUR_MS,
            heartbeats_per_hour: 6_000,
            max_heartbeats_per_worker_per_hour: 2,
            heartbeat_window_ms: 120_000,
            treasury_ratio: fp("0.2"),
            slash_equivocation: fp("0.1"),
            slash_revoked: fp("0.01"),
        }
    }
}

impl Params {
    /// Development chains (`phalanx dev`, `phalanx localnet`): the same economics on a scale a
    /// person can watch. A dev worker's benchmark runs at a tenth of a core, so the least P is
    /// 10; one worker is challenged about every 6 s (600 an hour, with the dev beacon's 3-second
    /// rounds); an unanswered challenge makes it unresponsive after 30 s; a stopped session
    /// cools down for a minute.
    pub fn dev() -> Self {
        Self {
            min_p: 10,
            max_heartbeats_per_worker_per_hour: 600,
            heartbeat_window_ms: 30_000,
            cool_down_ms: 60_000,
            ..Self::default()
        }
    }
}

impl ComponentParams for Params {
    const COMPONENT: &'static str = "computation";

    fn validate(&self) -> Result<(), String> {
        if self.tick_ms == 0 || self.tick_ms > HOUR_MS {
            return Err("tick_ms must be between 1 ms and an hour".into());
        }
        if self.rho_per_tick < Fixed::ONE || self.rho_per_tick > fp("1.01") {
            return Err("rho_per_tick must be between 1 and 1.01".into());
        }
        if self.benchmark_min_span_ms == 0 || self.benchmark_min_span_ms > HOUR_MS {
            return Err("benchmark_min_span_ms must be between 1 ms and an hour".into());
        }
        if self.cool_down_ms > YEAR_MS {
            return Err("cool_down_ms must be at most a year".into());
        }
        if self.heartbeats_per_hour > 1_000_000 || self.max_heartbeats_per_worker_per_hour > 3_600 {
            return Err("heartbeat rates must be at most 1,000,000 per hour network-wide and 3,600 per worker".into());
        }
        if !(1_000..=24 * HOUR_MS).contains(&self.heartbeat_window_ms) {
            return Err("heartbeat_window_ms must be between 1 s and a day".into());
        }
        if self.treasury_ratio > Fixed::ONE {
            return Err("treasury_ratio must be at most 1".into());
        }
        if self.slash_equivocation > Fixed::ONE || self.slash_revoked > Fixed::ONE {
            return Err("slash levels must be at most 1 (the whole stake)".into());
        }
        if self.unresponsive_decay_per_tick >= Fixed::ONE {
            return Err("unresponsive_decay_per_tick must be below 1".into());
        }
        if self.v_max.is_zero() || self.v_max > Fixed::from_int(1 << 32) {
            return Err("v_max must be above 0 and below 2^32".into());
        }
        if self.min_p == 0 || self.min_p > self.p_cap || self.p_cap > MAX_P_CAP {
            return Err(format!("need 0 < min_p ≤ p_cap ≤ {MAX_P_CAP}"));
        }
        if self.p_instant_headroom < Fixed::ONE || self.p_instant_headroom > Fixed::from_int(10) {
            return Err("p_instant_headroom must be between 1 and 10".into());
        }
        if self
            .confidence
            .iter()
            .any(|c| *c > Fixed::ONE || *c < fp("0.5"))
        {
            return Err("confidence factors must be between 0.5 and 1".into());
        }
        if self.initial_value_ratio < Fixed::ONE || self.initial_value_ratio > Fixed::from_int(10) {
            return Err("initial_value_ratio must be between 1 and 10".into());
        }
        // Bounds that keep every product in range (V ≤ 2^32, P ≤ 10^6).
        let small = Fixed::from_int(1 << 16);
        if [
            self.min_stake_k,
            self.rig_cost_k,
            self.rig_cost_b,
            self.cost_k_per_tick,
            self.cost_b_per_tick,
        ]
        .iter()
        .any(|x| *x > small)
        {
            return Err("cost and stake coefficients must be below 65,536".into());
        }
        Ok(())
    }
}

/// Fixed-point fields: thirteen scalars and the confidence factors.
const FIXED_FIELDS: usize = 13 + MAX_CONFIDENCE_LEVEL as usize;

impl Write for Params {
    fn write(&self, buf: &mut impl BufMut) {
        self.min_stake_k.write(buf);
        self.initial_value_ratio.write(buf);
        self.rig_cost_k.write(buf);
        self.rig_cost_b.write(buf);
        self.v_max.write(buf);
        self.min_p.write(buf);
        self.p_cap.write(buf);
        self.p_instant_headroom.write(buf);
        for c in &self.confidence {
            c.write(buf);
        }
        self.tick_ms.write(buf);
        self.rho_per_tick.write(buf);
        self.cost_k_per_tick.write(buf);
        self.cost_b_per_tick.write(buf);
        self.unresponsive_decay_per_tick.write(buf);
        self.benchmark_min_span_ms.write(buf);
        self.cool_down_ms.write(buf);
        self.heartbeats_per_hour.write(buf);
        self.max_heartbeats_per_worker_per_hour.write(buf);
        self.heartbeat_window_ms.write(buf);
        self.treasury_ratio.write(buf);
        self.slash_equivocation.write(buf);
        self.slash_revoked.write(buf);
    }
}

impl EncodeSize for Params {
    fn encode_size(&self) -> usize {
        // The fixed-point fields, min_p and p_cap (u32), six u64 (tick, benchmark span,
        // cool-down, the two heartbeat rates, the heartbeat window).
        FIXED_FIELDS * Fixed::SIZE + 4 + 4 + 6 * 8
    }
}

impl Read for Params {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let min_stake_k = Fixed::read(buf)?;
        let initial_value_ratio = Fixed::read(buf)?;
        let rig_cost_k = Fixed::read(buf)?;
        let rig_cost_b = Fixed::read(buf)?;
        let v_max = Fixed::read(buf)?;
        let min_p = u32::read(buf)?;
        let p_cap = u32::read(buf)?;
        let p_instant_headroom = Fixed::read(buf)?;
        let mut confidence = [Fixed::ZERO; MAX_CONFIDENCE_LEVEL as usize];
        for c in &mut confidence {
            *c = Fixed::read(buf)?;
        }
        Ok(Self {
            min_stake_k,
            initial_value_ratio,
            rig_cost_k,
            rig_cost_b,
            v_max,
            min_p,
            p_cap,
            p_instant_headroom,
            confidence,
            tick_ms: u64::read(buf)?,
            rho_per_tick: Fixed::read(buf)?,
            cost_k_per_tick: Fixed::read(buf)?,
            cost_b_per_tick: Fixed::read(buf)?,
            unresponsive_decay_per_tick: Fixed::read(buf)?,
            benchmark_min_span_ms: u64::read(buf)?,
            cool_down_ms: u64::read(buf)?,
            heartbeats_per_hour: u64::read(buf)?,
            max_heartbeats_per_worker_per_hour: u64::read(buf)?,
            heartbeat_window_ms: u64::read(buf)?,
            treasury_ratio: Fixed::read(buf)?,
            slash_equivocation: Fixed::read(buf)?,
            slash_revoked: Fixed::read(buf)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::{DecodeExt, Encode};

    /// The reference's `test_params()` (phala-blockchain `gk.rs`), derived as its genesis does.
    #[test]
    fn defaults_are_the_reference_numbers() {
        let p = Params::default();
        // Within one unit in the last place (2⁻⁶⁴): theirs round to nearest, ours toward zero.
        let close = |x: Fixed, published: &str| x.to_bits().abs_diff(fp(published).to_bits()) <= 1;
        assert!(
            close(p.cost_k_per_tick, "0.000000015815258751856933056"),
            "{}",
            p.cost_k_per_tick
        );
        assert!(
            close(p.cost_b_per_tick, "0.000033711472602739674283"),
            "{}",
            p.cost_b_per_tick
        );
        assert!(close(
            p.unresponsive_decay_per_tick,
            "0.0000033333333333333240063"
        ));
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn encoding_round_trips_and_json_is_decimal() {
        let p = Params::default();
        let bytes = p.encode();
        assert_eq!(bytes.len(), p.encode_size());
        assert_eq!(Params::decode(bytes).ok(), Some(p.clone()));
        let json = serde_json::to_value(&p).unwrap_or_default();
        assert_eq!(json["initial_value_ratio"], "1.3");
        assert_eq!(json["confidence"][3], "0.8");
    }

    #[test]
    fn unusable_params_are_refused() {
        let bad = [
            Params {
                tick_ms: 0,
                ..Params::default()
            },
            Params {
                rho_per_tick: fp("0.9"),
                ..Params::default()
            },
            Params {
                min_p: 0,
                ..Params::default()
            },
            Params {
                p_cap: MAX_P_CAP + 1,
                ..Params::default()
            },
            Params {
                unresponsive_decay_per_tick: Fixed::ONE,
                ..Params::default()
            },
            Params {
                confidence: [Fixed::from_int(2); 5],
                ..Params::default()
            },
        ];
        for p in bad {
            assert!(p.validate().is_err(), "{p:?}");
        }
    }
}
