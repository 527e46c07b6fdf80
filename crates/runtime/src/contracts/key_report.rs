//! The `contract_key` message: a worker of the contract's cluster reports the public keys it
//! derived. The first report is published; every later one from another worker confirms it
//! or, if the keys differ, is recorded as evidence of a disagreement.

use super::{ContractKeys, Error, Event, contract, state_key};
use crate::{CallResult, Ctx, mq::Handled, registry::WorkerRecord, state::State};
use commonware_codec::Encode;

pub fn report_keys(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    sender: &WorkerRecord,
    id: &[u8; 32],
    encryption_key: &[u8; 32],
    signing_key: &[u8; 32],
) -> CallResult<Handled> {
    let Some(mut record) = contract(state, id)? else {
        return Err(Error::UnknownContract.into());
    };
    let by = &sender.info.identity;
    if !super::is_member(state, record.cluster, by)? {
        return Err(Error::NotClusterMember.into());
    }
    let reported = state_key::key_report(id, by);
    if state.get(&reported)?.is_some() {
        return Err(Error::KeyAlreadyReported.into());
    }
    state.put(reported, Some(vec![1]));
    let event = match &mut record.keys {
        None => {
            record.keys = Some(ContractKeys {
                encryption_key: *encryption_key,
                signing_key: *signing_key,
                reported_by: by.clone(),
                height: ctx.env.height,
                confirmations: 0,
            });
            Event::ContractKeyPublished {
                contract: *id,
                encryption_key: *encryption_key,
                signing_key: *signing_key,
                by: by.clone(),
            }
        }
        Some(keys)
            if keys.encryption_key == *encryption_key && keys.signing_key == *signing_key =>
        {
            keys.confirmations = keys.confirmations.saturating_add(1);
            Event::ContractKeyConfirmed {
                contract: *id,
                by: by.clone(),
            }
        }
        Some(keys) => Event::ContractKeyDisagreement {
            contract: *id,
            by: by.clone(),
            published_by: keys.reported_by.clone(),
        },
    };
    state.put(state_key::contract(id), Some(record.encode().to_vec()));
    Ok(Handled {
        events: vec![event.into()],
        new_work: true,
    })
}
