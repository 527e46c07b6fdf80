//! `phalanx keys`: encrypted key files, and resolving names to keys and accounts.
//!
//! Passwords come from `$PHALANX_PASSWORD`, else from standard input: read without echo when
//! it is a terminal, one line at a time when it is not. They live in buffers that are zeroed
//! when dropped ([`Password`]), and are never printed or logged.

use clap::Subcommand;
use commonware_cryptography::Signer;
use nix::sys::termios::{LocalFlags, SetArg, Termios, tcgetattr, tcsetattr};
use phalanx_crypto::{PrivateKey, keystore};
use phalanx_types::AccountId;
use serde_json::json;
use std::io::{IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create a new key, encrypted with a password: from $PHALANX_PASSWORD, else typed twice
    /// (not echoed) on the terminal, or two lines of standard input.
    New {
        /// Name to store it under.
        name: String,
    },
    /// List stored keys.
    List,
    /// Show a stored key's account id.
    Show { name: String },
}

/// `$PHALANX_HOME`, else `~/.phalanx`: where keys and worker state live.
pub fn phalanx_home() -> PathBuf {
    std::env::var_os("PHALANX_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".phalanx")))
        .unwrap_or_else(|| PathBuf::from(".phalanx"))
}

fn keys_dir() -> PathBuf {
    phalanx_home().join("keys")
}

fn valid_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "key name `{name}` must be 1-64 characters of letters, digits, '-' or '_'"
        ));
    }
    Ok(())
}

/// A password's bytes, zeroed when dropped.
type Password = Zeroizing<Vec<u8>>;

/// Longest password read from standard input, in bytes.
const MAX_PASSWORD: usize = 1024;

/// `$PHALANX_PASSWORD`, if set.
fn password_from_env() -> Option<Password> {
    use std::os::unix::ffi::OsStringExt;
    std::env::var_os("PHALANX_PASSWORD").map(|p| Zeroizing::new(p.into_vec()))
}

/// The password of an existing key: `$PHALANX_PASSWORD`, else asked once.
fn password(prompt: &str) -> Result<Password, String> {
    match password_from_env() {
        Some(p) => Ok(p),
        None => read_password(prompt),
    }
}

/// The password of a new key: `$PHALANX_PASSWORD` (scripts; no confirmation), else asked twice;
/// two different answers are an error.
fn new_password() -> Result<Password, String> {
    if let Some(p) = password_from_env() {
        if p.is_empty() {
            return Err(
                "PHALANX_PASSWORD is set but empty: a new key needs a password; no key was written"
                    .into(),
            );
        }
        return Ok(p);
    }
    let first = read_password("password for the new key: ")?;
    let second = read_password("the same password again: ")?;
    if first != second {
        return Err("the two passwords differ; no key was written".into());
    }
    Ok(first)
}

/// Turns the terminal's echo off until dropped.
struct EchoOff {
    stdin: std::io::Stdin,
    saved: Termios,
}

impl EchoOff {
    fn new(stdin: std::io::Stdin) -> Result<Self, String> {
        let saved = tcgetattr(&stdin).map_err(|e| format!("reading terminal settings: {e}"))?;
        let mut quiet = saved.clone();
        quiet.local_flags.remove(LocalFlags::ECHO);
        tcsetattr(&stdin, SetArg::TCSAFLUSH, &quiet)
            .map_err(|e| format!("turning off the terminal's echo: {e}"))?;
        Ok(Self { stdin, saved })
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        let _ = tcsetattr(&self.stdin, SetArg::TCSANOW, &self.saved);
    }
}

