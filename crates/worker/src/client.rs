//! What client commands need from a node before signing: the chain id and fee parameters.

use crate::http;
use commonware_codec::Encode;
use commonware_cryptography::{Signer, ed25519::PrivateKey};
use phalanx_runtime::{Params, required_fee};
use phalanx_types::{AccountId, Amount, Call, ChainId, Hash, SignedTx, TxBody};
use serde_json::{Value, json};
use std::time::Duration;
use tracing::warn;

/// The chain a node serves, as far as signing is concerned.
pub struct ChainInfo {
    pub chain_id: ChainId,
    /// Every component's parameters, as the node's finalized state holds them.
    pub params: Params,
    /// The genesis block's digest (worker registrations bind it).
    pub genesis: Hash,
}

impl ChainInfo {
    /// Reads `/chain`.
    pub fn fetch(rpc: &str) -> Result<Self, String> {
        let chain = http::get(rpc, "/chain")?;
        let chain_id = ChainId::new(chain["chain_id"].as_str().unwrap_or_default())
            .map_err(|e| format!("node reported a bad chain id: {e}"))?;
        if chain["params"].is_null() {
            return Err("node returned no parameters (is the chain started?)".into());
        }
        let params: Params = serde_json::from_value(chain["params"].clone())
            .map_err(|e| format!("node returned unreadable parameters: {e}"))?;
        let genesis: [u8; 32] = chain["genesis"]
            .as_str()
            .and_then(|h| hex::decode(h).ok())
            .and_then(|b| b.try_into().ok())
            .ok_or("node returned no genesis hash")?;
        Ok(Self {
            chain_id,
            params,
            genesis: genesis.into(),
        })
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
                let trial = body.clone().sign(key);
                required_fee(&self.params, trial.encode().len(), &trial)
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

/// How many times [`send_call`] signs again when another transaction took its nonce.
const NONCE_RETRIES: usize = 5;

/// Why a submitted transaction was not seen finalized.
enum Unfinalized {
    /// Another transaction from the same account (another worker of the same operator, or a
    /// command run beside it) used the nonce first, or replaced this one in the pool: this
    /// one can never be included, so signing the call again with a fresh nonce is safe.
    NonceTaken(String),
    /// Anything else (the node refused admission, could not be reached, or was too slow).
    Other(String),
}

/// Submits `tx`; with `wait`, polls until it is finalized (at most 60 s) and returns its status
/// (`GET /tx/{hash}`), else the submission answer.
pub fn submit(rpc: &str, tx: &SignedTx, wait: bool, quiet: bool) -> Result<Value, String> {
    submit_inner(rpc, tx, wait, quiet).map_err(|e| match e {
        Unfinalized::NonceTaken(e) | Unfinalized::Other(e) => e,
    })
}

fn submit_inner(rpc: &str, tx: &SignedTx, wait: bool, quiet: bool) -> Result<Value, Unfinalized> {
    let submitted = http::post(rpc, "/tx", &json!({ "tx": hex::encode(tx.encode()) }))
        .map_err(Unfinalized::Other)?;
    let hash = submitted["hash"].as_str().unwrap_or_default().to_string();
    if !wait {
        return Ok(submitted);
    }
    if !quiet {
        eprintln!("submitted {hash}; waiting for finality…");
    }
    let finalized = |rpc: &str| {
        http::get(rpc, &format!("/tx/{hash}"))
            .ok()
            .filter(|v| v["status"] == "finalized")
    };
    for attempt in 0..600 {
        // The account's nonce is read before the transaction's status: if the nonce moved past
        // this transaction and it is still not finalized, something else used the nonce.
        let passed =
            attempt % 5 == 4 && nonce(rpc, &tx.body.signer).is_ok_and(|next| next > tx.body.nonce);
        if let Some(v) = finalized(rpc) {
            return Ok(v);
        }
        if passed {
            // The index may trail the state by a moment; look once more before giving up.
            std::thread::sleep(Duration::from_millis(300));
            if let Some(v) = finalized(rpc) {
                return Ok(v);
            }
            return Err(Unfinalized::NonceTaken(format!(
                "transaction {hash} will not be included: another transaction from {} used nonce {}",
                tx.body.signer, tx.body.nonce
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(Unfinalized::Other(format!(
        "transaction {hash} was not finalized within 60 s; check `phalanx tx status {hash}`"
    )))
}

/// Why a call sent with [`send_call`] did not succeed.
#[derive(Debug)]
pub enum SendError {
    /// The chain included the transaction and its call failed (with `code`, when it is one
    /// this program knows): resending the same call will fail the same way.
    Refused {
        reason: String,
        code: Option<phalanx_runtime::DispatchError>,
    },
    /// The node could not be reached, refused admission, or finality was not seen: the call
    /// may be retried.
    Failed(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Refused { reason: e, .. } | SendError::Failed(e) => f.write_str(e),
        }
    }
}

/// Signs `call` with `key`, submits it, waits for finality, and turns a failed call into an
/// error that names `what` was refused and why (in words, with the receipt's code).
pub fn send(
    rpc: &str,
    chain: &ChainInfo,
    key: &PrivateKey,
    call: Call,
    what: &str,
    quiet: bool,
) -> Result<Value, String> {
    send_call(rpc, chain, key, call, what, quiet).map_err(|e| e.to_string())
}

/// [`send`], telling a refusal by the chain apart from a failure to get an answer.
pub fn send_call(
    rpc: &str,
    chain: &ChainInfo,
    key: &PrivateKey,
    call: Call,
    what: &str,
    quiet: bool,
) -> Result<Value, SendError> {
    let signer = AccountId::from(key.public_key());
    let mut attempt = 0;
    let status = loop {
        let nonce = nonce(rpc, &signer).map_err(SendError::Failed)?;
        let tx = chain.sign(key, nonce, call.clone(), None);
        match submit_inner(rpc, &tx, true, quiet) {
            Ok(status) => break status,
            Err(Unfinalized::NonceTaken(e)) if attempt < NONCE_RETRIES => {
                attempt += 1;
                if !quiet {
                    eprintln!("{e}; signing {what} again with the next nonce");
                }
                warn!(error = %e, attempt, "{what}: nonce taken, signing again");
            }
            Err(Unfinalized::NonceTaken(e) | Unfinalized::Other(e)) => {
                return Err(SendError::Failed(e));
            }
        }
    };
    let receipt = &status["location"]["receipt"];
    if receipt["status"] == "success" {
        return Ok(status);
    }
    let raw = receipt["error"].clone();
    let code = serde_json::from_value::<phalanx_runtime::DispatchError>(raw.clone()).ok();
    let reason = match code {
        Some(e) => format!("{e} ({})", raw.as_str().unwrap_or_default()),
        None => raw.to_string(),
    };
    Err(SendError::Refused {
        reason: format!(
            "{what} REFUSED by the chain: {reason} (transaction {})",
            status["hash"].as_str().unwrap_or_default()
        ),
        code,
    })
}
