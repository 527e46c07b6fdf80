//! The worker's side of the message queue: it reads the chain's broadcast queue and its own
//! inbox in order, each message with a proof against a verified header; it sends messages
//! signed with its identity key, relayed by the operator's account; and it does the gatekeeper
//! duties those messages call for (generate, announce and hand out keys).
//!
//! Queue positions are saved after each handled message. Handling is idempotent (the chain
//! accepts a repeated identical delivery or announcement as a confirmation, and the worker
//! skips what the chain already holds), so a crash between acting and saving is harmless.

use crate::{
    chain::{ChainError, decode},
    client::{self, SendError},
    keys::{self, DEFAULT_CLUSTER, KeyManager},
    run::Worker,
    store::Secret,
};
use commonware_codec::Encode;
use commonware_cryptography::{Hasher, Sha256};
use phalanx_consensus::reader::MAX_PROVE_KEYS;
use phalanx_runtime::{
    DispatchError, keys as chain_keys, mq,
    registry::{self, WorkerRecord},
    state::StateKey,
};
use phalanx_types::{
    AccountId, Call, ChainMessage, Hash, KeyKind, Payload, WorkerId, WorkerInfo, WorkerMessage,
};
use tracing::{error, info, warn};

/// Queue messages read per request: the queue's length plus this many entries, one snapshot.
const READ_BATCH: u64 = (MAX_PROVE_KEYS - 1) as u64;

/// Which queue to read.
#[derive(Clone, Copy)]
enum Queue<'a> {
    Broadcast,
    Inbox(&'a WorkerId),
}

