//! The worker's persisted state: its keys, the light client's verified tip, its message-queue
//! positions and the keys gatekeepers gave it. One sealed file, replaced atomically, so a
//! crash at any point (SIGKILL included) leaves the last saved state, and a restart resumes
//! from it with the same keys.

use crate::seal::{SealError, Sealer};
use commonware_cryptography::{Signer, ed25519::PrivateKey};
use phalanx_consensus::light::Verified;
use phalanx_types::{AccountId, WorkerInfo};
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};
use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

/// File name of the sealed state.
pub const STATE_FILE: &str = "worker-state.sealed";
/// Label the state is sealed under.
const LABEL: &str = "worker-state";
/// Largest sealed state file read back.
pub const MAX_STATE_BYTES: u64 = 4 * 1024 * 1024;
/// Current format version.
pub const VERSION: u32 = 1;

/// Why the state could not be loaded or saved.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0}")]
    Io(String),
    #[error("worker state {path}: {source}")]
    Seal { path: PathBuf, source: SealError },
    #[error("worker state {path} does not parse after unsealing: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("worker state {path} has format version {found}; this program reads version {VERSION}")]
    Version { path: PathBuf, found: u32 },
    #[error(
        "worker state {path} belongs to chain `{stored}` (genesis {stored_genesis}), not `{chain}` \
         (genesis {genesis}); use another --data-dir"
    )]
    OtherChain {
        path: PathBuf,
        stored: String,
        stored_genesis: String,
        chain: String,
        genesis: String,
    },
}

/// A 32-byte secret, hex in the (sealed) file, wiped from memory when dropped.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(#[serde(with = "hex_secret")] pub Zeroizing<[u8; 32]>);

impl Secret {
    pub fn random() -> Result<Self, String> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| format!("no system randomness: {e}"))?;
        Ok(Self(bytes))
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

mod hex_secret {
    use serde::{Deserialize, Deserializer, Serializer};
    use zeroize::Zeroizing;

    pub fn serialize<S: Serializer>(v: &Zeroizing<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v.as_ref()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Zeroizing<[u8; 32]>, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        let bytes = Zeroizing::new(
            hex::decode(text.as_str())
                .map_err(|_| serde::de::Error::custom("secret is not hex"))?,
        );
        let array: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| serde::de::Error::custom("secret is not 32 bytes"))?;
        Ok(Zeroizing::new(array))
    }
}

/// Where the worker is in the message queue.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct MqPositions {
    /// Sequence number of the next message this worker signs.
    pub next_seq: u64,
    /// Index of the next message of this worker's inbox to handle.
    pub inbox: u64,
    /// Index of the next chain broadcast message to handle.
    pub broadcast: u64,
}

/// Everything the worker persists.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WorkerState {
    pub version: u32,
    /// The chain this state belongs to.
    pub chain_id: String,
    pub genesis: String,
    /// ed25519 identity key seed.
    pub identity_seed: Secret,
    /// x25519 encryption key secret.
    pub encryption_secret: Secret,
    /// Last verified finalized block.
    pub tip: Option<Verified>,
    #[serde(default)]
    pub mq: MqPositions,
    /// Cluster keys this worker recovered, by "cluster/generation".
    #[serde(default)]
    pub cluster_keys: BTreeMap<String, Secret>,
    /// Gatekeepers: the seed of this worker's DKG dealings (so a restarted dealer deals the
    /// same again).
    #[serde(default)]
    pub dkg_seed: Option<Secret>,
    /// Gatekeepers: this worker's share of each master key generation it holds, by
    /// generation.
    #[serde(default)]
    pub key_shares: BTreeMap<u32, HeldShare>,
    /// Gatekeepers: the newest generation whose partial signatures this worker handed to
    /// every registered worker.
    #[serde(default)]
    pub shared_generation: Option<u32>,
    /// Partial signatures received towards keys not yet recovered, by "cluster/generation/round"
    /// (hex).
    #[serde(default)]
    pub partials: BTreeMap<String, Vec<String>>,
    /// The heartbeat counter this worker committed to for a challenge round: (round, counter).
    /// Fixed before the first heartbeat of the round is signed and reused for any resend, so
    /// the worker never signs two different heartbeats for one round (the chain slashes that
    /// as equivocation).
    #[serde(default)]
    pub heartbeat_answer: Option<(u64, u64)>,
}

/// A share of a master key generation, from the DKG round whose output is its sharing.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct HeldShare {
    pub round: u64,
    /// The encoded `phalanx_threshold::Share` (hex).
    pub share: String,
}

