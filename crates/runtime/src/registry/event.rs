//! Events of `registry`.

use phalanx_types::AccountId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A worker registered (or, with `refreshed`, re-attested).
    WorkerRegistered {
        worker: AccountId,
        operator: AccountId,
        simulated: bool,
        confidence: u8,
        refreshed: bool,
    },
    /// The attestation policy changed.
    AttestationPolicySet {
        allow_simulated: bool,
        registrations_frozen: bool,
        measurements: u32,
    },
    /// A worker became a gatekeeper.
    GatekeeperPromoted { worker: AccountId },
    /// A gatekeeper left the set (by governance); the master key is reshared without it.
    GatekeeperRemoved { worker: AccountId },
}
