//! The worker's view of the chain: everything it reads goes through the light client. Headers
//! are accepted only with a finality certificate of the validator set, and state values only
//! with a proof against a verified header's state root. The node answering is not trusted.

use commonware_codec::{DecodeExt, Read};
use phalanx_client::{
    api::{
        ChainResponse, CheckpointResponse, HeadersQuery, HeadersResponse, StateRequest,
        StateResponse,
    },
    endpoint,
};
use phalanx_consensus::{
    block::Digest,
    light::{LightClient, LightError, MAX_BATCH_HEADERS, Verified},
    reader::MAX_PROVE_KEYS,
    spec::ChainSpec,
};
use std::time::Instant;
use thiserror::Error;

/// Decodes a verified state value as `T`; a value that does not decode is reported as
/// malformed (`what` names it).
pub fn decode<T: Read<Cfg = ()>>(bytes: &[u8], what: &str) -> Result<T, ChainError> {
    T::decode(commonware_codec::Copying(bytes))
        .map_err(|e| ChainError::Malformed(format!("{what}: {e}")))
}

/// A state value as read: bytes, or absent.
pub type StateValue = Option<Vec<u8>>;

/// Headers asked for per request.
pub const BATCH: usize = 1_000;

/// Where the worker's bytes come from: a node's RPC (the routes the worker reads, typed as
/// `phalanx_client::api` has them), or in tests a wrapper that lies.
pub trait Source: Send {
    /// `GET /chain`.
    fn chain(&self) -> Result<ChainResponse, String>;
    /// `GET /chain/spec`.
    fn chain_spec(&self) -> Result<ChainSpec, String>;
    /// `GET /light/headers`.
    fn headers(&self, query: &HeadersQuery) -> Result<HeadersResponse, String>;
    /// `GET /light/checkpoint/{hash}` (`hash`: hex).
    fn checkpoint(&self, hash: &str) -> Result<CheckpointResponse, String>;
    /// `POST /light/state`.
    fn state(&self, request: &StateRequest) -> Result<StateResponse, String>;
}

/// A node's HTTP RPC.
pub struct HttpSource {
    pub rpc: String,
}

impl Source for HttpSource {
    fn chain(&self) -> Result<ChainResponse, String> {
        Ok(endpoint::chain(&self.rpc)?)
    }
    fn chain_spec(&self) -> Result<ChainSpec, String> {
        Ok(endpoint::chain_spec(&self.rpc)?)
    }
    fn headers(&self, query: &HeadersQuery) -> Result<HeadersResponse, String> {
        Ok(endpoint::headers(&self.rpc, query)?)
    }
    fn checkpoint(&self, hash: &str) -> Result<CheckpointResponse, String> {
        Ok(endpoint::checkpoint(&self.rpc, hash)?)
    }
    fn state(&self, request: &StateRequest) -> Result<StateResponse, String> {
        Ok(endpoint::state(&self.rpc, request)?)
    }
}

/// Why reading the chain failed. Verification failures say what was refused; the worker does
/// not advance past them.
#[derive(Debug, Error)]
pub enum ChainError {
    #[error("the node could not be read: {0}")]
    Unreachable(String),
    #[error("the node's answer is malformed: {0}")]
    Malformed(String),
    #[error("REFUSED: {0}")]
    Refused(#[from] LightError),
    #[error("REFUSED: the node answered for key {got} when asked for {asked}")]
    WrongKey { asked: String, got: String },
}

/// Progress of one sync.
#[derive(Clone, Copy, Debug)]
pub struct SyncReport {
    pub from: u64,
    pub to: u64,
    pub batches: usize,
    pub seconds: f64,
}

fn digest(bytes: &[u8], what: &str) -> Result<Digest, ChainError> {
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| ChainError::Malformed(format!("{what} is not 32 bytes")))?;
    Ok(Digest::from(bytes))
}

/// A verified view of one chain.
pub struct Chain {
    source: Box<dyn Source>,
    client: LightClient,
}

impl Chain {
    /// Follows the chain of `spec` from `tip` (a block verified earlier), or from genesis.
    pub fn new(
        source: Box<dyn Source>,
        spec: &ChainSpec,
        tip: Option<Verified>,
    ) -> Result<Self, String> {
        let client = match tip {
            Some(tip) => LightClient::resume(spec, tip)?,
            None => LightClient::from_genesis(spec)?,
        };
        Ok(Self { source, client })
    }

