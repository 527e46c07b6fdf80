//! Events of `mq`.

use phalanx_types::AccountId;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Longest topic read back: topics are `Payload::topic()` names, the longest 16 bytes.
pub const MAX_TOPIC_BYTES: usize = 32;

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

crate::events::component_events! {
    component = "mq";
    0 => MessageAccepted "message_accepted" { sender, seq, topic: text(MAX_TOPIC_BYTES), free };
}

#[cfg(test)]
impl Event {
    /// One value of every variant.
    pub(crate) fn samples() -> Vec<Self> {
        use crate::events::tests::account;
        vec![Event::MessageAccepted {
            sender: account(3),
            seq: 12,
            topic: "mining_heartbeat".into(),
            free: true,
        }]
    }
}
