//! The light client: follows the finalized chain from headers and finality certificates only,
//! and checks state proofs against the state roots of headers it has verified.
//!
//! Trust comes from the chain spec (the validator set and the chain id, hence the consensus
//! namespace) and a starting block: the genesis block computed from the spec, or a checkpoint
//! the operator names by hash. From there, a batch of headers is accepted when
//!
//! 1. each header's height is one more than the previous one and its `parent` is the previous
//!    header's digest (so the batch extends what is already verified), and
//! 2. the batch's last header carries a finality certificate: a quorum of the validators'
//!    signatures over a proposal whose payload is that header's digest.
//!
//! Finalizing a block finalizes its ancestors, so one certificate per batch is enough: a relay
//! that changes any header breaks the hash chain to the certified one.
//!
//! Nothing here does I/O; the worker runtime fetches, this module decides.

use crate::{
    app::Scheme,
    block::{Digest, Header},
    engine::{genesis_block, namespace},
    spec::ChainSpec,
};
use commonware_codec::{Copying, Decode, DecodeExt, MaxEncodeSize};
use commonware_consensus::simplex::types::Finalization;
use commonware_cryptography::ed25519;
use commonware_parallel::Sequential;
use commonware_utils::ordered::Set;
use phalanx_state::StateProof;
use std::collections::VecDeque;
use thiserror::Error;

/// Most headers accepted in one batch.
pub const MAX_BATCH_HEADERS: usize = 2_000;
/// How many recent verified headers the client remembers, to check proofs read at a height a
/// little below its tip.
pub const RECENT_HEADERS: usize = 4_096;

/// A finality certificate as the validators produce it.
pub type FinalityCertificate = Finalization<Scheme, Digest>;

/// What the client knows about one verified block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Verified {
    pub height: u64,
    #[serde(with = "hex_digest")]
    pub digest: Digest,
    #[serde(with = "hex_digest")]
    pub state_root: Digest,
    pub timestamp_ms: u64,
}

impl Verified {
    fn of(header: &Header) -> Self {
        Self {
            height: header.height.get(),
            digest: header.digest(),
            state_root: header.state_root,
            timestamp_ms: header.timestamp_ms,
        }
    }
}

/// Why a header batch, a certificate or a proof was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum LightError {
    #[error("header {index} of the batch does not decode: {reason}")]
    HeaderMalformed { index: usize, reason: String },
    #[error("the batch is empty")]
    EmptyBatch,
    #[error("the batch holds {0} headers; the limit is {MAX_BATCH_HEADERS}")]
    BatchTooLarge(usize),
    #[error("header at height {got} does not follow height {expected_after}")]
    NotContiguous { expected_after: u64, got: u64 },
    #[error("header at height {height} does not name the verified block before it as parent")]
    ParentMismatch { height: u64 },
    #[error("finality certificate does not decode: {0}")]
    CertificateMalformed(String),
    #[error("finality certificate is for another block than header {height}")]
    CertificateForOtherBlock { height: u64 },
    #[error(
        "finality certificate for height {height} does not verify against the validator set \
         (forged, too few signers, or signed for another chain)"
    )]
    CertificateInvalid { height: u64 },
    #[error("checkpoint header has digest {got}, but the operator gave {expected}")]
    CheckpointMismatch { expected: String, got: String },
    #[error("no verified header at height {height} (verified {oldest}..={tip}); sync first")]
    UnknownHeight { height: u64, oldest: u64, tip: u64 },
    #[error(
        "the node says block {height} has state root {claimed}, but the verified header has {verified}"
    )]
    StateRootMismatch {
        height: u64,
        claimed: String,
        verified: String,
    },
    #[error("state proof refused: {0}")]
    Proof(#[from] phalanx_state::ProofError),
}

/// The light client's verifier and recent verified headers.
pub struct LightClient {
    verifier: Scheme,
    participants: usize,
    /// The last verified block.
    tip: Verified,
    /// Recently verified blocks, oldest first, ending with the tip.
    recent: VecDeque<Verified>,
}

impl LightClient {
    /// Starts at the genesis block of `spec`.
    pub fn from_genesis(spec: &ChainSpec) -> Result<Self, String> {
        let genesis = genesis_block(spec);
        Self::with_tip(spec, Verified::of(&genesis.header()))
    }

    /// Resumes from a tip verified earlier (read back from the worker's sealed store).
    pub fn resume(spec: &ChainSpec, tip: Verified) -> Result<Self, String> {
        Self::with_tip(spec, tip)
    }

