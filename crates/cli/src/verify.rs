//! Client-side state proof checking: the CLI does not take the node's word for a balance.

use crate::exit::CliError;
use phalanx_client::{api::ProofKind, endpoint};
use phalanx_runtime::{amount_json, balances};
use phalanx_state::StateProof;
use phalanx_types::{AccountId, Amount, format_pha};
use serde::Serialize;

/// `phalanx balance --prove`: an account as this client verified it.
#[derive(Serialize)]
pub struct VerifiedAccount {
    pub account: AccountId,
    #[serde(with = "amount_json")]
    pub balance: Amount,
    pub balance_pha: String,
    pub nonce: u64,
    pub verified: bool,
    pub proof_kind: ProofKind,
    pub height: u64,
    pub block_hash: String,
    pub state_root: String,
}

fn hex32(text: &str, what: &str) -> Result<[u8; 32], String> {
    hex::decode(text)
        .ok()
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
pub fn verified_account(rpc: &str, id: &AccountId) -> Result<VerifiedAccount, CliError> {
    let p = endpoint::account_proof(rpc, id)?;
    let height = p.height;
    let block = endpoint::block(rpc, &height.to_string())?;
    if block.state_root != p.state_root || block.hash != p.block_hash {
        return Err(format!(
            "proof names block {height} with state root {}, but that block's root is {}",
            p.state_root, block.state_root
        )
        .into());
    }
    let root = hex32(&block.state_root, "state root")?;
    let value = p.value.map(|v| v.0);
    let proof = StateProof::decode(&p.proof.0).map_err(|e| format!("state proof: {e}"))?;
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
    Ok(VerifiedAccount {
        account: id.clone(),
        balance: account.balance,
        balance_pha: format_pha(account.balance),
        nonce: account.nonce,
        verified: true,
        proof_kind: if proof.is_inclusion() {
            ProofKind::Inclusion
        } else {
            ProofKind::Exclusion
        },
        height,
        block_hash: block.hash,
        state_root: block.state_root,
    })
}
