//! The runtime's tool routes, everything under `/__reprise/`: one gate in front of the trace endpoint
//! (`src/tracing.rs`) and the admin routes (`src/admin.rs`), answered before app routing. The server sends a
//! request here after a single prefix test ([`is_tool_path`]); app routes pay nothing else.
//!
//! The routes exist for the tools on the developer's machine (`reprise traces | cron | pubsub`, the editor), and
//! hold request data and the power to publish messages and run jobs. A loopback peer is not enough to tell such a
//! tool from a web page: through DNS rebinding a page on any site becomes "127.0.0.1" to the browser and its
//! requests arrive from loopback. So, in this order:
//!
//! 1. `GET /__reprise/healthz` is answered to anyone (orchestrators probe it from outside): no data, 200.
//!    The browser dashboard's files (`GET /__reprise/`, `/__reprise/ui/*`, `src/dashboard.rs`) hold no data
//!    either: they pass step 2 and skip steps 3-4 (the page sends the token on its own admin requests).
//! 2. A peer that is not on this machine, or a `Host` (or HTTP/2 `:authority`) that is not a loopback name
//!    (`localhost`, `127.0.0.1`, `[::1]`, any loopback address literal) with the app's port, gets 404 — the same
//!    answer as a path that does not exist. A rebound page's requests carry the page's own host name.
//! 3. A state-changing request (any method but GET, HEAD, OPTIONS) that carries an `Origin` other than the app's
//!    own loopback origin is refused 403. Browsers send `Origin` on every cross-origin write; tools send none.
//! 4. Every route needs the per-run token as `Authorization: Bearer <token>` (401 without it or with another).
//!    `reprise run` makes a random token per run, hands it in at start and writes it, readable by its owner only,
//!    to `<app>/.reprise/instances/<port>.json`, where the CLI and the editor read it. A page can neither read
//!    that file nor guess the token, and cannot read the answers of the requests it sends blind.

use crate::error::{ApiError, ErrCode};
use crate::server::{error_response, json_response, Resp, Runtime};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, ALLOW, AUTHORIZATION, HOST, ORIGIN, WWW_AUTHENTICATE};
use hyper::{Method, Request, Uri};
use std::net::{IpAddr, Ipv6Addr};

/// Every tool route starts with this; nothing of the app may.
pub const PREFIX: &str = "/__reprise";
/// The one route answered to anyone.
pub const HEALTHZ_PATH: &str = "/__reprise/healthz";
/// Shortest token accepted at start (the CLI's is 43 characters: 32 random bytes, base64url).
pub const MIN_TOKEN_LEN: usize = 32;

/// Whether a request path belongs to the tool routes: `/__reprise` itself or anything below `/__reprise/`. The
/// only test an app request pays.
#[inline]
pub fn is_tool_path(path: &str) -> bool {
    match path.as_bytes().strip_prefix(PREFIX.as_bytes()) {
        Some(rest) => rest.is_empty() || rest[0] == b'/',
        None => false,
    }
}

/// Whether a peer address is on this machine, including IPv4 loopback seen through a dual-stack socket
/// (`::ffff:127.0.0.1`), which `IpAddr::is_loopback` alone does not count.
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

/// A token handed in at start that the gate will not use.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the tool token is {0} characters long; at least {MIN_TOKEN_LEN} are needed")]
    TooShort(usize),
    #[error("the tool token may hold only letters, digits and - . _ ~ + / = (RFC 6750 token68)")]
    BadCharacter,
}

/// Why the gate refused a request; each maps to one answer ([`Refusal::response`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a loopback peer, or not a loopback `Host` with the app's port: the routes do not exist for it (404).
    Hidden,
    /// A state-changing request from a foreign `Origin` (403).
    ForeignOrigin,
    /// No `Authorization: Bearer` header (401).
    MissingToken,
    /// A bearer token that is not this run's (401).
    WrongToken,
    /// The runtime was started without a token, so nothing can pass (401).
    NoTokenConfigured,
}

