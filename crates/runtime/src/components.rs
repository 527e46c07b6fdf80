//! The component list: the one place that names every component.
//!
//! Adding a component means a tag in [`component_tag`] (if it has events or can refuse) and one
//! line in each of: [`Event`], [`DispatchError`] (if it can refuse), [`Params`], [`dispatch`]
//! and [`call_info`] (if it has calls), and the block hooks [`begin_block`] / [`end_block`] (if
//! it has any). Components talk to each other through the hook traits they define
//! (`registry::RegistryHooks`, `mq::MessageHooks`), which [`Wiring`] implements here, so no
//! component imports one that depends on it.

use crate::{
    BlockEnv, CallResult, Ctx, balances, beacon, computation, contracts, fees, governance, keys,
    mq,
    params::ComponentParams,
    registry::{self, WorkerRecord},
    stakepool,
    state::{State, StateError},
    tokenomics,
};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{AccountId, Amount, Call, ChainMessage, Payload, PoolId, WorkerId};
use serde::{Deserialize, Serialize};

/// Something that happened, for clients and indexers: `{"component": .., "event": .., ..}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "component", rename_all = "snake_case")]
pub enum Event {
    Balances(balances::Event),
    Fees(fees::Event),
    Registry(registry::Event),
    Mq(mq::Event),
    Keys(keys::Event),
    Tokenomics(tokenomics::Event),
    Computation(computation::Event),
    Beacon(beacon::Event),
    #[serde(rename = "stakepool")]
    StakePool(stakepool::Event),
    Governance(governance::Event),
    Contracts(contracts::Event),
}

/// Each component's tag in the binary encodings that name a component: a failed outcome's
/// error ([`DispatchError`]) and an [`Event`]. Never renumber or reuse one. Fees and tokenomics
/// refuse nothing, so their first tags are their events'. (Calls are numbered apart, in
/// `phalanx_types::Call`, which has no beacon.)
pub mod component_tag {
    pub const BALANCES: u8 = 0;
    pub const REGISTRY: u8 = 1;
    pub const MQ: u8 = 2;
    pub const KEYS: u8 = 3;
    pub const COMPUTATION: u8 = 4;
    pub const BEACON: u8 = 5;
    pub const STAKEPOOL: u8 = 6;
    pub const GOVERNANCE: u8 = 7;
    pub const FEES: u8 = 8;
    pub const TOKENOMICS: u8 = 9;
    pub const CONTRACTS: u8 = 10;
}

/// Conversions, kinds, named accounts and the binary encoding of [`Event`]: the component's
/// tag, then the component's own encoding (see [`crate::events`]).
macro_rules! events {
    ($($component:ident => $variant:ident = $tag:path),+ $(,)?) => {
        $(impl From<$component::Event> for Event {
            fn from(e: $component::Event) -> Self {
                Event::$variant(e)
            }
        })+

        impl Event {
            /// Every kind of event, `component.event`.
            pub const KINDS: &'static [&'static str] =
                &concat_kinds::<{ 0 $(+ $component::Event::KINDS.len())+ }>(&[
                    $($component::Event::KINDS),+
                ]);

            /// `component.event`, as in JSON: e.g. `balances.transfer`.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Event::$variant(e) => e.kind(),)+
                }
            }

            /// Every account the event names, each once.
            pub fn accounts(&self) -> Vec<AccountId> {
                match self {
                    $(Event::$variant(e) => e.accounts(),)+
                }
            }

            /// The fields in encoding order.
            #[cfg(test)]
            pub(crate) fn codec_fields(&self) -> &'static [&'static str] {
                match self {
                    $(Event::$variant(e) => e.codec_fields(),)+
                }
            }

            /// One value of every variant of every component.
            #[cfg(test)]
            pub(crate) fn samples() -> Vec<Self> {
                let mut all = Vec::new();
                $(all.extend($component::Event::samples().into_iter().map(Event::$variant));)+
                all
            }
        }

        impl Write for Event {
            fn write(&self, buf: &mut impl BufMut) {
                match self {
                    $(Event::$variant(e) => {
                        $tag.write(buf);
                        e.write(buf);
                    })+
                }
            }
        }

        impl EncodeSize for Event {
            fn encode_size(&self) -> usize {
                1 + match self {
                    $(Event::$variant(e) => e.encode_size(),)+
                }
            }
        }

        impl Read for Event {
            type Cfg = ();
            fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
                match u8::read(buf)? {
                    $($tag => Ok(Event::$variant($component::Event::read(buf)?)),)+
                    tag => Err(CodecError::InvalidEnum(tag)),
                }
            }
        }
    };
}
events!(
    balances => Balances = component_tag::BALANCES,
    fees => Fees = component_tag::FEES,
    registry => Registry = component_tag::REGISTRY,
    mq => Mq = component_tag::MQ,
    keys => Keys = component_tag::KEYS,
    tokenomics => Tokenomics = component_tag::TOKENOMICS,
    computation => Computation = component_tag::COMPUTATION,
    beacon => Beacon = component_tag::BEACON,
    stakepool => StakePool = component_tag::STAKEPOOL,
    governance => Governance = component_tag::GOVERNANCE,
    contracts => Contracts = component_tag::CONTRACTS,
);

