//! Writing a finalized block: all its rows in one redb transaction, before its state is applied
//! (the consensus application's `capture` hook calls [`IndexLog::persist`]).

use crate::record::{BlockRecord, TxRecord, seal};
use crate::tables::{
    ACCOUNT_TXS, BLOCK_HOOKS, BLOCKS, EVENTS_BY_KIND, META, META_CONTIGUOUS, META_EVENTS_FROM,
    TX_BY_HASH, TXS,
};
use crate::{Index, IndexError};
use commonware_codec::Encode as _;
use futures::future::BoxFuture;
use phalanx_consensus::{
    app::BlockReceipts,
    block::{Block, Digest},
    receipt_log::ReceiptLog,
};
use redb::{Durability, ReadableTable as _};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// A block with neither transactions nor events is committed without waiting for the disk
/// (after a crash it is rebuilt, exactly, from the block archive), except every this many
/// heights: redb reclaims the pages of earlier commits only after a durable one.
pub const DURABLE_EVERY: u64 = 64;

/// One block to write: the block, its digest and what executing it produced.
pub struct BlockToIndex<'a> {
    pub block: &'a Block,
    pub digest: &'a Digest,
    pub receipts: &'a BlockReceipts,
}

impl Index {
    /// Writes `blocks` (in height order) in one transaction, durable before it returns unless
    /// every block in it is empty (see [`DURABLE_EVERY`]). Writing a block again rewrites the
    /// same rows.
    pub fn write_blocks(&self, blocks: &[BlockToIndex<'_>]) -> Result<(), IndexError> {
        let Some(last) = blocks.last() else {
            return Ok(());
        };
        let mut txn = self.db.begin_write()?;
        let durable = blocks.iter().any(|b| {
            !b.receipts.txs.is_empty()
                || !b.receipts.block_events.is_empty()
                || b.block.height.get().is_multiple_of(DURABLE_EVERY)
        });
        if durable {
            // Recovery after a crash reads the allocator state saved by the commit instead of
            // walking the whole file: restart time does not grow with history.
            txn.set_quick_repair(true);
        } else {
            txn.set_durability(Durability::None)?;
        }
        let contiguous;
        {
            let mut block_table = txn.open_table(BLOCKS)?;
            let mut tx_table = txn.open_table(TXS)?;
            let mut by_hash = txn.open_table(TX_BY_HASH)?;
            let mut by_account = txn.open_table(ACCOUNT_TXS)?;
            let mut by_kind = txn.open_table(EVENTS_BY_KIND)?;
            let mut meta = txn.open_table(META)?;
            let mut events_from = meta.get(META_EVENTS_FROM)?.map(|v| v.value());
            for b in blocks {
                let height = b.block.height.get();
                if b.block.txs.len() != b.receipts.txs.len() {
                    return Err(IndexError::Mismatch {
                        height,
                        txs: b.block.txs.len(),
                        receipts: b.receipts.txs.len(),
                    });
                }
                let record = BlockRecord {
                    height,
                    digest: digest_bytes(b.digest),
                    timestamp_ms: b.block.timestamp_ms,
                    state_root: digest_bytes(&b.block.state_root),
                    tx_count: b.block.txs.len() as u32,
                    events_known: b.receipts.events_known,
                    block_events: b.receipts.block_events.clone(),
                };
                block_table.insert(height, seal(record.encode().to_vec()).as_slice())?;
                for (n, event) in b.receipts.block_events.iter().enumerate() {
                    by_kind.insert((event.kind(), height, BLOCK_HOOKS, n as u32), ())?;
                }
                for (i, (tx, receipt)) in b.block.txs.iter().zip(&b.receipts.txs).enumerate() {
                    let i = i as u32;
                    let hash = digest_bytes(&tx.hash());
                    let record = TxRecord {
                        height,
                        index: i,
                        hash,
                        signer: tx.body.signer.clone(),
                        nonce: tx.body.nonce,
                        call: tx.body.call.name().to_string(),
                        receipt: receipt.clone(),
                    };
                    tx_table.insert((height, i), seal(record.encode().to_vec()).as_slice())?;
                    by_hash.insert(hash, (height, i))?;
                    let mut accounts = BTreeSet::new();
                    accounts.insert(account_bytes(&tx.body.signer));
                    for (n, event) in receipt.events.iter().enumerate() {
                        by_kind.insert((event.kind(), height, i, n as u32), ())?;
                        accounts.extend(event.accounts().iter().map(account_bytes));
                    }
                    for account in accounts {
                        by_account.insert((account, height, i), ())?;
                    }
                }
                // The lowest height from which every block's events are known: a block whose
                // events are unknown moves it past itself.
                if !b.receipts.events_known {
                    let from = events_from.unwrap_or(1).max(height + 1);
                    events_from = Some(from);
                    meta.insert(META_EVENTS_FROM, from)?;
                }
            }
            // Advance the contiguous height over this batch and any records already ahead.
            let mut c = meta.get(META_CONTIGUOUS)?.map(|v| v.value()).unwrap_or(0);
            while block_table.get(c + 1)?.is_some() {
                c += 1;
            }
            meta.insert(META_CONTIGUOUS, c)?;
            contiguous = c;
        }
        txn.commit()?;
        self.contiguous.fetch_max(contiguous, Ordering::AcqRel);
        tracing::trace!(height = last.block.height.get(), durable, "indexed");
        Ok(())
    }
}

fn digest_bytes(d: &Digest) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

fn account_bytes(a: &phalanx_types::AccountId) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(a.as_bytes());
    out
}

/// The index as consensus's [`ReceiptLog`]: each finalized block is written on a blocking
/// thread (redb waits for the disk) before the block's state is applied.
pub struct IndexLog(pub Arc<Index>);

impl ReceiptLog for IndexLog {
    fn persist(
        &self,
        block: Arc<Block>,
        digest: Digest,
        receipts: Arc<BlockReceipts>,
    ) -> BoxFuture<'static, Result<(), String>> {
        let index = self.0.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                index.write_blocks(&[BlockToIndex {
                    block: &block,
                    digest: &digest,
                    receipts: &receipts,
                }])
            })
            .await
            .map_err(|e| format!("index writer stopped: {e}"))?
            .map_err(|e| e.to_string())
        })
    }
}
