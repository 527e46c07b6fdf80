//! The transport: JSON over plain HTTP/1.1 to one node (`reqwest`, no TLS: loopback and LAN
//! use), with a connect timeout, a total timeout and a cap on the answer's size, so a node
//! that stalls or streams without end cannot hold or fill a client.
//!
//! [`get`] and [`post`] block the calling thread (`reqwest::blocking`, which runs its own
//! runtime on a thread of its own and panics when called from inside a tokio runtime); async
//! code calls [`get_async`]. Redirects are not followed and proxies from the environment are
//! not used: the URL given is the node asked.

use crate::api::ErrorBody;
use reqwest::header::CONNECTION;
use serde::{Serialize, de::DeserializeOwned};
use std::{fmt, io::Read, sync::OnceLock, time::Duration};

/// Largest answer read, in bytes; a longer one is [`HttpError::Malformed`].
pub const MAX_RESPONSE: usize = 16 * 1024 * 1024;
/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take, from connecting to the last byte of the answer.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Most characters of a non-JSON error answer quoted in the error.
const MAX_QUOTED: usize = 512;

/// Why a request got no JSON answer, in classes a caller can act on: no answer at all, an
/// error status from the node, or an answer that is not what the API promises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// No answer: a URL that is not `http://`, a name that does not resolve, a connection that
    /// fails or breaks, or no complete answer within the timeouts.
    Unreachable(String),
    /// The node answered with a non-2xx status and its error `code` (`error` when it gave none).
    Status {
        status: u16,
        code: String,
        message: String,
    },
    /// The answer is not the JSON this client expects, or larger than [`MAX_RESPONSE`].
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

/// `GET path` from the node at `base`, decoded as the API's type `T` (`crate::api`).
pub fn get<T: DeserializeOwned>(base: &str, path: &str) -> Result<T, HttpError> {
    let request = blocking()?.get(url(base, path)?);
    let (status, body) = send(base, request)?;
    decode(path, status, &body)
}

/// `GET path` answered with text (`/metrics`): the body, or the error a non-2xx status carries.
pub fn get_text(base: &str, path: &str) -> Result<String, HttpError> {
    let request = blocking()?.get(url(base, path)?);
    let (status, body) = send(base, request)?;
    if !(200..300).contains(&status) {
        return decode::<serde_json::Value>(path, status, &body).map(|_| String::new());
    }
    String::from_utf8(body).map_err(|_| HttpError::Malformed(format!("{path}: not UTF-8 text")))
}

/// `POST path` with the JSON `body`, decoded as `T`.
pub fn post<B: Serialize, T: DeserializeOwned>(
    base: &str,
    path: &str,
    body: &B,
) -> Result<T, HttpError> {
    let request = blocking()?.post(url(base, path)?).json(body);
    let (status, body) = send(base, request)?;
    decode(path, status, &body)
}

/// [`get`] for async code (the same limits).
pub async fn get_async<T: DeserializeOwned>(base: &str, path: &str) -> Result<T, HttpError> {
    let request = asynchronous()?.get(url(base, path)?);
    let mut response = request
        .header(CONNECTION, "close")
        .send()
        .await
        .map_err(|e| transport_error(base, &e))?;
    let status = response.status().as_u16();
    check_length(base, response.content_length())?;
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(base, &e))?
    {
        if body.len() + chunk.len() > MAX_RESPONSE {
            return Err(too_large(base));
        }
        body.extend_from_slice(&chunk);
    }
    decode(path, status, &body)
}

/// `base` + `path`, for an `http://` base.
fn url(base: &str, path: &str) -> Result<String, HttpError> {
    if !base.starts_with("http://") {
        return Err(HttpError::Unreachable(format!(
            "cannot reach the node: --rpc must start with http:// (got `{base}`)"
        )));
    }
    Ok(format!("{}{path}", base.trim_end_matches('/')))
}

/// The process's blocking client (one, so its runtime thread is started once).
fn blocking() -> Result<&'static reqwest::blocking::Client, HttpError> {
    static CLIENT: OnceLock<Result<reqwest::blocking::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::blocking::Client::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .timeout(TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .pool_max_idle_per_host(0)
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| HttpError::Unreachable(format!("cannot start the HTTP client: {e}")))
}

/// The process's async client.
fn asynchronous() -> Result<&'static reqwest::Client, HttpError> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .timeout(TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .pool_max_idle_per_host(0)
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| HttpError::Unreachable(format!("cannot start the HTTP client: {e}")))
}

/// Sends `request` and reads the answer: (status, at most [`MAX_RESPONSE`] bytes of body).
/// Each request has a connection of its own (`Connection: close`), as every node and proxy
/// in between expects of a one-shot client.
fn send(
    base: &str,
    request: reqwest::blocking::RequestBuilder,
) -> Result<(u16, Vec<u8>), HttpError> {
    let response = request
        .header(CONNECTION, "close")
        .send()
        .map_err(|e| transport_error(base, &e))?;
    let status = response.status().as_u16();
    check_length(base, response.content_length())?;
    let mut body = Vec::new();
    response
        .take(MAX_RESPONSE as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| {
            HttpError::Unreachable(format!(
                "no complete answer from the node at {base}: {}",
                root_cause(&e)
            ))
        })?;
    if body.len() > MAX_RESPONSE {
        return Err(too_large(base));
    }
    Ok((status, body))
}

fn check_length(base: &str, length: Option<u64>) -> Result<(), HttpError> {
    match length {
        Some(n) if n > MAX_RESPONSE as u64 => Err(too_large(base)),
        _ => Ok(()),
    }
}

