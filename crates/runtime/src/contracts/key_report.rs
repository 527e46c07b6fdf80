//! The `contract_key` message: a worker of the contract's cluster reports the public keys it
//! derived. Reports are counted per set of keys until one set has a quorum of the cluster
//! ([`super::key_quorum`]: a majority of a cluster of chosen workers, one for cluster 0); that
//! set is published, and every member that had reported other keys is recorded then as
//! evidence of a disagreement. Every later report confirms it or, if the keys differ, is
//! evidence too. A vote where no set can reach the quorum (two members of two disagreeing)
//! leaves the contract without keys: each member reports once.

use super::{ContractKeys, Error, Event, contract, state_key};
use crate::{
    CallResult, Ctx,
    mq::Handled,
    registry::WorkerRecord,
    state::{State, StateError, read_decoded},
};
use commonware_codec::Encode;
use phalanx_types::WorkerId;

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
    let candidate = super::sha256(&[encryption_key, signing_key]);
    // The marker keeps which keys this worker reported, for the evidence at publication.
    state.put(reported, Some(candidate.to_vec()));
    let mut events = Vec::new();
    let event = match &mut record.keys {
        None => {
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
                            encryption_key: *encryption_key,
                            signing_key: *signing_key,
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
            events = earlier_disagreements(state, id, record.cluster, by, &candidate)?;
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
    events.insert(0, event.into());
    Ok(Handled {
        events,
        new_work: true,
    })
}

/// At publication: a disagreement for each member of `cluster` that reported keys other than
/// the published `candidate` before the quorum, and the tallies of those other keys dropped.
/// (Cluster 0 publishes on its first report: no one reported before.)
fn earlier_disagreements(
    state: &mut (impl State + ?Sized),
    id: &[u8; 32],
    cluster: u32,
    published_by: &WorkerId,
    candidate: &[u8; 32],
) -> Result<Vec<crate::Event>, StateError> {
    let Some(cluster) = super::cluster(state, cluster)? else {
        return Ok(Vec::new());
    };
    let mut events = Vec::new();
    for member in &cluster.members {
        let Some(theirs) = state.get(&state_key::key_report(id, member))? else {
            continue;
        };
        let Ok(theirs) = <[u8; 32]>::try_from(theirs.as_slice()) else {
            continue;
        };
        if theirs != *candidate {
            state.put(state_key::key_votes(id, &theirs), None);
            events.push(
                Event::ContractKeyDisagreement {
                    contract: *id,
                    by: member.clone(),
                    published_by: published_by.clone(),
                }
                .into(),
            );
        }
    }
    Ok(events)
}
