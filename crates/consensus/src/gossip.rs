//! Transaction gossip between validators on p2p channel [`GOSSIP_CHANNEL`].
//!
//! A validator sends the transactions its clients submitted to every other validator, in
//! batches (at most [`MAX_GOSSIP_TXS`] transactions or [`MAX_GOSSIP_BYTES`] bytes, flushed as
//! soon as the queue is empty), so whichever validator leads next can include them. Received
//! batches are decoded with bounds and each transaction goes through the same admission as an
//! RPC submission; refusals (usually duplicates or already-included nonces) are counted, not
//! forwarded.

use crate::admission::{Admission, Origin};
use bytes::{Buf, BufMut};
use commonware_cryptography::ed25519;
use commonware_p2p::{Receiver, Recipients, Sender};
use commonware_runtime::{
    Metrics,
    telemetry::metrics::{Counter, raw},
};
use futures::{StreamExt, channel::mpsc};
use phalanx_types::MAX_TX_SIZE;
use std::sync::Arc;
use tracing::{debug, warn};

/// The p2p channel carrying transaction batches.
pub const GOSSIP_CHANNEL: u64 = 5;
/// Most transactions in one gossip message.
pub const MAX_GOSSIP_TXS: usize = 1_024;
/// Largest gossip message.
pub const MAX_GOSSIP_BYTES: usize = 512 * 1024;
/// Transactions waiting to be gossiped (beyond this they stay local).
pub const GOSSIP_QUEUE: usize = 65_536;

/// Why a gossip message was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GossipError {
    #[error("message is {0} bytes; the limit is {MAX_GOSSIP_BYTES}")]
    TooLarge(usize),
    #[error("message is truncated")]
    Truncated,
    #[error("message holds {0} transactions; the limit is {MAX_GOSSIP_TXS}")]
    TooMany(usize),
    #[error("a transaction is {0} bytes; the limit is {MAX_TX_SIZE}")]
    TxTooLarge(usize),
    #[error("{0} trailing bytes")]
    Trailing(usize),
}

/// Gossip counters, exported on `/metrics`.
#[derive(Clone)]
pub struct GossipMetrics {
    sent: Counter,
    received: Counter,
    refused: Counter,
    bad_messages: Counter,
}

impl GossipMetrics {
    /// Registers the counters under `context`.
    pub fn new(context: &impl Metrics) -> Self {
        Self {
            sent: context.register(
                "sent_txs",
                "Client transactions sent to the other validators",
                raw::Counter::default(),
            ),
            received: context.register(
                "received_txs",
                "Transactions received from other validators and admitted",
                raw::Counter::default(),
            ),
            refused: context.register(
                "refused_txs",
                "Transactions received from other validators and refused (duplicates, stale nonces, invalid)",
                raw::Counter::default(),
            ),
            bad_messages: context.register(
                "bad_messages",
                "Gossip messages that did not decode",
                raw::Counter::default(),
            ),
        }
    }
}

/// Encodes a batch: `u32` count, then per transaction a `u32` length and its bytes.
pub fn encode_batch(txs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + txs.iter().map(|t| 4 + t.len()).sum::<usize>());
    out.put_u32(txs.len() as u32);
    for tx in txs {
        out.put_u32(tx.len() as u32);
        out.put_slice(tx);
    }
    out
}

/// Decodes a batch from an untrusted peer.
pub fn decode_batch(mut buf: &[u8]) -> Result<Vec<Vec<u8>>, GossipError> {
    if buf.len() > MAX_GOSSIP_BYTES {
        return Err(GossipError::TooLarge(buf.len()));
    }
    if buf.remaining() < 4 {
        return Err(GossipError::Truncated);
    }
    let count = buf.get_u32() as usize;
    if count > MAX_GOSSIP_TXS {
        return Err(GossipError::TooMany(count));
    }
    let mut txs = Vec::with_capacity(count);
    for _ in 0..count {
        if buf.remaining() < 4 {
            return Err(GossipError::Truncated);
        }
        let len = buf.get_u32() as usize;
        if len > MAX_TX_SIZE {
            return Err(GossipError::TxTooLarge(len));
        }
        if buf.remaining() < len {
            return Err(GossipError::Truncated);
        }
        txs.push(buf[..len].to_vec());
        buf.advance(len);
    }
    if buf.has_remaining() {
        return Err(GossipError::Trailing(buf.remaining()));
    }
    Ok(txs)
}

