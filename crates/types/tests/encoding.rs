#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! Conformance: freezes the wire encoding of transactions. If one of these fails, you changed
//! consensus-critical bytes; that is a hard fork, not a refactor.

use commonware_cryptography::{Signer as _, ed25519};
use phalanx_types::codec::Error as CodecError;
use phalanx_types::codec::{DecodeExt, Encode};
use phalanx_types::{
    AccountId, BalancesCall, Call, ChainId, KeysCall, MAX_TX_SIZE, MqCall, RegistryCall, SignedTx,
    TxBody, UNITS_PER_PHA,
};

fn sample() -> SignedTx {
    let alice = ed25519::PrivateKey::from_seed(1);
    let bob = AccountId::from(ed25519::PrivateKey::from_seed(2).public_key());
    TxBody {
        chain_id: ChainId::new("phalanx-dev").unwrap(),
        signer: alice.public_key().into(),
        nonce: 7,
        fee: 1_000,
        call: BalancesCall::Transfer {
            to: bob,
            amount: 5 * UNITS_PER_PHA,
        }
        .into(),
    }
    .sign(&alice)
}

/// `call` signed by a fixed account at nonce 0 on `phalanx-dev`.
fn signed(call: Call) -> SignedTx {
    let alice = ed25519::PrivateKey::from_seed(1);
    TxBody {
        chain_id: ChainId::new("phalanx-dev").unwrap(),
        signer: alice.public_key().into(),
        nonce: 0,
        fee: 1,
        call,
    }
    .sign(&alice)
}

#[test]
fn transfer_encoding_is_frozen() {
    let tx = sample();
    let bytes = tx.encode();
    // chain id (1 + 11) + signer 32 + nonce 8 + fee 16
    // + call (component 1 + call 1 + 32 + 16) + signature 64
    assert_eq!(bytes.len(), 12 + 32 + 8 + 16 + 50 + 64);
    // The call: component tag 0 (balances), call tag 0 (transfer).
    assert_eq!(hex::encode(&bytes[68..70]), "0000", "call tags");
    assert_eq!(
        hex::encode(&bytes[..12]),
        "0b7068616c616e782d646576",
        "chain id prefix"
    );
    assert_eq!(
        hex::encode(tx.hash()),
        "1a9b0fe00abc303ebdd464aa389c8d8ee8381a551f9f43b30d8f6ac26a6bc5ea",
        "transaction hash (signature is deterministic ed25519; frozen anew when calls moved \
         under one tag per runtime component)"
    );
}

#[test]
fn round_trip_and_signature() {
    let tx = sample();
    let decoded = SignedTx::decode(tx.encode()).unwrap();
    assert_eq!(decoded, tx);
    assert!(decoded.verify_signature());
}

#[test]
fn signature_is_bound_to_the_chain() {
    let mut tx = sample();
    tx.body.chain_id = ChainId::new("phalanx-other").unwrap();
    assert!(!tx.verify_signature());
}

#[test]
fn tampered_fields_break_the_signature() {
    let mut tx = sample();
    tx.body.nonce += 1;
    assert!(!tx.verify_signature());
}

#[test]
fn untrusted_decoding_refuses_garbage() {
    let tx = sample().encode();
    // truncated
    assert!(SignedTx::decode_untrusted(&tx[..tx.len() - 1]).is_err());
    // trailing bytes
    let mut long = tx.to_vec();
    long.push(0);
    assert!(matches!(
        SignedTx::decode_untrusted(&long),
        Err(CodecError::ExtraData(1))
    ));
    // unknown call tag
    let mut bad_tag = tx.to_vec();
    bad_tag[12 + 32 + 8 + 16] = 0xff;
    assert!(matches!(
        SignedTx::decode_untrusted(&bad_tag),
        Err(CodecError::InvalidEnum(0xff))
    ));
    // oversized
    assert!(SignedTx::decode_untrusted(&vec![0u8; MAX_TX_SIZE + 1]).is_err());
    // empty
    assert!(SignedTx::decode_untrusted(&[]).is_err());
}

mod registry_calls {
    use super::*;
    use phalanx_types::{
        AttestationPolicy, Evidence, EvidenceKind, MAX_ALLOWED_MEASUREMENTS, WorkerInfo,
    };

    fn info() -> WorkerInfo {
        WorkerInfo {
            identity: ed25519::PrivateKey::from_seed(3).public_key().into(),
            encryption_key: [5u8; 32],
        }
    }

