//! The worker process: open the sealed state (creating keys on first start), follow the chain
//! through the light client, register through the operator's account, then poll: verify new
//! headers, handle messages (see [`crate::mq`]), save progress.

use crate::{
    benchmark::Benchmark,
    chain::{Chain, ChainError, HttpSource, Source, SyncReport, decode},
    mining::MiningConfig,
    seal::Sealer,
    store::{Store, WorkerState},
    tee::TeeSource,
};
use commonware_cryptography::{Signer, ed25519::PrivateKey};
use phalanx_client::client::{self, ClientError};
use phalanx_consensus::{block::Digest, engine::genesis_block, spec::ChainSpec};
use phalanx_runtime::registry::{self, WorkerRecord};
use phalanx_types::{AccountId, AttestationPolicy, Hash, RegistryCall};
use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};
use tracing::{error, info, warn};

/// File the worker keeps its trusted chain spec in.
pub const SPEC_FILE: &str = "chain-spec.json";
/// Largest chain spec file read.
const MAX_SPEC_BYTES: u64 = 1024 * 1024;

/// What the worker process is told.
pub struct WorkerConfig {
    /// Node RPC URL (any node; it is not trusted).
    pub rpc: String,
    /// Directory of the sealed state and the trusted chain spec.
    pub dir: PathBuf,
    pub tee: TeeSource,
    /// The operator account that registers the worker and relays its messages. Without it the
    /// worker can sync but not register.
    pub operator: Option<PrivateKey>,
    /// The chain spec to trust. Without it the worker uses the one saved in `dir`, or on first
    /// start takes the node's (trust on first use, logged) and saves it.
    pub spec: Option<ChainSpec>,
    /// Start from this finalized block instead of genesis (first start only).
    pub checkpoint: Option<Digest>,
    /// Time between polls of the node.
    pub poll: Duration,
    /// The benchmark and mining (see [`crate::mining`]).
    pub mining: MiningConfig,
    /// Where to serve contract queries (`None`: no query server).
    pub query_listen: Option<std::net::SocketAddr>,
}

/// A running worker.
pub struct Worker {
    pub config: WorkerConfig,
    pub spec: ChainSpec,
    pub genesis: Digest,
    store: Store,
    pub state: WorkerState,
    pub chain: Chain,
    /// Whether the "refresh due, no operator" warning was logged (once per process).
    refresh_warned: bool,
    /// The benchmark thread ([`run`] starts it when the config asks for one).
    benchmark: Option<Benchmark>,
    /// Gatekeepers: the newest beacon round this process signed.
    pub(crate) beacon_signed: Option<u64>,
    /// The P at which the chain refused to start this worker's mining (not asked again).
    pub(crate) mining_refused_at_p: Option<u32>,
    /// Whether this process started its own mining already ([`MiningConfig::stake`]).
    pub(crate) mining_auto_started: bool,
    /// The query server's view of the contracts this worker runs, once it serves.
    pub(crate) query: Option<std::sync::Arc<crate::query::QueryBoard>>,
    /// Since when the broadcast queue has waited for a cluster key this worker does not hold
    /// yet (see [`crate::contracts`]).
    pub(crate) key_wait_since: Option<std::time::Instant>,
    /// Whether this worker belongs to each cluster of chosen workers it has met (a cluster's
    /// members never change, so each is read from the chain once; one entry per cluster the
    /// root or governance created).
    pub(crate) memberships: std::collections::BTreeMap<u32, bool>,
}

/// The spec to trust: given, saved earlier, or the node's on first use.
fn trusted_spec(config: &WorkerConfig, source: &dyn Source) -> Result<ChainSpec, String> {
    let path = config.dir.join(SPEC_FILE);
    let saved = if path.exists() {
        let text = crate::files::read_limited_text(&path, MAX_SPEC_BYTES, "chain spec")?;
        Some(ChainSpec::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?)
    } else {
        None
    };
    let spec = match (&config.spec, saved) {
        (Some(given), Some(saved)) if *given != saved => {
            return Err(format!(
                "the chain spec given differs from the one this worker trusts ({}); use another --data-dir",
                path.display()
            ));
        }
        (Some(given), _) => given.clone(),
        (None, Some(saved)) => saved,
        (None, None) => {
            let spec = source
                .chain_spec()
                .map_err(|e| format!("reading the node's chain spec: {e}"))?;
            spec.validate()
                .map_err(|e| format!("the node's chain spec is invalid: {e}"))?;
            warn!(
                chain = %spec.genesis.chain_id,
                "no chain spec given: trusting the node's on first use and saving it; pass --spec FILE to pin it"
            );
            spec
        }
    };
    if !path.exists() {
        std::fs::create_dir_all(&config.dir)
            .map_err(|e| format!("creating {}: {e}", config.dir.display()))?;
        crate::files::write_atomic(&path, spec.to_json().as_bytes())?;
    }
    Ok(spec)
}

