//! HPKE (RFC 9180) for one suite: DHKEM(X25519, HKDF-SHA256) (kem_id 0x0020), HKDF-SHA256
//! (kdf_id 0x0001), ChaCha20Poly1305 (aead_id 0x0003).
//!
//! Modes: base (mode 0), which is what Phalanx uses (see [`crate::envelope`]), and psk
//! (mode 1), kept only so that the RFC's psk test vectors are reproduced too. The
//! authenticated modes (auth, auth_psk) are not implemented.
//!
//! What is here, in the RFC's terms: `LabeledExtract`/`LabeledExpand` with the `"HPKE-v1"`
//! label and the KEM's and HPKE's suite ids; `DeriveKeyPair` ([`derive_key_pair`]);
//! `GenerateKeyPair` ([`generate_key_pair`], from the operating system's RNG); `Encap`, with a
//! fresh ephemeral key ([`encap`]) or with one the caller gives ([`encap_with_ephemeral`]),
//! and `Decap` ([`decap`]); `KeySchedule` ([`key_schedule`]); the sender's and recipient's
//! contexts ([`SenderContext`], [`RecipientContext`]) with `Seal`/`Open` over sequence numbers
//! (nonce = `base_nonce XOR seq`, refusing to go past the last sequence number) and `Export`;
//! and single-shot base-mode [`seal`], [`seal_with_ephemeral`] and [`open`].
//!
//! The key schedule (and `Export`) does not depend on the AEAD beyond its id and key length,
//! so [`key_schedule`] also takes [`Aead::Aes128Gcm`]: that lets the RFC's AES-128-GCM vectors
//! check the schedule and the exports. This module has no AES implementation; a context for
//! it is refused ([`HpkeError::UnsupportedAead`]).
//!
//! # Why implemented here rather than with the `hpke` crate
//!
//! The `hpke` crate (rust-hpke 0.15.1, which does build with rust-version 1.95) would bring a
//! second HKDF (0.13 beside the workspace's pinned `hkdf =0.12.4`), `sha2` 0.11, `getrandom`
//! 0.4 and `hybrid-array`, and, more to the point, it has no public way to encapsulate with an
//! ephemeral secret the caller chooses (its `encap_with_eph` is test-only): Phalanx's
//! gatekeepers need exactly that so that they all seal byte-identical envelopes. The
//! construction is short, so it is written here on the primitives the workspace already pins
//! (`x25519-dalek`, `hkdf`, `sha2`, `chacha20poly1305`, `zeroize`) and checked against every
//! value of the RFC's test vectors for this KEM and KDF (`tests/hpke_vectors.rs`).
//!
//! # Secrets
//!
//! Private keys, DH outputs, shared secrets, PRKs, AEAD keys and exporter secrets are held in
//! [`Zeroizing`] buffers (the ChaCha20Poly1305 key schedule is zeroized on drop too). The
//! `hkdf` crate's internal HMAC state is not zeroizable; it lives only for one call.
//! An all-zero X25519 output (the peer's key is a low-order point) is refused with
//! [`HpkeError::LowOrder`], as RFC 9180 section 7.1.4 requires.

use chacha20poly1305::{
    ChaCha20Poly1305, KeyInit,
    aead::{Aead as _, Payload},
};
use hkdf::{Hkdf, HkdfExtract};
use sha2::Sha256;
use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

/// kem_id of DHKEM(X25519, HKDF-SHA256).
pub const KEM_ID: u16 = 0x0020;
/// kdf_id of HKDF-SHA256.
pub const KDF_ID: u16 = 0x0001;
/// Length of the KEM's shared secret (`Nsecret`).
pub const N_SECRET: usize = 32;
/// Length of an encapsulated key (`Nenc`), a public key (`Npk`) and a private key (`Nsk`).
pub const N_ENC: usize = 32;
/// Length of the AEAD nonce (`Nn`), the same for both AEADs named here.
pub const N_N: usize = 12;
/// Length of the AEAD tag (`Nt`) of ChaCha20Poly1305.
pub const N_T: usize = 16;
/// Output length of the KDF's hash (`Nh`).
pub const N_H: usize = 32;
/// Longest `Export` output: 255 * `Nh`.
pub const MAX_EXPORT: usize = 255 * N_H;

