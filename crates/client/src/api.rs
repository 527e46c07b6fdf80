//! Requests and responses of the node's HTTP API.

use phalanx_runtime::{Params, amount_json, tokenomics};
use phalanx_types::{AccountId, Amount};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A finalized block, as the node's index knows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub height: u64,
    /// The block's digest, hex.
    pub digest: String,
    pub timestamp_ms: u64,
    /// The state root its header commits to, hex.
    pub state_root: String,
}

/// `GET /chain`: what a client needs before it signs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainResponse {
    pub chain_id: String,
    /// Every component's parameters in the finalized state; `None` before the first block.
    pub params: Option<Params>,
    /// The genesis block's digest, hex (worker registrations bind it).
    pub genesis: String,
    pub finalized: Head,
    /// Transactions waiting in the node's pool.
    pub mempool: usize,
}

/// `GET /account/{id}`: an account in the finalized state (a never-created one reads as zero
/// balance, nonce 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountResponse {
    pub account: AccountId,
    #[serde(with = "amount_json")]
    pub balance: Amount,
    pub balance_pha: String,
    /// The nonce its next transaction must carry.
    pub nonce: u64,
    /// The height of the finalized block whose state this is (at least).
    pub finalized_height: u64,
}

/// An amount in both forms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountView {
    #[serde(with = "amount_json")]
    pub base_units: u128,
    /// The same amount in PHA, for people.
    pub pha: String,
}

/// `GET /tokenomics`: the emission schedule at the finalized head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenomicsResponse {
    pub finalized_height: u64,
    /// The head's block time, ms since the Unix epoch.
    pub block_time_ms: u64,
    /// When emission started (the genesis time).
    pub genesis_time_ms: u64,
    pub elapsed_ms: u64,
    /// The period (0-based) the head is in.
    pub period: u64,
    /// The emission rate per day in that period.
    pub daily_rate: AmountView,
    /// Moved from the mining reserve to the mining-rewards pot so far.
    pub emitted: AmountView,
    /// What the schedule's closed form says at the head's time (equal to `emitted` unless the
    /// reserve ran out).
    pub schedule_at_head: AmountView,
    /// What the schedule approaches and never reaches.
    pub limit: AmountView,
    /// `mining_reserve`, `mining_rewards`, `treasury`.
    pub pots: BTreeMap<String, AmountView>,
    pub params: tokenomics::Params,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_travel_as_strings() {
        let a = AmountView {
            base_units: u128::MAX,
            pha: "x".into(),
        };
        let text = serde_json::to_string(&a).unwrap_or_default();
        assert!(text.contains(&format!("\"{}\"", u128::MAX)), "{text}");
        assert_eq!(serde_json::from_str::<AmountView>(&text).ok(), Some(a));
    }

    #[test]
    fn account_keeps_the_wire_form() {
        let text = r#"{"account":"0000000000000000000000000000000000000000000000000000000000000000","balance":"1000000000000000001","balance_pha":"1000000.000000000001","nonce":7,"finalized_height":9}"#;
        let a: AccountResponse = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((a.balance, a.nonce), (1_000_000_000_000_000_001, 7));
        assert_eq!(serde_json::to_string(&a).ok().as_deref(), Some(text));
        // A balance that is not a decimal string is refused, not read as zero.
        let bad = text.replace("\"1000000000000000001\"", "1e18");
        assert!(serde_json::from_str::<AccountResponse>(&bad).is_err());
    }

    #[test]
    fn chain_round_trips_with_and_without_params() {
        for params in [None, Some(Params::default())] {
            let c = ChainResponse {
                chain_id: "phalanx-dev".into(),
                params,
                genesis: "00".into(),
                finalized: Head::default(),
                mempool: 3,
            };
            let text = serde_json::to_string(&c).unwrap_or_default();
            assert_eq!(serde_json::from_str::<ChainResponse>(&text).ok(), Some(c));
        }
    }
}
