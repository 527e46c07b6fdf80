//! Wires a validator together: authenticated p2p, marshal (block dissemination, backfill and
//! the finalized archive), the stateful QMDB layer, and the simplex BFT engine.

use crate::{
    admission::Admission,
    app::{App, Databases, Finalized, Scheme, StateDb},
    block::{Block, Digest},
    gossip,
    mempool::Mempool,
    reader::QmdbReader,
    receipt_log::ReceiptLog,
    spec::ChainSpec,
};
use commonware_broadcast::buffered;
use commonware_consensus::{
    marshal::{
        self,
        core::Actor as MarshalActor,
        resolver::p2p as marshal_resolver,
        standard::{Deferred, Standard},
    },
    simplex::{
        self,
        config::{ForwardPolicy, SkipPolicy},
        elector::RoundRobin,
    },
    types::{Epoch, FixedEpocher, ViewDelta},
};
use commonware_cryptography::ChaCha20Poly1305;
use commonware_cryptography::{Digestible, Sha256, Signer, certificate::ConstantProvider, ed25519};
use commonware_glue::stateful::{
    Config as StatefulConfig, Mailbox as StatefulMailbox, Stateful, SyncPlan,
    db::{DatabaseSet, SyncEngineConfig},
};
use commonware_p2p::{Address, AddressableManager, authenticated::lookup};
use commonware_parallel::Sequential;
use commonware_runtime::{Clock, Handle, Quota, Spawner, Supervisor as _, buffer::paged::CacheRef};
use commonware_storage::{archive::prunable, translator::TwoCap};
use commonware_stream::{
    cups::{self, Cups},
    sake::{self, Sake},
};
use commonware_utils::{
    NZDuration, NZU16, NZU32, NZU64, NZUsize,
    ordered::{Map, Set},
};
use futures::channel::mpsc;
use std::{net::SocketAddr, num::NonZeroUsize, sync::Arc, time::Duration};

/// The marshal mailbox type, used by the RPC to read finalized blocks.
pub type MarshalMailbox = marshal::core::Mailbox<Scheme, Standard<Block>>;

/// The stateful mailbox type, used by the RPC to read state.
pub type StateMailbox<E> = StatefulMailbox<E, App>;

const IO_BUFFER: NonZeroUsize = NZUsize!(64 * 1024);
const PAGE_SIZE: std::num::NonZeroU16 = NZU16!(4096);
const PAGE_CACHE_PAGES: NonZeroUsize = NZUsize!(4096);
const SYNC_BATCH: std::num::NonZeroU64 = NZU64!(256);

/// What a running validator exposes to the rest of the process.
pub struct Running<E: commonware_storage::Context + Spawner + Clock> {
    pub marshal: MarshalMailbox,
    pub state: StateMailbox<E>,
    /// Admission into the pool (RPC and gossip), over the finalized state.
    pub admission: Arc<Admission>,
    pub finalized: mpsc::UnboundedReceiver<Finalized>,
    pub genesis_digest: Digest,
    pub consensus: Handle<()>,
}

/// Consensus and p2p namespace for a chain: signatures for one chain never verify on another.
pub fn namespace(spec: &ChainSpec) -> Vec<u8> {
    spec.genesis.chain_id.namespace(b"phalanx/consensus/v1/")
}

fn archive_config<C>(
    prefix: &str,
    name: &str,
    page_cache: CacheRef,
    codec_config: C,
) -> prunable::Config<TwoCap, C> {
    prunable::Config {
        translator: TwoCap,
        metadata_partition: format!("{prefix}-{name}-metadata"),
        key_partition: format!("{prefix}-{name}-key"),
        key_page_cache: page_cache,
        value_partition: format!("{prefix}-{name}-value"),
        compression: None,
        codec_config,
        items_per_section: NZU64!(4096),
        key_write_buffer: IO_BUFFER,
        value_write_buffer: IO_BUFFER,
        replay_buffer: IO_BUFFER,
    }
}

/// The genesis block for a spec (its state is empty; block 1 writes the genesis allocation).
pub fn genesis_block(spec: &ChainSpec) -> Block {
    let initial = <Databases<commonware_runtime::tokio::Context> as DatabaseSet<
        commonware_runtime::tokio::Context,
    >>::initial_sync_targets();
    Block::genesis(
        spec.hash(),
        spec.genesis.genesis_time_ms,
        initial.root,
        initial.root,
        initial.range,
    )
}

