//! The message queue between the chain and TEE workers.
//!
//! * **Worker → chain**: a [`WorkerMessage`] signed by the worker's identity key under
//!   [`mq_namespace`] (which names the chain), with a per-sender sequence number. Anyone may
//!   relay it in an `MqCall::PushMessage` transaction: the signature, not the relayer, says who
//!   sent it, and the sequence number makes every message count once.
//! * **Chain → workers**: [`ChainMessage`]s the runtime appends to a broadcast queue (every
//!   worker reads it) or to one worker's inbox. They live in authenticated state, so a worker
//!   reads them with proofs and a relay can neither forge nor reorder them.
//!
//! Tags are part of the frozen encoding: never reuse or renumber one.

use crate::{AccountId, ChainId, MAX_COMMAND_EVENT_BYTES, MAX_COMMAND_EVENTS, Sealed, WorkerId};
use bytes::BufMut;
use commonware_codec::{
    Buf, Encode, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, ReadRangeExt, Write,
};
use commonware_cryptography::{Signer, Verifier, ed25519};
use serde::{Deserialize, Serialize};

/// Largest envelope ciphertext carried (a 32-byte key plus its 16-byte tag needs 48; the rest is
/// headroom for longer key material later).
pub const MAX_ENVELOPE_CIPHERTEXT: usize = 1024;

/// The signing domain for worker messages on `chain`.
pub fn mq_namespace(chain: &ChainId) -> Vec<u8> {
    chain.namespace(b"phalanx/mq/v1/")
}

/// Which key a delivery contributes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyKind {
    /// The key of a worker cluster in a master key generation. (Tag 0, whole master keys,
    /// is retired: the master key is threshold-shared and never delivered.)
    Cluster { cluster: u32, generation: u32 },
}

impl KeyKind {
    const TAG_CLUSTER: u8 = 1;

    /// The master key generation this key belongs to.
    pub fn generation(&self) -> u32 {
        match self {
            KeyKind::Cluster { generation, .. } => *generation,
        }
    }
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyKind::Cluster {
                cluster,
                generation,
            } => write!(f, "cluster/{cluster}/{generation}"),
        }
    }
}

impl Write for KeyKind {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            KeyKind::Cluster {
                cluster,
                generation,
            } => {
                Self::TAG_CLUSTER.write(buf);
                cluster.write(buf);
                generation.write(buf);
            }
        }
    }
}

impl EncodeSize for KeyKind {
    fn encode_size(&self) -> usize {
        1 + 4 + 4
    }
}

impl Read for KeyKind {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_CLUSTER => Ok(KeyKind::Cluster {
                cluster: u32::read(buf)?,
                generation: u32::read(buf)?,
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}

/// Key material encrypted to one worker's x25519 key with RFC 9180 HPKE: the sender's
/// ephemeral public key (`enc`) and the AEAD ciphertext (see `phalanx_crypto::envelope`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    #[serde(with = "crate::hex_serde::bytes32")]
    pub ephemeral: [u8; 32],
    #[serde(with = "crate::hex_serde::bytes")]
    pub ciphertext: Vec<u8>,
}

impl Write for Envelope {
    fn write(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.ephemeral);
        self.ciphertext.write(buf);
    }
}

impl EncodeSize for Envelope {
    fn encode_size(&self) -> usize {
        32 + self.ciphertext.encode_size()
    }
}

impl Read for Envelope {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            ephemeral: <[u8; 32]>::read(buf)?,
            ciphertext: Vec::<u8>::read_range(buf, ..=MAX_ENVELOPE_CIPHERTEXT)?,
        })
    }
}

/// Largest DKG commitment or dealer log carried in a message (64 participants need about
/// 8 KiB; the rest is headroom).
pub const MAX_DKG_MESSAGE: usize = 32 * 1024;

/// Most shares in one dealing: one per player, at most the registry's gatekeeper limit.
pub const MAX_DKG_SHARES: usize = 64;

/// Largest player acknowledgement (an ed25519 signature is 64 bytes).
pub const MAX_DKG_ACK: usize = 128;

