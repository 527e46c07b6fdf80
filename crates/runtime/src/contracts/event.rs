//! Events of `contracts`.

use phalanx_types::AccountId;
use serde::{Deserialize, Serialize};

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
    /// The first worker of the cluster reported the contract's public keys: commands can be
    /// encrypted to it from now on.
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
    /// first reporter) does not hold the cluster key it claims. The published keys stay.
    ContractKeyDisagreement {
        #[serde(with = "phalanx_types::hex_serde::bytes32")]
        contract: [u8; 32],
        by: AccountId,
        published_by: AccountId,
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
        ]
    }
}
