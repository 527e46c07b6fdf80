//! The worker's side of the message queue: it reads the chain's broadcast queue and its own
//! inbox in order, each message with a proof against a verified header, and sends messages
//! signed with its identity key, relayed by the operator's account. Its inbox brings partial
//! signatures, from which it recovers its cluster keys; a gatekeeper's duties (DKG rounds,
//! handing out partial signatures) are in `dkg.rs`.
//!
//! Queue positions are saved after each handled message. Handling is idempotent (the chain
//! accepts a repeated identical message as a confirmation, and the worker skips what the
//! chain already holds), so a crash between acting and saving is harmless.

use crate::{
    chain::{ChainError, decode},
    keys,
    run::Worker,
    store::Secret,
};
use phalanx_client::client::{self, SendError};
use phalanx_consensus::reader::MAX_PROVE_KEYS;
use phalanx_runtime::{
    DispatchError, contracts as chain_contracts, keys as chain_keys, mq, state::StateKey,
};
use phalanx_threshold::{Output, Partial, round::RoundCodec};
use phalanx_types::{ChainMessage, Envelope, KeyKind, MqCall, Payload, WorkerId, WorkerMessage};
use tracing::{error, info, warn};

/// Queue messages read per request: the queue's length plus this many entries, one snapshot.
pub(crate) const READ_BATCH: u64 = (MAX_PROVE_KEYS - 1) as u64;

/// Which queue to read.
#[derive(Clone, Copy)]
enum Queue<'a> {
    Broadcast,
    Inbox(&'a WorkerId),
}

impl Queue<'_> {
    fn len_key(&self) -> StateKey {
        match self {
            Queue::Broadcast => mq::state_key::broadcast().len_key(),
            Queue::Inbox(w) => mq::state_key::inbox(w).len_key(),
        }
    }
    fn item_key(&self, index: u64) -> StateKey {
        match self {
            Queue::Broadcast => mq::state_key::broadcast().entry_key(index),
            Queue::Inbox(w) => mq::state_key::inbox(w).entry_key(index),
        }
    }
}

impl Worker {
    /// The next messages of `queue` from index `from`, read with proofs from one snapshot.
    fn read_queue(&mut self, queue: Queue<'_>, from: u64) -> Result<Vec<ChainMessage>, ChainError> {
        let mut keys: Vec<[u8; 32]> = vec![queue.len_key().into()];
        keys.extend((from..from + READ_BATCH).map(|i| <[u8; 32]>::from(queue.item_key(i))));
        let (values, _) = self.chain.read(&keys)?;
        let len: u64 = match values.first().and_then(|v| v.as_ref()) {
            Some(bytes) => decode(bytes, "queue length")?,
            None => 0,
        };
        let mut out = Vec::new();
        for (offset, value) in values.iter().skip(1).enumerate() {
            let index = from + offset as u64;
            if index >= len {
                break;
            }
            let bytes = value.as_ref().ok_or_else(|| {
                ChainError::Malformed(format!(
                    "queue message {index} is missing below the queue length {len}"
                ))
            })?;
            out.push(decode(bytes, "queue message")?);
        }
        Ok(out)
    }

    /// Signs `payload` as this worker's next message and has the operator relay it. Returns
    /// `Ok(false)` when the chain refused it (logged; resending would be refused again), and
    /// an error, to retry on the next poll, when the answer is unknown or the sequence number
    /// was already used (a message whose fate was unknown made it in after all).
    pub fn send_message(&mut self, payload: Payload) -> Result<bool, String> {
        let operator = self
            .config
            .operator
            .clone()
            .ok_or("sending a message needs --operator KEY (the account that relays it)")?;
        let me = self.id();
        // The chain's count is the authority; the saved one covers messages finalized after
        // the verified tip.
        let on_chain: u64 = self
            .chain
            .read_typed(mq::state_key::next_seq(&me), "sequence number")
            .map_err(|e| e.to_string())?
            .unwrap_or(0);
        let seq = on_chain.max(self.state.mq.next_seq);
        let topic = payload.topic();
        let message = WorkerMessage {
            sender: me,
            seq,
            payload,
        }
        .sign(&self.state.identity(), &self.spec.genesis.chain_id);
        let chain = client::ChainInfo::fetch(&self.config.rpc)?;
        let what = format!("message {seq} ({topic})");
        let sent = client::send_call(
            &self.config.rpc,
            &chain,
            &operator,
            MqCall::PushMessage {
                message: Box::new(message),
            }
            .into(),
            &what,
            true,
        );
        match sent {
            Ok(_) => {
                info!(seq, topic, "message accepted by the chain");
                self.state.mq.next_seq = seq + 1;
                self.save()?;
                // Later reads should see what this message changed.
                self.sync().map_err(|e| e.to_string())?;
                Ok(true)
            }
            Err(SendError::Refused {
                code: Some(DispatchError::Mq(mq::Error::MessageReplayed)),
                reason,
            }) => {
                self.sync().map_err(|e| e.to_string())?;
                Err(format!(
                    "{reason}; will sign again with the chain's next sequence number"
                ))
            }
            Err(SendError::Refused { reason, .. }) => {
                error!(error = %reason, "message refused");
                Ok(false)
            }
            Err(SendError::Failed(e)) => Err(e),
        }
    }

