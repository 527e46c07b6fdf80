//! Opening the index: creating it, checking its layout, and moving a damaged file aside.

use crate::tables::{
    ACCOUNT_TXS, BLOCKS, EVENTS_BY_KIND, META, META_CONTIGUOUS, META_SCHEMA, SCHEMA_VERSION,
    TX_BY_HASH, TXS,
};
use crate::{Index, IndexError};
use redb::{Database, ReadableDatabase as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::time::{SystemTime, UNIX_EPOCH};

/// The index file's name in its directory.
pub const FILE_NAME: &str = "index.redb";

/// The file the JSON-lines index of earlier versions kept (replaced; removed on open).
const LEGACY_FILE: &str = "tx-index.jsonl";

/// redb's page cache: the index's whole memory budget, whatever the length of history.
pub const CACHE_BYTES: usize = 32 << 20;

/// Present while the index is closed cleanly: written when the index is dropped, removed when
/// it is opened. Without it (a crash, a kill, a disk that lost power) the whole file is
/// checked at open.
pub const CLEAN_MARKER: &str = "index.clean";

/// Writes [`CLEAN_MARKER`] when dropped (after the database it follows in [`Index`]), unless
/// a read met damage: then the next open checks the whole file.
pub(crate) struct CleanClose {
    marker: Option<PathBuf>,
    pub(crate) damaged: std::sync::atomic::AtomicBool,
}

impl CleanClose {
    fn new(marker: Option<PathBuf>) -> Self {
        Self {
            marker,
            damaged: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

impl Drop for CleanClose {
    fn drop(&mut self) {
        if self.damaged.load(std::sync::atomic::Ordering::Acquire) {
            return;
        }
        if let Some(path) = &self.marker {
            // Best effort: without the marker the next open only checks the whole file.
            let _ = std::fs::write(path, b"closed cleanly\n");
        }
    }
}

/// What opening found.
#[derive(Debug, Default)]
pub struct OpenReport {
    /// Where a damaged or foreign file was moved, and why: the index started again empty.
    pub moved_aside: Option<(PathBuf, String)>,
    /// How long the whole-file integrity check took, when the file was not closed cleanly.
    pub checked_ms: Option<u64>,
    /// An index file of an earlier version that was removed (its content is rebuilt).
    pub removed_legacy: bool,
}

impl Index {
    /// Opens (or creates) the index in `dir`. A file redb cannot read as a database, or one of
    /// another layout, is renamed `index.redb.damaged-<unix ms>` and a new index is created:
    /// the index holds derived data, and the caller refills it from the block archive.
    ///
    /// redb verifies its pages' checksums only when checking the whole file (about 1.7 s per
    /// GB here), not on each read. That check runs when the file was not closed cleanly (see
    /// [`CLEAN_MARKER`]); after a clean close, opening does not read the file, so start-up
    /// does not grow with history, and each record is still checked when read (its CRC-32 and
    /// its own key, `record`).
    pub fn open(dir: &Path) -> Result<(Self, OpenReport), IndexError> {
        std::fs::create_dir_all(dir)?;
        let mut report = OpenReport::default();
        let marker = dir.join(CLEAN_MARKER);
        let closed_cleanly = marker.exists();
        if closed_cleanly {
            std::fs::remove_file(&marker)?;
        }
        let legacy = dir.join(LEGACY_FILE);
        if legacy.exists() {
            std::fs::remove_file(&legacy)?;
            report.removed_legacy = true;
        }
        let path = dir.join(FILE_NAME);
        let check = !closed_cleanly && path.exists();
        let db = match try_open(&path, check) {
            Ok((db, checked_ms)) => {
                report.checked_ms = checked_ms;
                db
            }
            Err(Unusable::Damaged(reason)) => {
                let aside = move_aside(&path)?;
                report.moved_aside = Some((aside, reason));
                try_open(&path, false)
                    .map(|(db, _)| db)
                    .map_err(|e| match e {
                        Unusable::Damaged(reason) => IndexError::damaged("new index file", reason),
                        Unusable::Failed(e) => e,
                    })?
            }
            Err(Unusable::Failed(e)) => return Err(e),
        };
        let contiguous = read_meta(&db, META_CONTIGUOUS)?.unwrap_or(0);
        Ok((
            Self {
                db,
                path,
                contiguous: AtomicU64::new(contiguous),
                close: CleanClose::new(Some(marker)),
            },
            report,
        ))
    }

    /// An index on any redb storage backend (tests use one that fails writes the way a full
    /// disk does). Nothing is moved aside here: an unusable backend is an error.
    pub fn on_backend(backend: impl redb::StorageBackend) -> Result<Self, IndexError> {
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create_with_backend(backend)?;
        if read_meta(&db, META_SCHEMA)?.is_none() {
            create_tables(&db)?;
        }
        let contiguous = read_meta(&db, META_CONTIGUOUS)?.unwrap_or(0);
        Ok(Self {
            db,
            path: PathBuf::new(),
            contiguous: AtomicU64::new(contiguous),
            close: CleanClose::new(None),
        })
    }

    /// The index file (empty for an index on another backend).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Why a file cannot be used.
enum Unusable {
    /// Not a readable index of this layout: move it aside and start again.
    Damaged(String),
    /// Anything else (in use by another process, permissions, I/O): the operator must act;
    /// the file is left where it is.
    Failed(IndexError),
}

/// Whether redb's error means the file's content is unusable (rather than the file being
/// unreachable).
fn is_damage(e: &redb::Error) -> bool {
    match e {
        redb::Error::Corrupted(_)
        | redb::Error::RepairAborted
        | redb::Error::UpgradeRequired(_) => true,
        // "not a redb database": what a file cut short before its header or overwritten is.
        redb::Error::Io(io) => io.kind() == std::io::ErrorKind::InvalidData,
        _ => false,
    }
}

fn classify(e: IndexError) -> Unusable {
    match e {
        IndexError::Storage(ref inner) if is_damage(inner) => Unusable::Damaged(e.to_string()),
        IndexError::Damaged { .. } => Unusable::Damaged(e.to_string()),
        e => Unusable::Failed(e),
    }
}

/// Opens `path` and checks it holds this layout. redb may panic reading a damaged page (it
/// trusts its own files); opening and checking run under `catch_unwind`, and a panic there
/// counts as damage.
fn try_open(path: &Path, check: bool) -> Result<(Database, Option<u64>), Unusable> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| open_and_check(path, check))) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(Unusable::Damaged(format!("reading it failed: {what}")))
        }
    }
}

