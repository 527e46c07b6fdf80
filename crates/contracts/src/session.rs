//! Query sessions: one key agreement and one signature per (account, worker), then queries
//! that cost a ChaCha20Poly1305 seal and open each way.
//!
//! **Opening.** The client sends an [`OpenSessionRequest`]: a fresh HPKE encapsulation to the
//! worker's attested key (`info` [`SESSION_INFO`]), its time, signed by the account under
//! [`session_namespace`] — checked by the worker like a one-shot query (signature, time window,
//! replay). Both sides export two keys from that HPKE context, one per direction
//! ([`SessionKeys`]): only the TEE holding the worker's secret and the client holding the
//! ephemeral secret can derive them (bound to the session's id by one more HKDF step, so a
//! replayed opening never shares keys with the original), and the signature binds them to the
//! account, which the contract sees as the caller of every query of the session. The worker
//! answers
//! [`SessionOpened`]: a random [`SessionId`], its expiry, and a confirmation sealed with the
//! worker→client key, so the client knows the id came from the holder of the worker's key.
//!
//! **Queries.** [`SessionQuery`]: session id, a counter, the contract, the input sealed with the
//! client→worker key; the answer is sealed with the worker→client key under the same counter.
//! The nonce is the counter, so each key seals each nonce once as long as the client never
//! reuses a counter (it counts up, [`ClientSession`]) and the worker answers each counter once
//! (its [`crate::replay_window::ReplayWindow`] refuses a counter seen before). The `aad` binds
//! chain, worker, session, counter and contract (and an answer's height and fuel), and says
//! which message it is, so nothing can be moved between directions, sessions or contracts.

use crate::query::{account_signature_verifies, hpke_setup_error};
use crate::sealed::{CommandOutcome, SealError, too_large, within_io_limit};
use chacha20poly1305::{
    ChaCha20Poly1305, KeyInit,
    aead::{Aead as _, Payload},
};
use commonware_codec::Encode as _;
use commonware_cryptography::{Signer as _, ed25519};
use phalanx_crypto::hpke;
use phalanx_types::{AccountId, ChainId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use zeroize::Zeroizing;

/// HPKE `info` of a session's opening.
pub const SESSION_INFO: &[u8] = b"phalanx/query-session/v1";
/// Exporter label of the key the client seals queries with.
const TO_WORKER_LABEL: &[u8] = b"phalanx/query-session/v1/client-to-worker";
/// Exporter label of the key the worker seals answers (and the confirmation) with.
const TO_CLIENT_LABEL: &[u8] = b"phalanx/query-session/v1/worker-to-client";
/// HKDF `info` prefix of the step that binds the exported keys to the session's id.
const BIND_LABEL: &[u8] = b"phalanx/query-session/v1/bind/";
/// The highest counter a session may use. A session lives minutes; no honest client gets near
/// 2^32 queries in one, so anything above is refused rather than carried to the nonce's limit.
pub const MAX_COUNTER: u64 = u32::MAX as u64;

/// The signing domain (and `aad` prefix) of sessions on `chain`.
pub fn session_namespace(chain: &ChainId) -> Vec<u8> {
    chain.namespace(b"phalanx/query-session/v1/")
}

/// A session's id: 16 random bytes the worker draws; hex in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionId(pub [u8; 16]);

impl Serialize for SessionId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        phalanx_types::hex_serde::bytes::serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for SessionId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        phalanx_types::hex_serde::bytes::deserialize(d)?
            .try_into()
            .map(Self)
            .map_err(|_| serde::de::Error::custom("expected 16 bytes of hex"))
    }
}

/// Asks a worker for a session (JSON over HTTP, `POST /v1/session`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSessionRequest {
    /// The worker it is for.
    pub worker: AccountId,
    /// Who asks (every query of the session runs with it as the caller).
    pub account: AccountId,
    /// When the client made it, ms since the Unix epoch.
    pub timestamp_ms: u64,
    /// The HPKE encapsulation (the client's ephemeral public key) to the worker's key.
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub enc: [u8; 32],
    /// The account's ed25519 signature of [`OpenSessionRequest::signed_bytes`], hex.
    #[serde(with = "phalanx_types::hex_serde::bytes")]
    pub signature: Vec<u8>,
}

