//! The node's HTTP API for its clients: the request and response types the server
//! (`phalanx-rpc`) shares ([`api`]), one function per route ([`endpoint`]) over a bounded HTTP
//! transport ([`http`]), and signing and submitting transactions ([`client`]). The CLI, the
//! worker and the benchmarks all go through it. See the README.

pub mod api;
pub mod client;
pub mod confidential;
pub mod endpoint;
pub mod gov;
pub mod http;
