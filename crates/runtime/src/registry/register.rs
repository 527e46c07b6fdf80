//! `registry.register_worker`: verify the evidence at the block time against the
//! on-chain policy, check it binds this registration, and record (or refresh) the worker.

use super::{
    Error, Event, MAX_WORKERS, RegistryHooks, TeeCode, WorkerRecord, genesis_hash, policy,
    state_key, worker, worker_count,
};
use crate::{
    CallResult, Ctx,
    state::{State, StateError},
};
use commonware_codec::Encode;
use phalanx_attestation::{AttestationError, DcapEvidence, Policy, SnpEvidence, TeeKind};
use phalanx_types::{AccountId, AttestationPolicy, Evidence, EvidenceKind, WorkerInfo};

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
fn refusal(e: &AttestationError) -> Error {
    use AttestationError::*;
    match e {
        QuoteTooLarge(_) | CollateralTooLarge(_) | VcekTooLarge(_) | MalformedCollateral(_) => {
            Error::EvidenceMalformed
        }
        Invalid(_) | Simulation(_) => Error::EvidenceInvalid,
        Debug => Error::DebugEnclave,
        MeasurementNotAllowed(_) => Error::MeasurementNotAllowed,
        TcbTooLow { .. } => Error::TcbTooLow,
        CollateralTooOld { .. } => Error::EvidenceTooOld,
        SimulatedNotAllowed => Error::SimulatedNotAllowed,
        ReportDataMismatch { .. } => Error::ReportDataMismatch,
    }
}

/// The record to store and whether it refreshes a known worker, or the refusal with its
/// detailed reason.
pub type Verdict = Result<(WorkerRecord, bool), (Error, String)>;

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
            Error::OperatorMismatch,
            format!("worker is operated by {}", record.operator),
        )));
    }
    if let Some(record) = &existing
        && record.info.encryption_key != info.encryption_key
    {
        return Ok(Err((
            Error::EncryptionKeyChanged,
            "a registered worker keeps its encryption key".into(),
        )));
    }
    if existing.is_none() && policy.registrations_frozen {
        return Ok(Err((
            Error::RegistrationsFrozen,
            "the attestation policy freezes new registrations".into(),
        )));
    }
    let refuse = |e: AttestationError| Ok(Err((refusal(&e), e.to_string())));
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

/// Registers or refreshes a worker operated by the signer. On a refusal nothing has been
/// written; a first registration is reported to the hooks (the broadcast queue).
pub fn register_worker(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    hooks: &impl RegistryHooks,
    info: &WorkerInfo,
    evidence: &Evidence,
) -> CallResult {
    let operator = ctx.signer;
    let verdict = verify_registration(state, operator, info, evidence, ctx.env.timestamp_ms)?;
    let (record, refreshed) = verdict.map_err(|(e, _)| e)?;
    let mut events = vec![
        Event::WorkerRegistered {
            worker: info.identity.clone(),
            operator: operator.clone(),
            simulated: record.simulated,
            confidence: record.confidence,
            refreshed,
        }
        .into(),
    ];
    state.put(
        state_key::worker(&info.identity),
        Some(record.encode().to_vec()),
    );
    if !refreshed {
        if worker_count(state)? >= MAX_WORKERS {
            return Err(Error::TooManyWorkers.into());
        }
        state_key::workers().push(state, &info.identity)?;
        events.extend(hooks.worker_registered(state, ctx, &record)?);
    }
    Ok(events)
}
