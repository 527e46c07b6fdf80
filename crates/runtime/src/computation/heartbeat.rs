//! The `mining_heartbeat` message: a challenged worker answers, and is paid.

use super::{
    Error, Event, SessionState,
    owner::{self, Credit, MiningHooks},
    rewards, session, state_key, value,
};
use crate::{
    CallResult, Ctx, balances::pots, fixed::Fixed, mq::Handled, registry::WorkerRecord,
    state::State,
};
use commonware_codec::Encode;
use num_bigint::BigUint;
use phalanx_types::Amount;

/// Answers the challenge of `round` for `sender`'s session, reporting its benchmark counter.
///
/// Checks, each with its own refusal: a live session; the oldest owed challenge is `round`; no
/// payout yet in this block. A worker whose attestation no longer passes the policy is then
/// slashed and stopped instead (`slash.rs`). Then V is brought to the block's time (at the old instant P), the
/// instant P is updated from the counter, and:
/// * an unresponsive worker recovers (mining again, no payout for the gap);
/// * a mining worker is paid what its share accrued since its last heartbeat (capped by the
///   mining-rewards pot), `treasury_ratio` of it to the treasury, and V drops by at most what it
///   grew since the last payout; its share is then recomputed.
pub fn mining_heartbeat(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl MiningHooks,
    sender: &WorkerRecord,
    round: u64,
    iterations: u64,
) -> CallResult<Handled> {
    let params = &ctx.params.computation;
    let worker = &sender.info.identity;
    let now = ctx.env.timestamp_ms;
    let mut s = session(state, worker)?.ok_or(Error::NoSession)?;
    if s.state == SessionState::CoolingDown {
        return Err(Error::NotMining.into());
    }
    if s.owed_round != Some(round) {
        return Err(Error::NotChallenged.into());
    }
    if s.paid_height == ctx.env.height && s.paid_height != 0 {
        return Err(Error::AlreadyPaid.into());
    }
    // A worker whose attestation no longer passes the policy is slashed, not paid.
    if let Some(reason) = super::slash::revocation(sender, &crate::registry::policy(state)?) {
        let ratio = params.slash_revoked;
        let events = super::slash::slash_and_stop(
            state,
            ctx,
            hooks,
            worker,
            s,
            ratio,
            "revoked_attestation",
            reason,
        )?;
        return Ok(Handled {
            events,
            new_work: true,
        });
    }
    s.settle(params, now)?;
    let challenge_time = s.owed_since_ms;
    s.bench.heartbeat(params, now, iterations, challenge_time)?;
    s.owed_round = None;

    let mut credited = Vec::new();
    let event = if s.state == SessionState::Unresponsive {
        s.state = SessionState::Mining;
        s.value.deductible = Fixed::ZERO;
        s.share = s.current_share(params)?;
        s.acc_at = rewards::replace_share(state, Fixed::ZERO, s.share)?;
        Event::Recovered {
            worker: worker.clone(),
            round,
            v: s.value.v,
        }
    } else {
        let available = pots::balance(state, pots::MINING_REWARDS.0)?;
        let acc = rewards::pool(state)?.acc;
        let total = rewards::accrued(s.share, s.acc_at, acc).min(available);
        let treasury = treasury_part(total, params.treasury_ratio);
        let payout = total - treasury;
        let why = "the payout was capped by the pot just read";
        credited = owner::credit(
            state,
            ctx,
            hooks,
            pots::MINING_REWARDS,
            &s.owner,
            payout,
            Credit::Reward(worker),
        )?;
        if let Err(short) = crate::treasury::receive_from_pot(
            state,
            pots::MINING_REWARDS,
            treasury,
            crate::treasury::Source::MiningPayouts,
        )? {
            return Err(short.corruption(pots::MINING_REWARDS, why).into());
        }
        let paid_pha = Fixed::from_units(payout).ok_or(Error::OutOfRange)?;
        s.value = value::after_payout(s.value, paid_pha);
        let old_share = s.share;
        s.share = s.current_share(params)?;
        s.acc_at = rewards::replace_share(state, old_share, s.share)?;
        s.paid_height = ctx.env.height;
        s.rewards = s.rewards.saturating_add(payout);
        Event::HeartbeatPaid {
            worker: worker.clone(),
            round,
            payout,
            treasury,
            v: s.value.v,
            p_instant: s.bench.p_instant,
        }
    };
    state.put(state_key::session(worker), Some(s.encode().to_vec()));
    let mut events = vec![event.into()];
    events.extend(credited);
    Ok(Handled {
        events,
        new_work: true,
    })
}

/// `total · ratio`, rounded to the nearest base unit: the treasury's part of a payout (at most
/// the total). Rounded, not floored, because a ratio such as 0.2 has no exact binary fraction:
/// its fixed-point value is 0.2 − 0.2·2⁻⁶⁴, so flooring would give the treasury 199 of 1,000.
/// Rounding gives exactly `round(total / 5)` for every payout below 2⁶⁴ base units (the error
/// `0.2·total·2⁻⁶⁴` stays below half a unit), which is 18 million PHA.
pub fn treasury_part(total: Amount, ratio: Fixed) -> Amount {
    let half = BigUint::from(1u8) << 63u32;
    let part = (BigUint::from(total) * BigUint::from(ratio.to_bits()) + half) >> 64u32;
    Amount::try_from(&part).unwrap_or(total).min(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_treasury_gets_exactly_a_fifth_rounded() {
        let ratio = Fixed::parse_decimal("0.2").unwrap_or(Fixed::ZERO);
        for total in [
            0u128,
            1,
            2,
            3,
            4,
            5,
            7,
            8,
            1_000,
            999_999_999_997,
            u64::MAX as u128 - 1,
        ] {
            assert_eq!(
                treasury_part(total, ratio),
                (total + 2) / 5,
                "total {total}"
            );
        }
        assert_eq!(treasury_part(10, Fixed::ONE), 10);
        assert_eq!(treasury_part(u128::MAX, Fixed::ONE), u128::MAX);
        assert_eq!(treasury_part(10, Fixed::ZERO), 0);
    }
}
