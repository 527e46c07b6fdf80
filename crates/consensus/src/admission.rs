//! Admission into the pool against the finalized state, shared by the RPC (transactions from
//! clients) and gossip (transactions other validators admitted). Transactions a client gave this
//! node are handed to gossip; transactions that arrived by gossip are not sent on again (the
//! validators form a full mesh, so one hop reaches everyone).

use crate::{
    mempool::{Mempool, Rejection},
    reader::StateReader,
};
use futures::channel::mpsc;
use phalanx_runtime::{Params, balances};
use phalanx_types::{AccountId, ChainId, Hash, SignedTx};
use std::sync::Arc;

/// Where a transaction came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A client, through this node's RPC: gossiped to the other validators once admitted.
    Client,
    /// Another validator's gossip: kept here only.
    Gossip,
}

/// Checks and admits transactions.
pub struct Admission {
    pub chain_id: ChainId,
    pub mempool: Mempool,
    pub state: Arc<dyn StateReader>,
    /// Admitted client transactions (encoded) for the gossip task. Bounded: if gossip falls
    /// behind, transactions stay local (still proposed when this validator leads).
    gossip: Option<mpsc::Sender<Vec<u8>>>,
}

impl Admission {
    pub fn new(
        chain_id: ChainId,
        mempool: Mempool,
        state: Arc<dyn StateReader>,
        gossip: Option<mpsc::Sender<Vec<u8>>>,
    ) -> Self {
        Self {
            chain_id,
            mempool,
            state,
            gossip,
        }
    }

    /// The chain parameters in the finalized state (`None` before the first block).
    pub async fn params(&self) -> Option<Params> {
        let mut loaded = phalanx_runtime::MemoryState::default();
        for key in Params::keys() {
            let bytes = self.state.get(key.into()).await?;
            phalanx_runtime::State::put(&mut loaded, key, Some(bytes));
        }
        Params::load(&loaded).ok()
    }

    /// An account in the finalized state (`None` if the stored value is corrupt).
    pub async fn account(&self, id: &AccountId) -> Option<balances::Account> {
        match self
            .state
            .get(balances::state_key::account(id).into())
            .await
        {
            None => Some(balances::Account::default()),
            Some(b) => commonware_codec::DecodeExt::decode(b.as_slice().to_vec()).ok(),
        }
    }

    /// Admits one encoded transaction.
    pub async fn admit(
        &self,
        params: &Params,
        bytes: &[u8],
        origin: Origin,
    ) -> Result<Hash, Rejection> {
        // The signer's finalized account (decoding is cheap; the pool decodes again, keeping
        // every admission rule in one place).
        let signer = SignedTx::decode_untrusted(bytes)
            .ok()
            .map(|t| t.body.signer);
        let account = match &signer {
            Some(id) => self.account(id).await.unwrap_or_default(),
            None => balances::Account::default(),
        };
        let hash = self
            .mempool
            .admit_bytes(bytes, &self.chain_id, params, |_| {
                (account.nonce, account.balance)
            })?;
        if origin == Origin::Client
            && let Some(gossip) = &self.gossip
            && gossip.clone().try_send(bytes.to_vec()).is_err()
        {
            tracing::debug!(tx = %hex::encode(hash), "gossip queue full; transaction stays local");
        }
        Ok(hash)
    }
}
