//! Phalanx's consensus adapter: everything that meets commonware's consensus stack.
//!
//! * [`spec`]: the chain spec validators agree on before block 0.
//! * [`block`]: the block type and its bounded encoding.
//! * [`execute`]: runs `phalanx-runtime` against the authenticated database.
//! * [`app`]: the consensus application (propose / verify / finalize).
//! * [`engine`]: wiring of p2p, marshal, the stateful layer and simplex, generic over runtime
//!   and network (`build`), and the production entry on tokio + TCP (`start`).
//! * [`mempool`], [`admission`], [`gossip`]: the transaction pool, its admission rules, and
//!   transaction forwarding between validators.
//! * [`reader`]: reading the finalized state.
//! * [`receipt_log`]: where finalized blocks' receipts go before their state is applied.
//! * [`light`]: the light client (headers, finality certificates, state proofs).
//! * [`no_sync`]: the state-sync source placeholder (see the note there).

pub mod admission;
pub mod app;
pub mod block;
pub mod engine;
pub mod execute;
pub mod gossip;
pub mod light;
pub mod mempool;
pub mod no_sync;
pub mod reader;
pub mod receipt_log;
pub mod spec;
