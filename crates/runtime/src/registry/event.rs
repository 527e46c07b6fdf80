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

crate::events::component_events! {
    component = "registry";
    0 => WorkerRegistered "worker_registered" {
        worker, operator, simulated, confidence, refreshed
    };
    1 => AttestationPolicySet "attestation_policy_set" {
        allow_simulated, registrations_frozen, measurements
    };
    2 => GatekeeperPromoted "gatekeeper_promoted" { worker };
    3 => GatekeeperRemoved "gatekeeper_removed" { worker };
}

#[cfg(test)]
impl Event {
    /// One value of every variant.
    pub(crate) fn samples() -> Vec<Self> {
        use crate::events::tests::account;
        vec![
            Event::WorkerRegistered {
                worker: account(3),
                operator: account(1),
                simulated: true,
                confidence: 2,
                refreshed: false,
            },
            Event::AttestationPolicySet {
                allow_simulated: false,
                registrations_frozen: true,
                measurements: 4,
            },
            Event::GatekeeperPromoted { worker: account(3) },
            Event::GatekeeperRemoved { worker: account(3) },
        ]
    }
}
