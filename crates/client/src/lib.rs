//! The node's HTTP API as types shared by the server and its clients. See the README.

pub mod api;
