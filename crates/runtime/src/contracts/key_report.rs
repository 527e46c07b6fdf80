//! The `contract_key` message: a worker of the contract's cluster reports the public keys it
//! derived. Reports are counted per set of keys until one set has a quorum of the cluster
//! ([`super::key_quorum`]: a majority of a cluster of chosen workers, one for cluster 0); that
//! set is published. Every later report confirms it or, if the keys differ, is recorded as
//! evidence of a disagreement.

use super::{ContractKeys, Error, Event, contract, state_key};
use crate::{
    CallResult, Ctx,
    mq::Handled,
    registry::WorkerRecord,
    state::{State, read_decoded},
};
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
            let candidate = super::sha256(&[encryption_key, signing_key]);
            let votes_key = state_key::key_votes(id, &candidate);
            let reports = read_decoded::<u32>(state, votes_key)?
                .unwrap_or(0)
                .saturating_add(1);
            let quorum = super::key_quorum(state, record.cluster)?;
            if reports < quorum {
                state.put(votes_key, Some(reports.encode().to_vec()));
                return Ok(Handled {
                    events: vec![
                        Event::ContractKeyReported {
                            contract: *id,
                            by: by.clone(),
                            reports,
                            quorum,
                        }
                        .into(),
                    ],
                    new_work: true,
                });
            }
            state.put(votes_key, None);
            record.keys = Some(ContractKeys {
                encryption_key: *encryption_key,
                signing_key: *signing_key,
                reported_by: by.clone(),
                height: ctx.env.height,
                confirmations: reports - 1,
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
