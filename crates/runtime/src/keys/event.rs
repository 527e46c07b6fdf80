//! Events of `keys`.

use phalanx_types::AccountId;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Longest DKG message kind read back: the kinds are `deal`, `ack` and `log`.
pub const MAX_DKG_KIND_BYTES: usize = 16;
/// Longest master public key read back, hex: a MinPk group key is a 48-byte G1 point (96
/// characters); the bound leaves room for a 96-byte G2 key.
pub const MAX_PUBLIC_KEY_HEX: usize = 192;
/// Longest key name read back: `KeyKind`'s display, `cluster/<u32>/<u32>`, is at most 29 bytes.
pub const MAX_KEY_NAME_BYTES: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A DKG round started: a fresh one creates `generation`, a reshare hands it to the
    /// current gatekeepers.
    DkgRoundStarted {
        round: u64,
        generation: u32,
        reshare: bool,
        dealers: u32,
        players: u32,
    },
    /// A dealing, acknowledgement or log of a DKG round was recorded (or, with
    /// `confirmation`, repeated identically).
    DkgMessage {
        round: u64,
        kind: Cow<'static, str>,
        by: AccountId,
        confirmation: bool,
    },
    /// A dealer's log passed every check and was recorded.
    DkgLogRecorded { round: u64, dealer: AccountId },
    /// A DKG round finished: `generation`'s group public key, shared `threshold`-of-`holders`.
    MasterKeyPublished {
        generation: u32,
        round: u64,
        public_key: String,
        threshold: u32,
        holders: u32,
    },
    /// A gatekeeper's partial signature towards a worker's key went to its inbox.
    KeyShareDelivered {
        recipient: AccountId,
        key: String,
        round: u64,
        by: AccountId,
    },
    /// The same gatekeeper sent the same share again.
    KeyShareConfirmed {
        recipient: AccountId,
        key: String,
        by: AccountId,
    },
    /// The root asked the gatekeepers for a new master key generation.
    MasterKeyRotationRequested { generation: u32 },
}

crate::events::component_events! {
    component = "keys";
    0 => DkgRoundStarted "dkg_round_started" { round, generation, reshare, dealers, players };
    1 => DkgMessage "dkg_message" {
        round, kind: text(MAX_DKG_KIND_BYTES), by, confirmation
    };
    2 => DkgLogRecorded "dkg_log_recorded" { round, dealer };
    3 => MasterKeyPublished "master_key_published" {
        generation, round, public_key: text(MAX_PUBLIC_KEY_HEX), threshold, holders
    };
    4 => KeyShareDelivered "key_share_delivered" {
        recipient, key: text(MAX_KEY_NAME_BYTES), round, by
    };
    5 => KeyShareConfirmed "key_share_confirmed" {
        recipient, key: text(MAX_KEY_NAME_BYTES), by
    };
    6 => MasterKeyRotationRequested "master_key_rotation_requested" { generation };
}

#[cfg(test)]
impl Event {
    /// One value of every variant.
    pub(crate) fn samples() -> Vec<Self> {
        use crate::events::tests::account;
        let key = phalanx_types::KeyKind::Cluster {
            cluster: u32::MAX,
            generation: u32::MAX,
        }
        .to_string();
        vec![
            Event::DkgRoundStarted {
                round: 4,
                generation: 1,
                reshare: true,
                dealers: 3,
                players: 4,
            },
            Event::DkgMessage {
                round: 4,
                kind: "deal".into(),
                by: account(3),
                confirmation: false,
            },
            Event::DkgLogRecorded {
                round: 4,
                dealer: account(3),
            },
            Event::MasterKeyPublished {
                generation: 1,
                round: 4,
                public_key: "ab".repeat(96),
                threshold: 3,
                holders: 4,
            },
            Event::KeyShareDelivered {
                recipient: account(4),
                key: key.clone(),
                round: 4,
                by: account(3),
            },
            Event::KeyShareConfirmed {
                recipient: account(4),
                key,
                by: account(3),
            },
            Event::MasterKeyRotationRequested { generation: 2 },
        ]
    }
}
