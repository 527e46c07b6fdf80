//! Reading the index. Every query is bounded: at most [`MAX_PAGE`] items, at most
//! [`MAX_SCAN_BLOCKS`] blocks visited, and a cursor to go on from where it stopped.

use crate::record::{BlockRecord, TxRecord, unseal};
use crate::tables::{
    ACCOUNT_TXS, BLOCK_HOOKS, BLOCKS, EVENTS_BY_KIND, META_EVENTS_FROM, TX_BY_HASH, TXS,
};
use crate::{Index, IndexError};
use commonware_codec::{Copying, DecodeExt as _};
use phalanx_runtime::Event;
use phalanx_types::AccountId;
use redb::{ReadTransaction, ReadableDatabase as _};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::Ordering;

/// Most items one query answers.
pub const MAX_PAGE: usize = 1_000;

/// Most blocks one query visits (an events query over a long quiet range stops here and
/// returns a cursor).
pub const MAX_SCAN_BLOCKS: u64 = 10_000;

/// A transaction's place in the chain: (height, index in its block). Written `height.index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TxPosition {
    pub height: u64,
    pub index: u32,
}

/// An event's place: its height, its source (a transaction's index, or the block hooks) and
/// its position there. Written `height.source.n`, the block hooks' source as `b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventPosition {
    pub height: u64,
    pub source: u32,
    pub n: u32,
}

/// A cursor that does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("malformed cursor `{0}`: expected {1}")]
pub struct BadCursor(String, &'static str);

/// Longest cursor text accepted (two or three decimal numbers and dots).
const MAX_CURSOR: usize = 64;

fn parts<'a, const N: usize>(
    text: &'a str,
    shape: &'static str,
) -> Result<[&'a str; N], BadCursor> {
    let bad = || BadCursor(text.chars().take(MAX_CURSOR).collect(), shape);
    if text.len() > MAX_CURSOR {
        return Err(bad());
    }
    let parts: Vec<&str> = text.split('.').collect();
    parts.try_into().map_err(|_| bad())
}

fn number<T: FromStr>(text: &str, whole: &str, shape: &'static str) -> Result<T, BadCursor> {
    // `FromStr` for integers accepts a leading `+`: a cursor is digits only.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadCursor(whole.chars().take(MAX_CURSOR).collect(), shape));
    }
    text.parse()
        .map_err(|_| BadCursor(whole.chars().take(MAX_CURSOR).collect(), shape))
}

impl FromStr for TxPosition {
    type Err = BadCursor;
    fn from_str(text: &str) -> Result<Self, BadCursor> {
        const SHAPE: &str = "HEIGHT.INDEX";
        let [h, i] = parts::<2>(text, SHAPE)?;
        Ok(Self {
            height: number(h, text, SHAPE)?,
            index: number(i, text, SHAPE)?,
        })
    }
}

impl fmt::Display for TxPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.height, self.index)
    }
}

impl FromStr for EventPosition {
    type Err = BadCursor;
    fn from_str(text: &str) -> Result<Self, BadCursor> {
        const SHAPE: &str = "HEIGHT.TX.N (TX a transaction's index or `b` for block hooks)";
        let [h, s, n] = parts::<3>(text, SHAPE)?;
        Ok(Self {
            height: number(h, text, SHAPE)?,
            source: if s == "b" {
                BLOCK_HOOKS
            } else {
                let s: u32 = number(s, text, SHAPE)?;
                if s == BLOCK_HOOKS {
                    return Err(BadCursor(text.to_string(), SHAPE));
                }
                s
            },
            n: number(n, text, SHAPE)?,
        })
    }
}

impl fmt::Display for EventPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source == BLOCK_HOOKS {
            write!(f, "{}.b.{}", self.height, self.n)
        } else {
            write!(f, "{}.{}.{}", self.height, self.source, self.n)
        }
    }
}

/// A finalized transaction with its block's header.
#[derive(Clone, Debug)]
pub struct TxEntry {
    pub position: TxPosition,
    pub block: BlockRecord,
    pub tx: TxRecord,
}

/// An event with where it happened.
#[derive(Clone, Debug)]
pub struct EventEntry {
    pub position: EventPosition,
    /// The transaction that emitted it (`None` for the block hooks').
    pub tx: Option<[u8; 32]>,
    pub event: Event,
}

/// One page of answers and where the next one starts (`None`: nothing more).
#[derive(Clone, Debug)]
pub struct Page<T, C> {
    pub items: Vec<T>,
    pub next: Option<C>,
}

