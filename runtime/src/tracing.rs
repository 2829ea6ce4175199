//! Tracing on the runtime's request path (the tracer itself is the `reprise-trace` crate). The server calls
//! [`traced`] around each app request; the trace endpoint `GET /__reprise/traces[/ID]` is answered by
//! [`answer_trace_api`] behind the tool routes' gate (`src/tool_routes.rs`), before app routing.
//!
//! **Head sampling with an error stub.** Whether a trace is recorded in detail is decided when the request is
//! first handed to JavaScript ([`bind`], called by the bridge with the request's id and endpoint): the trace id
//! (an incoming W3C `traceparent` is continued) and the endpoint's rate decide, as the end-of-request sampler
//! would. A sampled trace gets an [`ActiveTrace`] with its HTTP root span, and the request's id is registered as
//! a *live handle*: JS sees a flag in the request event and reports auth, database, bucket, log and error events
//! against the id; service calls and publishes made under it get spans of their own. A sampled-out request keeps
//! only what a stub needs (start time, method and URI, which are reference-counted clones): no allocation, no lock
//! and no crossing on its behalf. Should it fail (HTTP 5xx, or an error event JS reports for its id, kept in a
//! small side table) the stub becomes a one-span trace with the error events, which is always kept. Its trace id
//! is derived from its first request id ([`TraceId::for_handle`]), so nothing is stored for it: a publish its JS
//! code makes derives the id again and sends it on with the sampled flag off ([`start_publish`]).
//!
//! **Streams.** A WebSocket stream outlives its upgrade request: [`begin_stream`] takes the request's decision
//! and records the stream's lifetime as a span of its own in the same trace, with bounded per-message events.
//!
//! **Scopes.** Each unit of work (an HTTP request, a service call made from JS, a pub/sub delivery, a cron run)
//! runs inside a task-local [`Scope`], so the bridge can tell which trace a new request id belongs to without
//! any signature on the request path changing. A service call's callee is recorded in the caller's trace under
//! the call's span, with the same trace id.
//!
//! One tracer per process, configured on first use from the runtime config's `tracing` section (runtime/infra) for
//! the app being served, with environment overrides for benchmarks and debugging:
//! `REPRISE_TRACING=off` disables recording; `REPRISE_TRACE_SAMPLE_RATE` (0..=1) replaces the sample rate;
//! `REPRISE_TRACING_CONFIG` holds a full JSON `reprise_trace::TracingConfig`.

use crate::app::App;
use crate::body::ResBody;
use crate::dispatch::{Event, IdHasher};
use crate::router::Lookup;
use crate::server::{Resp, Runtime};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode, Uri};
use reprise_trace::{api, text, ActiveTrace, EventKind, Parent, SpanDetails, SpanRef, SpanStatus, Text, TraceId, TraceParent, Tracer, TracingConfig};
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::hash::BuildHasherDefault;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

static TRACER: OnceLock<Option<Tracer>> = OnceLock::new();

/// The response header naming the kept trace of a request, so a client (the editor's API explorer) can open it.
pub const TRACE_ID_HEADER: hyper::header::HeaderName = hyper::header::HeaderName::from_static("x-reprise-trace-id");

/// The W3C header, as a ready header name: looking it up by `&str` would parse the name on every request.
const TRACEPARENT: hyper::header::HeaderName = hyper::header::HeaderName::from_static("traceparent");

/// The tracer, created on first use; None when tracing is switched off or its config is invalid (reported once
/// on stderr; requests are never failed for tracing's sake).
pub fn tracer(app_root: &Path) -> Option<&'static Tracer> {
    TRACER
        .get_or_init(|| {
            let config = match config_for(app_root) {
                Ok(Some(config)) => config,
                Ok(None) => return None,
                Err(message) => {
                    eprintln!("reprise: tracing disabled: {message}");
                    return None;
                }
            };
            match Tracer::new(config) {
                Ok(tracer) => Some(tracer),
                Err(error) => {
                    eprintln!("reprise: tracing disabled: {error}");
                    None
                }
            }
        })
        .as_ref()
}

/// The tracer if it was created already (by a request, a delivery or a cron run).
pub(crate) fn started() -> Option<&'static Tracer> {
    TRACER.get().and_then(Option::as_ref)
}

