//! Key management: the master key generations a gatekeeper holds, the keys derived from them,
//! and the envelopes that carry keys to other workers through the chain.
//!
//! * Generation 0 of the master key is drawn from the TEE's randomness by the first gatekeeper.
//!   Generation `n + 1` is `HKDF(master[n], "rotate", n + 1)`: every gatekeeper derives the same
//!   one, so a rotation needs no exchange between gatekeepers and their announcements agree.
//! * Only the master key's x25519 public key leaves the TEE (announced on chain). A worker that
//!   receives a master key checks it against that public key before keeping it.
//! * Cluster and contract keys are `HKDF(master[generation], labelled path)`.
//! * Deliveries are [`phalanx_crypto::envelope`]s to the recipient's attested x25519 key, with
//!   an ephemeral key derived from the master key, the recipient and the key delivered: honest
//!   gatekeepers seal byte-identical envelopes, so the chain can tell when one disagrees.
//!
//! The [`KeyManager`] interface (`derive(generation, path)`) is what the rest of the worker
//! uses. Today it is backed by whole master keys in every gatekeeper; a threshold version
//! (t-of-n shares, a worker combining t contributions) can replace it behind the same call.

use crate::store::Secret;
use commonware_codec::Encode;
use hkdf::Hkdf;
use phalanx_crypto::envelope::{self, EnvelopeError};
use phalanx_types::{ChainId, Envelope, KeyKind, WorkerId, WorkerInfo};
use sha2::Sha256;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

pub use phalanx_runtime::keys::DEFAULT_CLUSTER;

fn hkdf(secret: &[u8; 32], salt: &[u8], info: &[&[u8]]) -> Secret {
    let info: Vec<u8> = info.concat();
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's output limit, so expand cannot fail.
    if Hkdf::<Sha256>::new(Some(salt), secret)
        .expand(&info, out.as_mut())
        .is_err()
    {
        unreachable!("HKDF-SHA256 expands 32 bytes");
    }
    Secret(out)
}

/// Master key generation `generation` from generation `generation - 1`.
pub fn next_generation(previous: &Secret, generation: u32) -> Secret {
    hkdf(
        previous.bytes(),
        b"phalanx/keys/v1/rotate",
        &[&generation.to_be_bytes()],
    )
}

/// The public key announced for a master key (its x25519 public key).
pub fn master_public(master: &Secret) -> [u8; 32] {
    envelope::x25519_public(master.bytes())
}

/// A key derived from a master key generation under a labelled path, e.g. `cluster/0`.
pub fn derive(master: &Secret, path: &str) -> Secret {
    hkdf(
        master.bytes(),
        b"phalanx/keys/v1/derive",
        &[path.as_bytes()],
    )
}

/// The labelled path of a cluster key.
pub fn cluster_path(cluster: u32) -> String {
    format!("cluster/{cluster}")
}

/// The labelled path of a contract key.
pub fn contract_path(contract: &[u8; 32]) -> String {
    format!("contract/{}", hex::encode(contract))
}

/// What the worker asks of key management.
pub trait KeyManager {
    /// The key under `path` for master key `generation`, if this manager can produce it.
    fn derive(&self, generation: u32, path: &str) -> Option<Secret>;
    /// The key material a delivery of `key` carries, if this manager can produce it.
    fn material(&self, key: &KeyKind) -> Option<Secret>;
}

/// Whole master key generations, as every gatekeeper holds them today.
impl KeyManager for BTreeMap<u32, Secret> {
    fn derive(&self, generation: u32, path: &str) -> Option<Secret> {
        self.get(&generation).map(|m| derive(m, path))
    }

    fn material(&self, key: &KeyKind) -> Option<Secret> {
        match key {
            KeyKind::Master { generation } => self.get(generation).cloned(),
            KeyKind::Cluster {
                cluster,
                generation,
            } => KeyManager::derive(self, *generation, &cluster_path(*cluster)),
        }
    }
}

/// The associated data of a delivery: the chain, the recipient and which key it is, so an
/// envelope cannot be replayed as another key, to another worker, or on another chain.
fn delivery_aad(chain: &ChainId, recipient: &WorkerId, key: &KeyKind) -> Vec<u8> {
    let mut aad = b"phalanx/key-delivery/v1/".to_vec();
    aad.extend_from_slice(chain.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(recipient.as_bytes());
    aad.extend_from_slice(&key.encode());
    aad
}

/// Seals `key` (whose material `masters` produces) to `recipient`, deterministically.
pub fn seal_delivery(
    masters: &BTreeMap<u32, Secret>,
    chain: &ChainId,
    recipient: &WorkerInfo,
    key: &KeyKind,
) -> Result<Envelope, String> {
    let master = masters.get(&key.generation()).ok_or_else(|| {
        format!(
            "this gatekeeper does not hold master key generation {}",
            key.generation()
        )
    })?;
    let material = masters
        .material(key)
        .ok_or_else(|| format!("cannot produce key {key}"))?;
    let ephemeral = hkdf(
        master.bytes(),
        b"phalanx/keys/v1/ephemeral",
        &[
            &recipient.encryption_key,
            recipient.identity.as_bytes(),
            &key.encode(),
        ],
    );
    envelope::seal(
        &recipient.encryption_key,
        ephemeral.bytes(),
        &delivery_aad(chain, &recipient.identity, key),
        material.bytes(),
    )
    .map_err(|e| e.to_string())
}

/// Why a delivered key was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeliveryError {
    #[error("REFUSED key {key} from {sender}: {source}")]
    Envelope {
        key: KeyKind,
        sender: String,
        source: EnvelopeError,
    },
    #[error("REFUSED key {key} from {sender}: it is not 32 bytes")]
    Length { key: KeyKind, sender: String },
    #[error(
        "REFUSED master key generation {generation} from {sender}: its public key {got} is not the one announced on chain ({announced})"
    )]
    NotAnnounced {
        generation: u32,
        sender: String,
        got: String,
        announced: String,
    },
}

