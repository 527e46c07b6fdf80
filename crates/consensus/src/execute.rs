//! Runs the runtime against a QMDB batch.
//!
//! The runtime is synchronous and reads through [`State`]; QMDB reads are asynchronous. A
//! [`Cache`] bridges the two: it serves what has been loaded, reports a miss for anything else,
//! and the loop here loads the missed key and retries the transaction (which wrote nothing, since
//! `apply_tx` is atomic). The common keys are loaded up front so retries are rare.

use crate::block::Digest;
use phalanx_runtime::{
    BlockEnv, Event, Exclusion, GenesisConfig, Params, Receipt, State, StateError, StateKey,
    apply_tx, balances, check_stateless,
};
use phalanx_types::SignedTx;
use std::collections::HashMap;
use std::future::Future;

/// Reads a key from the underlying database.
pub trait AsyncGet {
    fn load(&self, key: &StateKey) -> impl Future<Output = Result<Option<Vec<u8>>, String>> + Send;
}

/// Loaded values and buffered writes for one block.
#[derive(Default)]
pub struct Cache {
    loaded: HashMap<StateKey, Option<Vec<u8>>>,
    pub writes: HashMap<StateKey, Option<Vec<u8>>>,
}

impl State for Cache {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        if let Some(v) = self.writes.get(key) {
            return Ok(v.clone());
        }
        match self.loaded.get(key) {
            Some(v) => Ok(v.clone()),
            None => Err(StateError::Missing(*key)),
        }
    }
    fn put(&mut self, key: StateKey, value: Option<Vec<u8>>) {
        self.writes.insert(key, value);
    }
}

impl Cache {
    async fn ensure(&mut self, db: &impl AsyncGet, key: &StateKey) -> Result<(), ExecError> {
        if !self.writes.contains_key(key) && !self.loaded.contains_key(key) {
            let value = db.load(key).await.map_err(ExecError::Storage)?;
            self.loaded.insert(*key, value);
        }
        Ok(())
    }
}

/// A failure that is not the transactions' fault.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("storage read failed: {0}")]
    Storage(String),
    #[error("state is corrupt: {0}")]
    Corrupt(String),
}

/// The result of executing a list of candidate transactions.
pub struct Executed {
    pub cache: Cache,
    pub included: Vec<SignedTx>,
    pub receipts: Vec<Receipt>,
    /// The block hooks' events: `begin_block`'s, then `end_block`'s.
    pub block_events: Vec<Event>,
    /// Transactions left out, with the reason (proposals only; a verified block has none).
    pub excluded: Vec<(SignedTx, Exclusion)>,
}

/// Which transactions may be left out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Building a block: leave out what cannot be included.
    Propose,
    /// Checking a peer's block: anything that cannot be included makes it invalid.
    Verify,
}

/// Executes `txs` on top of `db` in the block described by `env`. At height 1 the genesis
/// state is written first (`genesis`: the config and the genesis block's digest).
///
/// Signatures must have been verified by the caller (in batch).
pub async fn execute(
    db: &impl AsyncGet,
    env: &BlockEnv,
    genesis: Option<(&GenesisConfig, &Digest)>,
    txs: Vec<SignedTx>,
    mode: Mode,
) -> Result<Result<Executed, (usize, Exclusion)>, ExecError> {
    let chain_id = &env.chain_id;
    let mut cache = Cache::default();
    if let Some((genesis, genesis_digest)) = genesis {
        genesis
            .build(&mut cache, genesis_digest)
            .map_err(|e| ExecError::Corrupt(format!("genesis config: {e}")))?;
    }
    for key in Params::keys() {
        cache.ensure(db, &key).await?;
    }
    let params = Params::load(&cache).map_err(|e| ExecError::Corrupt(e.to_string()))?;
    cache
        .ensure(db, &balances::state_key::pot(balances::TREASURY.0))
        .await?;

    let mut executed = Executed {
        cache,
        included: Vec::with_capacity(txs.len()),
        receipts: Vec::with_capacity(txs.len()),
        block_events: Vec::new(),
        excluded: Vec::new(),
    };
    let begin = hook(db, &mut executed.cache, |state| {
        phalanx_runtime::begin_block(state, &params, env)
    })
    .await?;
    executed.block_events.extend(begin);
    let mut bytes = 0usize;
    let mut quotas: HashMap<&'static str, u32> = HashMap::new();
    let max_txs = params.fees.max_block_txs as usize;
    let max_bytes = params.fees.max_block_bytes as usize;
    for (index, tx) in txs.into_iter().enumerate() {
        let len = commonware_codec::EncodeSize::encode_size(&tx);
        let limit_hit = executed.included.len() >= max_txs || bytes + len > max_bytes;
        if limit_hit {
            if mode == Mode::Verify {
                return Ok(Err((
                    index,
                    Exclusion::TooLarge {
                        size: bytes + len,
                        max: max_bytes,
                    },
                )));
            }
            break;
        }
        let info = match check_stateless(&tx, len, chain_id, &params) {
            Ok(info) => info,
            Err(e) => {
                if mode == Mode::Verify {
                    return Ok(Err((index, e)));
                }
                executed.excluded.push((tx, e));
                continue;
            }
        };
        if let Some(quota) = info.quota
            && quotas.get(quota.name).copied().unwrap_or(0) >= quota.max
        {
            let e = Exclusion::QuotaFull {
                quota: quota.name,
                max: quota.max,
            };
            if mode == Mode::Verify {
                return Ok(Err((index, e)));
            }
            // Stays in the pool for a later block.
            executed.excluded.push((tx, e));
            continue;
        }
        // Prefetch the keys a call is known to touch; anything else is loaded on a miss.
        executed
            .cache
            .ensure(db, &balances::state_key::account(&tx.body.signer))
            .await?;
        for key in &info.prefetch {
            executed.cache.ensure(db, key).await?;
        }
        let outcome = loop {
            match apply_tx(&mut executed.cache, &params, env, &tx) {
                Ok(outcome) => break outcome,
                Err(StateError::Missing(key)) => executed.cache.ensure(db, &key).await?,
                Err(e @ StateError::Corrupt { .. }) => {
                    return Err(ExecError::Corrupt(e.to_string()));
                }
            }
        };
        match outcome {
            Ok(receipt) => {
                bytes += len;
                if let Some(quota) = info.quota {
                    *quotas.entry(quota.name).or_default() += 1;
                }
                executed.included.push(tx);
                executed.receipts.push(receipt);
            }
            Err(e) => {
                if mode == Mode::Verify {
                    return Ok(Err((index, e)));
                }
                executed.excluded.push((tx, e));
            }
        }
    }
    let end = hook(db, &mut executed.cache, |state| {
        phalanx_runtime::end_block(state, &params, env)
    })
    .await?;
    executed.block_events.extend(end);
    Ok(Ok(executed))
}

