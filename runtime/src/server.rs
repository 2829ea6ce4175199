//! The HTTP server: accept loop, per-connection hyper HTTP/1.1 (keep-alive, pipelining, upgrades) or HTTP/2
//! cleartext with prior knowledge (told apart by the connection's first bytes), routing to
//! typed / raw / streaming / static handling, and graceful shutdown (stop accepting, let in-flight requests
//! finish within a bound, close idle connections).

use crate::app::{App, Ep, Kind};
use crate::body::ResBody;
use crate::decode::{body_method, RequestParts};
use crate::dispatch::{AuthInput, Bridge, CallError, Event, Reply, RequestMeta};
use crate::error::{ApiError, ErrCode};
use crate::router::Lookup;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::http::request::Parts;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};

/// Header bytes (names + values) a request may carry before it is answered 431.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// hyper's read buffer cap: a head that does not even fit is refused by hyper itself.
const MAX_BUF_BYTES: usize = 128 * 1024;
/// Streams one HTTP/2 connection may have open at once.
const H2_MAX_STREAMS: u32 = 256;
/// How long a new connection may stay silent before it is closed (HTTP/1.1's header read timeout covers the rest).
const FIRST_BYTES_TIMEOUT: Duration = Duration::from_secs(30);

/// The HTTP/2 connection preface (RFC 9113 §3.4): a client with prior knowledge of h2c starts with it.
const H2_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proto {
    H1,
    H2,
    /// Closed, failed or silent before its first bytes (or shutdown began): nothing to serve.
    Gone,
}

