#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The `contracts` component: code upload (checked as the executor will load it), contract
//! instantiation on cluster 0 with a derived id, and the keys its workers report. Every
//! refusal has its own code and changes nothing.

mod common;

use common::dkg::*;
use common::*;
use commonware_codec::Encode;
use phalanx_runtime::{Event, State, contracts, mq};
use phalanx_types::{ChainMessage, ContractsCall, Payload};
use std::collections::BTreeMap;

fn example(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../contracts/wasm/{name}.wasm",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use commonware_cryptography::{Hasher, Sha256};
    Sha256::hash(&[bytes]).as_ref().try_into().unwrap()
}

fn upload(c: &mut Chain, code: Vec<u8>) -> Receipt {
    c.call_receipt("alice", ContractsCall::UploadCode { code }, NOW_MS)
}

fn instantiate(c: &mut Chain, code_hash: [u8; 32], cluster: u32, salt: u8) -> Receipt {
    c.call_receipt(
        "bob",
        ContractsCall::Instantiate {
            code_hash,
            cluster,
            salt: [salt; 32],
        },
        NOW_MS,
    )
}

/// The receipt's events of `contracts` (the fee's own event left out).
fn contract_events(receipt: &Receipt) -> Vec<Event> {
    receipt
        .events
        .iter()
        .filter(|e| matches!(e, Event::Contracts(_)))
        .cloned()
        .collect()
}

fn refused(receipt: &Receipt, error: contracts::Error) {
    assert_eq!(
        receipt.status,
        TxStatus::Failed(DispatchError::Contracts(error))
    );
}

/// Every value `contracts` could have written for `code` (by hash) and contract listings.
fn snapshot(c: &Chain, code: &[u8]) -> Vec<Option<Vec<u8>>> {
    let hash = sha256(code);
    [
        contracts::state_key::code(&hash),
        contracts::state_key::code_info(&hash),
        contracts::state_key::codes().len_key(),
        contracts::state_key::contracts().len_key(),
    ]
    .iter()
    .map(|k| c.state.get(k).unwrap())
    .collect()
}

/// A module with `body` after one page of exported memory.
fn module(imports: &str, body: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module {imports} (memory (export "memory") 1) {body})"#
    ))
    .unwrap()
}

#[test]
fn uploaded_code_is_checked_stored_and_charged_per_byte() {
    let mut c = chain_with(dev_policy());
    let code = example("counter");
    let receipt = upload(&mut c, code.clone());
    assert_eq!(receipt.status, TxStatus::Success);
    let hash = sha256(&code);
    assert_eq!(
        contract_events(&receipt),
        vec![Event::Contracts(contracts::Event::CodeUploaded {
            code_hash: hash,
            uploader: id("alice"),
            size: code.len() as u32,
        })]
    );
    assert_eq!(
        contracts::code(&c.state, &hash).unwrap(),
        Some(code.clone())
    );
    let info = contracts::code_info(&c.state, &hash).unwrap().unwrap();
    assert_eq!((info.uploader, info.size), (id("alice"), code.len() as u32));
    // The fee a transaction must offer covers the bytes every node keeps forever.
    let tx = TxBody {
        chain_id: c.chain.clone(),
        signer: id("alice"),
        nonce: 0,
        fee: 0,
        call: ContractsCall::UploadCode { code: code.clone() }.into(),
    }
    .sign(&dev_key("alice"));
    let len = tx.encode().len();
    let required = phalanx_runtime::required_fee(&c.params, len, &tx);
    assert!(required >= c.params.contracts.code_fee_per_byte * code.len() as u128);
    assert!(matches!(
        phalanx_runtime::check_stateless(&tx, len, &c.chain, &c.params),
        Err(phalanx_runtime::Exclusion::FeeTooLow { .. })
    ));

    let again = upload(&mut c, code.clone());
    refused(&again, contracts::Error::CodeExists);
}