impl OpenSessionRequest {
    /// What the account signs: worker, account, time and the encapsulation.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(32 * 3 + 8);
        bytes.extend_from_slice(self.worker.as_bytes());
        bytes.extend_from_slice(self.account.as_bytes());
        bytes.extend_from_slice(&self.timestamp_ms.to_be_bytes());
        bytes.extend_from_slice(&self.enc);
        bytes
    }

    /// Whether the signature is the account's, for `chain`.
    pub fn verify(&self, chain: &ChainId) -> bool {
        account_signature_verifies(
            &session_namespace(chain),
            &self.account,
            &self.signed_bytes(),
            &self.signature,
        )
    }

    /// What identifies the request for replay protection (distinct from any query's: the
    /// signed bytes are in another domain).
    pub fn replay_id(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(b"phalanx/query-session/v1/open");
        hash.update(self.signed_bytes());
        hash.finalize().into()
    }
}

/// The worker's answer to an [`OpenSessionRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionOpened {
    pub session: SessionId,
    /// When the worker forgets the session, ms since the Unix epoch on its clock.
    pub expires_ms: u64,
    /// An empty message sealed with the worker→client key over the id and expiry.
    #[serde(with = "phalanx_types::hex_serde::bytes")]
    pub confirmation: Vec<u8>,
}

/// A query in a session (`POST /v1/session/query`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionQuery {
    pub session: SessionId,
    /// Used once per session; the nonce of the query and of its answer.
    pub counter: u64,
    #[serde(with = "phalanx_types::hex_serde::bytes32")]
    pub contract: [u8; 32],
    /// The input, sealed with the client→worker key.
    #[serde(with = "phalanx_types::hex_serde::bytes")]
    pub sealed: Vec<u8>,
}

/// The worker's answer to a [`SessionQuery`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAnswer {
    /// The block height of the state the query ran on.
    pub height: u64,
    /// Fuel the query burned.
    pub fuel_used: u64,
    /// The outcome, sealed with the worker→client key.
    #[serde(with = "phalanx_types::hex_serde::bytes")]
    pub sealed: Vec<u8>,
}

/// Which message a seal is: part of the nonce and of the `aad`.
#[derive(Clone, Copy)]
enum Message {
    Query = 0,
    Answer = 1,
    Confirmation = 2,
}

/// A session's two keys (zeroized when dropped).
pub struct SessionKeys {
    to_worker: Zeroizing<[u8; 32]>,
    to_client: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(..)")
    }
}

fn bind(key: &[u8; 32], label: &[u8], id: &SessionId) -> Result<Zeroizing<[u8; 32]>, SealError> {
    let mut out = Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<Sha256>::new(Some(&id.0), key)
        .expand(&[BIND_LABEL, label].concat(), &mut out[..])
        .map_err(|_| SealError::Malformed)?;
    Ok(out)
}

fn export_key(
    export: impl Fn(&[u8], usize) -> Result<Zeroizing<Vec<u8>>, hpke::HpkeError>,
    label: &[u8],
) -> Result<Zeroizing<[u8; 32]>, SealError> {
    let bytes = export(label, 32).map_err(|_| SealError::Malformed)?;
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(bytes.get(..32).ok_or(SealError::Malformed)?);
    Ok(key)
}

impl SessionKeys {
    fn exported(
        export: impl Fn(&[u8], usize) -> Result<Zeroizing<Vec<u8>>, hpke::HpkeError>,
    ) -> Result<Self, SealError> {
        Ok(Self {
            to_worker: export_key(&export, TO_WORKER_LABEL)?,
            to_client: export_key(&export, TO_CLIENT_LABEL)?,
        })
    }

