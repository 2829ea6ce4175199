//! Tracing on the runtime's request path (the tracer itself is the `reprise-trace` crate). The server calls
//! [`traced`] around each request: it records the HTTP span (route, status, timing, incoming `traceparent`), keeps
//! or drops the trace at the end, tags kept responses with `x-reprise-trace-id`, and answers the loopback-only trace
//! endpoint `GET /__reprise/traces[/ID]` before the request reaches app routing.
//!
//! One tracer per process, configured on first use from the runtime config's `tracing` section (runtime/infra) for
//! the app being served, with environment overrides for benchmarks and debugging:
//! `REPRISE_TRACING=off` disables recording; `REPRISE_TRACE_SAMPLE_RATE` (0..=1) replaces the sample rate;
//! `REPRISE_TRACING_CONFIG` holds a full JSON `reprise_trace::TracingConfig`.

use crate::body::ResBody;
use crate::router::Lookup;
use crate::server::{Resp, Runtime};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use reprise_trace::{api, text, SpanDetails, SpanStatus, Text, Tracer, TracingConfig};
use std::future::Future;
use std::path::Path;
use std::sync::OnceLock;

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

/// Span names per endpoint of the app being served, built once per (re)load so a request clones three `Arc<str>`s
/// instead of formatting and allocating them.
struct EndpointNames {
    app: std::sync::Weak<crate::app::App>,
    names: Vec<(Text, Text, Text)>,
}

static ENDPOINT_NAMES: std::sync::RwLock<Option<EndpointNames>> = std::sync::RwLock::new(None);

fn endpoint_names(app: &std::sync::Arc<crate::app::App>, endpoint: u32) -> Option<(Text, Text, Text)> {
    let current = |cache: &Option<EndpointNames>| cache.as_ref().is_some_and(|c| std::ptr::eq(c.app.as_ptr(), std::sync::Arc::as_ptr(app)));
    {
        let cache = ENDPOINT_NAMES.read().unwrap_or_else(|p| p.into_inner());
        if current(&cache) {
            return cache.as_ref().and_then(|c| c.names.get(endpoint as usize).cloned());
        }
    }
    let names = app.endpoints.iter().map(|ep| (text(&format!("{}.{}", ep.service, ep.name)), text(&ep.service), text(&ep.name))).collect::<Vec<_>>();
    let found = names.get(endpoint as usize).cloned();
    *ENDPOINT_NAMES.write().unwrap_or_else(|p| p.into_inner()) = Some(EndpointNames { app: std::sync::Arc::downgrade(app), names });
    found
}

fn api_response(answer: api::ApiResponse) -> Resp {
    let mut response = Response::new(ResBody::full(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(answer.content_type));
    response
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
    let traceparent = request.headers().get("traceparent").and_then(|v| v.to_str().ok());
    let trace = tracer.begin_http(traceparent, request.method().as_str(), path);
    if let Lookup::Found { endpoint, .. } = app.router.lookup(request.method().as_str(), path) {
        if let Some((name, service, endpoint_name)) = endpoint_names(&app, endpoint) {
            trace.with_span(trace.root(), |span| {
                span.name = name;
                if let SpanDetails::HttpRequest { service: s, endpoint: e, .. } = &mut span.details {
                    *s = service;
                    *e = endpoint_name;
                }
            });
        }
    }
    let mut response = handle(request).await;
    let status = response.status().as_u16();
    trace.with_span(trace.root(), |span| {
        if let SpanDetails::HttpRequest { status: s, .. } = &mut span.details {
            *s = status;
        }
    });
    let outcome = if status >= 500 { SpanStatus::Error { message: text(&format!("HTTP {status}")) } } else { SpanStatus::Ok };
    trace.end_span(trace.root(), outcome);
    let trace_id = trace.trace_id();
    if tracer.finish(trace).keep() {
        if let Ok(value) = HeaderValue::from_str(&trace_id.to_hex()) {
            response.headers_mut().insert(TRACE_ID_HEADER, value);
        }
    }
    response
}
