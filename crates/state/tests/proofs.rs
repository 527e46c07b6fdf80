#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! State proofs from a real QMDB (deterministic runtime): inclusion and exclusion proofs verify
//! against the root, and every wrong claim, wrong root, tampered or malformed proof is refused.

use commonware_cryptography::{Hasher, Sha256, sha256::Digest};
use commonware_runtime::{Runner as _, Supervisor as _, buffer::paged::CacheRef, deterministic};
use commonware_storage::qmdb::floor::Proportional;
use commonware_utils::{NZU16, NZUsize};
use phalanx_state::{ProofError, StateDb, StateProof, StateValue, config};
use proptest::prelude::*;

fn key(i: u8) -> Digest {
    Sha256::hash(&[&[i]])
}

fn value(i: u8) -> Vec<u8> {
    vec![i; 3 + i as usize]
}

/// Opens a database, writes keys 0..10 (or none), and returns proofs for keys 3 (present) and
/// 200 (absent) with the root.
fn proofs(populate: bool) -> (Option<StateProof>, StateProof, Digest) {
    deterministic::Runner::seeded(7).start(|context| async move {
        let cache = CacheRef::new(NZU16!(4096), NZUsize!(64));
        let mut db: StateDb<_> = StateDb::init(context.child("db"), config("t", cache), None)
            .await
            .unwrap();
        let mut batch = db.new_batch();
        if populate {
            for i in 0..10u8 {
                batch = batch.write(key(i), Some(StateValue(value(i))));
            }
        }
        let merkleized = batch.merkleize(&db, None, &mut Proportional).await.unwrap();
        db = db.apply_batch(merkleized).await.unwrap();
        let root = db.root();
        let inclusion = if populate {
            Some(StateProof::from(db.key_value_proof(key(3)).await.unwrap()))
        } else {
            None
        };
        let exclusion = StateProof::from(db.exclusion_proof(&key(200)).await.unwrap());
        (inclusion, exclusion, root)
    })
}

#[test]
fn inclusion_and_exclusion_verify_and_wrong_claims_are_refused() {
    let (inclusion, exclusion, root) = proofs(true);
    let inclusion = inclusion.unwrap();
    // Through the wire encoding, as a client receives them.
    let inclusion = StateProof::decode(&inclusion.to_bytes()).unwrap();
    let exclusion = StateProof::decode(&exclusion.to_bytes()).unwrap();
    assert!(inclusion.is_inclusion() && !exclusion.is_inclusion());

    assert_eq!(inclusion.verify(&key(3), Some(&value(3)), &root), Ok(()));
    assert_eq!(exclusion.verify(&key(200), None, &root), Ok(()));

    let other_root = Sha256::hash(&[b"another root"]);
    assert!(matches!(
        inclusion.verify(&key(3), Some(&value(3)), &other_root),
        Err(ProofError::RootMismatch(_))
    ));
    assert!(matches!(
        exclusion.verify(&key(200), None, &other_root),
        Err(ProofError::RootMismatch(_))
    ));
    // A different value, or a different key, for the same proof.
    assert!(matches!(
        inclusion.verify(&key(3), Some(b"forged"), &root),
        Err(ProofError::RootMismatch(_))
    ));
    assert!(matches!(
        inclusion.verify(&key(4), Some(&value(3)), &root),
        Err(ProofError::RootMismatch(_))
    ));
    // The exclusion proof for key 200 does not prove key 3 (present) absent.
    assert!(matches!(
        exclusion.verify(&key(3), None, &root),
        Err(ProofError::RootMismatch(_))
    ));
    // Claim and proof kind must agree.
    assert_eq!(
        inclusion.verify(&key(3), None, &root),
        Err(ProofError::InclusionForAbsent)
    );
    assert_eq!(
        exclusion.verify(&key(200), Some(b"x"), &root),
        Err(ProofError::ExclusionForPresent)
    );
}

#[test]
fn empty_database_proves_any_key_absent() {
    let (_, exclusion, root) = proofs(false);
    let exclusion = StateProof::decode(&exclusion.to_bytes()).unwrap();
    assert_eq!(exclusion.verify(&key(200), None, &root), Ok(()));
    assert_eq!(exclusion.verify(&key(1), None, &root), Ok(()));
}

#[test]
fn every_single_bit_flip_is_refused() {
    let (inclusion, exclusion, root) = proofs(true);
    for (proof, k, v) in [
        (inclusion.unwrap(), key(3), Some(value(3))),
        (exclusion, key(200), None),
    ] {
        let bytes = proof.to_bytes();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut tampered = bytes.clone();
                tampered[i] ^= 1 << bit;
                if let Ok(p) = StateProof::decode(&tampered) {
                    assert!(
                        p.verify(&k, v.as_deref(), &root).is_err(),
                        "flip of byte {i} bit {bit} still verifies"
                    );
                }
            }
        }
    }
}

#[test]
fn malformed_and_oversized_proofs_are_refused() {
    assert!(matches!(
        StateProof::decode(&[]),
        Err(ProofError::Malformed(_))
    ));
    assert!(matches!(
        StateProof::decode(&[9, 0, 0]),
        Err(ProofError::Malformed(_))
    ));
    assert!(matches!(
        StateProof::decode(&vec![0; phalanx_state::MAX_PROOF_BYTES + 1]),
        Err(ProofError::TooLarge(_))
    ));
    let (inclusion, _, _) = proofs(true);
    let mut bytes = inclusion.unwrap().to_bytes();
    bytes.push(0);
    assert!(matches!(
        StateProof::decode(&bytes),
        Err(ProofError::Malformed(_))
    ));
    bytes.truncate(bytes.len() - 2);
    assert!(matches!(
        StateProof::decode(&bytes),
        Err(ProofError::Malformed(_))
    ));
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(p) = StateProof::decode(&bytes) {
            let _ = p.verify(&key(1), Some(&[1]), &key(2));
            let _ = p.verify(&key(1), None, &key(2));
        }
    }
}
