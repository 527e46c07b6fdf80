//! What client commands need from a node before signing (the chain id and fee parameters), and
//! submitting transactions: [`submit`] hands one to the node, [`submit_and_wait`] and
//! [`send_checked`] also wait for its block, and tell apart a node that cannot be reached, a
//! transaction the node did not admit, and one that failed in its block ([`ClientError`]);
//! [`send`] and [`send_call`] are the same in words.

use crate::{
    api::{FinalizedTx, SubmitResponse, TxStatusResponse},
    endpoint,
    http::HttpError,
};
use commonware_codec::Encode;
use commonware_cryptography::{Signer, ed25519::PrivateKey};
use phalanx_runtime::{DispatchError, Params, required_fee};
use phalanx_types::{AccountId, Amount, Call, ChainId, Hash, SignedTx, TxBody};
use std::fmt;
use std::time::Duration;
use tracing::warn;

/// Why a client call did not succeed, in the classes a caller acts on differently (the CLI
/// gives each its own exit status).
#[derive(Clone, Debug)]
pub enum ClientError {
    /// No answer from the node (see [`HttpError::Unreachable`]).
    Unreachable(String),
    /// The node answered with an error: for a submitted transaction, it was not admitted
    /// (nothing was charged). `code` is the node's (`insufficient_balance`, `fee_too_low`, …).
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// The transaction was included in a block and its call failed: the fee was charged and
    /// the nonce used. Resending the same call fails the same way.
    Failed(Box<BlockFailure>),
    /// Anything else: an answer that makes no sense, finality not seen in time, a nonce that
    /// another transaction took.
    Other(String),
}

/// A transaction whose call failed in its block.
#[derive(Clone, Debug)]
pub struct BlockFailure {
    /// What was sent, in words (`transfer`, `promotion`, …).
    pub what: String,
    /// The receipt's error.
    pub error: DispatchError,
    /// The transaction as the node reports it (`GET /tx/{hash}`): hash, block, receipt with
    /// the fee paid.
    pub transaction: FinalizedTx,
}

impl BlockFailure {
    /// The receipt's error code (`balances.zero_amount`, …).
    pub fn raw_code(&self) -> String {
        self.error.name()
    }

    /// Why the call failed, in words, with the receipt's code.
    pub fn reason(&self) -> String {
        format!("{} ({})", self.error, self.raw_code())
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Unreachable(m) | ClientError::Other(m) => f.write_str(m),
            ClientError::Refused {
                status,
                code,
                message,
            } => write!(f, "node refused ({status} {code}): {message}"),
            ClientError::Failed(failure) => write!(
                f,
                "{} REFUSED by the chain: {} (transaction {})",
                failure.what,
                failure.reason(),
                failure.transaction.hash
            ),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<HttpError> for ClientError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Unreachable(m) => ClientError::Unreachable(m),
            HttpError::Status {
                status,
                code,
                message,
            } => ClientError::Refused {
                status,
                code,
                message,
            },
            HttpError::Malformed(m) => ClientError::Other(m),
        }
    }
}

impl From<ClientError> for String {
    fn from(e: ClientError) -> Self {
        e.to_string()
    }
}

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
    pub fn fetch(rpc: &str) -> Result<Self, ClientError> {
        let chain = endpoint::chain(rpc)?;
        let chain_id = ChainId::new(chain.chain_id)
            .map_err(|e| ClientError::Other(format!("node reported a bad chain id: {e}")))?;
        let params = chain.params.ok_or_else(|| {
            ClientError::Other("node returned no parameters (is the chain started?)".into())
        })?;
        let genesis: [u8; 32] = hex::decode(&chain.genesis)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ClientError::Other("node returned no genesis hash".into()))?;
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

/// An account's next nonce according to the node's finalized state (whether a transaction
/// at a nonce below it can still be included).
pub fn nonce(rpc: &str, id: &AccountId) -> Result<u64, ClientError> {
    Ok(endpoint::account(rpc, id)?.nonce)
}

/// The nonce to sign `id`'s next transaction with: the finalized one moved past the
/// account's transactions still waiting in the node's pool, so two transactions sent one
/// after the other (`--no-wait`) do not take the same nonce (the pool would keep only the
/// second).
pub fn next_nonce(rpc: &str, id: &AccountId) -> Result<u64, ClientError> {
    let account = endpoint::account(rpc, id)?;
    Ok(account.pending_nonce.unwrap_or(0).max(account.nonce))
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
    Other(ClientError),
}

impl From<Unfinalized> for ClientError {
    fn from(e: Unfinalized) -> Self {
        match e {
            Unfinalized::NonceTaken(m) => ClientError::Other(m),
            Unfinalized::Other(e) => e,
        }
    }
}

/// Hands `tx` to the node, without waiting for its block.
pub fn submit(rpc: &str, tx: &SignedTx) -> Result<SubmitResponse, ClientError> {
    Ok(endpoint::submit(rpc, tx)?)
}

/// Submits `tx` and polls until it is finalized (at most 60 s). A transaction whose call
/// failed in its block is [`ClientError::Failed`] (`what` names it in the message).
pub fn submit_and_wait(
    rpc: &str,
    tx: &SignedTx,
    quiet: bool,
    what: &str,
) -> Result<FinalizedTx, ClientError> {
    check_receipt(submit_inner(rpc, tx, quiet)?, what)
}

