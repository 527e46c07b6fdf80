//! A state-sync source that serves nothing.
//!
//! commonware's p2p state-sync resolver handles only fixed-size values, and Phalanx state holds
//! variable-size values. Until a variable-value resolver exists, nodes do not state-sync: a new
//! or lagging node replays blocks from genesis (marshal backfills them from peers), which is
//! slower but verifies everything. The stateful layer still requires a resolver type, so this
//! one answers every request with an error and is never asked in practice (state sync is never
//! requested by the engine).

use commonware_glue::stateful::db::{AttachableResolver, Shared};
use commonware_storage::qmdb::sync::{Database, Request, Source, source};
use std::marker::PhantomData;

/// The resolver that refuses every state-sync request.
pub struct NoStateSync<DB>(PhantomData<fn() -> DB>);

impl<DB> Clone for NoStateSync<DB> {
    fn clone(&self) -> Self {
        Self(PhantomData)
    }
}

impl<DB> Default for NoStateSync<DB> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

/// The error every request gets.
#[derive(Debug, thiserror::Error)]
#[error("this node does not serve state sync; replay blocks from genesis instead")]
pub struct StateSyncUnsupported;

impl<DB: Database> Source for NoStateSync<DB> {
    type Family = DB::Family;
    type Digest = DB::Digest;
    type Op = DB::Op;
    type Error = StateSyncUnsupported;

    async fn serve(&self, _request: Request<Self::Family>) -> source::Result<Self> {
        Err(StateSyncUnsupported)
    }
}

impl<DB: Send + Sync + 'static> AttachableResolver<DB> for NoStateSync<DB> {
    async fn attach_database(&self, _db: Shared<DB>) {}
}
