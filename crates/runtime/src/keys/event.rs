//! Events of `keys`.

use phalanx_types::AccountId;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

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
