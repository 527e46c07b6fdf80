//! Cluster keys from threshold signatures.
//!
//! The cluster key of `(cluster, generation)` is `HKDF-SHA256(σ)`, where `σ` is the BLS
//! signature of the generation's shared secret on [`cluster_label`]. A gatekeeper contributes
//! [`partial`]; a worker keeps only partials that [`verify_partial`] against the generation's
//! public polynomial, then [`recover_cluster_key`] interpolates `σ` from a quorum and checks it
//! against the group public key before deriving the key.

use crate::group_signature::{self, SignatureError};
use crate::round::{Output, Partial, Share};
use commonware_codec::Encode;
use hkdf::Hkdf;
use phalanx_types::ChainId;
use sha2::Sha256;
use zeroize::Zeroizing;

/// Why partials did not give a cluster key.
pub type ClusterKeyError = SignatureError;

/// The signing domain of cluster key derivation on `chain`.
fn namespace(chain: &ChainId) -> Vec<u8> {
    chain.namespace(b"phalanx/keys/v2/")
}

/// What the group signs to make the key of `cluster` in `generation`.
pub fn cluster_label(cluster: u32, generation: u32) -> Vec<u8> {
    format!("cluster/{cluster}/{generation}").into_bytes()
}

/// A gatekeeper's contribution to a cluster key.
pub fn partial(share: &Share, chain: &ChainId, cluster: u32, generation: u32) -> Partial {
    group_signature::sign(
        share,
        &namespace(chain),
        &cluster_label(cluster, generation),
    )
}

/// Checks one contribution against `output`'s public polynomial.
pub fn verify_partial(
    output: &Output,
    chain: &ChainId,
    cluster: u32,
    generation: u32,
    partial: &Partial,
) -> Result<(), ClusterKeyError> {
    group_signature::verify(
        output,
        &namespace(chain),
        &cluster_label(cluster, generation),
        partial,
    )
}

/// The cluster key from `partials`: each is verified, a quorum of valid ones is interpolated
/// and the result is checked against the group public key.
pub fn recover_cluster_key(
    output: &Output,
    chain: &ChainId,
    cluster: u32,
    generation: u32,
    partials: &[Partial],
) -> Result<Zeroizing<[u8; 32]>, ClusterKeyError> {
    let valid: Vec<&Partial> = partials
        .iter()
        .filter(|p| verify_partial(output, chain, cluster, generation, p).is_ok())
        .collect();
    let label = cluster_label(cluster, generation);
    let signature = group_signature::recover(output, &namespace(chain), &label, valid)?;
    let mut key = Zeroizing::new([0u8; 32]);
    let sig = Zeroizing::new(signature.encode().to_vec());
    // 32 bytes is far below HKDF-SHA256's output limit, so expand cannot fail.
    if Hkdf::<Sha256>::new(Some(b"phalanx/keys/v2/cluster"), &sig)
        .expand(&label, key.as_mut())
        .is_err()
    {
        unreachable!("HKDF-SHA256 expands 32 bytes");
    }
    Ok(key)
}
