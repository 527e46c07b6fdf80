//! `phalanx info`: the chain a node serves, its finalized head and its parameters.

use crate::{
    exit::CliError,
    show::{pha, print},
};
use phalanx_client::{api::ChainResponse, endpoint};

/// `phalanx info`.
pub fn run(rpc: &str, json_mode: bool) -> Result<(), CliError> {
    let chain = endpoint::chain(rpc)?;
    print(json_mode, &chain, || text(&chain));
    Ok(())
}

/// `GET /chain` for a person: the chain, its finalized head, its fee parameters in PHA and
/// the emission schedule.
pub fn text(v: &ChainResponse) -> String {
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
    match &v.root {
        Some(root) => s.push_str(&format!(
            "\n  root account:         {root} (development convenience: its policy, promotion and rotation calls bypass governance)"
        )),
        None => s.push_str(
            "\n  root account:         none (policy, promotion and rotation only through governance: phalanx gov)",
        ),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let text = text(&serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}")));
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
