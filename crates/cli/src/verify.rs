//! Client-side state proof checking: the CLI does not take the node's word for a balance.

use crate::{exit::CliError, http};
use phalanx_runtime::balances;
use phalanx_state::StateProof;
use phalanx_types::{AccountId, format_pha};
use serde_json::{Value, json};

fn hex32(v: &Value, what: &str) -> Result<[u8; 32], String> {
    v.as_str()
        .and_then(|s| hex::decode(s).ok())
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("node returned no valid {what}"))
}

/// Fetches `id`'s account with its state proof and the block the proof's root belongs to, and
/// checks: the block's header carries that root, the key is the one this client computes, and
/// the proof verifies the value (or its absence) under the root.
///
/// What this does not check yet: that the block is final. The CLI takes the node's word for
/// the block header at a height; checking the validators' finality certificate needs the chain
/// spec's validator set and comes with the worker's light client.
pub fn verified_account(rpc: &str, id: &AccountId) -> Result<Value, CliError> {
    let p = http::call(rpc, "GET", &format!("/proof/account/{id}"), None)?;
    let height = p["height"]
        .as_u64()
        .ok_or("node returned a proof without a block height")?;
    let block = http::call(rpc, "GET", &format!("/block/{height}"), None)?;
    if block["state_root"] != p["state_root"] || block["hash"] != p["block_hash"] {
        return Err(format!(
            "proof names block {height} with state root {}, but that block's root is {}",
            p["state_root"], block["state_root"]
        )
        .into());
    }
    let root = hex32(&block["state_root"], "state root")?;
    let value = match &p["value"] {
        Value::Null => None,
        v => Some(
            v.as_str()
                .and_then(|s| hex::decode(s).ok())
                .ok_or("node returned a value that is not hex")?,
        ),
    };
    let proof_bytes = p["proof"]
        .as_str()
        .and_then(|s| hex::decode(s).ok())
        .ok_or("node returned a proof that is not hex")?;
    let proof = StateProof::decode(&proof_bytes).map_err(|e| format!("state proof: {e}"))?;
    let key = balances::state_key::account(id);
    proof
        .verify(&key, value.as_deref(), &root.into())
        .map_err(|e| format!("state proof REFUSED: {e}"))?;
    let account = match &value {
        None => balances::Account::default(),
        Some(v) => <balances::Account as commonware_codec::DecodeExt<()>>::decode(
            commonware_codec::Copying(v.as_slice()),
        )
        .map_err(|e| format!("proven value is not an account: {e}"))?,
    };
    Ok(json!({
        "account": id,
        "balance": account.balance.to_string(),
        "balance_pha": format_pha(account.balance),
        "nonce": account.nonce,
        "verified": true,
        "proof_kind": if proof.is_inclusion() { "inclusion" } else { "exclusion" },
        "height": height,
        "block_hash": block["hash"],
        "state_root": block["state_root"],
    }))
}
