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
    /// (value or None, proof bytes, state root) for `key`.
    fn prove(&self, key: [u8; 32]) -> ReadFuture<'_, Result<Proven, String>>;
}

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

    fn prove(&self, key: [u8; 32]) -> ReadFuture<'_, Result<Proven, String>> {
        Box::pin(async move {
            let key = crate::block::Digest::from(key);
            let guard = self.db.read().await;
            let root: [u8; 32] = guard.root().as_ref().try_into().map_err(|_| "root size")?;
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
            Ok((value.map(|v| v.0), proof, root))
        })
    }
}
