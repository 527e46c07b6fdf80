//! The state database type.

use crate::value::StateValue;
use commonware_cryptography::Sha256;
use commonware_parallel::Sequential;
use commonware_runtime::buffer::paged::CacheRef;
use commonware_storage::{
    journal::contiguous::variable::Config as VariableJournalConfig,
    mmr::{self, full::Config as MmrJournalConfig},
    qmdb::current::{VariableConfig, ordered::variable::Db as OrderedVariableDb},
    translator::EightCap,
};
use commonware_utils::{NZU64, NZUsize};
use std::num::NonZeroUsize;

/// Keys are 32-byte hashes of (module, item, id) (see `phalanx_runtime::state_key`).
pub type StateKey = commonware_cryptography::sha256::Digest;

/// Bytes per activity-bitmap chunk. Part of the proof format: changing it changes every root.
pub const CHUNK_BYTES: usize = 32;

/// The authenticated state: an ordered QMDB "current" database over an MMR, SHA-256.
pub type StateDb<E> = OrderedVariableDb<
    mmr::Family,
    E,
    StateKey,
    StateValue,
    Sha256,
    EightCap,
    CHUNK_BYTES,
    Sequential,
>;

/// The database's storage configuration.
pub type StateDbConfig = VariableConfig<EightCap, ((), ()), Sequential>;

const IO_BUFFER: NonZeroUsize = NZUsize!(64 * 1024);

/// The storage configuration used by validators: partitions named after `prefix`, sharing the
/// given page cache.
pub fn config(prefix: &str, page_cache: CacheRef) -> StateDbConfig {
    VariableConfig {
        merkle_config: MmrJournalConfig {
            journal_partition: format!("{prefix}-state-mmr-journal"),
            metadata_partition: format!("{prefix}-state-mmr-metadata"),
            items_per_blob: NZU64!(65_536),
            write_buffer: IO_BUFFER,
            replay_buffer: IO_BUFFER,
            strategy: Sequential,
            page_cache: page_cache.clone(),
        },
        journal_config: VariableJournalConfig {
            partition: format!("{prefix}-state-log"),
            items_per_section: NZU64!(65_536),
            compression: None,
            codec_config: ((), ()),
            page_cache,
            write_buffer: IO_BUFFER,
            replay_buffer: IO_BUFFER,
        },
        grafted_metadata_partition: format!("{prefix}-state-grafted-metadata"),
        translator: EightCap,
        init_cache: Some(NZUsize!(4096)),
        init_buffer: NZUsize!(1 << 21),
        init_concurrency: (),
    }
}
