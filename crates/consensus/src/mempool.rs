//! The transaction pool: admitted transactions waiting for a block.
//!
//! Admission checks everything it can before accepting work: size, decoding, chain id, fee
//! floor, signature, and the nonce against the finalized state (not too low, not too far ahead).
//! Limits bound memory: total transactions and transactions per account.

use phalanx_runtime::{Exclusion, Params, check_stateless};
use phalanx_types::{AccountId, MAX_TX_SIZE, SignedTx, TxHash};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use thiserror::Error;

/// Pool limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most transactions held in total.
    pub max_total: usize,
    /// Most transactions held per signer (and how far ahead of its nonce it may run).
    pub max_per_account: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_total: 100_000,
            max_per_account: 1_024,
        }
    }
}

/// Why a transaction was not admitted.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Rejection {
    #[error("transaction is {0} bytes; the limit is {MAX_TX_SIZE}")]
    TooLarge(usize),
    #[error("transaction does not decode: {0}")]
    Malformed(String),
    #[error(transparent)]
    Invalid(#[from] Exclusion),
    #[error("transaction {0} is already in the pool")]
    Duplicate(String),
    #[error("the pool is full ({0} transactions); try again later")]
    PoolFull(usize),
    #[error("account has {0} transactions pending, the per-account limit")]
    AccountFull(u64),
    #[error(
        "balance {} PHA cannot cover amount + fee + existential deposit ({} PHA)",
        phalanx_types::format_pha(*balance),
        phalanx_types::format_pha(*needed)
    )]
    InsufficientBalance { balance: u128, needed: u128 },
}

impl Rejection {
    /// A stable machine-readable code for RPC clients.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::TooLarge(_) => "too_large",
            Rejection::Malformed(_) => "malformed",
            Rejection::Invalid(e) => match e {
                Exclusion::TooLarge { .. } => "too_large",
                Exclusion::WrongChain { .. } => "wrong_chain",
                Exclusion::FeeTooLow { .. } => "fee_too_low",
                Exclusion::BadSignature => "bad_signature",
                Exclusion::NonceTooLow { .. } => "nonce_too_low",
                Exclusion::NonceTooHigh { .. } => "nonce_too_high",
                Exclusion::CannotPayFee { .. } => "cannot_pay_fee",
                Exclusion::QuotaFull { .. } => "quota_full",
            },
            Rejection::Duplicate(_) => "duplicate",
            Rejection::PoolFull(_) => "pool_full",
            Rejection::AccountFull(_) => "account_full",
            Rejection::InsufficientBalance { .. } => "insufficient_balance",
        }
    }
}

#[derive(Default)]
struct Inner {
    by_sender: BTreeMap<AccountId, BTreeMap<u64, (TxHash, SignedTx)>>,
    by_hash: HashMap<TxHash, (AccountId, u64)>,
}

/// A shared handle to the pool.
#[derive(Clone, Default)]
pub struct Mempool {
    inner: Arc<Mutex<Inner>>,
    limits: Limits,
}