/// The finalized transaction if its call succeeded, else [`ClientError::Failed`].
fn check_receipt(finalized: FinalizedTx, what: &str) -> Result<FinalizedTx, ClientError> {
    match finalized.failure() {
        None => Ok(finalized),
        Some(error) => Err(ClientError::Failed(Box::new(BlockFailure {
            what: what.to_string(),
            error,
            transaction: finalized,
        }))),
    }
}

fn submit_inner(rpc: &str, tx: &SignedTx, quiet: bool) -> Result<FinalizedTx, Unfinalized> {
    endpoint::submit(rpc, tx).map_err(|e| Unfinalized::Other(e.into()))?;
    // The hash computed here, not the node's word for it, is what is polled.
    let hash = hex::encode(tx.hash());
    if !quiet {
        eprintln!("submitted {hash}; waiting for finality…");
    }
    let finalized = |rpc: &str| match endpoint::tx_status(rpc, &hash) {
        Ok(TxStatusResponse::Finalized(f)) => Some(f),
        _ => None,
    };
    for attempt in 0..600 {
        // The account's nonce is read before the transaction's status: if the nonce moved past
        // this transaction and it is still not finalized, something else used the nonce.
        let passed =
            attempt % 5 == 4 && nonce(rpc, &tx.body.signer).is_ok_and(|next| next > tx.body.nonce);
        if let Some(f) = finalized(rpc) {
            return Ok(f);
        }
        if passed {
            // The index may trail the state by a moment; look once more before giving up.
            std::thread::sleep(Duration::from_millis(300));
            if let Some(f) = finalized(rpc) {
                return Ok(f);
            }
            return Err(Unfinalized::NonceTaken(format!(
                "transaction {hash} will not be included: another transaction from {} used nonce {}",
                tx.body.signer, tx.body.nonce
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(Unfinalized::Other(ClientError::Other(format!(
        "transaction {hash} was not finalized within 60 s; check `phalanx tx status {hash}`"
    ))))
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
) -> Result<FinalizedTx, String> {
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
) -> Result<FinalizedTx, SendError> {
    send_checked(rpc, chain, key, call, what, quiet).map_err(|e| match e {
        ClientError::Failed(failure) => SendError::Refused {
            code: Some(failure.error),
            reason: ClientError::Failed(failure).to_string(),
        },
        e => SendError::Failed(e.to_string()),
    })
}

/// [`send`], with the ways it can fail told apart ([`ClientError`]). The call is signed with
/// the account's next nonce, and signed again (at most 5 times) when another transaction of
/// the same account takes that nonce first.
pub fn send_checked(
    rpc: &str,
    chain: &ChainInfo,
    key: &PrivateKey,
    call: Call,
    what: &str,
    quiet: bool,
) -> Result<FinalizedTx, ClientError> {
    let signer = AccountId::from(key.public_key());
    let mut attempt = 0;
    let finalized = loop {
        let nonce = next_nonce(rpc, &signer)?;
        let tx = chain.sign(key, nonce, call.clone(), None);
        match submit_inner(rpc, &tx, quiet) {
            Ok(finalized) => break finalized,
            Err(Unfinalized::NonceTaken(e)) if attempt < NONCE_RETRIES => {
                attempt += 1;
                // Said once: on stderr to a person, in the log otherwise.
                if quiet {
                    warn!(error = %e, attempt, "{what}: nonce taken, signing again");
                } else {
                    eprintln!("{e}; signing {what} again with the next nonce");
                }
            }
            Err(e) => return Err(e.into()),
        }
    };
    check_receipt(finalized, what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::TxLocation;
    use phalanx_runtime::{Receipt, TxStatus, balances};

    fn finalized(status: TxStatus) -> FinalizedTx {
        FinalizedTx {
            hash: "ab".into(),
            location: TxLocation {
                height: 7,
                index: 0,
                block: "cd".into(),
                receipt: Receipt {
                    status,
                    fee_paid: 5,
                    events: vec![],
                },
                events_unavailable: false,
            },
        }
    }

    #[test]
    fn a_failed_receipt_is_a_block_failure_with_the_old_words() {
        let ok = finalized(TxStatus::Success);
        assert_eq!(check_receipt(ok.clone(), "transfer").unwrap(), ok);
        let failed = finalized(TxStatus::Failed(balances::Error::ZeroAmount.into()));
        let Err(ClientError::Failed(f)) = check_receipt(failed, "transfer") else {
            panic!("not a block failure");
        };
        assert_eq!(f.error, balances::Error::ZeroAmount.into());
        assert_eq!(f.raw_code(), "balances.zero_amount");
        assert_eq!(
            ClientError::Failed(f).to_string(),
            "transfer REFUSED by the chain: amount must be greater than zero (balances.zero_amount) (transaction ab)"
        );
    }

    #[test]
    fn http_errors_keep_their_class_and_words() {
        let refused = ClientError::from(HttpError::Status {
            status: 400,
            code: "fee_too_low".into(),
            message: "too low".into(),
        });
        assert!(matches!(&refused, ClientError::Refused { code, .. } if code == "fee_too_low"));
        assert_eq!(
            refused.to_string(),
            "node refused (400 fee_too_low): too low"
        );
        assert!(matches!(
            ClientError::from(HttpError::Unreachable("x".into())),
            ClientError::Unreachable(_)
        ));
        assert!(matches!(
            ClientError::from(HttpError::Malformed("x".into())),
            ClientError::Other(_)
        ));
    }
}
