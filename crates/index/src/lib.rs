//! The node's index on disk: finalized blocks' receipts and events, transactions by hash,
//! accounts' histories and events by kind, in one redb file with a bounded cache. See the
//! crate's README for what is kept, when it is written and why redb.
//!
//! * [`open`]: opening, checking the layout, moving a damaged file aside.
//! * [`write`]: one block's rows in one transaction; [`IndexLog`] is consensus's receipt log.
//! * [`query`]: bounded reads with cursors.
//! * [`record`]: the stored values' canonical encoding; [`tables`]: the key layouts.

mod error;
pub mod open;
pub mod query;
pub mod record;
pub mod tables;
pub mod write;

pub use error::IndexError;
pub use open::OpenReport;
pub use query::{
    BadCursor, EventEntry, EventFilter, EventPosition, MAX_PAGE, MAX_SCAN_BLOCKS, Page, TxEntry,
    TxPosition,
};
pub use record::{BlockRecord, TxRecord};
pub use write::{BlockToIndex, IndexLog};

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;

/// The index. Cheap to share (`Arc`); reads run concurrently with the one writer.
pub struct Index {
    db: redb::Database,
    path: PathBuf,
    /// Every height from 1 to this one has a block record.
    contiguous: AtomicU64,
    /// Declared after `db`, so dropped after it: marks the file as closed cleanly.
    close: open::CleanClose,
}