/// What a worker tells the chain: the message topics. Tags 0 (whole master key announcements)
/// and 1 (whole key deliveries) are retired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "topic", rename_all = "snake_case")]
pub enum Payload {
    /// The worker is alive and has verified the chain up to `tip_height`.
    Heartbeat { tip_height: u64 },
    /// A gatekeeper's partial signature towards `key`, made with its share from DKG round
    /// `round` and encrypted to `recipient`'s attested key. The recipient recovers the key
    /// from a quorum of them.
    KeyShare {
        recipient: WorkerId,
        key: KeyKind,
        round: u64,
        envelope: Envelope,
    },
    /// A dealer's contribution to DKG round `round`: its public commitment and one share per
    /// player, in the round's player order, each encrypted to that player.
    DkgDeal {
        round: u64,
        #[serde(with = "crate::hex_serde::bytes")]
        commitment: Vec<u8>,
        shares: Vec<Envelope>,
    },
    /// A player acknowledges that `dealer`'s share matches its commitment.
    DkgAck {
        round: u64,
        dealer: WorkerId,
        #[serde(with = "crate::hex_serde::bytes")]
        ack: Vec<u8>,
    },
    /// A dealer's signed log of the acknowledgements it received.
    DkgLog {
        round: u64,
        #[serde(with = "crate::hex_serde::bytes")]
        log: Vec<u8>,
    },
    /// The worker's benchmark counter: iterations of the fixed CPU benchmark it has run inside
    /// the TEE since it started. The chain measures the rate between two reports against its
    /// own clock (block time), so a worker cannot claim a speed by lying about time.
    BenchmarkReport { iterations: u64 },
    /// A gatekeeper's partial signature towards the beacon seed of `round`
    /// (`phalanx_threshold::beacon_partial`, encoded).
    BeaconShare {
        round: u64,
        #[serde(with = "crate::hex_serde::bytes")]
        partial: Vec<u8>,
    },
    /// A mining worker answers the heartbeat challenge of beacon round `round`, reporting its
    /// benchmark counter (the chain derives the instant P from it).
    MiningHeartbeat { round: u64, iterations: u64 },
    /// A worker of the contract's cluster publishes the public keys it derived for
    /// `contract` from the cluster key: the HPKE key commands are encrypted to and the
    /// ed25519 key the contract signs with. The first is recorded; every other worker of the
    /// cluster must derive the same ones.
    ContractKey {
        #[serde(with = "crate::hex_serde::bytes32")]
        contract: [u8; 32],
        #[serde(with = "crate::hex_serde::bytes32")]
        encryption_key: [u8; 32],
        #[serde(with = "crate::hex_serde::bytes32")]
        signing_key: [u8; 32],
    },
    /// A worker of the contract's cluster executed command `seq`: whether it succeeded, the
    /// fuel it burned, the hash of the contract's encrypted state after it, the output sealed
    /// to the caller's reply key, and the public events. Every worker must report the same.
    CommandResult {
        #[serde(with = "crate::hex_serde::bytes32")]
        contract: [u8; 32],
        seq: u64,
        succeeded: bool,
        fuel_used: u64,
        #[serde(with = "crate::hex_serde::bytes32")]
        state_hash: [u8; 32],
        output: Sealed,
        #[serde(with = "crate::hex_serde::vec_bytes")]
        events: Vec<Vec<u8>>,
    },
}

/// Largest encoded beacon partial accepted (a BLS12-381 G2 partial signature and its index
/// take about 100 bytes).
pub const MAX_BEACON_PARTIAL: usize = 128;

impl Payload {
    const TAG_HEARTBEAT: u8 = 2;
    const TAG_KEY_SHARE: u8 = 3;
    const TAG_DKG_DEAL: u8 = 4;
    const TAG_DKG_ACK: u8 = 5;
    const TAG_DKG_LOG: u8 = 6;
    const TAG_BENCHMARK_REPORT: u8 = 7;
    const TAG_BEACON_SHARE: u8 = 8;
    const TAG_MINING_HEARTBEAT: u8 = 9;
    const TAG_CONTRACT_KEY: u8 = 10;
    const TAG_COMMAND_RESULT: u8 = 11;

    /// The topic's name, for events and logs.
    pub fn topic(&self) -> &'static str {
        match self {
            Payload::Heartbeat { .. } => "heartbeat",
            Payload::KeyShare { .. } => "key_share",
            Payload::DkgDeal { .. } => "dkg_deal",
            Payload::DkgAck { .. } => "dkg_ack",
            Payload::DkgLog { .. } => "dkg_log",
            Payload::BenchmarkReport { .. } => "benchmark_report",
            Payload::BeaconShare { .. } => "beacon_share",
            Payload::MiningHeartbeat { .. } => "mining_heartbeat",
            Payload::ContractKey { .. } => "contract_key",
            Payload::CommandResult { .. } => "command_result",
        }
    }
}

