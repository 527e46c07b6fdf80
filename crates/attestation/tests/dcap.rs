#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The real Intel SGX and TDX samples verify with their expected status; tampered, mismatched,
//! expired, oversized and garbage evidence is refused with its own error; policy rules apply.

use phalanx_attestation::{
    AttestationError, DcapEvidence, Evidence, MAX_COLLATERAL_BYTES, MAX_QUOTE_BYTES, Measurement,
    Policy, TeeKind, verify,
};
use proptest::prelude::*;

/// 2025-07-01T12:00:00Z, inside both samples' collateral validity (2025-06-19 .. 2025-07-19).
const NOW: u64 = 1_751_371_200;
const DAY: u64 = 86_400;

const SGX_QUOTE: &[u8] = include_bytes!("../testdata/sgx_quote");
const SGX_COLLATERAL: &[u8] = include_bytes!("../testdata/sgx_quote_collateral.json");
const TDX_QUOTE: &[u8] = include_bytes!("../testdata/tdx_quote");
const TDX_COLLATERAL: &[u8] = include_bytes!("../testdata/tdx_quote_collateral.json");

/// Hardware (Intel-rooted) evidence from untrusted parts.
fn dcap(quote: Vec<u8>, collateral: &[u8]) -> Evidence {
    Evidence::Dcap(DcapEvidence::from_parts(quote, collateral).unwrap())
}

fn sgx() -> Evidence {
    dcap(SGX_QUOTE.to_vec(), SGX_COLLATERAL)
}

fn tdx() -> Evidence {
    dcap(TDX_QUOTE.to_vec(), TDX_COLLATERAL)
}

/// A policy that trusts exactly what the samples measure (read from a permissive run).
fn policy_for(evidence: &Evidence) -> Policy {
    let permissive = Policy {
        allowed_measurements: vec![],
        worst_confidence: 5,
        max_collateral_age_secs: u64::MAX,
        allow_simulated: false,
    };
    let Err(AttestationError::MeasurementNotAllowed(m)) = verify(evidence, NOW, &permissive) else {
        panic!("sample must verify up to the allow-list");
    };
    Policy {
        allowed_measurements: vec![m],
        ..permissive
    }
}

#[test]
fn real_sgx_sample_verifies() {
    let evidence = sgx();
    let v = verify(&evidence, NOW, &policy_for(&evidence)).unwrap();
    assert_eq!(v.tee, TeeKind::Sgx);
    assert_eq!(v.tcb_status, "ConfigurationAndSWHardeningNeeded");
    assert_eq!(v.advisories, ["INTEL-SA-00289", "INTEL-SA-00615"]);
    assert_eq!(v.confidence, 3);
    assert!(matches!(v.measurement, Measurement::Sgx { .. }));
    assert_eq!(v.report_data.len(), 128);
}

#[test]
fn real_tdx_sample_verifies() {
    let evidence = tdx();
    let v = verify(&evidence, NOW, &policy_for(&evidence)).unwrap();
    assert_eq!(v.tee, TeeKind::Tdx);
    assert_eq!(v.tcb_status, "UpToDate");
    assert!(v.advisories.is_empty());
    assert_eq!(v.confidence, 1);
    let Measurement::Tdx {
        mr_td,
        rtmrs,
        boot_chain,
    } = &v.measurement
    else {
        panic!("TDX measurement expected");
    };
    assert_eq!(mr_td.len(), 96);
    assert!(rtmrs.iter().all(|r| r.len() == 96));
    // The allow-list may pin the whole boot chain (MRTD and RTMRs) instead of MRTD alone.
    let pinned = Policy {
        allowed_measurements: vec![boot_chain.clone()],
        ..policy_for(&evidence)
    };
    verify(&evidence, NOW, &pinned).unwrap();
}