    /// Handles every new message in this worker's inbox, then (gatekeepers) does its part of
    /// the DKG round in progress and hands out partial signatures, then handles new broadcast
    /// messages.
    pub fn process_messages(&mut self) -> Result<(), String> {
        let me = self.id();
        let Some(record) = self.record().map_err(|e| e.to_string())? else {
            return Ok(());
        };
        loop {
            let batch = self
                .read_queue(Queue::Inbox(&me), self.state.mq.inbox)
                .map_err(|e| e.to_string())?;
            if batch.is_empty() {
                break;
            }
            for message in batch {
                self.handle_inbox(&message)?;
                self.state.mq.inbox += 1;
                self.save()?;
            }
        }
        if record.gatekeeper {
            self.gatekeeper_duties()?;
        }
        loop {
            let batch = self
                .read_queue(Queue::Broadcast, self.state.mq.broadcast)
                .map_err(|e| e.to_string())?;
            if batch.is_empty() {
                break;
            }
            for message in batch {
                if !self.handle_broadcast(&message, record.gatekeeper)? {
                    // Not yet: this message needs a key still on its way (next poll).
                    return Ok(());
                }
                self.state.mq.broadcast += 1;
                self.save()?;
            }
        }
        Ok(())
    }

    /// The output of DKG round `round`, read with a proof.
    pub(crate) fn round_output(&mut self, round: u64) -> Result<Option<Output>, String> {
        match self
            .chain
            .read_one(chain_keys::state_key::output(round).into())
            .map_err(|e| e.to_string())?
        {
            Some(bytes) => Output::decode_bytes(&bytes)
                .map(Some)
                .map_err(|e| e.to_string()),
            None => Ok(None),
        }
    }

    /// A partial signature delivered to this worker: open it, verify it against the round's
    /// public polynomial, keep it, and recover the cluster key once a quorum is in. A share
    /// that does not open or does not verify is refused and logged, never kept.
    fn handle_inbox(&mut self, message: &ChainMessage) -> Result<(), String> {
        let ChainMessage::KeyShareDelivered {
            sender,
            key,
            round,
            envelope,
        } = message
        else {
            warn!(
                ?message,
                "ignoring an inbox message of a kind this worker does not handle"
            );
            return Ok(());
        };
        let KeyKind::Cluster {
            cluster,
            generation,
        } = *key;
        let slot = format!("{cluster}/{generation}");
        if self.state.cluster_keys.contains_key(&slot) {
            return Ok(());
        }
        let Some(partial) = self.open_partial(sender, key, *round, envelope) else {
            return Ok(());
        };
        let Some(output) = self.round_output(*round)? else {
            error!(%sender, %key, round, "REFUSED key share: the chain holds no output for its round");
            return Ok(());
        };
        let chain = self.spec.genesis.chain_id.clone();
        if let Err(e) =
            phalanx_threshold::verify_partial(&output, &chain, cluster, generation, &partial)
        {
            error!(%sender, %key, round, error = %e, "REFUSED key share");
            return Ok(());
        }
        let pending_slot = format!("{slot}/{round}");
        let pending = self.state.partials.entry(pending_slot.clone()).or_default();
        let encoded = hex::encode(commonware_codec::Encode::encode(&partial));
        if !pending.contains(&encoded) {
            pending.push(encoded);
        }
        let partials: Vec<Partial> = pending
            .iter()
            .filter_map(|h| hex::decode(h).ok())
            .filter_map(|b| Partial::decode_bytes(&b).ok())
            .collect();
        let need = output.public().required();
        info!(%sender, %key, round, have = partials.len(), need, "received a verified key share");
        self.save()?;
        if partials.len() < need as usize {
            return Ok(());
        }
        match phalanx_threshold::recover_cluster_key(
            &output, &chain, cluster, generation, &partials,
        ) {
            Ok(secret) => {
                self.state.cluster_keys.insert(slot, Secret(secret));
                self.state.partials.remove(&pending_slot);
                self.save()?;
                info!(
                    cluster,
                    generation,
                    shares = partials.len(),
                    "recovered cluster key from gatekeeper shares (checked against the group public key)"
                );
            }
            Err(e) => error!(%key, round, error = %e, "cannot recover the cluster key yet"),
        }
        Ok(())
    }

