//! A minimal HTTP/1.1 client for the node's JSON API (loopback and LAN use; no TLS).

use serde_json::Value;
use std::fmt;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Largest response body accepted.
const MAX_RESPONSE: u64 = 16 * 1024 * 1024;

/// Why a request got no JSON answer, in classes a caller can act on: no answer at all, an
/// error status from the node, or an answer that is not HTTP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// No answer: a URL that is not `http://`, a name that does not resolve, a connection that
    /// fails or breaks, or no response within the timeout.
    Unreachable(String),
    /// The node answered with a non-2xx status and its error `code` (`error` when it gave none).
    Status {
        status: u16,
        code: String,
        message: String,
    },
    /// The answer is not an HTTP response.
    Malformed(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Unreachable(m) | HttpError::Malformed(m) => f.write_str(m),
            HttpError::Status {
                status,
                code,
                message,
            } => write!(f, "node refused ({status} {code}): {message}"),
        }
    }
}

impl std::error::Error for HttpError {}

impl From<HttpError> for String {
    fn from(e: HttpError) -> Self {
        e.to_string()
    }
}

/// Sends a request and returns (status, parsed JSON body).
pub fn request(
    base: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<(u16, Value), HttpError> {
    let unreachable = HttpError::Unreachable;
    let rest = base.strip_prefix("http://").ok_or_else(|| {
        unreachable(format!(
            "cannot reach the node: --rpc must start with http:// (got `{base}`)"
        ))
    })?;
    let host = rest.trim_end_matches('/');
    let addr = host
        .to_socket_addrs()
        .map_err(|e| unreachable(format!("cannot resolve {host}: {e}")))?
        .next()
        .ok_or_else(|| unreachable(format!("cannot resolve {host}")))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| {
        unreachable(format!(
            "cannot reach the node at {base}: {e} (is `phalanx dev` running?)"
        ))
    })?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
        payload.len()
    );
    stream
        .write_all(req.as_bytes())
        .map_err(|e| unreachable(format!("sending a request to the node at {base}: {e}")))?;
    let mut raw = Vec::new();
    stream
        .take(MAX_RESPONSE)
        .read_to_end(&mut raw)
        .map_err(|e| unreachable(format!("no answer from the node at {base}: {e}")))?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| HttpError::Malformed(format!("malformed HTTP response from {base}")))?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| HttpError::Malformed(format!("malformed HTTP status line from {base}")))?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    let json = serde_json::from_str(&body).unwrap_or(Value::String(body));
    Ok((status, json))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// GET returning JSON on 2xx, the server's error message otherwise.
pub fn get(base: &str, path: &str) -> Result<Value, String> {
    Ok(call(base, "GET", path, None)?)
}

/// POST returning JSON on 2xx, the server's error message otherwise.
pub fn post(base: &str, path: &str, body: &Value) -> Result<Value, String> {
    Ok(call(base, "POST", path, Some(body))?)
}

/// [`get`] or [`post`] (`method`), telling the ways a request can fail apart.
pub fn call(
    base: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, HttpError> {
    into_result(request(base, method, path, body)?)
}

/// `GET path`, decoded into the API's type `T` (`phalanx_client::api`); an answer that is not
/// one is [`HttpError::Malformed`].
pub fn get_typed<T: serde::de::DeserializeOwned>(base: &str, path: &str) -> Result<T, HttpError> {
    let value = call(base, "GET", path, None)?;
    serde_json::from_value(value).map_err(|e| {
        HttpError::Malformed(format!("{path}: not the answer this client expects: {e}"))
    })
}

fn into_result((status, body): (u16, Value)) -> Result<Value, HttpError> {
    if (200..300).contains(&status) {
        return Ok(body);
    }
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or("error")
        .to_string();
    let message = body["error"]["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| body.to_string());
    Err(HttpError::Status {
        status,
        code,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_are_classified() {
        let refused = into_result((
            400,
            json!({"error": {"code": "fee_too_low", "message": "fee 1 is too low"}}),
        ))
        .unwrap_err();
        assert_eq!(
            refused,
            HttpError::Status {
                status: 400,
                code: "fee_too_low".into(),
                message: "fee 1 is too low".into()
            }
        );
        assert_eq!(
            refused.to_string(),
            "node refused (400 fee_too_low): fee 1 is too low"
        );
        assert_eq!(into_result((200, json!(1))), Ok(json!(1)));
        // Port 9 (discard) on loopback: nothing listens in a test environment.
        assert!(matches!(
            call("http://127.0.0.1:9", "GET", "/chain", None),
            Err(HttpError::Unreachable(_))
        ));
        assert!(matches!(
            call("https://example.invalid", "GET", "/chain", None),
            Err(HttpError::Unreachable(_))
        ));
    }
}
