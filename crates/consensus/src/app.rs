//! The consensus application: builds and checks blocks by executing transactions on QMDB.
//!
//! This is the only place the runtime meets commonware. `commonware_glue::stateful` calls
//! [`App::propose`] on the leader and [`App::process`] on every validator (and when replaying
//! after a restart), keeps per-fork pending state, and applies finalized state durably.

use crate::{
    block::{Block, BlockContext, Digest},
    execute::{AsyncGet, Executed, Mode, execute},
    mempool::Mempool,
    receipt_log::ReceiptLog,
};
use commonware_consensus::{Heightable, marshal::ancestry::Ancestry, types::Height};
use commonware_cryptography::Digestible;
use commonware_glue::stateful::{
    Application, Finality, Input, Proposed,
    db::{DatabaseSet, Merkleized as _, Shared},
};
use commonware_runtime::{Clock, Spawner};
use commonware_storage::{Context as StorageContext, qmdb::sync::Target};
use commonware_utils::non_empty_range;
use futures::{StreamExt, channel::mpsc};
use phalanx_runtime::{BlockEnv, Event, GenesisConfig, Outcome, Receipt, StateKey};
use phalanx_types::ChainId;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, UNIX_EPOCH},
};
use tracing::{debug, error, info, warn};

pub use phalanx_state::StateDb;
use phalanx_state::StateValue;

/// The database set managed by the stateful layer.
pub type Databases<E> = Shared<StateDb<E>>;

/// The consensus signing scheme: ed25519, attributable signatures.
pub type Scheme = commonware_consensus::simplex::scheme::ed25519::Scheme;

/// Most a block's timestamp may run ahead of its parent's. Bounds what a proposer's clock can
/// do to on-chain time, and bounds how long a verifier waits for its own clock.
pub const MAX_TIMESTAMP_STEP_MS: u64 = 60 * 60 * 1000;

/// How far ahead of the local clock a block's timestamp may be before we wait for our clock.
pub const MAX_CLOCK_DRIFT_MS: u64 = 5_000;

/// Whether a block's timestamp respects its parent's: never earlier, at most
/// [`MAX_TIMESTAMP_STEP_MS`] later. Emission and attestation ages measure this time, so these
/// bounds (and the wait for [`MAX_CLOCK_DRIFT_MS`]) are all a proposer can move it by.
pub fn timestamp_follows(parent_ms: u64, block_ms: u64) -> bool {
    block_ms >= parent_ms && block_ms <= parent_ms.saturating_add(MAX_TIMESTAMP_STEP_MS)
}

/// What executing a block produced besides its state: the receipts of its transactions and the
/// events of its block hooks.
#[derive(Clone, Debug, Default)]
pub struct BlockReceipts {
    pub txs: Vec<Receipt>,
    /// `begin_block`'s events, then `end_block`'s.
    pub block_events: Vec<Event>,
    /// False when the block was not executed here (only its committed outcomes are known, so
    /// `txs` carry no events and `block_events` is empty).
    pub events_known: bool,
}

impl BlockReceipts {
    /// What is known of a block that was not executed here: its committed outcomes.
    pub fn from_outcomes(block: &Block) -> Self {
        Self {
            txs: block
                .outcomes
                .iter()
                .map(Outcome::receipt_without_events)
                .collect(),
            block_events: Vec::new(),
            events_known: false,
        }
    }
}

/// A finalized block with its receipts, for the indexer and RPC.
#[derive(Clone, Debug)]
pub struct Finalized {
    pub block: Arc<Block>,
    pub digest: Digest,
    pub receipts: Arc<BlockReceipts>,
}

struct Shared_ {
    chain_id: ChainId,
    genesis_config: GenesisConfig,
    genesis_block: Block,
    /// Receipts computed during execution, picked up when the block finalizes.
    receipts: Mutex<HashMap<Digest, Arc<BlockReceipts>>>,
    finalized: mpsc::UnboundedSender<Finalized>,
    receipt_log: Arc<dyn ReceiptLog>,
    block_interval_ms: u64,
}

