//! The worker runtime: the program that runs inside the TEE.
//!
//! * [`benchmark`]: the fixed CPU benchmark whose counter the chain turns into P.
//! * [`chain`]: the worker's verified view of the chain (light client over any node's RPC).
//! * [`seal`], [`store`]: the sealed, atomically replaced state file (keys, tip, queue
//!   positions, received keys).
//! * [`tee`]: which TEE produces evidence and seals state (`--tee sim` for development).
//! * [`run`]: the worker process: open, sync, register, poll.
//! * [`mining`]: benchmark reports, heartbeats, the gatekeeper's beacon shares.
//! * [`mq`]: reading the chain's queues with proofs, sending signed messages, gatekeeper duties.
//! * [`keys`]: master key generations, derived keys, and key deliveries (envelopes).
//! * [`files`]: bounded file I/O the CLI shares.
//!
//! The node's API, the HTTP client and transaction submission are `phalanx-client`'s.

pub mod benchmark;
pub mod chain;
pub mod contracts;
pub mod dkg;
pub mod files;
pub mod keys;
pub mod mining;
pub mod mq;
pub mod query;
pub mod run;
pub mod seal;
pub mod store;
pub mod tee;
