//! Governance over the node's API: `GET /proposals`, `GET /proposal/{id}` and their types
//! (the parameters in force are in `GET /chain`), and turning a component's parameters between JSON and the encoding a proposal carries
//! (with the runtime's own parameter types, so a bad value is caught before it costs a fee).

use crate::{
    api::AmountView,
    http::{self, HttpError},
};
use phalanx_runtime::{ComponentParams, ParamsVisitor, governance::Status, visit_params};
use phalanx_types::AccountId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most proposals one `GET /proposals` returns.
pub const MAX_PROPOSALS_PAGE: u64 = 100;

fn default_limit() -> u64 {
    MAX_PROPOSALS_PAGE
}

/// `GET /proposals?offset=&limit=` (newest last; `limit` at most [`MAX_PROPOSALS_PAGE`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalsQuery {
    #[serde(default)]
    pub offset: u64,
    #[serde(default = "default_limit")]
    pub limit: u64,
}

/// A proposal as the node shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalView {
    pub id: u64,
    pub proposer: AccountId,
    /// `set_params`, `set_attestation_policy`, `promote_gatekeeper`, `rotate_master_key`,
    /// `treasury_spend` or `signal`.
    pub kind: String,
    /// What it does, for people and scripts: e.g. `{"component": "stakepool", "params": {..}}`
    /// or `{"to": .., "amount": ..}`.
    pub action: Value,
    pub status: Status,
    pub deposit: AmountView,
    pub created_ms: u64,
    pub ends_ms: u64,
    /// When a passed proposal's action runs (0 until it passes).
    pub enact_ms: u64,
    pub yes: AmountView,
    pub no: AmountView,
    pub abstain: AmountView,
    pub turnout: AmountView,
    pub quorum: AmountView,
    pub voters: u32,
    /// Whether it would pass if the vote ended now (yes > no, turnout ≥ quorum).
    pub passing: bool,
    /// Why its action failed, for a `failed` proposal.
    pub outcome: String,
}

/// `GET /proposals`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalsResponse {
    pub finalized_height: u64,
    /// The head's block time (to compare with `ends_ms`).
    pub block_time_ms: u64,
    pub count: u64,
    pub proposals: Vec<ProposalView>,
}

/// `GET /proposal/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalResponse {
    pub finalized_height: u64,
    pub block_time_ms: u64,
    pub proposal: ProposalView,
}

/// `GET /proposals`.
pub fn proposals(rpc: &str, query: &ProposalsQuery) -> Result<ProposalsResponse, HttpError> {
    http::get(
        rpc,
        &format!("/proposals?offset={}&limit={}", query.offset, query.limit),
    )
}

/// `GET /proposal/{id}`.
pub fn proposal(rpc: &str, id: u64) -> Result<ProposalResponse, HttpError> {
    http::get(rpc, &format!("/proposal/{id}"))
}

struct FromJson(Value);

impl ParamsVisitor for FromJson {
    type Output = Result<Vec<u8>, String>;
    fn visit<P>(self) -> Self::Output
    where
        P: ComponentParams + Serialize + serde::de::DeserializeOwned,
    {
        let params: P = serde_json::from_value(self.0).map_err(|e| e.to_string())?;
        params.validate()?;
        Ok(params.encode().to_vec())
    }
}

struct ToJson<'a>(&'a [u8]);

impl ParamsVisitor for ToJson<'_> {
    type Output = Result<Value, String>;
    fn visit<P>(self) -> Self::Output
    where
        P: ComponentParams + Serialize + serde::de::DeserializeOwned,
    {
        let params =
            <P as commonware_codec::DecodeExt<()>>::decode(commonware_codec::Copying(self.0))
                .map_err(|e| e.to_string())?;
        serde_json::to_value(params).map_err(|e| e.to_string())
    }
}

/// `component`'s parameters from JSON to the encoding a `set_params` proposal carries, checked
/// by the component's own validation.
pub fn encode_params(component: &str, json: Value) -> Result<Vec<u8>, String> {
    visit_params(component, FromJson(json))
        .ok_or_else(|| format!("no component named `{component}`"))?
}

/// A `set_params` proposal's bytes back to JSON (for display).
pub fn decode_params(component: &str, encoded: &[u8]) -> Result<Value, String> {
    visit_params(component, ToJson(encoded))
        .ok_or_else(|| format!("no component named `{component}`"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_go_to_bytes_and_back_and_bad_values_are_caught_here() {
        let params = phalanx_runtime::Params::default();
        let json = serde_json::to_value(&params.stakepool).unwrap_or(Value::Null);
        let bytes = encode_params("stakepool", json.clone()).unwrap_or_default();
        assert_eq!(decode_params("stakepool", &bytes).ok(), Some(json.clone()));
        let mut bad = json;
        bad["max_queue"] = Value::from(0);
        assert!(
            encode_params("stakepool", bad)
                .unwrap_err()
                .contains("max_queue")
        );
        assert!(encode_params("nonesuch", Value::Null).is_err());
        assert!(decode_params("stakepool", &[1, 2]).is_err());
    }
}
