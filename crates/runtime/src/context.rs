//! What a handler knows besides state: the block it runs in and who signed the call.

use crate::Params;
use phalanx_types::{AccountId, ChainId};

/// Where and when a block executes.
#[derive(Clone, Debug)]
pub struct BlockEnv {
    pub chain_id: ChainId,
    pub height: u64,
    /// The block's timestamp (see `phalanx_consensus::app` for the bounds a proposer must
    /// respect): what attestation ages and emission measure.
    pub timestamp_ms: u64,
}

/// A call's context: the block, the signer, and every component's parameters (read once per
/// block).
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    pub env: &'a BlockEnv,
    pub signer: &'a AccountId,
    pub params: &'a Params,
}