/// Which events an events query wants.
#[derive(Clone, Copy, Debug)]
pub struct EventFilter<'a> {
    /// One kind (`component.event`); `None` for all.
    pub kind: Option<&'a str>,
    /// Heights, inclusive.
    pub from: u64,
    pub to: u64,
}

/// Reads done in one read transaction (a consistent snapshot), with decoded blocks cached.
struct Reader {
    txn: ReadTransaction,
    blocks: HashMap<u64, BlockRecord>,
}

impl Reader {
    fn block(&mut self, height: u64) -> Result<Option<BlockRecord>, IndexError> {
        if let Some(b) = self.blocks.get(&height) {
            return Ok(Some(b.clone()));
        }
        let table = self.txn.open_table(BLOCKS)?;
        let Some(bytes) = table.get(height)? else {
            return Ok(None);
        };
        let record = decode_block(height, bytes.value())?;
        self.blocks.insert(height, record.clone());
        Ok(Some(record))
    }

    fn tx(&self, position: TxPosition) -> Result<Option<TxRecord>, IndexError> {
        let table = self.txn.open_table(TXS)?;
        let Some(bytes) = table.get((position.height, position.index))? else {
            return Ok(None);
        };
        let what = || format!("transaction {position}");
        let record = TxRecord::decode(Copying(
            unseal(bytes.value()).map_err(|e| IndexError::damaged(what(), e))?,
        ))
        .map_err(|e| IndexError::damaged(what(), e))?;
        if (record.height, record.index) != (position.height, position.index) {
            return Err(IndexError::damaged(what(), "holds another transaction"));
        }
        Ok(Some(record))
    }

    /// The transaction at `position` with its block; an error if either is missing (another
    /// table pointed there).
    fn entry(&mut self, position: TxPosition) -> Result<TxEntry, IndexError> {
        let tx = self
            .tx(position)?
            .ok_or_else(|| IndexError::damaged(format!("transaction {position}"), "missing"))?;
        let block = self
            .block(position.height)?
            .ok_or_else(|| IndexError::damaged(format!("block {}", position.height), "missing"))?;
        Ok(TxEntry {
            position,
            block,
            tx,
        })
    }

    /// The event at `position`.
    fn event(&mut self, position: EventPosition) -> Result<EventEntry, IndexError> {
        let missing = || IndexError::damaged(format!("event {position}"), "missing");
        if position.source == BLOCK_HOOKS {
            let block = self.block(position.height)?.ok_or_else(missing)?;
            let event = block
                .block_events
                .get(position.n as usize)
                .cloned()
                .ok_or_else(missing)?;
            return Ok(EventEntry {
                position,
                tx: None,
                event,
            });
        }
        let tx = self
            .tx(TxPosition {
                height: position.height,
                index: position.source,
            })?
            .ok_or_else(missing)?;
        let event = tx
            .receipt
            .events
            .get(position.n as usize)
            .cloned()
            .ok_or_else(missing)?;
        Ok(EventEntry {
            position,
            tx: Some(tx.hash),
            event,
        })
    }
}

impl Index {
    fn reader(&self) -> Result<Reader, IndexError> {
        Ok(Reader {
            txn: self.db.begin_read()?,
            blocks: HashMap::new(),
        })
    }

    /// Every height from 1 to this one is indexed.
    pub fn contiguous_height(&self) -> u64 {
        self.contiguous.load(Ordering::Acquire)
    }

    /// The lowest height from which every block's events are known (1 unless blocks were
    /// rebuilt from the archive).
    pub fn events_known_from(&self) -> Result<u64, IndexError> {
        Ok(crate::open::read_meta(&self.db, META_EVENTS_FROM)?.unwrap_or(1))
    }

    /// A finalized transaction by hash.
    fn read_tx(&self, hash: &[u8; 32]) -> Result<Option<TxEntry>, IndexError> {
        let mut reader = self.reader()?;
        let position = {
            let table = reader.txn.open_table(TX_BY_HASH)?;
            match table.get(hash)? {
                Some(v) => {
                    let (height, index) = v.value();
                    TxPosition { height, index }
                }
                None => return Ok(None),
            }
        };
        let entry = reader.entry(position)?;
        if &entry.tx.hash != hash {
            return Err(IndexError::damaged(
                format!("transaction {position}"),
                "the hash index points at another transaction",
            ));
        }
        Ok(Some(entry))
    }

