//! Printing results: JSON as the node gave it (amounts in base units), or text for a person
//! (amounts in PHA).

use phalanx_client::api::TxStatusResponse;
use phalanx_runtime::{Event, TxStatus};
use phalanx_types::{Amount, format_pha};
use serde::Serialize;
use serde_json::Value;

/// Prints `value` as JSON, or the `text` form.
pub fn print(json_mode: bool, value: &impl Serialize, text: impl FnOnce() -> String) {
    let out = if json_mode {
        serde_json::to_string_pretty(value).unwrap_or_default()
    } else {
        text()
    };
    // A reader that went away (`| head`) is not an error worth a panic: stop quietly.
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{out}");
}

/// `1.5 PHA` for a base-unit amount.
pub fn pha(units: Amount) -> String {
    format!("{} PHA", format_pha(units))
}

/// An event field holding an amount (a decimal string of base units, as events serialize
/// them) as `… PHA`; anything else as it is.
fn pha_field(v: &Value) -> String {
    match v.as_str().and_then(|s| s.parse::<Amount>().ok()) {
        Some(units) => pha(units),
        None => v.as_str().map_or_else(|| v.to_string(), str::to_string),
    }
}

/// A base-unit amount in a node's message as `… PHA`.
fn pha_text(units: &str) -> Option<String> {
    units.trim().parse::<Amount>().ok().map(pha)
}

/// A refusal message from the node, with the amounts it gives in base units shown in PHA
/// (refusals whose text the node writes in PHA already, or that carry no amount, unchanged).
pub fn node_message(code: &str, message: &str) -> String {
    let rewritten = match code {
        "insufficient_balance" => insufficient_balance(message),
        _ => None,
    };
    rewritten.unwrap_or_else(|| message.to_string())
}

/// "balance {b} cannot cover amount + fee + existential deposit ({n} base units)", the
/// mempool's text, in PHA.
fn insufficient_balance(message: &str) -> Option<String> {
    let (balance, rest) = message
        .strip_prefix("balance ")?
        .split_once(" cannot cover ")?;
    let (what, needed) = rest.rsplit_once(" (")?;
    let needed = needed.strip_suffix(" base units)")?;
    Some(format!(
        "balance {} cannot cover {what} ({})",
        pha_text(balance)?,
        pha_text(needed)?
    ))
}

/// Event fields that hold an amount in base units (shown in PHA).
const AMOUNT_FIELDS: [&str; 18] = [
    "amount",
    "emitted",
    "short",
    "stake",
    "returns",
    "payout",
    "treasury",
    "returned",
    "slashed",
    "cap",
    "commission",
    "value",
    "deposit",
    "weight",
    "quorum",
    "yes",
    "no",
    "abstain",
];
/// Event fields that hold stake-pool shares (counted like base units, shown as decimals).
const SHARE_FIELDS: [&str; 1] = ["shares"];
/// Event fields that hold a fixed-point number (mining's V and P), shown to two decimals.
const FIXED_FIELDS: [&str; 3] = ["v", "p_instant", "initial_value"];

/// A fixed-point decimal string to two decimals (anything else as it is).
fn fixed_text(s: &str) -> String {
    s.parse::<f64>()
        .map_or_else(|_| s.to_string(), |x| format!("{x:.2}"))
}

/// One event as `component.event field=value ...`, amounts in PHA. Events are the runtime's
/// typed `Event`; this prints any of them the same way, so it walks the fields of its JSON form
/// (free-form on purpose: a new event needs no new printing code).
pub fn event_text(e: &Event) -> String {
    let value = serde_json::to_value(e).unwrap_or_default();
    let Some(fields) = value.as_object() else {
        return value.to_string();
    };
    let name = |k: &str| fields.get(k).and_then(Value::as_str).unwrap_or("?");
    let mut s = format!("{}.{}", name("component"), name("event"));
    for (k, v) in fields
        .iter()
        .filter(|(k, _)| *k != "event" && *k != "component")
    {
        let v = match (k.as_str(), v) {
            (k, v) if AMOUNT_FIELDS.contains(&k) => pha_field(v),
            (k, Value::String(s)) if SHARE_FIELDS.contains(&k) => {
                s.parse::<u128>().map_or_else(|_| s.clone(), format_pha)
            }
            (k, Value::String(s)) if FIXED_FIELDS.contains(&k) => fixed_text(s),
            // Free text (a slash's evidence) is quoted so it reads as one value.
            (_, Value::String(s)) if s.contains(' ') => format!("{s:?}"),
            // A one-variant wrapper (a session's owner `{"account": …}`) as `account:…`.
            (_, Value::Object(m)) if m.len() == 1 => m
                .iter()
                .map(|(tag, v)| {
                    format!(
                        "{tag}:{}",
                        v.as_str().map_or_else(|| v.to_string(), str::to_string)
                    )
                })
                .collect(),
            (_, Value::String(s)) => s.clone(),
            (_, v) => v.to_string(),
        };
        s.push_str(&format!(" {k}={v}"));
    }
    s
}