    #[test]
    fn registry_calls_round_trip() {
        let calls = [
            RegistryCall::RegisterWorker {
                info: info(),
                evidence: Evidence {
                    kind: EvidenceKind::SimulatedDcap,
                    quote: vec![1, 2, 3],
                    collateral: b"{}".to_vec(),
                },
            },
            RegistryCall::SetAttestationPolicy {
                policy: AttestationPolicy {
                    allowed_measurements: vec!["ab".repeat(32), "cd".repeat(48)],
                    ..AttestationPolicy::default()
                },
            },
            RegistryCall::PromoteGatekeeper {
                worker: info().identity,
            },
        ];
        for (tag, call) in calls.into_iter().enumerate() {
            let tx = signed(call.into());
            // Component tag 1 (registry), then the call's own tag.
            let bytes = tx.encode();
            assert_eq!(bytes[68..70], [1, tag as u8]);
            assert_eq!(SignedTx::decode(tx.encode()).unwrap(), tx);
        }
        let rotate = signed(Call::Keys(KeysCall::RotateMasterKey));
        assert_eq!(rotate.encode()[68..70], [3, 0], "keys, rotate_master_key");
        assert_eq!(SignedTx::decode(rotate.encode()).unwrap(), rotate);
    }

    #[test]
    fn registration_binding_is_frozen() {
        // The report data a TEE must produce: changing it breaks every deployed worker.
        let genesis = [7u8; 32].into();
        let operator: AccountId = ed25519::PrivateKey::from_seed(1).public_key().into();
        let data = info().report_data(&genesis, &operator);
        assert_eq!(data[32..], [0u8; 32]);
        assert_eq!(
            hex::encode(&data[..32]),
            "adede2f21d48170ee01b6e6bc6dc8ebb22657129b781eaea361daab30ca3778d",
            "registration binding"
        );
        let other_chain = info().report_data(&[8u8; 32].into(), &operator);
        assert_ne!(data, other_chain);
    }

    #[test]
    fn oversized_policies_and_unknown_evidence_kinds_are_refused() {
        let policy = AttestationPolicy {
            allowed_measurements: vec!["ab".repeat(32); MAX_ALLOWED_MEASUREMENTS + 1],
            ..AttestationPolicy::default()
        };
        assert!(policy.validate().is_err());
        let tx = signed(RegistryCall::SetAttestationPolicy { policy }.into());
        assert!(SignedTx::decode(tx.encode()).is_err());
        let mut bytes = signed(
            RegistryCall::RegisterWorker {
                info: info(),
                evidence: Evidence {
                    kind: EvidenceKind::Dcap,
                    quote: vec![],
                    collateral: vec![],
                },
            }
            .into(),
        )
        .encode()
        .to_vec();
        // The evidence kind byte follows chain id, signer, nonce, fee, call tags and worker info.
        let kind_at = 12 + 32 + 8 + 16 + 2 + 64;
        assert_eq!(bytes[kind_at], 0);
        bytes[kind_at] = 9;
        assert!(matches!(
            SignedTx::decode_untrusted(&bytes),
            Err(CodecError::InvalidEnum(9))
        ));
    }
}

mod worker_messages {
    use super::*;
    use commonware_cryptography::{Hasher, Sha256};
    use phalanx_types::{ChainMessage, Envelope, KeyKind, Payload, SignedMessage, WorkerMessage};

    fn sample() -> SignedMessage {
        let worker = ed25519::PrivateKey::from_seed(3);
        WorkerMessage {
            sender: worker.public_key().into(),
            seq: 9,
            payload: Payload::KeyShare {
                recipient: ed25519::PrivateKey::from_seed(4).public_key().into(),
                key: KeyKind::Cluster {
                    cluster: 0,
                    generation: 1,
                },
                round: 5,
                envelope: Envelope {
                    ephemeral: [6u8; 32],
                    ciphertext: vec![7u8; 48],
                },
            },
        }
        .sign(&worker, &ChainId::new("phalanx-dev").unwrap())
    }

    #[test]
    fn worker_message_encoding_is_frozen() {
        // Deployed workers sign these bytes: changing them strands every worker.
        let signed = sample();
        let bytes = signed.encode();
        // sender 32 + seq 8 + topic 1 + recipient 32 + key 9 + round 8 + ephemeral 32
        // + (1 + 48) + sig 64. (Frozen anew when the threshold master key retired topic 1.)
        assert_eq!(bytes.len(), 32 + 8 + 1 + 32 + 9 + 8 + 32 + 49 + 64);
        assert_eq!(
            hex::encode(Sha256::hash(&[&bytes])),
            "4f1496803d5a6cd59aee0e6b9dec6763d3b905306886f2acbe22634428a87c8e",
            "signed worker message"
        );
        let tx = signed_push(signed.clone());
        assert_eq!(SignedTx::decode(tx.encode()).unwrap(), tx);
    }

