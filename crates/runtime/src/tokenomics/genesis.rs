//! The `tokenomics` part of genesis: the clock starts at the genesis time. The reserve itself is
//! a `balances` allocation (the `mining_reserve` pot).

use super::state_key;
use crate::state::State;
use commonware_codec::Encode;

/// Starts the emission clock at `genesis_time_ms`.
pub fn build(state: &mut (impl State + ?Sized), genesis_time_ms: u64) {
    state.put(state_key::start(), Some(genesis_time_ms.encode().to_vec()));
    state.put(state_key::emitted(), Some(0u128.encode().to_vec()));
}
