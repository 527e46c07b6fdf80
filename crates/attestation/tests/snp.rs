#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The real AMD SEV-SNP sample (Milan) verifies with its measurement, TCB and report data;
//! tampered reports, tampered or expired VCEKs and malformed input are refused.

use phalanx_attestation::{
    AttestationError, Evidence, MAX_VCEK_BYTES, Measurement, Policy, SnpEvidence, TeeKind, verify,
};
use proptest::prelude::*;

/// 2025-07-01T12:00:00Z, inside the sample VCEK's validity (2023-04-03 .. 2030-04-03).
const NOW: u64 = 1_751_371_200;
const MEASUREMENT: &str = "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f";

fn report() -> Vec<u8> {
    hex::decode(include_str!("../testdata/report_milan.hex").trim()).unwrap()
}

const VCEK: &[u8] = include_bytes!("../testdata/vcek_milan.der");

fn evidence(report: Vec<u8>, vcek: &[u8]) -> Evidence {
    Evidence::SevSnp(SnpEvidence::from_parts(report, vcek.to_vec()).unwrap())
}

fn policy() -> Policy {
    Policy {
        allowed_measurements: vec![MEASUREMENT.into()],
        worst_confidence: 2,
        max_collateral_age_secs: 0,
        allow_simulated: false,
    }
}

#[test]
fn real_milan_sample_verifies() {
    let v = verify(&evidence(report(), VCEK), NOW, &policy()).unwrap();
    assert_eq!(v.tee, TeeKind::Snp);
    assert!(!v.simulated);
    assert_eq!(v.tcb_status, "UpToDate");
    assert_eq!(v.confidence, 1);
    assert!(v.report_data.starts_with("d447b55d197491bf"));
    let Measurement::Snp {
        measurement,
        product,
        reported_tcb,
        policy,
        ..
    } = &v.measurement
    else {
        panic!("SNP measurement expected");
    };
    assert_eq!(measurement, MEASUREMENT);
    assert_eq!(product, "Milan-B0");
    // Bootloader 3, TEE 0, SNP 8, microcode 115 (the report's bytes 03 00 .. 08 73).
    assert_eq!(reported_tcb, "03000873");
    assert_eq!(
        policy & (1 << 19),
        0,
        "debug not allowed by the guest policy"
    );
}

#[test]
fn tampered_reports_and_vceks_are_refused() {
    // Version, policy, report data, measurement, reported TCB, chip id, signature.
    for offset in [0, 8, 0x50, 0x90, 0x180, 0x1a0, 0x2a0 + 4] {
        let mut r = report();
        r[offset] ^= 0x01;
        assert!(
            matches!(
                verify(&evidence(r, VCEK), NOW, &policy()),
                Err(AttestationError::Invalid(_))
            ),
            "flip at {offset:#x} accepted"
        );
    }
    for offset in [40, 300, VCEK.len() - 10] {
        let mut v = VCEK.to_vec();
        v[offset] ^= 0x01;
        assert!(
            matches!(
                verify(&evidence(report(), &v), NOW, &policy()),
                Err(AttestationError::Invalid(_))
            ),
            "VCEK flip at {offset} accepted"
        );
    }
}

#[test]
fn vcek_validity_and_policy_apply() {
    let e = evidence(report(), VCEK);
    // Before the VCEK was issued, after it expired.
    for at in [1_600_000_000, 1_950_000_000] {
        assert!(matches!(
            verify(&e, at, &policy()),
            Err(AttestationError::Invalid(_))
        ));
    }
    let other = Policy {
        allowed_measurements: vec!["00".repeat(48)],
        ..policy()
    };
    assert!(matches!(
        verify(&e, NOW, &other),
        Err(AttestationError::MeasurementNotAllowed(_))
    ));
    let simulated_only = Policy {
        allow_simulated: true,
        ..policy()
    };
    verify(&e, NOW, &simulated_only).unwrap();
}

#[test]
fn malformed_input_is_refused() {
    assert!(matches!(
        SnpEvidence::from_parts(report()[..1000].to_vec(), VCEK.to_vec()),
        Err(AttestationError::Invalid(_))
    ));
    assert_eq!(
        SnpEvidence::from_parts(report(), vec![0; MAX_VCEK_BYTES + 1]).unwrap_err(),
        AttestationError::VcekTooLarge(MAX_VCEK_BYTES + 1)
    );
    assert!(matches!(
        verify(&evidence(report(), b"not a certificate"), NOW, &policy()),
        Err(AttestationError::Invalid(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Random reports and random mutations of the real one never panic and never verify.
    #[test]
    fn random_reports_are_refused_without_panic(
        bytes in proptest::collection::vec(any::<u8>(), 1184..=1184),
        flips in proptest::collection::vec((0usize..1184, 1u8..), 1..4),
    ) {
        prop_assert!(verify(&evidence(bytes, VCEK), NOW, &policy()).is_err());
        let mut mutated = report();
        for (i, x) in flips {
            mutated[i] ^= x;
        }
        let result = verify(&evidence(mutated.clone(), VCEK), NOW, &policy());
        prop_assert!(result.is_err());
    }
}
