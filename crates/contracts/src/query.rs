//! The query protocol: a read-only call sent straight to one worker over HTTP.
//!
//! The client checks the worker's record and attestation on chain, then sends a
//! [`QueryRequest`]: the input sealed with HPKE to the **worker's** attested encryption key
//! (a fresh ephemeral key, `info` [`QUERY_INFO`], `aad` binding chain, worker, contract,
//! account and time), signed by the client's account under [`query_namespace`] so the contract
//! can check who asks. The worker refuses a signature that does not verify, a timestamp
//! outside its window, a request it has seen (replay) and a ciphertext that does not open with
//! its key (sent to another worker); it runs the contract's `query` entry point on its latest
//! state and seals the outcome with the [`AnswerKey`] both sides export from that one HPKE
//! context (label [`ANSWER_LABEL`]): the answer is bound to the client's ephemeral key and to
//! this query, and costs no key agreement of its own (one X25519 agreement per query in all;
//! `phalanx bench queries` measures what the cryptography costs). A client asking many
//! queries of one worker opens a session instead ([`crate::session`]): this key agreement and
//! signature once, then a symmetric seal and open per query.

use crate::sealed::{CommandOutcome, SealError, too_large, within_io_limit};
use chacha20poly1305::{
    ChaCha20Poly1305, KeyInit,
    aead::{Aead as _, Payload},
};
use commonware_codec::{DecodeExt as _, Encode as _};
use commonware_cryptography::{Signer as _, Verifier as _, ed25519};
use phalanx_crypto::hpke;
use phalanx_types::{AccountId, ChainId, Sealed};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// HPKE `info` of a query.
pub const QUERY_INFO: &[u8] = b"phalanx/contract-query/v1";
/// The HPKE exporter label of an answer's key.
pub const ANSWER_LABEL: &[u8] = b"phalanx/contract-answer/v1";

/// The key an answer is sealed with, exported from the query's HPKE context by both sides.
pub type AnswerKey = Zeroizing<Vec<u8>>;

/// This machine's clock, in ms since the Unix epoch: a query's timestamp, and what the worker
/// checks it against.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The signing domain of queries on `chain`.
pub fn query_namespace(chain: &ChainId) -> Vec<u8> {
    chain.namespace(b"phalanx/contract-query/v1/")
}

/// A query as it travels (JSON over HTTP).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryRequest {
    /// The worker it is for.
    pub worker: AccountId,
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub contract: [u8; 32],
    /// Who asks (the contract sees it as its caller).
    pub account: AccountId,
    /// When the client made it, ms since the Unix epoch.
    pub timestamp_ms: u64,
    pub sealed: Sealed,
    /// The account's ed25519 signature of [`QueryRequest::signed_bytes`], hex.
    #[serde(with = "phalanx_types::hex_serde::bytes")]
    pub signature: Vec<u8>,
}

/// A worker's answer (JSON over HTTP).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryAnswer {
    /// The block height of the state the query ran on.
    pub height: u64,
    /// Fuel the query burned.
    pub fuel_used: u64,
    /// The outcome, sealed with the query's [`AnswerKey`] (ChaCha20Poly1305), hex.
    #[serde(with = "phalanx_types::hex_serde::bytes")]
    pub sealed: Vec<u8>,
}

impl QueryRequest {
    /// What the account signs: worker, contract, account, time and the sealed query's hash.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(32 * 4 + 8);
        bytes.extend_from_slice(self.worker.as_bytes());
        bytes.extend_from_slice(&self.contract);
        bytes.extend_from_slice(self.account.as_bytes());
        bytes.extend_from_slice(&self.timestamp_ms.to_be_bytes());
        bytes.extend_from_slice(&Sha256::digest(self.sealed.encode()));
        bytes
    }

    /// Whether the signature is the account's, for `chain`.
    pub fn verify(&self, chain: &ChainId) -> bool {
        account_signature_verifies(
            &query_namespace(chain),
            &self.account,
            &self.signed_bytes(),
            &self.signature,
        )
    }

    /// What identifies the request for replay protection.
    pub fn replay_id(&self) -> [u8; 32] {
        Sha256::digest(self.signed_bytes()).into()
    }
}