/// The components' kinds in one array, built at compile time (a wrong `N` does not compile).
const fn concat_kinds<const N: usize>(parts: &[&[&'static str]]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    let mut p = 0;
    while p < parts.len() {
        let mut k = 0;
        while k < parts[p].len() {
            out[i] = parts[p][k];
            i += 1;
            k += 1;
        }
        p += 1;
    }
    assert!(i == N, "N is the number of kinds");
    out
}

/// Why an included transaction's call failed: the component's own code. The fee is still
/// charged and the nonce bumped. Encoded in blocks as ([`component_tag`], code): never
/// renumber.
/// In JSON and text: `component.name`, e.g. `balances.insufficient_balance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DispatchError {
    Balances(balances::Error),
    Registry(registry::Error),
    Mq(mq::Error),
    Keys(keys::Error),
    Computation(computation::Error),
    Beacon(beacon::Error),
    StakePool(stakepool::Error),
    Governance(governance::Error),
    Contracts(contracts::Error),
}

macro_rules! dispatch_errors {
    ($($component:ident => $variant:ident = $tag:path),+ $(,)?) => {
        $(impl From<$component::Error> for DispatchError {
            fn from(e: $component::Error) -> Self {
                DispatchError::$variant(e)
            }
        })+

        impl DispatchError {
            /// The component's tag in the block encoding.
            pub fn component_tag(&self) -> u8 {
                match self {
                    $(DispatchError::$variant(_) => $tag,)+
                }
            }

            /// The code within the component.
            pub fn code(&self) -> u8 {
                match self {
                    $(DispatchError::$variant(e) => e.code(),)+
                }
            }

            pub fn from_codes(tag: u8, code: u8) -> Option<Self> {
                match tag {
                    $($tag => $component::Error::from_code(code).map(DispatchError::$variant),)+
                    _ => None,
                }
            }

            /// `component.name`.
            pub fn name(&self) -> String {
                match self {
                    $(DispatchError::$variant(e) => format!("{}.{}", $component::Error::COMPONENT, e.name()),)+
                }
            }

            /// Parses `component.name`.
            pub fn from_name(name: &str) -> Option<Self> {
                let (component, code) = name.split_once('.')?;
                match component {
                    $(c if c == $component::Error::COMPONENT => $component::Error::from_name(code).map(DispatchError::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for DispatchError {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $(DispatchError::$variant(e) => e.fmt(f),)+
                }
            }
        }
    };
}
dispatch_errors!(
    balances => Balances = component_tag::BALANCES,
    registry => Registry = component_tag::REGISTRY,
    mq => Mq = component_tag::MQ,
    keys => Keys = component_tag::KEYS,
    computation => Computation = component_tag::COMPUTATION,
    beacon => Beacon = component_tag::BEACON,
    stakepool => StakePool = component_tag::STAKEPOOL,
    governance => Governance = component_tag::GOVERNANCE,
    contracts => Contracts = component_tag::CONTRACTS,
);

impl std::error::Error for DispatchError {}

impl Serialize for DispatchError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for DispatchError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        DispatchError::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown dispatch error `{name}`")))
    }
}

/// Every component's parameters, read once per block. Each lives under its own state key.
/// In a chain spec, a component left out takes its defaults; a field no component knows is
/// refused, so a spec written before parameters were split by component fails loudly
/// instead of running with defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub balances: balances::Params,
    #[serde(default)]
    pub fees: fees::Params,
    #[serde(default)]
    pub registry: registry::Params,
    #[serde(default)]
    pub keys: keys::Params,
    #[serde(default)]
    pub tokenomics: tokenomics::Params,
    #[serde(default)]
    pub computation: computation::Params,
    #[serde(default)]
    pub beacon: beacon::Params,
    #[serde(default)]
    pub stakepool: stakepool::Params,
    #[serde(default)]
    pub governance: governance::Params,
    #[serde(default)]
    pub contracts: contracts::Params,
}

impl Params {
    /// The state keys they live under (for callers that prefetch).
    pub fn keys() -> [crate::StateKey; 10] {
        [
            balances::Params::key(),
            fees::Params::key(),
            registry::Params::key(),
            keys::Params::key(),
            tokenomics::Params::key(),
            computation::Params::key(),
            beacon::Params::key(),
            stakepool::Params::key(),
            governance::Params::key(),
            contracts::Params::key(),
        ]
    }

    pub fn load(state: &(impl State + ?Sized)) -> Result<Self, StateError> {
        Ok(Self {
            balances: balances::Params::load(state)?,
            fees: fees::Params::load(state)?,
            registry: registry::Params::load(state)?,
            keys: keys::Params::load(state)?,
            tokenomics: tokenomics::Params::load(state)?,
            computation: computation::Params::load(state)?,
            beacon: beacon::Params::load(state)?,
            stakepool: stakepool::Params::load(state)?,
            governance: governance::Params::load(state)?,
            contracts: contracts::Params::load(state)?,
        })
    }

    pub fn store(&self, state: &mut (impl State + ?Sized)) {
        self.balances.store(state);
        self.fees.store(state);
        self.registry.store(state);
        self.keys.store(state);
        self.tokenomics.store(state);
        self.computation.store(state);
        self.beacon.store(state);
        self.stakepool.store(state);
        self.governance.store(state);
        self.contracts.store(state);
    }

    /// The first component whose parameters are unusable, and why.
    pub fn validate(&self) -> Result<(), String> {
        let named = |c: &str, r: Result<(), String>| r.map_err(|e| format!("{c}: {e}"));
        named("balances", self.balances.validate())?;
        named("fees", self.fees.validate())?;
        named("registry", self.registry.validate())?;
        named("keys", self.keys.validate())?;
        named("tokenomics", self.tokenomics.validate())?;
        named("computation", self.computation.validate())?;
        named("beacon", self.beacon.validate())?;
        named("stakepool", self.stakepool.validate())?;
        named("governance", self.governance.validate())?;
        named("contracts", self.contracts.validate())
    }
}

/// Something done with one component's parameter type, chosen by the component's name (for
/// governance's parameter changes, and clients that build them from JSON).
pub trait ParamsVisitor {
    type Output;
    fn visit<P>(self) -> Self::Output
    where
        P: ComponentParams + Serialize + serde::de::DeserializeOwned;
}

/// The components with parameters, once: their names and [`visit_params`] come from this list.
macro_rules! params_components {
    ($($c:ident),+ $(,)?) => {
        /// The names of every component with parameters.
        pub const PARAMS_COMPONENTS: &[&str] = &[$(<$c::Params as ComponentParams>::COMPONENT),+];

        /// Runs `visitor` on the parameter type of `component`; `None` for an unknown name.
        pub fn visit_params<V: ParamsVisitor>(component: &str, visitor: V) -> Option<V::Output> {
            $(if component == <$c::Params as ComponentParams>::COMPONENT {
                return Some(visitor.visit::<$c::Params>());
            })+
            None
        }
    };
}
params_components!(
    balances,
    fees,
    registry,
    keys,
    tokenomics,
    computation,
    beacon,
    stakepool,
    governance,
    contracts
);

/// Decodes `encoded` as `P` and validates it.
fn decode_valid<P: ComponentParams>(encoded: &[u8]) -> Result<P, String> {
    let params = <P as commonware_codec::DecodeExt<()>>::decode(commonware_codec::Copying(encoded))
        .map_err(|e| format!("not {} parameters: {e}", P::COMPONENT))?;
    params.validate()?;
    Ok(params)
}

struct CheckParams<'a>(&'a [u8]);

