//! `mq`: messages between the chain and TEE workers.
//!
//! | file | what |
//! |------|------|
//! | `state_key.rs` | `next_seq(worker)` → u64; `heartbeat(worker)` → [`Heartbeat`]; the `broadcast` append log (every worker reads it) and one `inbox(worker)` append log each, of [`ChainMessage`] |
//! | `event.rs` | `message_accepted` |
//! | `error.rs` | codes 1–4 |
//! | `hooks.rs` | topics owned by other components (DKG messages and key shares: `keys`) |
//! | `call.rs` | [`MqCall`](phalanx_types::MqCall): priced like a transfer |
//! | `push.rs` | the handler: sender, signature, sequence, then the topic |
//!
//! No parameters of its own, no genesis state. Queues are append-only and live in
//! authenticated state, so a worker reads them with proofs, in order, and keeps its own read
//! position. Other components append through [`broadcast`] and [`deliver_to_inbox`].

mod call;
mod error;
mod event;
mod hooks;
mod push;
pub mod state_key;

pub use call::{call_info, dispatch};
pub use error::Error;
pub use event::{Event, MAX_TOPIC_BYTES};
pub use hooks::{Handled, MessageHooks};

use crate::state::{State, StateError, read_decoded};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{ChainMessage, WorkerId};
use serde::{Deserialize, Serialize};

/// A worker's last heartbeat, as the chain recorded it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// The height the worker said it had verified.
    pub tip_height: u64,
    /// The block (height, time) that carried it.
    pub block_height: u64,
    pub block_time_ms: u64,
}

impl Write for Heartbeat {
    fn write(&self, buf: &mut impl BufMut) {
        self.tip_height.write(buf);
        self.block_height.write(buf);
        self.block_time_ms.write(buf);
    }
}

impl EncodeSize for Heartbeat {
    fn encode_size(&self) -> usize {
        24
    }
}

impl Read for Heartbeat {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            tip_height: u64::read(buf)?,
            block_height: u64::read(buf)?,
            block_time_ms: u64::read(buf)?,
        })
    }
}

/// The sequence number `worker`'s next message must carry.
pub fn next_seq(state: &(impl State + ?Sized), worker: &WorkerId) -> Result<u64, StateError> {
    Ok(read_decoded(state, state_key::next_seq(worker))?.unwrap_or(0))
}

/// A worker's last heartbeat.
pub fn heartbeat(
    state: &(impl State + ?Sized),
    worker: &WorkerId,
) -> Result<Option<Heartbeat>, StateError> {
    read_decoded(state, state_key::heartbeat(worker))
}

/// Appends `message` to the broadcast queue; returns its index.
pub fn broadcast(
    state: &mut (impl State + ?Sized),
    message: &ChainMessage,
) -> Result<u64, StateError> {
    state_key::broadcast().push(state, message)
}

/// Appends `message` to `worker`'s inbox; returns its index.
pub fn deliver_to_inbox(
    state: &mut (impl State + ?Sized),
    worker: &WorkerId,
    message: &ChainMessage,
) -> Result<u64, StateError> {
    state_key::inbox(worker).push(state, message)
}
