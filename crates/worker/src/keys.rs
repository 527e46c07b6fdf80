//! Key material in flight: the envelopes that carry DKG shares between gatekeepers and
//! partial signatures from gatekeepers to workers, and keys derived from a cluster key.
//!
//! * A dealing's share for a player is sealed to the player's attested x25519 key, with
//!   associated data naming the chain, the round, the dealer and the player.
//! * A gatekeeper's partial signature towards a worker's cluster key is sealed to the worker,
//!   with associated data naming the chain, the recipient, the key and the round.
//! * Ephemeral keys are derived (from the dealer's sealed seed, or from the gatekeeper's
//!   share), so a resend after a crash is byte-identical and the chain counts it as a
//!   confirmation, not a disagreement.
//!
//! Contract keys are `HKDF(cluster key, "contract/<id>")`: whoever holds the cluster key
//! derives them, and no gatekeeper holds a cluster key it did not receive like any worker.

use crate::store::Secret;
use commonware_codec::Encode;
use hkdf::Hkdf;
use phalanx_crypto::envelope::{self, EnvelopeError};
use phalanx_types::{ChainId, Envelope, KeyKind, WorkerId};
use sha2::Sha256;
use zeroize::Zeroizing;

pub use phalanx_runtime::keys::DEFAULT_CLUSTER;

fn hkdf(secret: &[u8], salt: &[u8], info: &[&[u8]]) -> Secret {
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

/// A key derived from a cluster key under a labelled path, e.g. `contract/<id>`.
pub fn derive(cluster_key: &Secret, path: &str) -> Secret {
    hkdf(
        cluster_key.bytes(),
        b"phalanx/keys/v2/derive",
        &[path.as_bytes()],
    )
}

/// Every key of `contract` (`phalanx_contracts::ContractKey`), from the cluster key its record
/// pins.
pub fn contract_key(cluster_key: &Secret, contract: &[u8; 32]) -> phalanx_contracts::ContractKey {
    let secret = derive(cluster_key, &contract_path(contract));
    phalanx_contracts::ContractKey::from_secret(*contract, secret.bytes())
}

/// The labelled path of a contract key.
pub fn contract_path(contract: &[u8; 32]) -> String {
    format!("contract/{}", hex::encode(contract))
}

fn dealing_aad(chain: &ChainId, round: u64, dealer: &WorkerId, player: &WorkerId) -> Vec<u8> {
    let mut aad = chain.namespace(b"phalanx/dkg-share/v1/");
    aad.push(0);
    aad.extend_from_slice(&round.to_be_bytes());
    aad.extend_from_slice(dealer.as_bytes());
    aad.extend_from_slice(player.as_bytes());
    aad
}

fn share_aad(chain: &ChainId, recipient: &WorkerId, key: &KeyKind, round: u64) -> Vec<u8> {
    let mut aad = chain.namespace(b"phalanx/key-share/v1/");
    aad.push(0);
    aad.extend_from_slice(recipient.as_bytes());
    aad.extend_from_slice(&key.encode());
    aad.extend_from_slice(&round.to_be_bytes());
    aad
}

/// Seals a dealer's share for `player` (whose x25519 key is `player_key`).
pub fn seal_dealing(
    seed: &Secret,
    chain: &ChainId,
    round: u64,
    dealer: &WorkerId,
    player: &WorkerId,
    player_key: &[u8; 32],
    share: &[u8],
) -> Result<Envelope, String> {
    let ephemeral = hkdf(
        seed.bytes(),
        b"phalanx/dkg/v1/ephemeral",
        &[&round.to_be_bytes(), player.as_bytes()],
    );
    envelope::seal(
        player_key,
        ephemeral.bytes(),
        &dealing_aad(chain, round, dealer, player),
        share,
    )
    .map_err(|e| e.to_string())
}

/// Opens a dealer's share addressed to `me`.
pub fn open_dealing(
    encryption_secret: &Secret,
    chain: &ChainId,
    round: u64,
    dealer: &WorkerId,
    me: &WorkerId,
    sealed: &Envelope,
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    envelope::open(
        encryption_secret.bytes(),
        sealed,
        &dealing_aad(chain, round, dealer, me),
    )
}

/// Seals a partial signature towards `key` for `recipient`; the ephemeral key comes from the
/// gatekeeper's share, so the same gatekeeper always seals the same bytes.
pub fn seal_share(
    share_secret: &[u8],
    chain: &ChainId,
    recipient: &WorkerId,
    recipient_key: &[u8; 32],
    key: &KeyKind,
    round: u64,
    partial: &[u8],
) -> Result<Envelope, String> {
    let ephemeral = hkdf(
        share_secret,
        b"phalanx/keys/v2/ephemeral",
        &[recipient.as_bytes(), &key.encode(), &round.to_be_bytes()],
    );
    envelope::seal(
        recipient_key,
        ephemeral.bytes(),
        &share_aad(chain, recipient, key, round),
        partial,
    )
    .map_err(|e| e.to_string())
}

/// Opens a partial signature addressed to `me`.
pub fn open_share(
    encryption_secret: &Secret,
    chain: &ChainId,
    me: &WorkerId,
    key: &KeyKind,
    round: u64,
    sealed: &Envelope,
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    envelope::open(
        encryption_secret.bytes(),
        sealed,
        &share_aad(chain, me, key, round),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_cryptography::Signer;

    fn id(seed: u64) -> WorkerId {
        commonware_cryptography::ed25519::PrivateKey::from_seed(seed)
            .public_key()
            .into()
    }

    #[test]
    fn shares_are_deterministic_and_open_only_for_their_recipient_key_and_round() {
        let chain = ChainId::new("phalanx-dev").unwrap();
        let secret = Secret(Zeroizing::new([5u8; 32]));
        let public = envelope::x25519_public(secret.bytes());
        let key = KeyKind::Cluster {
            cluster: 0,
            generation: 1,
        };
        let me = id(1);
        let a = seal_share(&[3; 36], &chain, &me, &public, &key, 4, b"partial").unwrap();
        let b = seal_share(&[3; 36], &chain, &me, &public, &key, 4, b"partial").unwrap();
        assert_eq!(a, b);
        assert_eq!(
            open_share(&secret, &chain, &me, &key, 4, &a)
                .unwrap()
                .as_slice(),
            b"partial"
        );
        let other = Secret(Zeroizing::new([6u8; 32]));
        assert_eq!(
            open_share(&other, &chain, &me, &key, 4, &a),
            Err(EnvelopeError::Open)
        );
        assert!(open_share(&secret, &chain, &me, &key, 5, &a).is_err());
        assert!(open_share(&secret, &chain, &id(2), &key, 4, &a).is_err());
        let dealing = seal_dealing(&secret, &chain, 4, &id(9), &me, &public, b"s").unwrap();
        assert!(open_dealing(&secret, &chain, 4, &id(9), &me, &dealing).is_ok());
        assert!(open_dealing(&secret, &chain, 4, &id(8), &me, &dealing).is_err());
    }

    #[test]
    fn contract_keys_are_separated() {
        let c = Secret(Zeroizing::new([1u8; 32]));
        let a = derive(&c, &contract_path(&[1; 32]));
        let b = derive(&c, &contract_path(&[2; 32]));
        assert_ne!(a.bytes(), b.bytes());
    }
}