    /// Starts at a checkpoint the operator names by block hash: its header and certificate
    /// come from the node and are checked against the hash and the validator set.
    pub fn from_checkpoint(
        source: Box<dyn Source>,
        spec: &ChainSpec,
        hash: &Digest,
    ) -> Result<Self, ChainError> {
        let v = source
            .checkpoint(&hex::encode(hash))
            .map_err(ChainError::Unreachable)?;
        let client = LightClient::from_checkpoint(spec, hash, &v.header.0, &v.certificate.0)?;
        Ok(Self { source, client })
    }

    pub fn tip(&self) -> Verified {
        self.client.tip()
    }

    pub fn source(&self) -> &dyn Source {
        self.source.as_ref()
    }

    /// Fetches and verifies one batch after the tip. Returns false when the node has nothing
    /// newer.
    pub fn step(&mut self) -> Result<bool, ChainError> {
        let from = self.tip().height + 1;
        let v = self
            .source
            .headers(&HeadersQuery {
                from,
                limit: BATCH as u64,
            })
            .map_err(ChainError::Unreachable)?;
        if v.headers.is_empty() {
            return Ok(false);
        }
        if v.headers.len() > MAX_BATCH_HEADERS {
            return Err(LightError::BatchTooLarge(v.headers.len()).into());
        }
        let certificate = v
            .certificate
            .ok_or_else(|| ChainError::Malformed("headers without a certificate".into()))?;
        let headers: Vec<Vec<u8>> = v.headers.into_iter().map(|h| h.0).collect();
        self.client.advance(&headers, &certificate.0)?;
        Ok(true)
    }

    /// Verifies headers until the node has nothing newer. `progress` is called after each
    /// batch.
    pub fn sync(&mut self, mut progress: impl FnMut(&Verified)) -> Result<SyncReport, ChainError> {
        let start = Instant::now();
        let from = self.tip().height;
        let mut batches = 0;
        while self.step()? {
            batches += 1;
            progress(&self.tip());
        }
        Ok(SyncReport {
            from,
            to: self.tip().height,
            batches,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// Reads `keys` from one finalized snapshot, verifying each value (or its absence) against
    /// the state root of a verified header. Syncs forward first if the node reads at a newer
    /// block than the tip. Returns the values and the verified block they were read at.
    pub fn read(&mut self, keys: &[[u8; 32]]) -> Result<(Vec<StateValue>, Verified), ChainError> {
        if keys.is_empty() || keys.len() > MAX_PROVE_KEYS {
            return Err(ChainError::Malformed(format!(
                "read 1 to {MAX_PROVE_KEYS} keys at a time"
            )));
        }
        let request = StateRequest {
            keys: keys.iter().map(hex::encode).collect(),
        };
        let v = self
            .source
            .state(&request)
            .map_err(ChainError::Unreachable)?;
        let height = v.height;
        let root = digest(&v.state_root.0, "state root")?;
        // The node may be ahead of what this worker verified.
        while self.tip().height < height {
            if !self.step()? {
                break;
            }
        }
        if v.entries.len() != keys.len() {
            return Err(ChainError::Malformed(
                "entry count differs from keys asked".into(),
            ));
        }
        let mut values = Vec::with_capacity(keys.len());
        for (key, entry) in keys.iter().zip(v.entries) {
            if entry.key.0 != key {
                return Err(ChainError::WrongKey {
                    asked: hex::encode(key),
                    got: hex::encode(&entry.key.0),
                });
            }
            let value = entry.value.map(|v| v.0);
            self.client
                .verify_read(height, &root, key, value.as_deref(), &entry.proof.0)?;
            values.push(value);
        }
        let at = self.client.at(height)?;
        Ok((values, at))
    }

    /// Reads one key (see [`Chain::read`]).
    pub fn read_one(&mut self, key: [u8; 32]) -> Result<Option<Vec<u8>>, ChainError> {
        let (mut values, _) = self.read(&[key])?;
        Ok(values.pop().flatten())
    }

    /// [`Chain::read_one`], decoded as `T` (`what` names it in the error).
    pub fn read_typed<T: Read<Cfg = ()>>(
        &mut self,
        key: impl Into<[u8; 32]>,
        what: &str,
    ) -> Result<Option<T>, ChainError> {
        match self.read_one(key.into())? {
            None => Ok(None),
            Some(bytes) => decode(&bytes, what).map(Some),
        }
    }
}
