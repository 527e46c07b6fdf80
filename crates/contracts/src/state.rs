//! A contract's state at rest: every key and value, encrypted with the contract's state key,
//! so the worker's disk (outside the TEE) holds only ciphertext, and **identical on every
//! worker** of the cluster, so each can report the same hash after each command.
//!
//! Encryption is deterministic: ChaCha20Poly1305 with a nonce that is a PRF (HKDF-SHA256 under
//! the state key) of the contract, the number of commands applied and the plaintext's SHA-256.
//! Equal inputs give equal ciphertexts (which is what lets workers compare states); a nonce
//! repeats only for the same plaintext, so a worker that went wrong cannot make the cipher
//! reuse a nonce for different data. The nonce is stored in front of the ciphertext; the
//! state's hash is the SHA-256 of both.

use crate::ContractKey;
use chacha20poly1305::{
    ChaCha20Poly1305, KeyInit,
    aead::{Aead as _, Payload},
};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// A contract's keys and values.
pub type StateMap = BTreeMap<Vec<u8>, Vec<u8>>;

/// The most a contract's state may hold, keys and values together.
pub const MAX_STATE_BYTES: usize = 1024 * 1024;

const NONCE_LEN: usize = 12;

/// Why a stored state could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("the contract's state does not decrypt: another key, another version, or changed")]
    Decrypt,
    #[error("the contract's state is malformed: {0}")]
    Malformed(&'static str),
    #[error("the contract's state would hold {len} bytes, over the limit of {max}")]
    TooLarge { len: usize, max: usize },
}

/// Bytes of keys and values together.
pub fn state_size(state: &StateMap) -> usize {
    state
        .iter()
        .map(|(k, v)| k.len().saturating_add(v.len()))
        .fold(0usize, usize::saturating_add)
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    // Bounded by MAX_STATE_BYTES, far below u32::MAX.
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
}

/// `count ‖ (key length ‖ key ‖ value length ‖ value)*`, lengths as big-endian u32, keys in
/// order.
fn encode(state: &StateMap) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(4 + state_size(state) + 8 * state.len()));
    put_len(&mut out, state.len());
    for (key, value) in state {
        put_len(&mut out, key.len());
        out.extend_from_slice(key);
        put_len(&mut out, value.len());
        out.extend_from_slice(value);
    }
    out
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], StateError> {
    if n > bytes.len() {
        return Err(StateError::Malformed("truncated"));
    }
    let (head, tail) = bytes.split_at(n);
    *bytes = tail;
    Ok(head)
}

fn take_len(bytes: &mut &[u8]) -> Result<usize, StateError> {
    let mut be = [0u8; 4];
    be.copy_from_slice(take(bytes, 4)?);
    usize::try_from(u32::from_be_bytes(be)).map_err(|_| StateError::Malformed("length"))
}

fn decode(mut bytes: &[u8]) -> Result<StateMap, StateError> {
    let count = take_len(&mut bytes)?;
    let mut state = StateMap::new();
    for _ in 0..count {
        let key_len = take_len(&mut bytes)?;
        let key = take(&mut bytes, key_len)?.to_vec();
        let value_len = take_len(&mut bytes)?;
        let value = take(&mut bytes, value_len)?.to_vec();
        state.insert(key, value);
    }
    if !bytes.is_empty() {
        return Err(StateError::Malformed("trailing bytes"));
    }
    Ok(state)
}

fn aad(key: &ContractKey, applied: u64) -> Vec<u8> {
    let mut aad = b"phalanx/contract-state/v1\0".to_vec();
    aad.extend_from_slice(&key.id());
    aad.extend_from_slice(&applied.to_be_bytes());
    aad
}

fn cipher(key: &ContractKey) -> ChaCha20Poly1305 {
    let state_key = key.state_key();
    match ChaCha20Poly1305::new_from_slice(state_key.as_ref()) {
        Ok(cipher) => cipher,
        Err(_) => unreachable!("the state key is 32 bytes"),
    }
}