    fn open_partial(
        &self,
        sender: &WorkerId,
        key: &KeyKind,
        round: u64,
        envelope: &Envelope,
    ) -> Option<Partial> {
        let opened = keys::open_share(
            &self.state.encryption_secret,
            &self.spec.genesis.chain_id,
            &self.id(),
            key,
            round,
            envelope,
        );
        match opened {
            Ok(bytes) => match Partial::decode_bytes(&bytes) {
                Ok(p) => Some(p),
                Err(e) => {
                    error!(%sender, %key, error = %e, "REFUSED key share");
                    None
                }
            },
            Err(e) => {
                error!(%sender, %key, error = %e, "REFUSED key share: it does not open with this worker's key");
                None
            }
        }
    }

    /// Handles one broadcast message; `Ok(false)` when it must be handled again later.
    fn handle_broadcast(
        &mut self,
        message: &ChainMessage,
        gatekeeper: bool,
    ) -> Result<bool, String> {
        match message {
            ChainMessage::WorkerRegistered {
                worker,
                encryption_key,
            } => {
                if gatekeeper {
                    self.share_every_generation(worker, encryption_key)?;
                }
            }
            ChainMessage::GatekeeperPromoted { worker, .. } => {
                if *worker == self.id() {
                    info!("promoted to gatekeeper: taking part in the chain's DKG rounds");
                }
            }
            ChainMessage::MasterKeyRotation { generation } => {
                info!(
                    generation,
                    "master key rotation started (a fresh DKG round)"
                );
            }
            ChainMessage::KeyShareDelivered { .. } => {
                warn!("ignoring a key share in the broadcast queue");
            }
            ChainMessage::ClusterCreated { cluster } => {
                if gatekeeper {
                    self.share_new_cluster(*cluster)?;
                }
            }
            ChainMessage::ContractInstantiated {
                contract,
                cluster,
                generation,
                ..
            } => return self.report_contract_keys(contract, *cluster, *generation),
            ChainMessage::ContractCommand {
                contract,
                seq,
                sender,
                height,
                time_ms,
                gas_limit,
                sealed,
            } => {
                return self.execute_command(&crate::contracts::Command {
                    contract,
                    seq: *seq,
                    sender,
                    height: *height,
                    time_ms: *time_ms,
                    gas_limit: *gas_limit,
                    sealed,
                });
            }
        }
        Ok(true)
    }

    /// Derives a new contract's keys from the cluster key and reports the public ones, unless
    /// this worker already did (a crash between sending and saving the queue position).
    fn report_contract_keys(
        &mut self,
        contract: &[u8; 32],
        cluster: u32,
        generation: u32,
    ) -> Result<bool, String> {
        let id = hex::encode(contract);
        if !self.is_cluster_member(cluster)? {
            info!(contract = %id, cluster, "not a member of the contract's cluster: skipping it");
            return Ok(true);
        }
        let cluster_key = match self.wait_for_cluster_key(cluster, generation) {
            crate::contracts::KeyWait::Ready(key) => key,
            crate::contracts::KeyWait::Wait => return Ok(false),
            crate::contracts::KeyWait::GiveUp => return Ok(true),
        };
        let reported = chain_contracts::state_key::key_report(contract, &self.id());
        // The marker holds the hash of the keys reported: only its presence matters here.
        let already = self
            .chain
            .read_one(reported.into())
            .map_err(|e| e.to_string())?;
        if already.is_some() {
            return Ok(true);
        }
        let contract_key = keys::contract_key(&cluster_key, contract);
        let encryption_key = contract_key.encryption_key_pair().public;
        let signing_key = contract_key.signing_public_key();
        info!(
            contract = %id,
            encryption_key = %hex::encode(encryption_key),
            "derived a new contract's keys: reporting the public ones"
        );
        self.send_message(Payload::ContractKey {
            contract: *contract,
            encryption_key,
            signing_key,
        })?;
        Ok(true)
    }

    /// The cluster key this worker holds for `generation`.
    pub fn cluster_key(&self, cluster: u32, generation: u32) -> Option<Secret> {
        self.state
            .cluster_keys
            .get(&format!("{cluster}/{generation}"))
            .cloned()
    }
}
