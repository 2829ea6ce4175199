//! Tracing on the runtime's request path (the tracer itself is the `reprise-trace` crate). The server calls
//! [`traced`] around each request; it also answers the loopback-only trace endpoint `GET /__reprise/traces[/ID]`
//! before the request reaches app routing.
//!
//! **Head sampling with an error stub.** Whether a trace is recorded in detail is decided when the request is
//! first handed to JavaScript ([`bind`], called by the bridge with the request's id and endpoint): the trace id
//! (an incoming W3C `traceparent` is continued) and the endpoint's rate decide, as the end-of-request sampler
//! would. A sampled trace gets an [`ActiveTrace`] with its HTTP root span, and the request's id is registered as
//! a *live handle*: JS sees a flag in the request event and reports auth, database, bucket, log and error events
//! against the id; service calls and publishes made under it get spans of their own. A sampled-out request keeps
//! only what a stub needs (start time, method and URI, which are reference-counted clones): no allocation, no lock
//! and no crossing on its behalf. Should it fail (HTTP 5xx, or an error event JS reports for its id, kept in a
//! small side table) the stub becomes a one-span trace with the error events, which is always kept.
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
pub const TRACE_ID_HEADER: &str = "x-reprise-trace-id";

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

/// Span names per endpoint of the app being served, built once per (re)load so a span clones three `Arc<str>`s
/// instead of formatting and allocating them.
struct EndpointNames {
    app: std::sync::Weak<App>,
    names: Vec<(Text, Text, Text)>,
}

static ENDPOINT_NAMES: std::sync::RwLock<Option<EndpointNames>> = std::sync::RwLock::new(None);

