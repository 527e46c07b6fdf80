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
