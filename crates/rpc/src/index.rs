//! The RPC's view of the node's index: the index on disk (`phalanx-index`: receipts, events,
//! histories) and, in memory, the finalized head and the last [`RECENT_HEADS`] heads (to
//! answer "which block has this state root" for state proofs).
//!
//! The index on disk is written by consensus itself, before each finalized block's state is
//! applied (`phalanx_index::IndexLog`); [`backfill`] fills in, from the block archive, blocks
//! that were finalized without passing through it (an index that was damaged and moved aside,
//! an older node's data, or empty blocks committed without an fsync before a crash).

use phalanx_consensus::{
    app::{BlockReceipts, Finalized},
    engine::MarshalMailbox,
};
use phalanx_index::{BlockToIndex, IndexError};
use phalanx_runtime::Event;
use std::collections::VecDeque;
use std::sync::{Arc, RwLock};

/// The finalized head (the API's type: `/chain` and clients share it).
pub use phalanx_client::api::Head;
/// Where a transaction landed (the API's type: `GET /tx/{hash}` answers it).
pub use phalanx_client::api::TxLocation;

/// How many recent finalized heads are kept to answer "which block has this state root".
pub const RECENT_HEADS: usize = 1024;

/// Blocks written per index transaction while backfilling.
const BACKFILL_BATCH: usize = 256;

/// The index.
pub struct Index {
    store: Arc<phalanx_index::Index>,
    head: RwLock<Head>,
    recent: RwLock<VecDeque<Head>>,
}

impl Index {
    /// Wraps the index on disk.
    pub fn new(store: Arc<phalanx_index::Index>) -> Self {
        Self {
            store,
            head: RwLock::default(),
            recent: RwLock::default(),
        }
    }

    /// The index on disk.
    pub fn store(&self) -> &Arc<phalanx_index::Index> {
        &self.store
    }

    /// Notes a finalized block whose state is applied: the new head.
    pub fn note_finalized(&self, finalized: &Finalized) {
        let block = &finalized.block;
        let new = Head {
            height: block.height.get(),
            digest: hex::encode(finalized.digest),
            timestamp_ms: block.timestamp_ms,
            state_root: hex::encode(block.state_root),
        };
        {
            let mut recent = self.recent.write().unwrap_or_else(|e| e.into_inner());
            if recent.len() == RECENT_HEADS {
                recent.pop_front();
            }
            recent.push_back(new.clone());
        }
        let mut head = self.head.write().unwrap_or_else(|e| e.into_inner());
        if new.height >= head.height {
            *head = new;
        }
    }

    /// Where a transaction was finalized.
    pub fn tx(&self, hash: &[u8; 32]) -> Result<Option<TxLocation>, IndexError> {
        Ok(self.store.tx(hash)?.map(|entry| TxLocation {
            height: entry.position.height,
            index: entry.position.index,
            block: hex::encode(entry.block.digest),
            events_unavailable: !entry.block.events_known,
            receipt: entry.tx.receipt,
        }))
    }

    /// The block hooks' events of block `height`; `None` when the node does not know them.
    pub fn block_events(&self, height: u64) -> Result<Option<Vec<Event>>, IndexError> {
        Ok(self
            .store
            .block(height)?
            .filter(|b| b.events_known)
            .map(|b| b.block_events))
    }

    /// The most recent of the last [`RECENT_HEADS`] finalized blocks whose state root is `root`
    /// (hex).
    pub fn head_with_root(&self, root: &str) -> Option<Head> {
        self.recent
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .rev()
            .find(|h| h.state_root == root)
            .cloned()
    }

    /// The finalized head.
    pub fn head(&self) -> Head {
        self.head.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Indexes the finalized blocks the index lacks, from the block archive: every height from the
/// index's contiguous height up to marshal's processed height. After a crash these are empty
/// blocks committed without an fsync (rebuilt exactly). A block with transactions found here
/// did not pass through this index (it was damaged and moved aside, or the data came from an
/// older node): its receipts get the committed outcomes and fees, and are marked as lacking
/// their events, which cannot be recomputed once the state has moved on.
pub async fn backfill(index: Arc<Index>, marshal: MarshalMailbox) {
    use commonware_consensus::{marshal::Identifier, types::Height};
    let Some(processed) = marshal.get_processed().await else {
        return;
    };
    let to = processed.height().get();
    let store = index.store().clone();
    // An index with no block at all on a chain that has blocks was (re)created: even its empty
    // blocks may have had block-hook events.
    let fresh = matches!(store.block(1), Ok(None)) && to > 0;
    let from = store.contiguous_height() + 1;
    if from > to {
        return;
    }
    tracing::info!(from, to, "indexing finalized blocks from the block archive");
    let mut without_events = 0u64;
    let mut batch: Batch = Vec::new();
    for height in from..=to {
        if matches!(store.block(height), Ok(Some(_))) {
            continue;
        }
        let Some(block) = marshal
            .get_block(Identifier::Height(Height::new(height)))
            .await
        else {
            tracing::warn!(
                height,
                "finalized block missing from the archive; cannot index it"
            );
            continue;
        };
        let digest = commonware_cryptography::Digestible::digest(&block);
        let block = Arc::new(block.inner().clone());
        let mut receipts = BlockReceipts::from_outcomes(&block);
        // Only blocks with neither transactions nor events are committed without an fsync, so
        // an empty block lost in a crash had no events.
        receipts.events_known = !fresh && block.txs.is_empty();
        if !receipts.events_known {
            without_events += 1;
        }
        batch.push((block, digest, receipts));
        if batch.len() == BACKFILL_BATCH {
            if let Err(e) = write_batch(&store, std::mem::take(&mut batch)).await {
                tracing::error!(error = %e, height, "cannot write the index; backfill stopped");
                return;
            }
            tracing::info!(height, to, "indexed from the block archive");
        }
    }
    if let Err(e) = write_batch(&store, batch).await {
        tracing::error!(error = %e, "cannot write the index; backfill stopped");
        return;
    }
    if without_events > 0 {
        tracing::warn!(
            blocks = without_events,
            "blocks indexed from the archive without their events (status and fees are exact)"
        );
    }
    tracing::info!(from, to, "index checked against the finalized chain");
}

/// Blocks rebuilt from the archive, waiting to be written.
type Batch = Vec<(
    Arc<phalanx_consensus::block::Block>,
    phalanx_consensus::block::Digest,
    BlockReceipts,
)>;

async fn write_batch(store: &Arc<phalanx_index::Index>, batch: Batch) -> Result<(), String> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let items: Vec<BlockToIndex<'_>> = batch
            .iter()
            .map(|(block, digest, receipts)| BlockToIndex {
                block,
                digest,
                receipts,
            })
            .collect();
        store.write_blocks(&items)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}