const VERSION_LABEL: &[u8] = b"HPKE-v1";
/// `"KEM" || I2OSP(kem_id, 2)`.
const KEM_SUITE_ID: [u8; 5] = [b'K', b'E', b'M', 0x00, 0x20];

/// Why an HPKE operation failed.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum HpkeError {
    /// The X25519 output is all zero: the peer's public key is a low-order point.
    #[error("the X25519 key agreement gave the all-zero secret (a low-order public key)")]
    LowOrder,
    /// The ciphertext does not open with this context and associated data.
    #[error("the ciphertext does not open with this key, info and associated data")]
    Open,
    /// The AEAD refused to encrypt (the message is longer than it can take).
    #[error("the AEAD refused to encrypt a message of {0} bytes")]
    Seal(usize),
    /// The context has used its last sequence number.
    #[error("the context's sequence number would overflow")]
    MessageLimit,
    /// `psk` and `psk_id` must both be given (psk mode) or both be empty (base mode).
    #[error("psk and psk_id must both be non-empty in psk mode")]
    InconsistentPsk,
    /// A KDF output longer than HKDF-SHA256 can give (255 * 32 bytes).
    #[error("{0} bytes is more than HKDF-SHA256 can derive")]
    OutputTooLong(usize),
    /// A context was asked for an AEAD this module only knows the key schedule of.
    #[error("this module has no implementation of {0:?}")]
    UnsupportedAead(Aead),
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Rng,
}

/// The mode byte of the key schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// mode_base (0x00): no pre-shared key.
    Base,
    /// mode_psk (0x01): a pre-shared key and its id (only for the RFC's vectors).
    Psk,
}

impl Mode {
    /// The mode's byte in `key_schedule_context`.
    pub const fn id(self) -> u8 {
        match self {
            Mode::Base => 0x00,
            Mode::Psk => 0x01,
        }
    }
}

/// A pre-shared key and its identifier, for psk mode.
#[derive(Clone, Copy, Debug)]
pub struct Psk<'a> {
    pub psk: &'a [u8],
    pub psk_id: &'a [u8],
}

/// The AEADs the key schedule knows: its id and key length are part of the schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aead {
    /// AES-128-GCM (aead_id 0x0001, `Nk` = 16): key schedule and exports only.
    Aes128Gcm,
    /// ChaCha20Poly1305 (aead_id 0x0003, `Nk` = 32): this suite's AEAD.
    ChaCha20Poly1305,
}

impl Aead {
    /// The RFC's aead_id.
    pub const fn id(self) -> u16 {
        match self {
            Aead::Aes128Gcm => 0x0001,
            Aead::ChaCha20Poly1305 => 0x0003,
        }
    }

    /// The AEAD's key length (`Nk`).
    pub const fn key_len(self) -> usize {
        match self {
            Aead::Aes128Gcm => 16,
            Aead::ChaCha20Poly1305 => 32,
        }
    }

    /// `"HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2)`.
    fn suite_id(self) -> [u8; 10] {
        let mut id = [0u8; 10];
        id[..4].copy_from_slice(b"HPKE");
        id[4..6].copy_from_slice(&KEM_ID.to_be_bytes());
        id[6..8].copy_from_slice(&KDF_ID.to_be_bytes());
        id[8..].copy_from_slice(&self.id().to_be_bytes());
        id
    }
}

/// `LabeledExtract(salt, label, ikm)` = `HKDF-Extract(salt, "HPKE-v1" || suite_id || label || ikm)`.
fn labeled_extract(suite_id: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]) -> Zeroizing<[u8; N_H]> {
    // An empty salt is HMAC's all-zero key of Nh bytes, as RFC 5869 specifies.
    let mut extract = HkdfExtract::<Sha256>::new(Some(salt));
    extract.input_ikm(VERSION_LABEL);
    extract.input_ikm(suite_id);
    extract.input_ikm(label);
    extract.input_ikm(ikm);
    let (mut prk, _) = extract.finalize();
    let mut out = Zeroizing::new([0u8; N_H]);
    out.copy_from_slice(&prk);
    prk.as_mut_slice().zeroize();
    out
}