impl WorkerState {
    /// Fresh keys for a new worker of `chain_id` / `genesis`.
    pub fn new(chain_id: &str, genesis: &str) -> Result<Self, String> {
        Ok(Self {
            version: VERSION,
            chain_id: chain_id.into(),
            genesis: genesis.into(),
            identity_seed: Secret::random()?,
            encryption_secret: Secret::random()?,
            tip: None,
            mq: MqPositions::default(),
            cluster_keys: BTreeMap::new(),
            dkg_seed: None,
            key_shares: BTreeMap::new(),
            shared_generation: None,
            partials: BTreeMap::new(),
            heartbeat_answer: None,
        })
    }

    pub fn identity(&self) -> PrivateKey {
        phalanx_crypto::private_key_from_seed(self.identity_seed.bytes())
    }

    pub fn id(&self) -> AccountId {
        AccountId::from(self.identity().public_key())
    }

    pub fn info(&self) -> WorkerInfo {
        WorkerInfo {
            identity: self.id(),
            encryption_key: x25519_dalek::x25519(
                *self.encryption_secret.bytes(),
                x25519_dalek::X25519_BASEPOINT_BYTES,
            ),
        }
    }
}

/// The sealed state file of one worker directory.
pub struct Store {
    path: PathBuf,
    sealer: Sealer,
}

impl Store {
    pub fn new(dir: &Path, sealer: Sealer) -> Self {
        Self {
            path: dir.join(STATE_FILE),
            sealer,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    /// Reads the state back, or `None` if this directory has none yet. Checks that it belongs
    /// to the chain `chain_id` / `genesis`.
    pub fn load(&self, chain_id: &str, genesis: &str) -> Result<Option<WorkerState>, StoreError> {
        if !self.path.exists() {
            return Ok(None);
        }
        let sealed = crate::files::read_limited(&self.path, MAX_STATE_BYTES, "worker state")
            .map_err(StoreError::Io)?;
        let plain = self
            .sealer
            .unseal(LABEL, &sealed)
            .map_err(|source| StoreError::Seal {
                path: self.path.clone(),
                source,
            })?;
        let state: WorkerState =
            serde_json::from_slice(&plain).map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                reason: e.to_string(),
            })?;
        if state.version != VERSION {
            return Err(StoreError::Version {
                path: self.path.clone(),
                found: state.version,
            });
        }
        if state.chain_id != chain_id || state.genesis != genesis {
            return Err(StoreError::OtherChain {
                path: self.path.clone(),
                stored: state.chain_id,
                stored_genesis: state.genesis,
                chain: chain_id.into(),
                genesis: genesis.into(),
            });
        }
        Ok(Some(state))
    }

    /// Seals and atomically replaces the state file.
    pub fn save(&self, state: &WorkerState) -> Result<(), StoreError> {
        let mut plain = serde_json::to_vec(state).map_err(|e| StoreError::Io(e.to_string()))?;
        let sealed = self.sealer.seal(LABEL, &plain);
        plain.zeroize();
        let sealed = sealed.map_err(|source| StoreError::Seal {
            path: self.path.clone(),
            source,
        })?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Io(format!("creating {}: {e}", dir.display())))?;
        }
        crate::files::write_atomic(&self.path, &sealed).map_err(StoreError::Io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_resume_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path(), Sealer::simulated(dir.path()).unwrap());
        assert!(store.load("phalanx-dev", "aa").unwrap().is_none());
        let mut state = WorkerState::new("phalanx-dev", "aa").unwrap();
        state.mq.next_seq = 7;
        store.save(&state).unwrap();
        // The file is sealed: no secret in the clear.
        let raw = std::fs::read(store.path()).unwrap();
        let seed_hex = hex::encode(state.identity_seed.bytes());
        assert!(!String::from_utf8_lossy(&raw).contains(&seed_hex));
        let back = store.load("phalanx-dev", "aa").unwrap().unwrap();
        assert_eq!(back.id(), state.id());
        assert_eq!(back.info(), state.info());
        assert_eq!(back.mq.next_seq, 7);
        // Another chain's state is refused, not silently reused.
        assert!(matches!(
            store.load("phalanx-dev", "bb"),
            Err(StoreError::OtherChain { .. })
        ));
        // A changed byte is refused.
        let mut bad = raw.clone();
        bad[30] ^= 0xff;
        std::fs::write(store.path(), &bad).unwrap();
        assert!(matches!(
            store.load("phalanx-dev", "aa"),
            Err(StoreError::Seal { .. })
        ));
    }
}