impl ParamsVisitor for CheckParams<'_> {
    type Output = Result<(), String>;
    fn visit<P>(self) -> Self::Output
    where
        P: ComponentParams + Serialize + serde::de::DeserializeOwned,
    {
        decode_valid::<P>(self.0).map(|_| ())
    }
}

struct CurrentParams<'a, S: ?Sized>(&'a S);

impl<S: State + ?Sized> ParamsVisitor for CurrentParams<'_, S> {
    type Output = Result<Vec<u8>, StateError>;
    fn visit<P>(self) -> Self::Output
    where
        P: ComponentParams + Serialize + serde::de::DeserializeOwned,
    {
        Ok(P::load(self.0)?.encode().to_vec())
    }
}

struct StoreParams<'a, S: ?Sized>(&'a mut S, &'a [u8]);

impl<S: State + ?Sized> ParamsVisitor for StoreParams<'_, S> {
    type Output = Result<(), String>;
    fn visit<P>(self) -> Self::Output
    where
        P: ComponentParams + Serialize + serde::de::DeserializeOwned,
    {
        decode_valid::<P>(self.1)?.store(self.0);
        Ok(())
    }
}

/// A per-block limit on a kind of call (e.g. attestations, which cost every validator
/// milliseconds each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub name: &'static str,
    pub max: u32,
}