/// Prompts on stderr and reads one line of standard input, without echo on a terminal. The
/// bytes are read one at a time straight from the file descriptor (no buffer of std's keeps a
/// copy, and a second line stays unread for the next call) into a buffer allocated once.
fn read_password(prompt: &str) -> Result<Password, String> {
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let mut input = std::fs::File::from(
        stdin
            .as_fd()
            .try_clone_to_owned()
            .map_err(|e| format!("reading the password: {e}"))?,
    );
    // Echo goes off before the prompt shows, so nothing typed after the prompt is echoed.
    let echo_off = if terminal {
        Some(EchoOff::new(stdin)?)
    } else {
        None
    };
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line: Password = Zeroizing::new(Vec::with_capacity(MAX_PASSWORD + 1));
    let mut byte = Zeroizing::new([0u8; 1]);
    let read = loop {
        match input.read(&mut byte[..]) {
            Ok(0) => break Ok(()),
            Ok(_) if byte[0] == b'\n' => break Ok(()),
            Ok(_) if line.len() >= MAX_PASSWORD => {
                break Err(format!("password longer than {MAX_PASSWORD} bytes"));
            }
            Ok(_) => line.push(byte[0]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => break Err(format!("reading the password: {e}")),
        }
    };
    drop(echo_off);
    if terminal {
        // The Enter the user typed was not echoed either.
        eprintln!();
    }
    read?;
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.is_empty() {
        return Err("empty password (type one, or set PHALANX_PASSWORD)".into());
    }
    Ok(line)
}

pub fn run(cmd: KeysCommand, json_mode: bool) -> Result<(), String> {
    let dir = keys_dir();
    match cmd {
        KeysCommand::New { name } => {
            valid_name(&name)?;
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("creating {}: {e}", dir.display()))?;
            let path = dir.join(format!("{name}.json"));
            if path.exists() {
                return Err(format!(
                    "a key named `{name}` already exists at {}",
                    path.display()
                ));
            }
            let pw = new_password()?;
            let key = phalanx_crypto::generate_key()
                .map_err(|e| format!("random generator failed: {e}"))?;
            let text =
                keystore::encrypt(&key, &pw, keystore::DEFAULT_COST).map_err(|e| e.to_string())?;
            drop(pw);
            keystore::write_file(&path, &text).map_err(|e| e.to_string())?;
            let id = AccountId::from(key.public_key());
            if json_mode {
                println!("{}", json!({"name": name, "account": id, "file": path}));
            } else {
                println!(
                    "created key `{name}`\n  account: {id}\n  file:    {}",
                    path.display()
                );
            }
        }
        KeysCommand::List => {
            let mut rows = Vec::new();
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    let Some(name) = path
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .map(str::to_string)
                    else {
                        continue;
                    };
                    if path.extension().and_then(|e| e.to_str()) != Some("json") {
                        continue;
                    }
                    let account = keystore::read_file(&path).and_then(|t| keystore::account_of(&t));
                    rows.push((
                        name,
                        account
                            .map(|a| a.to_string())
                            .unwrap_or_else(|e| format!("unreadable: {e}")),
                    ));
                }
            }
            rows.sort();
            if json_mode {
                println!(
                    "{}",
                    json!(
                        rows.iter()
                            .map(|(n, a)| json!({"name": n, "account": a}))
                            .collect::<Vec<_>>()
                    )
                );
            } else if rows.is_empty() {
                println!(
                    "no keys in {} (create one with `phalanx keys new NAME`)",
                    dir.display()
                );
            } else {
                for (n, a) in rows {
                    println!("{n:<20} {a}");
                }
            }
        }
        KeysCommand::Show { name } => {
            let id = stored_account(&name)?;
            if json_mode {
                println!("{}", json!({"name": name, "account": id}));
            } else {
                println!("{id}");
            }
        }
    }
    Ok(())
}

/// The keystore text of the stored key `name`; a name with no key says so, and how to list
/// the keys there are.
fn read_stored(name: &str) -> Result<String, String> {
    valid_name(name)?;
    read_key_file(&keys_dir(), name)
}

fn read_key_file(dir: &Path, name: &str) -> Result<String, String> {
    let path = dir.join(format!("{name}.json"));
    match keystore::read_file(&path) {
        Ok(text) => Ok(text),
        Err(keystore::KeystoreError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(format!(
                "no key named `{name}` in {} (list them with `phalanx keys list`, create one with `phalanx keys new {name}`; well-known dev keys are written `dev:NAME`)",
                dir.display()
            ))
        }
        Err(e) => Err(format!("key `{name}` ({}): {e}", path.display())),
    }
}

fn stored_account(name: &str) -> Result<AccountId, String> {
    let text = read_stored(name)?;
    keystore::account_of(&text).map_err(|e| e.to_string())
}

/// `dev:NAME`, a 64-hex account id, or a stored key name.
pub fn resolve_account(s: &str) -> Result<AccountId, String> {
    if let Some(dev) = s.strip_prefix("dev:") {
        return Ok(phalanx_crypto::dev_key(dev).public_key().into());
    }
    if s.len() >= 64 {
        return AccountId::from_hex(s).map_err(|e| e.to_string());
    }
    stored_account(s)
}

/// `dev:NAME` or a stored key name (decrypted with a password).
pub fn resolve_signer(s: &str) -> Result<PrivateKey, String> {
    if let Some(dev) = s.strip_prefix("dev:") {
        return Ok(phalanx_crypto::dev_key(dev));
    }
    let text = read_stored(s)?;
    let pw = password(&format!("password for `{s}`: "))?;
    keystore::decrypt(&text, &pw).map_err(|e| e.to_string())
}

/// Like [`resolve_signer`], but also accepts the path of a keystore file (anything containing a
/// `/` or ending in `.json`), as validators keep their key next to their data.
pub fn resolve_signer_or_file(s: &str) -> Result<PrivateKey, String> {
    if s.starts_with("dev:") || !(s.contains('/') || s.ends_with(".json")) {
        return resolve_signer(s);
    }
    let path = Path::new(s);
    let text = keystore::read_file(path).map_err(|e| match e {
        keystore::KeystoreError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
            format!("no key file at {s}")
        }
        e => format!("key file {s}: {e}"),
    })?;
    let pw = password(&format!("password for {s}: "))?;
    keystore::decrypt(&text, &pw).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_key_names_itself_and_the_list_command() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_key_file(dir.path(), "nosuchkey").unwrap_err();
        assert!(err.contains("no key named `nosuchkey`"), "{err}");
        assert!(err.contains("phalanx keys list"), "{err}");
        assert!(!err.contains("No such file"), "{err}");
        std::fs::write(dir.path().join("k.json"), "{}").unwrap();
        assert_eq!(read_key_file(dir.path(), "k").unwrap(), "{}");
    }
}
