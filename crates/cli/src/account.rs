//! `phalanx balance` and `phalanx transfer`: an account's balance (optionally verified with a
//! state proof), and sending PHA.

use crate::{
    exit::{self, CliError},
    keys,
    show::{print, tx_text},
    verify,
};
use commonware_cryptography::Signer;
use phalanx_client::{api::TxStatusResponse, client, endpoint};
use phalanx_types::{AccountId, Amount, BalancesCall, format_pha, parse_pha};

#[derive(clap::Args)]
pub struct BalanceArgs {
    /// Account id (hex), key name, or `dev:NAME` for a well-known dev account.
    account: String,
    /// Fetch a state proof and verify it here against the block's state root, instead of
    /// trusting the node's answer.
    #[arg(long)]
    prove: bool,
}

#[derive(clap::Args)]
pub struct TransferArgs {
    /// Signing key: a key name from `phalanx keys`, or `dev:NAME` (dev chains only).
    #[arg(long)]
    from: String,
    /// Recipient: account id (hex), key name, or `dev:NAME`.
    #[arg(long)]
    to: String,
    /// Amount in PHA, e.g. `1.5` (more than zero).
    #[arg(long, value_parser = parse_amount)]
    amount: Amount,
    /// Fee in PHA (default: the chain's required fee).
    #[arg(long, value_parser = parse_fee)]
    fee: Option<Amount>,
    /// Return after submission instead of waiting for finality.
    #[arg(long)]
    no_wait: bool,
}

/// `--amount`: PHA, more than zero (the chain would include a zero transfer, fail it and
/// charge its fee).
fn parse_amount(s: &str) -> Result<Amount, String> {
    match parse_pha(s).map_err(|e| e.to_string())? {
        0 => Err("a transfer must move more than 0 PHA".into()),
        units => Ok(units),
    }
}

/// `--fee`: PHA.
fn parse_fee(s: &str) -> Result<Amount, String> {
    parse_pha(s).map_err(|e| e.to_string())
}

/// `phalanx balance [--prove]`.
pub fn balance(rpc: &str, args: BalanceArgs, json_mode: bool) -> Result<(), CliError> {
    let id = keys::resolve_account(&args.account)?;
    if args.prove {
        let v = verify::verified_account(rpc, &id)?;
        print(json_mode, &v, || {
            format!(
                "{id}\n  balance: {} PHA\n  nonce:   {}\n  verified: {} proof against state root {}\n            of block {} ({})",
                v.balance_pha,
                v.nonce,
                v.proof_kind.as_str(),
                v.state_root,
                v.height,
                v.block_hash,
            )
        });
    } else {
        let a = endpoint::account(rpc, &id)?;
        print(json_mode, &a, || {
            let lock = a.lock.as_ref().map_or(String::new(), |l| {
                format!(
                    "\n  locked:  {} by votes, until {} (fees may still be paid from it)",
                    crate::show::pha(l.amount.base_units),
                    crate::pool::utc_text(l.until_ms)
                )
            });
            format!(
                "{id}\n  balance: {} PHA{lock}\n  nonce:   {}\n  (finalized height {})",
                a.balance_pha, a.nonce, a.finalized_height
            )
        });
    }
    Ok(())
}

/// `phalanx transfer`: exits with [`exit::Exit::Failed`] when the transfer fails in its block.
pub fn transfer(rpc: &str, args: TransferArgs, json_mode: bool) -> Result<(), CliError> {
    let TransferArgs {
        from,
        to,
        amount,
        fee,
        no_wait,
    } = args;
    let key = keys::resolve_signer(&from)?;
    let to = keys::resolve_account(&to)?;
    if to == AccountId::from(key.public_key()) {
        return Err(CliError::new(
            exit::Exit::Usage,
            "--from and --to are the same account: the chain would refuse the transfer and keep the fee",
        ));
    }
    let chain = client::ChainInfo::fetch(rpc)?;
    let nonce = client::next_nonce(rpc, &AccountId::from(key.public_key()))?;
    let call = BalancesCall::Transfer {
        to: to.clone(),
        amount,
    }
    .into();
    let tx = chain.sign(&key, nonce, call, fee);
    if no_wait {
        let submitted = client::submit(rpc, &tx)?;
        print(json_mode, &submitted, || {
            format!("submitted {}", submitted.hash)
        });
    } else {
        let status =
            TxStatusResponse::Finalized(client::submit_and_wait(rpc, &tx, json_mode, "transfer")?);
        print(json_mode, &status, || {
            format!(
                "sent {} PHA to {to}\n{}",
                format_pha(amount),
                tx_text(&status)
            )
        });
    }
    Ok(())
}