#[test]
fn code_the_executor_would_not_run_is_refused_with_its_reason() {
    let mut c = chain_with(dev_policy());
    let entry_points = r#"(func (export "call")) (func (export "query"))"#;
    let cases = [
        (b"not wasm at all".to_vec(), contracts::Error::InvalidCode),
        (
            module(r#"(import "env" "abort" (func))"#, entry_points),
            contracts::Error::UnknownImport,
        ),
        (
            module(
                r#"(import "phalanx_v1" "caller" (func (param i64)))"#,
                entry_points,
            ),
            contracts::Error::BadImport,
        ),
        (
            module("", r#"(func (export "call"))"#),
            contracts::Error::BadExport,
        ),
        (
            module(
                "",
                r#"(func (export "call") (param i32)) (func (export "query"))"#,
            ),
            contracts::Error::BadExport,
        ),
        (
            module(
                "",
                r#"(func (export "call") (drop (f32.const 1))) (func (export "query"))"#,
            ),
            contracts::Error::InvalidCode,
        ),
    ];
    for (code, error) in cases {
        let before = snapshot(&c, &code);
        let receipt = upload(&mut c, code.clone());
        refused(&receipt, error);
        assert_eq!(snapshot(&c, &code), before, "{error:?} changed state");
    }
    // Over the chain's own limit, though within what a transaction carries.
    c.params.contracts.max_code_bytes = 1_000;
    let code = example("counter");
    assert!(code.len() > 1_000);
    refused(&upload(&mut c, code), contracts::Error::CodeTooLarge);
}

#[test]
fn instantiation_derives_the_id_and_tells_the_cluster() {
    let mut c = chain_with_workers();
    let code = example("auction");
    let hash = sha256(&code);
    refused(
        &instantiate(&mut c, hash, 0, 1),
        contracts::Error::UnknownCode,
    );
    assert_eq!(upload(&mut c, code).status, TxStatus::Success);
    // No master key yet: nothing to derive the contract's keys from.
    refused(
        &instantiate(&mut c, hash, 0, 1),
        contracts::Error::NoMasterKey,
    );
    promote(&mut c, "worker-1");
    run_round(&mut c, &BTreeMap::new());
    refused(
        &instantiate(&mut c, hash, 1, 1),
        contracts::Error::UnknownCluster,
    );

    let queued = mq::state_key::broadcast().len(&c.state).unwrap();
    let receipt = instantiate(&mut c, hash, 0, 1);
    assert_eq!(receipt.status, TxStatus::Success);
    let id = contracts::contract_id(&c.chain, &common::id("bob"), &hash, 0, &[1; 32]);
    assert_eq!(
        contract_events(&receipt),
        vec![Event::Contracts(contracts::Event::ContractInstantiated {
            contract: id,
            code_hash: hash,
            deployer: common::id("bob"),
            cluster: 0,
        })]
    );
    let record = contracts::contract(&c.state, &id).unwrap().unwrap();
    assert_eq!(
        (
            record.code_hash,
            record.cluster,
            record.generation,
            record.keys
        ),
        (hash, 0, 0, None)
    );
    let message: ChainMessage = mq::state_key::broadcast()
        .get(&c.state, queued)
        .unwrap()
        .unwrap();
    assert_eq!(
        message,
        ChainMessage::ContractInstantiated {
            contract: id,
            code_hash: hash,
            cluster: 0,
            generation: 0,
        }
    );
    assert_eq!(
        contracts::state_key::contracts().get(&c.state, 0).unwrap(),
        Some(id)
    );

    refused(
        &instantiate(&mut c, hash, 0, 1),
        contracts::Error::ContractExists,
    );
    let other = instantiate(&mut c, hash, 0, 2);
    assert_eq!(other.status, TxStatus::Success);
    let other_id = contracts::contract_id(&c.chain, &common::id("bob"), &hash, 0, &[2; 32]);
    assert_ne!(other_id, id);
    // Another chain, deployer or salt gives another id.
    let elsewhere = phalanx_types::ChainId::new("phalanx-other").unwrap();
    assert_ne!(
        contracts::contract_id(&elsewhere, &common::id("bob"), &hash, 0, &[1; 32]),
        id
    );
    assert_ne!(
        contracts::contract_id(&c.chain, &common::id("alice"), &hash, 0, &[1; 32]),
        id
    );
}

#[test]
fn the_first_key_report_publishes_and_the_rest_confirm_or_are_evidence() {
    let mut c = chain_with_workers();
    promote(&mut c, "worker-1");
    run_round(&mut c, &BTreeMap::new());
    let code = example("signer");
    let hash = sha256(&code);
    assert_eq!(upload(&mut c, code).status, TxStatus::Success);
    assert_eq!(instantiate(&mut c, hash, 0, 7).status, TxStatus::Success);
    let id = contracts::contract_id(&c.chain, &common::id("bob"), &hash, 0, &[7; 32]);
    let report = |encryption: u8, signing: u8| Payload::ContractKey {
        contract: id,
        encryption_key: [encryption; 32],
        signing_key: [signing; 32],
    };

    let unknown = send(
        &mut c,
        "worker-1",
        Payload::ContractKey {
            contract: [0xEE; 32],
            encryption_key: [1; 32],
            signing_key: [2; 32],
        },
    );
    refused(&unknown, contracts::Error::UnknownContract);

    let first = send(&mut c, "worker-1", report(1, 2));
    assert_eq!(first.status, TxStatus::Success);
    assert!(
        first
            .events
            .contains(&Event::Contracts(contracts::Event::ContractKeyPublished {
                contract: id,
                encryption_key: [1; 32],
                signing_key: [2; 32],
                by: common::id("worker-1"),
            }))
    );
    let keys = contracts::contract(&c.state, &id)
        .unwrap()
        .unwrap()
        .keys
        .unwrap();
    assert_eq!(
        (keys.encryption_key, keys.signing_key, keys.confirmations),
        ([1; 32], [2; 32], 0)
    );
    refused(
        &send(&mut c, "worker-1", report(1, 2)),
        contracts::Error::KeyAlreadyReported,
    );

    let second = send(&mut c, "worker-2", report(1, 2));
    assert!(
        second
            .events
            .contains(&Event::Contracts(contracts::Event::ContractKeyConfirmed {
                contract: id,
                by: common::id("worker-2"),
            }))
    );
    let third = send(&mut c, "worker-3", report(1, 9));
    assert_eq!(
        third.status,
        TxStatus::Success,
        "evidence is recorded, not refused"
    );
    assert!(third.events.contains(&Event::Contracts(
        contracts::Event::ContractKeyDisagreement {
            contract: id,
            by: common::id("worker-3"),
            published_by: common::id("worker-1"),
        }
    )));
    let keys = contracts::contract(&c.state, &id)
        .unwrap()
        .unwrap()
        .keys
        .unwrap();
    assert_eq!(
        (keys.signing_key, keys.confirmations, keys.reported_by),
        ([2; 32], 1, common::id("worker-1")),
        "the published keys stay"
    );
    // The record's encoding round-trips.
    let record = contracts::contract(&c.state, &id).unwrap().unwrap();
    assert_eq!(
        record.encode().len(),
        commonware_codec::EncodeSize::encode_size(&record)
    );
}

/// A contract of `bob` on a chain with a master key, its keys published by worker-1.
fn chain_with_contract() -> (Chain, [u8; 32]) {
    let mut c = chain_with_workers();
    promote(&mut c, "worker-1");
    run_round(&mut c, &BTreeMap::new());
    let code = example("counter");
    let hash = sha256(&code);
    assert_eq!(upload(&mut c, code).status, TxStatus::Success);
    assert_eq!(instantiate(&mut c, hash, 0, 3).status, TxStatus::Success);
    let id = contracts::contract_id(&c.chain, &common::id("bob"), &hash, 0, &[3; 32]);
    (c, id)
}

fn publish_keys(c: &mut Chain, id: [u8; 32]) {
    let receipt = send(
        c,
        "worker-1",
        Payload::ContractKey {
            contract: id,
            encryption_key: [1; 32],
            signing_key: [2; 32],
        },
    );
    assert_eq!(receipt.status, TxStatus::Success);
}

fn sealed(fill: u8) -> phalanx_types::Sealed {
    phalanx_types::Sealed {
        enc: [fill; 32],
        ciphertext: vec![fill; 40],
    }
}

fn command(c: &mut Chain, signer: &str, id: [u8; 32], gas_limit: u64) -> Receipt {
    c.call_receipt(
        signer,
        ContractsCall::Command {
            contract: id,
            sealed: sealed(0xC0),
            gas_limit,
        },
        NOW_MS,
    )
}

fn result(id: [u8; 32], seq: u64, fuel_used: u64, state: u8) -> Payload {
    Payload::CommandResult {
        contract: id,
        seq,
        succeeded: true,
        fuel_used,
        state_hash: [state; 32],
        output: sealed(0x0D),
        events: vec![b"counted".to_vec()],
    }
}

#[test]
fn commands_hold_gas_and_reach_the_cluster_in_order() {
    let (mut c, id) = chain_with_contract();
    refused(
        &command(&mut c, "alice", id, 1_000),
        contracts::Error::KeyNotPublished,
    );
    publish_keys(&mut c, id);
    refused(
        &command(&mut c, "alice", [9; 32], 1_000),
        contracts::Error::UnknownContract,
    );
    refused(
        &command(&mut c, "alice", id, 0),
        contracts::Error::GasLimitZero,
    );
    let max = c.params.contracts.max_gas_per_command;
    refused(
        &command(&mut c, "alice", id, max + 1),
        contracts::Error::GasLimitTooHigh,
    );
    // A gas price that makes the escrow more than alice holds.
    c.params.contracts.gas_price = 1_000 * UNITS_PER_PHA;
    refused(
        &command(&mut c, "alice", id, 2),
        contracts::Error::InsufficientBalance,
    );
    c.params.contracts.gas_price = phalanx_runtime::contracts::Params::default().gas_price;

    let supply = balances::total_issuance(&c.state).unwrap();
    let queued = mq::state_key::broadcast().len(&c.state).unwrap();
    let before = balances::account(&c.state, &common::id("alice"))
        .unwrap()
        .balance;
    let receipt = command(&mut c, "alice", id, 1_000_000);
    assert_eq!(receipt.status, TxStatus::Success);
    let held = contracts::escrow(1_000_000, c.params.contracts.gas_price);
    let after = balances::account(&c.state, &common::id("alice"))
        .unwrap()
        .balance;
    assert_eq!(before - after, held + receipt.fee_paid);
    assert_eq!(
        balances::pot(&c.state, balances::pots::CONTRACT_GAS).unwrap(),
        held
    );
    assert_eq!(balances::total_issuance(&c.state).unwrap(), supply);
    let message: ChainMessage = mq::state_key::broadcast()
        .get(&c.state, queued)
        .unwrap()
        .unwrap();
    assert!(matches!(
        message,
        ChainMessage::ContractCommand { seq: 0, gas_limit: 1_000_000, ref sealed, .. }
            if *sealed == self::sealed(0xC0)
    ));
    assert_eq!(
        command(&mut c, "alice", id, 1_000).status,
        TxStatus::Success
    );
    let record = contracts::contract(&c.state, &id).unwrap().unwrap();
    assert_eq!((record.commands, record.executed), (2, 0));
}

#[test]
fn the_first_result_settles_gas_and_the_rest_confirm_or_are_evidence() {
    let (mut c, id) = chain_with_contract();
    publish_keys(&mut c, id);
    assert_eq!(
        command(&mut c, "alice", id, 1_000_000).status,
        TxStatus::Success
    );
    assert_eq!(
        command(&mut c, "alice", id, 1_000).status,
        TxStatus::Success
    );
    let supply = balances::total_issuance(&c.state).unwrap();

    refused(
        &send(&mut c, "worker-1", result(id, 7, 10, 1)),
        contracts::Error::UnknownCommand,
    );
    refused(
        &send(&mut c, "worker-1", result(id, 0, 1_000_001, 1)),
        contracts::Error::FuelOverLimit,
    );

    let alice_before = balances::account(&c.state, &common::id("alice"))
        .unwrap()
        .balance;
    let treasury_before = balances::pot(&c.state, balances::TREASURY).unwrap();
    let first = send(&mut c, "worker-1", result(id, 0, 250_000, 1));
    assert_eq!(first.status, TxStatus::Success);
    let price = c.params.contracts.gas_price;
    let burned = 250_000 * price;
    let refund = 750_000 * price;
    assert_eq!(
        balances::account(&c.state, &common::id("alice"))
            .unwrap()
            .balance
            - alice_before,
        refund
    );
    // The relayer's fee goes to the treasury too.
    assert_eq!(
        balances::pot(&c.state, balances::TREASURY).unwrap() - treasury_before,
        burned + first.fee_paid
    );
    assert_eq!(
        phalanx_runtime::treasury::income(&c.state, phalanx_runtime::treasury::Source::ContractGas)
            .unwrap(),
        burned
    );
    assert_eq!(balances::total_issuance(&c.state).unwrap(), supply);
    assert!(
        first
            .events
            .contains(&Event::Contracts(contracts::Event::CommandExecuted {
                contract: id,
                seq: 0,
                succeeded: true,
                fuel_used: 250_000,
                state_hash: [1; 32],
                by: common::id("worker-1"),
            }))
    );
    assert!(
        first
            .events
            .contains(&Event::Contracts(contracts::Event::ContractEvent {
                contract: id,
                seq: 0,
                data: contracts::EventData(b"counted".to_vec()),
            }))
    );
    let stored: phalanx_types::Sealed = phalanx_runtime::state::read_decoded(
        &c.state,
        contracts::state_key::command_output(&id, 0),
    )
    .unwrap()
    .unwrap();
    assert_eq!(stored, sealed(0x0D));
    let record = contracts::contract(&c.state, &id).unwrap().unwrap();
    assert_eq!((record.executed, record.state_hash), (1, [1; 32]));

    refused(
        &send(&mut c, "worker-1", result(id, 0, 250_000, 1)),
        contracts::Error::ResultAlreadyReported,
    );
    let confirmed = send(&mut c, "worker-2", result(id, 0, 250_000, 1));
    assert!(
        confirmed
            .events
            .contains(&Event::Contracts(contracts::Event::CommandConfirmed {
                contract: id,
                seq: 0,
                by: common::id("worker-2"),
            }))
    );
    let differs = send(&mut c, "worker-3", result(id, 0, 250_000, 2));
    assert_eq!(differs.status, TxStatus::Success, "evidence is recorded");
    assert!(
        differs
            .events
            .contains(&Event::Contracts(contracts::Event::StateDisagreement {
                contract: id,
                seq: 0,
                by: common::id("worker-3"),
                recorded_by: common::id("worker-1"),
            }))
    );
    let settled = contracts::command_record(&c.state, &id, 0)
        .unwrap()
        .unwrap();
    let result_ = settled.result.unwrap();
    assert_eq!((result_.state_hash, result_.confirmations), ([1; 32], 1));
    // The second command can now be recorded; nothing is left held for the first.
    assert_eq!(
        send(&mut c, "worker-1", result(id, 1, 1_000, 3)).status,
        TxStatus::Success
    );
    assert_eq!(
        balances::pot(&c.state, balances::pots::CONTRACT_GAS).unwrap(),
        0
    );
    assert_eq!(balances::total_issuance(&c.state).unwrap(), supply);
}

fn create_cluster(c: &mut Chain, signer: &str, members: &[&str]) -> Receipt {
    c.call_receipt(
        signer,
        ContractsCall::CreateCluster {
            members: members.iter().map(|m| common::id(m)).collect(),
        },
        NOW_MS,
    )
}

#[test]
fn the_root_creates_clusters_and_only_their_members_get_keys_and_report() {
    let mut c = chain_with_workers();
    promote(&mut c, "worker-1");
    run_round(&mut c, &BTreeMap::new());
    let round = phalanx_runtime::keys::latest(&c.state, 0).unwrap().unwrap();

    let members = ["worker-2", "worker-3"];
    refused(
        &create_cluster(&mut c, "bob", &members),
        contracts::Error::NotRoot,
    );
    refused(
        &create_cluster(&mut c, "alice", &[]),
        contracts::Error::EmptyCluster,
    );
    refused(
        &create_cluster(&mut c, "alice", &["worker-2", "worker-2"]),
        contracts::Error::DuplicateMember,
    );
    refused(
        &create_cluster(&mut c, "alice", &["worker-2", "nobody"]),
        contracts::Error::UnknownWorker,
    );
    assert!(!contracts::cluster_exists(&c.state, 1).unwrap());

    let queued = mq::state_key::broadcast().len(&c.state).unwrap();
    let created = create_cluster(&mut c, "alice", &members);
    assert_eq!(created.status, TxStatus::Success);
    assert_eq!(
        contract_events(&created),
        vec![Event::Contracts(contracts::Event::ClusterCreated {
            cluster: 1,
            members: 2,
            by: common::id("alice"),
        })]
    );
    assert_eq!(
        mq::state_key::broadcast().get(&c.state, queued).unwrap(),
        Some(ChainMessage::ClusterCreated { cluster: 1 })
    );
    let record = contracts::cluster(&c.state, 1).unwrap().unwrap();
    assert_eq!(
        record.members,
        vec![common::id("worker-2"), common::id("worker-3")]
    );
    assert!(contracts::cluster_exists(&c.state, 1).unwrap());
    assert!(!contracts::cluster_exists(&c.state, 2).unwrap());
    assert!(contracts::is_member(&c.state, 1, &common::id("worker-3")).unwrap());
    assert!(!contracts::is_member(&c.state, 1, &common::id("worker-1")).unwrap());
    assert!(contracts::is_member(&c.state, 0, &common::id("worker-1")).unwrap());
    assert!(!contracts::is_member(&c.state, 2, &common::id("worker-2")).unwrap());

    // Key shares of cluster 1 go to its members only; cluster 2 does not exist.
    let share = |recipient: &str, cluster: u32| Payload::KeyShare {
        recipient: common::id(recipient),
        key: phalanx_types::KeyKind::Cluster {
            cluster,
            generation: 0,
        },
        round,
        envelope: envelope(5),
    };
    let keys_refused = |receipt: &Receipt, error: phalanx_runtime::keys::Error| {
        assert_eq!(receipt.status, TxStatus::Failed(DispatchError::Keys(error)));
    };
    keys_refused(
        &send(&mut c, "worker-1", share("worker-1", 1)),
        phalanx_runtime::keys::Error::NotClusterMember,
    );
    keys_refused(
        &send(&mut c, "worker-1", share("worker-2", 2)),
        phalanx_runtime::keys::Error::UnknownCluster,
    );
    assert_eq!(
        send(&mut c, "worker-1", share("worker-2", 1)).status,
        TxStatus::Success
    );

    // A contract on cluster 1: its keys and results come from members only.
    let code = example("counter");
    let hash = sha256(&code);
    assert_eq!(upload(&mut c, code).status, TxStatus::Success);
    assert_eq!(instantiate(&mut c, hash, 1, 4).status, TxStatus::Success);
    let id = contracts::contract_id(&c.chain, &common::id("bob"), &hash, 1, &[4; 32]);
    assert_eq!(
        contracts::contract(&c.state, &id).unwrap().unwrap().cluster,
        1
    );
    let keys = Payload::ContractKey {
        contract: id,
        encryption_key: [1; 32],
        signing_key: [2; 32],
    };
    refused(
        &send(&mut c, "worker-1", keys.clone()),
        contracts::Error::NotClusterMember,
    );
    // Two members: both must report the same keys before they are published.
    assert_eq!(contracts::cluster_quorum(&c.state, 1).unwrap(), 2);
    assert_eq!(contracts::cluster_quorum(&c.state, 0).unwrap(), 1);
    let first = send(&mut c, "worker-2", keys.clone());
    assert_eq!(
        contract_events(&first),
        vec![Event::Contracts(contracts::Event::ContractKeyReported {
            contract: id,
            encryption_key: [1; 32],
            signing_key: [2; 32],
            by: common::id("worker-2"),
            reports: 1,
            quorum: 2,
        })]
    );
    assert!(
        contracts::contract(&c.state, &id)
            .unwrap()
            .unwrap()
            .keys
            .is_none()
    );
    refused(
        &command(&mut c, "alice", id, 1_000),
        contracts::Error::KeyNotPublished,
    );
    let second = send(&mut c, "worker-3", keys);
    assert!(matches!(
        contract_events(&second).as_slice(),
        [Event::Contracts(contracts::Event::ContractKeyPublished { by, .. })] if *by == common::id("worker-3")
    ));
    let published = contracts::contract(&c.state, &id)
        .unwrap()
        .unwrap()
        .keys
        .unwrap();
    assert_eq!(published.confirmations, 1);
    assert_eq!(
        command(&mut c, "alice", id, 1_000).status,
        TxStatus::Success
    );
    refused(
        &send(&mut c, "worker-1", result(id, 0, 10, 1)),
        contracts::Error::NotClusterMember,
    );
    // The result, too, needs both members.
    let first = send(&mut c, "worker-3", result(id, 0, 10, 1));
    assert_eq!(
        contract_events(&first),
        vec![Event::Contracts(contracts::Event::ResultReported {
            contract: id,
            seq: 0,
            by: common::id("worker-3"),
            reports: 1,
            quorum: 2,
        })]
    );
    assert!(
        contracts::command_record(&c.state, &id, 0)
            .unwrap()
            .unwrap()
            .result
            .is_none()
    );
    let second = send(&mut c, "worker-2", result(id, 0, 10, 1));
    assert!(second.events.iter().any(|e| matches!(e,
        Event::Contracts(contracts::Event::CommandExecuted { seq: 0, by, .. }) if *by == common::id("worker-2"))));
    let recorded = contracts::command_record(&c.state, &id, 0)
        .unwrap()
        .unwrap()
        .result
        .unwrap();
    assert_eq!(recorded.confirmations, 1);
    assert_eq!(
        contracts::contract(&c.state, &id)
            .unwrap()
            .unwrap()
            .executed,
        1
    );

    // Clusters are numbered in creation order.
    assert_eq!(
        contract_events(&create_cluster(&mut c, "alice", &["worker-1"])),
        vec![Event::Contracts(contracts::Event::ClusterCreated {
            cluster: 2,
            members: 1,
            by: common::id("alice"),
        })]
    );

    // Three members, a quorum of two: worker-1 reports other keys first; when the other two
    // agree, their keys are published and worker-1's earlier report is evidence.
    let all = ["worker-1", "worker-2", "worker-3"];
    assert_eq!(
        create_cluster(&mut c, "alice", &all).status,
        TxStatus::Success
    );
    assert_eq!(instantiate(&mut c, hash, 3, 5).status, TxStatus::Success);
    let id = contracts::contract_id(&c.chain, &common::id("bob"), &hash, 3, &[5; 32]);
    let report = |fill: u8| Payload::ContractKey {
        contract: id,
        encryption_key: [fill; 32],
        signing_key: [fill; 32],
    };
    let odd = send(&mut c, "worker-1", report(9));
    assert!(matches!(
        contract_events(&odd).as_slice(),
        [Event::Contracts(contracts::Event::ContractKeyReported { reports: 1, quorum: 2, encryption_key, .. })] if *encryption_key == [9; 32]
    ));
    send(&mut c, "worker-2", report(1));
    let published = send(&mut c, "worker-3", report(1));
    assert_eq!(
        contract_events(&published)[1..],
        [Event::Contracts(
            contracts::Event::ContractKeyDisagreement {
                contract: id,
                by: common::id("worker-1"),
                published_by: common::id("worker-3"),
            }
        )]
    );
    let keys = contracts::contract(&c.state, &id)
        .unwrap()
        .unwrap()
        .keys
        .unwrap();
    assert_eq!((keys.encryption_key, keys.confirmations), ([1; 32], 1));
    // No tally is left behind.
    for fill in [1u8, 9] {
        let candidate = sha256(&[[fill; 32], [fill; 32]].concat());
        assert_eq!(
            c.state
                .get(&contracts::state_key::key_votes(&id, &candidate))
                .unwrap(),
            None
        );
    }
}

#[test]
fn results_are_recorded_as_they_come_and_the_contract_moves_past_an_unbroken_run() {
    let (mut c, id) = chain_with_contract();
    publish_keys(&mut c, id);
    for _ in 0..2 {
        assert_eq!(
            command(&mut c, "alice", id, 1_000).status,
            TxStatus::Success
        );
    }
    // Command 1's result comes first: recorded (its gas settled), but the contract's state
    // is still the one before command 0.
    let later = send(&mut c, "worker-1", result(id, 1, 10, 2));
    assert!(later.events.iter().any(|e| matches!(
        e,
        Event::Contracts(contracts::Event::CommandExecuted { seq: 1, .. })
    )));
    let record = contracts::contract(&c.state, &id).unwrap().unwrap();
    assert_eq!((record.executed, record.state_hash), (0, [0; 32]));
    // Then command 0's: the contract moves past both, to command 1's state.
    assert_eq!(
        send(&mut c, "worker-2", result(id, 0, 10, 1)).status,
        TxStatus::Success
    );
    let record = contracts::contract(&c.state, &id).unwrap().unwrap();
    assert_eq!((record.executed, record.state_hash), (2, [2; 32]));
    assert_eq!(
        balances::pot(&c.state, balances::pots::CONTRACT_GAS).unwrap(),
        0
    );
}

#[test]
fn a_command_without_a_result_gives_its_gas_back_after_the_expiry_and_may_run_later_for_free() {
    let (mut c, id) = chain_with_contract();
    publish_keys(&mut c, id);
    assert_eq!(
        command(&mut c, "alice", id, 1_000).status,
        TxStatus::Success
    );
    let held = contracts::command_record(&c.state, &id, 0)
        .unwrap()
        .unwrap();
    let expire = |seq| ContractsCall::ExpireCommand { contract: id, seq };
    // The command was sent at height 2.
    let due = 2 + contracts::COMMAND_EXPIRY_BLOCKS;
    refused(
        &c.call_receipt_at("bob", expire(0), NOW_MS, due - 1),
        contracts::Error::CommandNotExpired,
    );
    refused(
        &c.call_receipt_at("bob", expire(7), NOW_MS, due),
        contracts::Error::UnknownCommand,
    );
    let alice = |c: &Chain| {
        balances::account(&c.state, &common::id("alice"))
            .unwrap()
            .balance
    };
    let before = alice(&c);
    // Anyone may ask; the gas goes to the sender.
    let expired = c.call_receipt_at("bob", expire(0), NOW_MS, due);
    assert_eq!(expired.status, TxStatus::Success);
    assert_eq!(
        contract_events(&expired),
        vec![Event::Contracts(contracts::Event::CommandExpired {
            contract: id,
            seq: 0,
            sender: common::id("alice"),
            refunded: held.escrow,
        })]
    );
    assert_eq!(alice(&c) - before, held.escrow);
    assert_eq!(
        balances::pot(&c.state, balances::pots::CONTRACT_GAS).unwrap(),
        0
    );
    refused(
        &c.call_receipt_at("bob", expire(0), NOW_MS, due),
        contracts::Error::CommandAlreadyExpired,
    );
    // The cluster comes back: the result is recorded, and nothing more is paid either way.
    let supply = balances::total_issuance(&c.state).unwrap();
    assert_eq!(
        send(&mut c, "worker-1", result(id, 0, 500, 1)).status,
        TxStatus::Success
    );
    assert_eq!(alice(&c) - before, held.escrow);
    assert_eq!(
        phalanx_runtime::treasury::income(&c.state, phalanx_runtime::treasury::Source::ContractGas)
            .unwrap(),
        0
    );
    assert_eq!(balances::total_issuance(&c.state).unwrap(), supply);
    assert_eq!(
        contracts::contract(&c.state, &id)
            .unwrap()
            .unwrap()
            .executed,
        1
    );
    // A command whose result is recorded has nothing to give back.
    refused(
        &c.call_receipt_at("bob", expire(0), NOW_MS, due + 1),
        contracts::Error::CommandRecorded,
    );
}

/// One step of the gas property below.
#[derive(Debug, Clone)]
enum GasOp {
    Command { sender: bool, gas_limit: u64 },
    Result { worker: u8, seq: u64, fuel: u64 },
    Expire { seq: u64, late: bool },
}

fn gas_op() -> impl proptest::strategy::Strategy<Value = GasOp> {
    use proptest::prelude::*;
    prop_oneof![
        (any::<bool>(), 0u64..3_000_000)
            .prop_map(|(sender, gas_limit)| GasOp::Command { sender, gas_limit }),
        (1u8..=3, 0u64..6, 0u64..3_000_000).prop_map(|(worker, seq, fuel)| GasOp::Result {
            worker,
            seq,
            fuel
        }),
        (0u64..6, any::<bool>()).prop_map(|(seq, late)| GasOp::Expire { seq, late }),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Property: whatever commands, results (in any order, over their limit, repeated) and
    /// expiries come, the supply never changes, the `contract_gas` pot holds exactly the
    /// escrow of the commands with no recorded result, and the treasury's contract-gas income
    /// is exactly what the recorded results burned at their commands' prices.
    #[test]
    fn contract_gas_always_adds_up(ops in proptest::collection::vec(gas_op(), 1..24)) {
        let (mut c, id) = chain_with_contract();
        publish_keys(&mut c, id);
        let supply = balances::total_issuance(&c.state).unwrap();
        let due = 2 + contracts::COMMAND_EXPIRY_BLOCKS;
        for op in ops {
            match op {
                GasOp::Command { sender, gas_limit } => {
                    command(&mut c, if sender { "alice" } else { "bob" }, id, gas_limit);
                }
                GasOp::Result { worker, seq, fuel } => {
                    send(&mut c, &format!("worker-{worker}"), result(id, seq, fuel, worker));
                }
                GasOp::Expire { seq, late } => {
                    let height = if late { due } else { due - 1 };
                    c.call_receipt_at(
                        "operator",
                        ContractsCall::ExpireCommand { contract: id, seq },
                        NOW_MS,
                        height,
                    );
                }
            }
            proptest::prop_assert_eq!(balances::total_issuance(&c.state).unwrap(), supply);
            let commands = contracts::contract(&c.state, &id).unwrap().unwrap().commands;
            let (mut held, mut burned) = (0, 0);
            for seq in 0..commands {
                let record = contracts::command_record(&c.state, &id, seq).unwrap().unwrap();
                match &record.result {
                    None => held += record.escrow,
                    Some(r) => burned += record.gas_burned(r.fuel_used),
                }
            }
            proptest::prop_assert_eq!(
                balances::pot(&c.state, balances::pots::CONTRACT_GAS).unwrap(),
                held
            );
            proptest::prop_assert_eq!(
                phalanx_runtime::treasury::income(
                    &c.state,
                    phalanx_runtime::treasury::Source::ContractGas
                )
                .unwrap(),
                burned
            );
        }
    }
}