fn config_for(app_root: &Path) -> Result<Option<TracingConfig>, String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if matches!(env("REPRISE_TRACING").as_deref(), Some("off" | "0" | "false")) {
        return Ok(None);
    }
    let mut config = match env("REPRISE_TRACING_CONFIG") {
        Some(json) => serde_json::from_str::<TracingConfig>(&json).map_err(|e| format!("REPRISE_TRACING_CONFIG: {e}"))?,
        None => {
            let runtime = reprise_infra::config::load(app_root, None, &env).map_err(|e| e.to_string())?;
            from_runtime_config(&runtime.tracing)
        }
    };
    if let Some(rate) = env("REPRISE_TRACE_SAMPLE_RATE") {
        config.sample_rate = rate.parse().map_err(|_| format!("REPRISE_TRACE_SAMPLE_RATE `{rate}` is not a number"))?;
    }
    Ok(Some(config))
}

/// The runtime config's `tracing` section (`exporter`, `endpoint`, `sampleRate`) as the tracer's settings.
pub fn from_runtime_config(section: &reprise_infra::config::TracingConfig) -> TracingConfig {
    let otlp = match (&section.exporter, &section.endpoint) {
        (reprise_infra::config::TracingExporter::Otlp, Some(endpoint)) => Some(reprise_trace::OtlpConfig::new(endpoint.clone())),
        _ => None,
    };
    TracingConfig { sample_rate: section.sample_rate, otlp, ..TracingConfig::default() }
}

/// What a span says about the endpoint it ran: its span name ("service.endpoint"), service, endpoint and route
/// pattern (`/hello/:name`, the OTLP `http.route`).
#[derive(Clone)]
pub(crate) struct Names {
    pub span: Text,
    pub service: Text,
    pub endpoint: Text,
    pub route: Text,
}

/// Span names per endpoint of the app being served, built once per (re)load so a span clones four `Arc<str>`s
/// instead of formatting and allocating them.
struct EndpointNames {
    app: std::sync::Weak<App>,
    names: Vec<Names>,
}

static ENDPOINT_NAMES: std::sync::RwLock<Option<EndpointNames>> = std::sync::RwLock::new(None);

/// The [`Names`] of endpoint number `endpoint`.
pub(crate) fn endpoint_names(app: &Arc<App>, endpoint: u32) -> Option<Names> {
    let current = |cache: &Option<EndpointNames>| cache.as_ref().is_some_and(|c| std::ptr::eq(c.app.as_ptr(), Arc::as_ptr(app)));
    {
        let cache = ENDPOINT_NAMES.read().unwrap_or_else(|p| p.into_inner());
        if current(&cache) {
            return cache.as_ref().and_then(|c| c.names.get(endpoint as usize).cloned());
        }
    }
    let names = app
        .endpoints
        .iter()
        .map(|ep| Names { span: text(&format!("{}.{}", ep.service, ep.name)), service: text(&ep.service), endpoint: text(&ep.name), route: text(&ep.path) })
        .collect::<Vec<_>>();
    let found = names.get(endpoint as usize).cloned();
    *ENDPOINT_NAMES.write().unwrap_or_else(|p| p.into_inner()) = Some(EndpointNames { app: Arc::downgrade(app), names });
    found
}

// --- live handles ------------------------------------------------------------------------------------------

/// What a live handle resolves to: the trace, and the span JS's spans and events attach to (the request's root,
/// a service call's span for the callee, a delivery's or cron run's root).
#[derive(Clone)]
pub(crate) struct Live {
    pub trace: ActiveTrace,
    pub span: SpanRef,
}

type IdMap<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;

static LIVE: OnceLock<Mutex<IdMap<Live>>> = OnceLock::new();
/// Entries in [`LIVE`], so that a process with nothing recording never takes its lock.
static LIVE_COUNT: AtomicUsize = AtomicUsize::new(0);

fn live_map() -> std::sync::MutexGuard<'static, IdMap<Live>> {
    LIVE.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner())
}

fn register(id: u32, live: Live) {
    if live_map().insert(id, live).is_none() {
        LIVE_COUNT.fetch_add(1, Ordering::Relaxed);
    }
}

