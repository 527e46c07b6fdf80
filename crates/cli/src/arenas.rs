//! The node's memory allocator setting. glibc's malloc gives threads their own arenas (up to
//! eight per core) and keeps in each arena what was freed there; under load the node's many
//! threads (tokio workers, blocking-pool threads that come and go) leave memory in every
//! arena, and the resident size keeps creeping up although the live heap does not grow.
//! Measured on `phalanx dev` (release, `phalanx bench transfers` in steps of 100,000): from
//! 416 to 606 MiB between 300,000 and 1,000,000 transfers with glibc's default, and from 296
//! to 337 MiB (flat over the last 400,000) with two arenas (docs/BENCHMARKS.md).
//!
//! glibc reads `MALLOC_ARENA_MAX` once, when the process starts, and setting it from inside
//! would take `unsafe` (`mallopt`), which the workspace forbids: so a node process started
//! without it runs itself again, once, with it set (same pid, arguments and descriptors).

/// Arenas for a node process: enough for two cores.
const NODE_ARENAS: &str = "2";

/// Re-executes this process with `MALLOC_ARENA_MAX` set, unless it is already set (by the
/// operator, or by this function before the re-execution). Call before any thread starts.
/// Returns only if it did not re-execute (already set, not Linux, or `exec` failed: then the
/// node runs with glibc's default, which is only a matter of memory).
pub fn limit_for_node() {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt as _;
        if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let error = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("MALLOC_ARENA_MAX", NODE_ARENAS)
            .exec();
        tracing::warn!(%error, "cannot re-execute with MALLOC_ARENA_MAX set; running with glibc's default arenas (more resident memory under load)");
    }
}
