//! Password-encrypted key files, in the spirit of Ethereum's JSON keystore.
//!
//! Format (version 1), all binary fields hex:
//! ```json
//! {"version":1,"account":"<64 hex>","kdf":{"name":"argon2id","m_cost_kib":65536,"t_cost":3,
//!  "p_cost":1,"salt":"<32 hex>"},"cipher":{"name":"chacha20poly1305","nonce":"<24 hex>"},
//!  "ciphertext":"<96 hex>"}
//! ```
//! The 32-byte seed is encrypted under Argon2id(password, salt) with the account id as
//! associated data, so a file whose `account` field was edited fails to open.
//!
//! A keystore file is untrusted input: its size and its KDF cost are bounded before any work is
//! done, so a hostile file cannot make the CLI allocate gigabytes or spin for minutes.

use crate::{PrivateKey, private_key_from_seed, private_key_seed};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::{
    ChaCha20Poly1305, KeyInit,
    aead::{Aead, Payload},
};
use commonware_cryptography::Signer;
use phalanx_types::AccountId;
use serde::{Deserialize, Serialize};
use std::path::Path;
use thiserror::Error;
use zeroize::Zeroizing;

/// Largest keystore file read, in bytes.
pub const MAX_FILE_SIZE: u64 = 16 * 1024;
/// Upper bound on Argon2 memory a file may ask for (1 GiB).
pub const MAX_M_COST_KIB: u32 = 1024 * 1024;
/// Upper bound on Argon2 passes a file may ask for.
pub const MAX_T_COST: u32 = 16;
/// Upper bound on Argon2 lanes a file may ask for.
pub const MAX_P_COST: u32 = 8;

/// Argon2 cost used for new keystores: OWASP's recommended 64 MiB, 3 passes.
pub const DEFAULT_COST: KdfCost = KdfCost {
    m_cost_kib: 64 * 1024,
    t_cost: 3,
    p_cost: 1,
};

/// A cheap cost for tests only.
pub const TEST_COST: KdfCost = KdfCost {
    m_cost_kib: 64,
    t_cost: 1,
    p_cost: 1,
};

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfCost {
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

/// Why a keystore could not be written or opened.
#[derive(Debug, Error)]
pub enum KeystoreError {
    #[error("cannot read or write keystore file: {0}")]
    Io(#[from] std::io::Error),
    #[error("keystore file is {0} bytes; the limit is {MAX_FILE_SIZE}")]
    TooLarge(u64),
    #[error("keystore file is not valid keystore JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unsupported keystore: {0}")]
    Unsupported(String),
    #[error("keystore field `{0}` is malformed")]
    Malformed(&'static str),
    #[error("wrong password, or the keystore file was modified")]
    Decrypt,
    #[error("keystore decrypts to a key for a different account than it names")]
    AccountMismatch,
    #[error("system random number generator failed: {0}")]
    Random(String),
    #[error("key derivation failed: {0}")]
    Kdf(String),
}

#[derive(Serialize, Deserialize)]
struct KdfJson {
    name: String,
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct CipherJson {
    name: String,
    nonce: String,
}

#[derive(Serialize, Deserialize)]
struct KeystoreJson {
    version: u32,
    account: String,
    kdf: KdfJson,
    cipher: CipherJson,
    ciphertext: String,
}

fn derive_key(
    password: &[u8],
    salt: &[u8],
    cost: KdfCost,
) -> Result<Zeroizing<[u8; 32]>, KeystoreError> {
    let params = Params::new(cost.m_cost_kib, cost.t_cost, cost.p_cost, Some(32))
        .map_err(|e| KeystoreError::Kdf(e.to_string()))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password, salt, out.as_mut())
        .map_err(|e| KeystoreError::Kdf(e.to_string()))?;
    Ok(out)
}

fn random<const N: usize>() -> Result<[u8; N], KeystoreError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| KeystoreError::Random(e.to_string()))?;
    Ok(out)
}

/// Encrypts `key` under `password`, returning the keystore JSON text.
pub fn encrypt(key: &PrivateKey, password: &[u8], cost: KdfCost) -> Result<String, KeystoreError> {
    let account = AccountId::from(key.public_key());
    let salt: [u8; 16] = random()?;
    let nonce: [u8; 12] = random()?;
    let kek = derive_key(password, &salt, cost)?;
    let cipher = ChaCha20Poly1305::new(&(*kek).into());
    let seed = private_key_seed(key);
    let ciphertext = cipher
        .encrypt(
            &nonce.into(),
            Payload {
                msg: seed.as_ref(),
                aad: account.as_bytes(),
            },
        )
        .map_err(|_| KeystoreError::Decrypt)?;
    let json = KeystoreJson {
        version: 1,
        account: account.to_string(),
        kdf: KdfJson {
            name: "argon2id".into(),
            m_cost_kib: cost.m_cost_kib,
            t_cost: cost.t_cost,
            p_cost: cost.p_cost,
            salt: hex::encode(salt),
        },
        cipher: CipherJson {
            name: "chacha20poly1305".into(),
            nonce: hex::encode(nonce),
        },
        ciphertext: hex::encode(ciphertext),
    };
    Ok(serde_json::to_string_pretty(&json)?)
}

/// Reads the account a keystore names without decrypting it.
pub fn account_of(text: &str) -> Result<AccountId, KeystoreError> {
    let json: KeystoreJson = serde_json::from_str(text)?;
    AccountId::from_hex(&json.account).map_err(|_| KeystoreError::Malformed("account"))
}

fn hex_field<const N: usize>(text: &str, field: &'static str) -> Result<[u8; N], KeystoreError> {
    let bytes = hex::decode(text).map_err(|_| KeystoreError::Malformed(field))?;
    bytes
        .try_into()
        .map_err(|_| KeystoreError::Malformed(field))
}

/// Decrypts keystore JSON text with `password`.
pub fn decrypt(text: &str, password: &[u8]) -> Result<PrivateKey, KeystoreError> {
    if text.len() as u64 > MAX_FILE_SIZE {
        return Err(KeystoreError::TooLarge(text.len() as u64));
    }
    let json: KeystoreJson = serde_json::from_str(text)?;
    if json.version != 1 {
        return Err(KeystoreError::Unsupported(format!(
            "version {}",
            json.version
        )));
    }
    if json.kdf.name != "argon2id" {
        return Err(KeystoreError::Unsupported(format!("kdf {}", json.kdf.name)));
    }
    if json.cipher.name != "chacha20poly1305" {
        return Err(KeystoreError::Unsupported(format!(
            "cipher {}",
            json.cipher.name
        )));
    }
    let cost = KdfCost {
        m_cost_kib: json.kdf.m_cost_kib,
        t_cost: json.kdf.t_cost,
        p_cost: json.kdf.p_cost,
    };
    if cost.m_cost_kib > MAX_M_COST_KIB || cost.t_cost > MAX_T_COST || cost.p_cost > MAX_P_COST {
        return Err(KeystoreError::Unsupported(format!(
            "kdf cost {cost:?} is above the limits (m ≤ {MAX_M_COST_KIB} KiB, t ≤ {MAX_T_COST}, p ≤ {MAX_P_COST})"
        )));
    }
    let account =
        AccountId::from_hex(&json.account).map_err(|_| KeystoreError::Malformed("account"))?;
    let salt: [u8; 16] = hex_field(&json.kdf.salt, "kdf.salt")?;
    let nonce: [u8; 12] = hex_field(&json.cipher.nonce, "cipher.nonce")?;
    let ciphertext: [u8; 48] = hex_field(&json.ciphertext, "ciphertext")?;
    let kek = derive_key(password, &salt, cost)?;
    let cipher = ChaCha20Poly1305::new(&(*kek).into());
    let seed = Zeroizing::new(
        cipher
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: &ciphertext,
                    aad: account.as_bytes(),
                },
            )
            .map_err(|_| KeystoreError::Decrypt)?,
    );
    let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
        seed.as_slice()
            .try_into()
            .map_err(|_| KeystoreError::Malformed("ciphertext"))?,
    );
    let key = private_key_from_seed(&seed);
    if AccountId::from(key.public_key()) != account {
        return Err(KeystoreError::AccountMismatch);
    }
    Ok(key)
}