    /// The keys of session `id`: each exported key through HKDF with the id as salt. The
    /// worker draws a fresh id for every opening it accepts, so an opening accepted twice (a
    /// replay its memory lost in a restart) gives two sessions with different keys, and no key
    /// seals the same nonce twice.
    fn bound_to(&self, id: &SessionId) -> Result<Self, SealError> {
        Ok(Self {
            to_worker: bind(&self.to_worker, TO_WORKER_LABEL, id)?,
            to_client: bind(&self.to_client, TO_CLIENT_LABEL, id)?,
        })
    }

    fn key(&self, message: Message) -> &[u8; 32] {
        match message {
            Message::Query => &self.to_worker,
            Message::Answer | Message::Confirmation => &self.to_client,
        }
    }

    fn seal(
        &self,
        message: Message,
        counter: u64,
        aad: &[u8],
        msg: &[u8],
    ) -> Result<Vec<u8>, SealError> {
        ChaCha20Poly1305::new(self.key(message).into())
            .encrypt(&nonce(message, counter).into(), Payload { msg, aad })
            .map_err(|_| too_large(msg.len()))
    }

    fn open(
        &self,
        message: Message,
        counter: u64,
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, SealError> {
        ChaCha20Poly1305::new(self.key(message).into())
            .decrypt(
                &nonce(message, counter).into(),
                Payload { msg: sealed, aad },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Open)
    }

    /// The worker's confirmation of `session` (sealed with the worker→client key).
    pub fn confirmation(
        &self,
        chain: &ChainId,
        worker: &AccountId,
        session: &SessionId,
        expires_ms: u64,
    ) -> Result<Vec<u8>, SealError> {
        let aad = confirmation_aad(chain, worker, session, expires_ms);
        self.seal(Message::Confirmation, 0, &aad, &[])
    }

    /// Opens a session query's input (worker side). The counter's freshness is the caller's to
    /// check.
    pub fn open_query(
        &self,
        chain: &ChainId,
        worker: &AccountId,
        query: &SessionQuery,
    ) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if query.counter > MAX_COUNTER {
            return Err(SealError::CounterExhausted);
        }
        let aad = message_aad(chain, Message::Query, worker, query);
        let input = self.open(Message::Query, query.counter, &aad, &query.sealed)?;
        within_io_limit(input.len())?;
        Ok(input)
    }

    /// Seals the outcome of `query` (worker side), binding the height and fuel it reports.
    pub fn seal_answer(
        &self,
        chain: &ChainId,
        worker: &AccountId,
        query: &SessionQuery,
        height: u64,
        fuel_used: u64,
        outcome: &CommandOutcome,
    ) -> Result<SessionAnswer, SealError> {
        let aad = answer_aad(chain, worker, query, height, fuel_used);
        let sealed = self.seal(
            Message::Answer,
            query.counter,
            &aad,
            &outcome.to_plaintext(),
        )?;
        Ok(SessionAnswer {
            height,
            fuel_used,
            sealed,
        })
    }
}

fn nonce(message: Message, counter: u64) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[0] = message as u8;
    nonce[4..].copy_from_slice(&counter.to_be_bytes());
    nonce
}

fn aad_head(chain: &ChainId, message: Message, worker: &AccountId, session: &SessionId) -> Vec<u8> {
    let mut aad = session_namespace(chain);
    aad.push(0);
    aad.push(message as u8);
    aad.extend_from_slice(worker.as_bytes());
    aad.extend_from_slice(&session.0);
    aad
}

fn confirmation_aad(
    chain: &ChainId,
    worker: &AccountId,
    session: &SessionId,
    expires_ms: u64,
) -> Vec<u8> {
    let mut aad = aad_head(chain, Message::Confirmation, worker, session);
    aad.extend_from_slice(&expires_ms.to_be_bytes());
    aad
}

fn message_aad(
    chain: &ChainId,
    message: Message,
    worker: &AccountId,
    query: &SessionQuery,
) -> Vec<u8> {
    let mut aad = aad_head(chain, message, worker, &query.session);
    aad.extend_from_slice(&query.counter.to_be_bytes());
    aad.extend_from_slice(&query.contract);
    aad
}