/// Runs a block hook, loading what it misses and running it again (it writes nothing on a
/// miss).
async fn hook(
    db: &impl AsyncGet,
    cache: &mut Cache,
    run: impl Fn(&mut Cache) -> Result<Vec<Event>, StateError>,
) -> Result<Vec<Event>, ExecError> {
    loop {
        match run(cache) {
            Ok(events) => return Ok(events),
            Err(StateError::Missing(key)) => cache.ensure(db, &key).await?,
            Err(e @ StateError::Corrupt { .. }) => return Err(ExecError::Corrupt(e.to_string())),
        }
    }
}

/// Hash of a chain spec's canonical JSON, committed by the genesis block.
pub fn spec_hash(spec_json: &[u8]) -> Digest {
    use commonware_cryptography::{Hasher, Sha256};
    Sha256::hash(&[b"phalanx/chain-spec/v1", spec_json])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use commonware_cryptography::Signer;
    use phalanx_attestation::sim;
    use phalanx_crypto::dev_key;
    use phalanx_runtime::registry;
    use phalanx_types::{
        AccountId, AttestationPolicy, ChainId, Evidence, EvidenceKind, RegistryCall, TxBody,
        UNITS_PER_PHA, WorkerInfo,
    };

    /// An empty database: everything is written by genesis in the same block.
    struct Empty;
    impl AsyncGet for Empty {
        async fn load(&self, _: &StateKey) -> Result<Option<Vec<u8>>, String> {
            Ok(None)
        }
    }

    #[test]
    fn a_block_carries_at_most_max_block_attestations_registrations() {
        let chain = ChainId::new("phalanx-test").unwrap();
        let operator = dev_key("operator");
        let operator_id = AccountId::from(operator.public_key());
        let mut genesis = GenesisConfig::standard(
            chain.clone(),
            0,
            &[(operator_id.clone(), UNITS_PER_PHA * 100)],
        )
        .unwrap();
        genesis.params.registry.max_block_attestations = 2;
        genesis.registry = registry::Genesis {
            root: None,
            policy: AttestationPolicy {
                allowed_measurements: vec![sim::measurement()],
                allow_simulated: true,
                ..AttestationPolicy::default()
            },
        };
        let genesis_digest = Digest::from([1u8; 32]);
        let now_ms = 1_795_478_400_000;
        let txs: Vec<SignedTx> = (0..3u64)
            .map(|i| {
                let info = WorkerInfo {
                    identity: AccountId::from(dev_key(&format!("worker-{i}")).public_key()),
                    encryption_key: [0; 32],
                };
                let produced = sim::produce(
                    info.report_data(&genesis_digest, &operator_id),
                    now_ms / 1000,
                )
                .unwrap();
                TxBody {
                    chain_id: chain.clone(),
                    signer: operator_id.clone(),
                    nonce: i,
                    fee: UNITS_PER_PHA,
                    call: RegistryCall::RegisterWorker {
                        info,
                        evidence: Evidence {
                            kind: EvidenceKind::SimulatedDcap,
                            quote: produced.quote,
                            collateral: serde_json::to_vec(&produced.collateral).unwrap(),
                        },
                    }
                    .into(),
                }
                .sign(&operator)
            })
            .collect();
        let env = BlockEnv {
            chain_id: chain,
            height: 1,
            timestamp_ms: now_ms,
        };
        let run = |mode| {
            futures::executor::block_on(execute(
                &Empty,
                &env,
                Some((&genesis, &genesis_digest)),
                txs.clone(),
                mode,
            ))
            .unwrap()
        };
        let Ok(proposed) = run(Mode::Propose) else {
            panic!("a proposal never fails on a transaction");
        };
        assert_eq!(proposed.included.len(), 2);
        assert!(
            proposed
                .receipts
                .iter()
                .all(|r| r.status == phalanx_runtime::TxStatus::Success)
        );
        assert!(matches!(
            proposed.excluded[..],
            [(
                _,
                Exclusion::QuotaFull {
                    quota: "attestations",
                    max: 2
                }
            )]
        ));
        assert!(matches!(
            run(Mode::Verify),
            Err((
                2,
                Exclusion::QuotaFull {
                    quota: "attestations",
                    max: 2
                }
            ))
        ));
    }
}
