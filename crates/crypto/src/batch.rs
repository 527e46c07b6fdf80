//! Batch verification of transaction signatures, the hot path of block validation.

use commonware_codec::Encode;
use commonware_cryptography::{BatchEntry, BatchVerifier, ed25519};
use commonware_parallel::Sequential;
use phalanx_types::{SignedTx, tx_namespace};

/// Verifies every transaction's signature.
///
/// Returns `Ok(())` when all are valid, otherwise the indices of the invalid ones. The common
/// (all-valid) case costs one batched check; the slow per-signature path only runs to name the
/// offenders once the batch has failed.
pub fn verify_transactions(txs: &[SignedTx]) -> Result<(), Vec<usize>> {
    if txs.is_empty() {
        return Ok(());
    }
    // Encode each message once; the batch verifier borrows them.
    let prepared: Vec<(Vec<u8>, Vec<u8>)> = txs
        .iter()
        .map(|tx| (tx_namespace(&tx.body.chain_id), tx.body.encode().to_vec()))
        .collect();
    let ok = ed25519::PublicKey::verify_batch(
        &mut rand::rng(),
        &prepared,
        |i, (namespace, message)| BatchEntry {
            namespace,
            message,
            public_key: txs[i].body.signer.public_key(),
            signature: &txs[i].signature,
        },
        &Sequential,
    );
    if ok {
        return Ok(());
    }
    let bad: Vec<usize> = txs
        .iter()
        .enumerate()
        .filter(|(_, tx)| !tx.verify_signature())
        .map(|(i, _)| i)
        .collect();
    if bad.is_empty() {
        // Batch verification rejects nothing that single verification accepts except with
        // negligible probability; treat a disagreement as all-valid per the single checks.
        return Ok(());
    }
    Err(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_cryptography::{Signer, ed25519::PrivateKey};
    use phalanx_types::{AccountId, BalancesCall, ChainId, TxBody};

    fn tx(seed: u64, nonce: u64) -> SignedTx {
        let key = PrivateKey::from_seed(seed);
        TxBody {
            chain_id: ChainId::new("phalanx-test").unwrap(),
            signer: key.public_key().into(),
            nonce,
            fee: 10,
            call: BalancesCall::Transfer {
                to: AccountId::from(PrivateKey::from_seed(99).public_key()),
                amount: 1,
            }
            .into(),
        }
        .sign(&key)
    }

    #[test]
    fn accepts_valid_batch() {
        let txs: Vec<_> = (0..16).map(|i| tx(i, i)).collect();
        assert_eq!(verify_transactions(&txs), Ok(()));
        assert_eq!(verify_transactions(&[]), Ok(()));
    }

    #[test]
    fn names_the_bad_signatures() {
        let mut txs: Vec<_> = (0..8).map(|i| tx(i, i)).collect();
        txs[3].body.nonce += 1;
        txs[6].signature = txs[5].signature.clone();
        assert_eq!(verify_transactions(&txs), Err(vec![3, 6]));
    }
}
