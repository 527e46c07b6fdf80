//! Envelopes: data encrypted to one x25519 public key with RFC 9180 HPKE in base mode
//! (mode 0), single-shot, suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20Poly1305
//! (see [`crate::hpke`]), with associated data that says what the envelope is for.
//!
//! An [`Envelope`] is exactly HPKE's output: `ephemeral` is `enc` (the sender's ephemeral
//! public key) and `ciphertext` is `ct` of the context's first message (sequence number 0).
//! HPKE's `info` is the fixed, versioned label `phalanx/envelope/v2`; the purpose given by the
//! caller is HPKE's `aad`. Any RFC 9180 implementation opens an envelope with the recipient's
//! key, that info and the purpose.
//!
//! The sender's ephemeral secret is an argument and is used as it is as HPKE's `skE` (as with
//! the `*_with_ephemeral` functions of [`crate::hpke`]): a gatekeeper derives it from its
//! master key and the delivery, so that every gatekeeper seals byte-identical envelopes and
//! the chain can detect one that differs. A deterministic `skE` is safe here because each
//! ephemeral key seals exactly one envelope: one plaintext, to one recipient, for one
//! purpose, as the only message (sequence number 0) of its HPKE context. HPKE's key and nonce
//! depend on `skE`, the recipient and `info` (not on `aad`), so two *different* plaintexts
//! sealed with one ephemeral key to one recipient would reuse a ChaCha20Poly1305 key and
//! nonce. The callers' derivations (`phalanx-worker`'s `keys`) bind the ephemeral secret to
//! everything that determines the plaintext (the dealer's seed or the gatekeeper's share, the
//! recipient, the round, the key), so sealing again gives the same bytes and reveals nothing
//! new. Callers must keep that rule; a caller without a reason to be deterministic should
//! use [`crate::hpke::seal`], which draws a fresh ephemeral key.
//!
//! `v1` envelopes (before HPKE) do not open as `v2`: the key derivation changed.

use crate::hpke::{self, HpkeError};
use phalanx_types::{Envelope, MAX_ENVELOPE_CIPHERTEXT};
use thiserror::Error;
use zeroize::Zeroizing;

/// HPKE's `info` for every envelope: names the construction and its version.
pub const ENVELOPE_INFO: &[u8] = b"phalanx/envelope/v2";

/// Why an envelope could not be sealed or opened.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum EnvelopeError {
    #[error("the key agreement gave the all-zero secret (a low-order public key)")]
    WeakKey,
    #[error(
        "the envelope does not open with this key and purpose: it was sealed to another key, for another purpose, or changed"
    )]
    Open,
    #[error("plaintext of {0} bytes is over the envelope limit")]
    TooLarge(usize),
}

/// The x25519 public key of `secret`.
pub fn x25519_public(secret: &[u8; 32]) -> [u8; 32] {
    hpke::public_key(secret)
}

/// Maps the errors a single-shot base-mode HPKE seal or open can give.
fn envelope_error(error: HpkeError, plaintext_len: usize) -> EnvelopeError {
    match error {
        HpkeError::LowOrder => EnvelopeError::WeakKey,
        HpkeError::Seal(_) => EnvelopeError::TooLarge(plaintext_len),
        HpkeError::Open
        | HpkeError::MessageLimit
        | HpkeError::InconsistentPsk
        | HpkeError::OutputTooLong(_)
        | HpkeError::UnsupportedAead(_)
        | HpkeError::Rng => EnvelopeError::Open,
    }
}

