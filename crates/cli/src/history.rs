//! `phalanx account history` and `phalanx events`: what the node's index answers about the
//! past (`GET /account/{id}/txs`, `GET /events`), a page at a time.

use crate::{
    exit::CliError,
    keys,
    pool::utc_text,
    show::{event_text, pha, print},
};
use phalanx_client::{
    api::{
        AccountTxsQuery, AccountTxsResponse, DEFAULT_HISTORY_PAGE, EventsQuery, EventsResponse,
        MAX_HISTORY_PAGE,
    },
    endpoint,
};
use phalanx_runtime::TxStatus;

#[derive(clap::Subcommand)]
pub enum AccountCommand {
    /// The transactions an account signed or an event of which names it (transfers it
    /// received, pools it delegates to, …), newest first, a page at a time.
    History(HistoryArgs),
}

#[derive(clap::Args)]
pub struct HistoryArgs {
    /// Account id (hex), key name, or `dev:NAME` for a well-known dev account.
    account: String,
    /// Only transactions before this position (`HEIGHT.INDEX`, the `next` a page ends with).
    #[arg(long, value_parser = tx_position)]
    before: Option<String>,
    /// How many transactions (at most 1000).
    #[arg(long, default_value_t = DEFAULT_HISTORY_PAGE, value_parser = clap::value_parser!(u64).range(1..=MAX_HISTORY_PAGE))]
    limit: u64,
}

#[derive(clap::Args)]
pub struct EventsArgs {
    /// Only events of this kind, `component.event` (e.g. `balances.transfer`,
    /// `stakepool.contributed`); the node lists the kinds if this is not one.
    #[arg(long)]
    kind: Option<String>,
    /// First height (default: the last 100 blocks).
    #[arg(long)]
    from: Option<u64>,
    /// Last height (default: the finalized head).
    #[arg(long)]
    to: Option<u64>,
    /// Resume where a previous page ended (its `next`: `HEIGHT.TX.N`, `TX` a transaction's
    /// index or `b` for the block hooks).
    #[arg(long, value_parser = event_position)]
    cursor: Option<String>,
    /// How many events (at most 1000).
    #[arg(long, default_value_t = DEFAULT_HISTORY_PAGE, value_parser = clap::value_parser!(u64).range(1..=MAX_HISTORY_PAGE))]
    limit: u64,
}

/// Whether `part` is a decimal number that fits a `u64` (no sign, no spaces).
fn is_number(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) && part.parse::<u64>().is_ok()
}

/// `--before`: `HEIGHT.INDEX` (the node checks the ranges; this catches typos before asking).
fn tx_position(s: &str) -> Result<String, String> {
    match s.split('.').collect::<Vec<_>>().as_slice() {
        [h, i] if is_number(h) && is_number(i) => Ok(s.to_string()),
        _ => Err("expected HEIGHT.INDEX, e.g. 120.3 (a page's `next`)".into()),
    }
}

/// `--cursor`: `HEIGHT.TX.N`, `TX` a number or `b`.
fn event_position(s: &str) -> Result<String, String> {
    match s.split('.').collect::<Vec<_>>().as_slice() {
        [h, t, n] if is_number(h) && (is_number(t) || *t == "b") && is_number(n) => {
            Ok(s.to_string())
        }
        _ => Err("expected HEIGHT.TX.N, e.g. 120.3.0 or 120.b.1 (a page's `next`)".into()),
    }
}

/// `phalanx account …`.
pub fn account(rpc: &str, action: AccountCommand, json_mode: bool) -> Result<(), CliError> {
    match action {
        AccountCommand::History(args) => {
            let id = keys::resolve_account(&args.account)?;
            let page = endpoint::account_txs(
                rpc,
                &id,
                &AccountTxsQuery {
                    before: args.before,
                    limit: args.limit,
                },
            )?;
            let again = Again {
                rpc,
                limit: args.limit,
            };
            print(json_mode, &page, || {
                history_text(&page, &args.account, &again)
            });
            Ok(())
        }
    }
}

/// What a "more:" line must repeat so that it asks the same node for the same page size.
struct Again<'a> {
    rpc: &'a str,
    limit: u64,
}

impl Again<'_> {
    /// ` --rpc URL` unless it is the default (a global flag: before the command).
    fn rpc(&self) -> String {
        if self.rpc == crate::DEFAULT_RPC {
            String::new()
        } else {
            format!(" --rpc {}", self.rpc)
        }
    }

    /// ` --limit N` unless it is the default (the command's flag: after it).
    fn limit(&self) -> String {
        if self.limit == DEFAULT_HISTORY_PAGE {
            String::new()
        } else {
            format!(" --limit {}", self.limit)
        }
    }
}