/// Sends queued client transactions to every validator, in batches.
pub async fn send_loop<S>(mut sender: S, mut queue: mpsc::Receiver<Vec<u8>>, metrics: GossipMetrics)
where
    S: Sender<PublicKey = ed25519::PublicKey>,
{
    while let Some(first) = queue.next().await {
        let mut size = 4 + 4 + first.len();
        let mut batch = vec![first];
        while batch.len() < MAX_GOSSIP_TXS {
            match queue.try_recv() {
                Ok(tx) if size + 4 + tx.len() <= MAX_GOSSIP_BYTES => {
                    size += 4 + tx.len();
                    batch.push(tx);
                }
                Ok(tx) => {
                    // Does not fit: send what we have, start the next batch with it.
                    send(&mut sender, &batch, &metrics);
                    size = 4 + 4 + tx.len();
                    batch = vec![tx];
                }
                Err(_) => break,
            }
        }
        send(&mut sender, &batch, &metrics);
    }
}

fn send<S: Sender<PublicKey = ed25519::PublicKey>>(
    sender: &mut S,
    batch: &[Vec<u8>],
    metrics: &GossipMetrics,
) {
    let reached = sender.send(Recipients::All, encode_batch(batch), false);
    if !reached.is_empty() {
        metrics.sent.inc_by(batch.len() as u64);
    }
    debug!(
        txs = batch.len(),
        peers = reached.len(),
        "gossiped transactions"
    );
}

/// Admits transactions gossiped by other validators.
pub async fn receive_loop<R>(mut receiver: R, admission: Arc<Admission>, metrics: GossipMetrics)
where
    R: Receiver<PublicKey = ed25519::PublicKey>,
{
    loop {
        let (peer, message) = match receiver.recv().await {
            Ok(m) => m,
            Err(e) => {
                debug!(error = %e, "gossip channel closed");
                return;
            }
        };
        let txs = match decode_batch(message.as_ref()) {
            Ok(txs) => txs,
            Err(e) => {
                metrics.bad_messages.inc();
                warn!(peer = %peer, error = %e, "refused a gossip message");
                continue;
            }
        };
        let Some(params) = admission.params().await else {
            continue; // no finalized state yet; the sender's own pool still has them
        };
        let mut refused = 0usize;
        for tx in &txs {
            if admission.admit(&params, tx, Origin::Gossip).await.is_err() {
                refused += 1;
            }
        }
        metrics.received.inc_by((txs.len() - refused) as u64);
        metrics.refused.inc_by(refused as u64);
        debug!(peer = %peer, txs = txs.len(), refused, "admitted gossiped transactions");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_round_trip_and_bad_ones_are_refused() {
        let txs = vec![vec![1u8, 2, 3], vec![], vec![9; 100]];
        let bytes = encode_batch(&txs);
        assert_eq!(decode_batch(&bytes), Ok(txs));
        assert_eq!(decode_batch(&[]), Err(GossipError::Truncated));
        assert_eq!(
            decode_batch(&bytes[..bytes.len() - 1]),
            Err(GossipError::Truncated)
        );
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(decode_batch(&trailing), Err(GossipError::Trailing(1)));
        assert_eq!(
            decode_batch(&(MAX_GOSSIP_TXS as u32 + 1).to_be_bytes()),
            Err(GossipError::TooMany(MAX_GOSSIP_TXS + 1))
        );
        let mut huge = 1u32.to_be_bytes().to_vec();
        huge.extend_from_slice(&(MAX_TX_SIZE as u32 + 1).to_be_bytes());
        assert_eq!(
            decode_batch(&huge),
            Err(GossipError::TxTooLarge(MAX_TX_SIZE + 1))
        );
        assert_eq!(
            decode_batch(&vec![0; MAX_GOSSIP_BYTES + 1]),
            Err(GossipError::TooLarge(MAX_GOSSIP_BYTES + 1))
        );
    }
}
