//! `phalanx keys`: encrypted key files, and resolving names to keys and accounts.

use clap::Subcommand;
use commonware_cryptography::Signer;
use phalanx_crypto::{PrivateKey, keystore};
use phalanx_types::AccountId;
use serde_json::json;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create a new key, encrypted with a password (from $PHALANX_PASSWORD or standard input).
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

fn password(prompt: &str) -> Result<String, String> {
    if let Ok(p) = std::env::var("PHALANX_PASSWORD") {
        return Ok(p);
    }
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("reading password: {e}"))?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        return Err("empty password (set PHALANX_PASSWORD or type one)".into());
    }
    Ok(p)
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
            let pw = password("password for the new key: ")?;
            let key = phalanx_crypto::generate_key()
                .map_err(|e| format!("random generator failed: {e}"))?;
            let text = keystore::encrypt(&key, pw.as_bytes(), keystore::DEFAULT_COST)
                .map_err(|e| e.to_string())?;
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

fn stored_account(name: &str) -> Result<AccountId, String> {
    valid_name(name)?;
    let path = keys_dir().join(format!("{name}.json"));
    let text = keystore::read_file(&path)
        .map_err(|e| format!("key `{name}` ({}): {e}", path.display()))?;
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
    valid_name(s)?;
    let path = keys_dir().join(format!("{s}.json"));
    let text =
        keystore::read_file(&path).map_err(|e| format!("key `{s}` ({}): {e}", path.display()))?;
    let pw = password(&format!("password for `{s}`: "))?;
    keystore::decrypt(&text, pw.as_bytes()).map_err(|e| e.to_string())
}

/// Like [`resolve_signer`], but also accepts the path of a keystore file (anything containing a
/// `/` or ending in `.json`), as validators keep their key next to their data.
pub fn resolve_signer_or_file(s: &str) -> Result<PrivateKey, String> {
    if s.starts_with("dev:") || !(s.contains('/') || s.ends_with(".json")) {
        return resolve_signer(s);
    }
    let path = std::path::Path::new(s);
    let text = keystore::read_file(path).map_err(|e| format!("key file {s}: {e}"))?;
    let pw = password(&format!("password for {s}: "))?;
    keystore::decrypt(&text, pw.as_bytes()).map_err(|e| e.to_string())
}