    fn signed_push(message: SignedMessage) -> SignedTx {
        signed(
            MqCall::PushMessage {
                message: Box::new(message),
            }
            .into(),
        )
    }

    #[test]
    fn chain_message_encoding_is_frozen() {
        let m = ChainMessage::MasterKeyRotation { generation: 2 };
        assert_eq!(hex::encode(m.encode()), "0200000002");
        let r = Call::Keys(KeysCall::RotateMasterKey);
        let tx = signed_push(sample());
        assert_eq!(tx.body.call.name(), "mq.push_message");
        assert_eq!(r.name(), "keys.rotate_master_key");
    }
}

mod computation_calls {
    use super::*;
    use phalanx_types::{ComputationCall, Payload};

    /// Component tag 4 (computation), then the call's own tag, the worker and (start) the
    /// stake, big-endian.
    #[test]
    fn computation_call_encoding_is_frozen() {
        let worker: AccountId = ed25519::PrivateKey::from_seed(3).public_key().into();
        let calls = [
            ComputationCall::StartMining {
                worker: worker.clone(),
                stake: 2_000 * UNITS_PER_PHA,
            },
            ComputationCall::StopMining {
                worker: worker.clone(),
            },
            ComputationCall::Reclaim {
                worker: worker.clone(),
            },
            equivocation(&worker),
            ComputationCall::ReportRevoked {
                worker: worker.clone(),
            },
        ];
        let names = [
            "computation.start_mining",
            "computation.stop_mining",
            "computation.reclaim",
            "computation.report_equivocation",
            "computation.report_revoked",
        ];
        for (tag, (call, name)) in calls.into_iter().zip(names).enumerate() {
            assert_eq!(call.name(), name);
            let tx = signed(call.into());
            let bytes = tx.encode();
            assert_eq!(bytes[68..70], [4, tag as u8]);
            assert_eq!(&bytes[70..102], worker.as_bytes());
            assert_eq!(SignedTx::decode(tx.encode()).unwrap(), tx);
        }
        let start = signed(
            ComputationCall::StartMining {
                worker,
                stake: 2_000 * UNITS_PER_PHA,
            }
            .into(),
        );
        assert_eq!(
            hex::encode(&start.encode()[102..118]),
            "000000000000000000071afd498d0000"
        );
    }

    fn equivocation(worker: &AccountId) -> ComputationCall {
        let beat = |seq, iterations| {
            Box::new(phalanx_types::SignedHeartbeat {
                seq,
                iterations,
                signature: ed25519::PrivateKey::from_seed(3).sign(b"ns", b"beat"),
            })
        };
        ComputationCall::ReportEquivocation {
            worker: worker.clone(),
            round: 9,
            first: beat(1, 2),
            second: beat(3, 4),
        }
    }

    /// After the worker: the round, then each heartbeat's sequence number, counter (big-endian)
    /// and 64-byte signature.
    #[test]
    fn equivocation_evidence_encoding_is_frozen() {
        let worker: AccountId = ed25519::PrivateKey::from_seed(3).public_key().into();
        let tx = signed(equivocation(&worker).into());
        let bytes = tx.encode();
        assert_eq!(hex::encode(&bytes[102..110]), "0000000000000009");
        assert_eq!(
            hex::encode(&bytes[110..126]),
            "00000000000000010000000000000002"
        );
        assert_eq!(
            hex::encode(&bytes[190..206]),
            "00000000000000030000000000000004"
        );
        assert_eq!(bytes[126..190], bytes[206..270]);
        assert_eq!(SignedTx::decode(tx.encode()).unwrap(), tx);
    }

    #[test]
    fn benchmark_report_encoding_is_frozen() {
        let report = Payload::BenchmarkReport { iterations: 258 };
        assert_eq!(hex::encode(report.encode()), "070000000000000102");
        assert_eq!(report.topic(), "benchmark_report");
        let share = Payload::BeaconShare {
            round: 3,
            partial: vec![0xab; 2],
        };
        assert_eq!(hex::encode(share.encode()), "08000000000000000302abab");
        assert_eq!(share.topic(), "beacon_share");
        let beat = Payload::MiningHeartbeat {
            round: 5,
            iterations: 6,
        };
        assert_eq!(
            hex::encode(beat.encode()),
            "0900000000000000050000000000000006"
        );
        assert_eq!(beat.topic(), "mining_heartbeat");
    }
}

