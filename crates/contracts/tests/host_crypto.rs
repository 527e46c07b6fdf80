#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The cryptographic host functions: hashing, signature verification, the contract's key,
//! randomness and `revert`, each with its bad inputs.

use ed25519_dalek::{Signer, SigningKey};
use phalanx_contracts::host::COPY_FUEL_PER_BYTE;
use phalanx_contracts::host_crypto::SHA256_FUEL_PER_BYTE;
use phalanx_contracts::keys::verify_contract_signature;
use phalanx_contracts::{
    ContractKey, EntryPoint, ExecError, Executor, Host, Limits, Outcome, Randomness, WasmiExecutor,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const CONTRACT: [u8; 32] = [0xC0; 32];

const PRELUDE: &str = r#"
  (import "phalanx_v1" "input_len" (func $input_len (result i32)))
  (import "phalanx_v1" "input_read" (func $input_read (param i32)))
  (import "phalanx_v1" "output_write" (func $output_write (param i32 i32)))
  (import "phalanx_v1" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
  (import "phalanx_v1" "sha256" (func $sha256 (param i32 i32 i32)))
  (import "phalanx_v1" "ed25519_verify" (func $verify (param i32 i32 i32 i32) (result i32)))
  (import "phalanx_v1" "contract_id" (func $contract_id (param i32)))
  (import "phalanx_v1" "contract_public_key" (func $public_key (param i32)))
  (import "phalanx_v1" "sign" (func $sign (param i32 i32 i32)))
  (import "phalanx_v1" "random" (func $random (param i32 i32)))
  (import "phalanx_v1" "revert" (func $revert (param i32 i32)))
"#;

fn module(body: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module {PRELUDE} (memory (export "memory") 1) {body} (func (export "query")))"#
    ))
    .unwrap()
}

fn key() -> ContractKey {
    ContractKey::from_secret(CONTRACT, &[0x5E; 32])
}

fn run(
    code: &[u8],
    input: &[u8],
    key: Option<&ContractKey>,
    randomness: Randomness<'_>,
) -> Result<Outcome, ExecError> {
    let state = BTreeMap::<Vec<u8>, Vec<u8>>::new();
    let host = Host {
        contract: CONTRACT,
        caller: [7; 32],
        block_height: 1,
        block_time_ms: 1,
        storage: &state,
        key,
        randomness,
    };
    let limits = Limits::default();
    WasmiExecutor::new(&limits).execute(code, EntryPoint::Call, input, host, &limits)
}

/// Reads the input to 0, hashes it to 1024, outputs the digest.
const HASH_INPUT: &str = r#"
  (func (export "call")
    (call $input_read (i32.const 0))
    (call $sha256 (i32.const 0) (call $input_len) (i32.const 1024))
    (call $output_write (i32.const 1024) (i32.const 32)))
"#;

#[test]
fn sha256_hashes_what_it_is_given() {
    let code = module(HASH_INPUT);
    for input in [&b""[..], b"abc", &[0x61; 1000]] {
        let out = run(&code, input, None, Randomness::Unavailable).unwrap();
        assert_eq!(out.output, Sha256::digest(input).to_vec());
    }
    // Every byte more costs its copy into memory (`input_read`), its copy to the host and
    // its hashing.
    let short = run(&code, b"abc", None, Randomness::Unavailable).unwrap();
    let long = run(&code, &[0x61; 1000], None, Randomness::Unavailable).unwrap();
    let per_byte = 2 * COPY_FUEL_PER_BYTE + SHA256_FUEL_PER_BYTE;
    assert_eq!(long.fuel_used - short.fuel_used, 997 * per_byte);
}

/// Input: key (32) ‖ signature (64) ‖ message. Outputs the verdict as one byte.
const VERIFY_INPUT: &str = r#"
  (func (export "call")
    (call $input_read (i32.const 0))
    (i32.store8 (i32.const 2048)
      (call $verify (i32.const 0) (i32.const 96) (i32.sub (call $input_len) (i32.const 96))
                    (i32.const 32)))
    (call $output_write (i32.const 2048) (i32.const 1)))
"#;

#[test]
fn ed25519_verify_accepts_valid_signatures_only() {
    let code = module(VERIFY_INPUT);
    let signer = SigningKey::from_bytes(&[3; 32]);
    let message = b"transfer 5 to bob";
    let signature = signer.sign(message).to_bytes();
    let input = |key: &[u8], sig: &[u8], msg: &[u8]| [key, sig, msg].concat();
    let verdict = |input: Vec<u8>| {
        run(&code, &input, None, Randomness::Unavailable)
            .unwrap()
            .output[0]
    };
    let public = signer.verifying_key().to_bytes();
    assert_eq!(verdict(input(&public, &signature, message)), 1);
    assert_eq!(verdict(input(&public, &signature, b"transfer 6 to bob")), 0);
    let mut bad = signature;
    bad[0] ^= 1;
    assert_eq!(verdict(input(&public, &bad, message)), 0);
    // Not a point on the curve: invalid, not a failure of the call.
    assert_eq!(verdict(input(&[0xFF; 32], &signature, message)), 0);
}