fn answer_aad(
    chain: &ChainId,
    worker: &AccountId,
    query: &SessionQuery,
    height: u64,
    fuel_used: u64,
) -> Vec<u8> {
    let mut aad = message_aad(chain, Message::Answer, worker, query);
    aad.extend_from_slice(&height.to_be_bytes());
    aad.extend_from_slice(&fuel_used.to_be_bytes());
    aad
}

/// Builds `account_key`'s signed request for a session with `worker` (attested encryption key
/// `worker_key`): the request, and the session's keys.
pub fn request_session(
    chain: &ChainId,
    worker: &AccountId,
    worker_key: &[u8; 32],
    account_key: &ed25519::PrivateKey,
    timestamp_ms: u64,
) -> Result<(OpenSessionRequest, SessionKeys), SealError> {
    let (enc, context) =
        hpke::setup_sender(worker_key, SESSION_INFO, None).map_err(hpke_setup_error)?;
    let keys = SessionKeys::exported(|label, len| context.export(label, len))?;
    let mut request = OpenSessionRequest {
        worker: worker.clone(),
        account: account_key.public_key().into(),
        timestamp_ms,
        enc,
        signature: Vec::new(),
    };
    let signature = account_key.sign(&session_namespace(chain), &request.signed_bytes());
    request.signature = signature.encode().to_vec();
    Ok((request, keys))
}

/// The keys of session `id` (drawn fresh by the worker) from a request, with the worker's
/// encryption secret (worker side; the signature, time and replay are the caller's to check).
pub fn accept_session(
    worker_secret: &[u8; 32],
    request: &OpenSessionRequest,
    id: &SessionId,
) -> Result<SessionKeys, SealError> {
    let context = hpke::setup_recipient(&request.enc, worker_secret, SESSION_INFO, None)
        .map_err(|_| SealError::Open)?;
    SessionKeys::exported(|label, len| context.export(label, len))?.bound_to(id)
}

/// A session as the client holds it: shareable between threads, each query taking the next
/// counter.
#[derive(Debug)]
pub struct ClientSession {
    pub worker: AccountId,
    pub id: SessionId,
    pub expires_ms: u64,
    keys: SessionKeys,
    next_counter: AtomicU64,
}

impl ClientSession {
    /// The session the worker `opened`, once its confirmation opens with `keys`.
    pub fn new(
        chain: &ChainId,
        worker: AccountId,
        keys: SessionKeys,
        opened: &SessionOpened,
    ) -> Result<Self, SealError> {
        let keys = keys.bound_to(&opened.session)?;
        let aad = confirmation_aad(chain, &worker, &opened.session, opened.expires_ms);
        keys.open(Message::Confirmation, 0, &aad, &opened.confirmation)?;
        Ok(Self {
            worker,
            id: opened.session,
            expires_ms: opened.expires_ms,
            keys,
            next_counter: AtomicU64::new(0),
        })
    }

    /// Seals `input` for `contract` under the next counter.
    pub fn make_query(
        &self,
        chain: &ChainId,
        contract: &[u8; 32],
        input: &[u8],
    ) -> Result<SessionQuery, SealError> {
        within_io_limit(input.len())?;
        let counter = self.next_counter.fetch_add(1, Ordering::Relaxed);
        if counter > MAX_COUNTER {
            return Err(SealError::CounterExhausted);
        }
        let mut query = SessionQuery {
            session: self.id,
            counter,
            contract: *contract,
            sealed: Vec::new(),
        };
        let aad = message_aad(chain, Message::Query, &self.worker, &query);
        query.sealed = self.keys.seal(Message::Query, counter, &aad, input)?;
        Ok(query)
    }

    /// Opens the worker's answer to `query`.
    pub fn open_answer(
        &self,
        chain: &ChainId,
        query: &SessionQuery,
        answer: &SessionAnswer,
    ) -> Result<CommandOutcome, SealError> {
        let aad = answer_aad(chain, &self.worker, query, answer.height, answer.fuel_used);
        let plaintext = self
            .keys
            .open(Message::Answer, query.counter, &aad, &answer.sealed)?;
        CommandOutcome::from_plaintext(&plaintext)
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