fn too_large(base: &str) -> HttpError {
    HttpError::Malformed(format!(
        "the node at {base} sent an answer larger than {} MiB",
        MAX_RESPONSE / (1024 * 1024)
    ))
}

/// The innermost error: reqwest's own text names only the URL ("error sending request").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

fn transport_error(base: &str, e: &reqwest::Error) -> HttpError {
    HttpError::Unreachable(if e.is_timeout() {
        format!(
            "no answer from the node at {base} within {} s",
            TIMEOUT.as_secs()
        )
    } else if e.is_connect() {
        format!(
            "cannot reach the node at {base}: {} (is `phalanx dev` running?)",
            root_cause(e)
        )
    } else if e.is_builder() {
        format!(
            "cannot reach the node: `{base}` is not a usable URL: {}",
            root_cause(e)
        )
    } else {
        format!("no answer from the node at {base}: {}", root_cause(e))
    })
}

/// A 2xx answer decoded as `T`; any other status as [`HttpError::Status`] with the node's
/// error code and message (`crate::api::ErrorBody`).
fn decode<T: DeserializeOwned>(path: &str, status: u16, body: &[u8]) -> Result<T, HttpError> {
    if !(200..300).contains(&status) {
        return Err(status_error(status, body));
    }
    serde_json::from_slice(body).map_err(|e| {
        HttpError::Malformed(format!("{path}: not the answer this client expects: {e}"))
    })
}

fn status_error(status: u16, body: &[u8]) -> HttpError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => HttpError::Status {
            status,
            code: error.code,
            message: error.message,
        },
        // Not the API's error form (a proxy's page, a framework's plain-text rejection): its
        // text, shortened.
        Err(_) => HttpError::Status {
            status,
            code: "error".into(),
            message: String::from_utf8_lossy(body)
                .chars()
                .take(MAX_QUOTED)
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    /// A one-connection server on loopback that answers with `answer` (raw HTTP).
    fn serve_once(answer: Vec<u8>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut conn, _)) = listener.accept() {
                let mut request = [0u8; 4096];
                let _ = conn.read(&mut request);
                let _ = conn.write_all(&answer);
            }
        });
        format!("http://{addr}")
    }

    fn answer(status: &str, body: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    #[test]
    fn errors_are_classified() {
        let refused = status_error(
            400,
            br#"{"error": {"code": "fee_too_low", "message": "fee 1 is too low"}}"#,
        );
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
        assert_eq!(decode::<u32>("/x", 200, b"1"), Ok(1));
        assert!(matches!(
            decode::<u32>("/x", 200, b"\"one\""),
            Err(HttpError::Malformed(_))
        ));
        // Port 9 (discard) on loopback: nothing listens in a test environment.
        let down = get::<u32>("http://127.0.0.1:9", "/chain");
        assert!(
            matches!(&down, Err(HttpError::Unreachable(m)) if m.starts_with("cannot reach the node")),
            "{down:?}"
        );
        assert!(matches!(
            get::<u32>("https://example.invalid", "/chain"),
            Err(HttpError::Unreachable(_))
        ));
    }

    #[test]
    fn answers_are_read_and_refusals_keep_their_code() {
        let node = serve_once(answer("200 OK", r#"{"hash":"ab"}"#));
        let got: crate::api::SubmitResponse =
            post(&node, "/tx", &crate::api::SubmitRequest { tx: "00".into() }).unwrap();
        assert_eq!(got.hash, "ab");
        let node = serve_once(answer(
            "400 Bad Request",
            r#"{"error":{"code":"malformed","message":"not hex"}}"#,
        ));
        assert!(matches!(
            get::<u32>(&node, "/tx"),
            Err(HttpError::Status { status: 400, code, .. }) if code == "malformed"
        ));
        let node = serve_once(answer("415 Unsupported Media Type", "Expected JSON"));
        assert!(matches!(
            get::<u32>(&node, "/tx"),
            Err(HttpError::Status { status: 415, code, message }) if code == "error" && message == "Expected JSON"
        ));
    }

    #[test]
    fn an_answer_larger_than_the_cap_is_refused() {
        // Announced by its length.
        let huge = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
            MAX_RESPONSE + 1
        );
        let node = serve_once(huge.into_bytes());
        assert!(matches!(
            get::<u32>(&node, "/chain"),
            Err(HttpError::Malformed(m)) if m.contains("larger than")
        ));
        // Or streamed without a length until the connection closes.
        let mut streamed = b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_vec();
        streamed.extend(std::iter::repeat_n(b' ', MAX_RESPONSE + 10));
        let node = serve_once(streamed);
        assert!(matches!(
            get::<u32>(&node, "/chain"),
            Err(HttpError::Malformed(m)) if m.contains("larger than")
        ));
    }

    #[test]
    #[ignore = "takes TIMEOUT (30 s)"]
    fn a_node_that_never_answers_times_out() {
        // Accepts, reads, and says nothing: the total timeout ends the wait.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let _held = listener.accept();
            std::thread::sleep(TIMEOUT + Duration::from_secs(5));
        });
        assert!(matches!(
            get::<u32>(&format!("http://{addr}"), "/chain"),
            Err(HttpError::Unreachable(m)) if m.contains("within")
        ));
    }

    #[test]
    fn async_get_reads_the_same_way() {
        let node = serve_once(answer("200 OK", "7"));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let got = runtime.block_on(get_async::<u32>(&node, "/x"));
        assert_eq!(got, Ok(7));
    }
}
