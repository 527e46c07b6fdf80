#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! `phalanx_crypto::hpke` against the RFC 9180 test vectors for DHKEM(X25519, HKDF-SHA256)
//! and HKDF-SHA256, modes base and psk, with ChaCha20Poly1305 and with AES-128-GCM.
//!
//! The vectors are read at test time from `shared/testdata/hpke/rfc9180-x25519-sha256.json`
//! beside the project (`../../../shared/...` from this crate); they are not copied into the
//! repository. Provenance (`shared/testdata/SOURCES.md`): parsed from the markdown appendix
//! of cfrg/draft-irtf-cfrg-hpke at commit `b1f7cb0cdeab6906c61b3d6574e8bdfdbe1cd3fb`,
//! `draft-irtf-cfrg-hpke.md`, Appendix A "Test Vectors", sections A.1 and A.2, modes Base and
//! PSK (the same content as RFC 9180 Appendix A); IETF Trust text (BCP 78/79); sha256
//! starting `955a044b6e941430`, 14070 bytes. Field names follow the CFRG `test-vectors.json`.
//!
//! For ChaCha20Poly1305 every value is reproduced: both key pairs from their ikm, `enc`, the
//! shared secret, the whole key schedule, each encryption's nonce and ciphertext (sequence
//! numbers 0, 1, 2, 4, 255 and 256, skipping ahead with empty messages sealed and opened in
//! order), opening each ciphertext, refusing it with one bit flipped in the body or in the tag,
//! and each export. For AES-128-GCM (no AES implementation here) everything that does not
//! depend on the AEAD is reproduced: key pairs, `enc`, shared secret, key schedule (with
//! `Nk` = 16), nonces and exports.
//!
//! The file is required: this test fails, it does not skip, when it is missing.

use phalanx_crypto::hpke::{self, Aead, HpkeError, Psk};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

const VECTORS: &str = "../../../shared/testdata/hpke/rfc9180-x25519-sha256.json";
/// The first 16 hex digits of the file's sha256, from `shared/testdata/SOURCES.md`.
const VECTORS_SHA256_PREFIX: &str = "955a044b6e941430";

#[derive(Deserialize)]
struct Vector {
    suite: String,
    mode: u8,
    kem_id: u16,
    kdf_id: u16,
    aead_id: u16,
    info: String,
    #[serde(rename = "ikmE")]
    ikm_e: String,
    #[serde(rename = "pkEm")]
    pk_em: String,
    #[serde(rename = "skEm")]
    sk_em: String,
    #[serde(rename = "ikmR")]
    ikm_r: String,
    #[serde(rename = "pkRm")]
    pk_rm: String,
    #[serde(rename = "skRm")]
    sk_rm: String,
    psk: Option<String>,
    psk_id: Option<String>,
    enc: String,
    shared_secret: String,
    key_schedule_context: String,
    secret: String,
    key: String,
    base_nonce: String,
    exporter_secret: String,
    encryptions: Vec<Encryption>,
    exports: Vec<Export>,
}

#[derive(Deserialize)]
struct Encryption {
    sequence_number: u64,
    pt: String,
    aad: String,
    nonce: String,
    ct: String,
}

#[derive(Deserialize)]
struct Export {
    exporter_context: String,
    #[serde(rename = "L")]
    length: usize,
    exported_value: String,
}

fn bytes(hex: &str) -> Vec<u8> {
    hex::decode(hex).unwrap()
}

fn array<const N: usize>(hex: &str) -> [u8; N] {
    bytes(hex).try_into().unwrap()
}

/// The vectors, or `None` (said on stderr) in a clone without `shared/` beside it: the only
/// case where these tests skip (shared/testdata/README.md). With the folder present, a missing
/// or different file fails.
fn vectors() -> Option<Vec<Vector>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(VECTORS);
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
    if !shared.is_dir() {
        eprintln!(
            "SKIPPED: {} is absent (a clone without shared/ beside it); the RFC 9180 vectors \
             were not checked",
            shared.display()
        );
        return None;
    }
    let data = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the RFC 9180 test vectors at {}: {e}. They are external test data in \
             shared/testdata beside the project (see shared/testdata/README.md)",
            path.display()
        )
    });
    assert_eq!(
        &hex::encode(Sha256::digest(&data))[..16],
        VECTORS_SHA256_PREFIX,
        "{} is not the file SOURCES.md describes",
        path.display()
    );
    let vectors: Vec<Vector> = serde_json::from_slice(&data).unwrap();
    // Exactly the four entries: modes base and psk, AES-128-GCM and ChaCha20Poly1305.
    let mut seen: Vec<(u8, u16)> = vectors.iter().map(|v| (v.mode, v.aead_id)).collect();
    seen.sort_unstable();
    assert_eq!(seen, [(0, 1), (0, 3), (1, 1), (1, 3)]);
    for v in &vectors {
        assert_eq!(
            (v.kem_id, v.kdf_id),
            (hpke::KEM_ID, hpke::KDF_ID),
            "{}",
            v.suite
        );
    }
    Some(vectors)
}