/// The state after `applied` commands, encrypted: `nonce ‖ ciphertext`.
pub fn seal_state(
    key: &ContractKey,
    applied: u64,
    state: &StateMap,
) -> Result<Vec<u8>, StateError> {
    let size = state_size(state);
    if size > MAX_STATE_BYTES {
        return Err(StateError::TooLarge {
            len: size,
            max: MAX_STATE_BYTES,
        });
    }
    let plaintext = encode(state);
    let mut info = b"nonce\0".to_vec();
    info.extend_from_slice(&key.id());
    info.extend_from_slice(&applied.to_be_bytes());
    info.extend_from_slice(&Sha256::digest(plaintext.as_slice()));
    let mut nonce = [0u8; NONCE_LEN];
    let state_key = key.state_key();
    if Hkdf::<Sha256>::new(Some(b"phalanx/contract-state/v1"), state_key.as_ref())
        .expand(&info, &mut nonce)
        .is_err()
    {
        unreachable!("HKDF-SHA256 expands 12 bytes");
    }
    let aad = aad(key, applied);
    let ciphertext = cipher(key)
        .encrypt(
            &nonce.into(),
            Payload {
                msg: &plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| StateError::TooLarge {
            len: size,
            max: MAX_STATE_BYTES,
        })?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Decrypts what [`seal_state`] made after `applied` commands.
pub fn open_state(key: &ContractKey, applied: u64, sealed: &[u8]) -> Result<StateMap, StateError> {
    if sealed.len() < NONCE_LEN {
        return Err(StateError::Malformed("shorter than its nonce"));
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let mut n = [0u8; NONCE_LEN];
    n.copy_from_slice(nonce);
    let aad = aad(key, applied);
    let plaintext = cipher(key)
        .decrypt(
            &n.into(),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| StateError::Decrypt)?;
    decode(&plaintext)
}

/// The hash every worker reports for a sealed state.
pub fn state_hash(sealed: &[u8]) -> [u8; 32] {
    Sha256::digest(sealed).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ContractKey {
        ContractKey::from_secret([1; 32], &[2; 32])
    }

    fn sample() -> StateMap {
        [
            (b"n".to_vec(), 7u64.to_le_bytes().to_vec()),
            (b"k".to_vec(), b"secret value".to_vec()),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn states_round_trip_and_hide_their_plaintext() {
        let sealed = seal_state(&key(), 3, &sample()).unwrap();
        assert_eq!(open_state(&key(), 3, &sealed), Ok(sample()));
        assert!(!sealed.windows(12).any(|w| w == b"secret value"));
        assert_eq!(open_state(&key(), 4, &sealed), Err(StateError::Decrypt));
        let other = ContractKey::from_secret([1; 32], &[9; 32]);
        assert_eq!(open_state(&other, 3, &sealed), Err(StateError::Decrypt));
        let mut changed = sealed.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert_eq!(open_state(&key(), 3, &changed), Err(StateError::Decrypt));
        assert!(matches!(
            open_state(&key(), 3, &[0; 5]),
            Err(StateError::Malformed(_))
        ));
    }

    #[test]
    fn every_worker_seals_the_same_bytes_and_a_change_changes_the_hash() {
        let a = seal_state(&key(), 3, &sample()).unwrap();
        let b = seal_state(&key(), 3, &sample()).unwrap();
        assert_eq!(state_hash(&a), state_hash(&b));
        let mut changed = sample();
        changed.insert(b"n".to_vec(), 8u64.to_le_bytes().to_vec());
        let c = seal_state(&key(), 3, &changed).unwrap();
        assert_ne!(state_hash(&a), state_hash(&c));
        assert_ne!(
            a[..NONCE_LEN],
            c[..NONCE_LEN],
            "a different plaintext, a different nonce"
        );
        let empty = seal_state(&key(), 0, &StateMap::new()).unwrap();
        assert_eq!(open_state(&key(), 0, &empty), Ok(StateMap::new()));
    }

    #[test]
    fn a_state_over_the_limit_is_refused() {
        let mut big = StateMap::new();
        big.insert(b"big".to_vec(), vec![0; MAX_STATE_BYTES]);
        assert!(matches!(
            seal_state(&key(), 1, &big),
            Err(StateError::TooLarge { .. })
        ));
    }
}