/// Writes a keystore file, refusing to overwrite an existing one. On Unix the file is created
/// with mode 0600.
pub fn write_file(path: &Path, text: &str) -> Result<(), KeystoreError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// Reads a keystore file's text, refusing files over [`MAX_FILE_SIZE`].
pub fn read_file(path: &Path) -> Result<String, KeystoreError> {
    let len = std::fs::metadata(path)?.len();
    if len > MAX_FILE_SIZE {
        return Err(KeystoreError::TooLarge(len));
    }
    Ok(std::fs::read_to_string(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate_key;

    #[test]
    fn round_trip() {
        let key = generate_key().unwrap();
        let text = encrypt(&key, b"hunter2", TEST_COST).unwrap();
        assert!(!text.contains(&hex::encode(private_key_seed(&key).as_ref())));
        let opened = decrypt(&text, b"hunter2").unwrap();
        assert_eq!(opened.public_key(), key.public_key());
        assert_eq!(
            account_of(&text).unwrap(),
            AccountId::from(key.public_key())
        );
    }

    #[test]
    fn wrong_password_fails() {
        let key = generate_key().unwrap();
        let text = encrypt(&key, b"right", TEST_COST).unwrap();
        assert!(matches!(
            decrypt(&text, b"wrong"),
            Err(KeystoreError::Decrypt)
        ));
    }

    #[test]
    fn edited_account_fails() {
        let key = generate_key().unwrap();
        let other = AccountId::from(generate_key().unwrap().public_key());
        let text = encrypt(&key, b"pw", TEST_COST).unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["account"] = serde_json::Value::String(other.to_string());
        let edited = json.to_string();
        assert!(matches!(
            decrypt(&edited, b"pw"),
            Err(KeystoreError::Decrypt)
        ));
    }

    #[test]
    fn hostile_cost_is_refused_before_work() {
        let key = generate_key().unwrap();
        let text = encrypt(&key, b"pw", TEST_COST).unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["kdf"]["m_cost_kib"] = serde_json::json!(u32::MAX);
        assert!(matches!(
            decrypt(&json.to_string(), b"pw"),
            Err(KeystoreError::Unsupported(_))
        ));
    }

    #[test]
    fn garbage_is_refused() {
        assert!(matches!(
            decrypt("not json", b"pw"),
            Err(KeystoreError::Json(_))
        ));
        assert!(matches!(
            decrypt(&"x".repeat(MAX_FILE_SIZE as usize + 1), b"pw"),
            Err(KeystoreError::TooLarge(_))
        ));
    }

    #[test]
    fn file_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        write_file(&path, "{}").unwrap();
        assert!(write_file(&path, "{}").is_err());
        assert_eq!(read_file(&path).unwrap(), "{}");
    }
}