/// `(span name "service.endpoint", service, endpoint)` of endpoint number `endpoint`.
pub(crate) fn endpoint_names(app: &Arc<App>, endpoint: u32) -> Option<(Text, Text, Text)> {
    let current = |cache: &Option<EndpointNames>| cache.as_ref().is_some_and(|c| std::ptr::eq(c.app.as_ptr(), Arc::as_ptr(app)));
    {
        let cache = ENDPOINT_NAMES.read().unwrap_or_else(|p| p.into_inner());
        if current(&cache) {
            return cache.as_ref().and_then(|c| c.names.get(endpoint as usize).cloned());
        }
    }
    let names = app.endpoints.iter().map(|ep| (text(&format!("{}.{}", ep.service, ep.name)), text(&ep.service), text(&ep.name))).collect::<Vec<_>>();
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

fn unregister(ids: &[u32]) {
    if ids.is_empty() {
        return;
    }
    let mut map = live_map();
    for id in ids {
        if map.remove(id).is_some() {
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
static STUB_ERRORS: OnceLock<Mutex<IdMap<Vec<(u64, EventKind)>>>> = OnceLock::new();
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

fn take_stub_errors(ids: &[u32]) -> Vec<(u64, EventKind)> {
    if ids.is_empty() || STUB_COUNT.load(Ordering::Relaxed) == 0 {
        return Vec::new();
    }
    let mut map = stub_map();
    let mut out = Vec::new();
    for id in ids {
        if let Some(events) = map.remove(id) {
            out.extend(events);
        }
    }
    STUB_COUNT.store(map.len(), Ordering::Relaxed);
    out
}

fn move_stub_errors(from: &[u32], to: u32) {
    let events = take_stub_errors(from);
    if events.is_empty() {
        return;
    }
    let mut map = stub_map();
    map.entry(to).or_default().extend(events);
    STUB_COUNT.store(map.len(), Ordering::Relaxed);
}

// --- scopes ------------------------------------------------------------------------------------------------

tokio::task_local! {
    static SCOPE: RefCell<Scope>;
}

/// The unit of work the current task runs for; see the module docs.
pub(crate) enum Scope {
    Root(Box<Root>),
    /// Work recorded under `span` of `trace` (a service call's callee).
    Recording { trace: ActiveTrace, span: SpanRef, ids: Vec<u32> },
    /// Work of a sampled-out caller: only the ids, so their error events can be handed to the caller.
    Stub { ids: Vec<u32> },
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
    ids: Vec<u32>,
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
            Scope::Recording { trace, span, ids } => {
                register(id, Live { trace: trace.clone(), span: *span });
                ids.push(id);
            }
            Scope::Stub { ids } => ids.push(id),
        }
    }
}

impl Root {
    fn bind(&mut self, id: u32, endpoint: Option<u32>) {
        if self.trace_id.is_none() {
            let trace_id = self.incoming.map(|tp| tp.trace_id).unwrap_or_else(TraceId::random);
            self.trace_id = Some(trace_id);
            let parent_sampled = self.incoming.is_some_and(|tp| tp.sampled);
            let mut names = None;
            let sampled = if self.tracer.has_endpoint_rates() {
                names = endpoint.and_then(|e| endpoint_names(&self.app, e));
                let (s, e) = names.as_ref().map(|(_, s, e)| (s.as_ref(), e.as_ref())).unwrap_or(("", ""));
                self.tracer.head_sampled(&trace_id, s, e, parent_sampled)
            } else {
                self.tracer.head_sampled(&trace_id, "", "", parent_sampled)
            };
            if sampled {
                let names = names.or_else(|| endpoint.and_then(|e| endpoint_names(&self.app, e)));
                self.recording = Some(self.start_trace(trace_id, names));
            }
        }
        if let Some(trace) = &self.recording {
            register(id, Live { trace: trace.clone(), span: trace.root() });
        }
        self.ids.push(id);
    }

    fn start_trace(&self, trace_id: TraceId, names: Option<(Text, Text, Text)>) -> ActiveTrace {
        let (parent, parent_sampled) = match self.incoming {
            Some(tp) => (Parent::Remote(tp.parent_span_id), tp.sampled),
            None => (Parent::None, false),
        };
        let method = text(self.method.as_str());
        let (name, service, endpoint) = names.unwrap_or_else(|| (method.clone(), text(""), text("")));
        let details = SpanDetails::HttpRequest { method, path: text(self.uri.path()), route: text(""), service, endpoint, status: 0 };
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

/// Runs `handle` for one request inside a trace. `loopback` says whether the peer is on this machine: only then is
/// the trace endpoint served (to anyone else it does not exist).
pub async fn traced<F, Fut>(runtime: &Runtime, loopback: bool, request: Request<Incoming>, handle: F) -> Resp
where
    F: FnOnce(Request<Incoming>) -> Fut,
    Fut: Future<Output = Resp>,
{
    let app = runtime.app();
    let tracer = tracer(&app.app_root);
    let path = request.uri().path();
    if api::is_trace_api_path(path) {
        return match (tracer, loopback) {
            (Some(tracer), true) => {
                let target = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or(path);
                api_response(api::handle(tracer, request.method().as_str(), target))
            }
            (None, true) => api_response(api::ApiResponse {
                status: 503,
                content_type: "application/json",
                body: br#"{"code":"unavailable","message":"tracing is switched off (REPRISE_TRACING=off or an invalid tracing config)"}"#.to_vec(),
            }),
            (_, false) => api_response(api::ApiResponse {
                status: 404,
                content_type: "application/json",
                body: br#"{"code":"not_found","message":"not found"}"#.to_vec(),
            }),
        };
    }
    let Some(tracer) = tracer else { return handle(request).await };
    let incoming = request.headers().get("traceparent").and_then(|v| v.to_str().ok()).and_then(|h| TraceParent::parse(h).ok());
    let root = Root {
        app,
        tracer,
        start_unix_ns: unix_now_ns(),
        incoming,
        method: request.method().clone(),
        uri: request.uri().clone(),
        trace_id: None,
        recording: None,
        ids: Vec::new(),
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
            let (name, service, endpoint_name) = endpoint_names(app, endpoint).unwrap_or_else(|| (text("call"), text(""), text("")));
            let call_span = trace.start_span(span, name, SpanDetails::ServiceCall { service, endpoint: endpoint_name, status: 0 });
            let future = SCOPE.scope(RefCell::new(Scope::Recording { trace: trace.clone(), span: call_span, ids: Vec::new() }), call);
            tokio::pin!(future);
            let (status, body) = (&mut future).await;
            if let Some(Scope::Recording { ids, .. }) = future.as_mut().take_value().map(RefCell::into_inner) {
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
            let future = SCOPE.scope(RefCell::new(Scope::Stub { ids: Vec::new() }), call);
            tokio::pin!(future);
            let out = (&mut future).await;
            if let Some(Scope::Stub { ids }) = future.as_mut().take_value().map(RefCell::into_inner) {
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
/// sampled one is a live handle JS reports spans for; the keep decision is the tracer's as usual.
pub(crate) struct Unit {
    tracer: &'static Tracer,
    trace: ActiveTrace,
    handle: u32,
    sampled: bool,
}

impl Unit {
    fn start(tracer: &'static Tracer, trace: ActiveTrace, handle: u32, service: &str, endpoint: &str) -> Unit {
        let sampled = tracer.head_sampled(&trace.trace_id(), service, endpoint, trace.parent_sampled());
        if sampled {
            register(handle, Live { trace: trace.clone(), span: trace.root() });
        }
        Unit { tracer, trace, handle, sampled }
    }

    /// The delivery of `delivery` (continuing the publisher's trace through its carried `traceparent`).
    pub(crate) fn delivery(handle: u32, app_root: Option<&Path>, delivery: &reprise_infra::pubsub::Delivery) -> Option<Unit> {
        let tracer = started().or_else(|| app_root.and_then(tracer))?;
        let trace = tracer.begin_delivery(delivery.traceparent.as_deref(), &delivery.topic, &delivery.subscription, &delivery.id, delivery.attempt);
        Some(Unit::start(tracer, trace, handle, &delivery.topic, &delivery.subscription))
    }

    /// A cron run of `job`, whose endpoint is `endpoint` ("service.name", empty when unknown).
    pub(crate) fn cron(handle: u32, app_root: Option<&Path>, job: &str, endpoint: &str) -> Option<Unit> {
        let tracer = started().or_else(|| app_root.and_then(tracer))?;
        let trace = tracer.begin_cron(job, endpoint);
        Some(Unit::start(tracer, trace, handle, job, endpoint))
    }

    pub(crate) fn handle(&self) -> u32 {
        self.handle
    }

    pub(crate) fn sampled(&self) -> bool {
        self.sampled
    }

    /// Ends the unit with its handler's outcome and hands the trace to the sampler.
    pub(crate) fn end(self, outcome: Result<(), &str>) {
        if self.sampled {
            unregister(&[self.handle]);
        }
        let root = self.trace.root();
        for (time, kind) in take_stub_errors(&[self.handle]) {
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

/// A publish made by JS code working for `handle`: its span, and the `traceparent` the message carries.
pub(crate) struct Publish {
    live: Live,
    span: SpanRef,
    pub traceparent: String,
}

pub(crate) fn start_publish(handle: Option<u32>, topic: &str) -> Option<Publish> {
    let live = live(handle?)?;
    let span = live.trace.start_span(live.span, text(topic), SpanDetails::PubSubPublish { topic: text(topic), message_id: text("") });
    // Sampled by construction: the handle is live only for traces being recorded.
    let traceparent = live.trace.traceparent_with(span, true).format();
    Some(Publish { live, span, traceparent })
}

impl Publish {
    pub(crate) fn end(self, result: &Result<String, String>) {
        let trace = &self.live.trace;
        match result {
            Ok(id) => {
                trace.with_span(self.span, |s| {
                    if let SpanDetails::PubSubPublish { message_id, .. } = &mut s.details {
                        *message_id = text(id);
                    }
                });
                trace.end_span(self.span, SpanStatus::Ok);
            }
            Err(message) => trace.end_span(self.span, SpanStatus::Error { message: text(message) }),
        }
    }
}
