//! At the end of every block (after `tokenomics` emitted): spread the new emission over Σshare,
//! issue the challenges of a newly published beacon seed, then judge the owed heartbeats that
//! fell due. Cost: the challenged workers and the timeouts, never the
//! idle ones.

use super::challenge;
use crate::{
    BlockEnv, Event, Params, beacon,
    state::{State, StateError},
};

pub fn end_block(
    state: &mut (impl State + ?Sized),
    params: &Params,
    env: &BlockEnv,
) -> Result<Vec<Event>, StateError> {
    super::rewards::distribute(state)?;
    let mut events = Vec::new();
    if let Some(seed) = beacon::latest(state)? {
        events.extend(challenge::issue(
            state,
            &params.computation,
            params.beacon.round_ms,
            seed.round,
            &seed.seed,
            env.timestamp_ms,
        )?);
    }
    events.extend(challenge::expire(
        state,
        &params.computation,
        env.timestamp_ms,
    )?);
    Ok(events)
}
