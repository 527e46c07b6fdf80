#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The `registry` module with real (simulated-DCAP) evidence: registration, refresh, listing,
//! every refusal with its own code and no registry change, privileged calls, gatekeepers.

mod common;

use common::*;
use phalanx_runtime::GenesisError;

#[test]
fn a_simulated_worker_registers_is_listed_and_refreshes() {
    let mut c = chain_with(dev_policy());
    let w = info("worker-1");
    let status = c.call(
        "operator",
        register(&w, evidence(&w, "operator", &genesis_hash(), NOW_MS)),
        NOW_MS,
    );
    assert_eq!(status, TxStatus::Success);
    let record = registry::worker(&c.state, &w.identity).unwrap().unwrap();
    assert!(record.simulated);
    assert_eq!(record.operator, id("operator"));
    assert_eq!(record.confidence, 1);
    assert_eq!(record.tcb_status, "UpToDate");
    assert_eq!(hex::encode(&record.measurement), sim::measurement());
    assert_eq!(record.registered_at_ms, NOW_MS);
    assert!(!record.gatekeeper);
    assert_eq!(registry::worker_count(&c.state).unwrap(), 1);
    assert_eq!(
        registry::worker_at(&c.state, 0).unwrap(),
        Some(w.identity.clone())
    );

    // Re-registration with fresh evidence refreshes the record, not the index.
    let later = NOW_MS + DAY_MS;
    let status = c.call(
        "operator",
        register(&w, evidence(&w, "operator", &genesis_hash(), later)),
        later,
    );
    assert_eq!(status, TxStatus::Success);
    let refreshed = registry::worker(&c.state, &w.identity).unwrap().unwrap();
    assert_eq!(refreshed.registered_at_ms, NOW_MS);
    assert_eq!(refreshed.last_attested_ms, later);
    assert_eq!(registry::worker_count(&c.state).unwrap(), 1);

    // Keys were delivered to the attested encryption key: a refresh cannot change it.
    let w2 = WorkerInfo {
        encryption_key: [3u8; 32],
        ..w.clone()
    };
    let status = c.call(
        "operator",
        register(&w2, evidence(&w2, "operator", &genesis_hash(), later)),
        later,
    );
    assert_eq!(
        status,
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::EncryptionKeyChanged
        ))
    );
}

#[test]
fn evidence_for_another_key_operator_or_chain_is_refused_without_change() {
    let mut c = chain_with(dev_policy());
    let w = info("worker-1");
    let cases = [
        // Bound to another chain's genesis (a replay from another network).
        evidence(&w, "operator", &[8u8; 32].into(), NOW_MS),
        // Bound to another operator.
        evidence(&w, "bob", &genesis_hash(), NOW_MS),
        // Bound to another worker's keys.
        evidence(&info("worker-2"), "operator", &genesis_hash(), NOW_MS),
    ];
    for e in cases {
        let before = c.registry_snapshot(&w.identity);
        let status = c.call("operator", register(&w, e), NOW_MS);
        assert_eq!(
            status,
            TxStatus::Failed(DispatchError::Registry(
                phalanx_runtime::registry::Error::ReportDataMismatch
            ))
        );
        assert_eq!(c.registry_snapshot(&w.identity), before);
    }
}

#[test]
fn each_bad_evidence_case_has_its_own_code() {
    let mut c = chain_with(dev_policy());
    let w = info("worker-1");
    let good = evidence(&w, "operator", &genesis_hash(), NOW_MS);
    let report_data = w.report_data(&genesis_hash(), &id("operator"));

    let mut tampered = good.clone();
    tampered.quote[48 + 64] ^= 1;
    let mut garbage = good.clone();
    garbage.collateral = b"{not json".to_vec();
    let debug = sim::produce_with(report_data, NOW_MS / 1000, true).unwrap();
    let debug = Evidence {
        kind: EvidenceKind::SimulatedDcap,
        quote: debug.quote,
        collateral: serde_json::to_vec(&debug.collateral).unwrap(),
    };
    let as_hardware = Evidence {
        kind: EvidenceKind::Dcap,
        ..good.clone()
    };
    let cases = [
        (
            tampered,
            NOW_MS,
            DispatchError::Registry(phalanx_runtime::registry::Error::EvidenceInvalid),
        ),
        (
            garbage,
            NOW_MS,
            DispatchError::Registry(phalanx_runtime::registry::Error::EvidenceMalformed),
        ),
        (
            debug,
            NOW_MS,
            DispatchError::Registry(phalanx_runtime::registry::Error::DebugEnclave),
        ),
        (
            as_hardware,
            NOW_MS,
            DispatchError::Registry(phalanx_runtime::registry::Error::EvidenceInvalid),
        ),
        (
            good.clone(),
            NOW_MS + 8 * DAY_MS,
            DispatchError::Registry(phalanx_runtime::registry::Error::EvidenceTooOld),
        ),
        (
            good.clone(),
            NOW_MS + 31 * DAY_MS,
            DispatchError::Registry(phalanx_runtime::registry::Error::EvidenceInvalid),
        ),
    ];
    for (e, at, expected) in cases {
        let before = c.registry_snapshot(&w.identity);
        assert_eq!(
            c.call("operator", register(&w, e), at),
            TxStatus::Failed(expected)
        );
        assert_eq!(c.registry_snapshot(&w.identity), before);
    }

    // A measurement the policy does not list.
    let mut other = chain_with(AttestationPolicy {
        allowed_measurements: vec!["ab".repeat(32)],
        ..dev_policy()
    });
    assert_eq!(
        other.call("operator", register(&w, good.clone()), NOW_MS),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::MeasurementNotAllowed
        ))
    );
    // A chain whose policy does not allow simulation.
    let mut strict = chain_with(AttestationPolicy {
        allow_simulated: false,
        ..dev_policy()
    });
    assert_eq!(
        strict.call("operator", register(&w, good.clone()), NOW_MS),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::SimulatedNotAllowed
        ))
    );
    // Someone else re-registering a known worker under their account.
    assert_eq!(
        c.call("operator", register(&w, good), NOW_MS),
        TxStatus::Success
    );
    let stolen = evidence(&w, "bob", &genesis_hash(), NOW_MS);
    assert_eq!(
        c.call("bob", register(&w, stolen), NOW_MS),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::OperatorMismatch
        ))
    );
}