fn open_and_check(path: &Path, check: bool) -> Result<(Database, Option<u64>), Unusable> {
    let mut db = Database::builder()
        .set_cache_size(CACHE_BYTES)
        .set_repair_callback(|session| {
            // Only after an unclean shutdown of a file written without quick repair.
            tracing::warn!(
                progress = format!("{:.0} %", session.progress() * 100.0),
                "repairing the index after an unclean shutdown"
            );
        })
        .create(path)
        .map_err(|e| classify(e.into()))?;
    // redb verifies its pages' checksums only here (and when repairing), not on every read.
    let mut checked_ms = None;
    if check {
        let started = std::time::Instant::now();
        match db.check_integrity() {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                "the index file failed its integrity check and was repaired (rolled back to \
                 its last good commit); the missing blocks are indexed again from the block \
                 archive"
            ),
            Err(e) => return Err(classify(redb::Error::from(e).into())),
        }
        checked_ms = Some(started.elapsed().as_millis() as u64);
    }
    match read_meta(&db, META_SCHEMA).map_err(classify)? {
        Some(SCHEMA_VERSION) => Ok((db, checked_ms)),
        Some(other) => Err(Unusable::Damaged(format!(
            "layout version {other}, this node writes {SCHEMA_VERSION}"
        ))),
        None => {
            create_tables(&db).map_err(classify)?;
            Ok((db, checked_ms))
        }
    }
}

fn create_tables(db: &Database) -> Result<(), IndexError> {
    let txn = db.begin_write()?;
    txn.open_table(BLOCKS)?;
    txn.open_table(TXS)?;
    txn.open_table(TX_BY_HASH)?;
    txn.open_table(ACCOUNT_TXS)?;
    txn.open_table(EVENTS_BY_KIND)?;
    txn.open_table(META)?.insert(META_SCHEMA, SCHEMA_VERSION)?;
    txn.commit()?;
    Ok(())
}

/// A META value; `None` in a file without the table (a new file) or without the key.
pub(crate) fn read_meta(db: &Database, key: &str) -> Result<Option<u64>, IndexError> {
    let txn = db.begin_read()?;
    let table = match txn.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(table.get(key)?.map(|v| v.value()))
}

fn move_aside(path: &Path) -> Result<PathBuf, IndexError> {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let aside = path.with_file_name(format!("{FILE_NAME}.damaged-{ms}"));
    if path.exists() {
        std::fs::rename(path, &aside)?;
    }
    Ok(aside)
}
