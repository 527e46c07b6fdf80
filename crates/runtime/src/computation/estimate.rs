//! What a session earns, projected: the numbers `phalanx mining status` and `phalanx mining
//! estimate` print, from the same functions the chain runs (so an estimate refuses exactly what
//! `start_mining` would refuse, and a share is the one the chain would count).
//!
//! A projection assumes today's emission rate and today's Σshare hold for a day, and that the
//! worker answers every challenge; it is an estimate, not a promise.

use super::{Error, Params, treasury_part, value};
use crate::fixed::Fixed;
use num_bigint::BigUint;
use phalanx_types::Amount;

/// What an operator would get for `stake` on a worker with benchmark `p` at confidence level
/// `confidence_level`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// `min_stake_k · √P`, base units.
    pub min_stake: Amount,
    /// Vᵉ for this stake.
    pub initial_value: Fixed,
    /// The share the session would count at start (`√(Vᵉ² + (2·P·c)²)`).
    pub share: Fixed,
    /// The owner's part (after the treasury's) of a day's emission, shared with today's Σshare.
    pub daily_reward: Amount,
    /// What `start_mining` would refuse, if it would.
    pub refusal: Option<Error>,
}

/// The owner's part of a day's emission `daily_emission` for a session counting `share` in a
/// total of `total_share` (which includes it): `emission · share / Σshare`, less the treasury's
/// part, rounded down. Zero when nothing is counted.
pub fn daily_reward(
    params: &Params,
    share: Fixed,
    total_share: Fixed,
    daily_emission: Amount,
) -> Amount {
    if total_share.is_zero() || share.is_zero() {
        return 0;
    }
    let share = share.min(total_share);
    let gross = BigUint::from(daily_emission) * BigUint::from(share.to_bits())
        / BigUint::from(total_share.to_bits());
    // share ≤ total, so the result is at most the emission.
    let gross = Amount::try_from(&gross).unwrap_or(daily_emission);
    gross - treasury_part(gross, params.treasury_ratio)
}

/// The estimate for a new session joining a network whose mining sessions count `total_share`.
pub fn estimate(
    params: &Params,
    stake: Amount,
    p: u32,
    confidence_level: u8,
    total_share: Fixed,
    daily_emission: Amount,
) -> Result<Estimate, value::Overflow> {
    let p = p.min(params.p_cap);
    let min_stake = value::min_stake(params, p)?;
    let initial_value = value::initial_value(params, stake, p, confidence_level)?;
    let share = value::share(
        params,
        initial_value.min(params.v_max),
        Fixed::from_int(u64::from(p)),
        confidence_level,
    )?;
    let refusal = if p < params.min_p {
        Some(Error::BenchmarkTooLow)
    } else if stake < min_stake {
        Some(Error::StakeTooLow)
    } else if initial_value > params.v_max {
        Some(Error::StakeTooHigh)
    } else {
        None
    };
    let daily_reward = match refusal {
        Some(_) => 0,
        None => daily_reward(
            params,
            share,
            total_share.saturating_add(share),
            daily_emission,
        ),
    };
    Ok(Estimate {
        min_stake,
        initial_value,
        share,
        daily_reward,
        refusal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use phalanx_types::UNITS_PER_PHA;

    #[test]
    fn a_lone_miner_gets_the_day_less_the_treasury() {
        // 1,000 units a day, 20 % to the treasury.
        let params = Params::default();
        let e = estimate(
            &params,
            10_000 * UNITS_PER_PHA,
            1_000,
            1,
            Fixed::ZERO,
            1_000,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(e.refusal, None);
        assert_eq!(e.daily_reward, 800);
        // 100·√1000 ≈ 3162.28 PHA.
        assert_eq!(e.min_stake / UNITS_PER_PHA, 3_162);
        // Vᵉ = 1.3·(10,000 + 300).
        assert!(e.initial_value.approx_eq(Fixed::from_int(13_390), 1e-12));
    }

    #[test]
    fn an_equal_newcomer_gets_half_and_refusals_get_nothing() {
        let params = Params::default();
        let first = estimate(
            &params,
            10_000 * UNITS_PER_PHA,
            1_000,
            1,
            Fixed::ZERO,
            1_000,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let second = estimate(
            &params,
            10_000 * UNITS_PER_PHA,
            1_000,
            1,
            first.share,
            1_000,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(second.daily_reward, 400);
        let low = estimate(&params, UNITS_PER_PHA, 1_000, 1, Fixed::ZERO, 1_000)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (low.refusal, low.daily_reward),
            (Some(Error::StakeTooLow), 0)
        );
        let high = estimate(
            &params,
            30_000 * UNITS_PER_PHA,
            1_000,
            1,
            Fixed::ZERO,
            1_000,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(high.refusal, Some(Error::StakeTooHigh));
        let slow = estimate(&params, 10_000 * UNITS_PER_PHA, 10, 1, Fixed::ZERO, 1_000)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(slow.refusal, Some(Error::BenchmarkTooLow));
    }

    #[test]
    fn a_daily_reward_never_exceeds_the_emission() {
        let params = Params::default();
        let huge = Fixed::from_int(1 << 40);
        assert_eq!(daily_reward(&params, huge, Fixed::ONE, 1_000), 800);
        assert_eq!(daily_reward(&params, Fixed::ONE, Fixed::ZERO, 1_000), 0);
    }
}
