//! A registered worker, as the chain stores it.

use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, ReadRangeExt, Write};
use phalanx_types::{AccountId, MAX_MEASUREMENT_BYTES, WorkerInfo};
use serde::{Deserialize, Serialize};

/// Longest TCB status string stored (Intel's longest is 33 characters).
const MAX_TCB_STATUS_BYTES: usize = 64;

/// The TEE kind, as stored. Codes are part of the state encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeeCode {
    Sgx = 0,
    Tdx = 1,
    Snp = 2,
}

/// Everything the chain knows about a worker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerRecord {
    #[serde(flatten)]
    pub info: WorkerInfo,
    /// The account that registered the worker and receives its rewards.
    pub operator: AccountId,
    pub tee: TeeCode,
    /// True when the worker attested with simulated evidence: no TEE protects it.
    pub simulated: bool,
    /// The measurement the policy matched (SGX MRENCLAVE, TDX MRTD), hex.
    #[serde(with = "phalanx_types::hex_serde::bytes")]
    pub measurement: Vec<u8>,
    /// The TCB status from the evidence, e.g. `UpToDate`.
    pub tcb_status: String,
    /// 1 (best) to 5.
    pub confidence: u8,
    pub registered_at_ms: u64,
    pub last_attested_ms: u64,
    pub gatekeeper: bool,
}

impl Write for WorkerRecord {
    fn write(&self, buf: &mut impl BufMut) {
        self.info.write(buf);
        self.operator.write(buf);
        (self.tee as u8).write(buf);
        self.simulated.write(buf);
        self.measurement.write(buf);
        self.tcb_status.as_bytes().to_vec().write(buf);
        self.confidence.write(buf);
        self.registered_at_ms.write(buf);
        self.last_attested_ms.write(buf);
        self.gatekeeper.write(buf);
    }
}

impl EncodeSize for WorkerRecord {
    fn encode_size(&self) -> usize {
        self.info.encode_size()
            + self.operator.encode_size()
            + 2
            + self.measurement.encode_size()
            + self.tcb_status.as_bytes().to_vec().encode_size()
            + 1
            + 8
            + 8
            + 1
    }
}

impl Read for WorkerRecord {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let info = WorkerInfo::read(buf)?;
        let operator = AccountId::read(buf)?;
        let tee = match u8::read(buf)? {
            0 => TeeCode::Sgx,
            1 => TeeCode::Tdx,
            2 => TeeCode::Snp,
            tag => return Err(CodecError::InvalidEnum(tag)),
        };
        let simulated = bool::read(buf)?;
        let measurement = Vec::<u8>::read_range(buf, ..=MAX_MEASUREMENT_BYTES)?;
        let status = Vec::<u8>::read_range(buf, ..=MAX_TCB_STATUS_BYTES)?;
        let tcb_status = String::from_utf8(status)
            .map_err(|_| CodecError::Invalid("WorkerRecord", "TCB status is not UTF-8"))?;
        Ok(Self {
            info,
            operator,
            tee,
            simulated,
            measurement,
            tcb_status,
            confidence: u8::read(buf)?,
            registered_at_ms: u64::read(buf)?,
            last_attested_ms: u64::read(buf)?,
            gatekeeper: bool::read(buf)?,
        })
    }
}