fn unregister(ids: &Ids) {
    if ids.is_empty() {
        return;
    }
    let mut map = live_map();
    for id in ids.iter() {
        if map.remove(&id).is_some() {
            LIVE_COUNT.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// The live handle `id`, if the work it names is being recorded.
pub(crate) fn live(id: u32) -> Option<Live> {
    if id == 0 || LIVE_COUNT.load(Ordering::Relaxed) == 0 {
        return None;
    }
    live_map().get(&id).cloned()
}

/// Whether JS should report spans for request `id` (the flag in its event).
pub fn is_live(id: u32) -> bool {
    LIVE_COUNT.load(Ordering::Relaxed) != 0 && live_map().contains_key(&id)
}

/// Error events reported for handles that are not recording (sampled-out requests), kept until the owner of the
/// handle ends and collects them. Bounded: a handle nobody collects cannot grow it without limit.
static STUB_ERRORS: OnceLock<Mutex<StubErrors>> = OnceLock::new();
type StubErrors = IdMap<Vec<(u64, EventKind)>>;
static STUB_COUNT: AtomicUsize = AtomicUsize::new(0);
const MAX_STUB_ERRORS: usize = 4096;

fn stub_map() -> std::sync::MutexGuard<'static, IdMap<Vec<(u64, EventKind)>>> {
    STUB_ERRORS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner())
}

/// Records an error event for `id`: on its span when it is live, else in the stub table (only while tracing runs).
pub(crate) fn report_error(id: u32, kind: EventKind) {
    if let Some(live) = live(id) {
        live.trace.add_event(live.span, kind);
        return;
    }
    if started().is_none() || id == 0 {
        return;
    }
    let mut map = stub_map();
    if map.len() >= MAX_STUB_ERRORS && !map.contains_key(&id) {
        return;
    }
    map.entry(id).or_default().push((reprise_trace::recorder_now_unix_ns(), kind));
    STUB_COUNT.store(map.len(), Ordering::Relaxed);
}

fn take_stub_errors(ids: &Ids) -> Vec<(u64, EventKind)> {
    if ids.is_empty() || STUB_COUNT.load(Ordering::Relaxed) == 0 {
        return Vec::new();
    }
    let mut map = stub_map();
    let mut out = Vec::new();
    for id in ids.iter() {
        if let Some(events) = map.remove(&id) {
            out.extend(events);
        }
    }
    STUB_COUNT.store(map.len(), Ordering::Relaxed);
    out
}

fn move_stub_errors(from: &Ids, to: u32) {
    let events = take_stub_errors(from);
    if events.is_empty() {
        return;
    }
    let mut map = stub_map();
    map.entry(to).or_default().extend(events);
    STUB_COUNT.store(map.len(), Ordering::Relaxed);
}

/// Trace ids of handles that are not recording and whose id cannot be derived from the handle alone
/// ([`TraceId::for_handle`]): the second and later ids of a sampled-out request, any id of one that continued an
/// incoming unsampled `traceparent`, the callees of a sampled-out caller, sampled-out deliveries and cron runs. A
/// publish made for such a handle carries this trace id with the sampled flag off. A plain sampled-out request
/// (one id, no incoming header) is never written here: its id is derived again when needed.
static STUB_TRACES: OnceLock<Mutex<IdMap<TraceId>>> = OnceLock::new();
static STUB_TRACE_COUNT: AtomicUsize = AtomicUsize::new(0);

fn stub_traces() -> std::sync::MutexGuard<'static, IdMap<TraceId>> {
    STUB_TRACES.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner())
}

fn register_stub_trace(id: u32, trace_id: TraceId) {
    let mut map = stub_traces();
    map.insert(id, trace_id);
    STUB_TRACE_COUNT.store(map.len(), Ordering::Relaxed);
}

fn unregister_stub_traces(ids: &Ids) {
    if ids.is_empty() || STUB_TRACE_COUNT.load(Ordering::Relaxed) == 0 {
        return;
    }
    let mut map = stub_traces();
    for id in ids.iter() {
        map.remove(&id);
    }
    STUB_TRACE_COUNT.store(map.len(), Ordering::Relaxed);
}

/// The trace id of handle `handle` when it is not recording.
fn stub_trace_id(handle: u32) -> TraceId {
    if STUB_TRACE_COUNT.load(Ordering::Relaxed) != 0 {
        if let Some(id) = stub_traces().get(&handle) {
            return *id;
        }
    }
    TraceId::for_handle(handle)
}

// --- scopes ------------------------------------------------------------------------------------------------

tokio::task_local! {
    static SCOPE: RefCell<Scope>;
}

/// The unit of work the current task runs for; see the module docs. Every variant is boxed: tokio swaps a
/// task-local's value in and out of its slot on every poll of the request's future, so the value is kept two
/// words wide (inline, the swaps cost more than the allocation; callgrind).
pub(crate) enum Scope {
    Root(Box<Root>),
    /// Work recorded under a span of a trace (a service call's callee).
    Recording(Box<RecordingScope>),
    /// Work of a sampled-out caller: only the ids, so their error events can be handed to the caller.
    Stub(Box<StubScope>),
}