    /// Starts at a checkpoint: a block the operator names by digest, whose header and
    /// finality certificate are fetched from any node and checked here.
    pub fn from_checkpoint(
        spec: &ChainSpec,
        expected: &Digest,
        header: &[u8],
        certificate: &[u8],
    ) -> Result<Self, LightError> {
        let header = decode_header(0, header)?;
        let digest = header.digest();
        if digest != *expected {
            return Err(LightError::CheckpointMismatch {
                expected: hex::encode(expected),
                got: hex::encode(digest),
            });
        }
        let client = Self::with_tip(spec, Verified::of(&header))
            .map_err(LightError::CertificateMalformed)?;
        client.check_certificate(&header, certificate)?;
        Ok(client)
    }

    fn with_tip(spec: &ChainSpec, tip: Verified) -> Result<Self, String> {
        let keys: Vec<ed25519::PublicKey> = spec
            .validators
            .iter()
            .map(|v| v.public_key.public_key().clone())
            .collect();
        let participants = keys.len();
        let set = Set::try_from(keys).map_err(|_| "validator keys must be distinct".to_string())?;
        Ok(Self {
            verifier: Scheme::verifier(&namespace(spec), set),
            participants,
            tip,
            recent: VecDeque::from([tip]),
        })
    }

    /// The last verified block.
    pub fn tip(&self) -> Verified {
        self.tip
    }

    /// Checks a batch of encoded headers that extends the tip, ending in a block whose
    /// finality certificate is `certificate`, and moves the tip to that block. On error the
    /// client is unchanged.
    pub fn advance(
        &mut self,
        headers: &[Vec<u8>],
        certificate: &[u8],
    ) -> Result<Verified, LightError> {
        if headers.is_empty() {
            return Err(LightError::EmptyBatch);
        }
        if headers.len() > MAX_BATCH_HEADERS {
            return Err(LightError::BatchTooLarge(headers.len()));
        }
        let mut previous = self.tip();
        let mut verified = Vec::with_capacity(headers.len());
        let mut last = None;
        for (index, bytes) in headers.iter().enumerate() {
            let header = decode_header(index, bytes)?;
            let height = header.height.get();
            if previous.height.checked_add(1) != Some(height) {
                return Err(LightError::NotContiguous {
                    expected_after: previous.height,
                    got: height,
                });
            }
            if header.parent != previous.digest {
                return Err(LightError::ParentMismatch { height });
            }
            previous = Verified::of(&header);
            verified.push(previous);
            last = Some(header);
        }
        let Some(last) = last else {
            return Err(LightError::EmptyBatch);
        };
        self.check_certificate(&last, certificate)?;
        for v in verified {
            if self.recent.len() == RECENT_HEADERS {
                self.recent.pop_front();
            }
            self.recent.push_back(v);
        }
        self.tip = previous;
        Ok(previous)
    }

    /// Checks that `certificate` finalizes `header`.
    fn check_certificate(&self, header: &Header, certificate: &[u8]) -> Result<(), LightError> {
        let height = header.height.get();
        if certificate.len() > FinalityCertificate::max_encode_size(self.participants as u32) {
            return Err(LightError::CertificateMalformed(format!(
                "{} bytes is more than a certificate of {} validators can take",
                certificate.len(),
                self.participants
            )));
        }
        let finalization =
            FinalityCertificate::decode_cfg(Copying(certificate), &self.participants)
                .map_err(|e| LightError::CertificateMalformed(e.to_string()))?;
        if finalization.proposal.payload != header.digest()
            || finalization.proposal.round != header.context.round
        {
            return Err(LightError::CertificateForOtherBlock { height });
        }
        if !finalization.verify(&mut rand::rng(), &self.verifier, &Sequential) {
            return Err(LightError::CertificateInvalid { height });
        }
        Ok(())
    }

    /// The verified header at `height`, if the client still remembers it.
    pub fn at(&self, height: u64) -> Result<Verified, LightError> {
        let oldest = self.recent.front().map(|v| v.height).unwrap_or(0);
        let tip = self.tip().height;
        if height < oldest || height > tip {
            return Err(LightError::UnknownHeight {
                height,
                oldest,
                tip,
            });
        }
        self.recent
            .get((height - oldest) as usize)
            .copied()
            .ok_or(LightError::UnknownHeight {
                height,
                oldest,
                tip,
            })
    }

