//! The index's tables and their key layouts. Keys are ordered tuples, so "an account's
//! transactions, newest first" and "events of a kind between two heights" are range scans.

use redb::TableDefinition;

/// height → [`crate::BlockRecord`]: every finalized block (header and block-hook events).
pub const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");

/// (height, index in block) → [`crate::TxRecord`]: every finalized transaction's receipt.
pub const TXS: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("txs");

/// transaction hash → (height, index in block).
pub const TX_BY_HASH: TableDefinition<[u8; 32], (u64, u32)> = TableDefinition::new("tx_by_hash");

/// (account, height, index in block) → (): the transactions an account signed or an event of
/// which names it.
pub const ACCOUNT_TXS: TableDefinition<([u8; 32], u64, u32), ()> =
    TableDefinition::new("account_txs");

/// (event kind, height, source, position) → (): where every event of a kind is. `source` is
/// the transaction's index in its block, or [`BLOCK_HOOKS`] for the block hooks' events.
pub const EVENTS_BY_KIND: TableDefinition<(&str, u64, u32, u32), ()> =
    TableDefinition::new("events_by_kind");

/// name → number: the schema version and the heights below.
pub const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// The `source` of the block hooks' events (listed after the block's transactions).
pub const BLOCK_HOOKS: u32 = u32::MAX;

/// [`META`] key: the layout of this file. A file with another version is moved aside and the
/// index rebuilt (its content is derived data).
pub const META_SCHEMA: &str = "schema";

/// [`META`] key: every height from 1 to this one has a [`BLOCKS`] record.
pub const META_CONTIGUOUS: &str = "contiguous_height";

/// [`META`] key: the lowest height from which every block's events are known (blocks below it
/// were rebuilt from the block archive, after a corruption or from an older node's data).
pub const META_EVENTS_FROM: &str = "events_known_from";

/// The layout written by this code.
pub const SCHEMA_VERSION: u64 = 1;
