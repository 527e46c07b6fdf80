//! The group's BLS signature on a label, from partial signatures: what cluster keys and the
//! beacon both derive from (each under its own signing domain and label).

use crate::round::{Output, Partial, Share};
use commonware_cryptography::bls12381::primitives::{
    ops::{self, threshold},
    variant::{MinPk, Variant},
};
use commonware_parallel::Sequential;

/// The group signature.
pub type Signature = <MinPk as Variant>::Signature;

/// Why partials did not give the group signature.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error(
        "the partial signature of participant {0} does not verify against the public polynomial"
    )]
    BadPartial(u32),
    #[error("{have} valid partial signatures; {need} are needed")]
    NotEnough { have: usize, need: u32 },
    #[error("the recovered signature does not verify against the group public key")]
    BadRecovery,
}

/// A holder's partial signature on `label`.
pub(crate) fn sign(share: &Share, namespace: &[u8], label: &[u8]) -> Partial {
    threshold::sign_message::<MinPk>(share, namespace, label)
}

/// Checks one partial against `output`'s public polynomial.
pub(crate) fn verify(
    output: &Output,
    namespace: &[u8],
    label: &[u8],
    partial: &Partial,
) -> Result<(), SignatureError> {
    threshold::verify_message::<MinPk>(output.public(), namespace, label, partial)
        .map_err(|_| SignatureError::BadPartial(partial.index.get()))
}

/// Interpolates the group signature from partials that were each verified already, and checks
/// it against the group public key.
pub(crate) fn recover<'a>(
    output: &Output,
    namespace: &[u8],
    label: &[u8],
    verified: impl IntoIterator<Item = &'a Partial>,
) -> Result<Signature, SignatureError> {
    let verified: Vec<&Partial> = verified.into_iter().collect();
    let need = output.public().required();
    if verified.len() < need as usize {
        return Err(SignatureError::NotEnough {
            have: verified.len(),
            need,
        });
    }
    let signature = threshold::recover::<MinPk, _>(output.public(), verified, &Sequential)
        .map_err(|_| SignatureError::BadRecovery)?;
    ops::verify_message::<MinPk>(output.public().public(), namespace, label, &signature)
        .map_err(|_| SignatureError::BadRecovery)?;
    Ok(signature)
}