#[test]
fn policy_changes_are_privileged_and_freeze_applies_to_new_workers_only() {
    let mut c = chain_with(dev_policy());
    let w = info("worker-1");
    let e = evidence(&w, "operator", &genesis_hash(), NOW_MS);
    assert_eq!(
        c.call("operator", register(&w, e.clone()), NOW_MS),
        TxStatus::Success
    );
    let frozen = AttestationPolicy {
        registrations_frozen: true,
        ..dev_policy()
    };
    assert_eq!(
        c.call(
            "bob",
            RegistryCall::SetAttestationPolicy {
                policy: frozen.clone()
            },
            NOW_MS
        ),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::NotRoot
        ))
    );
    let bad = AttestationPolicy {
        worst_confidence: 9,
        ..dev_policy()
    };
    assert_eq!(
        c.call(
            "alice",
            RegistryCall::SetAttestationPolicy { policy: bad },
            NOW_MS
        ),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::InvalidPolicy
        ))
    );
    assert_eq!(
        c.call(
            "alice",
            RegistryCall::SetAttestationPolicy {
                policy: frozen.clone()
            },
            NOW_MS
        ),
        TxStatus::Success
    );
    assert_eq!(registry::policy(&c.state).unwrap(), frozen);
    // Known workers still refresh; new ones are refused.
    assert_eq!(
        c.call("operator", register(&w, e), NOW_MS),
        TxStatus::Success
    );
    let w2 = info("worker-2");
    let e2 = evidence(&w2, "operator", &genesis_hash(), NOW_MS);
    assert_eq!(
        c.call("operator", register(&w2, e2), NOW_MS),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::RegistrationsFrozen
        ))
    );
}

#[test]
fn gatekeepers_are_attested_workers_promoted_by_root() {
    let mut c = chain_with(dev_policy());
    let w = info("worker-1");
    let promote = |w: &WorkerInfo| RegistryCall::PromoteGatekeeper {
        worker: w.identity.clone(),
    };
    assert_eq!(
        c.call("alice", promote(&w), NOW_MS),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::UnknownWorker
        ))
    );
    let e = evidence(&w, "operator", &genesis_hash(), NOW_MS);
    assert_eq!(
        c.call("operator", register(&w, e), NOW_MS),
        TxStatus::Success
    );
    assert_eq!(
        c.call("operator", promote(&w), NOW_MS),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::NotRoot
        ))
    );
    assert_eq!(
        c.call("alice", promote(&w), NOW_MS + 8 * DAY_MS),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::AttestationExpired
        ))
    );
    assert_eq!(c.call("alice", promote(&w), NOW_MS), TxStatus::Success);
    assert_eq!(
        c.call("alice", promote(&w), NOW_MS),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::AlreadyGatekeeper
        ))
    );
    assert_eq!(
        registry::gatekeepers(&c.state).unwrap(),
        vec![w.identity.clone()]
    );
    assert!(
        registry::worker(&c.state, &w.identity)
            .unwrap()
            .unwrap()
            .gatekeeper
    );
}

#[test]
fn only_development_chains_may_allow_simulation() {
    let mut config =
        GenesisConfig::standard(ChainId::new("phalanx-mainnet").unwrap(), 0, &[]).unwrap();
    config.registry.policy = dev_policy();
    assert!(matches!(
        config.validate(),
        Err(GenesisError::Registry(e)) if e.contains("not a development chain id")
    ));
    config.registry.policy.allow_simulated = false;
    config.validate().unwrap();
}

#[test]
fn a_real_snp_report_reaches_the_binding_check() {
    // AMD's sample verifies (signature chain, VCEK, TCB, debug policy) but its report data was
    // not made for this registration: the chain refuses it at the binding check.
    let measurement = "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f";
    let mut c = chain_with(AttestationPolicy {
        allowed_measurements: vec![measurement.into()],
        allow_simulated: false,
        ..dev_policy()
    });
    let report =
        hex::decode(include_str!("../../attestation/testdata/report_milan.hex").trim()).unwrap();
    let vcek = include_bytes!("../../attestation/testdata/vcek_milan.der").to_vec();
    let w = info("worker-1");
    let snp = Evidence {
        kind: EvidenceKind::SevSnp,
        quote: report,
        collateral: vcek,
    };
    let at = 1_751_371_200_000; // 2025-07-01, inside the VCEK's validity
    assert_eq!(
        c.call("operator", register(&w, snp.clone()), at),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::ReportDataMismatch
        ))
    );
    let mut tampered = snp;
    tampered.quote[0x90] ^= 1;
    assert_eq!(
        c.call("operator", register(&w, tampered), at),
        TxStatus::Failed(DispatchError::Registry(
            phalanx_runtime::registry::Error::EvidenceInvalid
        ))
    );
}