/// Opens a delivery of `key` addressed to `me` with this worker's encryption secret.
pub fn open_delivery(
    encryption_secret: &Secret,
    chain: &ChainId,
    me: &WorkerId,
    sender: &WorkerId,
    key: &KeyKind,
    envelope: &Envelope,
) -> Result<Secret, DeliveryError> {
    let plain = envelope::open(
        encryption_secret.bytes(),
        envelope,
        &delivery_aad(chain, me, key),
    )
    .map_err(|source| DeliveryError::Envelope {
        key: *key,
        sender: sender.to_string(),
        source,
    })?;
    let bytes: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| DeliveryError::Length {
            key: *key,
            sender: sender.to_string(),
        })?;
    Ok(Secret(Zeroizing::new(bytes)))
}

/// Checks a received master key against the public key the chain holds for its generation.
pub fn check_master(
    generation: u32,
    sender: &WorkerId,
    master: &Secret,
    announced: &[u8; 32],
) -> Result<(), DeliveryError> {
    let got = master_public(master);
    if &got != announced {
        return Err(DeliveryError::NotAnnounced {
            generation,
            sender: sender.to_string(),
            got: hex::encode(got),
            announced: hex::encode(announced),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_cryptography::Signer;

    fn worker(seed: u64, secret: &Secret) -> WorkerInfo {
        WorkerInfo {
            identity: commonware_cryptography::ed25519::PrivateKey::from_seed(seed)
                .public_key()
                .into(),
            encryption_key: envelope::x25519_public(secret.bytes()),
        }
    }

    fn masters() -> BTreeMap<u32, Secret> {
        let zero = Secret(Zeroizing::new([9u8; 32]));
        let one = next_generation(&zero, 1);
        BTreeMap::from([(0, zero), (1, one)])
    }

    #[test]
    fn rotation_and_derivation_are_deterministic_and_separated() {
        let m = masters();
        assert_eq!(next_generation(&m[&0], 1).bytes(), m[&1].bytes());
        assert_ne!(m[&0].bytes(), m[&1].bytes());
        let c0 = KeyManager::derive(&m, 0, &cluster_path(0)).unwrap();
        let c1 = KeyManager::derive(&m, 1, &cluster_path(0)).unwrap();
        let other = KeyManager::derive(&m, 0, &cluster_path(1)).unwrap();
        assert_ne!(c0.bytes(), c1.bytes());
        assert_ne!(c0.bytes(), other.bytes());
        assert!(KeyManager::derive(&m, 2, &cluster_path(0)).is_none());
    }

    #[test]
    fn deliveries_are_identical_across_gatekeepers_and_open_only_for_the_recipient() {
        let chain = ChainId::new("phalanx-dev").unwrap();
        let secret = Secret(Zeroizing::new([5u8; 32]));
        let to = worker(1, &secret);
        let key = KeyKind::Cluster {
            cluster: 0,
            generation: 1,
        };
        // Two gatekeepers holding the same masters seal the same bytes.
        let a = seal_delivery(&masters(), &chain, &to, &key).unwrap();
        let b = seal_delivery(&masters(), &chain, &to, &key).unwrap();
        assert_eq!(a, b);
        let sender = worker(7, &secret).identity;
        let opened = open_delivery(&secret, &chain, &to.identity, &sender, &key, &a).unwrap();
        assert_eq!(opened.bytes(), masters().material(&key).unwrap().bytes());
        // Encrypted to another key: refused, with the reason.
        let other_secret = Secret(Zeroizing::new([6u8; 32]));
        assert!(matches!(
            open_delivery(&other_secret, &chain, &to.identity, &sender, &key, &a),
            Err(DeliveryError::Envelope {
                source: EnvelopeError::Open,
                ..
            })
        ));
        // Replayed as another key or to another worker: refused.
        let master0 = KeyKind::Master { generation: 0 };
        assert!(open_delivery(&secret, &chain, &to.identity, &sender, &master0, &a).is_err());
        assert!(open_delivery(&secret, &chain, &sender, &sender, &key, &a).is_err());
    }

    #[test]
    fn a_master_key_must_match_its_announcement() {
        let m = masters();
        let sender = worker(7, &m[&0]).identity;
        let announced = master_public(&m[&0]);
        assert!(check_master(0, &sender, &m[&0], &announced).is_ok());
        assert!(matches!(
            check_master(0, &sender, &m[&1], &announced),
            Err(DeliveryError::NotAnnounced { .. })
        ));
    }
}
