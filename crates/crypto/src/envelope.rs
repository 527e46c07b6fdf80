//! Envelopes: data encrypted to one x25519 public key, HPKE-style (x25519 key agreement,
//! HKDF-SHA256, ChaCha20-Poly1305), with associated data that says what the envelope is for.
//!
//! The sender's ephemeral secret is an argument: a gatekeeper derives it from its master key
//! and the delivery, so that every gatekeeper seals byte-identical envelopes and the chain can
//! detect one that differs. Each ephemeral key seals exactly one plaintext for one recipient
//! and purpose, so the fixed derivation of the AEAD nonce from the shared secret is safe.

use chacha20poly1305::{
    ChaCha20Poly1305, KeyInit,
    aead::{Aead, Payload},
};
use hkdf::Hkdf;
use phalanx_types::{Envelope, MAX_ENVELOPE_CIPHERTEXT};
use sha2::Sha256;
use thiserror::Error;
use zeroize::Zeroizing;

const KDF_SALT: &[u8] = b"phalanx/envelope/v1";

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
    x25519_dalek::x25519(*secret, x25519_dalek::X25519_BASEPOINT_BYTES)
}

/// AEAD key and nonce from the shared secret, bound to both public keys.
fn cipher(
    shared: &[u8; 32],
    ephemeral: &[u8; 32],
    recipient: &[u8; 32],
) -> Result<(ChaCha20Poly1305, [u8; 12]), EnvelopeError> {
    if shared.iter().all(|b| *b == 0) {
        return Err(EnvelopeError::WeakKey);
    }
    let mut info = [0u8; 64];
    info[..32].copy_from_slice(ephemeral);
    info[32..].copy_from_slice(recipient);
    let mut okm = Zeroizing::new([0u8; 44]);
    Hkdf::<Sha256>::new(Some(KDF_SALT), shared)
        .expand(&info, okm.as_mut())
        .map_err(|_| EnvelopeError::WeakKey)?; // 44 bytes is far below HKDF's limit
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&okm[..32]);
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&okm[32..]);
    Ok((ChaCha20Poly1305::new(&(*key).into()), nonce))
}

/// Seals `plaintext` to `recipient` with the sender's `ephemeral_secret`; `aad` names the
/// purpose and must be given again to open it.
pub fn seal(
    recipient: &[u8; 32],
    ephemeral_secret: &[u8; 32],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Envelope, EnvelopeError> {
    if plaintext.len() + 16 > MAX_ENVELOPE_CIPHERTEXT {
        return Err(EnvelopeError::TooLarge(plaintext.len()));
    }
    let ephemeral = x25519_public(ephemeral_secret);
    let shared = Zeroizing::new(x25519_dalek::x25519(*ephemeral_secret, *recipient));
    let (cipher, nonce) = cipher(&shared, &ephemeral, recipient)?;
    let ciphertext = cipher
        .encrypt(
            &nonce.into(),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| EnvelopeError::TooLarge(plaintext.len()))?;
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
    let recipient = x25519_public(recipient_secret);
    let shared = Zeroizing::new(x25519_dalek::x25519(*recipient_secret, envelope.ephemeral));
    let (cipher, nonce) = cipher(&shared, &envelope.ephemeral, &recipient)?;
    cipher
        .decrypt(
            &nonce.into(),
            Payload {
                msg: &envelope.ciphertext,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| EnvelopeError::Open)
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