#[test]
fn a_flipped_bit_anywhere_in_the_signed_quote_is_refused() {
    let policy = policy_for(&sgx());
    // Header, report body (measurement, report data) and signature region.
    for offset in [10, 48 + 64, 48 + 320 + 10, 48 + 384 + 40] {
        let mut quote = SGX_QUOTE.to_vec();
        quote[offset] ^= 0x01;
        let evidence = dcap(quote, SGX_COLLATERAL);
        assert!(
            matches!(
                verify(&evidence, NOW, &policy),
                Err(AttestationError::Invalid(_))
            ),
            "flip at {offset} accepted"
        );
    }
}

#[test]
fn mismatched_expired_and_early_collateral_are_refused() {
    let policy = policy_for(&sgx());
    let mismatched = dcap(SGX_QUOTE.to_vec(), TDX_COLLATERAL);
    assert!(matches!(
        verify(&mismatched, NOW, &policy),
        Err(AttestationError::Invalid(_))
    ));
    assert!(matches!(
        verify(&sgx(), NOW + 30 * DAY, &policy),
        Err(AttestationError::Invalid(_))
    ));
    assert!(matches!(
        verify(&sgx(), NOW - 30 * DAY, &policy),
        Err(AttestationError::Invalid(_))
    ));
}

#[test]
fn policy_rules_apply() {
    let evidence = tdx();
    let good = policy_for(&evidence);
    let other = Policy {
        allowed_measurements: vec!["00".repeat(48)],
        ..good.clone()
    };
    assert!(matches!(
        verify(&evidence, NOW, &other),
        Err(AttestationError::MeasurementNotAllowed(_))
    ));
    // The SGX sample's platform needs configuration (level 3): a policy of level 2 refuses it.
    let sgx_evidence = sgx();
    let strict = Policy {
        worst_confidence: 2,
        ..policy_for(&sgx_evidence)
    };
    assert_eq!(
        verify(&sgx_evidence, NOW, &strict),
        Err(AttestationError::TcbTooLow {
            status: "ConfigurationAndSWHardeningNeeded".into(),
            confidence: 3,
            minimum: 2,
        })
    );
    let fresh_only = Policy {
        max_collateral_age_secs: DAY,
        ..good
    };
    assert!(matches!(
        verify(&evidence, NOW, &fresh_only),
        Err(AttestationError::CollateralTooOld { .. })
    ));
}

#[test]
fn oversized_and_garbage_inputs_are_refused() {
    assert_eq!(
        DcapEvidence::from_parts(vec![0; MAX_QUOTE_BYTES + 1], SGX_COLLATERAL).unwrap_err(),
        AttestationError::QuoteTooLarge(MAX_QUOTE_BYTES + 1)
    );
    assert_eq!(
        DcapEvidence::from_parts(SGX_QUOTE.to_vec(), &vec![b' '; MAX_COLLATERAL_BYTES + 1])
            .unwrap_err(),
        AttestationError::CollateralTooLarge(MAX_COLLATERAL_BYTES + 1)
    );
    assert!(matches!(
        DcapEvidence::from_parts(SGX_QUOTE.to_vec(), b"{not json"),
        Err(AttestationError::MalformedCollateral(_))
    ));
    let truncated = dcap(SGX_QUOTE[..100].to_vec(), SGX_COLLATERAL);
    assert!(matches!(
        verify(&truncated, NOW, &policy_for(&sgx())),
        Err(AttestationError::Invalid(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    /// Random quotes, and random mutations of the real one's signed part (header, report body,
    /// signature), never panic and never verify.
    #[test]
    fn random_quotes_are_refused_without_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..6000),
        flips in proptest::collection::vec((0usize..500, any::<u8>()), 1..8),
    ) {
        let policy = Policy {
            allowed_measurements: vec![],
            worst_confidence: 5,
            max_collateral_age_secs: u64::MAX,
            allow_simulated: false,
        };
        let random = dcap(bytes, SGX_COLLATERAL);
        prop_assert!(verify(&random, NOW, &policy).is_err());
        let mut mutated = SGX_QUOTE.to_vec();
        for (i, x) in flips {
            let i = i % mutated.len();
            mutated[i] ^= x | 1;
        }
        let mutated = dcap(mutated, SGX_COLLATERAL);
        prop_assert!(verify(&mutated, NOW, &policy).is_err());
    }
}