impl Worker {
    /// Opens (or creates) the worker in `config.dir`.
    pub fn open(config: WorkerConfig) -> Result<Self, String> {
        Self::open_with(config, None)
    }

    /// [`Worker::open`] reading the chain through `source` instead of the RPC (tests use this
    /// to put a lying node in between).
    pub fn open_with(
        config: WorkerConfig,
        source: Option<Box<dyn Source>>,
    ) -> Result<Self, String> {
        let source = source.unwrap_or_else(|| {
            Box::new(HttpSource {
                rpc: config.rpc.clone(),
            })
        });
        let spec = trusted_spec(&config, source.as_ref())?;
        let genesis = genesis_block(&spec).header().digest();
        let genesis_hex = hex::encode(genesis);
        // The node's word decides nothing here (every later read is verified), but a node of
        // another chain deserves a clear error rather than a stream of refusals.
        if let Ok(info) = source.chain()
            && info.genesis != genesis_hex
        {
            let theirs = info.genesis;
            return Err(format!(
                "the node at {} serves the chain with genesis {theirs}, but this worker follows genesis {genesis_hex} (chain spec {}); use another --data-dir for another chain",
                config.rpc,
                config.dir.join(SPEC_FILE).display()
            ));
        }
        let chain_id = spec.genesis.chain_id.as_str().to_string();
        let sealer: Sealer = config.tee.sealer(&config.dir)?;
        if sealer.is_simulated() {
            warn!(
                dir = %config.dir.display(),
                "SIMULATED TEE: the worker's state is sealed with a key file on disk; no hardware protects its secrets"
            );
        }
        let store = Store::new(&config.dir, sealer);
        let state = match store
            .load(&chain_id, &genesis_hex)
            .map_err(|e| e.to_string())?
        {
            Some(state) => {
                info!(
                    worker = %state.id(),
                    tip = state.tip.map(|t| t.height),
                    "resumed worker state"
                );
                state
            }
            None => {
                let state = WorkerState::new(&chain_id, &genesis_hex)?;
                // Keys are saved before anything uses them, so a crash cannot lose them.
                store.save(&state).map_err(|e| e.to_string())?;
                info!(worker = %state.id(), "created worker keys (identity and encryption) in the sealed state");
                state
            }
        };
        let chain = match (state.tip, config.checkpoint) {
            (Some(tip), _) => Chain::new(source, &spec, Some(tip))?,
            (None, Some(hash)) => {
                let chain = Chain::from_checkpoint(source, &spec, &hash)
                    .map_err(|e| format!("checkpoint {}: {e}", hex::encode(hash)))?;
                info!(height = chain.tip().height, "starting from the checkpoint");
                chain
            }
            (None, None) => Chain::new(source, &spec, None)?,
        };
        let mut worker = Self {
            config,
            spec,
            genesis,
            store,
            state,
            chain,
            refresh_warned: false,
            benchmark: None,
            beacon_signed: None,
            mining_refused_at_p: None,
            mining_auto_started: false,
            query: None,
            key_wait_since: None,
            memberships: std::collections::BTreeMap::new(),
        };
        worker.save()?;
        Ok(worker)
    }

    pub fn id(&self) -> AccountId {
        self.state.id()
    }

    pub fn dir(&self) -> &Path {
        &self.config.dir
    }

    pub(crate) fn save(&mut self) -> Result<(), String> {
        self.state.tip = Some(self.chain.tip());
        self.store.save(&self.state).map_err(|e| e.to_string())
    }

    /// Verifies every header the node has after the tip, saving progress after each batch.
    pub fn sync(&mut self) -> Result<SyncReport, ChainError> {
        let Self {
            chain,
            state,
            store,
            ..
        } = self;
        let mut last_log = Instant::now();
        chain.sync(|tip| {
            state.tip = Some(*tip);
            if let Err(e) = store.save(state) {
                error!(error = %e, "cannot save the worker state");
            }
            if last_log.elapsed() > Duration::from_secs(2) {
                info!(height = tip.height, "syncing: verified headers");
                last_log = Instant::now();
            }
        })
    }

    /// This worker's registry record, read with a proof.
    pub fn record(&mut self) -> Result<Option<WorkerRecord>, ChainError> {
        self.chain
            .read_typed(registry::state_key::worker(&self.id()), "worker record")
    }

    /// Registers the worker if the chain does not know it yet: evidence binding its keys to
    /// the chain and the operator, submitted by the operator's account.
    pub fn ensure_registered(&mut self) -> Result<WorkerRecord, String> {
        match self.record().map_err(|e| e.to_string())? {
            Some(record) => Ok(record),
            None => self.submit_registration(None).map_err(|e| e.to_string()),
        }
    }

