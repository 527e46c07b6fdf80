//! Events of `beacon`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Round `round`'s seed, recovered from `signers` partial signatures.
    SeedPublished {
        round: u64,
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        seed: [u8; 32],
        signers: u32,
    },
}

crate::events::component_events! {
    component = "beacon";
    0 => SeedPublished "seed_published" { round, seed, signers };
}

#[cfg(test)]
impl Event {
    /// One value of every variant.
    pub(crate) fn samples() -> Vec<Self> {
        vec![Event::SeedPublished {
            round: 7,
            seed: [0xab; 32],
            signers: 3,
        }]
    }
}
