//! Why an `mq` call fails.

crate::error::component_errors! {
    /// Refusals of `mq` calls (a topic's own refusals are its component's).
    component = "mq";
    UnknownWorker = 1, "unknown_worker", "no worker is registered under the sender's identity";
    BadMessageSignature = 2, "bad_message_signature",
        "the worker message's signature does not verify for its sender on this chain";
    MessageReplayed = 3, "message_replayed",
        "the worker message's sequence number was already used (a replay)";
    MessageSequenceGap = 4, "message_sequence_gap",
        "the worker message's sequence number skips ahead of the sender's next one";
}
