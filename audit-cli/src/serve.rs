//! `audit serve`: the auditors' page over a store or a JSON-lines log,
//! read-only.

use std::net::SocketAddr;
use std::sync::Arc;

use audit_core::viewer::{ViewerSource, router};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use crate::store::Location;

/// The environment variable `--token` may be given in instead, so that it
/// is not in the process list.
pub(crate) const TOKEN_VARIABLE: &str = "AUDIT_SERVE_TOKEN";

/// Serve the auditors' page (search, sentences, diffs, exports) over a
/// JSON-lines log, a SQLite store (`sqlite:PATH`) or a PostgreSQL store
/// (`postgres://…`), read-only.
///
/// It listens on loopback unless told otherwise; on any other address it
/// requires a token, which every request must then carry: `Authorization:
/// Bearer TOKEN`, or HTTP basic authentication with the token as the
/// password (what a browser asks for).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The log: a JSON-lines file, `sqlite:PATH` or a PostgreSQL URL.
    store: String,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The token every request must carry; required to listen on an
    /// address other than loopback. Also read from `AUDIT_SERVE_TOKEN`.
    #[arg(long, env = TOKEN_VARIABLE, hide_env_values = true)]
    token: Option<String>,
}

/// The shortest token `audit serve` takes: a guessable token guards an
/// audit log no better than none.
const SHORTEST_TOKEN: usize = 16;

pub(crate) fn run(args: &Args) -> Result<(), String> {
    let token = args.token.clone().filter(|token| !token.is_empty());
    if let Some(token) = &token
        && (token.chars().count() < SHORTEST_TOKEN
            || token.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(format!(
            "--token: give at least {SHORTEST_TOKEN} characters, without spaces (`openssl rand \
             -hex 16` makes one): it is all that stands between the network and the audit log"
        ));
    }
    if token.is_none() && !args.listen.ip().is_loopback() {
        return Err(format!(
            "--listen {}: not a loopback address; an audit log shows everyone's addresses and \
             changes, so give --token TOKEN (or {TOKEN_VARIABLE}) for every request to carry, \
             or listen on 127.0.0.1",
            args.listen
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start a runtime: {error}"))?;
    runtime.block_on(serve(args, token))
}

async fn serve(args: &Args, token: Option<String>) -> Result<(), String> {
    let location = Location::parse(&args.store);
    let source = match &location {
        Location::File(path) => {
            std::fs::metadata(path).map_err(|error| format!("{}: {error}", path.display()))?;
            ViewerSource::json_lines(path)
        }
        Location::Sqlite(path) => {
            std::fs::metadata(path)
                .map_err(|error| format!("sqlite:{}: {error}", path.display()))?;
            ViewerSource::sqlite_file(path)
        }
        Location::Postgres(url) => {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(4)
                .connect(url)
                .await
                .map_err(|error| format!("{}: {error}", crate::store::redact(url)))?;
            ViewerSource::postgres(pool)
        }
    };
    let mut app = router(source);
    if let Some(token) = token {
        app = app.layer(middleware::from_fn_with_state(Arc::new(token), check_token));
    } else {
        // Without a token, the page is for this machine's own browser: a
        // web page the operator visits could otherwise point a name of its
        // own at 127.0.0.1 (DNS rebinding) and read the log.
        app = app.layer(middleware::from_fn(check_loopback_host));
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|error| format!("--listen {}: {error}", args.listen))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("--listen {}: {error}", args.listen))?;
    eprintln!("audit: serving {} at http://{address}/", args.store);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            drop(tokio::signal::ctrl_c().await);
        })
        .await
        .map_err(|error| format!("serving: {error}"))
}

/// Refuses, with 401, a request that does not carry the token.
async fn check_token(State(token): State<Arc<String>>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(presented_token);
    match given {
        Some(given) if same(given.as_bytes(), token.as_bytes()) => next.run(request).await,
        _ => {
            let mut response = (
                StatusCode::UNAUTHORIZED,
                "the audit log needs the token `audit serve` was given: \
                 Authorization: Bearer TOKEN, or basic authentication with the token as password\n",
            )
                .into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"audit log\", charset=\"UTF-8\""),
            );
            response
        }
    }
}

/// Refuses, with 421, a request whose `Host` is not a loopback name or
/// address: one that reached this loopback server under another name.
async fn check_loopback_host(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if is_loopback_host(host) {
        return next.run(request).await;
    }
    (
        StatusCode::MISDIRECTED_REQUEST,
        "this audit log is served to this machine only, as http://127.0.0.1:PORT/ or \
         http://localhost:PORT/; to serve it under another name, give `audit serve` a --token\n",
    )
        .into_response()
}

/// Whether `host`, a `Host` header, names this machine's loopback
/// interface: `localhost`, `127.0.0.1` (any of 127/8) or `[::1]`, with or
/// without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or("", |(name, _)| name),
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// The token in an `Authorization` header: `Bearer TOKEN`, or `Basic`
/// with the token as the password (any user name).
fn presented_token(header: &str) -> Option<String> {
    let (scheme, value) = header.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(value.trim().to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (_, password) = decoded.split_once(':')?;
        return Some(password.to_owned());
    }
    None
}

/// Compares in time that depends on the lengths only.
fn same(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_read_from_bearer_and_basic() {
        assert_eq!(presented_token("Bearer abc"), Some("abc".into()));
        assert_eq!(presented_token("bearer abc"), Some("abc".into()));
        // "auditor:abc"
        assert_eq!(
            presented_token("Basic YXVkaXRvcjphYmM="),
            Some("abc".into())
        );
        assert_eq!(presented_token("Basic !!"), None);
        assert_eq!(presented_token("Digest abc"), None);
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }

    #[test]
    fn only_loopback_names_are_loopback_hosts() {
        for host in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "127.9.9.9:1",
            "localhost:8080",
            "LOCALHOST",
            "[::1]:8080",
            "[::1]",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "",
            "attacker.example:8080",
            "localhost.attacker.example",
            "127.0.0.1.attacker.example",
            "10.0.0.1:8080",
            "[::2]:8080",
            "[::1",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