/// Whether `signature` (encoded ed25519) is `account`'s over `bytes` in `namespace`.
pub(crate) fn account_signature_verifies(
    namespace: &[u8],
    account: &AccountId,
    bytes: &[u8],
    signature: &[u8],
) -> bool {
    let Ok(signature) = ed25519::Signature::decode(commonware_codec::Copying(signature)) else {
        return false;
    };
    account.public_key().verify(namespace, bytes, &signature)
}

/// Why a sender's HPKE context could not be set up.
pub(crate) fn hpke_setup_error(error: hpke::HpkeError) -> SealError {
    match error {
        hpke::HpkeError::Rng => SealError::Rng,
        _ => SealError::WeakKey,
    }
}

fn query_aad(
    chain: &ChainId,
    worker: &AccountId,
    contract: &[u8; 32],
    account: &AccountId,
    timestamp_ms: u64,
) -> Vec<u8> {
    let mut aad = chain.namespace(b"phalanx/contract-query/");
    aad.push(0);
    aad.extend_from_slice(worker.as_bytes());
    aad.extend_from_slice(contract);
    aad.extend_from_slice(account.as_bytes());
    aad.extend_from_slice(&timestamp_ms.to_be_bytes());
    aad
}

/// Builds a signed query of `input` for `contract`, to `worker` (attested encryption key
/// `worker_key`): the request, and the key its answer will be sealed with.
pub fn make_query(
    chain: &ChainId,
    worker: &AccountId,
    worker_key: &[u8; 32],
    contract: &[u8; 32],
    account_key: &ed25519::PrivateKey,
    timestamp_ms: u64,
    input: &[u8],
) -> Result<(QueryRequest, AnswerKey), SealError> {
    within_io_limit(input.len())?;
    let account: AccountId = account_key.public_key().into();
    let aad = query_aad(chain, worker, contract, &account, timestamp_ms);
    let (enc, mut context) =
        hpke::setup_sender(worker_key, QUERY_INFO, None).map_err(hpke_setup_error)?;
    let ciphertext = context
        .seal(&aad, input)
        .map_err(|_| too_large(input.len()))?;
    let answer_key = context
        .export(ANSWER_LABEL, ANSWER_KEY_LEN)
        .map_err(|_| SealError::Malformed)?;
    let mut request = QueryRequest {
        worker: worker.clone(),
        contract: *contract,
        account,
        timestamp_ms,
        sealed: Sealed { enc, ciphertext },
        signature: Vec::new(),
    };
    let signature = account_key.sign(&query_namespace(chain), &request.signed_bytes());
    request.signature = signature.encode().to_vec();
    Ok((request, answer_key))
}

const ANSWER_KEY_LEN: usize = 32;

/// Opens a query with the worker's encryption secret: (the answer's key, the input).
pub fn open_query(
    worker_secret: &[u8; 32],
    chain: &ChainId,
    request: &QueryRequest,
) -> Result<(AnswerKey, Zeroizing<Vec<u8>>), SealError> {
    let aad = query_aad(
        chain,
        &request.worker,
        &request.contract,
        &request.account,
        request.timestamp_ms,
    );
    let mut context = hpke::setup_recipient(&request.sealed.enc, worker_secret, QUERY_INFO, None)
        .map_err(|_| SealError::Open)?;
    let input = context
        .open(&aad, &request.sealed.ciphertext)
        .map_err(|_| SealError::Open)?;
    within_io_limit(input.len())?;
    let answer_key = context
        .export(ANSWER_LABEL, ANSWER_KEY_LEN)
        .map_err(|_| SealError::Malformed)?;
    Ok((answer_key, input))
}

