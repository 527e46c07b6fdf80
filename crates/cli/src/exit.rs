//! Exit statuses, and how a failed command reports its error: `error: …` on stderr, or with
//! `--json` one JSON object on stdout (`{"error":{"kind":…,"exit_code":…,"message":…}}`, plus
//! `code` when the node or the chain gave one and `transaction` for a transaction that failed in
//! its block), so that stdout always holds exactly one JSON document.

use crate::show;
use phalanx_client::{api::TxStatusResponse, client::ClientError, http::HttpError};
use serde::Serialize;
use std::process::ExitCode;

/// Why a command failed; the numbers are its exit statuses (0 is success).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Anything not listed below.
    Other = 1,
    /// Bad arguments (clap's status).
    Usage = 2,
    /// No answer from the node: nothing listens at `--rpc`, or it did not respond.
    Unreachable = 3,
    /// The node refused: a transaction it did not admit (nothing was charged), or a request it
    /// answered with an error (unknown transaction, bad id, …).
    Refused = 4,
    /// A transaction was included in a block and its call failed there: the fee was charged.
    Failed = 5,
}

impl Exit {
    pub const ALL: [Exit; 5] = [
        Exit::Other,
        Exit::Usage,
        Exit::Unreachable,
        Exit::Refused,
        Exit::Failed,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    /// The `kind` field of a JSON error.
    pub fn kind(self) -> &'static str {
        match self {
            Exit::Other => "other",
            Exit::Usage => "usage",
            Exit::Unreachable => "unreachable",
            Exit::Refused => "refused",
            Exit::Failed => "failed",
        }
    }

    fn meaning(self) -> &'static str {
        match self {
            Exit::Other => "any other failure",
            Exit::Usage => "usage error (bad arguments)",
            Exit::Unreachable => "cannot reach the node at --rpc",
            Exit::Refused => {
                "refused by the node: a transaction not admitted (nothing charged), or a request it answered with an error"
            }
            Exit::Failed => {
                "the transaction was included and FAILED in its block (its fee was charged)"
            }
        }
    }
}

/// The top-level `--help` text after the commands: the exit statuses and the JSON error form.
pub fn after_help() -> String {
    let mut s = String::from("Exit status:\n  0  success\n");
    for e in Exit::ALL {
        s.push_str(&format!("  {}  {} [{}]\n", e.code(), e.meaning(), e.kind()));
    }
    s.push_str(
        "\nWith --json, stdout holds one JSON document: the result, or on failure\n  \
         {\"error\":{\"kind\":\"refused\",\"exit_code\":4,\"code\":\"insufficient_balance\",\"message\":\"…\"}}\n\
         (`kind` as in brackets above; `code` when the node or the chain gave one; `transaction`, the\n\
         transaction's status, when it failed in its block). Amounts in JSON are base units\n\
         (10^-12 PHA); text output shows PHA.",
    );
    s
}

/// A command's failure: its exit status and what to tell the user.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    /// One line (or a few) for a person; amounts in PHA.
    pub message: String,
    /// The node's or the chain's machine-readable code (`insufficient_balance`, `zero_amount`).
    pub code: Option<String>,
    /// For a transaction that failed in its block: its status (hash, block, receipt).
    pub transaction: Option<Box<TxStatusResponse>>,
}

/// The JSON form of a [`CliError`]: `{"error": {...}}`.
#[derive(Debug, Serialize)]
pub struct ErrorJson<'a> {
    pub error: ErrorJsonBody<'a>,
}

#[derive(Debug, Serialize)]
pub struct ErrorJsonBody<'a> {
    pub kind: &'static str,
    pub exit_code: u8,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<&'a TxStatusResponse>,
}

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            code: None,
            transaction: None,
        }
    }

    /// The JSON form.
    pub fn json(&self) -> ErrorJson<'_> {
        ErrorJson {
            error: ErrorJsonBody {
                kind: self.exit.kind(),
                exit_code: self.exit.code(),
                message: &self.message,
                code: self.code.as_deref(),
                transaction: self.transaction.as_deref(),
            },
        }
    }

    /// Prints the error (JSON on stdout, or text on stderr) and returns the exit status.
    pub fn report(&self, json_mode: bool) -> ExitCode {
        if json_mode {
            println!(
                "{}",
                serde_json::to_string(&self.json()).unwrap_or_default()
            );
        } else {
            eprintln!("error: {}", self.message);
        }
        ExitCode::from(self.exit.code())
    }
}

impl From<String> for CliError {
    fn from(message: String) -> Self {
        Self::new(Exit::Other, message)
    }
}

impl From<&str> for CliError {
    fn from(message: &str) -> Self {
        Self::new(Exit::Other, message)
    }
}

impl From<HttpError> for CliError {
    fn from(e: HttpError) -> Self {
        ClientError::from(e).into()
    }
}

