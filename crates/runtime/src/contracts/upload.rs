//! `contracts.upload_code`: check a module as the executor will, and store it under its
//! SHA-256.

use super::{CodeInfo, Error, Event, code_info, state_key};
use crate::{CallResult, Ctx, state::State};
use commonware_codec::Encode;
use phalanx_contracts::{ExecError, Limits, WasmiExecutor};

/// The refusal for a module the executor would not run.
fn refusal(error: &ExecError) -> Error {
    match error {
        ExecError::CodeTooLarge { .. } => Error::CodeTooLarge,
        ExecError::UnknownImport { .. } => Error::UnknownImport,
        ExecError::BadImport(_) => Error::BadImport,
        ExecError::BadExport(_) => Error::BadExport,
        _ => Error::InvalidCode,
    }
}

/// Checks `code` as every worker's executor will load it: the same limits, both entry points.
pub fn check_code(code: &[u8], max_code_bytes: usize) -> Result<(), Error> {
    let limits = Limits {
        max_code_bytes,
        ..Limits::default()
    };
    WasmiExecutor::new(&limits)
        .check(code, &limits)
        .map_err(|e| refusal(&e))
}

pub fn upload_code(state: &mut (impl State + ?Sized), ctx: &Ctx, code: &[u8]) -> CallResult {
    let max = usize::try_from(ctx.params.contracts.max_code_bytes).unwrap_or(usize::MAX);
    if code.len() > max {
        return Err(Error::CodeTooLarge.into());
    }
    let hash = super::sha256(&[code]);
    if code_info(state, &hash)?.is_some() {
        return Err(Error::CodeExists.into());
    }
    check_code(code, max)?;
    // `max` is at most `MAX_CODE_BYTES`, so the size fits a u32.
    let size = u32::try_from(code.len()).unwrap_or(u32::MAX);
    let info = CodeInfo {
        uploader: ctx.signer.clone(),
        size,
        height: ctx.env.height,
    };
    state.put(state_key::code(&hash), Some(code.to_vec()));
    state.put(state_key::code_info(&hash), Some(info.encode().to_vec()));
    state_key::codes().push(state, &hash)?;
    Ok(vec![
        Event::CodeUploaded {
            code_hash: hash,
            uploader: ctx.signer.clone(),
            size,
        }
        .into(),
    ])
}