/// What the executor, the mempool and fees need to know about a call, answered by its
/// component, so none of them matches on calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallInfo {
    /// The fee for the call's work (on top of the base and per-byte fees).
    pub fee: Amount,
    /// What the call spends from the signer's balance besides the fee (admission checks the
    /// balance covers both).
    pub spends: Amount,
    /// State keys the call will read, loaded before it runs.
    pub prefetch: Vec<crate::StateKey>,
    /// The per-block quota the call counts against, if any.
    pub quota: Option<Quota>,
}

impl CallInfo {
    /// A privileged call: priced at the admin fee, spends nothing, no quota.
    pub fn admin(params: &Params) -> Self {
        Self {
            fee: params.fees.admin_fee,
            spends: 0,
            prefetch: Vec::new(),
            quota: None,
        }
    }
}

/// Facts about `call`, from its component.
pub fn call_info(params: &Params, call: &Call) -> CallInfo {
    match call {
        Call::Balances(c) => balances::call_info(params, c),
        Call::Registry(c) => registry::call_info(params, c),
        Call::Mq(c) => mq::call_info(params, c),
        Call::Keys(c) => keys::call_info(params, c),
        Call::Computation(c) => computation::call_info(params, c),
        Call::StakePool(c) => stakepool::call_info(params, c),
        Call::Governance(c) => governance::call_info(params, c),
        Call::Contracts(c) => contracts::call_info(params, c),
    }
}

/// Runs `call` by its component's handler.
pub fn dispatch(state: &mut (impl State + ?Sized), ctx: &Ctx, call: &Call) -> CallResult {
    match call {
        Call::Balances(c) => balances::dispatch(state, ctx, c),
        Call::Registry(c) => registry::dispatch(state, ctx, &Wiring, c),
        Call::Mq(c) => mq::dispatch(state, ctx, &Wiring, c),
        Call::Keys(c) => keys::dispatch(state, ctx, c),
        Call::Computation(c) => computation::dispatch(state, ctx, &Wiring, c),
        Call::StakePool(c) => stakepool::dispatch(state, ctx, c),
        Call::Governance(c) => governance::dispatch(state, ctx, &Wiring, c),
        Call::Contracts(c) => contracts::dispatch(state, ctx, c),
    }
}

/// Whether a successful call's fee goes back to the signer: a gatekeeper's message that did
/// new work.
pub fn fee_refunded(events: &[Event]) -> bool {
    events
        .iter()
        .any(|e| matches!(e, Event::Mq(mq::Event::MessageAccepted { free: true, .. })))
}

/// Runs before a block's transactions, in this order. None yet.
pub fn begin_block(
    _state: &mut (impl State + ?Sized),
    _params: &Params,
    _env: &BlockEnv,
) -> Result<Vec<Event>, StateError> {
    Ok(Vec::new())
}

/// Runs after a block's transactions, in this order.
pub fn end_block(
    state: &mut (impl State + ?Sized),
    params: &Params,
    env: &BlockEnv,
) -> Result<Vec<Event>, StateError> {
    let mut events = tokenomics::end_block(state, &params.tokenomics, env)?;
    events.extend(computation::end_block(state, params, env)?);
    events.extend(governance::end_block(state, params, env, &Wiring)?);
    Ok(events)
}

/// How components react to each other.
pub struct Wiring;

impl registry::RegistryHooks for Wiring {
    fn worker_registered(
        &self,
        state: &mut (impl State + ?Sized),
        _ctx: &Ctx,
        worker: &WorkerRecord,
    ) -> CallResult {
        mq::broadcast(
            state,
            &ChainMessage::WorkerRegistered {
                worker: worker.info.identity.clone(),
                encryption_key: worker.info.encryption_key,
            },
        )?;
        Ok(Vec::new())
    }