impl Write for Payload {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            Payload::Heartbeat { tip_height } => {
                Self::TAG_HEARTBEAT.write(buf);
                tip_height.write(buf);
            }
            Payload::KeyShare {
                recipient,
                key,
                round,
                envelope,
            } => {
                Self::TAG_KEY_SHARE.write(buf);
                recipient.write(buf);
                key.write(buf);
                round.write(buf);
                envelope.write(buf);
            }
            Payload::DkgDeal {
                round,
                commitment,
                shares,
            } => {
                Self::TAG_DKG_DEAL.write(buf);
                round.write(buf);
                commitment.write(buf);
                shares.write(buf);
            }
            Payload::DkgAck { round, dealer, ack } => {
                Self::TAG_DKG_ACK.write(buf);
                round.write(buf);
                dealer.write(buf);
                ack.write(buf);
            }
            Payload::DkgLog { round, log } => {
                Self::TAG_DKG_LOG.write(buf);
                round.write(buf);
                log.write(buf);
            }
            Payload::BenchmarkReport { iterations } => {
                Self::TAG_BENCHMARK_REPORT.write(buf);
                iterations.write(buf);
            }
            Payload::BeaconShare { round, partial } => {
                Self::TAG_BEACON_SHARE.write(buf);
                round.write(buf);
                partial.write(buf);
            }
            Payload::MiningHeartbeat { round, iterations } => {
                Self::TAG_MINING_HEARTBEAT.write(buf);
                round.write(buf);
                iterations.write(buf);
            }
            Payload::ContractKey {
                contract,
                encryption_key,
                signing_key,
            } => {
                Self::TAG_CONTRACT_KEY.write(buf);
                buf.put_slice(contract);
                buf.put_slice(encryption_key);
                buf.put_slice(signing_key);
            }
            Payload::CommandResult {
                contract,
                seq,
                succeeded,
                fuel_used,
                state_hash,
                output,
                events,
            } => {
                Self::TAG_COMMAND_RESULT.write(buf);
                buf.put_slice(contract);
                seq.write(buf);
                succeeded.write(buf);
                fuel_used.write(buf);
                buf.put_slice(state_hash);
                output.write(buf);
                events.write(buf);
            }
        }
    }
}

impl EncodeSize for Payload {
    fn encode_size(&self) -> usize {
        1 + match self {
            Payload::Heartbeat { .. } => 8,
            Payload::KeyShare { key, envelope, .. } => {
                WorkerId::SIZE + key.encode_size() + 8 + envelope.encode_size()
            }
            Payload::DkgDeal {
                commitment, shares, ..
            } => 8 + commitment.encode_size() + shares.encode_size(),
            Payload::DkgAck { ack, .. } => 8 + WorkerId::SIZE + ack.encode_size(),
            Payload::DkgLog { log, .. } => 8 + log.encode_size(),
            Payload::BenchmarkReport { .. } => 8,
            Payload::BeaconShare { partial, .. } => 8 + partial.encode_size(),
            Payload::MiningHeartbeat { .. } => 16,
            Payload::ContractKey { .. } => 3 * 32,
            Payload::CommandResult { output, events, .. } => {
                32 + 8 + 1 + 8 + 32 + output.encode_size() + events.encode_size()
            }
        }
    }
}

