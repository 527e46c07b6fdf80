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

/// Creates `path` (which must not exist) readable by its owner only, and writes `bytes`.
pub fn write_new_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("creating {}: {e}", path.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Replaces `path` with `bytes` atomically: a crash at any moment (even SIGKILL or power loss)
/// leaves either the old contents or the new, never a mix. Writes a temporary file in the same
/// directory, syncs it, renames it over `path`, and syncs the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path
        .parent()
        .ok_or_else(|| format!("{} has no parent directory", path.display()))?;
    let tmp = path.with_extension("tmp");
    let err = |e: std::io::Error| format!("writing {}: {e}", path.display());
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(err)?;
        f.write_all(bytes).map_err(err)?;
        f.sync_all().map_err(err)?;
    }
    std::fs::rename(&tmp, path).map_err(err)?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(err)
}
