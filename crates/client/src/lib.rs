//! The node's HTTP API for its clients: the request and response types the server
//! (`phalanx-rpc`) shares ([`api`]), one function per route ([`endpoint`]) over a bounded HTTP
//! transport ([`http`]), signing and submitting transactions ([`client`]), and the helpers of
//! components with more to them than one call per route ([`gov`], [`contracts`]). The CLI, the
//! worker and the benchmarks all go through it. See the README.

pub mod api;
pub mod client;
pub mod confidential;
pub mod contracts;
pub mod endpoint;
pub mod gov;
pub mod http;