impl Read for Payload {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_HEARTBEAT => Ok(Payload::Heartbeat {
                tip_height: u64::read(buf)?,
            }),
            Self::TAG_KEY_SHARE => Ok(Payload::KeyShare {
                recipient: WorkerId::read(buf)?,
                key: KeyKind::read(buf)?,
                round: u64::read(buf)?,
                envelope: Envelope::read(buf)?,
            }),
            Self::TAG_DKG_DEAL => Ok(Payload::DkgDeal {
                round: u64::read(buf)?,
                commitment: Vec::<u8>::read_range(buf, ..=MAX_DKG_MESSAGE)?,
                shares: Vec::<Envelope>::read_cfg(buf, &((..=MAX_DKG_SHARES).into(), ()))?,
            }),
            Self::TAG_DKG_ACK => Ok(Payload::DkgAck {
                round: u64::read(buf)?,
                dealer: WorkerId::read(buf)?,
                ack: Vec::<u8>::read_range(buf, ..=MAX_DKG_ACK)?,
            }),
            Self::TAG_DKG_LOG => Ok(Payload::DkgLog {
                round: u64::read(buf)?,
                log: Vec::<u8>::read_range(buf, ..=MAX_DKG_MESSAGE)?,
            }),
            Self::TAG_BENCHMARK_REPORT => Ok(Payload::BenchmarkReport {
                iterations: u64::read(buf)?,
            }),
            Self::TAG_BEACON_SHARE => Ok(Payload::BeaconShare {
                round: u64::read(buf)?,
                partial: Vec::<u8>::read_range(buf, ..=MAX_BEACON_PARTIAL)?,
            }),
            Self::TAG_MINING_HEARTBEAT => Ok(Payload::MiningHeartbeat {
                round: u64::read(buf)?,
                iterations: u64::read(buf)?,
            }),
            Self::TAG_CONTRACT_KEY => Ok(Payload::ContractKey {
                contract: <[u8; 32]>::read(buf)?,
                encryption_key: <[u8; 32]>::read(buf)?,
                signing_key: <[u8; 32]>::read(buf)?,
            }),
            Self::TAG_COMMAND_RESULT => Ok(Payload::CommandResult {
                contract: <[u8; 32]>::read(buf)?,
                seq: u64::read(buf)?,
                succeeded: bool::read(buf)?,
                fuel_used: u64::read(buf)?,
                state_hash: <[u8; 32]>::read(buf)?,
                output: Sealed::read(buf)?,
                events: Vec::<Vec<u8>>::read_cfg(
                    buf,
                    &(
                        (..=MAX_COMMAND_EVENTS).into(),
                        ((..=MAX_COMMAND_EVENT_BYTES).into(), ()),
                    ),
                )?,
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}

/// A worker's message: who sends it, its place in the sender's sequence, and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerMessage {
    pub sender: WorkerId,
    /// Must equal the chain's next sequence number for `sender`: one less is a replay, one
    /// more a gap, and both are refused.
    pub seq: u64,
    pub payload: Payload,
}

impl WorkerMessage {
    /// Signs the message with the sender's identity key for `chain`.
    pub fn sign(self, key: &ed25519::PrivateKey, chain: &ChainId) -> SignedMessage {
        let signature = key.sign(&mq_namespace(chain), &self.encode());
        SignedMessage {
            message: self,
            signature,
        }
    }
}

impl Write for WorkerMessage {
    fn write(&self, buf: &mut impl BufMut) {
        self.sender.write(buf);
        self.seq.write(buf);
        self.payload.write(buf);
    }
}

impl EncodeSize for WorkerMessage {
    fn encode_size(&self) -> usize {
        WorkerId::SIZE + 8 + self.payload.encode_size()
    }
}

impl Read for WorkerMessage {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            sender: WorkerId::read(buf)?,
            seq: u64::read(buf)?,
            payload: Payload::read(buf)?,
        })
    }
}

/// A worker message with the sender's signature, as relayed in a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedMessage {
    pub message: WorkerMessage,
    pub signature: ed25519::Signature,
}

impl SignedMessage {
    /// Checks the signature against the sender under `chain`'s message namespace.
    pub fn verify(&self, chain: &ChainId) -> bool {
        self.message.sender.public_key().verify(
            &mq_namespace(chain),
            &self.message.encode(),
            &self.signature,
        )
    }
}

impl Write for SignedMessage {
    fn write(&self, buf: &mut impl BufMut) {
        self.message.write(buf);
        self.signature.write(buf);
    }
}

impl EncodeSize for SignedMessage {
    fn encode_size(&self) -> usize {
        self.message.encode_size() + ed25519::Signature::SIZE
    }
}

impl Read for SignedMessage {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            message: WorkerMessage::read(buf)?,
            signature: ed25519::Signature::read(buf)?,
        })
    }
}