/// Checks that `signer` is a validator of `spec` and returns the consensus signing scheme.
fn scheme_for(spec: &ChainSpec, signer: &ed25519::PrivateKey) -> Result<Scheme, String> {
    let me = signer.public_key();
    let participants: Vec<ed25519::PublicKey> = spec
        .validators
        .iter()
        .map(|v| v.public_key.public_key().clone())
        .collect();
    if !participants.contains(&me) {
        return Err(format!(
            "this node's key {} is not in the chain spec's validator set",
            hex::encode(me.as_ref())
        ));
    }
    let participant_set: Set<ed25519::PublicKey> =
        Set::try_from(participants).map_err(|_| "validator keys must be distinct".to_string())?;
    Scheme::signer(&namespace(spec), participant_set, signer.clone())
        .ok_or_else(|| "signer is not a validator".to_string())
}

/// Largest p2p message a network of `validators` needs (consensus, blocks, gossip).
pub fn max_message_size(validators: usize) -> u32 {
    let n = validators as u32;
    commonware_p2p::max_message_size(&[
        simplex::max_payload_size::<Scheme, Digest>(n),
        marshal::max_payload_size::<Standard<Block>, Scheme>(n, &()),
        gossip::MAX_GOSSIP_BYTES,
    ])
}

/// The p2p channels, in the order [`Network`] expects them.
pub const CHANNELS: [u64; 6] = [0, 1, 2, 3, 4, gossip::GOSSIP_CHANNEL];

/// A validator's view of the network, however it is connected: authenticated TCP (`lookup`)
/// in a real node, commonware's simulated network in deterministic tests.
pub struct Network<S, R, P, B> {
    pub votes: (S, R),
    pub certificates: (S, R),
    pub resolver: (S, R),
    pub backfill: (S, R),
    pub broadcast: (S, R),
    pub gossip: (S, R),
    /// Who the peers are (for marshal backfill and block broadcast).
    pub peers: P,
    /// Where misbehaving peers are reported.
    pub blocker: B,
}

/// Starts a validator on the tokio runtime `context`, with authenticated TCP p2p.
pub async fn start(
    context: commonware_runtime::tokio::Context,
    spec: ChainSpec,
    signer: ed25519::PrivateKey,
    p2p_listen: SocketAddr,
    mempool: Mempool,
    receipt_log: Arc<dyn ReceiptLog>,
) -> Result<Running<commonware_runtime::tokio::Context>, String> {
    scheme_for(&spec, &signer)?;
    let namespace = namespace(&spec);
    let participants = spec.validators.len();
    let p2p_cfg = lookup::Config::local(
        Cups::<_, ChaCha20Poly1305>::new(
            Sake {
                signer: signer.clone(),
                synchrony_bound: Duration::from_secs(5),
                max_handshake_age: Duration::from_secs(10),
                version: sake::Version::V1,
            },
            cups::Version::V1,
        ),
        &namespace,
        p2p_listen,
        NZUsize!(participants.max(1)),
        max_message_size(participants),
        NZUsize!(1_024),
    );
    let (mut network, mut oracle) = lookup::Network::new(context.child("p2p"), p2p_cfg);
    let peers: Map<ed25519::PublicKey, Address> = spec
        .validators
        .iter()
        .map(|v| {
            (
                v.public_key.public_key().clone(),
                Address::from(v.p2p_address),
            )
        })
        .collect::<Vec<_>>()
        .try_into()
        .map_err(|_| "validator keys must be distinct".to_string())?;
    oracle.track(0, peers);
    let quota = Quota::per_second(NZU32!(10_000));
    let net = Network {
        votes: network.register(CHANNELS[0], quota),
        certificates: network.register(CHANNELS[1], quota),
        resolver: network.register(CHANNELS[2], quota),
        backfill: network.register(CHANNELS[3], quota),
        broadcast: network.register(CHANNELS[4], quota),
        gossip: network.register(CHANNELS[5], quota),
        peers: oracle.clone(),
        blocker: oracle,
    };
    network.start();
    build(
        context,
        &spec,
        signer,
        net,
        mempool,
        receipt_log,
        "phalanx",
        |state| state,
    )
    .await
}

