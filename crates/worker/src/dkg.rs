//! A gatekeeper's duties: its part in the chain's DKG rounds, and handing out partial
//! signatures so workers can recover their cluster keys.
//!
//! Everything is driven from chain state read with proofs, never from local memory: a round
//! in progress says who deals and who plays; a dealer deals (randomness from its sealed seed,
//! so a restart deals the same), waits for acknowledgements (or the chain's `ack_window_blocks`,
//! a `keys` parameter read with a proof) and
//! logs; a player acknowledges each share that matches its commitment. When a round has an
//! output that includes this gatekeeper, it replays its dealings and the recorded logs to
//! compute its share, checks that the output matches the chain's, and seals it. After a new
//! generation it sends every registered worker its partial signature towards cluster 0's key
//! and each cluster's members theirs towards that cluster's key; then each newly registered
//! worker, and each new cluster's members.

use crate::{
    chain::decode,
    keys::{self, DEFAULT_CLUSTER},
    run::Worker,
    store::{HeldShare, Secret},
};
use commonware_codec::Encode;
use commonware_cryptography::{Hasher, Sha256};
use phalanx_consensus::reader::MAX_PROVE_KEYS;
use phalanx_runtime::{
    ComponentParams, contracts as chain_contracts,
    keys::{self as chain_keys, RoundRecord, StoredDeal},
    registry::{self, WorkerRecord},
    state::StateKey,
};
use phalanx_threshold::{Ack, Id, Info, Log, PrivMsg, PubMsg, Share, SignedLog, round::RoundCodec};
use phalanx_types::{AccountId, Hash, KeyKind, Payload, WorkerId};
use tracing::{error, info, warn};