/// The Phalanx application (cheap to clone; every clone shares state).
#[derive(Clone)]
pub struct App {
    shared: Arc<Shared_>,
}

impl App {
    /// Creates the application and the stream of finalized blocks it reports.
    pub fn new(
        chain_id: ChainId,
        genesis_config: GenesisConfig,
        genesis_block: Block,
        block_interval_ms: u64,
        receipt_log: Arc<dyn ReceiptLog>,
    ) -> (Self, mpsc::UnboundedReceiver<Finalized>) {
        let (tx, rx) = mpsc::unbounded();
        (
            Self {
                shared: Arc::new(Shared_ {
                    chain_id,
                    genesis_config,
                    genesis_block,
                    receipts: Mutex::default(),
                    finalized: tx,
                    receipt_log,
                    block_interval_ms,
                }),
            },
            rx,
        )
    }

    fn remember(&self, digest: Digest, receipts: BlockReceipts) {
        let mut map = self
            .shared
            .receipts
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        // Bound memory if finalization lags: forks that never finalize are dropped wholesale.
        if map.len() > 4_096 {
            map.clear();
        }
        map.insert(digest, Arc::new(receipts));
    }

    fn take_receipts(&self, digest: &Digest) -> Option<Arc<BlockReceipts>> {
        let mut map = self
            .shared
            .receipts
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        map.remove(digest)
    }

    fn genesis_for(&self, height: Height) -> Option<&GenesisConfig> {
        (height.get() == 1).then_some(&self.shared.genesis_config)
    }
}

struct BatchReader<'a, E: StorageContext + Spawner + Clock>(&'a Unmerkleized<E>);

impl<E: StorageContext + Spawner + Clock> AsyncGet for BatchReader<'_, E> {
    async fn load(&self, key: &StateKey) -> Result<Option<Vec<u8>>, String> {
        self.0
            .get(key)
            .await
            .map(|v| v.map(|v| v.0))
            .map_err(|e| e.to_string())
    }
}