fn aead(v: &Vector) -> Aead {
    match v.aead_id {
        1 => Aead::Aes128Gcm,
        3 => Aead::ChaCha20Poly1305,
        other => panic!("unexpected aead_id {other}"),
    }
}

/// The psk inputs as owned bytes (empty in base mode).
fn psk_bytes(v: &Vector) -> (Vec<u8>, Vec<u8>) {
    match v.mode {
        0 => {
            assert!(v.psk.is_none() && v.psk_id.is_none());
            (Vec::new(), Vec::new())
        }
        1 => (
            bytes(v.psk.as_deref().unwrap()),
            bytes(v.psk_id.as_deref().unwrap()),
        ),
        other => panic!("unexpected mode {other}"),
    }
}

fn psk<'a>(v: &Vector, owned: &'a (Vec<u8>, Vec<u8>)) -> Option<Psk<'a>> {
    (v.mode == 1).then_some(Psk {
        psk: &owned.0,
        psk_id: &owned.1,
    })
}

/// Everything that does not depend on the AEAD implementation: key pairs, KEM, key schedule,
/// nonces and exports. Returns the key schedule.
fn check_aead_independent(v: &Vector) -> hpke::KeySchedule {
    let name = format!("{} mode {}", v.suite, v.mode);

    // DeriveKeyPair.
    let ephemeral = hpke::derive_key_pair(&bytes(&v.ikm_e));
    assert_eq!(ephemeral.secret.as_slice(), bytes(&v.sk_em), "skEm, {name}");
    assert_eq!(ephemeral.public, array::<32>(&v.pk_em), "pkEm, {name}");
    let recipient = hpke::derive_key_pair(&bytes(&v.ikm_r));
    assert_eq!(recipient.secret.as_slice(), bytes(&v.sk_rm), "skRm, {name}");
    assert_eq!(recipient.public, array::<32>(&v.pk_rm), "pkRm, {name}");
    assert_eq!(hpke::public_key(&recipient.secret), recipient.public);

    // Encap with the vector's ephemeral key, and Decap.
    let encapsulation = hpke::encap_with_ephemeral(&recipient.public, &ephemeral.secret).unwrap();
    assert_eq!(encapsulation.enc, array::<32>(&v.enc), "enc, {name}");
    assert_eq!(
        encapsulation.shared_secret.as_slice(),
        bytes(&v.shared_secret),
        "shared_secret (Encap), {name}"
    );
    let decapsulated = hpke::decap(&encapsulation.enc, &recipient.secret).unwrap();
    assert_eq!(
        decapsulated.as_slice(),
        bytes(&v.shared_secret),
        "shared_secret (Decap), {name}"
    );

    // KeySchedule.
    let owned = psk_bytes(v);
    let schedule =
        hpke::key_schedule(aead(v), &decapsulated, &bytes(&v.info), psk(v, &owned)).unwrap();
    assert_eq!(
        schedule.key_schedule_context,
        bytes(&v.key_schedule_context),
        "key_schedule_context, {name}"
    );
    assert_eq!(
        schedule.secret.as_slice(),
        bytes(&v.secret),
        "secret, {name}"
    );
    assert_eq!(schedule.key.len(), aead(v).key_len());
    assert_eq!(schedule.key.as_slice(), bytes(&v.key), "key, {name}");
    assert_eq!(
        schedule.base_nonce,
        array::<12>(&v.base_nonce),
        "base_nonce, {name}"
    );
    assert_eq!(
        schedule.exporter_secret.as_slice(),
        bytes(&v.exporter_secret),
        "exporter_secret, {name}"
    );

    // ComputeNonce for every encryption.
    assert_eq!(v.encryptions.len(), 6, "{name}");
    for e in &v.encryptions {
        assert_eq!(
            hpke::compute_nonce(&schedule.base_nonce, e.sequence_number),
            array::<12>(&e.nonce),
            "nonce {}, {name}",
            e.sequence_number
        );
    }

    // Export.
    assert_eq!(v.exports.len(), 3, "{name}");
    for x in &v.exports {
        assert_eq!(
            schedule
                .export(&bytes(&x.exporter_context), x.length)
                .unwrap()
                .as_slice(),
            bytes(&x.exported_value),
            "export {:?}, {name}",
            x.exporter_context
        );
    }
    schedule
}