    /// Submits a registration (a first one, or a refresh of the attestation) and returns the
    /// record the chain then holds, read with a proof.
    /// Errors tell an unreachable node, a refusal by the node and a failure in the block apart
    /// ([`ClientError`]).
    pub fn register(&mut self) -> Result<WorkerRecord, ClientError> {
        let before = self
            .record()
            .map_err(|e| ClientError::Other(e.to_string()))?
            .map(|r| r.last_attested_ms);
        self.submit_registration(before)
    }

    /// Submits a registration and waits for a proof of a record attested after `before` (the
    /// previous record's attestation time, if there was one).
    fn submit_registration(&mut self, before: Option<u64>) -> Result<WorkerRecord, ClientError> {
        let operator = self.config.operator.as_ref().ok_or_else(|| {
            ClientError::Other(
                "this worker is not registered; pass --operator KEY (the account that registers it and pays the fee)".into(),
            )
        })?;
        let operator_id = AccountId::from(operator.public_key());
        let info = self.state.info();
        let genesis: [u8; 32] = self
            .genesis
            .as_ref()
            .try_into()
            .map_err(|_| ClientError::Other("digest size".into()))?;
        let report_data = info.report_data(&Hash::from(genesis), &operator_id);
        let evidence = self
            .config
            .tee
            .produce(report_data, crate::tee::now_secs())
            .map_err(ClientError::Other)?;
        let chain = client::ChainInfo::fetch(&self.config.rpc)?;
        if chain.chain_id != self.spec.genesis.chain_id || chain.genesis != Hash::from(genesis) {
            return Err(ClientError::Other(format!(
                "the node at {} serves chain `{}`, not the `{}` this worker trusts",
                self.config.rpc, chain.chain_id, self.spec.genesis.chain_id
            )));
        }
        info!(worker = %info.identity, operator = %operator_id, "registering");
        client::send_checked(
            &self.config.rpc,
            &chain,
            operator,
            RegistryCall::RegisterWorker { info, evidence }.into(),
            "registration",
            true,
        )?;
        // The node said the registration is final; believe only a proof of it.
        for _ in 0..50 {
            if let Some(record) = self
                .record()
                .map_err(|e| ClientError::Other(e.to_string()))?
                && Some(record.last_attested_ms) != before
            {
                info!(worker = %self.id(), tee = ?record.tee, simulated = record.simulated, "registered");
                return Ok(record);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(ClientError::Other(
            "the registration finalized but no proof of the record could be read".into(),
        ))
    }

    /// Starts the benchmark thread at `duty_percent` of one core (0: none).
    pub fn start_benchmark(&mut self, duty_percent: u8) -> Result<(), String> {
        if duty_percent == 0 || self.benchmark.is_some() {
            return Ok(());
        }
        let bench = Benchmark::start(duty_percent)
            .map_err(|e| format!("starting the benchmark thread: {e}"))?;
        info!(duty_percent, "benchmark running");
        self.benchmark = Some(bench);
        Ok(())
    }

    /// One poll: verify new headers, handle new messages, do the gatekeeper's beacon duty and
    /// the miner's (reports, heartbeats), and refresh the attestation when it is due. Refusals
    /// are logged and leave the worker where it was; a failed mining step does not hold up
    /// the attestation refresh.
    pub fn tick(&mut self) -> Result<(), String> {
        self.sync().map_err(|e| e.to_string())?;
        self.process_messages()?;
        let gatekeeper = self
            .record()
            .map_err(|e| e.to_string())?
            .is_some_and(|r| r.gatekeeper);
        if gatekeeper && let Err(e) = self.beacon_duty() {
            warn!(error = %e, "beacon share failed; trying again next round");
        }
        if let Some(bench) = self.benchmark.take() {
            let mined = self.mining_duties(&bench);
            self.benchmark = Some(bench);
            if let Err(e) = mined {
                warn!(error = %e, "mining step failed; trying again on the next poll");
            }
        }
        self.refresh_attestation_if_due()?;
        Ok(())
    }

    /// Registers again with fresh evidence once half of the policy's evidence age has passed
    /// since the last attestation, so the worker stays eligible (a gatekeeper must be
    /// currently attested to be promoted, and the chain will judge liveness by it). Returns
    /// whether it refreshed. Needs the operator key; without it the worker only warns.
    pub fn refresh_attestation_if_due(&mut self) -> Result<bool, String> {
        let keys = [
            registry::state_key::worker(&self.id()).into(),
            registry::state_key::policy().into(),
        ];
        let (values, tip) = self.chain.read(&keys).map_err(|e| e.to_string())?;
        let (Some(Some(record)), Some(Some(policy))) = (values.first(), values.get(1)) else {
            return Ok(false);
        };
        let record: WorkerRecord = decode(record, "worker record").map_err(|e| e.to_string())?;
        let policy: AttestationPolicy =
            decode(policy, "attestation policy").map_err(|e| e.to_string())?;
        let age_ms = tip.timestamp_ms.saturating_sub(record.last_attested_ms);
        if !refresh_due(age_ms, policy.max_evidence_age_secs) {
            return Ok(false);
        }
        if self.config.operator.is_none() {
            if !self.refresh_warned {
                warn!(
                    age_secs = age_ms / 1000,
                    "the attestation is due for a refresh; restart with --operator KEY to refresh it"
                );
                self.refresh_warned = true;
            }
            return Ok(false);
        }
        info!(age_secs = age_ms / 1000, "refreshing the attestation");
        self.register().map_err(|e| e.to_string())?;
        Ok(true)
    }
}

/// Whether an attestation `age_ms` old should be refreshed under a policy that accepts
/// evidence up to `max_age_secs` old: once half of that has passed, which leaves the other half
/// for retries when the node or the operator's account is unavailable.
pub fn refresh_due(age_ms: u64, max_age_secs: u64) -> bool {
    age_ms >= max_age_secs.saturating_mul(1000) / 2
}

/// Runs the worker until `stop` is set.
pub fn run(config: WorkerConfig, stop: Arc<AtomicBool>) -> Result<(), String> {
    run_with(config, stop, |_, _| Ok(()))
}

/// [`run`], calling `on_registered` once the chain holds the worker's record (`phalanx dev`
/// promotes its worker to gatekeeper there).
pub fn run_with(
    config: WorkerConfig,
    stop: Arc<AtomicBool>,
    on_registered: impl FnOnce(&mut Worker, &WorkerRecord) -> Result<(), String>,
) -> Result<(), String> {
    let mut worker = Worker::open(config)?;
    info!(
        worker = %worker.id(),
        encryption_key = hex::encode(worker.state.info().encryption_key),
        chain = %worker.spec.genesis.chain_id,
        tip = worker.chain.tip().height,
        "worker started"
    );
    // Catch up first, so registration reads a recent state.
    loop {
        match worker.sync() {
            Ok(report) => {
                info!(
                    from = report.from,
                    to = report.to,
                    seconds = format!("{:.3}", report.seconds),
                    "synced: every header verified against the validators' finality certificates"
                );
                break;
            }
            Err(e) => {
                error!(error = %e, "sync failed; retrying");
                if sleep_or_stop(&stop, worker.config.poll) {
                    return Ok(());
                }
            }
        }
    }
    let record = loop {
        match worker.ensure_registered() {
            Ok(record) => break record,
            Err(e) => {
                warn!(error = %e, "registration failed; retrying");
                if sleep_or_stop(&stop, Duration::from_secs(2).max(worker.config.poll)) {
                    return Ok(());
                }
            }
        }
    };
    worker.start_benchmark(worker.config.mining.benchmark_duty_percent)?;
    if let Some(listen) = worker.config.query_listen
        && let Err(e) = worker.start_query_server(listen)
    {
        // The worker's duties to the chain go on; only queries are not served.
        error!(error = %e, "NOT serving contract queries");
    }
    on_registered(&mut worker, &record)?;
    // Tell the chain this worker is up and how far it has verified.
    let tip_height = worker.chain.tip().height;
    if let Err(e) = worker.send_message(phalanx_types::Payload::Heartbeat { tip_height }) {
        warn!(error = %e, "could not send the start-up heartbeat");
    }
    while !sleep_or_stop(&stop, worker.config.poll) {
        if let Err(e) = worker.tick() {
            error!(error = %e, tip = worker.chain.tip().height, "poll failed; staying at the verified tip");
        }
    }
    info!(tip = worker.chain.tip().height, "worker stopped");
    Ok(())
}

/// Sleeps `d` in short steps; true if `stop` was set.
fn sleep_or_stop(stop: &AtomicBool, d: Duration) -> bool {
    let until = Instant::now() + d;
    while Instant::now() < until {
        if stop.load(Ordering::Relaxed) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50).min(d));
    }
    stop.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::refresh_due;

    #[test]
    fn attestation_refresh_is_due_at_half_the_evidence_age() {
        let day_ms = 86_400_000;
        assert!(!refresh_due(0, 30 * 86_400));
        assert!(!refresh_due(15 * day_ms - 1, 30 * 86_400));
        assert!(refresh_due(15 * day_ms, 30 * 86_400));
        assert!(refresh_due(40 * day_ms, 30 * 86_400));
        // A zero limit is always due; a huge one saturates instead of overflowing.
        assert!(refresh_due(0, 0));
        assert!(!refresh_due(u64::MAX / 4, u64::MAX));
    }
}