pub(crate) struct RecordingScope {
    trace: ActiveTrace,
    span: SpanRef,
    ids: Ids,
}

pub(crate) struct StubScope {
    ids: Ids,
    trace_id: TraceId,
}

/// An HTTP request's scope. The root span exists only once the request was bound and sampled.
pub(crate) struct Root {
    app: Arc<App>,
    tracer: &'static Tracer,
    start_unix_ns: u64,
    incoming: Option<TraceParent>,
    method: Method,
    uri: Uri,
    trace_id: Option<TraceId>,
    recording: Option<ActiveTrace>,
    ids: Ids,
    /// Whether some of `ids` are in [`STUB_TRACES`].
    stub_traces: bool,
}

/// The request ids bound to a scope. Nearly every scope binds exactly one, so the first is kept inline: a
/// sampled-out request allocates nothing for it.
#[derive(Default)]
pub(crate) struct Ids {
    first: u32,
    rest: Vec<u32>,
}

impl Ids {
    fn one(id: u32) -> Ids {
        Ids { first: id, rest: Vec::new() }
    }

    fn push(&mut self, id: u32) {
        if self.first == 0 {
            self.first = id;
        } else {
            self.rest.push(id);
        }
    }

    fn is_empty(&self) -> bool {
        self.first == 0
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (self.first != 0).then_some(self.first).into_iter().chain(self.rest.iter().copied())
    }
}

fn event_endpoint(event: &Event) -> Option<u32> {
    match event {
        Event::Call { endpoint, .. } | Event::RawStart { endpoint, .. } | Event::StreamOpen { endpoint, .. } => Some(*endpoint),
        _ => None,
    }
}

/// Called by the bridge for every request id it hands to JS (before queueing `event`): ties the id to the
/// current scope's trace. Outside any scope (or with tracing off) it does nothing.
pub fn bind(id: u32, event: &Event) {
    let _ = SCOPE.try_with(|scope| scope.borrow_mut().bind(id, event_endpoint(event)));
}

impl Scope {
    fn bind(&mut self, id: u32, endpoint: Option<u32>) {
        match self {
            Scope::Root(root) => root.bind(id, endpoint),
            Scope::Recording(scope) => {
                let RecordingScope { trace, span, ids } = &mut **scope;
                register(id, Live { trace: trace.clone(), span: *span });
                ids.push(id);
            }
            Scope::Stub(scope) => {
                let StubScope { ids, trace_id } = &mut **scope;
                register_stub_trace(id, *trace_id);
                ids.push(id);
            }
        }
    }
}

impl Root {
    fn bind(&mut self, id: u32, endpoint: Option<u32>) {
        self.decide(id, endpoint);
        match (&self.recording, self.trace_id) {
            (Some(trace), _) => register(id, Live { trace: trace.clone(), span: trace.root() }),
            // Sampled out: only an id `stub_trace_id` could not derive is written down.
            (None, Some(trace_id)) if !self.ids.is_empty() || self.incoming.is_some() => {
                register_stub_trace(id, trace_id);
                self.stub_traces = true;
            }
            (None, _) => {}
        }
        self.ids.push(id);
    }

    /// Head sampling, once per request, when its first id (`id`, for `endpoint`) is bound.
    fn decide(&mut self, id: u32, endpoint: Option<u32>) {
        if self.trace_id.is_none() {
            // Derived from the first id, so a sampled-out request needs no record of it (see `stub_trace_id`).
            let trace_id = self.incoming.map(|tp| tp.trace_id).unwrap_or_else(|| TraceId::for_handle(id));
            self.trace_id = Some(trace_id);
            let parent_sampled = self.incoming.is_some_and(|tp| tp.sampled);
            let mut names = None;
            let sampled = if self.tracer.has_endpoint_rates() {
                names = endpoint.and_then(|e| endpoint_names(&self.app, e));
                let (s, e) = names.as_ref().map(|n| (n.service.as_ref(), n.endpoint.as_ref())).unwrap_or(("", ""));
                self.tracer.head_sampled(&trace_id, s, e, parent_sampled)
            } else {
                self.tracer.head_sampled(&trace_id, "", "", parent_sampled)
            };
            if sampled {
                let names = names.or_else(|| endpoint.and_then(|e| endpoint_names(&self.app, e)));
                self.recording = Some(self.start_trace(trace_id, names));
            }
        }
    }