/// `LabeledExpand(prk, label, info, L)` into `out` (L = `out.len()`):
/// `HKDF-Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)`.
fn labeled_expand(
    suite_id: &[u8],
    prk: &[u8; N_H],
    label: &[u8],
    info: &[u8],
    out: &mut [u8],
) -> Result<(), HpkeError> {
    let length = u16::try_from(out.len()).map_err(|_| HpkeError::OutputTooLong(out.len()))?;
    let hkdf = match Hkdf::<Sha256>::from_prk(prk) {
        Ok(hkdf) => hkdf,
        Err(_) => unreachable!("a 32-byte PRK is long enough for HKDF-SHA256"),
    };
    hkdf.expand_multi_info(
        &[&length.to_be_bytes(), VERSION_LABEL, suite_id, label, info],
        out,
    )
    .map_err(|_| HpkeError::OutputTooLong(out.len()))
}

/// A 32-byte `LabeledExpand`, which cannot exceed HKDF's limit.
fn labeled_expand_32(
    suite_id: &[u8],
    prk: &[u8; N_H],
    label: &[u8],
    info: &[u8],
) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    if labeled_expand(suite_id, prk, label, info, out.as_mut()).is_err() {
        unreachable!("HKDF-SHA256 expands 32 bytes");
    }
    out
}

/// `DH(sk, pk)`: X25519, refusing the all-zero output of a low-order `pk`.
fn dh(secret: &[u8; 32], public: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>, HpkeError> {
    let shared = Zeroizing::new(x25519_dalek::x25519(*secret, *public));
    // Accumulate without an early exit; only "all zero or not" is revealed.
    if shared.iter().fold(0u8, |acc, byte| acc | byte) == 0 {
        return Err(HpkeError::LowOrder);
    }
    Ok(shared)
}

/// An X25519 key pair. The private key is zeroized on drop.
pub struct KeyPair {
    pub secret: Zeroizing<[u8; 32]>,
    pub public: [u8; 32],
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public", &hex::encode(self.public))
            .finish_non_exhaustive()
    }
}

/// The X25519 public key of a private key (`SerializePublicKey(pk(sk))`).
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    x25519_dalek::x25519(*secret, x25519_dalek::X25519_BASEPOINT_BYTES)
}

/// `DeriveKeyPair(ikm)` for DHKEM(X25519, HKDF-SHA256): `ikm` should hold at least 32 bytes
/// of entropy.
pub fn derive_key_pair(ikm: &[u8]) -> KeyPair {
    let dkp_prk = labeled_extract(&KEM_SUITE_ID, b"", b"dkp_prk", ikm);
    let secret = labeled_expand_32(&KEM_SUITE_ID, &dkp_prk, b"sk", b"");
    let public = public_key(&secret);
    KeyPair { secret, public }
}

/// `GenerateKeyPair()`: a fresh private key from the operating system's RNG (every 32-byte
/// string is an X25519 private key).
pub fn generate_key_pair() -> Result<KeyPair, HpkeError> {
    let mut secret = Zeroizing::new([0u8; 32]);
    getrandom::fill(secret.as_mut()).map_err(|_| HpkeError::Rng)?;
    let public = public_key(&secret);
    Ok(KeyPair { secret, public })
}

/// `ExtractAndExpand(dh, kem_context)` with `kem_context = enc || pkRm`.
fn extract_and_expand(
    dh: &[u8; 32],
    enc: &[u8; N_ENC],
    recipient: &[u8; 32],
) -> Zeroizing<[u8; N_SECRET]> {
    let mut kem_context = [0u8; 64];
    kem_context[..32].copy_from_slice(enc);
    kem_context[32..].copy_from_slice(recipient);
    let eae_prk = labeled_extract(&KEM_SUITE_ID, b"", b"eae_prk", dh);
    labeled_expand_32(&KEM_SUITE_ID, &eae_prk, b"shared_secret", &kem_context)
}

/// The result of `Encap`: the KEM shared secret and the encapsulated key `enc` (the
/// ephemeral public key) to send to the recipient.
pub struct Encapsulation {
    pub shared_secret: Zeroizing<[u8; N_SECRET]>,
    pub enc: [u8; N_ENC],
}

impl std::fmt::Debug for Encapsulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encapsulation")
            .field("enc", &hex::encode(self.enc))
            .finish_non_exhaustive()
    }
}

