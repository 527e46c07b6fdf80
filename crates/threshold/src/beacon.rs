//! The randomness beacon: one unpredictable, unbiasable 32-byte seed per round.
//!
//! The seed of round `r` is `SHA-256(σ_r)`, where `σ_r` is the gatekeepers' group BLS signature
//! on [`beacon_label`]`(r)` (the newest master-key generation's secret). BLS signatures are
//! unique, so no quorum can choose among seeds; nobody learns σ before a quorum of gatekeepers
//! has signed; and the chain checks every partial against the public polynomial and the
//! recovered σ against the group public key. The chain runs the heartbeat challenges of
//! mining from these seeds (`phalanx_runtime::beacon`).

use crate::group_signature::{self, SignatureError};
use crate::round::{Output, Partial, Share};
use commonware_codec::Encode;
use phalanx_types::ChainId;
use sha2::{Digest, Sha256};

/// Why partials did not give a seed.
pub type BeaconError = SignatureError;

/// The signing domain of the beacon on `chain` (distinct from cluster keys').
fn namespace(chain: &ChainId) -> Vec<u8> {
    chain.namespace(b"phalanx/beacon/v1/")
}

/// What the group signs to make round `round`'s seed.
pub fn beacon_label(round: u64) -> Vec<u8> {
    format!("round/{round}").into_bytes()
}

/// A gatekeeper's contribution to round `round`'s seed.
pub fn beacon_partial(share: &Share, chain: &ChainId, round: u64) -> Partial {
    group_signature::sign(share, &namespace(chain), &beacon_label(round))
}

/// Checks one contribution against `output`'s public polynomial.
pub fn verify_beacon_partial(
    output: &Output,
    chain: &ChainId,
    round: u64,
    partial: &Partial,
) -> Result<(), BeaconError> {
    group_signature::verify(output, &namespace(chain), &beacon_label(round), partial)
}

/// How many partials a seed needs under `output`.
pub fn beacon_threshold(output: &Output) -> u32 {
    output.public().required()
}

/// Round `round`'s seed from partials that were each verified already: interpolates σ, checks
/// it against the group public key and hashes it.
pub fn recover_beacon(
    output: &Output,
    chain: &ChainId,
    round: u64,
    verified: &[Partial],
) -> Result<[u8; 32], BeaconError> {
    let signature =
        group_signature::recover(output, &namespace(chain), &beacon_label(round), verified)?;
    let mut hasher = Sha256::new();
    hasher.update(b"phalanx/beacon/v1/seed");
    hasher.update(signature.encode());
    Ok(hasher.finalize().into())
}