/// What the chain tells workers. Broadcast messages go to every worker; `KeyShareDelivered`
/// goes to one worker's inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "message", rename_all = "snake_case")]
pub enum ChainMessage {
    /// A worker registered for the first time (gatekeepers send it its cluster key).
    WorkerRegistered {
        worker: WorkerId,
        #[serde(serialize_with = "crate::hex_serde::bytes32::serialize")]
        encryption_key: [u8; 32],
    },
    /// A worker became a gatekeeper (the chain starts a DKG round, or a reshare, that includes
    /// it).
    GatekeeperPromoted {
        worker: WorkerId,
        #[serde(serialize_with = "crate::hex_serde::bytes32::serialize")]
        encryption_key: [u8; 32],
    },
    /// The privileged rotation call started a DKG round for master key `generation`.
    MasterKeyRotation { generation: u32 },
    /// A gatekeeper's partial signature towards `key` (its share from DKG round `round`),
    /// for this inbox's worker. (Tag 3, whole key deliveries, is retired.)
    KeyShareDelivered {
        sender: WorkerId,
        key: KeyKind,
        round: u64,
        envelope: Envelope,
    },
    /// A contract was created on `cluster`: its workers derive its keys from the cluster key
    /// of master key `generation` and publish the public ones (`Payload::ContractKey`).
    ContractInstantiated {
        #[serde(serialize_with = "crate::hex_serde::bytes32::serialize")]
        contract: [u8; 32],
        #[serde(serialize_with = "crate::hex_serde::bytes32::serialize")]
        code_hash: [u8; 32],
        cluster: u32,
        generation: u32,
    },
    /// Command `seq` of `contract`, from `sender`, in the block at `height` and `time_ms`
    /// (what the contract sees as its block): every worker of the cluster executes the
    /// contract's commands in `seq` order.
    ContractCommand {
        #[serde(serialize_with = "crate::hex_serde::bytes32::serialize")]
        contract: [u8; 32],
        seq: u64,
        sender: AccountId,
        height: u64,
        time_ms: u64,
        gas_limit: u64,
        sealed: Sealed,
    },
    /// Cluster `cluster` was created: the gatekeepers send each of its members (the chain's
    /// record lists them) a partial signature towards its key of the newest generation.
    ClusterCreated { cluster: u32 },
}

impl ChainMessage {
    const TAG_WORKER_REGISTERED: u8 = 0;
    const TAG_GATEKEEPER_PROMOTED: u8 = 1;
    const TAG_MASTER_KEY_ROTATION: u8 = 2;
    const TAG_KEY_SHARE_DELIVERED: u8 = 4;
    const TAG_CONTRACT_INSTANTIATED: u8 = 5;
    const TAG_CONTRACT_COMMAND: u8 = 6;
    const TAG_CLUSTER_CREATED: u8 = 7;
}

impl Write for ChainMessage {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            ChainMessage::WorkerRegistered {
                worker,
                encryption_key,
            } => {
                Self::TAG_WORKER_REGISTERED.write(buf);
                worker.write(buf);
                buf.put_slice(encryption_key);
            }
            ChainMessage::GatekeeperPromoted {
                worker,
                encryption_key,
            } => {
                Self::TAG_GATEKEEPER_PROMOTED.write(buf);
                worker.write(buf);
                buf.put_slice(encryption_key);
            }
            ChainMessage::MasterKeyRotation { generation } => {
                Self::TAG_MASTER_KEY_ROTATION.write(buf);
                generation.write(buf);
            }
            ChainMessage::KeyShareDelivered {
                sender,
                key,
                round,
                envelope,
            } => {
                Self::TAG_KEY_SHARE_DELIVERED.write(buf);
                sender.write(buf);
                key.write(buf);
                round.write(buf);
                envelope.write(buf);
            }
            ChainMessage::ContractInstantiated {
                contract,
                code_hash,
                cluster,
                generation,
            } => {
                Self::TAG_CONTRACT_INSTANTIATED.write(buf);
                buf.put_slice(contract);
                buf.put_slice(code_hash);
                cluster.write(buf);
                generation.write(buf);
            }
            ChainMessage::ContractCommand {
                contract,
                seq,
                sender,
                height,
                time_ms,
                gas_limit,
                sealed,
            } => {
                Self::TAG_CONTRACT_COMMAND.write(buf);
                buf.put_slice(contract);
                seq.write(buf);
                sender.write(buf);
                height.write(buf);
                time_ms.write(buf);
                gas_limit.write(buf);
                sealed.write(buf);
            }
            ChainMessage::ClusterCreated { cluster } => {
                Self::TAG_CLUSTER_CREATED.write(buf);
                cluster.write(buf);
            }
        }
    }
}

impl EncodeSize for ChainMessage {
    fn encode_size(&self) -> usize {
        1 + match self {
            ChainMessage::WorkerRegistered { .. } | ChainMessage::GatekeeperPromoted { .. } => {
                WorkerId::SIZE + 32
            }
            ChainMessage::MasterKeyRotation { .. } | ChainMessage::ClusterCreated { .. } => 4,
            ChainMessage::KeyShareDelivered { key, envelope, .. } => {
                WorkerId::SIZE + key.encode_size() + 8 + envelope.encode_size()
            }
            ChainMessage::ContractInstantiated { .. } => 32 + 32 + 4 + 4,
            ChainMessage::ContractCommand { sender, sealed, .. } => {
                32 + 8 + sender.encode_size() + 8 + 8 + 8 + sealed.encode_size()
            }
        }
    }
}