mod stakepool_calls {
    use super::*;
    use phalanx_types::StakePoolCall;

    /// Component tag 5 (stakepool), then the call's own tag and its fields, big-endian: the
    /// pool id first where there is one.
    #[test]
    fn stakepool_call_encoding_is_frozen() {
        let worker: AccountId = ed25519::PrivateKey::from_seed(3).public_key().into();
        let calls = [
            StakePoolCall::Create {
                commission_ppm: 100_000,
                cap: Some(5 * UNITS_PER_PHA),
            },
            StakePoolCall::AddWorker {
                pool: 7,
                worker: worker.clone(),
            },
            StakePoolCall::RemoveWorker {
                pool: 7,
                worker: worker.clone(),
            },
            StakePoolCall::StartMining {
                pool: 7,
                worker: worker.clone(),
                stake: 2_000 * UNITS_PER_PHA,
            },
            StakePoolCall::StopMining {
                pool: 7,
                worker: worker.clone(),
            },
            StakePoolCall::Contribute {
                pool: 7,
                amount: UNITS_PER_PHA,
            },
            StakePoolCall::Withdraw { pool: 7, shares: 3 },
            StakePoolCall::ClaimCommission { pool: 7 },
        ];
        let names = [
            "stakepool.create",
            "stakepool.add_worker",
            "stakepool.remove_worker",
            "stakepool.start_mining",
            "stakepool.stop_mining",
            "stakepool.contribute",
            "stakepool.withdraw",
            "stakepool.claim_commission",
        ];
        for (tag, (call, name)) in calls.into_iter().zip(names).enumerate() {
            assert_eq!(call.name(), name);
            let tx = signed(call.clone().into());
            let bytes = tx.encode();
            assert_eq!(bytes[68..70], [5, tag as u8]);
            if tag > 0 {
                assert_eq!(hex::encode(&bytes[70..78]), "0000000000000007");
            }
            if call.worker().is_some() {
                assert_eq!(&bytes[78..110], worker.as_bytes());
            }
            assert_eq!(SignedTx::decode(tx.encode()).unwrap(), tx);
        }
        let create = signed(
            StakePoolCall::Create {
                commission_ppm: 100_000,
                cap: Some(5 * UNITS_PER_PHA),
            }
            .into(),
        );
        assert_eq!(
            hex::encode(&create.encode()[70..91]),
            "000186a00100000000000000000000048c27395000"
        );
    }
}

mod governance_calls {
    use super::*;
    use phalanx_types::{GovernanceCall, ProposalAction, VoteChoice};

    /// Component tag 6 (governance), then the call's tag; a proposal's action has its own tag
    /// (0 params, 1 policy, 2 promotion, 3 rotation, 4 spend, 5 signal, 6 removal) and the voting period
    /// follows it; a vote is the proposal id, the choice (0 yes, 1 no, 2 abstain) and the pools.
    #[test]
    fn governance_call_encoding_is_frozen() {
        let to: AccountId = ed25519::PrivateKey::from_seed(3).public_key().into();
        let actions = [
            ProposalAction::SetParams {
                component: "fees".into(),
                params: vec![1, 2],
            },
            ProposalAction::SetAttestationPolicy {
                policy: phalanx_types::AttestationPolicy::default(),
            },
            ProposalAction::PromoteGatekeeper { worker: to.clone() },
            ProposalAction::RotateMasterKey,
            ProposalAction::TreasurySpend {
                to: to.clone(),
                amount: 5,
            },
            ProposalAction::Signal { text: "hi".into() },
            ProposalAction::RemoveGatekeeper { worker: to.clone() },
            ProposalAction::CreateCluster {
                members: vec![to.clone()],
            },
        ];
        for (tag, action) in actions.into_iter().enumerate() {
            let tx = signed(
                GovernanceCall::Propose {
                    action,
                    voting_ms: 9,
                }
                .into(),
            );
            let bytes = tx.encode();
            assert_eq!(bytes[68..71], [6, 0, tag as u8]);
            assert_eq!(SignedTx::decode(tx.encode()).unwrap(), tx);
        }
        let signal = signed(
            GovernanceCall::Propose {
                action: ProposalAction::Signal { text: "hi".into() },
                voting_ms: 9,
            }
            .into(),
        );
        assert_eq!(
            hex::encode(&signal.encode()[68..82]),
            "0600050268690000000000000009"
        );
        let vote = signed(
            GovernanceCall::Vote {
                proposal: 7,
                choice: VoteChoice::Abstain,
                pools: vec![1],
            }
            .into(),
        );
        assert_eq!(
            hex::encode(&vote.encode()[68..88]),
            "0601000000000000000702010000000000000001"
        );
        assert_eq!(SignedTx::decode(vote.encode()).unwrap(), vote);
        // More pools than a vote may name are refused when decoding.
        let many = signed(
            GovernanceCall::Vote {
                proposal: 7,
                choice: VoteChoice::Yes,
                pools: (0..17).collect(),
            }
            .into(),
        );
        assert!(SignedTx::decode(many.encode()).is_err());
    }
}

