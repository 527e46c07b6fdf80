//! Key generation, batch signature verification and encrypted keystores for Phalanx accounts.
//!
//! * `envelope`: data sealed to one x25519 key (RFC 9180 HPKE base mode, single-shot).
//! * `hpke`: RFC 9180 HPKE, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20Poly1305.
//! * `keystore`: password-encrypted key files.

mod batch;
pub mod envelope;
pub mod hpke;
pub mod keystore;

pub use batch::verify_transactions;
pub use commonware_cryptography::ed25519::{PrivateKey, PublicKey, Signature};

use commonware_codec::ReadExt;

/// Draws a fresh ed25519 key from the operating system's random number generator.
pub fn generate_key() -> Result<PrivateKey, getrandom::Error> {
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut())?;
    Ok(private_key_from_seed(&seed))
}

/// Rebuilds a private key from its 32-byte seed.
pub fn private_key_from_seed(seed: &[u8; 32]) -> PrivateKey {
    let mut buf = commonware_codec::Copying(seed);
    // Any 32 bytes are a valid ed25519 seed, so this read cannot fail.
    match PrivateKey::read(&mut buf) {
        Ok(key) => key,
        Err(_) => unreachable!("every 32-byte string is an ed25519 seed"),
    }
}

/// The 32-byte seed of a private key (secret: zeroized on drop).
pub fn private_key_seed(key: &PrivateKey) -> zeroize::Zeroizing<[u8; 32]> {
    use commonware_codec::Encode;
    let bytes = key.encode();
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    seed.copy_from_slice(&bytes[..32]);
    seed
}

/// A well-known development key derived from a label: never use for real funds.
pub fn dev_key(label: &str) -> PrivateKey {
    use commonware_cryptography::{Hasher, Sha256};
    let digest = Sha256::hash(&[b"phalanx/dev-key/v1/", label.as_bytes()]);
    let mut seed = [0u8; 32];
    seed.copy_from_slice(digest.as_ref());
    private_key_from_seed(&seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_cryptography::Signer;

    #[test]
    fn seed_round_trip() {
        let key = generate_key().unwrap();
        let again = private_key_from_seed(&private_key_seed(&key));
        assert_eq!(key.public_key(), again.public_key());
    }

    #[test]
    fn dev_keys_are_stable_and_distinct() {
        assert_eq!(dev_key("alice").public_key(), dev_key("alice").public_key());
        assert_ne!(dev_key("alice").public_key(), dev_key("bob").public_key());
    }
}