impl From<ClientError> for CliError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Unreachable(m) => Self::new(Exit::Unreachable, m),
            ClientError::Refused {
                status,
                code,
                message,
            } => Self {
                message: format!(
                    "node refused ({status} {code}): {}",
                    show::node_message(&code, &message)
                ),
                code: Some(code),
                ..Self::new(Exit::Refused, "")
            },
            ClientError::Failed(f) => {
                let location = &f.transaction.location;
                Self {
                    exit: Exit::Failed,
                    message: format!(
                        "{} FAILED in block {}: {}; fee paid {} (transaction {})",
                        f.what,
                        location.height,
                        f.reason(),
                        show::pha(location.receipt.fee_paid),
                        f.transaction.hash,
                    ),
                    code: Some(f.raw_code()),
                    transaction: Some(Box::new(TxStatusResponse::Finalized(f.transaction))),
                }
            }
            ClientError::Other(m) => Self::new(Exit::Other, m),
        }
    }
}

/// Arguments clap refused: its own text (exit status 2), or with `--json` a JSON error. Help and
/// version requests print as usual and succeed.
pub fn usage(e: clap::Error) -> ExitCode {
    if !e.use_stderr() {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    if std::env::args_os().any(|a| a == "--json") {
        let text = e.render().to_string();
        let message = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("bad arguments")
            .trim_start_matches("error: ")
            .to_string();
        return CliError::new(Exit::Usage, message).report(true);
    }
    let _ = e.print();
    ExitCode::from(Exit::Usage.code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use phalanx_client::{
        api::{FinalizedTx, TxLocation},
        client::BlockFailure,
    };
    use phalanx_runtime::{Receipt, TxStatus, balances};

    #[test]
    fn codes_are_distinct_and_usage_is_clap_s() {
        let mut codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Exit::ALL.len());
        assert!(!codes.contains(&0));
        let e = <crate::Cli as clap::Parser>::try_parse_from(["phalanx", "--no-such-flag"])
            .err()
            .unwrap();
        assert_eq!(e.exit_code(), i32::from(Exit::Usage.code()));
        let help = after_help();
        for e in Exit::ALL {
            assert!(help.contains(&format!("  {}  ", e.code())), "{help}");
        }
    }

    #[test]
    fn client_errors_map_to_their_exit_status_and_json() {
        let json = |e: &CliError| serde_json::to_value(e.json()).unwrap();
        let refused = CliError::from(ClientError::Refused {
            status: 400,
            code: "insufficient_balance".into(),
            message: "balance 1000001500000000000 cannot cover amount + fee + existential deposit (2000000000000000000 base units)".into(),
        });
        assert_eq!(refused.exit, Exit::Refused);
        assert_eq!(
            refused.message,
            "node refused (400 insufficient_balance): balance 1000001.5 PHA cannot cover amount + fee + existential deposit (2000000 PHA)"
        );
        let v = json(&refused);
        assert_eq!(v["error"]["kind"], "refused");
        assert_eq!(v["error"]["exit_code"], 4);
        assert_eq!(v["error"]["code"], "insufficient_balance");

        let transaction = FinalizedTx {
            hash: "ab".into(),
            location: TxLocation {
                height: 9,
                index: 0,
                block: "cd".into(),
                receipt: Receipt {
                    status: TxStatus::Failed(balances::Error::SelfTransfer.into()),
                    fee_paid: 128_100_000,
                    events: vec![],
                },
                events_unavailable: false,
            },
        };
        let failed = CliError::from(ClientError::Failed(Box::new(BlockFailure {
            what: "transfer".into(),
            error: balances::Error::SelfTransfer.into(),
            transaction: transaction.clone(),
        })));
        assert_eq!(failed.exit, Exit::Failed);
        assert_eq!(
            failed.message,
            "transfer FAILED in block 9: an account cannot transfer to itself (balances.self_transfer); fee paid 0.0001281 PHA (transaction ab)"
        );
        let v = json(&failed);
        assert_eq!(v["error"]["kind"], "failed");
        assert_eq!(v["error"]["code"], "balances.self_transfer");
        assert_eq!(
            v["error"]["transaction"],
            serde_json::to_value(TxStatusResponse::Finalized(transaction)).unwrap()
        );
        assert_eq!(v["error"]["transaction"]["status"], "finalized");
        assert_eq!(
            v["error"]["transaction"]["location"]["receipt"]["fee_paid"],
            "128100000"
        );

        let down = CliError::from(HttpError::Unreachable("cannot reach".into()));
        assert_eq!(
            (down.exit, json(&down)["error"]["code"].is_null()),
            (Exit::Unreachable, true)
        );
        assert_eq!(CliError::from("x").exit, Exit::Other);
    }
}