    /// Checks a state read: under the state root of verified block `height` (which the node
    /// claims is `claimed_root`), `key` holds `value` (or nothing).
    pub fn verify_read(
        &self,
        height: u64,
        claimed_root: &Digest,
        key: &[u8; 32],
        value: Option<&[u8]>,
        proof: &[u8],
    ) -> Result<(), LightError> {
        let header = self.at(height)?;
        if header.state_root != *claimed_root {
            return Err(LightError::StateRootMismatch {
                height,
                claimed: hex::encode(claimed_root),
                verified: hex::encode(header.state_root),
            });
        }
        let proof = StateProof::decode(proof)?;
        proof.verify(&Digest::from(*key), value, &header.state_root)?;
        Ok(())
    }
}

fn decode_header(index: usize, bytes: &[u8]) -> Result<Header, LightError> {
    if bytes.len() > Header::MAX_ENCODE_SIZE {
        return Err(LightError::HeaderMalformed {
            index,
            reason: format!("{} bytes is larger than any header", bytes.len()),
        });
    }
    // `decode` also refuses trailing bytes.
    Header::decode(Copying(bytes)).map_err(|e| LightError::HeaderMalformed {
        index,
        reason: e.to_string(),
    })
}

mod hex_digest {
    use super::Digest;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Digest, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        let text = String::deserialize(d)?;
        let bytes: [u8; 32] = hex::decode(&text)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| serde::de::Error::custom("expected 32 hex bytes"))?;
        Ok(Digest::from(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        block::Block,
        spec::{ChainSpec, ValidatorSpec},
    };
    use commonware_codec::Encode;
    use commonware_consensus::{
        simplex::types::{Context, Finalize, Proposal},
        types::{Epoch, Height, Round, View},
    };
    use commonware_cryptography::{Digestible, Signer, ed25519::PrivateKey};
    use phalanx_runtime::GenesisConfig;
    use phalanx_types::ChainId;

    const VALIDATORS: u64 = 4;

    fn key(i: u64) -> PrivateKey {
        PrivateKey::from_seed(100 + i)
    }

    fn spec_named(chain: &str, keys: &[PrivateKey]) -> ChainSpec {
        ChainSpec {
            genesis: GenesisConfig::standard(ChainId::new(chain).unwrap(), 0, &[]).unwrap(),
            validators: keys
                .iter()
                .enumerate()
                .map(|(i, k)| ValidatorSpec {
                    public_key: k.public_key().into(),
                    p2p_address: format!("127.0.0.1:{}", 40_000 + i).parse().unwrap(),
                })
                .collect(),
            block_interval_ms: 100,
        }
    }

    fn keys() -> Vec<PrivateKey> {
        (0..VALIDATORS).map(key).collect()
    }

    /// `n` headers extending `parent`, one view per height.
    fn chain(parent: &Verified, n: u64) -> Vec<Header> {
        let mut out = Vec::new();
        let mut prev = *parent;
        for i in 1..=n {
            let height = prev.height + 1;
            let header = Header {
                context: Context {
                    round: Round::new(Epoch::zero(), View::new(height)),
                    leader: key(0).public_key(),
                    parent: (View::new(height - 1), prev.digest),
                },
                parent: prev.digest,
                height: Height::new(height),
                timestamp_ms: 1_000 * height,
                state_root: Digest::from([i as u8; 32]),
                ops_root: Digest::from([0; 32]),
                range: Block::empty_range(),
                body_root: Digest::from([7; 32]),
            };
            prev = Verified::of(&header);
            out.push(header);
        }
        out
    }

    /// A finality certificate for `header` signed by `signers` under `spec`'s namespace.
    fn certify(
        spec: &ChainSpec,
        all: &[PrivateKey],
        signers: &[usize],
        header: &Header,
    ) -> Vec<u8> {
        let set = Set::try_from(
            all.iter()
                .map(|k| k.public_key())
                .collect::<Vec<ed25519::PublicKey>>(),
        )
        .unwrap();
        let proposal = Proposal::new(
            header.context.round,
            header.context.parent.0,
            header.digest(),
        );
        let votes: Vec<Finalize<Scheme, Digest>> = signers
            .iter()
            .map(|&i| {
                let scheme = Scheme::signer(&namespace(spec), set.clone(), all[i].clone()).unwrap();
                Finalize::sign(&scheme, proposal.clone()).unwrap()
            })
            .collect();
        let scheme = Scheme::verifier(&namespace(spec), set);
        FinalityCertificate::from_finalizes(
            &scheme,
            commonware_utils::non_empty![@&votes],
            &Sequential,
        )
        .map(|f| f.encode().to_vec())
        .unwrap_or_default()
    }

    fn encoded(headers: &[Header]) -> Vec<Vec<u8>> {
        headers.iter().map(|h| h.encode().to_vec()).collect()
    }

    #[test]
    fn follows_a_certified_chain_and_refuses_forgeries() {
        let keys = keys();
        let spec = spec_named("phalanx-light-test", &keys);
        let mut client = LightClient::from_genesis(&spec).unwrap();
        let genesis = client.tip();
        assert_eq!(genesis.height, 0);
        assert_eq!(genesis.digest, genesis_block(&spec).digest());

        let headers = chain(&genesis, 10);
        let last = headers.last().unwrap();
        let good = certify(&spec, &keys, &[0, 1, 2], last);

        // Too few signers: a valid 3-of-4 certificate cut down to 2 signatures (a quorum of 4
        // is 3).
        let mut weak = FinalityCertificate::decode_cfg(Copying(&good), &4).unwrap();
        weak.certificate.signers = commonware_cryptography::certificate::Signers::new(
            4,
            [0, 1].map(commonware_utils::Participant::new),
        )
        .unwrap();
        weak.certificate.signatures.truncate(2);
        assert_eq!(
            client.advance(&encoded(&headers), &weak.encode()),
            Err(LightError::CertificateInvalid { height: 10 })
        );
        // Signed by other keys (a forged validator set).
        let forgers: Vec<PrivateKey> = (0..VALIDATORS)
            .map(|i| PrivateKey::from_seed(900 + i))
            .collect();
        let forged = certify(&spec, &forgers, &[0, 1, 2, 3], last);
        assert_eq!(
            client.advance(&encoded(&headers), &forged),
            Err(LightError::CertificateInvalid { height: 10 })
        );
        // Signed by the right validators for another chain.
        let other_chain = spec_named("phalanx-other-test", &keys);
        let replayed = certify(&other_chain, &keys, &[0, 1, 2, 3], last);
        assert_eq!(
            client.advance(&encoded(&headers), &replayed),
            Err(LightError::CertificateInvalid { height: 10 })
        );
        // A valid certificate for another header.
        let for_nine = certify(&spec, &keys, &[0, 1, 2], &headers[8]);
        assert_eq!(
            client.advance(&encoded(&headers), &for_nine),
            Err(LightError::CertificateForOtherBlock { height: 10 })
        );
        // A header changed in the middle of the batch breaks the hash chain.
        let mut tampered = headers.clone();
        tampered[4].state_root = Digest::from([0xee; 32]);
        assert_eq!(
            client.advance(&encoded(&tampered), &good),
            Err(LightError::ParentMismatch { height: 6 })
        );
        // A gap.
        let mut gapped = encoded(&headers);
        gapped.remove(3);
        assert!(matches!(
            client.advance(&gapped, &good),
            Err(LightError::NotContiguous { .. })
        ));
        // Garbage.
        assert!(matches!(
            client.advance(&[vec![1, 2, 3]], &good),
            Err(LightError::HeaderMalformed { index: 0, .. })
        ));
        assert!(matches!(
            client.advance(&encoded(&headers), &[0xff; 40]),
            Err(LightError::CertificateMalformed(_))
        ));
        assert_eq!(client.advance(&[], &good), Err(LightError::EmptyBatch));
        // None of that moved the client.
        assert_eq!(client.tip(), genesis);

        let tip = client.advance(&encoded(&headers), &good).unwrap();
        assert_eq!(tip, Verified::of(last));
        assert_eq!(client.at(5).unwrap(), Verified::of(&headers[4]));
        assert!(matches!(
            client.at(11),
            Err(LightError::UnknownHeight { .. })
        ));

        // The same batch again does not extend the new tip.
        assert!(matches!(
            client.advance(&encoded(&headers), &good),
            Err(LightError::NotContiguous { .. })
        ));

        // A checkpoint start: the operator names block 10 by digest.
        let cp =
            LightClient::from_checkpoint(&spec, &last.digest(), &last.encode(), &good).unwrap();
        assert_eq!(cp.tip(), tip);
        assert!(matches!(
            LightClient::from_checkpoint(&spec, &headers[0].digest(), &last.encode(), &good),
            Err(LightError::CheckpointMismatch { .. })
        ));
        assert_eq!(
            LightClient::from_checkpoint(&spec, &last.digest(), &last.encode(), &forged).err(),
            Some(LightError::CertificateInvalid { height: 10 })
        );
    }
}
