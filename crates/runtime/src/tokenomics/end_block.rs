//! At the end of every block: move what the schedule says is due from the mining reserve to
//! the mining-rewards pot.

use super::{Event, Params, schedule, start, state_key};
use crate::{
    BlockEnv, Event as RuntimeEvent,
    balances::{self, MINING_RESERVE, MINING_REWARDS, pots},
    state::{State, StateError},
};
use commonware_codec::Encode;

/// Emits `⌊E(block time − genesis time)⌋ − emitted` (never more than the reserve holds), so the
/// cumulative emission after every block is the closed form, rounded down.
pub fn end_block(
    state: &mut (impl State + ?Sized),
    params: &Params,
    env: &BlockEnv,
) -> Result<Vec<RuntimeEvent>, StateError> {
    let elapsed = env.timestamp_ms.saturating_sub(start(state)?);
    let target = schedule::cumulative(params, elapsed);
    let emitted = super::emitted(state)?;
    let due = target.saturating_sub(emitted);
    if due == 0 {
        return Ok(Vec::new());
    }
    let reserve = balances::pot(state, MINING_RESERVE)?;
    let amount = due.min(reserve);
    let mut events = Vec::new();
    if amount > 0 {
        pots::move_between(state, MINING_RESERVE, MINING_REWARDS, amount)?.map_err(|short| {
            short.corruption(MINING_RESERVE, "emission is at most the reserve just read")
        })?;
        let total = emitted + amount;
        state.put(state_key::emitted(), Some(total.encode().to_vec()));
        events.push(
            Event::Emission {
                amount,
                emitted: total,
                period: schedule::period(params, elapsed),
            }
            .into(),
        );
    }
    if amount < due {
        events.push(
            Event::ReserveExhausted {
                short: due - amount,
            }
            .into(),
        );
    }
    Ok(events)
}
