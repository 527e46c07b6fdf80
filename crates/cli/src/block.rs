//! `phalanx block`: a finalized block, its transactions and its block events.

use crate::{
    exit::CliError,
    show::{event_text, print},
};
use phalanx_client::{api::BlockResponse, endpoint};
use phalanx_runtime::TxStatus;

#[derive(clap::Args)]
pub struct BlockArgs {
    /// Height or `latest`.
    #[arg(default_value = "latest")]
    height: String,
}

/// `phalanx block [HEIGHT|latest]`.
pub fn run(rpc: &str, args: BlockArgs, json_mode: bool) -> Result<(), CliError> {
    let block = endpoint::block(rpc, &args.height)?;
    print(json_mode, &block, || text(&block));
    Ok(())
}

/// A block for a person.
fn text(v: &BlockResponse) -> String {
    let mut s = format!(
        "block {} {}\n  parent:     {}\n  time (ms):  {}\n  state root: {}\n  proposer:  {}\n  transactions: {}",
        v.height,
        v.hash,
        v.parent,
        v.timestamp_ms,
        v.state_root,
        v.proposer,
        v.transactions.len()
    );
    for tx in &v.transactions {
        s.push_str(&format!(
            "\n    {} {} {}",
            tx.hash,
            tx.call.name(),
            match tx.status {
                TxStatus::Success => "success",
                TxStatus::Failed(_) => "failed",
            }
        ));
    }
    match &v.events {
        Some(events) => {
            s.push_str(&format!("\n  block events: {}", events.len()));
            for e in events {
                s.push_str(&format!("\n    {}", event_text(e)));
            }
        }
        None => s.push_str(
            "\n  block events: not available (this node rebuilt the block from its archive without executing it)",
        ),
    }
    s
}
