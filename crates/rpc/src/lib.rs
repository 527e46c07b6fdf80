//! The node's client interface: JSON over HTTP (transactions, blocks, receipts, accounts, state
//! proofs, chain info), a server-sent stream of finalized blocks, Prometheus metrics, and the
//! transaction index that answers "where was this transaction finalized", and the light-client
//! reads (headers with finality certificates, batched state proofs), and the emission schedule
//! (`/tokenomics`), mining (`/mining`, `/mining/{worker}`), the treasury (`/treasury`) and stake
//! pools (`/pools`, `/pool/{id}`).

mod governance;
pub mod index;
mod light;
mod mining;
mod registry;
pub mod server;
mod stakepool;
mod tokenomics;
mod treasury;

pub use index::Index;
pub use server::{RpcState, backfill, router, run_indexer};
