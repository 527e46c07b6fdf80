//! Events of `contracts`.

use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadRangeExt, Write};
use phalanx_types::{AccountId, MAX_COMMAND_EVENT_BYTES};
use serde::{Deserialize, Serialize};

/// The bytes of an event a contract emitted: hex in JSON, at most
/// [`MAX_COMMAND_EVENT_BYTES`] when decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventData(#[serde(with = "phalanx_types::hex_serde::bytes")] pub Vec<u8>);

impl Write for EventData {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.write(buf);
    }
}

impl EncodeSize for EventData {
    fn encode_size(&self) -> usize {
        self.0.encode_size()
    }
}

impl Read for EventData {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self(Vec::<u8>::read_range(
            buf,
            ..=MAX_COMMAND_EVENT_BYTES,
        )?))
    }
}

impl crate::events::Accounts for EventData {
    fn add_accounts(&self, _: &mut Vec<AccountId>) {}
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A module was checked and stored under its SHA-256.
    CodeUploaded {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        code_hash: [u8; 32],
        uploader: AccountId,
        size: u32,
    },
    /// A contract was created; its cluster's workers derive its keys.
    ContractInstantiated {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        code_hash: [u8; 32],
        deployer: AccountId,
        cluster: u32,
    },
    /// A quorum of the cluster's members reported the same public keys (`by` completed it):
    /// commands can be encrypted to them from now on.
    ContractKeyPublished {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        encryption_key: [u8; 32],
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        signing_key: [u8; 32],
        by: AccountId,
    },
    /// Another worker derived the same keys.
    ContractKeyConfirmed {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        by: AccountId,
    },
    /// A worker reported different keys from the published ones: evidence that it (or the
    /// quorum that published them) does not hold the cluster key. The published keys stay.
    ContractKeyDisagreement {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        by: AccountId,
        published_by: AccountId,
    },
    /// An encrypted command was accepted and its gas held.
    CommandSubmitted {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        seq: u64,
        sender: AccountId,
        gas_limit: u64,
    },
    /// The first worker's result of a command was recorded: its gas is settled.
    CommandExecuted {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        seq: u64,
        succeeded: bool,
        fuel_used: u64,
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        state_hash: [u8; 32],
        by: AccountId,
    },
    /// An event the contract emitted during command `seq` (public, as the contract chose).
    ContractEvent {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        seq: u64,
        data: EventData,
    },
    /// Another worker reported the same result.
    CommandConfirmed {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        seq: u64,
        by: AccountId,
    },
    /// A worker reported a different result (status, fuel, state hash, output or events) from
    /// the recorded one: evidence that the two do not run the same contract on the same state.
    StateDisagreement {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        seq: u64,
        by: AccountId,
        recorded_by: AccountId,
    },
    /// A member reported the contract's keys, not yet a quorum for them: `reports` of
    /// `quorum` agree so far.
    ContractKeyReported {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        encryption_key: [u8; 32],
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        signing_key: [u8; 32],
        by: AccountId,
        reports: u32,
        quorum: u32,
    },
    /// No result was recorded for command `seq` in time: the gas held for it went back to its
    /// sender (the command may still run later, for free).
    CommandExpired {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        seq: u64,
        sender: AccountId,
        #[serde(with = "crate::amount_json")]
        refunded: phalanx_types::Amount,
    },
    /// A member reported command `seq`'s result, not yet a quorum for it: `reports` of
    /// `quorum` agree so far.
    ResultReported {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        seq: u64,
        by: AccountId,
        reports: u32,
        quorum: u32,
    },
    /// A cluster of `members` workers was created by `by` (the root account, or the proposer
    /// of the governance action); the gatekeepers send each member its share of its key.
    ClusterCreated {
        cluster: u32,
        members: u32,
        by: AccountId,
    },
}

crate::events::component_events! {
    component = "contracts";
    0 => CodeUploaded "code_uploaded" { code_hash, uploader, size };
    1 => ContractInstantiated "contract_instantiated" { contract, code_hash, deployer, cluster };
    2 => ContractKeyPublished "contract_key_published" {
        contract, encryption_key, signing_key, by
    };
    3 => ContractKeyConfirmed "contract_key_confirmed" { contract, by };
    4 => ContractKeyDisagreement "contract_key_disagreement" { contract, by, published_by };
    5 => CommandSubmitted "command_submitted" { contract, seq, sender, gas_limit };
    6 => CommandExecuted "command_executed" {
        contract, seq, succeeded, fuel_used, state_hash, by
    };
    7 => ContractEvent "contract_event" { contract, seq, data };
    8 => CommandConfirmed "command_confirmed" { contract, seq, by };
    9 => StateDisagreement "state_disagreement" { contract, seq, by, recorded_by };
    10 => ClusterCreated "cluster_created" { cluster, members, by };
    11 => ContractKeyReported "contract_key_reported" {
        contract, encryption_key, signing_key, by, reports, quorum
    };
    12 => ResultReported "result_reported" { contract, seq, by, reports, quorum };
    13 => CommandExpired "command_expired" { contract, seq, sender, refunded };
}

#[cfg(test)]
impl Event {
    /// One value of every variant.
    pub(crate) fn samples() -> Vec<Self> {
        use crate::events::tests::account;
        vec![
            Event::CodeUploaded {
                code_hash: [1; 32],
                uploader: account(1),
                size: 1234,
            },
            Event::ContractInstantiated {
                contract: [2; 32],
                code_hash: [1; 32],
                deployer: account(1),
                cluster: 0,
            },
            Event::ContractKeyPublished {
                contract: [2; 32],
                encryption_key: [3; 32],
                signing_key: [4; 32],
                by: account(5),
            },
            Event::ContractKeyConfirmed {
                contract: [2; 32],
                by: account(6),
            },
            Event::ContractKeyDisagreement {
                contract: [2; 32],
                by: account(6),
                published_by: account(5),
            },
            Event::CommandSubmitted {
                contract: [2; 32],
                seq: 3,
                sender: account(1),
                gas_limit: 1_000_000,
            },
            Event::CommandExecuted {
                contract: [2; 32],
                seq: 3,
                succeeded: true,
                fuel_used: 12_345,
                state_hash: [7; 32],
                by: account(5),
            },
            Event::ContractEvent {
                contract: [2; 32],
                seq: 3,
                data: EventData(vec![1, 2, 3]),
            },
            Event::CommandConfirmed {
                contract: [2; 32],
                seq: 3,
                by: account(6),
            },
            Event::StateDisagreement {
                contract: [2; 32],
                seq: 3,
                by: account(6),
                recorded_by: account(5),
            },
            Event::ClusterCreated {
                cluster: 1,
                members: 3,
                by: account(1),
            },
            Event::CommandExpired {
                contract: [2; 32],
                seq: 3,
                sender: account(1),
                refunded: 10_000,
            },
            Event::ResultReported {
                contract: [2; 32],
                seq: 3,
                by: account(6),
                reports: 1,
                quorum: 2,
            },
            Event::ContractKeyReported {
                contract: [2; 32],
                encryption_key: [3; 32],
                signing_key: [4; 32],
                by: account(6),
                reports: 1,
                quorum: 2,
            },
        ]
    }
}
