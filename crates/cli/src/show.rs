//! Printing results: JSON as the node gave it (amounts in base units), or text for a person
//! (amounts in PHA).

use phalanx_client::api::ChainResponse;
use phalanx_types::{Amount, format_pha};
use serde_json::Value;

/// Prints `value` as JSON, or the `text` form.
pub fn print(json_mode: bool, value: &Value, text: impl FnOnce() -> String) {
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

/// A JSON amount in base units (a decimal string, as the node writes them, or a number) as
/// `… PHA`; anything else as it is.
pub fn pha_field(v: &Value) -> String {
    let units = match v {
        Value::String(s) => s.parse::<Amount>().ok(),
        Value::Number(n) => n.as_u64().map(Amount::from),
        _ => None,
    };
    match (units, v.as_str()) {
        (Some(u), _) => pha(u),
        (None, Some(s)) => s.to_string(),
        (None, None) => v.to_string(),
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

/// One event as `component.event field=value ...`, amounts in PHA.
pub fn event_text(e: &Value) -> String {
    let Some(fields) = e.as_object() else {
        return e.to_string();
    };
    let name = |k: &str| fields.get(k).and_then(Value::as_str).unwrap_or("?");
    let mut s = format!("{}.{}", name("component"), name("event"));
    for (k, v) in fields
        .iter()
        .filter(|(k, _)| *k != "event" && *k != "component")
    {
        let v = match (k.as_str(), v) {
            ("amount" | "emitted" | "short", v) => pha_field(v),
            (_, Value::String(s)) => s.clone(),
            (_, v) => v.to_string(),
        };
        s.push_str(&format!(" {k}={v}"));
    }
    s
}

/// A transaction's status (`GET /tx/{hash}`, or what a submitting command waited for).
pub fn tx_text(v: &Value) -> String {
    match v["status"].as_str() {
        Some("finalized") => {
            let loc = &v["location"];
            let receipt = &loc["receipt"];
            let result = match receipt["status"].as_str() {
                Some("success") => "success".to_string(),
                Some(status) => {
                    let error = &receipt["error"];
                    let code = error
                        .as_str()
                        .map_or_else(|| error.to_string(), str::to_string);
                    match serde_json::from_value::<phalanx_runtime::DispatchError>(error.clone()) {
                        Ok(e) => format!("{} ({e}: {code})", status.to_uppercase()),
                        Err(_) => format!("{} ({code})", status.to_uppercase()),
                    }
                }
                None => "?".to_string(),
            };
            let mut s = format!(
                "{} finalized in block {} (index {})\n  result:   {result}\n  fee paid: {}",
                v["hash"].as_str().unwrap_or(""),
                loc["height"],
                loc["index"],
                pha_field(&receipt["fee_paid"]),
            );
            let events = receipt["events"].as_array().cloned().unwrap_or_default();
            if events.is_empty() {
                s.push_str("\n  events:   none");
            } else {
                s.push_str("\n  events:");
                for e in &events {
                    s.push_str(&format!("\n    {}", event_text(e)));
                }
            }
            s
        }
        Some(s) => format!("{} {s}", v["hash"].as_str().unwrap_or("")),
        None => v.to_string(),
    }
}

/// `GET /chain` for a person: the chain, its finalized head, its fee parameters in PHA and
/// the emission schedule.
pub fn info_text(v: &ChainResponse) -> String {
    let mut s = format!(
        "chain `{}`\n  genesis:              {}\n  finalized:            height {}, block {}\n  pending transactions: {}",
        v.chain_id, v.genesis, v.finalized.height, v.finalized.digest, v.mempool,
    );
    match &v.params {
        Some(p) => {
            s.push_str("\n  fee parameters:");
            for (label, amount) in [
                ("base fee", p.fees.base_fee),
                ("fee per byte", p.fees.fee_per_byte),
                ("transfer fee", p.fees.transfer_fee),
                ("attestation fee", p.registry.attestation_fee),
                ("admin fee", p.fees.admin_fee),
                ("existential deposit", p.balances.existential_deposit),
            ] {
                s.push_str(&format!(
                    "\n    {:<20} {}",
                    format!("{label}:"),
                    pha(amount)
                ));
            }
            s.push_str(&format!(
                "\n  block capacity:       {} transactions, {} bytes, {} attestations",
                p.fees.max_block_txs, p.fees.max_block_bytes, p.registry.max_block_attestations
            ));
            let t = &p.tokenomics;
            s.push_str(&format!(
                "\n  emission:             {} per day, x {}/{} every {} days (`phalanx tokenomics`)",
                pha(t.daily_emission),
                t.decay_numerator,
                t.decay_denominator,
                t.period_ms / phalanx_runtime::tokenomics::DAY_MS
            ));
        }
        None => s.push_str("\n  fee parameters:       not yet known (no finalized state)"),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn receipts_show_pha() {
        let v = json!({
            "status": "finalized", "hash": "ab",
            "location": {"height": 3, "index": 1, "receipt": {
                "status": "failed", "error": "balances.zero_amount", "fee_paid": "128100000",
                "events": [{"component": "fees", "event": "fee_paid", "who": "cd",
                    "amount": "128100000"}],
            }},
        });
        let text = tx_text(&v);
        assert!(text.contains("fee paid: 0.0001281 PHA"), "{text}");
        assert!(
            text.contains("FAILED (amount must be greater than zero: balances.zero_amount)"),
            "{text}"
        );
        assert!(
            text.contains("fees.fee_paid who=cd amount=0.0001281 PHA"),
            "{text}"
        );
        assert!(!text.contains("128100000"), "{text}");
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

    #[test]
    fn info_is_text() {
        let v = json!({
            "chain_id": "phalanx-dev", "genesis": "aa", "mempool": 0,
            "finalized": {"height": 12, "digest": "bb", "timestamp_ms": 1, "state_root": "cc"},
            "params": {
                "balances": {"existential_deposit": "1000000000"},
                "fees": {"base_fee": "100000000", "fee_per_byte": "100000", "transfer_fee": "0",
                    "admin_fee": "1000000000", "max_block_txs": 20000, "max_block_bytes": 8388608},
                "registry": {"attestation_fee": "1000000000000", "max_block_attestations": 32},
            },
        });
        let text = info_text(&serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}")));
        assert!(text.starts_with("chain `phalanx-dev`"), "{text}");
        assert!(
            text.contains("720000 PHA per day, x 3/4 every 180 days"),
            "{text}"
        );
        assert!(text.contains("height 12, block bb"), "{text}");
        assert!(text.contains("attestation fee:     1 PHA"), "{text}");
        assert!(
            text.contains("fee per byte:        0.0000001 PHA"),
            "{text}"
        );
        assert!(text.contains("20000 transactions"), "{text}");
        assert!(!text.contains('{'), "{text}");
    }
}