/// Wires and starts a validator's actors on any commonware runtime and network. `reporter`
/// wraps the stateful layer as marshal's reporter (tests add a monitor around it).
// Each argument is a distinct piece a caller wires in (runtime, spec, key, network, pool,
// receipt log, storage prefix, reporter); a struct holding them would only rename them.
#[allow(clippy::too_many_arguments)]
pub async fn build<E, S, R, P, B, Rep>(
    context: E,
    spec: &ChainSpec,
    signer: ed25519::PrivateKey,
    net: Network<S, R, P, B>,
    mempool: Mempool,
    receipt_log: Arc<dyn ReceiptLog>,
    prefix: &str,
    reporter: impl FnOnce(StateMailbox<E>) -> Rep,
) -> Result<Running<E>, String>
where
    E: rand_core::CryptoRng
        + Spawner
        + commonware_runtime::Metrics
        + Clock
        + commonware_runtime::Storage
        + commonware_storage::Context,
    S: commonware_p2p::Sender<PublicKey = ed25519::PublicKey>,
    R: commonware_p2p::Receiver<PublicKey = ed25519::PublicKey>,
    P: commonware_p2p::Provider<PublicKey = ed25519::PublicKey>,
    B: commonware_p2p::Blocker<PublicKey = ed25519::PublicKey>,
    Rep: commonware_consensus::Reporter<Activity = marshal::Update<Block>>,
{
    let scheme = scheme_for(spec, &signer)?;
    let me = signer.public_key();
    let participants = spec.validators.len();
    let Network {
        votes,
        certificates,
        resolver: resolver_net,
        backfill,
        broadcast: broadcast_net,
        gossip: (gossip_sender, gossip_receiver),
        peers,
        blocker,
    } = net;
    let prefix = prefix.to_string();
    let page_cache = CacheRef::new(PAGE_SIZE, PAGE_CACHE_PAGES);

    // --- marshal ---
    let resolver = marshal_resolver::init(
        context.child("marshal_resolver"),
        marshal_resolver::Config {
            public_key: me.clone(),
            peer_provider: peers.clone(),
            blocker: blocker.clone(),
            mailbox_size: NZUsize!(1_024),
            fetch_timeout: NZDuration!(Duration::from_secs(2)),
            fetch_retry_delay: Duration::from_millis(100),
            priority_requests: false,
            priority_responses: false,
        },
        backfill,
    );
    let (broadcast_engine, buffer) = buffered::Engine::new(
        context.child("broadcast"),
        buffered::Config {
            public_key: me.clone(),
            mailbox_size: NZUsize!(1_024),
            deque_size: 16,
            priority: false,
            codec_config: (),
            peer_provider: peers.clone(),
            strategy: Sequential,
        },
    );
    broadcast_engine.start(broadcast_net);
    let finalizations = prunable::Archive::init(
        context.child("finalizations_by_height"),
        archive_config(&prefix, "finalizations", page_cache.clone(), participants),
    )
    .await
    .map_err(|e| format!("opening finalization archive: {e}"))?;
    let blocks = prunable::Archive::init(
        context.child("finalized_blocks"),
        archive_config(&prefix, "blocks", page_cache.clone(), ()),
    )
    .await
    .map_err(|e| format!("opening block archive: {e}"))?;

    let genesis = genesis_block(spec);
    let genesis_digest = genesis.digest();
    let plan = SyncPlan::init(context.child("plan"), prefix.clone()).await;
    let provider = ConstantProvider::new(scheme.clone());
    let epoch_length = NZU64!(u64::MAX);
    let (marshal_actor, marshal_mailbox, floor) =
        MarshalActor::<_, Standard<Block>, _, _, _, _, _>::init(
            context.child("marshal"),
            finalizations,
            blocks,
            marshal::Config {
                provider: provider.clone(),
                epocher: FixedEpocher::new(epoch_length),
                start: plan.marshal_start(commonware_cryptography::Digested::precomputed(
                    genesis.clone(),
                    genesis_digest,
                )),
                partition_prefix: prefix.clone(),
                mailbox_size: NZUsize!(1_024),
                view_retention: ViewDelta::new(64),
                prunable_items_per_section: NZU64!(4096),
                page_cache: page_cache.clone(),
                replay_buffer: IO_BUFFER,
                key_write_buffer: IO_BUFFER,
                value_write_buffer: IO_BUFFER,
                block_codec_config: (),
                max_repair: NZUsize!(64),
                max_pending_acks: NZUsize!(16),
                strategy: Sequential,
            },
        )
        .await;

    // --- state ---
    let state_sync = crate::no_sync::NoStateSync::<StateDb<E>>::default();

    let (app, finalized) = App::new(
        spec.genesis.chain_id.clone(),
        spec.genesis.clone(),
        genesis.clone(),
        spec.block_interval_ms,
        receipt_log,
    );
    let (stateful, state_mailbox) = Stateful::new(
        context.child("stateful"),
        StatefulConfig {
            application: app,
            db_config: phalanx_state::config(&prefix, page_cache.clone()),
            provider: mempool.clone(),
            marshal: (marshal_mailbox.clone(), floor),
            mailbox_size: NZUsize!(1_024),
            plan,
            resolvers: state_sync,
            sync_config: SyncEngineConfig {
                fetch_batch_size: SYNC_BATCH,
                apply_batch_size: NZU64!(1024),
                max_outstanding_requests: NZUsize!(8),
            },
            prune_config: None,
            strategy: Sequential,
        },
    );
    let deferred = Deferred::new(
        context.child("deferred"),
        state_mailbox.clone(),
        marshal_mailbox.clone(),
        FixedEpocher::new(epoch_length),
    );
    marshal_actor.start(reporter(state_mailbox.clone()), buffer, resolver);
    stateful.start();

    // --- admission and transaction gossip ---
    let db = state_mailbox.subscribe_databases().await;
    let (gossip_queue, gossip_out) = mpsc::channel(gossip::GOSSIP_QUEUE);
    let admission = Arc::new(Admission::new(
        spec.genesis.chain_id.clone(),
        mempool,
        Arc::new(QmdbReader { db }),
        Some(gossip_queue),
    ));
    let gossip_metrics = gossip::GossipMetrics::new(&context.child("gossip"));
    let sender_metrics = gossip_metrics.clone();
    context
        .child("gossip_send")
        .spawn(move |_| gossip::send_loop(gossip_sender, gossip_out, sender_metrics));
    let receiver_admission = admission.clone();
    context
        .child("gossip_receive")
        .spawn(move |_| gossip::receive_loop(gossip_receiver, receiver_admission, gossip_metrics));
    // --- consensus ---
    let interval = Duration::from_millis(spec.block_interval_ms);
    let engine = simplex::Engine::new(
        // The root context, moved: the consensus handle then supervises every actor above, so
        // aborting it (a crash in simulation) stops the whole validator.
        context,
        simplex::Config {
            scheme,
            elector: RoundRobin::<Sha256>::default(),
            blocker,
            automaton: deferred.clone(),
            relay: deferred.clone(),
            reporter: deferred,
            strategy: Sequential,
            partition: format!("{prefix}-simplex"),
            mailbox_size: NZUsize!(1_024),
            epoch: Epoch::zero(),
            floor: simplex::config::Floor::Genesis(genesis_digest),
            replay_buffer: IO_BUFFER,
            write_buffer: IO_BUFFER,
            page_cache,
            leader_timeout: interval + Duration::from_secs(1),
            certification_timeout: interval + Duration::from_secs(2),
            timeout_retry: Duration::from_millis(500),
            view_retention: ViewDelta::new(64),
            skip: SkipPolicy::Enabled {
                timeout: interval + Duration::from_secs(5),
                budget: simplex::SkipBudget::Participants,
            },
            fetch_timeout: NZDuration!(Duration::from_secs(2)),
            fetch_retry_delay: Duration::from_secs(1),
            forward: ForwardPolicy::Disabled,
            track_historical_votes: false,
        },
    );
    let consensus = engine.start(votes, certificates, resolver_net);

    Ok(Running {
        marshal: marshal_mailbox,
        state: state_mailbox,
        admission,
        finalized,
        genesis_digest,
        consensus,
    })
}