    fn gatekeeper_promoted(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        promoted: &WorkerRecord,
    ) -> CallResult {
        mq::broadcast(
            state,
            &ChainMessage::GatekeeperPromoted {
                worker: promoted.info.identity.clone(),
                encryption_key: promoted.info.encryption_key,
            },
        )?;
        keys::gatekeepers_changed(state, ctx.env)
    }

    fn gatekeeper_removed(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        _removed: &WorkerRecord,
    ) -> CallResult {
        keys::gatekeepers_changed(state, ctx.env)
    }
}

impl mq::MessageHooks for Wiring {
    fn handle_payload(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        sender: &WorkerRecord,
        payload: &Payload,
    ) -> CallResult<mq::Handled> {
        match payload {
            Payload::BenchmarkReport { iterations } => {
                computation::benchmark_report(state, ctx, sender, *iterations)
            }
            Payload::BeaconShare { round, partial } => {
                beacon::beacon_share(state, ctx, sender, *round, partial)
            }
            Payload::MiningHeartbeat { round, iterations } => {
                computation::mining_heartbeat(state, ctx, self, sender, *round, *iterations)
            }
            Payload::KeyShare { .. }
            | Payload::DkgDeal { .. }
            | Payload::DkgAck { .. }
            | Payload::DkgLog { .. } => keys::handle_payload(state, ctx, sender, payload),
            Payload::ContractKey {
                contract,
                encryption_key,
                signing_key,
            } => contracts::report_keys(state, ctx, sender, contract, encryption_key, signing_key),
            Payload::CommandResult {
                contract,
                seq,
                succeeded,
                fuel_used,
                state_hash,
                output,
                events,
            } => contracts::report_result(
                state,
                ctx,
                sender,
                &contracts::Report {
                    contract,
                    seq: *seq,
                    succeeded: *succeeded,
                    fuel_used: *fuel_used,
                    state_hash,
                    output,
                    events,
                },
            ),
            // `mq` records heartbeats itself and never hands them on.
            Payload::Heartbeat { .. } => Ok(mq::Handled::default()),
        }
    }
}

impl computation::MiningHooks for Wiring {
    fn worker_pool(
        &self,
        state: &(impl State + ?Sized),
        worker: &WorkerId,
    ) -> Result<Option<PoolId>, StateError> {
        stakepool::worker_pool(state, worker)
    }

    fn pool_rewarded(
        &self,
        state: &mut (impl State + ?Sized),
        _ctx: &Ctx,
        pool: PoolId,
        worker: &WorkerId,
        amount: Amount,
    ) -> CallResult {
        stakepool::mining_hooks::rewarded(state, pool, worker, amount)
    }

    fn pool_slashed(
        &self,
        state: &mut (impl State + ?Sized),
        _ctx: &Ctx,
        pool: PoolId,
        amount: Amount,
    ) -> CallResult {
        stakepool::mining_hooks::slashed(state, pool, amount)
    }

    fn pool_reclaimed(
        &self,
        state: &mut (impl State + ?Sized),
        _ctx: &Ctx,
        pool: PoolId,
        stake: Amount,
        returned: Amount,
    ) -> CallResult {
        stakepool::mining_hooks::reclaimed(state, pool, stake, returned)
    }
}

impl governance::GovernanceHooks for Wiring {
    fn check_params(
        &self,
        component: &str,
        encoded: &[u8],
    ) -> Result<(), governance::ParamsRefusal> {
        visit_params(component, CheckParams(encoded))
            .ok_or(governance::ParamsRefusal::UnknownComponent)?
            .map_err(governance::ParamsRefusal::Invalid)
    }

    fn current_params(
        &self,
        state: &(impl State + ?Sized),
        component: &str,
    ) -> Result<Option<Vec<u8>>, StateError> {
        visit_params(component, CurrentParams(state)).transpose()
    }

    fn set_params(
        &self,
        state: &mut (impl State + ?Sized),
        component: &str,
        encoded: &[u8],
    ) -> Result<Result<(), governance::ParamsRefusal>, StateError> {
        Ok(visit_params(component, StoreParams(state, encoded))
            .ok_or(governance::ParamsRefusal::UnknownComponent)
            .and_then(|r| r.map_err(governance::ParamsRefusal::Invalid)))
    }

    fn promote_gatekeeper(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        worker: &WorkerId,
    ) -> CallResult {
        registry::promote(state, ctx, self, worker)
    }

    fn remove_gatekeeper(
        &self,
        state: &mut (impl State + ?Sized),
        ctx: &Ctx,
        worker: &WorkerId,
    ) -> CallResult {
        registry::remove(state, ctx, self, worker)
    }
}
