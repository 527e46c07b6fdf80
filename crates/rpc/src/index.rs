//! What the RPC looks up that consensus storage does not index: transactions by hash with their
//! receipts, and the finalized head.
//!
//! Persisted as an append-only JSON-lines file, one line per finalized block that carried
//! transactions, fsynced before the line counts, plus an empty marker line every
//! [`MARKER_EVERY`] blocks so a restart knows how far the index got. A torn last line (crash
//! mid-write) is ignored on load; blocks re-delivered after a restart simply rewrite the same
//! entries. Blocks finalized while the index lagged (a crash between the state commit and the
//! index write) are filled in from the block archive at startup ([`crate::server::backfill`]).

use phalanx_consensus::{app::Finalized, block::Digest};
use phalanx_runtime::{Event, Receipt};
use phalanx_types::TxHash;
use serde::{Deserialize, Serialize};

/// Where a transaction landed (the API's type: `GET /tx/{hash}` answers it).
pub use phalanx_client::api::TxLocation;
use std::sync::Arc;
use std::{
    collections::HashMap,
    fs::{File, OpenOptions},
    io::{BufRead, BufReader, Write},
    path::Path,
    sync::{Mutex, RwLock},
};

/// One line of the index file: a block's transactions (hash, receipt), or an empty marker.
#[derive(Serialize, Deserialize)]
struct Line {
    height: u64,
    block: String,
    txs: Vec<(String, Receipt)>,
}

/// The finalized head (the API's type: `/chain` and clients share it).
pub use phalanx_client::api::Head;

/// An empty line is written for every block whose height is a multiple of this.
pub const MARKER_EVERY: u64 = 1_000;

/// How many recent finalized heads are kept to answer "which block has this state root".
pub const RECENT_HEADS: usize = 1024;

/// The index.
pub struct Index {
    txs: RwLock<HashMap<TxHash, TxLocation>>,
    head: RwLock<Head>,
    recent: RwLock<std::collections::VecDeque<Head>>,
    /// The block hooks' events of the last [`RECENT_HEADS`] blocks, by height. Kept in memory
    /// only: persisting them belongs to the on-disk index (issue 17).
    block_events: RwLock<std::collections::VecDeque<(u64, Arc<Vec<Event>>)>>,
    /// Highest height with a durable line (transactions or marker): everything finalized up
    /// to the last such line's block was indexed before the previous shutdown.
    loaded_height: u64,
    file: Mutex<File>,
}

fn parse_hash(text: &str) -> Option<TxHash> {
    let bytes: [u8; 32] = hex::decode(text).ok()?.try_into().ok()?;
    Some(Digest::from(bytes))
}

/// Adds one block's transactions to the in-memory map (used on load and on record).
fn insert_line(map: &mut HashMap<TxHash, TxLocation>, line: Line) {
    for (i, (hash, receipt)) in line.txs.into_iter().enumerate() {
        if let Some(h) = parse_hash(&hash) {
            map.insert(
                h,
                TxLocation {
                    height: line.height,
                    index: i as u32,
                    block: line.block.clone(),
                    receipt,
                },
            );
        }
    }
}

impl Index {
    /// Opens (or creates) the index file in `dir`.
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("tx-index.jsonl");
        let mut txs = HashMap::new();
        let mut loaded_height = 0;
        if path.exists() {
            for line in BufReader::new(File::open(&path)?).lines() {
                let Ok(line) = line else { break };
                let Ok(entry) = serde_json::from_str::<Line>(&line) else {
                    break; // torn tail
                };
                loaded_height = loaded_height.max(entry.height);
                insert_line(&mut txs, entry);
            }
        }
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(Self {
            txs: RwLock::new(txs),
            head: RwLock::default(),
            recent: RwLock::default(),
            block_events: RwLock::default(),
            loaded_height,
            file: Mutex::new(file),
        })
    }

    /// Appends one line to the file; `durable` waits for it to reach the disk.
    fn append(&self, line: &Line, durable: bool) -> std::io::Result<()> {
        let mut text = serde_json::to_string(line).unwrap_or_default();
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(text.as_bytes())?;
        if durable {
            file.sync_data()?;
        }
        Ok(())
    }

    /// Records a finalized block.
    pub fn record(&self, finalized: &Finalized) -> std::io::Result<()> {
        let block = &finalized.block;
        let digest = hex::encode(finalized.digest);
        if block.txs.is_empty() && block.height.get().is_multiple_of(MARKER_EVERY) {
            // Not fsynced: a lost marker only makes the next startup's backfill scan longer.
            self.append(
                &Line {
                    height: block.height.get(),
                    block: digest.clone(),
                    txs: Vec::new(),
                },
                false,
            )?;
        }
        if !block.txs.is_empty() {
            let txs: Vec<(String, Receipt)> = block
                .txs
                .iter()
                .zip(finalized.receipts.txs.iter())
                .map(|(tx, r)| (hex::encode(tx.hash()), r.clone()))
                .collect();
            let line = Line {
                height: block.height.get(),
                block: digest.clone(),
                txs,
            };
            self.append(&line, true)?;
            let mut map = self.txs.write().unwrap_or_else(|e| e.into_inner());
            insert_line(&mut map, line);
        }
        let new = Head {
            height: block.height.get(),
            digest,
            timestamp_ms: block.timestamp_ms,
            state_root: hex::encode(block.state_root),
        };
        {
            let mut events = self.block_events.write().unwrap_or_else(|e| e.into_inner());
            if events.len() == RECENT_HEADS {
                events.pop_front();
            }
            events.push_back((
                block.height.get(),
                Arc::new(finalized.receipts.block_events.clone()),
            ));
        }
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
        Ok(())
    }

    /// Where a transaction was finalized.
    pub fn tx(&self, hash: &TxHash) -> Option<TxLocation> {
        self.txs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(hash)
            .cloned()
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

    /// The block hooks' events of block `height`, if it is among the last [`RECENT_HEADS`].
    pub fn block_events(&self, height: u64) -> Option<Arc<Vec<Event>>> {
        self.block_events
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .rev()
            .find(|(h, _)| *h == height)
            .map(|(_, e)| e.clone())
    }

    /// Highest block height found in the index file when it was opened.
    pub fn loaded_height(&self) -> u64 {
        self.loaded_height
    }

    /// The finalized head.
    pub fn head(&self) -> Head {
        self.head.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
