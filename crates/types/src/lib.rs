//! Core Phalanx types and their deterministic wire encoding.
//!
//! Nothing here knows about state or consensus: these are the values that cross process and
//! trust boundaries, so every decoder carries an explicit size limit.

mod account;
mod amount;
mod call;
mod chain;
pub mod hex_serde;
mod mq;
mod transaction;
mod worker;

pub use account::{AccountId, ParseAccountError};
pub use amount::{
    Amount, DECIMALS, MAX_SUPPLY, ParseAmountError, UNITS_PER_PHA, format_pha, parse_pha,
};
pub use call::{
    BalancesCall, Call, ComputationCall, ContractsCall, GovernanceCall, KeysCall,
    MAX_CLUSTER_MEMBERS, MAX_CODE_BYTES, MAX_COMMAND_EVENT_BYTES, MAX_COMMAND_EVENTS,
    MAX_COMMAND_IO, MAX_COMPONENT_NAME, MAX_PARAMS_BYTES, MAX_SEALED_BYTES, MAX_SIGNAL_TEXT,
    MAX_VOTE_POOLS, MqCall, PoolId, ProposalAction, RegistryCall, Sealed, SignedHeartbeat,
    StakePoolCall, VoteChoice,
};
pub use chain::{ChainId, ChainIdError, MAX_CHAIN_ID_LEN};
pub use mq::{
    ChainMessage, Envelope, KeyKind, MAX_BEACON_PARTIAL, MAX_DKG_ACK, MAX_DKG_MESSAGE,
    MAX_DKG_SHARES, MAX_ENVELOPE_CIPHERTEXT, Payload, SignedMessage, WorkerMessage, mq_namespace,
};
pub use transaction::{MAX_TX_SIZE, SignedTx, TxBody, TxHash, tx_namespace};
pub use worker::{
    AttestationPolicy, Evidence, EvidenceKind, MAX_ALLOWED_MEASUREMENTS, MAX_MEASUREMENT_BYTES,
    PolicyError, WorkerId, WorkerInfo,
};

/// The hash used for blocks, transactions and state keys.
pub type Hash = commonware_cryptography::sha256::Digest;

/// Re-exported so users of these types need not depend on the codec crate directly.
pub use commonware_codec as codec;
