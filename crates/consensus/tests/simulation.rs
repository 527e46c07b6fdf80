#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! Whole-network tests on commonware's deterministic runtime: four Phalanx validators (the real
//! engine wiring: simplex, marshal, stateful QMDB, the Phalanx application, gossip) on a
//! simulated network, reproducible from a seed. They check that validators never disagree on a
//! finalized block (commonware's progress tracker fails on any fork), that every validator
//! executes the same transfers to the same state, that the same seed gives the same run, and
//! that the chain keeps finalizing while validators crash and restart from their storage.

use commonware_consensus::{marshal::Identifier, types::Height};
use commonware_cryptography::{Digestible as _, Signer, ed25519};
use commonware_glue::simulate::{
    action::Crash,
    engine::{EngineDefinition, InitContext},
    exit::ProcessedHeightAtLeast,
    plan::PlanBuilder,
    processed::ProcessedHeight,
    property::Property,
    reporter::MonitorReporter,
    tracker::ProgressTracker,
};
use commonware_runtime::{Handle, Quota, deterministic};
use commonware_utils::NZU32;
use phalanx_consensus::{
    admission::Admission,
    engine::{self, CHANNELS, MarshalMailbox, Network, StateMailbox},
    mempool::{Limits, Mempool},
    reader::QmdbReader,
    spec::{ChainSpec, ValidatorSpec},
};
use phalanx_runtime::{GenesisConfig, Params};
use phalanx_types::{AccountId, BalancesCall, ChainId, SignedTx, TxBody, UNITS_PER_PHA};
use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

const VALIDATORS: usize = 4;
/// Transfers validator 0's pool holds at start.
const TRANSFERS: u64 = 50;

fn key(i: usize) -> ed25519::PrivateKey {
    phalanx_crypto::dev_key(&format!("validator-{i}"))
}

fn alice() -> ed25519::PrivateKey {
    phalanx_crypto::dev_key("alice")
}

fn bob() -> AccountId {
    phalanx_crypto::dev_key("bob").public_key().into()
}

fn spec() -> ChainSpec {
    let funded = [(AccountId::from(alice().public_key()), 1_000 * UNITS_PER_PHA)];
    // Genesis at time 0: the deterministic clock starts at the epoch.
    let genesis =
        GenesisConfig::standard(ChainId::new("phalanx-sim").unwrap(), 0, &funded).unwrap();
    ChainSpec {
        genesis,
        validators: (0..VALIDATORS)
            .map(|i| ValidatorSpec {
                public_key: key(i).public_key().into(),
                p2p_address: format!("127.0.0.1:{}", 30_000 + i).parse().unwrap(),
            })
            .collect(),
        block_interval_ms: 100,
    }
}

fn transfers(spec: &ChainSpec) -> Vec<SignedTx> {
    let params = Params::default();
    (0..TRANSFERS)
        .map(|nonce| {
            let mut body = TxBody {
                chain_id: spec.genesis.chain_id.clone(),
                signer: alice().public_key().into(),
                nonce,
                fee: 0,
                call: BalancesCall::Transfer {
                    to: bob(),
                    amount: UNITS_PER_PHA,
                }
                .into(),
            };
            body.fee = params.fees.base_fee * 10 + params.fees.transfer_fee * 10;
            body.sign(&alice())
        })
        .collect()
}

#[derive(Clone)]
struct Phalanx {
    spec: ChainSpec,
}

/// What the harness may inspect. Only mailboxes: holding the database itself would keep a
/// crashed validator's storage open across its restart.
struct State {
    marshal: MarshalMailbox,
    stateful: StateMailbox<deterministic::Context>,
    chain_id: ChainId,
}

impl State {
    /// Reads accounts from the validator's finalized state, as its RPC would.
    async fn admission(&self) -> Admission {
        let db = self.stateful.subscribe_databases().await;
        Admission::new(
            self.chain_id.clone(),
            Mempool::new(Limits::default()),
            Arc::new(QmdbReader { db }),
            None,
        )
    }
}

impl ProcessedHeight for State {
    async fn processed_height(&self) -> u64 {
        self.marshal
            .get_processed()
            .await
            .map_or(0, |p| p.height().get())
    }
}

impl EngineDefinition for Phalanx {
    type PublicKey = ed25519::PublicKey;
    type Engine = Handle<()>;
    type State = State;

    fn participants(&self) -> Vec<ed25519::PublicKey> {
        (0..VALIDATORS).map(|i| key(i).public_key()).collect()
    }

    fn channels(&self) -> Vec<(u64, Quota)> {
        CHANNELS
            .iter()
            .map(|c| (*c, Quota::per_second(NZU32!(10_000))))
            .collect()
    }

