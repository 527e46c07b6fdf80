//! The keys of one contract, all derived from its contract secret.
//!
//! A worker of the contract's cluster derives the contract secret from the cluster key
//! (`HKDF(cluster key, "contract/<id>")`, see `phalanx-worker`'s `keys::derive`), and from it,
//! with HKDF-SHA256 under labels of their own:
//!
//! * the **signing key** (ed25519) the contract signs with through the `sign` host function;
//!   its public key is the contract's public identity (an oracle's consumers check it);
//! * the **encryption key pair** (X25519, HPKE `DeriveKeyPair`) clients encrypt commands to;
//! * the **state key** that encrypts the contract's state before it leaves the TEE;
//! * the **randomness of a command**: a seed from the command's id, the same on every worker of
//!   the cluster, unknown outside it.
//!
//! Every worker of the cluster derives the same keys, so they agree on signatures, state
//! ciphertexts and random draws.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use hkdf::Hkdf;
use phalanx_crypto::hpke;
use sha2::Sha256;
use zeroize::Zeroizing;

/// What a contract signature covers, before the contract's id and the message: a contract
/// signature can never be mistaken for an account's, or for another contract's.
pub const SIGN_DOMAIN: &[u8] = b"phalanx/contract-signature/v1\0";

const DERIVE_SALT: &[u8] = b"phalanx/contract-keys/v1";

/// The bytes a contract's `sign` host function signs: `SIGN_DOMAIN || contract id || message`.
/// A verifier outside the network rebuilds them to check a signature with any ed25519 library.
pub fn signed_message(contract: &[u8; 32], message: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(SIGN_DOMAIN.len() + 32 + message.len());
    bytes.extend_from_slice(SIGN_DOMAIN);
    bytes.extend_from_slice(contract);
    bytes.extend_from_slice(message);
    bytes
}

/// Whether `signature` is `contract`'s signature of `message` under `public_key` (strict
/// ed25519: no small-order keys, no malleable signatures).
pub fn verify_contract_signature(
    public_key: &[u8; 32],
    contract: &[u8; 32],
    message: &[u8],
    signature: &[u8; 64],
) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public_key) else {
        return false;
    };
    let signature = ed25519_dalek::Signature::from_bytes(signature);
    key.verify_strict(&signed_message(contract, message), &signature)
        .is_ok()
}

/// The keys of one contract. Holds secrets: never logged (its `Debug` shows the public keys).
pub struct ContractKey {
    id: [u8; 32],
    secret: Zeroizing<[u8; 32]>,
    signing: SigningKey,
}

impl ContractKey {
    /// The keys of contract `id` from its contract secret.
    pub fn from_secret(id: [u8; 32], secret: &[u8; 32]) -> Self {
        let secret = Zeroizing::new(*secret);
        let seed = derive(&secret, b"sign", &[]);
        Self {
            id,
            signing: SigningKey::from_bytes(&seed),
            secret,
        }
    }

    /// The contract's id.
    pub fn id(&self) -> [u8; 32] {
        self.id
    }

    /// The ed25519 public key of the contract's signing key.
    pub fn signing_public_key(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// Signs `SIGN_DOMAIN || id || message` (see [`signed_message`]).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing
            .sign(&signed_message(&self.id, message))
            .to_bytes()
    }

    /// The X25519 key pair clients encrypt commands to (HPKE `DeriveKeyPair`).
    pub fn encryption_key_pair(&self) -> hpke::KeyPair {
        let ikm = derive(&self.secret, b"encrypt", &[]);
        hpke::derive_key_pair(ikm.as_ref())
    }

    /// The key that encrypts the contract's state.
    pub fn state_key(&self) -> Zeroizing<[u8; 32]> {
        derive(&self.secret, b"state", &[])
    }

    /// The ephemeral HPKE secret a command's result is sealed with: the same on every worker,
    /// used for that one result only (see `crate::sealed`).
    pub fn result_ephemeral(&self, command_id: &[u8; 32]) -> Zeroizing<[u8; 32]> {
        derive(&self.secret, b"result/ephemeral", command_id)
    }

    /// The random seed of the command `command_id` (e.g. its transaction's hash): the same on
    /// every worker of the cluster, unpredictable to anyone without the contract secret.
    pub fn command_seed(&self, command_id: &[u8; 32]) -> Zeroizing<[u8; 32]> {
        derive(&self.secret, b"random/command", command_id)
    }
}

impl std::fmt::Debug for ContractKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContractKey")
            .field("id", &hex(&self.id))
            .field("signing_public_key", &hex(&self.signing_public_key()))
            .finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `HKDF-SHA256(salt = DERIVE_SALT, ikm = secret, info = label || 0 || extra)`, 32 bytes.
fn derive(secret: &[u8; 32], label: &[u8], extra: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut info = Vec::with_capacity(label.len() + 1 + extra.len());
    info.extend_from_slice(label);
    info.push(0);
    info.extend_from_slice(extra);
    let mut out = Zeroizing::new([0u8; 32]);
    if Hkdf::<Sha256>::new(Some(DERIVE_SALT), secret)
        .expand(&info, out.as_mut())
        .is_err()
    {
        // 32 bytes is far below HKDF-SHA256's limit of 8160.
        unreachable!("HKDF-SHA256 expands 32 bytes");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ContractKey {
        ContractKey::from_secret([1; 32], &[2; 32])
    }

    #[test]
    fn signatures_verify_only_for_their_contract_and_message() {
        let key = key();
        let signature = key.sign(b"price=42");
        let public = key.signing_public_key();
        assert!(verify_contract_signature(
            &public,
            &[1; 32],
            b"price=42",
            &signature
        ));
        assert!(!verify_contract_signature(
            &public,
            &[1; 32],
            b"price=43",
            &signature
        ));
        assert!(!verify_contract_signature(
            &public,
            &[9; 32],
            b"price=42",
            &signature
        ));
    }

    #[test]
    fn keys_are_deterministic_and_distinct() {
        let a = key();
        let b = key();
        assert_eq!(a.signing_public_key(), b.signing_public_key());
        assert_eq!(
            a.encryption_key_pair().public,
            b.encryption_key_pair().public
        );
        assert_eq!(*a.state_key(), *b.state_key());
        assert_eq!(*a.command_seed(&[3; 32]), *b.command_seed(&[3; 32]));
        assert_ne!(*a.command_seed(&[3; 32]), *a.command_seed(&[4; 32]));
        let other = ContractKey::from_secret([1; 32], &[5; 32]);
        assert_ne!(a.signing_public_key(), other.signing_public_key());
        assert_ne!(*a.state_key(), *other.state_key());
        // The labels separate the derived keys from each other.
        assert_ne!(*a.state_key(), *a.command_seed(&[0; 32]));
    }

    #[test]
    fn debug_shows_no_secret() {
        let text = format!("{:?}", key());
        assert!(!text.contains(&hex(&[2; 32])));
        assert!(text.contains(&hex(&key().signing_public_key())));
    }
}