/// `Encap(pkR)` with the ephemeral private key `ephemeral_secret` (used as `skE` as it is).
///
/// Each ephemeral key must encapsulate to one recipient once: reusing it for two different
/// messages under the same info gives the same key and nonces. Use [`encap`] unless the
/// ephemeral key is itself derived per message.
pub fn encap_with_ephemeral(
    recipient: &[u8; 32],
    ephemeral_secret: &[u8; 32],
) -> Result<Encapsulation, HpkeError> {
    let dh = dh(ephemeral_secret, recipient)?;
    let enc = public_key(ephemeral_secret);
    let shared_secret = extract_and_expand(&dh, &enc, recipient);
    Ok(Encapsulation { shared_secret, enc })
}

/// `Encap(pkR)` with a fresh ephemeral key from the operating system's RNG.
pub fn encap(recipient: &[u8; 32]) -> Result<Encapsulation, HpkeError> {
    let ephemeral = generate_key_pair()?;
    encap_with_ephemeral(recipient, &ephemeral.secret)
}

/// `Decap(enc, skR)`: the KEM shared secret.
pub fn decap(
    enc: &[u8; N_ENC],
    recipient_secret: &[u8; 32],
) -> Result<Zeroizing<[u8; N_SECRET]>, HpkeError> {
    let dh = dh(recipient_secret, enc)?;
    let recipient = public_key(recipient_secret);
    Ok(extract_and_expand(&dh, enc, &recipient))
}

/// What `KeySchedule` derives. Every secret is zeroized on drop.
pub struct KeySchedule {
    aead: Aead,
    /// `mode || psk_id_hash || info_hash` (65 bytes).
    pub key_schedule_context: Vec<u8>,
    pub secret: Zeroizing<[u8; N_H]>,
    /// The AEAD key: `Nk` bytes.
    pub key: Zeroizing<Vec<u8>>,
    pub base_nonce: [u8; N_N],
    pub exporter_secret: Zeroizing<[u8; N_H]>,
}

impl std::fmt::Debug for KeySchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySchedule")
            .field("aead", &self.aead)
            .finish_non_exhaustive()
    }
}

/// `KeySchedule(mode, shared_secret, info, psk, psk_id)` for this KEM and KDF with `aead`;
/// the mode is psk if `psk` is given, base otherwise.
pub fn key_schedule(
    aead: Aead,
    shared_secret: &[u8; N_SECRET],
    info: &[u8],
    psk: Option<Psk<'_>>,
) -> Result<KeySchedule, HpkeError> {
    // VerifyPSKInputs: psk mode needs both, base mode neither.
    let (mode, psk, psk_id) = match psk {
        None => (Mode::Base, &[][..], &[][..]),
        Some(Psk { psk, psk_id }) => {
            if psk.is_empty() || psk_id.is_empty() {
                return Err(HpkeError::InconsistentPsk);
            }
            (Mode::Psk, psk, psk_id)
        }
    };
    let suite_id = aead.suite_id();
    let psk_id_hash = labeled_extract(&suite_id, b"", b"psk_id_hash", psk_id);
    let info_hash = labeled_extract(&suite_id, b"", b"info_hash", info);
    let mut key_schedule_context = Vec::with_capacity(1 + 2 * N_H);
    key_schedule_context.push(mode.id());
    key_schedule_context.extend_from_slice(&psk_id_hash[..]);
    key_schedule_context.extend_from_slice(&info_hash[..]);

    let secret = labeled_extract(&suite_id, shared_secret, b"secret", psk);
    let mut key = Zeroizing::new(vec![0u8; aead.key_len()]);
    labeled_expand(&suite_id, &secret, b"key", &key_schedule_context, &mut key)?;
    let mut base_nonce = [0u8; N_N];
    labeled_expand(
        &suite_id,
        &secret,
        b"base_nonce",
        &key_schedule_context,
        &mut base_nonce,
    )?;
    let exporter_secret = labeled_expand_32(&suite_id, &secret, b"exp", &key_schedule_context);
    Ok(KeySchedule {
        aead,
        key_schedule_context,
        secret,
        key,
        base_nonce,
        exporter_secret,
    })
}

impl KeySchedule {
    /// `Export(exporter_context, L)`: `LabeledExpand(exporter_secret, "sec", exporter_context, L)`.
    pub fn export(
        &self,
        exporter_context: &[u8],
        length: usize,
    ) -> Result<Zeroizing<Vec<u8>>, HpkeError> {
        export(self.aead, &self.exporter_secret, exporter_context, length)
    }
}