    fn max_message_size(&self) -> u32 {
        engine::max_message_size(VALIDATORS)
    }

    async fn init(&self, ctx: InitContext<'_, ed25519::PublicKey>) -> (Handle<()>, State) {
        let InitContext {
            context,
            index,
            public_key,
            oracle,
            channels,
            monitor,
            ..
        } = ctx;
        let mut channels = channels.into_iter();
        let mut next = || channels.next().unwrap();
        let net = Network {
            votes: next(),
            certificates: next(),
            resolver: next(),
            backfill: next(),
            broadcast: next(),
            gossip: next(),
            peers: oracle.manager(),
            blocker: oracle.control(public_key.clone()),
        };
        let mempool = Mempool::new(Limits::default());
        if index == 0 {
            // Validator 0's clients submitted transfers; gossip and proposals spread them.
            // (Admitted against the genesis allocation: alice has nonce 0 and her funding.)
            for tx in transfers(&self.spec) {
                let bytes = commonware_codec::Encode::encode(&tx);
                mempool
                    .admit_bytes(
                        &bytes,
                        &self.spec.genesis.chain_id,
                        &Params::default(),
                        |_| (0, 1_000 * UNITS_PER_PHA),
                    )
                    .unwrap();
            }
        }
        let pk = public_key.clone();
        let running = engine::build(
            context,
            &self.spec,
            key(index),
            net,
            mempool,
            Arc::new(phalanx_consensus::receipt_log::NoReceiptLog),
            &format!("validator-{index}"),
            move |state| MonitorReporter::new(pk, monitor, state),
        )
        .await
        .unwrap();
        (
            running.consensus,
            State {
                marshal: running.marshal,
                stateful: running.state,
                chain_id: self.spec.genesis.chain_id.clone(),
            },
        )
    }

    fn start(engine: Handle<()>) -> Handle<()> {
        engine
    }
}

/// Every validator holds the same block (digest and state root) at `height`, and the same
/// account for alice and bob: all transfers executed, identically, everywhere.
#[derive(Clone)]
struct SameChainAndState {
    height: u64,
}

impl Property<ed25519::PublicKey, State> for SameChainAndState {
    fn name(&self) -> &str {
        "same_chain_and_state"
    }

    fn check<'a>(
        &'a self,
        _tracker: &'a ProgressTracker<ed25519::PublicKey>,
        states: &'a [&'a State],
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            let mut seen = None;
            for (i, state) in states.iter().enumerate() {
                let block = state
                    .marshal
                    .get_block(Identifier::Height(Height::new(self.height)))
                    .await
                    .ok_or(format!("validator {i} has no block {}", self.height))?;
                let admission = state.admission().await;
                let alice = admission
                    .account(&alice().public_key().into())
                    .await
                    .ok_or("corrupt account")?;
                let bob = admission.account(&bob()).await.ok_or("corrupt account")?;
                if alice.nonce != TRANSFERS || bob.balance != TRANSFERS as u128 * UNITS_PER_PHA {
                    return Err(format!(
                        "validator {i}: alice nonce {}, bob balance {}",
                        alice.nonce, bob.balance
                    ));
                }
                let view = (
                    block.inner().state_root,
                    block.digest(),
                    alice.balance,
                    bob.balance,
                );
                match &seen {
                    None => seen = Some(view),
                    Some(first) if *first == view => {}
                    Some(first) => {
                        return Err(format!("validator {i} differs: {view:?} vs {first:?}"));
                    }
                }
            }
            Ok(())
        })
    }
}

#[test]
fn four_validators_agree_and_execute_identically() {
    let runs = |seeds: std::ops::Range<u64>| {
        PlanBuilder::new(Phalanx { spec: spec() })
            .seeds(seeds)
            .exit_condition(ProcessedHeightAtLeast::new(20))
            .property(SameChainAndState { height: 20 })
            .timeout(Duration::from_secs(120))
            .run()
            .unwrap()
    };
    let first = runs(0..3);
    let again = runs(0..3);
    for (seed, (a, b)) in first.iter().zip(&again).enumerate() {
        assert_eq!(a.state, b.state, "seed {seed} is not reproducible");
    }
}

#[test]
fn chain_keeps_finalizing_while_validators_crash_and_restart() {
    let results = PlanBuilder::new(Phalanx { spec: spec() })
        .seeds(0..2)
        .crash(Crash::Random {
            frequency: Duration::from_secs(2),
            downtime: Duration::from_secs(1),
            count: 1,
        })
        .exit_condition(ProcessedHeightAtLeast::new(40))
        .property(SameChainAndState { height: 40 })
        .timeout(Duration::from_secs(300))
        .run()
        .unwrap();
    assert!(
        results.iter().all(|r| r.crashes > 0),
        "the plan must actually crash validators"
    );
}