    /// A block's record.
    fn read_block(&self, height: u64) -> Result<Option<BlockRecord>, IndexError> {
        self.reader()?.block(height)
    }

    /// Up to `limit` blocks from `from` up, in height order, stopping at the first height not
    /// indexed. The cursor is the next height.
    fn read_blocks(
        &self,
        from: u64,
        limit: usize,
    ) -> Result<Page<(u64, BlockRecord), u64>, IndexError> {
        let limit = limit.min(MAX_PAGE);
        let reader = self.reader()?;
        let table = reader.txn.open_table(BLOCKS)?;
        let mut items = Vec::new();
        let mut next = None;
        let mut expected = from;
        for row in table.range(from..)? {
            let (height, bytes) = row?;
            let height = height.value();
            if height != expected {
                break; // a gap: not indexed (yet)
            }
            if items.len() == limit {
                next = Some(height);
                break;
            }
            items.push((height, decode_block(height, bytes.value())?));
            expected = height + 1;
        }
        Ok(Page { items, next })
    }

    /// The transactions that name `account` (signed by it or named by one of their events),
    /// newest first, strictly before `before` (all when `None`).
    fn read_account_txs(
        &self,
        account: &AccountId,
        before: Option<TxPosition>,
        limit: usize,
    ) -> Result<Page<TxEntry, TxPosition>, IndexError> {
        let limit = limit.min(MAX_PAGE);
        let mut key = [0u8; 32];
        key.copy_from_slice(account.as_bytes());
        let mut reader = self.reader()?;
        let positions: Vec<TxPosition> = {
            let table = reader.txn.open_table(ACCOUNT_TXS)?;
            let start = (key, 0u64, 0u32);
            let rows = match before {
                Some(b) => table.range(start..(key, b.height, b.index))?,
                None => table.range(start..=(key, u64::MAX, u32::MAX))?,
            };
            let mut positions = Vec::new();
            for row in rows.rev().take(limit + 1) {
                let (k, _) = row?;
                let (_, height, index) = k.value();
                positions.push(TxPosition { height, index });
            }
            positions
        };
        let more = positions.len() > limit;
        let mut items = Vec::with_capacity(limit.min(positions.len()));
        for position in positions.into_iter().take(limit) {
            let entry = reader.entry(position)?;
            let named = &entry.tx.signer == account
                || entry
                    .tx
                    .receipt
                    .events
                    .iter()
                    .any(|e| e.accounts().contains(account));
            if !named {
                return Err(IndexError::damaged(
                    format!("transaction {position}"),
                    "the account index points at a transaction that does not name the account",
                ));
            }
            items.push(entry);
        }
        let next = if more {
            items.last().map(|e| e.position)
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// Events in `filter`'s heights, in chain order (a block's transactions' events, then its
    /// hooks'), starting at `start` (inclusive) when given.
    fn read_events(
        &self,
        filter: EventFilter<'_>,
        start: Option<EventPosition>,
        limit: usize,
    ) -> Result<Page<EventEntry, EventPosition>, IndexError> {
        let limit = limit.min(MAX_PAGE);
        let first = start.unwrap_or(EventPosition {
            height: filter.from,
            source: 0,
            n: 0,
        });
        let mut reader = self.reader()?;
        match filter.kind {
            Some(kind) => {
                let positions: Vec<EventPosition> = {
                    let table = reader.txn.open_table(EVENTS_BY_KIND)?;
                    let mut positions = Vec::new();
                    for row in table
                        .range(
                            (kind, first.height, first.source, first.n)
                                ..=(kind, filter.to, u32::MAX, u32::MAX),
                        )?
                        .take(limit + 1)
                    {
                        let (k, _) = row?;
                        let (_, height, source, n) = k.value();
                        positions.push(EventPosition { height, source, n });
                    }
                    positions
                };
                let next = positions.get(limit).copied();
                let mut items = Vec::with_capacity(positions.len().min(limit));
                for position in positions.into_iter().take(limit) {
                    let entry = reader.event(position)?;
                    if entry.event.kind() != kind {
                        return Err(IndexError::damaged(
                            format!("event {position}"),
                            "the kind index points at an event of another kind",
                        ));
                    }
                    items.push(entry);
                }
                Ok(Page { items, next })
            }
            None => scan_events(&mut reader, first, filter.to, limit),
        }
    }
    /// Runs a read, turning a panic inside redb (it trusts its pages, and may index out of
    /// bounds on a damaged one) into an error; any damage met keeps the index from being
    /// marked as closed cleanly, so the next start checks the whole file.
    fn guarded<T>(&self, read: impl FnOnce() -> Result<T, IndexError>) -> Result<T, IndexError> {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read))
            .unwrap_or_else(|_| Err(IndexError::damaged("a page", "reading it failed")));
        // Any storage error on a read may be damage (a changed table definition, a bad
        // page, a failing disk): one check of the whole file at the next start settles it.
        let damage = matches!(
            &result,
            Err(IndexError::Damaged { .. } | IndexError::Storage(_))
        );
        if damage {
            self.close.damaged.store(true, Ordering::Release);
        }
        result
    }