fn export(
    aead: Aead,
    exporter_secret: &[u8; N_H],
    exporter_context: &[u8],
    length: usize,
) -> Result<Zeroizing<Vec<u8>>, HpkeError> {
    if length > MAX_EXPORT {
        return Err(HpkeError::OutputTooLong(length));
    }
    let mut out = Zeroizing::new(vec![0u8; length]);
    labeled_expand(
        &aead.suite_id(),
        exporter_secret,
        b"sec",
        exporter_context,
        &mut out,
    )?;
    Ok(out)
}

/// `ComputeNonce(seq)`: `base_nonce XOR I2OSP(seq, Nn)`.
pub fn compute_nonce(base_nonce: &[u8; N_N], sequence_number: u64) -> [u8; N_N] {
    let mut nonce = *base_nonce;
    for (n, s) in nonce[N_N - 8..]
        .iter_mut()
        .zip(sequence_number.to_be_bytes())
    {
        *n ^= s;
    }
    nonce
}

/// The state both contexts share: ChaCha20Poly1305 key, base nonce, sequence number and
/// exporter secret.
struct Context {
    cipher: ChaCha20Poly1305,
    base_nonce: [u8; N_N],
    sequence_number: u64,
    exporter_secret: Zeroizing<[u8; N_H]>,
}

impl Context {
    fn new(schedule: KeySchedule) -> Result<Self, HpkeError> {
        if schedule.aead != Aead::ChaCha20Poly1305 {
            return Err(HpkeError::UnsupportedAead(schedule.aead));
        }
        let cipher = match ChaCha20Poly1305::new_from_slice(&schedule.key) {
            Ok(cipher) => cipher,
            Err(_) => unreachable!("the key schedule gives ChaCha20Poly1305 a 32-byte key"),
        };
        Ok(Self {
            cipher,
            base_nonce: schedule.base_nonce,
            sequence_number: 0,
            exporter_secret: schedule.exporter_secret,
        })
    }

    /// The nonce for the current sequence number, refusing the last one so that the counter
    /// can always be incremented after use (RFC 9180 section 5.2: the RFC's limit is
    /// 2^96 - 1; a u64 counter stops at 2^64 - 1).
    fn nonce(&self) -> Result<[u8; N_N], HpkeError> {
        if self.sequence_number == u64::MAX {
            return Err(HpkeError::MessageLimit);
        }
        Ok(compute_nonce(&self.base_nonce, self.sequence_number))
    }

    fn seal(&mut self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, HpkeError> {
        let nonce = self.nonce()?;
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| HpkeError::Seal(plaintext.len()))?;
        self.sequence_number += 1;
        Ok(ciphertext)
    }

    fn open(&mut self, aad: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, HpkeError> {
        let nonce = self.nonce()?;
        let plaintext = self
            .cipher
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| HpkeError::Open)?;
        self.sequence_number += 1;
        Ok(plaintext)
    }

    fn export(
        &self,
        exporter_context: &[u8],
        length: usize,
    ) -> Result<Zeroizing<Vec<u8>>, HpkeError> {
        export(
            Aead::ChaCha20Poly1305,
            &self.exporter_secret,
            exporter_context,
            length,
        )
    }
}

/// The sender's context (`ContextS`): seals messages in order, and exports secrets.
pub struct SenderContext(Context);

/// The recipient's context (`ContextR`): opens messages in the order they were sealed, and
/// exports the same secrets as the sender.
pub struct RecipientContext(Context);

impl std::fmt::Debug for SenderContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SenderContext")
            .field("sequence_number", &self.0.sequence_number)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for RecipientContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecipientContext")
            .field("sequence_number", &self.0.sequence_number)
            .finish_non_exhaustive()
    }
}

impl SenderContext {
    /// A sender's context from a ChaCha20Poly1305 key schedule.
    pub fn new(schedule: KeySchedule) -> Result<Self, HpkeError> {
        Context::new(schedule).map(Self)
    }

    /// `ContextS.Seal(aad, pt)`: encrypts with the current sequence number, then moves on.
    pub fn seal(&mut self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, HpkeError> {
        self.0.seal(aad, plaintext)
    }

    /// `Context.Export(exporter_context, L)`.
    pub fn export(
        &self,
        exporter_context: &[u8],
        length: usize,
    ) -> Result<Zeroizing<Vec<u8>>, HpkeError> {
        self.0.export(exporter_context, length)
    }

    /// The sequence number the next message will be sealed with.
    pub fn sequence_number(&self) -> u64 {
        self.0.sequence_number
    }
}

impl RecipientContext {
    /// A recipient's context from a ChaCha20Poly1305 key schedule.
    pub fn new(schedule: KeySchedule) -> Result<Self, HpkeError> {
        Context::new(schedule).map(Self)
    }

