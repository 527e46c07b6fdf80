//! Sealing: encrypting the worker's state with a key only this TEE (this measured code on
//! this machine) can derive, so the host that stores the file cannot read or change it.
//!
//! * **Gramine (SGX)**: the 128-bit MRENCLAVE-bound sealing key Gramine exposes at
//!   `/dev/attestation/keys/_sgx_mrenclave`, stretched with HKDF-SHA256. Another enclave (other
//!   code) or another CPU derives a different key and cannot unseal.
//! * **Simulated**: a random key in a file named `sealing-key.SIMULATED` next to the state. It
//!   protects nothing against the host; it exists so a development worker runs the same code
//!   path. Every place that opens it says so.
//! * TDX and SEV-SNP guests have no sealing key interface this code can use without `unsafe`
//!   ioctls (SNP's `MSG_KEY_REQ`); opening a sealer there is refused with that reason.
//!
//! Format of a sealed blob: `PHXSEAL1` ‖ kind (1 byte) ‖ nonce (12) ‖ ChaCha20-Poly1305
//! ciphertext, with the label and kind as associated data, so a blob sealed for one purpose
//! or by one kind of sealer does not open as another.

use chacha20poly1305::{
    ChaCha20Poly1305, KeyInit,
    aead::{Aead, Payload},
};
use hkdf::Hkdf;
use sha2::Sha256;
use std::path::{Path, PathBuf};
use thiserror::Error;
use zeroize::Zeroizing;

const MAGIC: &[u8; 8] = b"PHXSEAL1";
const HEADER: usize = MAGIC.len() + 1 + 12;
/// Name of the simulated sealing key file.
pub const SIMULATED_KEY_FILE: &str = "sealing-key.SIMULATED";
/// Where Gramine exposes the MRENCLAVE sealing key, under its `/dev/attestation` directory.
pub const GRAMINE_SEAL_KEY: &str = "keys/_sgx_mrenclave";

/// Which sealing key protects the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealKind {
    Simulated = 1,
    GramineMrEnclave = 2,
}

/// Why sealing or unsealing failed.
#[derive(Debug, Error)]
pub enum SealError {
    #[error("cannot read or write the sealing key at {path}: {reason}")]
    Key { path: PathBuf, reason: String },
    #[error("{0}")]
    Unsupported(String),
    #[error("sealed data is malformed (too short or wrong magic)")]
    Malformed,
    #[error("sealed data was sealed by another kind of sealer ({found}); this worker uses {ours}")]
    OtherSealer { found: u8, ours: u8 },
    #[error(
        "sealed data does not open: it was sealed by another TEE or key, or it was changed on disk"
    )]
    Tampered,
    #[error("no system randomness: {0}")]
    Random(String),
}

/// A sealing key.
pub struct Sealer {
    kind: SealKind,
    key: Zeroizing<[u8; 32]>,
}

fn stretch(ikm: &[u8], kind: SealKind) -> Zeroizing<[u8; 32]> {
    let hk = Hkdf::<Sha256>::new(Some(b"phalanx/seal/v1"), ikm);
    let mut key = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's output limit, so `expand` cannot fail.
    let _ = hk.expand(&[kind as u8], key.as_mut());
    key
}

impl Sealer {
    /// The simulated sealer for `dir`: loads `sealing-key.SIMULATED`, creating it on first use.
    pub fn simulated(dir: &Path) -> Result<Self, SealError> {
        let path = dir.join(SIMULATED_KEY_FILE);
        let err = |e: String| SealError::Key {
            path: path.clone(),
            reason: e,
        };
        let raw = if path.exists() {
            let bytes = crate::files::read_limited(&path, 64, "sealing key").map_err(err)?;
            Zeroizing::new(bytes)
        } else {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
            let mut key = Zeroizing::new(vec![0u8; 32]);
            getrandom::fill(key.as_mut_slice()).map_err(|e| SealError::Random(e.to_string()))?;
            crate::files::write_new_private(&path, &key).map_err(err)?;
            key
        };
        if raw.len() != 32 {
            return Err(err(format!("expected 32 bytes, found {}", raw.len())));
        }
        Ok(Self {
            kind: SealKind::Simulated,
            key: stretch(&raw, SealKind::Simulated),
        })
    }

