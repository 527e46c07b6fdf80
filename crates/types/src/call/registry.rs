//! Calls of the `registry` component: TEE workers, gatekeepers and the attestation policy.

use crate::{AccountId, AttestationPolicy, Evidence, WorkerId, WorkerInfo};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, Write};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryCall {
    /// Register (or refresh) a worker operated by the signer, with TEE evidence whose report
    /// data binds `info`, the signer and the chain ([`WorkerInfo::report_data`]).
    RegisterWorker {
        info: WorkerInfo,
        evidence: Evidence,
    },
    /// Replace the attestation policy (privileged: the registry's root account).
    SetAttestationPolicy { policy: AttestationPolicy },
    /// Give a registered worker the gatekeeper role (privileged).
    PromoteGatekeeper { worker: WorkerId },
}

impl RegistryCall {
    const TAG_REGISTER_WORKER: u8 = 0;
    const TAG_SET_ATTESTATION_POLICY: u8 = 1;
    const TAG_PROMOTE_GATEKEEPER: u8 = 2;

    pub fn name(&self) -> &'static str {
        match self {
            RegistryCall::RegisterWorker { .. } => "registry.register_worker",
            RegistryCall::SetAttestationPolicy { .. } => "registry.set_attestation_policy",
            RegistryCall::PromoteGatekeeper { .. } => "registry.promote_gatekeeper",
        }
    }
}

impl Write for RegistryCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            RegistryCall::RegisterWorker { info, evidence } => {
                Self::TAG_REGISTER_WORKER.write(buf);
                info.write(buf);
                evidence.write(buf);
            }
            RegistryCall::SetAttestationPolicy { policy } => {
                Self::TAG_SET_ATTESTATION_POLICY.write(buf);
                policy.write(buf);
            }
            RegistryCall::PromoteGatekeeper { worker } => {
                Self::TAG_PROMOTE_GATEKEEPER.write(buf);
                worker.write(buf);
            }
        }
    }
}

impl EncodeSize for RegistryCall {
    fn encode_size(&self) -> usize {
        match self {
            RegistryCall::RegisterWorker { evidence, .. } => {
                1 + WorkerInfo::SIZE + evidence.encode_size()
            }
            RegistryCall::SetAttestationPolicy { policy } => 1 + policy.encode_size(),
            RegistryCall::PromoteGatekeeper { .. } => 1 + AccountId::SIZE,
        }
    }
}

impl Read for RegistryCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        match u8::read(buf)? {
            Self::TAG_REGISTER_WORKER => Ok(RegistryCall::RegisterWorker {
                info: WorkerInfo::read(buf)?,
                evidence: Evidence::read(buf)?,
            }),
            Self::TAG_SET_ATTESTATION_POLICY => Ok(RegistryCall::SetAttestationPolicy {
                policy: AttestationPolicy::read(buf)?,
            }),
            Self::TAG_PROMOTE_GATEKEEPER => Ok(RegistryCall::PromoteGatekeeper {
                worker: WorkerId::read(buf)?,
            }),
            tag => Err(CodecError::InvalidEnum(tag)),
        }
    }
}
