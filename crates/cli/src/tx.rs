//! `phalanx tx status`: a transaction as the node knows it.

use crate::{
    exit::CliError,
    show::{print, tx_text},
};
use clap::Subcommand;
use phalanx_client::{api::FinalizedTx, client, endpoint};
use phalanx_types::Call;

/// Signs `call` with the key `from` names (a key name, keystore file or `dev:NAME`), submits
/// it and waits for its block; a call that failed there is an error (exit 5). `what` names it
/// in messages; `quiet` keeps progress off stderr (`--json`).
pub(crate) fn send_from(
    rpc: &str,
    from: &str,
    call: impl Into<Call>,
    what: &str,
    quiet: bool,
) -> Result<FinalizedTx, CliError> {
    let key = crate::keys::resolve_signer_or_file(from)?;
    let chain = client::ChainInfo::fetch(rpc)?;
    Ok(client::send_checked(
        rpc,
        &chain,
        &key,
        call.into(),
        what,
        quiet,
    )?)
}

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
