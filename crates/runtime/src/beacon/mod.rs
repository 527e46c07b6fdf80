//! `beacon`: one unpredictable seed per round of `round_ms` block time, from the gatekeepers'
//! threshold signature (`phalanx_threshold::beacon`). Mining's heartbeat challenges are drawn
//! from it.
//!
//! | file | what |
//! |------|------|
//! | `params.rs` | `round_ms`, `max_late_rounds` |
//! | `state_key.rs` | `pending` (the round being collected and its partials), `latest` (the newest [`PublishedSeed`]) |
//! | `event.rs` | `seed_published` |
//! | `error.rs` | codes 1–6 |
//! | `share.rs` | the `beacon_share` message from a gatekeeper |
//!
//! Round `r` covers block times `[r·round_ms, (r+1)·round_ms)`. A gatekeeper signs a round once
//! it has begun (the chain refuses partials for rounds that have not begun at the block's time,
//! so no seed exists before its round) and until `max_late_rounds` later. The chain verifies
//! each partial against the newest master-key generation's public polynomial, keeps those of one
//! round at a time (a newer round replaces an unfinished older one, so state stays bounded),
//! and at the threshold recovers σ, checks it against the group public key and publishes
//! `SHA-256(σ)`. When too few gatekeepers sign, a round has no seed: nothing is challenged and
//! nobody is punished for the network's own outage.

mod error;
mod event;
mod params;
mod share;
pub mod state_key;

pub use error::Error;
pub use event::Event;
pub use params::Params;
pub use share::{PendingRound, beacon_share};

use crate::state::{State, StateError, read_decoded};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};

/// A round's seed as published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublishedSeed {
    pub round: u64,
    pub seed: [u8; 32],
}

impl Write for PublishedSeed {
    fn write(&self, buf: &mut impl BufMut) {
        self.round.write(buf);
        buf.put_slice(&self.seed);
    }
}

impl EncodeSize for PublishedSeed {
    fn encode_size(&self) -> usize {
        8 + 32
    }
}

impl Read for PublishedSeed {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let round = u64::read(buf)?;
        let seed = <[u8; 32]>::read(buf)?;
        Ok(Self { round, seed })
    }
}

/// The round a block time falls in.
pub fn round_at(params: &Params, time_ms: u64) -> u64 {
    time_ms / params.round_ms.max(1)
}

/// The newest published seed and its round, if any.
pub fn latest(state: &(impl State + ?Sized)) -> Result<Option<PublishedSeed>, StateError> {
    read_decoded(state, state_key::latest())
}