impl Refusal {
    pub fn response(self, port: u16) -> Resp {
        let where_from = format!("it is in the app's .reprise/instances/{port}.json while the app runs");
        let error = match self {
            Refusal::Hidden => return error_response(&ApiError::not_found("not found")),
            Refusal::ForeignOrigin => ApiError::new(ErrCode::PermissionDenied, "the tool routes refuse state-changing requests from another origin"),
            Refusal::MissingToken => ApiError::new(ErrCode::Unauthenticated, format!("the tool routes need this run's token as `Authorization: Bearer <token>`; {where_from}")),
            Refusal::WrongToken => ApiError::new(ErrCode::Unauthenticated, format!("the bearer token is not this run's (was the app restarted?); {where_from}")),
            Refusal::NoTokenConfigured => ApiError::new(ErrCode::Unauthenticated, "this runtime was started without a tool token (`reprise run` gives it one), so its tool routes are closed"),
        };
        let mut response = error_response(&error);
        if error.code == ErrCode::Unauthenticated {
            response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"reprise\""));
        }
        response
    }
}

/// The gate's settings for one listener: its port and this run's token.
#[derive(Debug, Clone)]
pub struct ToolGate {
    port: u16,
    token: Option<Box<[u8]>>,
    /// The browser dashboard's files (`src/dashboard.rs`); None: not served.
    dashboard: Option<std::path::PathBuf>,
}

impl ToolGate {
    /// Checks a token before anything is bound, so a bad one fails the start, not every later request.
    pub fn check_token(token: Option<&str>) -> Result<(), TokenError> {
        let Some(token) = token else { return Ok(()) };
        if token.len() < MIN_TOKEN_LEN {
            return Err(TokenError::TooShort(token.len()));
        }
        if !token.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)) {
            return Err(TokenError::BadCharacter);
        }
        Ok(())
    }

    pub fn new(port: u16, token: Option<String>) -> Result<ToolGate, TokenError> {
        Self::check_token(token.as_deref())?;
        Ok(ToolGate { port, token: token.map(|t| t.into_bytes().into_boxed_slice()), dashboard: None })
    }

    /// Serves the browser dashboard's files from `dir` (`GET /__reprise/`, `/__reprise/ui/<file>`).
    pub fn with_dashboard(mut self, dir: Option<std::path::PathBuf>) -> ToolGate {
        self.dashboard = dir;
        self
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Steps 2-4 of the module docs for one request (healthz is answered before this).
    pub fn check(&self, peer_loopback: bool, method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<(), Refusal> {
        if !peer_loopback || !self.host_is_loopback(uri, headers) {
            return Err(Refusal::Hidden);
        }
        let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            for origin in headers.get_all(ORIGIN) {
                if !origin.to_str().is_ok_and(|o| self.is_own_origin(o)) {
                    return Err(Refusal::ForeignOrigin);
                }
            }
        }
        let Some(expected) = &self.token else { return Err(Refusal::NoTokenConfigured) };
        let mut given = headers.get_all(AUTHORIZATION).iter();
        let (Some(value), None) = (given.next(), given.next()) else {
            return Err(if headers.contains_key(AUTHORIZATION) { Refusal::WrongToken } else { Refusal::MissingToken });
        };
        let Some(token) = bearer_token(value.as_bytes()) else { return Err(Refusal::MissingToken) };
        if constant_time_eq(token, expected) {
            Ok(())
        } else {
            Err(Refusal::WrongToken)
        }
    }

    /// Every authority the request names (the request target's, for HTTP/2 and absolute-form requests, and each
    /// `Host` header) is a loopback name with this port, and there is at least one.
    fn host_is_loopback(&self, uri: &Uri, headers: &HeaderMap) -> bool {
        let mut named = false;
        if let Some(authority) = uri.authority() {
            named = true;
            if !is_loopback_authority(authority.as_str(), self.port) {
                return false;
            }
        }
        for host in headers.get_all(HOST) {
            named = true;
            if !host.to_str().is_ok_and(|h| is_loopback_authority(h, self.port)) {
                return false;
            }
        }
        named
    }

    /// `http://<loopback name>:<port>`: a page the app itself served on loopback (which still needs the token).
    fn is_own_origin(&self, origin: &str) -> bool {
        origin.strip_prefix("http://").is_some_and(|authority| is_loopback_authority(authority, self.port))
    }
}