mod contracts_calls {
    use super::*;
    use phalanx_types::{ChainMessage, ContractsCall, MAX_CODE_BYTES, Payload};

    /// Component tag 7 (contracts), then the call's own tag and its fields: code behind its
    /// length prefix; fixed 32-byte arrays as they are, the cluster big-endian.
    #[test]
    fn contracts_call_encoding_is_frozen() {
        let upload: Call = ContractsCall::UploadCode {
            code: vec![0, 0x61, 0x73, 0x6d],
        }
        .into();
        assert_eq!(hex::encode(upload.encode()), "0700040061736d");
        assert_eq!(upload.name(), "contracts.upload_code");
        let instantiate: Call = ContractsCall::Instantiate {
            code_hash: [0x11; 32],
            cluster: 2,
            salt: [0x22; 32],
        }
        .into();
        assert_eq!(
            hex::encode(instantiate.encode()),
            format!("0701{}00000002{}", "11".repeat(32), "22".repeat(32))
        );
        assert_eq!(Call::decode(instantiate.encode()).unwrap(), instantiate);
    }

    #[test]
    fn code_over_the_wire_limit_does_not_decode() {
        let too_big: Call = ContractsCall::UploadCode {
            code: vec![0; MAX_CODE_BYTES + 1],
        }
        .into();
        assert!(Call::decode(too_big.encode()).is_err());
        let fits: Call = ContractsCall::UploadCode {
            code: vec![0; MAX_CODE_BYTES],
        }
        .into();
        assert!(signed(fits).encode().len() <= MAX_TX_SIZE);
    }

    #[test]
    fn contract_messages_are_frozen() {
        let key = Payload::ContractKey {
            contract: [1; 32],
            encryption_key: [2; 32],
            signing_key: [3; 32],
        };
        assert_eq!(
            hex::encode(key.encode()),
            format!(
                "0a{}{}{}",
                "01".repeat(32),
                "02".repeat(32),
                "03".repeat(32)
            )
        );
        assert_eq!(key.topic(), "contract_key");
        let created = ChainMessage::ContractInstantiated {
            contract: [4; 32],
            code_hash: [5; 32],
            cluster: 0,
            generation: 1,
        };
        assert_eq!(
            hex::encode(created.encode()),
            format!("05{}{}0000000000000001", "04".repeat(32), "05".repeat(32))
        );
        assert_eq!(ChainMessage::decode(created.encode()).unwrap(), created);
        let cluster = ChainMessage::ClusterCreated { cluster: 3 };
        assert_eq!(hex::encode(cluster.encode()), "0700000003");
        assert_eq!(ChainMessage::decode(cluster.encode()).unwrap(), cluster);
    }

    /// Tag 3, then the members behind their count (a varint), each a 32-byte key.
    #[test]
    fn create_cluster_is_frozen_and_bounded() {
        let member = AccountId::from(ed25519::PrivateKey::from_seed(7).public_key());
        let create: Call = ContractsCall::CreateCluster {
            members: vec![member.clone()],
        }
        .into();
        assert_eq!(
            hex::encode(create.encode()),
            format!("070301{}", hex::encode(member.as_bytes()))
        );
        assert_eq!(create.name(), "contracts.create_cluster");
        assert_eq!(Call::decode(create.encode()).unwrap(), create);
        let too_many: Call = ContractsCall::CreateCluster {
            members: vec![member; phalanx_types::MAX_CLUSTER_MEMBERS + 1],
        }
        .into();
        assert!(Call::decode(too_many.encode()).is_err());
        let expire: Call = ContractsCall::ExpireCommand {
            contract: [0x44; 32],
            seq: 5,
        }
        .into();
        assert_eq!(
            hex::encode(expire.encode()),
            format!("0704{}0000000000000005", "44".repeat(32))
        );
        assert_eq!(expire.name(), "contracts.expire_command");
        assert_eq!(Call::decode(expire.encode()).unwrap(), expire);
    }
}