fn history_text(page: &AccountTxsResponse, asked: &str, again: &Again<'_>) -> String {
    let me = &page.account;
    let mut s = match (page.txs.len(), &page.next) {
        (0, _) => format!("account {me}: no transactions"),
        (n, None) => format!("account {me}: {n} transaction(s), newest first"),
        (n, Some(_)) => format!("account {me}: {n} transactions on this page, newest first"),
    };
    for tx in &page.txs {
        let role = if &tx.signer == me {
            format!("sent (nonce {})", tx.nonce)
        } else {
            format!("by {}", tx.signer)
        };
        let result = match tx.receipt.status {
            TxStatus::Success => "success".to_string(),
            TxStatus::Failed(e) => format!("FAILED ({})", e.name()),
        };
        s.push_str(&format!(
            "\n{:<12}  {}  {}  {result}  {role}  fee {}\n    tx {}",
            format!("{}.{}", tx.height, tx.index),
            utc_text(tx.timestamp_ms),
            tx.call,
            pha(tx.receipt.fee_paid),
            tx.hash,
        ));
        for e in &tx.receipt.events {
            s.push_str(&format!("\n    {}", event_text(e)));
        }
        if tx.events_unavailable {
            s.push_str("\n    (events not available: this block was rebuilt from the archive)");
        }
    }
    let oldest = page.txs.last().map_or(u64::MAX, |t| t.height);
    if let Some(from) = page
        .events_known_from
        .filter(|from| oldest < *from || page.next.is_none())
    {
        s.push_str(&format!(
            "\nnote: blocks below {from} were rebuilt without their events; transactions that \
             name this account only in an event there are not listed"
        ));
    }
    if let Some(next) = &page.next {
        s.push_str(&format!(
            "\nmore: phalanx{} account history {asked}{} --before {next}",
            again.rpc(),
            again.limit()
        ));
    }
    s
}

/// `phalanx events`.
pub fn events(rpc: &str, args: EventsArgs, json_mode: bool) -> Result<(), CliError> {
    let query = EventsQuery {
        kind: args.kind,
        from: args.from,
        to: args.to,
        cursor: args.cursor,
        limit: args.limit,
    };
    let page = endpoint::events(rpc, &query)?;
    let again = Again {
        rpc,
        limit: query.limit,
    };
    print(json_mode, &page, || events_text(&page, &query, &again));
    Ok(())
}

fn events_text(page: &EventsResponse, query: &EventsQuery, again: &Again<'_>) -> String {
    let what = query.kind.as_deref().unwrap_or("all kinds");
    let mut s = if page.from > page.to {
        format!(
            "events ({what}): none, block {} is not finalized yet (the head is {})",
            page.from, page.to
        )
    } else {
        format!(
            "events ({what}) in blocks {} to {}: {}{}",
            page.from,
            page.to,
            page.events.len(),
            if page.events.is_empty() && query.from.is_none() {
                " (the last 100 blocks by default; --from 1 searches from the start)"
            } else {
                ""
            }
        )
    };
    for e in &page.events {
        let source = match &e.tx {
            Some(tx) => format!("tx {tx}"),
            None => "block hooks".to_string(),
        };
        s.push_str(&format!(
            "\n{:<14} {}\n    ({source})",
            e.position,
            event_text(&e.event)
        ));
    }
    if let Some(from) = page.events_known_from.filter(|from| page.from < *from) {
        s.push_str(&format!(
            "\nnote: blocks below {from} were rebuilt without their events"
        ));
    }
    if let Some(next) = &page.next {
        let mut line = format!("phalanx{} events{}", again.rpc(), again.limit());
        if let Some(kind) = &query.kind {
            line.push_str(&format!(" --kind {kind}"));
        }
        line.push_str(&format!(
            " --from {} --to {} --cursor {next}",
            page.from, page.to
        ));
        s.push_str(&format!("\nmore: {line}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_checked_before_asking() {
        assert!(tx_position("12.3").is_ok());
        assert!(event_position("12.3.0").is_ok() && event_position("12.b.1").is_ok());
        for bad in [
            "",
            "12",
            "12.3.4",
            "a.1",
            "+1.2",
            "1. 2",
            "99999999999999999999.0",
        ] {
            assert!(tx_position(bad).is_err(), "{bad:?}");
        }
        for bad in ["12.3", "12.c.0", "1.2.3.4", "-1.0.0"] {
            assert!(event_position(bad).is_err(), "{bad:?}");
        }
    }
}