/// Outputs contract id ‖ public key ‖ signature of the input.
const SIGN_INPUT: &str = r#"
  (func (export "call")
    (call $input_read (i32.const 4096))
    (call $contract_id (i32.const 0))
    (call $public_key (i32.const 32))
    (call $sign (i32.const 4096) (call $input_len) (i32.const 64))
    (call $output_write (i32.const 0) (i32.const 128)))
"#;

#[test]
fn sign_uses_the_contracts_own_key_under_its_domain() {
    let code = module(SIGN_INPUT);
    let key = key();
    let out = run(&code, b"BTC/USD 97000", Some(&key), Randomness::Unavailable).unwrap();
    assert_eq!(out.output[..32], CONTRACT);
    assert_eq!(out.output[32..64], key.signing_public_key());
    let public: [u8; 32] = out.output[32..64].try_into().unwrap();
    let signature: [u8; 64] = out.output[64..].try_into().unwrap();
    assert!(verify_contract_signature(
        &public,
        &CONTRACT,
        b"BTC/USD 97000",
        &signature
    ));
    // Not a plain signature of the message: it carries the domain and the contract's id.
    let plain = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
    assert!(
        plain
            .verify_strict(
                b"BTC/USD 97000",
                &ed25519_dalek::Signature::from_bytes(&signature)
            )
            .is_err()
    );
    // Without the contract's key the call fails, specifically.
    assert_eq!(
        run(&code, b"x", None, Randomness::Unavailable),
        Err(ExecError::Unavailable("contract_public_key"))
    );
}

/// Draws 40 bytes, then 8 more, and outputs all 48.
const RANDOM: &str = r#"
  (func (export "call")
    (call $random (i32.const 0) (i32.const 40))
    (call $random (i32.const 40) (i32.const 8))
    (call $output_write (i32.const 0) (i32.const 48)))
"#;

#[test]
fn seeded_randomness_is_the_same_on_every_worker_and_differs_by_command() {
    let code = module(RANDOM);
    let key = key();
    let seed = key.command_seed(&[1; 32]);
    let a = run(&code, b"", Some(&key), Randomness::Seeded(&seed)).unwrap();
    let b = run(&code, b"", Some(&key), Randomness::Seeded(&seed)).unwrap();
    assert_eq!(a.output, b.output);
    assert_eq!(a.output.len(), 48);
    let other = key.command_seed(&[2; 32]);
    let c = run(&code, b"", Some(&key), Randomness::Seeded(&other)).unwrap();
    assert_ne!(a.output, c.output);
    // Two draws never repeat the stream.
    assert_ne!(a.output[..8], a.output[40..48]);
}

#[test]
fn enclave_randomness_differs_between_calls_and_unavailable_is_an_error() {
    let code = module(RANDOM);
    let a = run(&code, b"", None, Randomness::Enclave).unwrap();
    let b = run(&code, b"", None, Randomness::Enclave).unwrap();
    assert_ne!(a.output, b.output);
    assert_eq!(
        run(&code, b"", None, Randomness::Unavailable),
        Err(ExecError::Unavailable("random"))
    );
}

#[test]
fn random_is_bounded_per_call_and_checks_its_pointer() {
    let limits = Limits::default();
    let too_much = module(&format!(
        r#"(func (export "call") (call $random (i32.const 0) (i32.const 40000))
                                 (call $random (i32.const 0) (i32.const {})))"#,
        limits.max_random_bytes - 40000 + 1
    ));
    assert_eq!(
        run(&too_much, b"", None, Randomness::Enclave),
        Err(ExecError::TooMuchRandom {
            max: limits.max_random_bytes
        })
    );
    let outside =
        module(r#"(func (export "call") (call $random (i32.const 65530) (i32.const 8)))"#);
    assert!(matches!(
        run(&outside, b"", None, Randomness::Enclave),
        Err(ExecError::HostOutOfBounds {
            function: "random",
            ..
        })
    ));
}

#[test]
fn revert_ends_the_call_with_the_contracts_message_and_keeps_nothing() {
    let code = module(
        r#"(data (i32.const 0) "kk") (data (i32.const 16) "bid too low")
           (func (export "call")
             (call $storage_set (i32.const 0) (i32.const 2) (i32.const 0) (i32.const 2))
             (call $revert (i32.const 16) (i32.const 11)))"#,
    );
    assert_eq!(
        run(&code, b"", None, Randomness::Unavailable),
        Err(ExecError::Reverted("bid too low".into()))
    );
}

#[test]
fn crypto_functions_check_their_pointers() {
    for body in [
        r#"(call $sha256 (i32.const 65535) (i32.const 2) (i32.const 0))"#,
        r#"(call $sha256 (i32.const 0) (i32.const 2) (i32.const 65520))"#,
        r#"(drop (call $verify (i32.const 65530) (i32.const 0) (i32.const 0) (i32.const 0)))"#,
        r#"(drop (call $verify (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 65500)))"#,
        r#"(call $sign (i32.const 0) (i32.const -1) (i32.const 0))"#,
        r#"(call $contract_id (i32.const 65520))"#,
    ] {
        let code = module(&format!(r#"(func (export "call") {body})"#));
        let key = key();
        let err = run(&code, b"", Some(&key), Randomness::Unavailable).unwrap_err();
        assert!(
            matches!(
                err,
                ExecError::HostOutOfBounds { .. } | ExecError::OutOfFuel
            ),
            "{body}: {err:?}"
        );
    }
}