fn answer_aad(chain: &ChainId, request: &QueryRequest) -> Vec<u8> {
    let mut aad = chain.namespace(b"phalanx/contract-answer/");
    aad.push(0);
    aad.extend_from_slice(&request.replay_id());
    aad
}

fn answer_cipher(key: &AnswerKey) -> Result<ChaCha20Poly1305, SealError> {
    ChaCha20Poly1305::new_from_slice(key).map_err(|_| SealError::Malformed)
}

/// Seals the outcome of `request` with its answer key. The key is fresh for every query and
/// seals this one message, so the nonce is fixed.
pub fn seal_answer(
    chain: &ChainId,
    request: &QueryRequest,
    key: &AnswerKey,
    outcome: &CommandOutcome,
) -> Result<Vec<u8>, SealError> {
    let plaintext = outcome.to_plaintext();
    let aad = answer_aad(chain, request);
    answer_cipher(key)?
        .encrypt(
            &[0u8; 12].into(),
            Payload {
                msg: &plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| too_large(plaintext.len()))
}

/// Opens the answer to `request` with its answer key.
pub fn open_answer(
    key: &AnswerKey,
    chain: &ChainId,
    request: &QueryRequest,
    sealed: &[u8],
) -> Result<CommandOutcome, SealError> {
    let aad = answer_aad(chain, request);
    let plaintext = answer_cipher(key)?
        .decrypt(
            &[0u8; 12].into(),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| SealError::Open)?;
    CommandOutcome::from_plaintext(&plaintext)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_query_verifies_opens_and_answers_only_for_its_parties() {
        let chain = ChainId::new("phalanx-test").unwrap();
        let worker_pair = hpke::derive_key_pair(b"the worker's encryption key seed");
        let worker: AccountId = ed25519::PrivateKey::from_seed(1).public_key().into();
        let alice = ed25519::PrivateKey::from_seed(2);
        let (request, client_key) = make_query(
            &chain,
            &worker,
            &worker_pair.public,
            &[7; 32],
            &alice,
            1_000,
            b"get",
        )
        .unwrap();
        assert!(request.verify(&chain));
        assert!(!request.verify(&ChainId::new("phalanx-other").unwrap()));
        let mut forged = request.clone();
        forged.timestamp_ms += 1;
        assert!(!forged.verify(&chain), "the time is signed");
        let (worker_key, input) = open_query(&worker_pair.secret, &chain, &request).unwrap();
        assert_eq!(input.as_slice(), b"get");
        assert_eq!(
            *worker_key, *client_key,
            "both sides export the same answer key"
        );
        assert_eq!(
            open_query(&worker_pair.secret, &chain, &forged).err(),
            Some(SealError::Open),
            "the time is in the aad too"
        );
        let other_worker = hpke::derive_key_pair(b"another worker's key seed.......");
        assert_eq!(
            open_query(&other_worker.secret, &chain, &request).err(),
            Some(SealError::Open)
        );
        let outcome = CommandOutcome::Output(b"42".to_vec());
        let sealed = seal_answer(&chain, &request, &worker_key, &outcome).unwrap();
        assert_eq!(
            open_answer(&client_key, &chain, &request, &sealed),
            Ok(outcome)
        );
        assert_eq!(
            open_answer(&client_key, &chain, &forged, &sealed).err(),
            Some(SealError::Open)
        );
        let (_, another_key) = make_query(
            &chain,
            &worker,
            &worker_pair.public,
            &[7; 32],
            &alice,
            1_000,
            b"get",
        )
        .unwrap();
        assert_eq!(
            open_answer(&another_key, &chain, &request, &sealed).err(),
            Some(SealError::Open),
            "another query's key does not open it"
        );
        // JSON round trip, as it travels.
        let json = serde_json::to_string(&request).unwrap();
        assert_eq!(
            serde_json::from_str::<QueryRequest>(&json).unwrap(),
            request
        );
    }
}