/// A transaction's status (`GET /tx/{hash}`, or what a submitting command waited for).
pub fn tx_text(v: &TxStatusResponse) -> String {
    match v {
        TxStatusResponse::Finalized(f) => {
            let loc = &f.location;
            let receipt = &loc.receipt;
            let result = match receipt.status {
                TxStatus::Success => "success".to_string(),
                TxStatus::Failed(e) => format!("FAILED ({e}: {})", e.name()),
            };
            let mut s = format!(
                "{} finalized in block {} (index {})\n  result:   {result}\n  fee paid: {}",
                f.hash,
                loc.height,
                loc.index,
                pha(receipt.fee_paid),
            );
            if loc.events_unavailable {
                s.push_str(
                    "\n  events:   not available (the node rebuilt this receipt from its block archive)",
                );
            } else if receipt.events.is_empty() {
                s.push_str("\n  events:   none");
            } else {
                s.push_str("\n  events:");
                for e in &receipt.events {
                    s.push_str(&format!("\n    {}", event_text(e)));
                }
            }
            s
        }
        TxStatusResponse::Pending { hash } => format!("{hash} pending"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn receipts_show_pha() {
        use commonware_cryptography::Signer;
        let who = phalanx_types::AccountId::from(phalanx_crypto::dev_key("alice").public_key())
            .to_string();
        let v = json!({
            "status": "finalized", "hash": "ab",
            "location": {"height": 3, "index": 1, "block": "ef", "receipt": {
                "status": "failed", "error": "balances.zero_amount", "fee_paid": "128100000",
                "events": [{"component": "fees", "event": "fee_paid", "who": who,
                    "amount": "128100000"}],
            }},
        });
        let v: TxStatusResponse = serde_json::from_value(v).unwrap();
        let text = tx_text(&v);
        assert!(text.contains("fee paid: 0.0001281 PHA"), "{text}");
        assert!(
            text.contains("FAILED (amount must be greater than zero: balances.zero_amount)"),
            "{text}"
        );
        assert!(
            text.contains(&format!("fees.fee_paid who={who} amount=0.0001281 PHA")),
            "{text}"
        );
        assert!(!text.contains("128100000"), "{text}");
        let pending = TxStatusResponse::Pending { hash: "ab".into() };
        assert_eq!(tx_text(&pending), "ab pending");
    }

    #[test]
    fn pool_events_show_pha_and_shares_as_decimals() {
        use commonware_cryptography::Signer;
        let who = phalanx_types::AccountId::from(phalanx_crypto::dev_key("bob").public_key());
        let e = Event::StakePool(phalanx_runtime::stakepool::Event::Contributed {
            pool: 0,
            delegator: who.clone(),
            amount: 2_500_000_000_000,
            shares: 2_000_000_000_000,
        });
        // (The component's name is the runtime's: `stake_pool` so far.)
        let text = event_text(&e);
        assert!(
            text.ends_with(&format!(
                ".contributed pool=0 delegator={who} amount=2.5 PHA shares=2"
            )),
            "{text}"
        );
        let e = Event::StakePool(phalanx_runtime::stakepool::Event::Created {
            pool: 3,
            owner: who.clone(),
            commission_ppm: 100_000,
            cap: None,
        });
        let text = event_text(&e);
        assert!(
            text.ends_with(&format!(
                ".created pool=3 owner={who} commission_ppm=100000 cap=null"
            )),
            "{text}"
        );
    }

    #[test]
    fn refusals_show_pha_and_unknown_texts_stay() {
        assert_eq!(
            node_message(
                "insufficient_balance",
                "balance 1000001500000000000 cannot cover amount + fee + existential deposit (1000002000000000000 base units)"
            ),
            "balance 1000001.5 PHA cannot cover amount + fee + existential deposit (1000002 PHA)"
        );
        assert_eq!(
            node_message("insufficient_balance", "something else"),
            "something else"
        );
        assert_eq!(node_message("duplicate", "balance 5"), "balance 5");
    }
}