impl Read for ChainMessage {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_WORKER_REGISTERED => Ok(ChainMessage::WorkerRegistered {
                worker: WorkerId::read(buf)?,
                encryption_key: <[u8; 32]>::read(buf)?,
            }),
            Self::TAG_GATEKEEPER_PROMOTED => Ok(ChainMessage::GatekeeperPromoted {
                worker: WorkerId::read(buf)?,
                encryption_key: <[u8; 32]>::read(buf)?,
            }),
            Self::TAG_MASTER_KEY_ROTATION => Ok(ChainMessage::MasterKeyRotation {
                generation: u32::read(buf)?,
            }),
            Self::TAG_KEY_SHARE_DELIVERED => Ok(ChainMessage::KeyShareDelivered {
                sender: WorkerId::read(buf)?,
                key: KeyKind::read(buf)?,
                round: u64::read(buf)?,
                envelope: Envelope::read(buf)?,
            }),
            Self::TAG_CONTRACT_INSTANTIATED => Ok(ChainMessage::ContractInstantiated {
                contract: <[u8; 32]>::read(buf)?,
                code_hash: <[u8; 32]>::read(buf)?,
                cluster: u32::read(buf)?,
                generation: u32::read(buf)?,
            }),
            Self::TAG_CONTRACT_COMMAND => Ok(ChainMessage::ContractCommand {
                contract: <[u8; 32]>::read(buf)?,
                seq: u64::read(buf)?,
                sender: AccountId::read(buf)?,
                height: u64::read(buf)?,
                time_ms: u64::read(buf)?,
                gas_limit: u64::read(buf)?,
                sealed: Sealed::read(buf)?,
            }),
            Self::TAG_CLUSTER_CREATED => Ok(ChainMessage::ClusterCreated {
                cluster: u32::read(buf)?,
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::DecodeExt;

    fn key(seed: u64) -> ed25519::PrivateKey {
        ed25519::PrivateKey::from_seed(seed)
    }

    fn message(seq: u64) -> (ed25519::PrivateKey, WorkerMessage) {
        let k = key(1);
        let m = WorkerMessage {
            sender: k.public_key().into(),
            seq,
            payload: Payload::KeyShare {
                recipient: key(2).public_key().into(),
                key: KeyKind::Cluster {
                    cluster: 0,
                    generation: 2,
                },
                round: 5,
                envelope: Envelope {
                    ephemeral: [7; 32],
                    ciphertext: vec![1; 48],
                },
            },
        };
        (k, m)
    }

    #[test]
    fn signed_message_round_trips_and_binds_chain() {
        let chain = ChainId::new("phalanx-dev").unwrap();
        let other = ChainId::new("phalanx-test").unwrap();
        let (k, m) = message(3);
        let signed = m.sign(&k, &chain);
        assert!(signed.verify(&chain));
        assert!(!signed.verify(&other));
        let bytes = signed.encode();
        assert_eq!(bytes.len(), signed.encode_size());
        let back = SignedMessage::decode(bytes).unwrap();
        assert_eq!(back, signed);
        // Any change to the message breaks the signature.
        let mut changed = back.clone();
        changed.message.seq = 4;
        assert!(!changed.verify(&chain));
    }

    #[test]
    fn chain_messages_round_trip() {
        let (_, m) = message(0);
        let Payload::KeyShare { key, envelope, .. } = m.payload else {
            unreachable!()
        };
        for msg in [
            ChainMessage::WorkerRegistered {
                worker: m.sender.clone(),
                encryption_key: [1; 32],
            },
            ChainMessage::GatekeeperPromoted {
                worker: m.sender.clone(),
                encryption_key: [2; 32],
            },
            ChainMessage::MasterKeyRotation { generation: 9 },
            ChainMessage::KeyShareDelivered {
                sender: m.sender.clone(),
                key,
                round: 5,
                envelope,
            },
        ] {
            let bytes = msg.encode();
            assert_eq!(bytes.len(), msg.encode_size());
            assert_eq!(ChainMessage::decode(bytes).unwrap(), msg);
        }
    }

    #[test]
    fn oversized_envelope_is_refused() {
        let e = Envelope {
            ephemeral: [0; 32],
            ciphertext: vec![0; MAX_ENVELOPE_CIPHERTEXT + 1],
        };
        assert!(Envelope::decode(e.encode()).is_err());
        assert!(Payload::decode(commonware_codec::Copying([9u8].as_slice())).is_err());
    }
}
