//! Reading files a user names: every one is bounded, and errors name the file and its role.

use std::io::Read;
use std::path::Path;

/// Reads `path`, refusing more than `limit` bytes. Reads at most `limit + 1` bytes whatever the
/// file's size says, so a file that grows meanwhile cannot exceed the bound. `what` names the
/// file's role in errors ("chain spec", "collateral", …).
pub fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, String> {
    let err = |e: std::io::Error| format!("{what} {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(err)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(err)?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "{what} {} is larger than {limit} bytes",
            path.display()
        ));
    }
    Ok(bytes)
}

/// [`read_limited`] for text.
pub fn read_limited_text(path: &Path, limit: u64, what: &str) -> Result<String, String> {
    String::from_utf8(read_limited(path, limit, what)?)
        .map_err(|_| format!("{what} {} is not UTF-8 text", path.display()))
}