#[test]
fn chacha20poly1305_vectors_are_reproduced_in_full() {
    let Some(vectors) = vectors() else {
        return;
    };
    let chacha: Vec<&Vector> = vectors.iter().filter(|v| v.aead_id == 3).collect();
    assert_eq!(chacha.len(), 2);
    for v in chacha {
        let name = format!("{} mode {}", v.suite, v.mode);
        check_aead_independent(v);

        let owned = psk_bytes(v);
        let info = bytes(&v.info);
        let sk_e: [u8; 32] = array(&v.sk_em);
        let sk_r: [u8; 32] = array(&v.sk_rm);
        let (enc, mut sender) =
            hpke::setup_sender_with_ephemeral(&array(&v.pk_rm), &sk_e, &info, psk(v, &owned))
                .unwrap();
        assert_eq!(enc, array::<32>(&v.enc), "enc, {name}");
        let mut receiver = hpke::setup_recipient(&enc, &sk_r, &info, psk(v, &owned)).unwrap();

        let mut encryptions: Vec<&Encryption> = v.encryptions.iter().collect();
        encryptions.sort_by_key(|e| e.sequence_number);
        let sequence_numbers: Vec<u64> = encryptions.iter().map(|e| e.sequence_number).collect();
        assert_eq!(sequence_numbers, [0, 1, 2, 4, 255, 256], "{name}");
        for e in encryptions {
            // Skip ahead: empty messages sealed and opened in order.
            while sender.sequence_number() < e.sequence_number {
                let dummy = sender.seal(b"", b"").unwrap();
                assert!(receiver.open(b"", &dummy).unwrap().is_empty());
            }
            assert_eq!(receiver.sequence_number(), e.sequence_number);
            let (pt, aad, ct) = (bytes(&e.pt), bytes(&e.aad), bytes(&e.ct));

            let sealed = sender.seal(&aad, &pt).unwrap();
            assert_eq!(
                hex::encode(&sealed),
                e.ct,
                "ct {}, {name}",
                e.sequence_number
            );

            // One flipped bit, in the body or in the tag, is refused and does not advance.
            for bit in [
                0,
                8 * (ct.len() - hpke::N_T) - 1,
                8 * (ct.len() - hpke::N_T),
                8 * ct.len() - 1,
            ] {
                let mut changed = ct.clone();
                changed[bit / 8] ^= 1 << (bit % 8);
                assert_eq!(
                    receiver.open(&aad, &changed),
                    Err(HpkeError::Open),
                    "bit {bit} of ct {}, {name}",
                    e.sequence_number
                );
            }
            assert_eq!(receiver.open(b"other aad", &ct), Err(HpkeError::Open));
            assert_eq!(receiver.sequence_number(), e.sequence_number);

            assert_eq!(
                receiver.open(&aad, &ct).unwrap().as_slice(),
                pt,
                "pt {}, {name}",
                e.sequence_number
            );
        }

        for x in &v.exports {
            let context = bytes(&x.exporter_context);
            let expected = bytes(&x.exported_value);
            assert_eq!(
                sender.export(&context, x.length).unwrap().as_slice(),
                expected
            );
            assert_eq!(
                receiver.export(&context, x.length).unwrap().as_slice(),
                expected
            );
        }
    }
}

#[test]
fn aes128gcm_vectors_reproduce_everything_but_the_aead() {
    let Some(vectors) = vectors() else {
        return;
    };
    let aes: Vec<&Vector> = vectors.iter().filter(|v| v.aead_id == 1).collect();
    assert_eq!(aes.len(), 2);
    for v in aes {
        let schedule = check_aead_independent(v);
        // No AES here: a context for it is refused rather than run with the wrong cipher.
        assert!(matches!(
            hpke::SenderContext::new(schedule),
            Err(HpkeError::UnsupportedAead(Aead::Aes128Gcm))
        ));
    }
}

#[test]
fn single_shot_base_mode_matches_the_first_encryption() {
    let Some(vectors) = vectors() else {
        return;
    };
    let v = vectors
        .iter()
        .find(|v| v.mode == 0 && v.aead_id == 3)
        .unwrap();
    let first = v
        .encryptions
        .iter()
        .find(|e| e.sequence_number == 0)
        .unwrap();
    let (enc, ct) = hpke::seal_with_ephemeral(
        &array(&v.pk_rm),
        &array(&v.sk_em),
        &bytes(&v.info),
        &bytes(&first.aad),
        &bytes(&first.pt),
    )
    .unwrap();
    assert_eq!(enc, array::<32>(&v.enc));
    assert_eq!(hex::encode(&ct), first.ct);
    let pt = hpke::open(
        &enc,
        &array(&v.sk_rm),
        &bytes(&v.info),
        &bytes(&first.aad),
        &ct,
    )
    .unwrap();
    assert_eq!(pt.as_slice(), bytes(&first.pt));
}