    fn start_trace(&self, trace_id: TraceId, names: Option<Names>) -> ActiveTrace {
        let (parent, parent_sampled) = match self.incoming {
            Some(tp) => (Parent::Remote(tp.parent_span_id), tp.sampled),
            None => (Parent::None, false),
        };
        let method = text(self.method.as_str());
        let Names { span: name, service, endpoint, route } = names.unwrap_or_else(|| Names { span: method.clone(), service: text(""), endpoint: text(""), route: text("") });
        let details = SpanDetails::HttpRequest { method, path: text(self.uri.path()), route, service, endpoint, status: 0 };
        let trace = self.tracer.begin_root(trace_id, parent, parent_sampled, name, details);
        let start = self.start_unix_ns;
        trace.with_span(trace.root(), |span| span.start_unix_ns = start);
        trace
    }
}

fn api_response(answer: api::ApiResponse) -> Resp {
    let mut response = Response::new(ResBody::full(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(answer.content_type));
    response
}

fn unix_now_ns() -> u64 {
    reprise_trace::recorder_now_unix_ns()
}

/// Answers `GET /__reprise/traces[/ID]` for a request the tool routes' gate let through (`src/tool_routes.rs`).
pub(crate) fn answer_trace_api<B>(app: &App, request: &Request<B>) -> Resp {
    let Some(tracer) = tracer(&app.app_root) else {
        return api_response(api::ApiResponse {
            status: 503,
            content_type: "application/json",
            body: br#"{"code":"unavailable","message":"tracing is switched off (REPRISE_TRACING=off or an invalid tracing config)"}"#.to_vec(),
        });
    };
    let target = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or(request.uri().path());
    api_response(api::handle(tracer, request.method().as_str(), target))
}

/// Runs `handle` for one app request inside a trace (tool routes never come here).
pub async fn traced<F, Fut>(runtime: &Runtime, request: Request<Incoming>, handle: F) -> Resp
where
    F: FnOnce(Request<Incoming>) -> Fut,
    Fut: Future<Output = Resp>,
{
    let app = runtime.app();
    let tracer = tracer(&app.app_root);
    let Some(tracer) = tracer else { return handle(request).await };
    let incoming = traceparent_header(request.headers()).and_then(|v| v.to_str().ok()).and_then(|h| TraceParent::parse(h).ok());
    let root = Root {
        app,
        tracer,
        start_unix_ns: unix_now_ns(),
        incoming,
        method: request.method().clone(),
        uri: request.uri().clone(),
        trace_id: None,
        recording: None,
        ids: Ids::default(),
        stub_traces: false,
    };
    let future = SCOPE.scope(RefCell::new(Scope::Root(Box::new(root))), handle(request));
    tokio::pin!(future);
    let mut response = (&mut future).await;
    let Some(Scope::Root(root)) = future.as_mut().take_value().map(RefCell::into_inner) else { return response };
    let status = response.status().as_u16();
    if let Some(trace_id) = finish_root(*root, status) {
        if let Ok(value) = HeaderValue::from_str(&trace_id.to_hex()) {
            response.headers_mut().insert(TRACE_ID_HEADER, value);
        }
    }
    response
}

/// The request's `traceparent` value. A linear scan for the usual handful of headers (hashing the name costs more).
fn traceparent_header(headers: &hyper::HeaderMap) -> Option<&HeaderValue> {
    if headers.len() <= 8 {
        headers.iter().find(|(name, _)| *name == TRACEPARENT).map(|(_, value)| value)
    } else {
        headers.get(TRACEPARENT)
    }
}

fn http_outcome(status: u16) -> SpanStatus {
    if status >= 500 {
        SpanStatus::Error { message: text(&format!("HTTP {status}")) }
    } else {
        SpanStatus::Ok
    }
}

/// Ends a request's trace; the trace id when the trace was kept.
fn finish_root(root: Root, status: u16) -> Option<TraceId> {
    let tracer = root.tracer;
    let errors = take_stub_errors(&root.ids);
    if root.stub_traces {
        unregister_stub_traces(&root.ids);
    }
    let trace = match &root.recording {
        Some(trace) => {
            unregister(&root.ids);
            trace.clone()
        }
        None => {
            // A stub: recorded after the fact only when it failed, or (never bound: answered by Rust alone, e.g.
            // a 404 or a validation error) when the default rate admits it.
            let never_bound = root.trace_id.is_none();
            let trace_id = root.trace_id.or(root.incoming.map(|tp| tp.trace_id)).unwrap_or_else(TraceId::random);
            let admitted = never_bound && tracer.head_sampled(&trace_id, "", "", root.incoming.is_some_and(|tp| tp.sampled));
            if status < 500 && errors.is_empty() && !admitted {
                tracer.count_sampled_out();
                return None;
            }
            let names = match root.app.router.lookup(root.method.as_str(), root.uri.path()) {
                Lookup::Found { endpoint, .. } => endpoint_names(&root.app, endpoint),
                _ => None,
            };
            root.start_trace(trace_id, names)
        }
    };
    let span = trace.root();
    for (time, kind) in errors {
        trace.add_event_at(span, time, kind);
    }
    trace.with_span(span, |s| {
        if let SpanDetails::HttpRequest { status: st, .. } = &mut s.details {
            *st = status;
        }
    });
    trace.end_span(span, http_outcome(status));
    let trace_id = trace.trace_id();
    tracer.finish(trace).keep().then_some(trace_id)
}

// --- service calls -----------------------------------------------------------------------------------------

/// Runs a service-to-service call made by JS code working for handle `caller`: in the caller's trace, a
/// ServiceCall span whose children are the callee's spans (same trace id). For a sampled-out caller the callee is
/// a stub too, and its error events are handed to the caller's stub.
pub async fn traced_call<Fut>(app: &Arc<App>, caller: Option<u32>, endpoint: u32, call: Fut) -> (u16, String)
where
    Fut: Future<Output = (u16, String)>,
{
    let caller = caller.unwrap_or(0);
    if caller == 0 || started().is_none() {
        return call.await;
    }
    match live(caller) {
        Some(Live { trace, span }) => {
            let (name, service, endpoint_name) = match endpoint_names(app, endpoint) {
                Some(n) => (n.span, n.service, n.endpoint),
                None => (text("call"), text(""), text("")),
            };
            let call_span = trace.start_span(span, name, SpanDetails::ServiceCall { service, endpoint: endpoint_name, status: 0 });
            let future = SCOPE.scope(RefCell::new(Scope::Recording(Box::new(RecordingScope { trace: trace.clone(), span: call_span, ids: Ids::default() }))), call);
            tokio::pin!(future);
            let (status, body) = (&mut future).await;
            if let Some(Scope::Recording(scope)) = future.as_mut().take_value().map(RefCell::into_inner) {
                let ids = scope.ids;
                unregister(&ids);
                for (time, kind) in take_stub_errors(&ids) {
                    trace.add_event_at(call_span, time, kind);
                }
            }
            trace.with_span(call_span, |s| {
                if let SpanDetails::ServiceCall { status: st, .. } = &mut s.details {
                    *st = status;
                }
            });
            let outcome = if status >= 500 { SpanStatus::Error { message: text(&error_message(status, &body)) } } else { SpanStatus::Ok };
            trace.end_span(call_span, outcome);
            (status, body)
        }
        None => {
            let future = SCOPE.scope(RefCell::new(Scope::Stub(Box::new(StubScope { ids: Ids::default(), trace_id: stub_trace_id(caller) }))), call);
            tokio::pin!(future);
            let out = (&mut future).await;
            if let Some(Scope::Stub(scope)) = future.as_mut().take_value().map(RefCell::into_inner) {
                let ids = scope.ids;
                unregister_stub_traces(&ids);
                move_stub_errors(&ids, caller);
            }
            out
        }
    }
}

/// `code: message` of an API error body, for a failed call's span.
fn error_message(status: u16, body: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Body {
        code: Option<String>,
        message: Option<String>,
    }
    match serde_json::from_str::<Body>(body) {
        Ok(Body { code: Some(code), message: Some(message) }) => format!("{code}: {message}"),
        _ => format!("HTTP {status}"),
    }
}

// --- deliveries, cron runs, publishes ----------------------------------------------------------------------

/// A pub/sub delivery or cron run being traced. Always recorded (they are not the request hot path), but only a
/// sampled one is a live handle JS reports spans for. A sampled one is then kept as the tracer decides; one that
/// was not is kept only for an error (like a sampled-out request's stub).
pub(crate) struct Unit {
    tracer: &'static Tracer,
    trace: ActiveTrace,
    handle: u32,
    sampled: bool,
}

impl Unit {
    /// `decided`: the sampling decision a carried `traceparent` made (its flag), else the rate decides.
    fn start(tracer: &'static Tracer, trace: ActiveTrace, handle: u32, service: &str, endpoint: &str, decided: Option<bool>) -> Unit {
        let sampled = decided.unwrap_or_else(|| tracer.head_sampled(&trace.trace_id(), service, endpoint, false));
        if sampled {
            register(handle, Live { trace: trace.clone(), span: trace.root() });
        } else {
            register_stub_trace(handle, trace.trace_id());
        }
        Unit { tracer, trace, handle, sampled }
    }

    /// The delivery of `delivery`, continuing the publisher's trace through its carried `traceparent`, whose
    /// sampled flag decides whether the delivery is recorded in detail (the publisher's decision holds downstream,
    /// W3C style); a message without one is decided by the subscription's rate.
    pub(crate) fn delivery(handle: u32, app_root: Option<&Path>, delivery: &reprise_infra::pubsub::Delivery) -> Option<Unit> {
        let tracer = started().or_else(|| app_root.and_then(tracer))?;
        let trace = tracer.begin_delivery(delivery.traceparent.as_deref(), &delivery.topic, &delivery.subscription, &delivery.id, delivery.attempt);
        let carried = delivery.traceparent.as_deref().and_then(|h| TraceParent::parse(h).ok()).map(|tp| tp.sampled);
        Some(Unit::start(tracer, trace, handle, &delivery.topic, &delivery.subscription, carried))
    }

    /// A cron run of `job`, whose endpoint is `endpoint` ("service.name", empty when unknown).
    pub(crate) fn cron(handle: u32, app_root: Option<&Path>, job: &str, endpoint: &str) -> Option<Unit> {
        let tracer = started().or_else(|| app_root.and_then(tracer))?;
        let trace = tracer.begin_cron(job, endpoint);
        Some(Unit::start(tracer, trace, handle, job, endpoint, None))
    }

    pub(crate) fn handle(&self) -> u32 {
        self.handle
    }

    pub(crate) fn sampled(&self) -> bool {
        self.sampled
    }

    /// Ends the unit with its handler's outcome and hands the trace to the sampler.
    pub(crate) fn end(self, outcome: Result<(), &str>) {
        let handle = Ids::one(self.handle);
        if self.sampled {
            unregister(&handle);
        } else {
            unregister_stub_traces(&handle);
        }
        let errors = take_stub_errors(&handle);
        if !self.sampled && errors.is_empty() && outcome.is_ok() {
            self.tracer.count_sampled_out();
            return;
        }
        let root = self.trace.root();
        for (time, kind) in errors {
            self.trace.add_event_at(root, time, kind);
        }
        let status = match outcome {
            Ok(()) => SpanStatus::Ok,
            Err(message) => SpanStatus::Error { message: text(message) },
        };
        self.trace.end_span(root, status);
        self.tracer.finish(self.trace);
    }
}

/// A publish made by JS code working for `handle`: its span (when the handle is recording), and the
/// `traceparent` the message carries either way.
pub(crate) struct Publish {
    recorded: Option<(Live, SpanRef)>,
    pub traceparent: String,
}

/// The publish of work `handle` (0 or None: not known to tracing). A recording handle gets a publish span, which
/// the `traceparent` names with the sampled flag on; a sampled-out one carries its trace id with the flag off and
/// a fresh parent span id (no span is recorded for it), so the deliveries stay in the trace and sampled out.
pub(crate) fn start_publish(handle: Option<u32>, topic: &str) -> Option<Publish> {
    let handle = handle.filter(|h| *h != 0)?;
    started()?;
    let Some(live) = live(handle) else {
        let traceparent = TraceParent { trace_id: stub_trace_id(handle), parent_span_id: reprise_trace::SpanId::random(), sampled: false };
        return Some(Publish { recorded: None, traceparent: traceparent.format() });
    };
    let span = live.trace.start_span(live.span, text(topic), SpanDetails::PubSubPublish { topic: text(topic), message_id: text("") });
    // Sampled by construction: the handle is live only for traces being recorded.
    let traceparent = live.trace.traceparent_with(span, true).format();
    Some(Publish { recorded: Some((live, span)), traceparent })
}

impl Publish {
    pub(crate) fn end(self, result: &Result<String, String>) {
        let Some((live, span)) = self.recorded else { return };
        let trace = &live.trace;
        match result {
            Ok(id) => {
                trace.with_span(span, |s| {
                    if let SpanDetails::PubSubPublish { message_id, .. } = &mut s.details {
                        *message_id = text(id);
                    }
                });
                trace.end_span(span, SpanStatus::Ok);
            }
            Err(message) => trace.end_span(span, SpanStatus::Error { message: text(message) }),
        }
    }
}

// --- streams -----------------------------------------------------------------------------------------------

/// Messages of each direction recorded one by one on a stream's span; beyond these only the counts grow.
pub const STREAM_MESSAGE_EVENTS: u32 = 16;

/// A WebSocket stream (`api.streamIn/Out/InOut`) being traced: one span for its lifetime, in the trace of the
/// upgrade request (same trace id, child of the HTTP span) but recorded as a record of its own, since it outlives
/// the request. Each message in or out is an event on it, the first [`STREAM_MESSAGE_EVENTS`] of each direction;
/// the span's attributes count them all. The upgrade's sampling decision holds: a sampled-out stream costs one
/// branch per message and records nothing.
pub(crate) struct StreamTrace {
    tracer: &'static Tracer,
    trace: Option<ActiveTrace>,
    handle: u32,
    counts: [(u32, u64); 2],
}

/// Called by the stream endpoint inside the upgrade request's scope, before the stream's id `id` reaches JS.
pub(crate) fn begin_stream(app: &Arc<App>, endpoint: u32, id: u32, path: &str) -> Option<StreamTrace> {
    let tracer = started()?;
    let parent = SCOPE
        .try_with(|scope| match &mut *scope.borrow_mut() {
            Scope::Root(root) => {
                root.decide(id, Some(endpoint));
                Some(root.recording.as_ref().map(|t| (t.trace_id(), t.root().span_id)))
            }
            _ => None,
        })
        .ok()
        .flatten()?;
    let Some((trace_id, parent_span)) = parent else {
        return Some(StreamTrace { tracer, trace: None, handle: id, counts: [(0, 0); 2] });
    };
    let names = endpoint_names(app, endpoint);
    let (name, service, endpoint_name, route) = match names {
        Some(n) => (text(&format!("{} stream", n.span)), n.service, n.endpoint, n.route),
        None => (text("stream"), text(""), text(""), text("")),
    };
    let details = SpanDetails::HttpRequest { method: text("GET"), path: text(path), route, service, endpoint: endpoint_name, status: 101 };
    let trace = tracer.begin_root(trace_id, Parent::Local(parent_span), true, name, details);
    register(id, Live { trace: trace.clone(), span: trace.root() });
    Some(StreamTrace { tracer, trace: Some(trace), handle: id, counts: [(0, 0); 2] })
}

impl StreamTrace {
    /// A message received from the client (`inbound`) or sent to it, of `bytes` bytes.
    pub(crate) fn message(&mut self, inbound: bool, bytes: usize) {
        let Some(trace) = &self.trace else { return };
        let (count, total) = &mut self.counts[if inbound { 0 } else { 1 }];
        *count += 1;
        *total += bytes as u64;
        if *count <= STREAM_MESSAGE_EVENTS {
            let fields = vec![
                reprise_trace::Attribute { key: text("seq"), value: reprise_trace::AttributeValue::Int(*count as i64) },
                reprise_trace::Attribute { key: text("bytes"), value: reprise_trace::AttributeValue::Int(bytes as i64) },
            ];
            let message = text(if inbound { "message in" } else { "message out" });
            trace.add_event(trace.root(), EventKind::Log { level: reprise_trace::LogLevel::Debug, message, fields });
        }
    }

    /// The stream closed; `close_code` is the close frame's code when one was exchanged.
    pub(crate) fn end(self, close_code: Option<u16>) {
        let Some(trace) = self.trace else {
            // Sampled out: nothing is recorded (the upgrade request's stub kept any error up to the upgrade);
            // errors JS reported against the stream are dropped with it.
            take_stub_errors(&Ids::one(self.handle));
            return;
        };
        let handle = Ids::one(self.handle);
        unregister(&handle);
        let root = trace.root();
        for (time, kind) in take_stub_errors(&handle) {
            trace.add_event_at(root, time, kind);
        }
        let int = |n: u64| reprise_trace::AttributeValue::Int(n as i64);
        for (key, value) in [
            ("stream.messages_in", int(self.counts[0].0 as u64)),
            ("stream.bytes_in", int(self.counts[0].1)),
            ("stream.messages_out", int(self.counts[1].0 as u64)),
            ("stream.bytes_out", int(self.counts[1].1)),
        ] {
            trace.add_attribute(root, text(key), value);
        }
        if let Some(code) = close_code {
            trace.add_attribute(root, text("websocket.close_code"), int(code as u64));
        }
        trace.end_span(root, SpanStatus::Ok);
        self.tracer.finish(trace);
    }
}