impl Mempool {
    pub fn new(limits: Limits) -> Self {
        Self {
            inner: Arc::default(),
            limits,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves only a pool of pending transactions, which
        // stays consistent per operation; recover it rather than poisoning the node.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Decodes and admits raw bytes. `account` gives the signer's finalized (next nonce,
    /// balance); `params` are the current runtime parameters.
    pub fn admit_bytes(
        &self,
        bytes: &[u8],
        chain: &phalanx_types::ChainId,
        params: &Params,
        account: impl FnOnce(&AccountId) -> (u64, u128),
    ) -> Result<TxHash, Rejection> {
        if bytes.len() > MAX_TX_SIZE {
            return Err(Rejection::TooLarge(bytes.len()));
        }
        let tx =
            SignedTx::decode_untrusted(bytes).map_err(|e| Rejection::Malformed(e.to_string()))?;
        let info = check_stateless(&tx, bytes.len(), chain, params)?;
        if !tx.verify_signature() {
            return Err(Exclusion::BadSignature.into());
        }
        let (expected, balance) = account(&tx.body.signer);
        // Judged against finalized state: a transaction that cannot pay now is refused here
        // rather than left to wait; one that passes may still fail at execution (and then pays
        // its fee with a failed receipt) if the balance changed meanwhile.
        let needed = info
            .spends
            .saturating_add(tx.body.fee)
            .saturating_add(params.balances.existential_deposit);
        if balance < needed {
            return Err(Rejection::InsufficientBalance { balance, needed });
        }
        if tx.body.nonce < expected {
            return Err(Exclusion::NonceTooLow {
                expected,
                got: tx.body.nonce,
            }
            .into());
        }
        if tx.body.nonce >= expected.saturating_add(self.limits.max_per_account) {
            return Err(Exclusion::NonceTooHigh {
                expected,
                got: tx.body.nonce,
            }
            .into());
        }
        self.insert(tx)
    }

    fn insert(&self, tx: SignedTx) -> Result<TxHash, Rejection> {
        let hash = tx.hash();
        let mut inner = self.lock();
        if inner.by_hash.contains_key(&hash) {
            return Err(Rejection::Duplicate(hex::encode(hash)));
        }
        if inner.by_hash.len() >= self.limits.max_total {
            return Err(Rejection::PoolFull(inner.by_hash.len()));
        }
        let signer = tx.body.signer.clone();
        let nonce = tx.body.nonce;
        let queue = inner.by_sender.entry(signer.clone()).or_default();
        if queue.len() as u64 >= self.limits.max_per_account {
            return Err(Rejection::AccountFull(queue.len() as u64));
        }
        // Same signer and nonce: the newer transaction replaces the older one.
        let replaced = queue.insert(nonce, (hash, tx)).map(|(h, _)| h);
        if let Some(old) = replaced {
            inner.by_hash.remove(&old);
        }
        inner.by_hash.insert(hash, (signer, nonce));
        Ok(hash)
    }

    /// Up to `max` transactions in signer and nonce order, for a proposal.
    pub fn candidates(&self, max: usize) -> Vec<SignedTx> {
        let inner = self.lock();
        inner
            .by_sender
            .values()
            .flat_map(|q| q.values().map(|(_, tx)| tx.clone()))
            .take(max)
            .collect()
    }

    /// Whether a transaction is waiting.
    pub fn contains(&self, hash: &TxHash) -> bool {
        self.lock().by_hash.contains_key(hash)
    }

    /// Number of waiting transactions.
    pub fn len(&self) -> usize {
        self.lock().by_hash.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The nonce `signer`'s next transaction should carry: `finalized_next` (the finalized
    /// state's), moved past every waiting transaction of `signer` that follows it without a
    /// gap. A client that signs with the finalized nonce while an earlier transaction of its
    /// own still waits would replace that transaction here (same signer and nonce).
    pub fn next_nonce(&self, signer: &AccountId, finalized_next: u64) -> u64 {
        let inner = self.lock();
        let Some(queue) = inner.by_sender.get(signer) else {
            return finalized_next;
        };
        let mut next = finalized_next;
        // At most `max_per_account` steps: the queue holds no more.
        while queue.contains_key(&next) {
            next = next.saturating_add(1);
        }
        next
    }

    /// Drops every transaction of `signer` with a nonce below `next_nonce` (included or stale).
    pub fn prune_below(&self, signer: &AccountId, next_nonce: u64) {
        let mut inner = self.lock();
        let Some(queue) = inner.by_sender.get_mut(signer) else {
            return;
        };
        let keep = queue.split_off(&next_nonce);
        let dropped = std::mem::replace(queue, keep);
        let empty = queue.is_empty();
        if empty {
            inner.by_sender.remove(signer);
        }
        for (_, (hash, _)) in dropped {
            inner.by_hash.remove(&hash);
        }
    }

    /// Drops one transaction (e.g. one that can no longer pay its fee).
    pub fn remove(&self, hash: &TxHash) {
        let mut inner = self.lock();
        if let Some((signer, nonce)) = inner.by_hash.remove(hash)
            && let Some(queue) = inner.by_sender.get_mut(&signer)
        {
            queue.remove(&nonce);
            if queue.is_empty() {
                inner.by_sender.remove(&signer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::Encode;
    use commonware_cryptography::Signer;
    use phalanx_crypto::dev_key;
    use phalanx_types::{ChainId, TxBody, UNITS_PER_PHA};

    fn tx(nonce: u64, chain: &str) -> Vec<u8> {
        let key = dev_key("alice");
        TxBody {
            chain_id: ChainId::new(chain).unwrap(),
            signer: key.public_key().into(),
            nonce,
            fee: UNITS_PER_PHA / 100,
            call: phalanx_types::BalancesCall::Transfer {
                to: dev_key("bob").public_key().into(),
                amount: UNITS_PER_PHA,
            }
            .into(),
        }
        .sign(&key)
        .encode()
        .to_vec()
    }

    fn admit(pool: &Mempool, bytes: &[u8], nonce: u64) -> Result<TxHash, Rejection> {
        let chain = ChainId::new("phalanx-test").unwrap();
        pool.admit_bytes(bytes, &chain, &Params::default(), |_| {
            (nonce, 1_000 * UNITS_PER_PHA)
        })
    }

    #[test]
    fn the_next_nonce_skips_what_waits_without_a_gap() {
        let pool = Mempool::new(Limits {
            max_total: 10,
            max_per_account: 5,
        });
        let alice: AccountId = dev_key("alice").public_key().into();
        assert_eq!(pool.next_nonce(&alice, 3), 3);
        admit(&pool, &tx(3, "phalanx-test"), 3).unwrap();
        admit(&pool, &tx(4, "phalanx-test"), 3).unwrap();
        admit(&pool, &tx(6, "phalanx-test"), 3).unwrap();
        assert_eq!(pool.next_nonce(&alice, 3), 5, "6 waits behind a gap");
        assert_eq!(pool.next_nonce(&alice, 7), 7);
        let bob: AccountId = dev_key("bob").public_key().into();
        assert_eq!(pool.next_nonce(&bob, 0), 0);
        pool.prune_below(&alice, 5);
        assert_eq!(pool.next_nonce(&alice, 5), 5);
    }

    #[test]
    fn rejects_each_bad_input_with_its_reason() {
        let pool = Mempool::new(Limits {
            max_total: 3,
            max_per_account: 2,
        });
        assert_eq!(admit(&pool, &[1, 2, 3], 0).unwrap_err().code(), "malformed");
        assert_eq!(
            admit(&pool, &vec![0; MAX_TX_SIZE + 1], 0)
                .unwrap_err()
                .code(),
            "too_large"
        );
        assert_eq!(
            admit(&pool, &tx(0, "phalanx-other"), 0).unwrap_err().code(),
            "wrong_chain"
        );
        let mut forged = tx(0, "phalanx-test");
        let last = forged.len() - 1;
        forged[last] ^= 1;
        assert_eq!(
            admit(&pool, &forged, 0).unwrap_err().code(),
            "bad_signature"
        );
        assert_eq!(
            admit(&pool, &tx(0, "phalanx-test"), 1).unwrap_err().code(),
            "nonce_too_low"
        );
        assert_eq!(
            admit(&pool, &tx(2, "phalanx-test"), 0).unwrap_err().code(),
            "nonce_too_high"
        );
        let chain = ChainId::new("phalanx-test").unwrap();
        let poor = pool.admit_bytes(&tx(0, "phalanx-test"), &chain, &Params::default(), |_| {
            (0, UNITS_PER_PHA)
        });
        assert_eq!(poor.unwrap_err().code(), "insufficient_balance");
        admit(&pool, &tx(0, "phalanx-test"), 0).unwrap();
        assert_eq!(
            admit(&pool, &tx(0, "phalanx-test"), 0).unwrap_err().code(),
            "duplicate"
        );
        admit(&pool, &tx(1, "phalanx-test"), 0).unwrap();
        assert_eq!(pool.len(), 2);
        pool.prune_below(&dev_key("alice").public_key().into(), 1);
        assert_eq!(pool.len(), 1);
        assert_eq!(pool.candidates(10)[0].body.nonce, 1);
    }
}
