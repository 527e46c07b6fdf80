//! What client commands need from a node before signing: the chain id and fee parameters.

use crate::http;
use commonware_codec::Encode;
use commonware_cryptography::{Signer, ed25519::PrivateKey};
use phalanx_runtime::{Params, fees::required_fee};
use phalanx_types::{AccountId, Amount, Call, ChainId, SignedTx, TxBody};

/// The chain a node serves, as far as signing is concerned.
pub struct ChainInfo {
    pub chain_id: ChainId,
    /// The fee fields are the node's; the others keep their defaults (unused by clients).
    pub params: Params,
}

impl ChainInfo {
    /// Reads `/chain`.
    pub fn fetch(rpc: &str) -> Result<Self, String> {
        let chain = http::get(rpc, "/chain")?;
        let chain_id = ChainId::new(chain["chain_id"].as_str().unwrap_or_default())
            .map_err(|e| format!("node reported a bad chain id: {e}"))?;
        let param = |name: &str| -> Result<Amount, String> {
            chain["params"][name]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| {
                    format!("node returned no `{name}` parameter (is the chain started?)")
                })
        };
        let params = Params {
            existential_deposit: param("existential_deposit")?,
            base_fee: param("base_fee")?,
            fee_per_byte: param("fee_per_byte")?,
            transfer_fee: param("transfer_fee")?,
            ..Params::default()
        };
        Ok(Self { chain_id, params })
    }

    /// Signs `call` from `key` at `nonce`, paying `fee` or (if `None`) the least fee the chain
    /// requires. The required fee depends on the encoded size, which does not depend on the
    /// fee's value (fixed-width field), so one trial encoding suffices.
    pub fn sign(&self, key: &PrivateKey, nonce: u64, call: Call, fee: Option<Amount>) -> SignedTx {
        let mut body = TxBody {
            chain_id: self.chain_id.clone(),
            signer: AccountId::from(key.public_key()),
            nonce,
            fee: 0,
            call,
        };
        body.fee = match fee {
            Some(f) => f,
            None => {
                let len = body.clone().sign(key).encode().len();
                required_fee(&self.params, len, &body.call)
            }
        };
        body.sign(key)
    }
}

/// An account's next nonce according to the node's finalized state.
pub fn nonce(rpc: &str, id: &AccountId) -> Result<u64, String> {
    http::get(rpc, &format!("/account/{id}"))?["nonce"]
        .as_u64()
        .ok_or_else(|| "node returned no nonce".to_string())
}
