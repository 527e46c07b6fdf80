//! What can go wrong reading or writing the index.

/// An index failure. None of them is an answer: a caller that gets one says so.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index storage failed: {0}")]
    Storage(#[from] redb::Error),
    #[error("index file or directory: {0}")]
    Io(#[from] std::io::Error),
    /// A record that does not decode or points nowhere: the file is damaged. Once one is met,
    /// the index is not marked as closed cleanly, so the next start checks the whole file.
    #[error(
        "the index is damaged ({what}: {detail}); restart the node: it then checks the whole \
         file and, if it must, moves it aside and rebuilds the index from the block archive"
    )]
    Damaged { what: String, detail: String },
    /// The block handed to the index does not match its receipts.
    #[error("block {height} has {txs} transactions but {receipts} receipts")]
    Mismatch {
        height: u64,
        txs: usize,
        receipts: usize,
    },
}

macro_rules! from_redb {
    ($($t:ty),+) => {
        $(impl From<$t> for IndexError {
            fn from(e: $t) -> Self {
                IndexError::Storage(e.into())
            }
        })+
    };
}
from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError
);

impl IndexError {
    pub(crate) fn damaged(what: impl ToString, detail: impl ToString) -> Self {
        IndexError::Damaged {
            what: what.to_string(),
            detail: detail.to_string(),
        }
    }
}
