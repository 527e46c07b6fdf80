//! Reading the finalized state: the [`StateReader`] seam (RPC, admission and tests read through
//! it) and its implementation over the stateful layer's shared QMDB handle.

use crate::app::Databases;
use std::{future::Future, pin::Pin};

/// A value, its inclusion or exclusion proof, and the state root it verifies against.
pub type Proven = (Option<Vec<u8>>, phalanx_state::StateProof, [u8; 32]);

/// A boxed future borrowing the reader.
pub type ReadFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Reads the finalized state (implemented over the QMDB handle).
pub trait StateReader: Send + Sync + 'static {
    fn get(&self, key: [u8; 32]) -> Pin<Box<dyn Future<Output = Option<Vec<u8>>> + Send + '_>>;
    /// Values (or None) and proofs for `keys`, all read from one snapshot, and its root.
    fn prove_many(&self, keys: Vec<[u8; 32]>) -> ReadFuture<'_, Result<ProvenMany, String>>;

    /// (value or None, proof, state root) for `key`.
    fn prove(&self, key: [u8; 32]) -> ReadFuture<'_, Result<Proven, String>> {
        Box::pin(async move {
            let (mut entries, root) = self.prove_many(vec![key]).await?;
            let (value, proof) = entries.pop().ok_or("no proof returned")?;
            Ok((value, proof, root))
        })
    }
}

/// Most keys one [`StateReader::prove_many`] call may ask for.
pub const MAX_PROVE_KEYS: usize = 64;

/// Values with their proofs, in the order asked, and the root they verify against.
pub type ProvenMany = (Vec<(Option<Vec<u8>>, phalanx_state::StateProof)>, [u8; 32]);

/// [`StateReader`] over the QMDB handle.
pub struct QmdbReader<
    E: commonware_storage::Context + commonware_runtime::Spawner + commonware_runtime::Clock,
> {
    pub db: Databases<E>,
}

impl<E> StateReader for QmdbReader<E>
where
    E: commonware_storage::Context + commonware_runtime::Spawner + commonware_runtime::Clock,
{
    fn get(&self, key: [u8; 32]) -> Pin<Box<dyn Future<Output = Option<Vec<u8>>> + Send + '_>> {
        Box::pin(async move {
            let guard = self.db.read().await;
            guard
                .get(&crate::block::Digest::from(key))
                .await
                .ok()
                .flatten()
                .map(|v| v.0)
        })
    }

    fn prove_many(&self, keys: Vec<[u8; 32]>) -> ReadFuture<'_, Result<ProvenMany, String>> {
        Box::pin(async move {
            if keys.len() > MAX_PROVE_KEYS {
                return Err(format!("at most {MAX_PROVE_KEYS} keys per read"));
            }
            // One read guard for every key: all proofs are against the same root.
            let guard = self.db.read().await;
            let root: [u8; 32] = guard.root().as_ref().try_into().map_err(|_| "root size")?;
            let mut out = Vec::with_capacity(keys.len());
            for key in keys {
                let key = crate::block::Digest::from(key);
                let value = guard.get(&key).await.map_err(|e| e.to_string())?;
                let proof = match &value {
                    Some(_) => guard
                        .key_value_proof(key)
                        .await
                        .map_err(|e| e.to_string())?
                        .into(),
                    None => guard
                        .exclusion_proof(&key)
                        .await
                        .map_err(|e| e.to_string())?
                        .into(),
                };
                out.push((value.map(|v| v.0), proof));
            }
            Ok((out, root))
        })
    }
}
