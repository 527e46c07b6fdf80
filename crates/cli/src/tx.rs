//! `phalanx tx status`: a transaction as the node knows it.

use crate::{
    exit::CliError,
    show::{print, tx_text},
};
use clap::Subcommand;
use phalanx_client::endpoint;

#[derive(Subcommand)]
pub enum TxCommand {
    /// Show whether a transaction is pending or finalized, with its receipt.
    Status { hash: String },
}

/// `phalanx tx …`.
pub fn run(rpc: &str, action: TxCommand, json_mode: bool) -> Result<(), CliError> {
    match action {
        TxCommand::Status { hash } => {
            let status = endpoint::tx_status(rpc, hash.trim())?;
            print(json_mode, &status, || tx_text(&status));
        }
    }
    Ok(())
}
