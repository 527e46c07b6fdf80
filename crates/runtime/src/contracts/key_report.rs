//! The `contract_key` message: a worker of the contract's cluster reports the public keys it
//! derived. Reports are counted per set of keys until one set has a quorum of the cluster
//! ([`super::cluster_quorum`]: a majority of a cluster of chosen workers, one for cluster 0); that
//! set is published, and every member that had reported other keys is recorded then as
//! evidence of a disagreement. Every later report confirms it or, if the keys differ, is
//! evidence too. A vote where no set can reach the quorum (two members of two disagreeing)
//! leaves the contract without keys: each member reports once.

use super::{ContractKeys, Error, Event, contract, quorum, state_key};
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
    let candidate = super::sha256(&[encryption_key, signing_key]);
    // The marker keeps which keys this worker reported, for the evidence at publication.
    state.put(reported, Some(candidate.to_vec()));
    let mut events = Vec::new();
    let event = match &mut record.keys {
        None => {
            let quorum = super::cluster_quorum(state, record.cluster)?;
            let reports = quorum::tally(state, state_key::key_votes(id, &candidate), quorum)?;
            if reports < quorum {
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
            events = quorum::dissenters(
                state,
                record.cluster,
                &candidate,
                |member| state_key::key_report(id, member),
                |other| state_key::key_votes(id, other),
            )?
            .into_iter()
            .map(|member| {
                Event::ContractKeyDisagreement {
                    contract: *id,
                    by: member,
                    published_by: by.clone(),
                }
                .into()
            })
            .collect();
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
