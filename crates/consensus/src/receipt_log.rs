//! Where a validator keeps what executing a finalized block produced (receipts and events),
//! written **before** the block's state is applied.
//!
//! Receipts' events cannot be recomputed once the state has moved past the block's parent, so
//! they must be durable no later than the state: the stateful layer calls
//! [`crate::app::App`]'s `capture` hook immediately before applying a finalized block's state,
//! and the hook returns only once [`ReceiptLog::persist`] succeeded. A crash after `persist` and
//! before the state is durable replays the block, and `persist` writes the same record again.

use crate::app::BlockReceipts;
use crate::block::{Block, Digest};
use futures::future::BoxFuture;
use std::sync::Arc;

/// A durable home for finalized blocks' receipts (the node's index implements it).
pub trait ReceiptLog: Send + Sync + 'static {
    /// Stores `block`'s receipts. Returns once they are durable, or with the reason they are
    /// not (the caller retries: consensus for this validator waits rather than losing them).
    /// Writing the same block twice must be harmless.
    fn persist(
        &self,
        block: Arc<Block>,
        digest: Digest,
        receipts: Arc<BlockReceipts>,
    ) -> BoxFuture<'static, Result<(), String>>;
}

/// Keeps nothing: for simulations and tools that run consensus without an index.
pub struct NoReceiptLog;

impl ReceiptLog for NoReceiptLog {
    fn persist(
        &self,
        _block: Arc<Block>,
        _digest: Digest,
        _receipts: Arc<BlockReceipts>,
    ) -> BoxFuture<'static, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }
}