/// `host[:port]` where host is `localhost` (any case) or a loopback address (IPv6 in brackets) and the port is
/// `port` (absent only when `port` is 80, HTTP's default).
pub fn is_loopback_authority(authority: &str, port: u16) -> bool {
    let (host, given_port) = if let Some(rest) = authority.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else { return false };
        let Ok(v6) = inside.parse::<Ipv6Addr>() else { return false };
        if !is_loopback(IpAddr::V6(v6)) {
            return false;
        }
        match after {
            "" => ("", None),
            p => match p.strip_prefix(':') {
                Some(p) => ("", Some(p)),
                None => return false,
            },
        }
    } else {
        let (host, p) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let host_ok = host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::Ipv4Addr>().is_ok_and(|v4| v4.is_loopback());
        if !host_ok {
            return false;
        }
        ("", p)
    };
    debug_assert!(host.is_empty());
    match given_port {
        None => port == 80,
        Some(p) => !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>() == Ok(port),
    }
}

/// The token of `Bearer <token>` (scheme in any case, RFC 6750), or None for another scheme or an empty token.
fn bearer_token(value: &[u8]) -> Option<&[u8]> {
    const SCHEME: &[u8] = b"bearer ";
    if value.len() <= SCHEME.len() || !value[..SCHEME.len()].eq_ignore_ascii_case(SCHEME) {
        return None;
    }
    let token = value[SCHEME.len()..].trim_ascii();
    (!token.is_empty()).then_some(token)
}

/// Compares without stopping at the first difference, so the time taken does not tell how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn healthz(method: &Method) -> Resp {
    match *method {
        Method::GET | Method::HEAD => json_response(200, r#"{"status":"ok"}"#.to_string()),
        _ => {
            let e = ApiError::new(ErrCode::InvalidArgument, format!("method {method} is not allowed here; use GET")).with_status(405);
            let mut r = error_response(&e);
            r.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            r
        }
    }
}

