//! Events of `mq`.

use phalanx_types::AccountId;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The chain accepted a worker's message. `free`: the sender is a gatekeeper and the
    /// message did new work, so the relayer's fee is refunded.
    MessageAccepted {
        sender: AccountId,
        seq: u64,
        topic: Cow<'static, str>,
        free: bool,
    },
}
