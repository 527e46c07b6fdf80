//! The `mq` module: messages between the chain and TEE workers.
//!
//! * state: `next_seq(worker)` → u64, the sequence number the worker's next message must carry;
//!   `broadcast_len` → u64 and `broadcast(i)` → [`ChainMessage`], the queue every worker
//!   reads; `inbox_len(worker)` → u64 and `inbox(worker, i)` → [`ChainMessage`], one worker's
//!   queue; `heartbeat(worker)` → [`Heartbeat`].
//! * calls: [`push_message`] (anyone relays a worker's signed message).
//! * Queues are append-only and live in authenticated state, so a worker reads them with
//!   proofs, in order, and keeps its own read position.
//!
//! Other modules append through [`broadcast`] and [`deliver_to_inbox`].

mod push;

pub use push::push_message;

use crate::state::{State, StateError, StateKey, read_decoded, state_key};
use bytes::BufMut;
use commonware_codec::{Buf, Encode, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{ChainMessage, WorkerId};
use serde::Serialize;

pub fn next_seq_key(worker: &WorkerId) -> StateKey {
    state_key("mq", "next_seq", worker.as_bytes())
}
pub fn broadcast_len_key() -> StateKey {
    state_key("mq", "broadcast_len", b"")
}
pub fn broadcast_key(index: u64) -> StateKey {
    state_key("mq", "broadcast", &index.to_be_bytes())
}
pub fn inbox_len_key(worker: &WorkerId) -> StateKey {
    state_key("mq", "inbox_len", worker.as_bytes())
}
pub fn inbox_key(worker: &WorkerId, index: u64) -> StateKey {
    let mut id = worker.as_bytes().to_vec();
    id.extend_from_slice(&index.to_be_bytes());
    state_key("mq", "inbox", &id)
}
pub fn heartbeat_key(worker: &WorkerId) -> StateKey {
    state_key("mq", "heartbeat", worker.as_bytes())
}

/// A worker's last heartbeat, as the chain recorded it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
    Ok(read_decoded(state, next_seq_key(worker))?.unwrap_or(0))
}

/// How many broadcast messages exist.
pub fn broadcast_len(state: &(impl State + ?Sized)) -> Result<u64, StateError> {
    Ok(read_decoded(state, broadcast_len_key())?.unwrap_or(0))
}

/// The `index`-th broadcast message.
pub fn broadcast_at(
    state: &(impl State + ?Sized),
    index: u64,
) -> Result<Option<ChainMessage>, StateError> {
    read_decoded(state, broadcast_key(index))
}

/// How many messages `worker`'s inbox holds.
pub fn inbox_len(state: &(impl State + ?Sized), worker: &WorkerId) -> Result<u64, StateError> {
    Ok(read_decoded(state, inbox_len_key(worker))?.unwrap_or(0))
}

/// The `index`-th message of `worker`'s inbox.
pub fn inbox_at(
    state: &(impl State + ?Sized),
    worker: &WorkerId,
    index: u64,
) -> Result<Option<ChainMessage>, StateError> {
    read_decoded(state, inbox_key(worker, index))
}

/// A worker's last heartbeat.
pub fn heartbeat(
    state: &(impl State + ?Sized),
    worker: &WorkerId,
) -> Result<Option<Heartbeat>, StateError> {
    read_decoded(state, heartbeat_key(worker))
}

/// Appends `message` to the broadcast queue; returns its index.
pub fn broadcast(
    state: &mut (impl State + ?Sized),
    message: &ChainMessage,
) -> Result<u64, StateError> {
    let index = broadcast_len(state)?;
    state.put(broadcast_key(index), Some(message.encode().to_vec()));
    state.put(broadcast_len_key(), Some((index + 1).encode().to_vec()));
    Ok(index)
}

/// Appends `message` to `worker`'s inbox; returns its index.
pub fn deliver_to_inbox(
    state: &mut (impl State + ?Sized),
    worker: &WorkerId,
    message: &ChainMessage,
) -> Result<u64, StateError> {
    let index = inbox_len(state, worker)?;
    state.put(inbox_key(worker, index), Some(message.encode().to_vec()));
    state.put(inbox_len_key(worker), Some((index + 1).encode().to_vec()));
    Ok(index)
}