/// Answers one request whose path passed [`is_tool_path`]: healthz, or the gate and then the route.
pub async fn handle(runtime: &Runtime, peer_loopback: bool, request: Request<Incoming>) -> Resp {
    let path = request.uri().path();
    if path == HEALTHZ_PATH {
        return healthz(request.method());
    }
    let gate = &runtime.tools;
    // The dashboard's page and files hold no data: the loopback checks (step 2), not the token.
    if crate::dashboard::is_dashboard_path(path) {
        if !peer_loopback || !gate.host_is_loopback(request.uri(), request.headers()) {
            return Refusal::Hidden.response(gate.port());
        }
        return crate::dashboard::serve(gate.dashboard.as_deref(), request.method(), path).await;
    }
    if let Err(refusal) = gate.check(peer_loopback, request.method(), request.uri(), request.headers()) {
        return refusal.response(gate.port());
    }
    let app = runtime.app();
    if reprise_trace::api::is_trace_api_path(path) {
        return crate::tracing::answer_trace_api(&app, &request);
    }
    if crate::admin::is_admin_path(path) {
        return crate::admin::handle(app, request).await;
    }
    error_response(&ApiError::not_found("not found"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const TOKEN: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

    fn gate() -> ToolGate {
        ToolGate::new(4000, Some(TOKEN.into())).unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn check(peer: bool, method: Method, uri: &str, pairs: &[(&'static str, &str)]) -> Result<(), Refusal> {
        gate().check(peer, &method, &uri.parse().unwrap(), &headers(pairs))
    }

    const AUTH: (&str, &str) = ("authorization", "Bearer 0123456789abcdefghijklmnopqrstuvwxyzABCDEFG");

    #[test]
    fn tool_paths_are_the_prefix_and_below() {
        for p in ["/__reprise", "/__reprise/", "/__reprise/healthz", "/__reprise/traces", "/__reprise/admin/cron", "/__reprise/nope"] {
            assert!(is_tool_path(p), "{p}");
        }
        for p in ["/", "/__reprisex", "/__repris", "/api/__reprise/traces", "/__REPRISE/traces"] {
            assert!(!is_tool_path(p), "{p}");
        }
    }

    #[test]
    fn loopback_covers_v4_v6_and_mapped_v4() {
        assert!(is_loopback(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(is_loopback(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9))));
        assert!(is_loopback(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert!(is_loopback(IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped())));
        assert!(!is_loopback(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))));
        assert!(!is_loopback(IpAddr::V6(Ipv4Addr::new(192, 168, 1, 2).to_ipv6_mapped())));
        assert!(!is_loopback("2001:db8::1".parse().unwrap()));
    }

    #[test]
    fn loopback_authorities_need_a_loopback_name_and_the_port() {
        for a in ["127.0.0.1:4000", "localhost:4000", "LocalHost:4000", "[::1]:4000", "127.0.0.2:4000", "[::ffff:127.0.0.1]:4000", "[0:0:0:0:0:0:0:1]:4000"] {
            assert!(is_loopback_authority(a, 4000), "{a}");
        }
        for a in [
            "evil.example:4000",
            "127.0.0.1.evil.example:4000",
            "localhost.evil.example:4000",
            "localhost.:4000",
            "app.localhost:4000",
            "127.1:4000",
            "0x7f.0.0.1:4000",
            "10.0.0.1:4000",
            "[2001:db8::1]:4000",
            "[::1]4000",
            "[::1",
            "127.0.0.1:4001",
            "127.0.0.1:04000x",
            "127.0.0.1:+4000",
            "127.0.0.1:",
            "127.0.0.1",
            "localhost",
            "user@127.0.0.1:4000",
            "",
        ] {
            assert!(!is_loopback_authority(a, 4000), "{a}");
        }
        assert!(is_loopback_authority("localhost", 80) && is_loopback_authority("[::1]", 80) && is_loopback_authority("127.0.0.1:80", 80));
    }

    #[test]
    fn a_foreign_peer_or_host_sees_nothing() {
        assert_eq!(check(false, Method::GET, "/__reprise/traces", &[("host", "127.0.0.1:4000"), AUTH]), Err(Refusal::Hidden));
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[("host", "evil.example:4000"), AUTH]), Err(Refusal::Hidden));
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[("host", "127.0.0.1:4001"), AUTH]), Err(Refusal::Hidden));
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[AUTH]), Err(Refusal::Hidden), "no host at all");
        // Two Host headers: both must pass.
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[("host", "127.0.0.1:4000"), ("host", "evil.example:4000"), AUTH]), Err(Refusal::Hidden));
        // HTTP/2 (or absolute-form) authority is checked too, and so is a Host header beside it.
        assert_eq!(check(true, Method::GET, "http://evil.example:4000/__reprise/traces", &[AUTH]), Err(Refusal::Hidden));
        assert_eq!(check(true, Method::GET, "http://127.0.0.1:4000/__reprise/traces", &[("host", "evil.example:4000"), AUTH]), Err(Refusal::Hidden));
        assert_eq!(check(true, Method::GET, "http://127.0.0.1:4000/__reprise/traces", &[AUTH]), Ok(()));
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[("host", "localhost:4000"), AUTH]), Ok(()));
    }

    #[test]
    fn writes_from_a_foreign_origin_are_refused() {
        let host = ("host", "127.0.0.1:4000");
        for origin in ["http://evil.example:4000", "null", "https://127.0.0.1:4000", "http://127.0.0.1:4001", "http://localhost:4000/x", "vscode-webview://abc"] {
            assert_eq!(check(true, Method::POST, "/__reprise/admin/cron/x/run", &[host, ("origin", origin), AUTH]), Err(Refusal::ForeignOrigin), "{origin}");
            assert_eq!(check(true, Method::DELETE, "/__reprise/admin/x", &[host, ("origin", origin), AUTH]), Err(Refusal::ForeignOrigin), "{origin}");
            // Reads are not state-changing: the token decides.
            assert_eq!(check(true, Method::GET, "/__reprise/traces", &[host, ("origin", origin), AUTH]), Ok(()), "{origin}");
        }
        // A foreign Origin is refused before the token is looked at (a page that somehow had the token still fails).
        assert_eq!(check(true, Method::POST, "/__reprise/admin/cron/x/run", &[host, ("origin", "http://evil.example:4000")]), Err(Refusal::ForeignOrigin));
        for origin in ["http://127.0.0.1:4000", "http://localhost:4000", "http://[::1]:4000"] {
            assert_eq!(check(true, Method::POST, "/__reprise/admin/cron/x/run", &[host, ("origin", origin), AUTH]), Ok(()), "{origin}");
        }
        assert_eq!(check(true, Method::POST, "/__reprise/admin/cron/x/run", &[host, AUTH]), Ok(()), "tools send no Origin");
    }

    #[test]
    fn every_route_needs_this_runs_token() {
        let host = ("host", "127.0.0.1:4000");
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[host]), Err(Refusal::MissingToken));
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[host, ("authorization", "Basic dXNlcjpwYXNz")]), Err(Refusal::MissingToken));
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[host, ("authorization", "Bearer ")]), Err(Refusal::MissingToken));
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[host, ("authorization", "Bearer 0123456789abcdefghijklmnopqrstuvwxyzABCDEF")]), Err(Refusal::WrongToken), "one character short");
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[host, ("authorization", "Bearer 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH")]), Err(Refusal::WrongToken), "one character long");
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[host, ("authorization", "Bearer 1123456789abcdefghijklmnopqrstuvwxyzABCDEFG")]), Err(Refusal::WrongToken));
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[host, AUTH, AUTH]), Err(Refusal::WrongToken), "two Authorization headers");
        assert_eq!(check(true, Method::GET, "/__reprise/traces", &[host, ("authorization", &format!("bearer  {TOKEN} "))]), Ok(()));
        let closed = ToolGate::new(4000, None).unwrap();
        assert_eq!(closed.check(true, &Method::GET, &"/__reprise/traces".parse().unwrap(), &headers(&[host, AUTH])), Err(Refusal::NoTokenConfigured));
    }

    #[test]
    fn weak_tokens_are_refused_at_start() {
        assert_eq!(ToolGate::new(1, Some("short".into())).unwrap_err(), TokenError::TooShort(5));
        assert_eq!(ToolGate::new(1, Some(format!("{TOKEN} x"))).unwrap_err(), TokenError::BadCharacter);
        assert_eq!(ToolGate::new(1, Some(format!("{TOKEN}\n"))).unwrap_err(), TokenError::BadCharacter);
        assert!(ToolGate::new(1, Some("A-_.~+/=".repeat(4))).is_ok());
        assert!(ToolGate::new(1, None).is_ok());
    }

    #[test]
    fn refusals_answer_404_403_401() {
        let status = |r: Refusal| r.response(4000).status().as_u16();
        assert_eq!((status(Refusal::Hidden), status(Refusal::ForeignOrigin), status(Refusal::MissingToken), status(Refusal::WrongToken), status(Refusal::NoTokenConfigured)), (404, 403, 401, 401, 401));
        assert!(Refusal::Hidden.response(4000).headers().get(WWW_AUTHENTICATE).is_none());
        assert_eq!(Refusal::MissingToken.response(4000).headers().get(WWW_AUTHENTICATE).unwrap(), "Bearer realm=\"reprise\"");
        assert_eq!(healthz(&Method::GET).status().as_u16(), 200);
        assert_eq!(healthz(&Method::POST).status().as_u16(), 405);
    }
}
