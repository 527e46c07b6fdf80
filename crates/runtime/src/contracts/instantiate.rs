//! `contracts.instantiate`: create a contract from uploaded code on a cluster, and tell the
//! cluster's workers to derive its keys.

use super::{ContractRecord, Error, Event, code_info, contract, contract_id, state_key};
use crate::{CallResult, Ctx, keys, mq, state::State};
use commonware_codec::Encode;
use phalanx_types::ChainMessage;

pub fn instantiate(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    code_hash: &[u8; 32],
    cluster: u32,
    salt: &[u8; 32],
) -> CallResult {
    if !super::cluster_exists(state, cluster)? {
        return Err(Error::UnknownCluster.into());
    }
    if code_info(state, code_hash)?.is_none() {
        return Err(Error::UnknownCode.into());
    }
    // The contract's keys derive from the cluster key of the current generation, for good:
    // workers that join later derive the same ones.
    let Some(generation) = keys::generation(state)? else {
        return Err(Error::NoMasterKey.into());
    };
    let id = contract_id(&ctx.env.chain_id, ctx.signer, code_hash, cluster, salt);
    if contract(state, &id)?.is_some() {
        return Err(Error::ContractExists.into());
    }
    let record = ContractRecord {
        code_hash: *code_hash,
        cluster,
        generation,
        deployer: ctx.signer.clone(),
        created_height: ctx.env.height,
        keys: None,
        commands: 0,
        executed: 0,
        state_hash: [0; 32],
    };
    state.put(state_key::contract(&id), Some(record.encode().to_vec()));
    state_key::contracts().push(state, &id)?;
    // The broadcast queue reaches every worker; those outside the cluster skip it.
    mq::broadcast(
        state,
        &ChainMessage::ContractInstantiated {
            contract: id,
            code_hash: *code_hash,
            cluster,
            generation,
        },
    )?;
    Ok(vec![
        Event::ContractInstantiated {
            contract: id,
            code_hash: *code_hash,
            deployer: ctx.signer.clone(),
            cluster,
        }
        .into(),
    ])
}
