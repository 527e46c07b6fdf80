//! Handler for `Call::RegisterWorker`: verify the evidence at the block time against the
//! on-chain policy, check it binds this registration, and record (or refresh) the worker.

use super::{
    MAX_WORKERS, TeeCode, WorkerRecord, genesis_hash, policy, worker, worker_at_key, worker_count,
    worker_count_key, worker_key,
};
use crate::{
    receipt::{DispatchError, Event},
    state::{State, StateError},
};
use commonware_codec::Encode;
use phalanx_attestation::{AttestationError, DcapEvidence, Policy, SnpEvidence, TeeKind};
use phalanx_types::{
    AccountId, AttestationPolicy, ChainMessage, Evidence, EvidenceKind, WorkerInfo,
};

/// The attestation crate's policy from the on-chain one.
fn attestation_policy(p: &AttestationPolicy) -> Policy {
    Policy {
        allowed_measurements: p.allowed_measurements.clone(),
        worst_confidence: p.worst_confidence,
        max_collateral_age_secs: p.max_evidence_age_secs,
        allow_simulated: p.allow_simulated,
    }
}

/// Each refusal keeps its own code in the receipt.
fn dispatch_error(e: &AttestationError) -> DispatchError {
    use AttestationError::*;
    match e {
        QuoteTooLarge(_) | CollateralTooLarge(_) | VcekTooLarge(_) | MalformedCollateral(_) => {
            DispatchError::EvidenceMalformed
        }
        Invalid(_) | Simulation(_) => DispatchError::EvidenceInvalid,
        Debug => DispatchError::DebugEnclave,
        MeasurementNotAllowed(_) => DispatchError::MeasurementNotAllowed,
        TcbTooLow { .. } => DispatchError::TcbTooLow,
        CollateralTooOld { .. } => DispatchError::EvidenceTooOld,
        SimulatedNotAllowed => DispatchError::SimulatedNotAllowed,
        ReportDataMismatch { .. } => DispatchError::ReportDataMismatch,
    }
}

/// The record to store and whether it refreshes a known worker, or the refusal with its
/// detailed reason.
pub type Verdict = Result<(WorkerRecord, bool), (DispatchError, String)>;

/// Verifies `evidence` for `info` operated by `operator`, at `now_ms` (the block time).
/// Returns the record to store and whether it refreshes a known worker, or the precise
/// refusal (also for tools that pre-check).
pub fn verify_registration(
    state: &(impl State + ?Sized),
    operator: &AccountId,
    info: &WorkerInfo,
    evidence: &Evidence,
    now_ms: u64,
) -> Result<Verdict, StateError> {
    let policy = policy(state)?;
    let existing = worker(state, &info.identity)?;
    if let Some(record) = &existing
        && record.operator != *operator
    {
        return Ok(Err((
            DispatchError::OperatorMismatch,
            format!("worker is operated by {}", record.operator),
        )));
    }
    if let Some(record) = &existing
        && record.info.encryption_key != info.encryption_key
    {
        return Ok(Err((
            DispatchError::EncryptionKeyChanged,
            "a registered worker keeps its encryption key".into(),
        )));
    }
    if existing.is_none() && policy.registrations_frozen {
        return Ok(Err((
            DispatchError::RegistrationsFrozen,
            "the attestation policy freezes new registrations".into(),
        )));
    }
    let refuse = |e: AttestationError| Ok(Err((dispatch_error(&e), e.to_string())));
    let parsed = match evidence.kind {
        EvidenceKind::Dcap => {
            DcapEvidence::from_parts(evidence.quote.clone(), &evidence.collateral)
                .map(phalanx_attestation::Evidence::Dcap)
        }
        EvidenceKind::SimulatedDcap => {
            DcapEvidence::from_parts(evidence.quote.clone(), &evidence.collateral)
                .map(phalanx_attestation::Evidence::SimulatedDcap)
        }
        EvidenceKind::SevSnp => {
            SnpEvidence::from_parts(evidence.quote.clone(), evidence.collateral.clone())
                .map(phalanx_attestation::Evidence::SevSnp)
        }
    };
    let evidence = match parsed {
        Ok(e) => e,
        Err(e) => return refuse(e),
    };
    let verified =
        match phalanx_attestation::verify(&evidence, now_ms / 1000, &attestation_policy(&policy)) {
            Ok(v) => v,
            Err(e) => return refuse(e),
        };
    let expected = info.report_data(&genesis_hash(state)?, operator);
    if let Err(e) = verified.check_report_data(&expected) {
        return refuse(e);
    }
    let measurement = hex::decode(verified.measurement.primary()).unwrap_or_default();
    let record = WorkerRecord {
        info: info.clone(),
        operator: operator.clone(),
        tee: match verified.tee {
            TeeKind::Sgx => TeeCode::Sgx,
            TeeKind::Tdx => TeeCode::Tdx,
            TeeKind::Snp => TeeCode::Snp,
        },
        simulated: verified.simulated,
        measurement,
        tcb_status: verified.tcb_status,
        confidence: verified.confidence,
        registered_at_ms: existing.as_ref().map_or(now_ms, |r| r.registered_at_ms),
        last_attested_ms: now_ms,
        gatekeeper: existing.as_ref().is_some_and(|r| r.gatekeeper),
    };
    Ok(Ok((record, existing.is_some())))
}

/// Registers or refreshes a worker. On a dispatch error nothing has been written.
pub fn register_worker(
    state: &mut (impl State + ?Sized),
    operator: &AccountId,
    info: &WorkerInfo,
    evidence: &Evidence,
    now_ms: u64,
) -> Result<Result<Vec<Event>, DispatchError>, StateError> {
    let (record, refreshed) = match verify_registration(state, operator, info, evidence, now_ms)? {
        Ok(verified) => verified,
        Err((e, _)) => return Ok(Err(e)),
    };
    if !refreshed {
        let count = worker_count(state)?;
        if count >= MAX_WORKERS {
            return Ok(Err(DispatchError::TooManyWorkers));
        }
        state.put(worker_at_key(count), Some(info.identity.encode().to_vec()));
        state.put(worker_count_key(), Some((count + 1).encode().to_vec()));
        crate::mq::broadcast(
            state,
            &ChainMessage::WorkerRegistered {
                worker: info.identity.clone(),
                encryption_key: info.encryption_key,
            },
        )?;
    }
    let event = Event::WorkerRegistered {
        worker: info.identity.clone(),
        operator: operator.clone(),
        simulated: record.simulated,
        confidence: record.confidence,
        refreshed,
    };
    state.put(worker_key(&info.identity), Some(record.encode().to_vec()));
    Ok(Ok(vec![event]))
}