/// Tells HTTP/2 (the preface) from HTTP/1.1 by peeking at a connection's first bytes, without consuming them.
async fn sniff(stream: &tokio::net::TcpStream) -> std::io::Result<Proto> {
    let mut buf = [0u8; 24];
    loop {
        let n = stream.peek(&mut buf).await?;
        if n == 0 {
            return Ok(Proto::Gone);
        }
        if buf[..n] != H2_PREFACE[..n] {
            return Ok(Proto::H1);
        }
        if n == H2_PREFACE.len() {
            return Ok(Proto::H2);
        }
        // A preface split across packets: peek is ready again at once, so wait a moment for the rest.
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

pub struct Runtime {
    pub app: RwLock<Arc<App>>,
    pub bridge: Arc<Bridge>,
    /// The listener's port and this run's token, for the tool routes' gate.
    pub tools: crate::tool_routes::ToolGate,
    shutdown_tx: watch::Sender<bool>,
    active: AtomicUsize,
    idle: Notify,
}

pub type Resp = Response<ResBody>;

pub fn json_response(status: u16, body: String) -> Resp {
    let mut r = Response::new(ResBody::full(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

pub fn error_response(e: &ApiError) -> Resp {
    json_response(e.http_status(), e.to_json())
}

fn call_error(e: CallError) -> ApiError {
    match e {
        CallError::Unavailable => ApiError::new(ErrCode::Unavailable, "the app is not running (no JavaScript dispatcher)"),
        CallError::Deadline => ApiError::new(ErrCode::DeadlineExceeded, "the handler did not finish before the request deadline"),
    }
}

/// Builds a response from JS's answer. Header names/values JS got wrong are skipped rather than failing the request.
pub fn reply_response(status: u16, body: ResBody, headers: &[(String, String)], json: bool) -> Resp {
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    let mut has_type = false;
    for (k, v) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(v)) {
            has_type |= name == CONTENT_TYPE;
            h.append(name, value);
        }
    }
    if json && !has_type {
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    r
}

impl Runtime {
    pub fn new(app: App, bridge: Arc<Bridge>, tools: crate::tool_routes::ToolGate) -> Arc<Runtime> {
        let (shutdown_tx, _) = watch::channel(false);
        Arc::new(Runtime { app: RwLock::new(Arc::new(app)), bridge, tools, shutdown_tx, active: AtomicUsize::new(0), idle: Notify::new() })
    }

    pub fn app(&self) -> Arc<App> {
        self.app.read().unwrap().clone()
    }

    pub fn replace_app(&self, app: App) {
        *self.app.write().unwrap() = Arc::new(app);
    }

    pub async fn bind(addr: &str) -> std::io::Result<TcpListener> {
        TcpListener::bind(addr).await
    }

    /// Accepts connections until shutdown.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) {
        let mut shutdown = self.shutdown_tx.subscribe();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let rt = self.clone();
                    tokio::spawn(async move { rt.connection(stream).await });
                }
                _ = shutdown.changed() => break,
            }
        }
        // Dropping the listener here stops accepting; connections wind down on their own.
    }

    async fn connection(self: Arc<Self>, stream: tokio::net::TcpStream) {
        self.active.fetch_add(1, Ordering::AcqRel);
        let mut shutdown = self.shutdown_tx.subscribe();
        let rt = self.clone();
        let loopback = stream.peer_addr().map(|a| crate::tool_routes::is_loopback(a.ip())).unwrap_or(false);
        let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
            let rt = rt.clone();
            async move {
                // `/__reprise/*` (traces, admin, healthz) goes through the tool routes' one gate; app requests pay
                // this prefix test and nothing else.
                if crate::tool_routes::is_tool_path(req.uri().path()) {
                    return Ok::<_, Infallible>(crate::tool_routes::handle(&rt, loopback, req).await);
                }
                Ok::<_, Infallible>(crate::tracing::traced(&rt.clone(), req, |req| rt.handle(req)).await)
            }
        });
        // Prior-knowledge h2c: a connection whose first bytes are the HTTP/2 preface is served by hyper's HTTP/2
        // server, anything else by HTTP/1.1 as before — on the bare socket, with no wrapper on the HTTP/1.1 path.
        let proto = tokio::select! {
            p = tokio::time::timeout(FIRST_BYTES_TIMEOUT, sniff(&stream)) => match p {
                Ok(Ok(p)) => p,
                Ok(Err(_)) | Err(_) => Proto::Gone,
            },
            _ = shutdown.changed() => Proto::Gone,
        };
        // Gracefully ends a connection future on shutdown (both protocols' connections have `graceful_shutdown`).
        macro_rules! drive {
            ($conn:expr) => {{
                let conn = $conn;
                tokio::pin!(conn);
                if !*shutdown.borrow() {
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = shutdown.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.as_mut().await;
                        }
                    }
                } else {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.as_mut().await;
                }
            }};
        }
        match proto {
            Proto::H1 => {
                let mut builder = hyper::server::conn::http1::Builder::new();
                // No `pipeline_flush`: with it hyper buffers a response body without bound (it stops asking "can I
                // buffer more?"), which would defeat the outbound queue's backpressure (src/outq.rs); pipelined
                // requests are still answered in order, each flushed on its own.
                builder.timer(TokioTimer::new()).max_buf_size(MAX_BUF_BYTES).header_read_timeout(Duration::from_secs(30));
                drive!(builder.serve_connection(TokioIo::new(stream), svc).with_upgrades());
            }
            Proto::H2 => {
                let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
                builder.timer(TokioTimer::new()).max_header_list_size(MAX_BUF_BYTES as u32).max_concurrent_streams(H2_MAX_STREAMS);
                drive!(builder.serve_connection(TokioIo::new(stream), svc));
            }
            Proto::Gone => {}
        }
        if self.active.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.idle.notify_waiters();
        }
    }

    /// Stops accepting, asks every connection to finish its current request and close, and waits up to `grace`.
    /// Returns the number of connections still open when the bound ran out.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        let _ = self.shutdown_tx.send(true);
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let notified = self.idle.notified();
            let n = self.active.load(Ordering::Acquire);
            if n == 0 {
                return 0;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.active.load(Ordering::Acquire);
            }
        }
    }

    async fn handle(self: Arc<Self>, req: Request<Incoming>) -> Resp {
        let header_bytes: usize = req.headers().iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
        if header_bytes > MAX_HEADER_BYTES {
            let e = ApiError::invalid(format!("request headers exceed {MAX_HEADER_BYTES} bytes")).with_status(431);
            let mut r = error_response(&e);
            r.headers_mut().insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
            return r;
        }
        let app = self.app();
        let (mut parts, body) = req.into_parts();
        // Every OPTIONS request is a CORS preflight, answered before routing as Encore does (src/cors.rs).
        if parts.method == hyper::Method::OPTIONS {
            crate::body::discard(body);
            let mut r = Response::new(ResBody::empty());
            r.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
            app.cors.apply(&parts, r.headers_mut());
            return r;
        }
        // Decided before routing: handling may move the request's headers on (typed calls hand them to JS).
        let mut cors = hyper::HeaderMap::new();
        app.cors.apply(&parts, &mut cors);
        let mut resp = self.route(&app, &mut parts, body).await;
        for (name, value) in cors.iter() {
            resp.headers_mut().append(name, value.clone());
        }
        if parts.method == hyper::Method::HEAD {
            without_body(resp)
        } else {
            resp
        }
    }

    /// Routes a request (not a preflight) to its endpoint; 404 / 405 when none matches.
    async fn route(self: &Arc<Self>, app: &Arc<App>, parts: &mut Parts, body: Incoming) -> Resp {
        let path = parts.uri.path().to_string();
        let (endpoint, params): (u32, Vec<(String, String)>) = match app.router.lookup(parts.method.as_str(), &path) {
            Lookup::Found { endpoint, params } => (endpoint, params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
            Lookup::MethodNotAllowed { allow } => {
                let e = ApiError::new(ErrCode::InvalidArgument, format!("method {} is not allowed for {}", parts.method, path)).with_status(405);
                let mut r = error_response(&e);
                if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                    r.headers_mut().insert(ALLOW, v);
                }
                return r;
            }
            Lookup::NotFound => return error_response(&ApiError::not_found(format!("no endpoint matches {} {}", parts.method, path))),
        };
        let ep = &app.endpoints[endpoint as usize];
        let mut params = params;
        if let Some(rest) = app.router.rest_param(endpoint) {
            if !params.iter().any(|(k, _)| k == rest) {
                params.push((rest.to_string(), String::new()));
            }
        }
        let result = match ep.kind {
            Kind::Typed => self.typed(app, endpoint, ep, parts, &params, body).await,
            Kind::Static => crate::static_files::serve(app, ep, parts, &params).await,
            Kind::Raw => crate::raw::handle(self, app, endpoint, ep, parts, &params, body).await,
            Kind::Stream => crate::ws::handle(self, app, endpoint, ep, parts, &params).await,
        };
        result.unwrap_or_else(|e| error_response(&e))
    }

    /// Runs the auth-parameter check of the embedded gateway: the auth handler's params are decoded (and then run in
    /// JS) whenever a request carries any of them; `auth: true` endpoints without them are refused here.
    pub fn auth_input(&self, app: &App, ep: &Ep, parts: &Parts) -> Result<AuthInput, ApiError> {
        let query = parts.uri.query();
        let input = match &app.auth {
            Some(plan) if plan.any_present(&parts.headers, query) => {
                let rp = RequestParts { body_method: false, path_params: &[], query, headers: &parts.headers, body: None };
                match plan.decode(&rp) {
                    Ok(json) => AuthInput::Params(json),
                    Err(e) if ep.auth => return Err(ApiError::new(ErrCode::Unauthenticated, e.message).with_details(e.details.unwrap_or_default())),
                    Err(_) => AuthInput::None,
                }
            }
            _ => AuthInput::None,
        };
        if ep.auth && !matches!(input, AuthInput::Params(_)) {
            return Err(ApiError::unauthenticated());
        }
        Ok(input)
    }

    /// Reads a request body up to the endpoint's limit: a declared Content-Length over it is refused before reading,
    /// a streamed body is cut off as soon as it passes it.
    pub async fn read_body(ep: &Ep, parts: &Parts, body: Incoming) -> Result<Bytes, ApiError> {
        let too_large = |limit: u64| ApiError::new(ErrCode::ResourceExhausted, format!("request body exceeds the limit of {limit} bytes")).with_status(413);
        let declared = parts.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        match ep.body_limit {
            Some(limit) => {
                if declared.is_some_and(|n| n > limit) {
                    crate::body::discard(body);
                    return Err(too_large(limit));
                }
                // Frames are gathered by hand (not `Limited`) so that a body passing the limit is kept and
                // drained while the 413 goes out.
                let mut body = body;
                let mut first: Option<Bytes> = None;
                let mut rest: Vec<u8> = Vec::new();
                let mut seen: u64 = 0;
                while let Some(frame) = body.frame().await {
                    let frame = frame.map_err(|_| ApiError::invalid("the request body could not be read"))?;
                    let Ok(data) = frame.into_data() else { continue };
                    seen += data.len() as u64;
                    if seen > limit {
                        crate::body::discard(body);
                        return Err(too_large(limit));
                    }
                    match &first {
                        None if rest.is_empty() => first = Some(data),
                        _ => {
                            if let Some(f) = first.take() {
                                rest.extend_from_slice(&f);
                            }
                            rest.extend_from_slice(&data);
                        }
                    }
                }
                Ok(first.unwrap_or_else(|| Bytes::from(rest)))
            }
            None => body.collect().await.map(|c| c.to_bytes()).map_err(|_| ApiError::invalid("the request body could not be read")),
        }
    }

    /// Request facts for JS. Path params are only serialised when given (raw endpoints, percent-decoded as typed
    /// endpoints' are); typed endpoints already carry them, typed, in their params object.
    pub fn meta(parts: &Parts, params: &[(String, String)], internal: bool) -> RequestMeta {
        let path_params = if params.is_empty() {
            String::from("{}")
        } else {
            let mut pp = serde_json::Map::new();
            for (k, v) in params {
                let decoded = percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned();
                pp.insert(k.clone(), serde_json::Value::String(decoded));
            }
            serde_json::Value::Object(pp).to_string()
        };
        RequestMeta {
            method: parts.method.as_str().to_string(),
            path_and_query: parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default(),
            path_params,
            internal,
        }
    }

    async fn typed(&self, app: &App, endpoint: u32, ep: &Ep, parts: &mut Parts, params: &[(String, String)], body: Incoming) -> Result<Resp, ApiError> {
        let auth = self.auth_input(app, ep, parts)?;
        let is_body_method = body_method(parts.method.as_str());
        let bytes = match &ep.plan {
            Some(plan) if plan.wants_body(is_body_method) => Some(Self::read_body(ep, parts, body).await?),
            _ => None,
        };
        let pp: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let json = match &ep.plan {
            Some(plan) => plan.decode(&RequestParts {
                body_method: is_body_method,
                path_params: &pp,
                query: parts.uri.query(),
                headers: &parts.headers,
                body: bytes.as_deref(),
            })?,
            None => String::new(),
        };
        let meta = Self::meta(parts, &[], false);
        // The headers move into the pending entry (no copy) so JS can read them only if a handler asks; `parts`
        // is not used after this call.
        let headers = std::mem::take(&mut parts.headers);
        let (_, reply) = self.bridge.call_with(Some(headers), |id| Event::Call { id, endpoint, params: json, auth, meta }).await.map_err(call_error)?;
        Ok(match reply {
            Reply::Full { status, body, headers } => {
                let json = !body.is_empty();
                reply_response(status, ResBody::full(body), &headers, json)
            }
            Reply::Head { status, headers } => reply_response(status, ResBody::empty(), &headers, false),
        })
    }

    /// A service-to-service call: validated like an HTTP request (the params object as a whole), auth data
    /// propagated from the caller, answered with JS's status and JSON body.
    pub async fn call_internal(&self, endpoint: u32, params_json: &str, auth_data: Option<String>) -> (u16, String) {
        let app = self.app();
        let Some(ep) = app.endpoints.get(endpoint as usize) else {
            let e = ApiError::new(ErrCode::NotFound, format!("unknown endpoint #{endpoint}"));
            return (e.http_status(), e.to_json());
        };
        let result: Result<(u16, String), ApiError> = async {
            if ep.kind != Kind::Typed {
                return Err(ApiError::new(ErrCode::Unimplemented, format!("{}.{} cannot be called as a function", ep.service, ep.name)));
            }
            let params = if params_json.is_empty() { serde_json::Value::Object(Default::default()) } else {
                serde_json::from_str::<serde_json::Value>(params_json).map_err(|e| ApiError::invalid(format!("params are not JSON: {e}")))?
            };
            if let Some(plan) = &ep.plan {
                plan.validate_object(&params)?;
            }
            if ep.auth && auth_data.is_none() {
                return Err(ApiError::unauthenticated());
            }
            let auth = auth_data.map(AuthInput::Data).unwrap_or(AuthInput::None);
            let meta = RequestMeta { method: "CALL".into(), path_and_query: format!("{}.{}", ep.service, ep.name), path_params: "{}".into(), internal: true };
            let json = if ep.plan.is_some() { params.to_string() } else { String::new() };
            let (_, reply) = self.bridge.call(|id| Event::Call { id, endpoint, params: json, auth, meta }).await.map_err(call_error)?;
            Ok(match reply {
                Reply::Full { status, body, .. } => (status, body),
                Reply::Head { status, .. } => (status, String::new()),
            })
        }
        .await;
        result.unwrap_or_else(|e| (e.http_status(), e.to_json()))
    }
}

/// A HEAD response: the GET response's status and headers, no body. Content-Length stays what GET would send
/// when the body's length is known.
fn without_body(resp: Resp) -> Resp {
    let (mut parts, body) = resp.into_parts();
    if !parts.headers.contains_key(CONTENT_LENGTH) {
        if let Some(n) = hyper::body::Body::size_hint(&body).exact() {
            parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(n));
        }
    }
    drop(body);
    Response::from_parts(parts, ResBody::empty())
}
