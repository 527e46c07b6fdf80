//! Fills an index with synthetic transfer blocks and prints the process's resident memory and
//! the file's size every 100,000 transactions: the index's own memory, apart from the node's.
//!
//! `cargo run --release -p phalanx-index --example fill -- [TRANSACTIONS] [DIR]`

use commonware_consensus::types::Height;
use commonware_cryptography::{Signer as _, ed25519::PrivateKey};
use phalanx_consensus::{
    app::BlockReceipts,
    block::{Block, Digest},
};
use phalanx_index::{BlockToIndex, Index};
use phalanx_runtime::{Event, Receipt, TxStatus, balances, fees};
use phalanx_types::{AccountId, BalancesCall, ChainId, TxBody};
use std::time::Instant;

fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().strip_suffix("kB"))
                .and_then(|v| v.trim().parse::<u64>().ok())
        })
        .unwrap_or(0)
        / 1024
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let total: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("phalanx-index-fill"));
    let _ = std::fs::remove_dir_all(&dir);
    let (index, _) = Index::open(&dir)?;
    let chain_id = ChainId::new("fill")?;
    let keys: Vec<PrivateKey> = (0..100).map(PrivateKey::from_seed).collect();
    let ids: Vec<AccountId> = keys.iter().map(|k| k.public_key().into()).collect();
    const PER_BLOCK: u64 = 2_000;
    let started = Instant::now();
    let mut written = 0u64;
    let mut nonces = vec![0u64; keys.len()];
    for height in 1.. {
        if written >= total {
            break;
        }
        let mut block = Block::genesis(
            Digest::from([0; 32]),
            1_800_000_000_000 + height * 200,
            Digest::from([1; 32]),
            Digest::from([0; 32]),
            Block::empty_range(),
        );
        block.height = Height::new(height);
        let mut receipts = Vec::new();
        for n in 0..PER_BLOCK {
            let from = ((written + n) % keys.len() as u64) as usize;
            let to = (from + 1) % keys.len();
            block.txs.push(
                TxBody {
                    chain_id: chain_id.clone(),
                    signer: ids[from].clone(),
                    nonce: nonces[from],
                    fee: 128_100_000,
                    call: BalancesCall::Transfer {
                        to: ids[to].clone(),
                        amount: 1_000_000_000,
                    }
                    .into(),
                }
                .sign(&keys[from]),
            );
            nonces[from] += 1;
            receipts.push(Receipt {
                status: TxStatus::Success,
                fee_paid: 128_100_000,
                events: vec![
                    Event::Balances(balances::Event::Transfer {
                        from: ids[from].clone(),
                        to: ids[to].clone(),
                        amount: 1_000_000_000,
                    }),
                    Event::Fees(fees::Event::FeePaid {
                        who: ids[from].clone(),
                        amount: 128_100_000,
                    }),
                ],
            });
        }
        block.outcomes = receipts.iter().map(Receipt::outcome).collect();
        let receipts = BlockReceipts {
            txs: receipts,
            block_events: Vec::new(),
            events_known: true,
        };
        let digest = Digest::from([height as u8; 32]);
        index.write_blocks(&[BlockToIndex {
            block: &block,
            digest: &digest,
            receipts: &receipts,
        }])?;
        let before = written;
        written += PER_BLOCK;
        if written / 100_000 != before / 100_000 {
            let size = std::fs::metadata(index.path())?.len();
            println!(
                "{written:>9} txs  rss {:>5} MiB  file {:>6} MiB  {:>6.0} txs/s",
                rss_mib(),
                size >> 20,
                written as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    drop(index);
    let t = Instant::now();
    let (index, _) = Index::open(&dir)?;
    println!(
        "reopened (with the integrity check) in {:.2} s; contiguous height {}",
        t.elapsed().as_secs_f64(),
        index.contiguous_height()
    );
    Ok(())
}