impl Queue<'_> {
    fn len_key(&self) -> StateKey {
        match self {
            Queue::Broadcast => mq::broadcast_len_key(),
            Queue::Inbox(w) => mq::inbox_len_key(w),
        }
    }
    fn item_key(&self, index: u64) -> StateKey {
        match self {
            Queue::Broadcast => mq::broadcast_key(index),
            Queue::Inbox(w) => mq::inbox_key(w, index),
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
            .read_typed(mq::next_seq_key(&me), "sequence number")
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
            Call::PushMessage {
                message: Box::new(message),
            },
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
                code: Some(DispatchError::MessageReplayed),
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

    /// Handles every new message in this worker's inbox, then (gatekeepers) derives master
    /// key generations it lacks, then handles new broadcast messages.
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
        let mut gatekeeper = record.gatekeeper;
        if gatekeeper {
            self.catch_up_generations()?;
        }
        loop {
            let batch = self
                .read_queue(Queue::Broadcast, self.state.mq.broadcast)
                .map_err(|e| e.to_string())?;
            if batch.is_empty() {
                break;
            }
            for message in batch {
                self.handle_broadcast(&message, &mut gatekeeper)?;
                self.state.mq.broadcast += 1;
                self.save()?;
            }
        }
        Ok(())
    }

    /// A key delivered to this worker: open it, check it, keep it. A delivery that does not
    /// open or does not match the chain's announcement is refused and logged, never kept.
    fn handle_inbox(&mut self, message: &ChainMessage) -> Result<(), String> {
        let ChainMessage::KeyDelivered {
            sender,
            key,
            envelope,
        } = message
        else {
            warn!(
                ?message,
                "ignoring an inbox message of a kind this worker does not handle"
            );
            return Ok(());
        };
        let opened = keys::open_delivery(
            &self.state.encryption_secret,
            &self.spec.genesis.chain_id,
            &self.id(),
            sender,
            key,
            envelope,
        );
        let secret = match opened {
            Ok(secret) => secret,
            Err(e) => {
                error!(error = %e, "key delivery refused");
                return Ok(());
            }
        };
        match key {
            KeyKind::Master { generation } => {
                let announced = self.announced(*generation)?;
                let Some(announced) = announced else {
                    error!(generation, %sender, "REFUSED master key: its generation is not announced on chain");
                    return Ok(());
                };
                if let Err(e) = keys::check_master(*generation, sender, &secret, &announced) {
                    error!(error = %e, "key delivery refused");
                    return Ok(());
                }
                self.state.master_keys.insert(*generation, secret);
                // Saved before anything uses it (or the log says it arrived).
                self.save()?;
                info!(generation, %sender, "received master key generation (checked against its announced public key)");
            }
            KeyKind::Cluster {
                cluster,
                generation,
            } => {
                self.state
                    .cluster_keys
                    .insert(format!("{cluster}/{generation}"), secret);
                self.save()?;
                info!(cluster, generation, %sender, "received cluster key");
            }
        }
        Ok(())
    }

    /// The public key the chain holds for master key `generation`.
    fn announced(&mut self, generation: u32) -> Result<Option<[u8; 32]>, String> {
        self.chain
            .read_typed(
                chain_keys::master_public_key(generation),
                "master public key",
            )
            .map_err(|e| e.to_string())
    }

    /// The newest master key generation announced on chain.
    fn chain_generation(&mut self) -> Result<Option<u32>, String> {
        self.chain
            .read_typed(chain_keys::generation_key(), "master key generation")
            .map_err(|e| e.to_string())
    }

    /// A gatekeeper that holds generation `g` derives every later generation the chain
    /// announced (it may have been promoted, or down, while they were rotated in).
    fn catch_up_generations(&mut self) -> Result<(), String> {
        let Some(newest) = self.chain_generation()? else {
            return Ok(());
        };
        let Some((&held, _)) = self.state.master_keys.last_key_value() else {
            return Ok(());
        };
        for generation in held.saturating_add(1)..=newest {
            let Some(previous) = self.state.master_keys.get(&(generation - 1)) else {
                break;
            };
            let derived = keys::next_generation(previous, generation);
            let Some(announced) = self.announced(generation)? else {
                break;
            };
            if let Err(e) = keys::check_master(generation, &self.id(), &derived, &announced) {
                error!(error = %e, "DISAGREEMENT: the derived generation differs from the announced one");
                break;
            }
            self.state.master_keys.insert(generation, derived);
            self.save()?;
            info!(generation, "derived master key generation");
        }
        Ok(())
    }

    fn handle_broadcast(
        &mut self,
        message: &ChainMessage,
        gatekeeper: &mut bool,
    ) -> Result<(), String> {
        let me = self.id();
        match message {
            ChainMessage::WorkerRegistered {
                worker,
                encryption_key,
            } => {
                if *gatekeeper
                    && *worker != me
                    && let Some(generation) = self.chain_generation()?
                {
                    let to = WorkerInfo {
                        identity: worker.clone(),
                        encryption_key: *encryption_key,
                    };
                    self.deliver(
                        &to,
                        KeyKind::Cluster {
                            cluster: DEFAULT_CLUSTER,
                            generation,
                        },
                    )?;
                }
            }
            ChainMessage::GatekeeperPromoted {
                worker,
                encryption_key,
            } => {
                if *worker == me {
                    *gatekeeper = true;
                    self.on_promoted()?;
                } else if *gatekeeper {
                    let to = WorkerInfo {
                        identity: worker.clone(),
                        encryption_key: *encryption_key,
                    };
                    let held: Vec<u32> = self.state.master_keys.keys().copied().collect();
                    for generation in held {
                        self.deliver(&to, KeyKind::Master { generation })?;
                    }
                }
            }
            ChainMessage::MasterKeyRotation { generation } => {
                if *gatekeeper {
                    self.rotate(*generation)?;
                }
            }
            ChainMessage::KeyDelivered { .. } => {
                warn!("ignoring a key delivery in the broadcast queue");
            }
        }
        Ok(())
    }

    /// This worker became a gatekeeper. The first gatekeeper creates the master key if the
    /// chain has none; the others wait for an existing gatekeeper to deliver it.
    fn on_promoted(&mut self) -> Result<(), String> {
        if self.chain_generation()?.is_some() {
            if self.state.master_keys.is_empty() {
                info!("promoted to gatekeeper: waiting for the master key from another gatekeeper");
            }
            return Ok(());
        }
        let list_key = registry::gatekeepers_key();
        let first = match self
            .chain
            .read_one(list_key.into())
            .map_err(|e| e.to_string())?
        {
            Some(bytes) => registry::decode_gatekeepers(&bytes)
                .ok_or("the gatekeeper list does not decode")?
                .into_iter()
                .next(),
            None => None,
        };
        if first.as_ref() != Some(&self.id()) {
            info!("promoted to gatekeeper: the first gatekeeper creates the master key");
            return Ok(());
        }
        if let std::collections::btree_map::Entry::Vacant(slot) = self.state.master_keys.entry(0) {
            slot.insert(Secret::random()?);
            // Saved before its public key leaves the TEE: a crash cannot lose it.
            self.save()?;
            info!("created master key generation 0 inside the TEE");
        }
        self.announce(0)?;
        // Workers that registered before the master key existed get their cluster key now.
        self.deliver_cluster_keys(0)
    }

    /// A rotation to `generation`: derive it from the previous one, announce it, and give
    /// every worker its new cluster key.
    fn rotate(&mut self, generation: u32) -> Result<(), String> {
        if !self.state.master_keys.contains_key(&generation) {
            let Some(previous) = generation
                .checked_sub(1)
                .and_then(|g| self.state.master_keys.get(&g))
            else {
                warn!(
                    generation,
                    "rotation: this gatekeeper lacks the previous generation; another gatekeeper will announce it"
                );
                return Ok(());
            };
            let derived = keys::next_generation(previous, generation);
            self.state.master_keys.insert(generation, derived);
            self.save()?;
            info!(generation, "derived the new master key generation");
        }
        self.announce(generation)?;
        self.deliver_cluster_keys(generation)
    }

    /// Announces master key `generation`'s public key unless the chain already holds it.
    fn announce(&mut self, generation: u32) -> Result<(), String> {
        let Some(master) = self.state.master_keys.get(&generation) else {
            return Ok(());
        };
        let public_key = keys::master_public(master);
        match self.announced(generation)? {
            Some(known) if known == public_key => return Ok(()),
            Some(known) => error!(
                generation,
                chain = hex::encode(known),
                ours = hex::encode(public_key),
                "DISAGREEMENT: the chain holds another public key for this generation; announcing ours so the chain records the disagreement"
            ),
            None => {}
        }
        if self.send_message(Payload::MasterKeyAnnounce {
            generation,
            public_key,
        })? {
            info!(
                generation,
                public_key = hex::encode(public_key),
                "published the master public key"
            );
        }
        Ok(())
    }

    /// Delivers the cluster key of `generation` to every registered worker but this one.
    fn deliver_cluster_keys(&mut self, generation: u32) -> Result<(), String> {
        let count: u64 = self
            .chain
            .read_typed(registry::worker_count_key(), "worker count")
            .map_err(|e| e.to_string())?
            .unwrap_or(0);
        let me = self.id();
        let mut index = 0;
        while index < count {
            let end = count.min(index + MAX_PROVE_KEYS as u64);
            let keys: Vec<[u8; 32]> = (index..end)
                .map(|i| registry::worker_at_key(i).into())
                .collect();
            let (ids, _) = self.chain.read(&keys).map_err(|e| e.to_string())?;
            let ids = ids
                .into_iter()
                .map(|v| {
                    v.ok_or_else(|| "a worker index entry is missing".to_string())
                        .and_then(|b| {
                            decode::<AccountId>(&b, "worker id").map_err(|e| e.to_string())
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            // The records of this batch in one proof request, not one request per worker.
            let record_keys: Vec<[u8; 32]> = ids
                .iter()
                .filter(|id| **id != me)
                .map(|id| registry::worker_key(id).into())
                .collect();
            // `read` takes 1 to 64 keys: a batch holding only this worker reads nothing.
            let records = if record_keys.is_empty() {
                Vec::new()
            } else {
                self.chain.read(&record_keys).map_err(|e| e.to_string())?.0
            };
            for bytes in records.into_iter().flatten() {
                let record: WorkerRecord =
                    decode(&bytes, "worker record").map_err(|e| e.to_string())?;
                self.deliver(
                    &record.info,
                    KeyKind::Cluster {
                        cluster: DEFAULT_CLUSTER,
                        generation,
                    },
                )?;
            }
            index = end;
        }
        Ok(())
    }

    /// Delivers `key` to `to` unless the chain already holds this exact delivery.
    fn deliver(&mut self, to: &WorkerInfo, key: KeyKind) -> Result<(), String> {
        if self.state.master_keys.material(&key).is_none() {
            return Ok(());
        }
        let envelope = keys::seal_delivery(
            &self.state.master_keys,
            &self.spec.genesis.chain_id,
            to,
            &key,
        )?;
        let digest: Hash = Sha256::hash(&[&envelope.encode()]);
        let accepted: Option<Hash> = self
            .chain
            .read_typed(chain_keys::delivery_key(&to.identity, &key), "delivery")
            .map_err(|e| e.to_string())?;
        match accepted {
            Some(h) if h == digest => return Ok(()),
            Some(_) => error!(
                recipient = %to.identity, %key,
                "DISAGREEMENT: the chain holds another envelope for this key; delivering ours so the chain records the disagreement"
            ),
            None => {}
        }
        if self.send_message(Payload::KeyDelivery {
            recipient: to.identity.clone(),
            key,
            envelope,
        })? {
            info!(recipient = %to.identity, %key, "delivered key");
        }
        Ok(())
    }

    /// The cluster key this worker holds for `generation` (received, or derived by a
    /// gatekeeper).
    pub fn cluster_key(&self, cluster: u32, generation: u32) -> Option<Secret> {
        self.state
            .cluster_keys
            .get(&format!("{cluster}/{generation}"))
            .cloned()
            .or_else(|| {
                KeyManager::derive(
                    &self.state.master_keys,
                    generation,
                    &keys::cluster_path(cluster),
                )
            })
    }
}