/// Seals `plaintext` to `recipient` with the sender's `ephemeral_secret` (HPKE's `skE`, see
/// the module doc: one envelope per ephemeral key); `aad` names the purpose and must be given
/// again to open it.
pub fn seal(
    recipient: &[u8; 32],
    ephemeral_secret: &[u8; 32],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Envelope, EnvelopeError> {
    if plaintext.len().saturating_add(hpke::N_T) > MAX_ENVELOPE_CIPHERTEXT {
        return Err(EnvelopeError::TooLarge(plaintext.len()));
    }
    let (ephemeral, ciphertext) =
        hpke::seal_with_ephemeral(recipient, ephemeral_secret, ENVELOPE_INFO, aad, plaintext)
            .map_err(|e| envelope_error(e, plaintext.len()))?;
    Ok(Envelope {
        ephemeral,
        ciphertext,
    })
}

/// Opens an envelope sealed to the public key of `recipient_secret` for `aad`.
pub fn open(
    recipient_secret: &[u8; 32],
    envelope: &Envelope,
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    hpke::open(
        &envelope.ephemeral,
        recipient_secret,
        ENVELOPE_INFO,
        aad,
        &envelope.ciphertext,
    )
    .map_err(|e| envelope_error(e, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_for_its_recipient_and_purpose() {
        let recipient_secret = [1u8; 32];
        let other_secret = [2u8; 32];
        let recipient = x25519_public(&recipient_secret);
        let envelope = seal(&recipient, &[3u8; 32], b"purpose", b"the key").unwrap();
        assert_eq!(
            open(&recipient_secret, &envelope, b"purpose")
                .unwrap()
                .as_slice(),
            b"the key"
        );
        assert_eq!(
            open(&other_secret, &envelope, b"purpose"),
            Err(EnvelopeError::Open)
        );
        assert_eq!(
            open(&recipient_secret, &envelope, b"other purpose"),
            Err(EnvelopeError::Open)
        );
        let mut changed = envelope.clone();
        changed.ciphertext[0] ^= 1;
        assert_eq!(
            open(&recipient_secret, &changed, b"purpose"),
            Err(EnvelopeError::Open)
        );
    }

    #[test]
    fn same_ephemeral_same_envelope() {
        // Deterministic: two gatekeepers with the same derivation produce identical bytes.
        let recipient = x25519_public(&[1u8; 32]);
        let a = seal(&recipient, &[3u8; 32], b"p", b"k").unwrap();
        let b = seal(&recipient, &[3u8; 32], b"p", b"k").unwrap();
        let c = seal(&recipient, &[4u8; 32], b"p", b"k").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn an_envelope_is_rfc9180_base_mode() {
        let recipient_secret = [1u8; 32];
        let recipient = x25519_public(&recipient_secret);
        let ephemeral_secret = [3u8; 32];
        let envelope = seal(&recipient, &ephemeral_secret, b"purpose", b"the key").unwrap();
        // enc is the ephemeral secret's public key, used as skE as it is.
        assert_eq!(envelope.ephemeral, hpke::public_key(&ephemeral_secret));
        assert_eq!(envelope.ciphertext.len(), b"the key".len() + hpke::N_T);
        // Decap + KeySchedule(base, info) + ContextR.Open(aad, ct) at sequence number 0.
        let shared_secret = hpke::decap(&envelope.ephemeral, &recipient_secret).unwrap();
        let schedule = hpke::key_schedule(
            hpke::Aead::ChaCha20Poly1305,
            &shared_secret,
            b"phalanx/envelope/v2",
            None,
        )
        .unwrap();
        assert_eq!(schedule.key_schedule_context[0], hpke::Mode::Base.id());
        let mut context = hpke::RecipientContext::new(schedule).unwrap();
        assert_eq!(
            context
                .open(b"purpose", &envelope.ciphertext)
                .unwrap()
                .as_slice(),
            b"the key"
        );
        // And the sender side of the HPKE module gives the same bytes.
        let (enc, mut sender) = hpke::setup_sender_with_ephemeral(
            &recipient,
            &ephemeral_secret,
            b"phalanx/envelope/v2",
            None,
        )
        .unwrap();
        assert_eq!(enc, envelope.ephemeral);
        assert_eq!(
            sender.seal(b"purpose", b"the key").unwrap(),
            envelope.ciphertext
        );
    }

    #[test]
    fn size_limit() {
        let recipient = x25519_public(&[1u8; 32]);
        let largest = vec![7u8; MAX_ENVELOPE_CIPHERTEXT - hpke::N_T];
        let envelope = seal(&recipient, &[3u8; 32], b"p", &largest).unwrap();
        assert_eq!(envelope.ciphertext.len(), MAX_ENVELOPE_CIPHERTEXT);
        assert_eq!(
            seal(
                &recipient,
                &[3u8; 32],
                b"p",
                &[7u8; MAX_ENVELOPE_CIPHERTEXT - 15]
            ),
            Err(EnvelopeError::TooLarge(MAX_ENVELOPE_CIPHERTEXT - 15))
        );
    }

    #[test]
    fn low_order_keys_are_refused() {
        assert_eq!(
            seal(&[0u8; 32], &[3u8; 32], b"p", b"k"),
            Err(EnvelopeError::WeakKey)
        );
        let envelope = Envelope {
            ephemeral: [0u8; 32],
            ciphertext: vec![0; 48],
        };
        assert_eq!(
            open(&[1u8; 32], &envelope, b"p"),
            Err(EnvelopeError::WeakKey)
        );
    }
}
