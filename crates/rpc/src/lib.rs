//! The node's client interface: JSON over HTTP (transactions, blocks, receipts, accounts, state
//! proofs, chain info), a server-sent stream of finalized blocks, Prometheus metrics, the node's
//! index on disk (`phalanx-index`: "where was this transaction finalized", an account's history,
//! events by kind, block headers: `/tx/{hash}`, `/account/{id}/txs`, `/events`, `/blocks`), the light-client
//! reads (headers with finality certificates, batched state proofs), and the emission schedule
//! (`/tokenomics`), mining (`/mining`, `/mining/{worker}`), the treasury (`/treasury`), stake
//! pools (`/pools`, `/pool/{id}`) and contracts (`/contracts`, `/contract/{id}`, `/codes`,
//! `/code/{hash}`).

mod contracts;
mod governance;
mod history;
pub mod index;
mod light;
mod mining;
mod registry;
pub mod server;
mod stakepool;
mod tokenomics;
mod treasury;

pub use index::{Index, backfill};
pub use server::{RpcState, router, run_indexer};