impl Worker {
    /// Reads `keys` with proofs, in requests of at most [`MAX_PROVE_KEYS`].
    fn read_many(&mut self, keys: &[StateKey]) -> Result<Vec<Option<Vec<u8>>>, String> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(MAX_PROVE_KEYS) {
            let raw: Vec<[u8; 32]> = chunk.iter().map(|k| (*k).into()).collect();
            let (values, _) = self.chain.read(&raw).map_err(|e| e.to_string())?;
            out.extend(values);
        }
        Ok(out)
    }

    fn round_record(&mut self, round: u64) -> Result<Option<RoundRecord>, String> {
        self.chain
            .read_typed(chain_keys::state_key::round(round), "DKG round record")
            .map_err(|e| e.to_string())
    }

    fn round_info(&mut self, record: &RoundRecord) -> Result<Info, String> {
        let previous = match record.previous {
            Some(r) => Some(
                self.round_output(r)?
                    .ok_or_else(|| format!("round {r}'s output is missing on chain"))?,
            ),
            None => None,
        };
        phalanx_threshold::round_info(
            &self.spec.genesis.chain_id,
            record.round,
            previous,
            &record.dealers,
            &record.players,
        )
        .map_err(|e| e.to_string())
    }

    /// The seed of this gatekeeper's dealings, created and sealed on first use.
    fn dkg_seed(&mut self) -> Result<Secret, String> {
        if let Some(seed) = &self.state.dkg_seed {
            return Ok(seed.clone());
        }
        let seed = Secret::random()?;
        self.state.dkg_seed = Some(seed.clone());
        // Saved before anything dealt with it leaves the TEE.
        self.save()?;
        Ok(seed)
    }

    pub(crate) fn held_share(&self, generation: u32) -> Option<(u64, Share)> {
        let held = self.state.key_shares.get(&generation)?;
        let bytes = hex::decode(&held.share).ok()?;
        Some((held.round, Share::decode_bytes(&bytes).ok()?))
    }

    /// Everything a gatekeeper does on a tick.
    pub(crate) fn gatekeeper_duties(&mut self) -> Result<(), String> {
        let active: Option<u64> = self
            .chain
            .read_typed(chain_keys::state_key::active(), "active DKG round")
            .map_err(|e| e.to_string())?;
        if let Some(round) = active
            && let Some(record) = self.round_record(round)?
        {
            let me = self.id();
            let info = self.round_info(&record)?;
            if record.dealers.contains(&me) {
                self.deal_or_log(&record, &info)?;
            }
            if record.players.contains(&me) {
                self.acknowledge_dealings(&record, &info)?;
            }
        }
        let generation: Option<u32> = self
            .chain
            .read_typed(chain_keys::state_key::generation(), "master key generation")
            .map_err(|e| e.to_string())?;
        let Some(generation) = generation else {
            return Ok(());
        };
        self.take_share(generation)?;
        if self.held_share(generation).is_some()
            && self.state.shared_generation.is_none_or(|g| g < generation)
        {
            self.share_with_every_worker(generation)?;
            self.state.shared_generation = Some(generation);
            self.save()?;
        }
        Ok(())
    }

    /// As a dealer: deal if the chain has no dealing from this gatekeeper; else log once every
    /// player acknowledged or the acknowledgement window passed.
    fn deal_or_log(&mut self, record: &RoundRecord, info: &Info) -> Result<(), String> {
        let me = self.id();
        let round = record.round;
        let dealt = self
            .chain
            .read_one(chain_keys::state_key::deal(round, &me).into())
            .map_err(|e| e.to_string())?
            .is_some();
        let logged = self
            .chain
            .read_one(chain_keys::state_key::log(round, &me).into())
            .map_err(|e| e.to_string())?
            .is_some();
        if logged {
            return Ok(());
        }
        let share = match record.previous {
            Some(previous) => match self.held_share(record.generation) {
                Some((r, share)) if r == previous => Some(share),
                _ => {
                    warn!(
                        round,
                        "reshare: this gatekeeper lacks its share of the previous round; the other dealers carry the round"
                    );
                    return Ok(());
                }
            },
            None => None,
        };
        let seed = self.dkg_seed()?;
        let (dealer, pub_msg, privs) =
            phalanx_threshold::dealer(seed.bytes(), info, self.state.identity(), share)
                .map_err(|e| e.to_string())?;
        if !dealt {
            let records = self.worker_records(&record.players)?;
            let mut shares = Vec::with_capacity(record.players.len());
            for (player, player_record) in record.players.iter().zip(&records) {
                let Some(priv_msg) = privs
                    .iter()
                    .find(|(id, _)| id == player.public_key())
                    .map(|(_, m)| m)
                else {
                    return Err(format!("the dealing has no share for player {player}"));
                };
                let Some(player_record) = player_record else {
                    return Err(format!("player {player} is not a registered worker"));
                };
                shares.push(keys::seal_dealing(
                    &seed,
                    &self.spec.genesis.chain_id,
                    round,
                    &me,
                    player,
                    &player_record.info.encryption_key,
                    &priv_msg.encode(),
                )?);
            }
            if self.send_message(Payload::DkgDeal {
                round,
                commitment: pub_msg.encode().to_vec(),
                shares,
            })? {
                info!(
                    round,
                    generation = record.generation,
                    players = record.players.len(),
                    "dealt in the DKG round"
                );
            }
            return Ok(());
        }
        let mut ack_keys: Vec<StateKey> = record
            .players
            .iter()
            .map(|p| chain_keys::state_key::ack(round, &me, p))
            .collect();
        ack_keys.push(chain_keys::Params::key());
        let mut acks = self.read_many(&ack_keys)?;
        let params: chain_keys::Params = match acks.pop().flatten() {
            Some(bytes) => decode(&bytes, "keys parameters").map_err(|e| e.to_string())?,
            None => return Err("the chain holds no keys parameters".into()),
        };
        let mut received: Vec<(Id, Ack)> = Vec::new();
        for (player, ack) in record.players.iter().zip(acks) {
            if let Some(bytes) = ack
                && let Ok(ack) = Ack::decode_bytes(&bytes)
            {
                received.push((player.public_key().clone(), ack));
            }
        }
        let waited =
            self.chain.tip().height >= record.started.saturating_add(params.ack_window_blocks);
        if received.len() < record.players.len() && !waited {
            return Ok(());
        }
        if received.len() < record.players.len() {
            warn!(
                round,
                acknowledged = received.len(),
                players = record.players.len(),
                "logging without every acknowledgement: the missing players' shares are revealed"
            );
        }
        let log = phalanx_threshold::dealer_log(dealer, received);
        if self.send_message(Payload::DkgLog {
            round,
            log: log.encode().to_vec(),
        })? {
            info!(round, "logged the DKG dealing");
        }
        Ok(())
    }

    /// The dealings of `record` addressed to this worker, opened: (dealer, commitment, share).
    fn my_dealings(
        &mut self,
        record: &RoundRecord,
    ) -> Result<Vec<(WorkerId, PubMsg, PrivMsg)>, String> {
        let me = self.id();
        let Some(position) = record.players.iter().position(|p| *p == me) else {
            return Ok(Vec::new());
        };
        let deal_keys: Vec<StateKey> = record
            .dealers
            .iter()
            .map(|d| chain_keys::state_key::deal(record.round, d))
            .collect();
        let deals = self.read_many(&deal_keys)?;
        let mut out = Vec::new();
        for (dealer, deal) in record.dealers.iter().zip(deals) {
            let Some(bytes) = deal else { continue };
            let deal: StoredDeal = decode(&bytes, "dealing").map_err(|e| e.to_string())?;
            let Some(sealed) = deal.shares.get(position) else {
                error!(round = record.round, %dealer, "REFUSED dealing: it has no share for this player");
                continue;
            };
            let opened = keys::open_dealing(
                &self.state.encryption_secret,
                &self.spec.genesis.chain_id,
                record.round,
                dealer,
                &me,
                sealed,
            );
            let parsed = opened
                .map_err(|e| e.to_string())
                .and_then(|plain| PrivMsg::decode_bytes(&plain).map_err(|e| e.to_string()))
                .and_then(|priv_msg| {
                    PubMsg::decode_bytes(&deal.commitment)
                        .map(|pub_msg| (pub_msg, priv_msg))
                        .map_err(|e| e.to_string())
                });
            match parsed {
                Ok((pub_msg, priv_msg)) => out.push((dealer.clone(), pub_msg, priv_msg)),
                Err(e) => {
                    error!(round = record.round, %dealer, error = %e, "REFUSED dealing: its share for this worker does not open")
                }
            }
        }
        Ok(out)
    }

    /// As a player: acknowledge every dealing on chain not yet acknowledged whose share
    /// matches its commitment. A dealing that does not is refused, logged and not
    /// acknowledged (its dealer must then reveal the share, or the round leaves it out).
    fn acknowledge_dealings(&mut self, record: &RoundRecord, info: &Info) -> Result<(), String> {
        let me = self.id();
        let ack_keys: Vec<StateKey> = record
            .dealers
            .iter()
            .map(|d| chain_keys::state_key::ack(record.round, d, &me))
            .collect();
        let acked = self.read_many(&ack_keys)?;
        let acked: Vec<WorkerId> = record
            .dealers
            .iter()
            .zip(acked)
            .filter(|(_, a)| a.is_some())
            .map(|(d, _)| d.clone())
            .collect();
        for (dealer, pub_msg, priv_msg) in self.my_dealings(record)? {
            if acked.contains(&dealer) {
                continue;
            }
            match phalanx_threshold::acknowledge(
                info,
                self.state.identity(),
                dealer.public_key().clone(),
                pub_msg,
                priv_msg,
            ) {
                Ok(ack) => {
                    if self.send_message(Payload::DkgAck {
                        round: record.round,
                        dealer: dealer.clone(),
                        ack: ack.encode().to_vec(),
                    })? {
                        info!(round = record.round, %dealer, "acknowledged a DKG dealing");
                    }
                }
                Err(e) => {
                    error!(round = record.round, %dealer, error = %e, "REFUSED DKG dealing: not acknowledged")
                }
            }
        }
        Ok(())
    }

    /// Computes and seals this gatekeeper's share of `generation`'s current sharing if it is
    /// one of its players and does not hold it yet.
    fn take_share(&mut self, generation: u32) -> Result<(), String> {
        let latest: Option<u64> = self
            .chain
            .read_typed(chain_keys::state_key::latest(generation), "latest round")
            .map_err(|e| e.to_string())?;
        let Some(round) = latest else {
            return Ok(());
        };
        if self.held_share(generation).is_some_and(|(r, _)| r == round) {
            return Ok(());
        }
        let Some(record) = self.round_record(round)? else {
            return Ok(());
        };
        if !record.players.contains(&self.id()) {
            return Ok(());
        }
        let info = self.round_info(&record)?;
        let logged: Vec<WorkerId> = self
            .chain
            .read_typed::<phalanx_runtime::keys::LoggedDealers>(
                chain_keys::state_key::logged(round),
                "logged dealers",
            )
            .map_err(|e| e.to_string())?
            .map(|l| l.0)
            .unwrap_or_default();
        let log_keys: Vec<StateKey> = logged
            .iter()
            .map(|d| chain_keys::state_key::log(round, d))
            .collect();
        let mut logs: Vec<(Id, Log)> = Vec::new();
        for (dealer, bytes) in logged.iter().zip(self.read_many(&log_keys)?) {
            let Some(bytes) = bytes else {
                return Err(format!("dealer {dealer}'s log is missing on chain"));
            };
            let checked = SignedLog::decode_bytes(&bytes)
                .ok()
                .and_then(|s| s.check(&info));
            let Some(pair) = checked else {
                return Err(format!("dealer {dealer}'s recorded log does not check"));
            };
            logs.push(pair);
        }
        let dealings = self
            .my_dealings(&record)?
            .into_iter()
            .map(|(d, p, s)| (d.public_key().clone(), p, s));
        let (output, share) =
            phalanx_threshold::player_share(&info, self.state.identity(), dealings, logs).map_err(
                |e| format!("cannot compute this gatekeeper's share of round {round}: {e}"),
            )?;
        let on_chain = self.round_output(round)?;
        if on_chain.as_ref() != Some(&output) {
            error!(
                round,
                "DISAGREEMENT: the output computed from the logs differs from the chain's; not keeping the share"
            );
            return Ok(());
        }
        self.state.key_shares.insert(
            generation,
            HeldShare {
                round,
                share: hex::encode(share.encode()),
            },
        );
        // A reshare replaces the previous share of the generation; holding both would keep
        // the old sharing alive.
        self.save()?;
        info!(
            generation,
            round,
            threshold = output.public().required(),
            holders = record.players.len(),
            "holding a share of the master key generation (sealed)"
        );
        Ok(())
    }

    /// The registry records of `ids`, in order.
    fn worker_records(&mut self, ids: &[WorkerId]) -> Result<Vec<Option<WorkerRecord>>, String> {
        let keys: Vec<StateKey> = ids.iter().map(registry::state_key::worker).collect();
        self.read_many(&keys)?
            .into_iter()
            .map(|v| match v {
                Some(b) => decode(&b, "worker record")
                    .map(Some)
                    .map_err(|e| e.to_string()),
                None => Ok(None),
            })
            .collect()
    }

    /// Sends this gatekeeper's partial signature for `generation` to every registered worker
    /// (itself included: a gatekeeper recovers its cluster key like any worker), and for each
    /// cluster of chosen workers to its members.
    fn share_with_every_worker(&mut self, generation: u32) -> Result<(), String> {
        let Some(held) = self.current_share(generation)? else {
            return Ok(());
        };
        let count: u64 = self
            .chain
            .read_typed(registry::state_key::workers().len_key(), "worker count")
            .map_err(|e| e.to_string())?
            .unwrap_or(0);
        let mut index = 0;
        while index < count {
            let end = count.min(index + MAX_PROVE_KEYS as u64);
            let keys: Vec<StateKey> = (index..end)
                .map(|i| registry::state_key::workers().entry_key(i))
                .collect();
            let ids = self
                .read_many(&keys)?
                .into_iter()
                .map(|v| {
                    v.ok_or_else(|| "a worker index entry is missing".to_string())
                        .and_then(|b| {
                            decode::<AccountId>(&b, "worker id").map_err(|e| e.to_string())
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            for record in self.worker_records(&ids)?.into_iter().flatten() {
                self.send_share(
                    &held,
                    generation,
                    DEFAULT_CLUSTER,
                    &record.info.identity,
                    &record.info.encryption_key,
                )?;
            }
            index = end;
        }
        let clusters: u64 = self
            .chain
            .read_typed(
                chain_contracts::state_key::clusters().len_key(),
                "cluster count",
            )
            .map_err(|e| e.to_string())?
            .unwrap_or(0);
        for index in 0..clusters {
            let cluster = u32::try_from(index + 1).map_err(|_| "too many clusters")?;
            self.share_with_cluster(&held, generation, cluster)?;
        }
        Ok(())
    }

    /// Sends this gatekeeper's partial signature towards `cluster`'s key of `generation` to
    /// each of the cluster's members.
    fn share_with_cluster(
        &mut self,
        held: &(u64, Share),
        generation: u32,
        cluster: u32,
    ) -> Result<(), String> {
        let Some(record) = self.cluster_record(cluster)? else {
            warn!(cluster, "the chain holds no such cluster: no shares sent");
            return Ok(());
        };
        for worker in self.worker_records(&record.members)?.into_iter().flatten() {
            self.send_share(
                held,
                generation,
                cluster,
                &worker.info.identity,
                &worker.info.encryption_key,
            )?;
        }
        Ok(())
    }

    /// A new cluster's members get this gatekeeper's partial signatures towards its key of
    /// the newest generation.
    pub(crate) fn share_new_cluster(&mut self, cluster: u32) -> Result<(), String> {
        let Some((&generation, _)) = self.state.key_shares.last_key_value() else {
            return Ok(());
        };
        let Some(held) = self.current_share(generation)? else {
            return Ok(());
        };
        self.share_with_cluster(&held, generation, cluster)
    }

    /// A newly registered worker gets this gatekeeper's partial signature towards cluster 0's
    /// key of every generation it holds a share of: contracts keep the generation they were
    /// created under, and a new worker replays the broadcast queue from the start, so it needs
    /// the old cluster keys to run the old contracts' commands.
    pub(crate) fn share_every_generation(
        &mut self,
        worker: &WorkerId,
        encryption_key: &[u8; 32],
    ) -> Result<(), String> {
        let generations: Vec<u32> = self.state.key_shares.keys().copied().collect();
        for generation in generations {
            if let Some(held) = self.current_share(generation)? {
                self.send_share(&held, generation, DEFAULT_CLUSTER, worker, encryption_key)?;
            }
        }
        Ok(())
    }

    /// This gatekeeper's share of `generation`, if it is the generation's current sharing:
    /// the chain takes shares of that one only, and a refused message is not free, so a share
    /// from a round since reshared without this gatekeeper stays here. Read once per sending
    /// round, not once per recipient.
    fn current_share(&mut self, generation: u32) -> Result<Option<(u64, Share)>, String> {
        let Some((round, share)) = self.held_share(generation) else {
            return Ok(None);
        };
        let current: Option<u64> = self
            .chain
            .read_typed(chain_keys::state_key::latest(generation), "current sharing")
            .map_err(|e| e.to_string())?;
        Ok((current == Some(round)).then_some((round, share)))
    }

    /// Sends `to` this gatekeeper's partial signature (from `held`, its [`Self::current_share`]
    /// of `generation`) towards the key of `cluster`, unless the chain already holds it.
    fn send_share(
        &mut self,
        (round, share): &(u64, Share),
        generation: u32,
        cluster: u32,
        to: &WorkerId,
        encryption_key: &[u8; 32],
    ) -> Result<(), String> {
        let round = *round;
        let key = KeyKind::Cluster {
            cluster,
            generation,
        };
        let chain = self.spec.genesis.chain_id.clone();
        let partial = phalanx_threshold::partial(share, &chain, cluster, generation);
        let share_bytes = zeroize::Zeroizing::new(share.encode().to_vec());
        let envelope = keys::seal_share(
            &share_bytes,
            &chain,
            to,
            encryption_key,
            &key,
            round,
            &partial.encode(),
        )?;
        let digest: Hash = Sha256::hash(&[&envelope.encode()]);
        let accepted: Option<Hash> = self
            .chain
            .read_typed(
                chain_keys::state_key::share(to, &key, round, &self.id()),
                "key share",
            )
            .map_err(|e| e.to_string())?;
        if accepted == Some(digest) {
            return Ok(());
        }
        if self.send_message(Payload::KeyShare {
            recipient: to.clone(),
            key,
            round,
            envelope,
        })? {
            info!(recipient = %to, %key, round, "sent a key share");
        }
        Ok(())
    }
}