    /// A finalized transaction by hash.
    pub fn tx(&self, hash: &[u8; 32]) -> Result<Option<TxEntry>, IndexError> {
        self.guarded(|| self.read_tx(hash))
    }

    /// A block's record.
    pub fn block(&self, height: u64) -> Result<Option<BlockRecord>, IndexError> {
        self.guarded(|| self.read_block(height))
    }

    /// Up to `limit` blocks from `from` up, in height order, stopping at the first height not
    /// indexed. The cursor is the next height.
    pub fn blocks(
        &self,
        from: u64,
        limit: usize,
    ) -> Result<Page<(u64, BlockRecord), u64>, IndexError> {
        self.guarded(|| self.read_blocks(from, limit))
    }

    /// The transactions that name `account` (signed by it or named by one of their events),
    /// newest first, strictly before `before` (all when `None`).
    pub fn account_txs(
        &self,
        account: &AccountId,
        before: Option<TxPosition>,
        limit: usize,
    ) -> Result<Page<TxEntry, TxPosition>, IndexError> {
        self.guarded(|| self.read_account_txs(account, before, limit))
    }

    /// Events in `filter`'s heights, in chain order (a block's transactions' events, then its
    /// hooks'), starting at `start` (inclusive) when given.
    pub fn events(
        &self,
        filter: EventFilter<'_>,
        start: Option<EventPosition>,
        limit: usize,
    ) -> Result<Page<EventEntry, EventPosition>, IndexError> {
        self.guarded(|| self.read_events(filter, start, limit))
    }
}

/// A stored block record, checked: its seal, its encoding, its own key.
fn decode_block(height: u64, stored: &[u8]) -> Result<BlockRecord, IndexError> {
    let what = || format!("block {height}");
    let record = BlockRecord::decode(Copying(
        unseal(stored).map_err(|e| IndexError::damaged(what(), e))?,
    ))
    .map_err(|e| IndexError::damaged(what(), e))?;
    if record.height != height {
        return Err(IndexError::damaged(what(), "holds another block"));
    }
    Ok(record)
}

/// All events from `first` to height `to`, visiting at most [`MAX_SCAN_BLOCKS`] blocks.
fn scan_events(
    reader: &mut Reader,
    first: EventPosition,
    to: u64,
    limit: usize,
) -> Result<Page<EventEntry, EventPosition>, IndexError> {
    let mut items = Vec::new();
    let last = to.min(first.height.saturating_add(MAX_SCAN_BLOCKS - 1));
    let mut height = first.height;
    while height <= last {
        let Some(block) = reader.block(height)? else {
            // Not indexed (yet): stop here, the cursor resumes at this height.
            return Ok(Page {
                items,
                next: Some(EventPosition {
                    height,
                    source: 0,
                    n: 0,
                }),
            });
        };
        let mut here: Vec<EventPosition> = Vec::new();
        for index in 0..block.tx_count {
            let tx = reader.tx(TxPosition { height, index })?.ok_or_else(|| {
                IndexError::damaged(format!("transaction {height}.{index}"), "missing")
            })?;
            here.extend((0..tx.receipt.events.len() as u32).map(|n| EventPosition {
                height,
                source: index,
                n,
            }));
        }
        here.extend((0..block.block_events.len() as u32).map(|n| EventPosition {
            height,
            source: BLOCK_HOOKS,
            n,
        }));
        for position in here.into_iter().filter(|p| *p >= first) {
            if items.len() == limit {
                return Ok(Page {
                    items,
                    next: Some(position),
                });
            }
            items.push(reader.event(position)?);
        }
        height += 1;
    }
    let next = (last < to).then_some(EventPosition {
        height: last + 1,
        source: 0,
        n: 0,
    });
    Ok(Page { items, next })
}