    /// `ContextR.Open(aad, ct)`: decrypts with the current sequence number and moves on only
    /// if the ciphertext opened.
    pub fn open(&mut self, aad: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, HpkeError> {
        self.0.open(aad, ciphertext)
    }

    /// `Context.Export(exporter_context, L)`.
    pub fn export(
        &self,
        exporter_context: &[u8],
        length: usize,
    ) -> Result<Zeroizing<Vec<u8>>, HpkeError> {
        self.0.export(exporter_context, length)
    }

    /// The sequence number the next message must have been sealed with.
    pub fn sequence_number(&self) -> u64 {
        self.0.sequence_number
    }
}

/// `SetupBaseS`/`SetupPSKS` with the given ephemeral secret as `skE` (see
/// [`encap_with_ephemeral`] for when that is safe): `enc` and the sender's context.
pub fn setup_sender_with_ephemeral(
    recipient: &[u8; 32],
    ephemeral_secret: &[u8; 32],
    info: &[u8],
    psk: Option<Psk<'_>>,
) -> Result<([u8; N_ENC], SenderContext), HpkeError> {
    let encapsulation = encap_with_ephemeral(recipient, ephemeral_secret)?;
    let schedule = key_schedule(
        Aead::ChaCha20Poly1305,
        &encapsulation.shared_secret,
        info,
        psk,
    )?;
    Ok((encapsulation.enc, SenderContext::new(schedule)?))
}

/// `SetupBaseS`/`SetupPSKS` with a fresh ephemeral key: `enc` and the sender's context.
pub fn setup_sender(
    recipient: &[u8; 32],
    info: &[u8],
    psk: Option<Psk<'_>>,
) -> Result<([u8; N_ENC], SenderContext), HpkeError> {
    let ephemeral = generate_key_pair()?;
    setup_sender_with_ephemeral(recipient, &ephemeral.secret, info, psk)
}

/// `SetupBaseR`/`SetupPSKR`: the recipient's context for `enc`.
pub fn setup_recipient(
    enc: &[u8; N_ENC],
    recipient_secret: &[u8; 32],
    info: &[u8],
    psk: Option<Psk<'_>>,
) -> Result<RecipientContext, HpkeError> {
    let shared_secret = decap(enc, recipient_secret)?;
    let schedule = key_schedule(Aead::ChaCha20Poly1305, &shared_secret, info, psk)?;
    RecipientContext::new(schedule)
}

/// Single-shot base mode `Seal` with the given ephemeral secret as `skE`: `(enc, ct)`.
pub fn seal_with_ephemeral(
    recipient: &[u8; 32],
    ephemeral_secret: &[u8; 32],
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<([u8; N_ENC], Vec<u8>), HpkeError> {
    let (enc, mut context) = setup_sender_with_ephemeral(recipient, ephemeral_secret, info, None)?;
    Ok((enc, context.seal(aad, plaintext)?))
}

/// Single-shot base mode `Seal` with a fresh ephemeral key: `(enc, ct)`.
pub fn seal(
    recipient: &[u8; 32],
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<([u8; N_ENC], Vec<u8>), HpkeError> {
    let (enc, mut context) = setup_sender(recipient, info, None)?;
    Ok((enc, context.seal(aad, plaintext)?))
}

/// Single-shot base mode `Open`.
pub fn open(
    enc: &[u8; N_ENC],
    recipient_secret: &[u8; 32],
    info: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, HpkeError> {
    setup_recipient(enc, recipient_secret, info, None)?.open(aad, ciphertext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_fresh_keys() {
        let recipient = generate_key_pair().unwrap();
        let (enc, ct) = seal(&recipient.public, b"info", b"aad", b"hello").unwrap();
        assert_eq!(ct.len(), 5 + N_T);
        let pt = open(&enc, &recipient.secret, b"info", b"aad", &ct).unwrap();
        assert_eq!(pt.as_slice(), b"hello");
        assert_eq!(
            open(&enc, &recipient.secret, b"other info", b"aad", &ct),
            Err(HpkeError::Open)
        );
        assert_eq!(
            open(&enc, &recipient.secret, b"info", b"other aad", &ct),
            Err(HpkeError::Open)
        );
        // Two fresh encapsulations differ.
        let (enc2, ct2) = seal(&recipient.public, b"info", b"aad", b"hello").unwrap();
        assert_ne!(enc, enc2);
        assert_ne!(ct, ct2);
    }

    #[test]
    fn contexts_agree_in_order_and_a_failed_open_does_not_advance() {
        let recipient = derive_key_pair(&[7u8; 32]);
        let (enc, mut sender) = setup_sender(&recipient.public, b"i", None).unwrap();
        let mut receiver = setup_recipient(&enc, &recipient.secret, b"i", None).unwrap();
        let c0 = sender.seal(b"a", b"zero").unwrap();
        let c1 = sender.seal(b"a", b"one").unwrap();
        assert_eq!(sender.sequence_number(), 2);
        // Out of order: c1 is refused and the counter stays.
        assert_eq!(receiver.open(b"a", &c1), Err(HpkeError::Open));
        assert_eq!(receiver.sequence_number(), 0);
        assert_eq!(receiver.open(b"a", &c0).unwrap().as_slice(), b"zero");
        assert_eq!(receiver.open(b"a", &c1).unwrap().as_slice(), b"one");
        assert_eq!(
            sender.export(b"ctx", 48).unwrap(),
            receiver.export(b"ctx", 48).unwrap()
        );
        assert_eq!(sender.export(b"ctx", MAX_EXPORT).unwrap().len(), MAX_EXPORT);
        assert_eq!(
            sender.export(b"ctx", MAX_EXPORT + 1),
            Err(HpkeError::OutputTooLong(MAX_EXPORT + 1))
        );
    }

    #[test]
    fn the_last_sequence_number_is_refused() {
        let recipient = derive_key_pair(&[7u8; 32]);
        let (enc, mut sender) = setup_sender(&recipient.public, b"i", None).unwrap();
        let mut receiver = setup_recipient(&enc, &recipient.secret, b"i", None).unwrap();
        sender.0.sequence_number = u64::MAX - 1;
        receiver.0.sequence_number = u64::MAX - 1;
        let ct = sender.seal(b"", b"last").unwrap();
        assert_eq!(receiver.open(b"", &ct).unwrap().as_slice(), b"last");
        assert_eq!(sender.seal(b"", b"more"), Err(HpkeError::MessageLimit));
        assert_eq!(receiver.open(b"", &ct), Err(HpkeError::MessageLimit));
        assert_eq!(sender.sequence_number(), u64::MAX);
    }

    #[test]
    fn nonce_is_base_nonce_xor_sequence_number() {
        let base = [0xffu8; N_N];
        assert_eq!(compute_nonce(&base, 0), base);
        let mut expected = base;
        expected[N_N - 1] = 0xfe;
        expected[N_N - 2] = 0xfe;
        assert_eq!(compute_nonce(&base, 0x0101), expected);
    }

    #[test]
    fn low_order_points_are_refused() {
        // The identity (0) and a point of order 8 (RFC 7748 section 6.1's concern).
        let order_8: [u8; 32] = {
            let mut p = [0u8; 32];
            p.copy_from_slice(
                &hex::decode("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")
                    .unwrap(),
            );
            p
        };
        for point in [[0u8; 32], order_8] {
            assert_eq!(
                encap_with_ephemeral(&point, &[3u8; 32]).map(|e| e.enc),
                Err(HpkeError::LowOrder)
            );
            assert!(matches!(
                decap(&point, &[3u8; 32]),
                Err(HpkeError::LowOrder)
            ));
        }
    }

    #[test]
    fn psk_inputs_must_be_consistent() {
        let ss = [1u8; 32];
        for (psk, psk_id) in [(&b""[..], &b"id"[..]), (&b"key"[..], &b""[..])] {
            assert!(matches!(
                key_schedule(Aead::ChaCha20Poly1305, &ss, b"", Some(Psk { psk, psk_id })),
                Err(HpkeError::InconsistentPsk)
            ));
        }
        let aes = key_schedule(Aead::Aes128Gcm, &ss, b"", None).unwrap();
        assert_eq!(aes.key.len(), 16);
        assert!(matches!(
            SenderContext::new(aes),
            Err(HpkeError::UnsupportedAead(Aead::Aes128Gcm))
        ));
    }
}
