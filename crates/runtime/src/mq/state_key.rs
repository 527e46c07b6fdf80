//! Where `mq` keeps its state.

use crate::{
    append_log::AppendLog,
    state::{StateKey, state_key},
};
use phalanx_types::{ChainMessage, WorkerId};

/// The sequence number the worker's next message must carry: u64 (absent: 0).
pub fn next_seq(worker: &WorkerId) -> StateKey {
    state_key("mq", "next_seq", worker.as_bytes())
}
/// The worker's last heartbeat: [`super::Heartbeat`].
pub fn heartbeat(worker: &WorkerId) -> StateKey {
    state_key("mq", "heartbeat", worker.as_bytes())
}
/// The queue every worker reads.
pub fn broadcast() -> AppendLog<ChainMessage> {
    AppendLog::new("mq", "broadcast", b"")
}
/// One worker's queue.
pub fn inbox(worker: &WorkerId) -> AppendLog<ChainMessage> {
    AppendLog::new("mq", "inbox", worker.as_bytes())
}
