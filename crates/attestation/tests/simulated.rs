#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! Simulated evidence goes through the real DCAP verification (certificate chain, CRLs, signed
//! collateral, QE report binding, ISV signature) under the development root, and only where the
//! policy allows simulation. Tampering is refused exactly as for hardware quotes.

use phalanx_attestation::{
    AttestationError, DcapEvidence, Evidence, Measurement, Policy, TeeKind, sim, verify,
    verify_evidence,
};

/// 2026-11-24T00:00:00Z.
const NOW: u64 = 1_795_478_400;
const DAY: u64 = 86_400;

fn dev_policy() -> Policy {
    Policy {
        allowed_measurements: vec![sim::measurement()],
        worst_confidence: 2,
        max_collateral_age_secs: 7 * DAY,
        allow_simulated: true,
    }
}

fn report_data(byte: u8) -> [u8; 64] {
    let mut data = [0u8; 64];
    data[..32].fill(byte);
    data
}

fn simulated(byte: u8) -> Evidence {
    Evidence::SimulatedDcap(sim::produce(report_data(byte), NOW).unwrap())
}

#[test]
fn simulated_evidence_verifies_under_the_dev_root_and_is_labelled() {
    let v = verify(&simulated(7), NOW, &dev_policy()).unwrap();
    assert!(v.simulated);
    assert_eq!(v.tee, TeeKind::Sgx);
    assert_eq!(v.tcb_status, "UpToDate");
    assert_eq!(v.confidence, 1);
    let Measurement::Sgx {
        mr_enclave,
        mr_signer,
        ..
    } = &v.measurement
    else {
        panic!("SGX measurement expected");
    };
    assert_eq!(*mr_enclave, sim::measurement());
    assert_eq!(*mr_signer, sim::signer());
    v.check_report_data(&report_data(7)).unwrap();
    assert!(matches!(
        v.check_report_data(&report_data(8)),
        Err(AttestationError::ReportDataMismatch { .. })
    ));
    // Still valid a day later (block time behind or ahead of the producer's clock).
    verify(&simulated(7), NOW + DAY, &dev_policy()).unwrap();
    verify(&simulated(7), NOW - 60, &dev_policy()).unwrap();
}

#[test]
fn the_dev_root_is_the_same_on_every_build() {
    // Keys derive from public labels and ECDSA signing is deterministic: a verifier elsewhere
    // pins the same root. A change to this digest changes every dev chain's trust anchor.
    use sha2::{Digest, Sha256};
    let root = sim::root_der().unwrap();
    assert_eq!(root, sim::root_der().unwrap());
    let a = sim::produce(report_data(1), NOW).unwrap();
    let b = sim::produce(report_data(1), NOW).unwrap();
    assert_eq!(a.quote, b.quote);
    assert_eq!(
        hex::encode(Sha256::digest(root)),
        "1e9c0c5e1b7cc281001de89216c29fa387b6a26638b1d8efc6ca884257e5df91"
    );
}

#[test]
fn a_policy_without_simulation_refuses_it_before_verifying() {
    let production = Policy {
        allow_simulated: false,
        ..dev_policy()
    };
    assert_eq!(
        verify(&simulated(1), NOW, &production),
        Err(AttestationError::SimulatedNotAllowed)
    );
}

#[test]
fn simulated_quotes_do_not_pass_as_hardware_quotes() {
    // The same bytes presented as Intel-rooted evidence fail Intel's chain.
    let as_hardware = Evidence::Dcap(simulated(1).dcap().unwrap().clone());
    assert!(matches!(
        verify_evidence(&as_hardware, NOW),
        Err(AttestationError::Invalid(_))
    ));
}

#[test]
fn tampered_simulated_evidence_is_refused() {
    let policy = dev_policy();
    let good = sim::produce(report_data(3), NOW).unwrap();
    // Header, measurement, report data, ISV signature, QE report, QE report signature.
    for offset in [
        2,
        48 + 64,
        48 + 320 + 5,
        436 + 10,
        436 + 128 + 100,
        436 + 128 + 384 + 5,
    ] {
        let mut quote = good.quote.clone();
        quote[offset] ^= 0x01;
        let evidence = Evidence::SimulatedDcap(DcapEvidence {
            quote,
            collateral: good.collateral.clone(),
        });
        assert!(
            matches!(
                verify(&evidence, NOW, &policy),
                Err(AttestationError::Invalid(_))
            ),
            "flip at {offset} accepted"
        );
    }
    // Collateral whose signed TCB info was edited.
    let mut edited = good.clone();
    edited.collateral.tcb_info = edited.collateral.tcb_info.replace("UpToDate", "OutOfDate");
    assert!(matches!(
        verify(&Evidence::SimulatedDcap(edited), NOW, &policy),
        Err(AttestationError::Invalid(_))
    ));
}

#[test]
fn expired_old_debug_and_unlisted_simulated_evidence_is_refused() {
    let policy = dev_policy();
    // Collateral expires 30 days after issue.
    assert!(matches!(
        verify(&simulated(1), NOW + 31 * DAY, &policy),
        Err(AttestationError::Invalid(_))
    ));
    // Within its validity, but older than the policy's limit.
    assert!(matches!(
        verify(&simulated(1), NOW + 8 * DAY, &policy),
        Err(AttestationError::CollateralTooOld { .. })
    ));
    let debug = Evidence::SimulatedDcap(sim::produce_with(report_data(1), NOW, true).unwrap());
    assert_eq!(verify(&debug, NOW, &policy), Err(AttestationError::Debug));
    let unlisted = Policy {
        allowed_measurements: vec!["00".repeat(32)],
        ..policy
    };
    assert!(matches!(
        verify(&simulated(1), NOW, &unlisted),
        Err(AttestationError::MeasurementNotAllowed(_))
    ));
}