    /// The Gramine sealer: the MRENCLAVE sealing key under `gramine_dir` (`/dev/attestation`).
    pub fn gramine(gramine_dir: &Path) -> Result<Self, SealError> {
        let path = gramine_dir.join(GRAMINE_SEAL_KEY);
        let raw = crate::files::read_limited(&path, 64, "Gramine sealing key").map_err(|e| {
            SealError::Key {
                path: path.clone(),
                reason: e,
            }
        })?;
        let raw = Zeroizing::new(raw);
        if raw.len() != 16 {
            return Err(SealError::Key {
                path,
                reason: format!("expected a 16-byte key, found {} bytes", raw.len()),
            });
        }
        Ok(Self {
            kind: SealKind::GramineMrEnclave,
            key: stretch(&raw, SealKind::GramineMrEnclave),
        })
    }

    /// Refusal for TEEs without a usable sealing interface.
    pub fn unsupported(tee: &str) -> SealError {
        SealError::Unsupported(format!(
            "sealing is not available for {tee} guests yet (no sealing-key interface without \
             unsafe ioctls); run the worker under Gramine (SGX) or with --tee sim on a \
             development chain"
        ))
    }

    pub fn kind(&self) -> SealKind {
        self.kind
    }

    /// True when the key protects nothing (development only).
    pub fn is_simulated(&self) -> bool {
        self.kind == SealKind::Simulated
    }

    /// Encrypts `plaintext` for `label`.
    pub fn seal(&self, label: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| SealError::Random(e.to_string()))?;
        let cipher = ChaCha20Poly1305::new(&(*self.key).into());
        let aad = self.aad(label);
        let ciphertext = cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Tampered)?;
        let mut out = Vec::with_capacity(HEADER + ciphertext.len());
        out.extend_from_slice(MAGIC);
        out.push(self.kind as u8);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// Decrypts a blob sealed for `label` by this sealer.
    pub fn unseal(&self, label: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if sealed.len() < HEADER + 16 || &sealed[..MAGIC.len()] != MAGIC {
            return Err(SealError::Malformed);
        }
        let kind = sealed[MAGIC.len()];
        if kind != self.kind as u8 {
            return Err(SealError::OtherSealer {
                found: kind,
                ours: self.kind as u8,
            });
        }
        let nonce: [u8; 12] = sealed[MAGIC.len() + 1..HEADER]
            .try_into()
            .map_err(|_| SealError::Malformed)?;
        let cipher = ChaCha20Poly1305::new(&(*self.key).into());
        let aad = self.aad(label);
        cipher
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: &sealed[HEADER..],
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Tampered)
    }

    fn aad(&self, label: &str) -> Vec<u8> {
        let mut aad = b"phalanx/seal/v1/".to_vec();
        aad.push(self.kind as u8);
        aad.extend_from_slice(label.as_bytes());
        aad
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_refuses_tampering_and_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let sealer = Sealer::simulated(dir.path()).unwrap();
        assert!(sealer.is_simulated());
        let blob = sealer.seal("state", b"secret").unwrap();
        assert_eq!(&*sealer.unseal("state", &blob).unwrap(), b"secret");
        // The same key file gives the same sealer after a restart.
        let again = Sealer::simulated(dir.path()).unwrap();
        assert_eq!(&*again.unseal("state", &blob).unwrap(), b"secret");
        // Another label, a flipped bit, a truncated blob, another key.
        assert!(matches!(
            sealer.unseal("other", &blob),
            Err(SealError::Tampered)
        ));
        let mut flipped = blob.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(matches!(
            sealer.unseal("state", &flipped),
            Err(SealError::Tampered)
        ));
        assert!(matches!(
            sealer.unseal("state", &blob[..20]),
            Err(SealError::Malformed)
        ));
        let other = Sealer::simulated(tempfile::tempdir().unwrap().path()).unwrap();
        assert!(matches!(
            other.unseal("state", &blob),
            Err(SealError::Tampered)
        ));

        // A Gramine key (imitated by a temp dir) cannot open a simulated blob and vice versa.
        let gramine = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(gramine.path().join("keys")).unwrap();
        std::fs::write(gramine.path().join(GRAMINE_SEAL_KEY), [7u8; 16]).unwrap();
        let hw = Sealer::gramine(gramine.path()).unwrap();
        assert!(!hw.is_simulated());
        assert!(matches!(
            hw.unseal("state", &blob),
            Err(SealError::OtherSealer { found: 1, ours: 2 })
        ));
        let hw_blob = hw.seal("state", b"x").unwrap();
        assert_eq!(&*hw.unseal("state", &hw_blob).unwrap(), b"x");
        // A wrong-size Gramine key is refused.
        std::fs::write(gramine.path().join(GRAMINE_SEAL_KEY), [7u8; 17]).unwrap();
        assert!(matches!(
            Sealer::gramine(gramine.path()),
            Err(SealError::Key { .. })
        ));
    }
}
