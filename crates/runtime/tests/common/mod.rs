//! Shared by the runtime's integration tests: a chain in memory with funded accounts, a root
//! account (alice) and a policy accepting simulated evidence, and calls applied as blocks would.
#![allow(dead_code)] // each test file uses its own subset

pub mod dkg;
pub mod mining;

pub use commonware_cryptography::Signer;
pub use phalanx_attestation::sim;
pub use phalanx_crypto::dev_key;
pub use phalanx_runtime::{
    BlockEnv, DispatchError, GenesisConfig, MemoryState, Params, Receipt, TxStatus, apply_tx,
    balances, registry,
};
pub use phalanx_types::{
    AccountId, AttestationPolicy, Call, ChainId, Evidence, EvidenceKind, Hash, MqCall,
    RegistryCall, SignedTx, TxBody, UNITS_PER_PHA, WorkerInfo,
};

/// 2026-11-24T00:00:00Z in milliseconds.
pub const NOW_MS: u64 = 1_795_478_400_000;
pub const DAY_MS: u64 = 86_400_000;

pub fn id(name: &str) -> AccountId {
    dev_key(name).public_key().into()
}

pub fn genesis_hash() -> Hash {
    [7u8; 32].into()
}

pub struct Chain {
    pub state: MemoryState,
    pub params: Params,
    pub chain: ChainId,
}

pub fn dev_policy() -> AttestationPolicy {
    AttestationPolicy {
        allowed_measurements: vec![sim::measurement()],
        worst_confidence: 2,
        max_evidence_age_secs: 7 * 86_400,
        allow_simulated: true,
        registrations_frozen: false,
    }
}

pub fn chain_with(policy: AttestationPolicy) -> Chain {
    let chain = ChainId::new("phalanx-test").unwrap();
    let funded: Vec<_> = ["alice", "bob", "operator"]
        .iter()
        .map(|n| (id(n), 1_000 * UNITS_PER_PHA))
        .collect();
    let mut config = GenesisConfig::standard(chain.clone(), 0, &funded).unwrap();
    config.registry = registry::Genesis {
        root: Some(id("alice")),
        policy,
    };
    let mut state = MemoryState::default();
    config.build(&mut state, &genesis_hash()).unwrap();
    Chain {
        state,
        params: config.params,
        chain,
    }
}

impl Chain {
    pub fn call(&mut self, signer: &str, call: impl Into<Call>, at_ms: u64) -> TxStatus {
        self.call_receipt(signer, call, at_ms).status
    }

    /// Applies `call` signed by `signer` (offering a 1 PHA fee) and returns its receipt.
    pub fn call_receipt(&mut self, signer: &str, call: impl Into<Call>, at_ms: u64) -> Receipt {
        self.call_receipt_at(signer, call, at_ms, 2)
    }

    /// [`Chain::call_receipt`] in a block at `height`.
    pub fn call_receipt_at(
        &mut self,
        signer: &str,
        call: impl Into<Call>,
        at_ms: u64,
        height: u64,
    ) -> Receipt {
        let key = dev_key(signer);
        let nonce = balances::account(&self.state, &id(signer)).unwrap().nonce;
        let tx: SignedTx = TxBody {
            chain_id: self.chain.clone(),
            signer: id(signer),
            nonce,
            fee: UNITS_PER_PHA,
            call: call.into(),
        }
        .sign(&key);
        let env = BlockEnv {
            chain_id: self.chain.clone(),
            height,
            timestamp_ms: at_ms,
        };
        apply_tx(&mut self.state, &self.params, &env, &tx)
            .unwrap()
            .unwrap()
    }

    /// Every registry key's value, to show a refusal changed nothing there.
    pub fn registry_snapshot(&self, worker: &AccountId) -> Vec<Option<Vec<u8>>> {
        use phalanx_runtime::State;
        [
            registry::state_key::policy(),
            registry::state_key::worker(worker),
            registry::state_key::workers().len_key(),
            registry::state_key::workers().entry_key(0),
            registry::state_key::workers().entry_key(1),
            registry::state_key::gatekeepers(),
        ]
        .iter()
        .map(|k| self.state.get(k).unwrap())
        .collect()
    }
}

pub fn info(worker: &str) -> WorkerInfo {
    WorkerInfo {
        identity: id(worker),
        encryption_key: [9u8; 32],
    }
}

/// Simulated evidence binding `info` for `operator` on the chain with `genesis`.
pub fn evidence(info: &WorkerInfo, operator: &str, genesis: &Hash, at_ms: u64) -> Evidence {
    let produced = sim::produce(info.report_data(genesis, &id(operator)), at_ms / 1000).unwrap();
    Evidence {
        kind: EvidenceKind::SimulatedDcap,
        quote: produced.quote,
        collateral: serde_json::to_vec(&produced.collateral).unwrap(),
    }
}

pub fn register(info: &WorkerInfo, evidence: Evidence) -> Call {
    RegistryCall::RegisterWorker {
        info: info.clone(),
        evidence,
    }
    .into()
}