fn now_ms(clock: &impl Clock) -> u64 {
    clock
        .current()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

type Unmerkleized<E> = <Databases<E> as DatabaseSet<E>>::Unmerkleized;
type Merkleized<E> = <Databases<E> as DatabaseSet<E>>::Merkleized;

async fn finish<E>(mut batch: Unmerkleized<E>, executed: &mut Executed) -> Option<Merkleized<E>>
where
    E: StorageContext + Spawner + Clock,
{
    use commonware_glue::stateful::db::Unmerkleized as _;
    // Deterministic write order (HashMap order is not).
    let mut writes: Vec<_> = executed.cache.writes.drain().collect();
    writes.sort_by_key(|(key, _)| *key);
    for (key, value) in writes {
        batch = batch.write(key, value.map(StateValue));
    }
    match batch.merkleize().await {
        Ok(m) => Some(m),
        Err(e) => {
            warn!(error = ?e, "merkleizing state failed");
            None
        }
    }
}

impl<E> Application<E> for App
where
    E: StorageContext + Spawner + Clock,
{
    type SigningScheme = Scheme;
    type Context = BlockContext;
    type Block = Block;
    type Databases = Databases<E>;
    type Captured = Arc<BlockReceipts>;
    type Provider = Mempool;
    type Input = ();

    fn sync_targets(block: &Block) -> <Databases<E> as DatabaseSet<E>>::SyncTargets {
        Target::new(block.ops_root, block.range.clone())
    }

    async fn genesis(&mut self) -> Block {
        self.shared.genesis_block.clone()
    }

    async fn propose(
        &mut self,
        context: (E, BlockContext),
        ancestry: impl Ancestry<Block>,
        batches: Unmerkleized<E>,
        input: Input<(), Mempool>,
    ) -> Option<Proposed<Self, E>> {
        let mut ancestry = Box::pin(ancestry);
        let parent = ancestry.next().await?;
        let parent_digest = parent.digest();
        let parent = parent.inner();
        let height = Height::new(parent.height().get() + 1);
        // Pace blocks: consensus could go faster, but empty blocks at full speed only grow disk.
        let mut now = now_ms(&context.0);
        let due = parent
            .timestamp_ms
            .saturating_add(self.shared.block_interval_ms);
        if now < due {
            context.0.sleep(Duration::from_millis(due - now)).await;
            now = now_ms(&context.0);
        }
        let timestamp_ms = now
            .max(parent.timestamp_ms)
            .min(parent.timestamp_ms.saturating_add(MAX_TIMESTAMP_STEP_MS));
        // Twice a block's worth: until their block finalizes, transactions already included in
        // an unfinalized ancestor stay in the pool and are skipped here (nonce too low against
        // the parent), so they must not crowd out new ones.
        let candidates = input.provider.candidates(2 * crate::block::MAX_BLOCK_TXS);
        let env = BlockEnv {
            chain_id: self.shared.chain_id.clone(),
            height: height.get(),
            timestamp_ms,
        };
        let executed = execute(
            &BatchReader(&batches),
            &env,
            self.genesis_for(height).map(|g| (g, &parent_digest)),
            candidates,
            Mode::Propose,
        )
        .await;
        let mut executed = match executed {
            Ok(Ok(executed)) => executed,
            Ok(Err(_)) => return None, // unreachable in propose mode
            Err(e) => {
                warn!(error = %e, "cannot build a block");
                return None;
            }
        };
        for (tx, reason) in &executed.excluded {
            use phalanx_runtime::Exclusion::*;
            // Only transactions that can never become valid leave the pool here. A nonce that is
            // too low against the *parent* may belong to a transaction included in an
            // unfinalized ancestor: if that fork loses, it must still be in the pool. The pool
            // forgets included transactions when their block finalizes (`prune_below`), and an
            // unpayable fee may become payable after an incoming transfer.
            if matches!(reason, WrongChain { .. } | FeeTooLow { .. }) {
                input.provider.remove(&tx.hash());
            }
            debug!(tx = %hex::encode(tx.hash()), %reason, "left out of proposal");
        }
        let merkleized = finish::<E>(batches, &mut executed).await?;
        let bounds = merkleized.bounds();
        let block = Block {
            context: context.1,
            parent: parent_digest,
            height,
            timestamp_ms,
            state_root: merkleized.root(),
            ops_root: merkleized.ops_root(),
            range: non_empty_range!(merkleized.sync_boundary(), bounds.tip.size),
            outcomes: executed.receipts.iter().map(Receipt::outcome).collect(),
            txs: executed.included,
        };
        self.remember(
            block.digest(),
            BlockReceipts {
                txs: executed.receipts,
                block_events: executed.block_events,
                events_known: true,
            },
        );
        Some(Proposed { block, merkleized })
    }

    async fn process(
        &mut self,
        context: (E, BlockContext),
        ancestry: impl Ancestry<Block>,
        batches: Unmerkleized<E>,
        finality: Finality,
    ) -> Option<Merkleized<E>> {
        let block = ancestry.peek()?.inner_shared();
        let mut ancestry = Box::pin(ancestry);
        let _ = ancestry.next().await?; // the block itself
        let parent = ancestry.next().await?;
        let parent_digest = parent.digest();
        let parent = parent.inner();
        if block.height.get() != parent.height().get() + 1 || block.parent != parent_digest {
            return None;
        }
        if finality == Finality::Candidate {
            if !timestamp_follows(parent.timestamp_ms, block.timestamp_ms) {
                return None;
            }
            // A timestamp from our future: wait (bounded by the rule above) for our clock.
            let now = now_ms(&context.0);
            if block.timestamp_ms > now + MAX_CLOCK_DRIFT_MS {
                let wait = block.timestamp_ms - now - MAX_CLOCK_DRIFT_MS;
                context.0.sleep(Duration::from_millis(wait)).await;
            }
            if phalanx_crypto::verify_transactions(&block.txs).is_err() {
                return None;
            }
        }
        let env = BlockEnv {
            chain_id: self.shared.chain_id.clone(),
            height: block.height.get(),
            timestamp_ms: block.timestamp_ms,
        };
        let executed = execute(
            &BatchReader(&batches),
            &env,
            self.genesis_for(block.height).map(|g| (g, &parent_digest)),
            block.txs.clone(),
            Mode::Verify,
        )
        .await;
        let mut executed = match executed {
            Ok(Ok(executed)) => executed,
            Ok(Err((index, reason))) => {
                warn!(height = block.height.get(), index, %reason, "block carries an invalid transaction");
                return None;
            }
            Err(e) => {
                warn!(error = %e, "cannot execute block");
                return None;
            }
        };
        let outcomes: Vec<_> = executed.receipts.iter().map(Receipt::outcome).collect();
        if outcomes != block.outcomes {
            warn!(
                height = block.height.get(),
                "block outcomes disagree with execution"
            );
            return None;
        }
        let merkleized = finish::<E>(batches, &mut executed).await?;
        if merkleized.root() != block.state_root {
            warn!(
                height = block.height.get(),
                "block state root disagrees with execution"
            );
            return None;
        }
        self.remember(
            block.digest(),
            BlockReceipts {
                txs: executed.receipts,
                block_events: executed.block_events,
                events_known: true,
            },
        );
        Some(merkleized)
    }

    /// Makes the block's receipts durable before its state is applied (see
    /// [`crate::receipt_log`]). If they cannot be stored (a full disk), this validator waits
    /// and retries, saying so, rather than apply a state whose receipts would be lost.
    async fn capture(
        &mut self,
        context: (E, BlockContext),
        block: &Block,
        _batches: &Merkleized<E>,
        _readers: <Databases<E> as DatabaseSet<E>>::Readers,
    ) -> Arc<BlockReceipts> {
        let digest = block.digest();
        let receipts = self.take_receipts(&digest).unwrap_or_else(|| {
            // Execution's receipts were dropped (see `remember`): the committed outcomes are
            // all that is known here.
            Arc::new(BlockReceipts::from_outcomes(block))
        });
        let block = Arc::new(block.clone());
        let mut failures = 0u64;
        loop {
            match self
                .shared
                .receipt_log
                .persist(block.clone(), digest, receipts.clone())
                .await
            {
                Ok(()) => break,
                Err(e) => {
                    // Once, then every minute: an operator must see it, the log must not fill.
                    if failures.is_multiple_of(60) {
                        error!(
                            height = block.height.get(),
                            error = %e,
                            "cannot store the receipts of a finalized block; this validator \
                             stops applying blocks until it can (free disk space?)"
                        );
                    }
                    failures += 1;
                    context.0.sleep(Duration::from_secs(1)).await;
                }
            }
        }
        if failures > 0 {
            info!(
                height = block.height.get(),
                "stored the receipts of a finalized block; applying blocks again"
            );
        }
        receipts
    }

    async fn finalized(
        &mut self,
        _context: (E, BlockContext),
        block: &Block,
        receipts: Arc<BlockReceipts>,
        _readers: <Databases<E> as DatabaseSet<E>>::Readers,
    ) {
        let _ = self.shared.finalized.unbounded_send(Finalized {
            block: Arc::new(block.clone()),
            digest: block.digest(),
            receipts,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proposer_moves_block_time_only_within_the_bounds() {
        let parent = 1_800_000_000_000;
        assert!(timestamp_follows(parent, parent));
        assert!(timestamp_follows(parent, parent + MAX_TIMESTAMP_STEP_MS));
        // Back in time, or more than the step forward: no validator votes for it.
        assert!(!timestamp_follows(parent, parent - 1));
        assert!(!timestamp_follows(
            parent,
            parent + MAX_TIMESTAMP_STEP_MS + 1
        ));
        assert!(!timestamp_follows(u64::MAX - 1, 0));
        // So after n blocks, on-chain time is at most n steps ahead of the genesis block's.
        let mut time = parent;
        for _ in 0..24 {
            let next = time + MAX_TIMESTAMP_STEP_MS;
            assert!(timestamp_follows(time, next));
            assert!(!timestamp_follows(time, next + 1));
            time = next;
        }
        assert_eq!(time - parent, 24 * 3_600_000);
    }
}
