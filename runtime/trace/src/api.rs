//! The trace endpoint's answers, independent of any HTTP server: the runtime maps `GET /__reprise/traces[...]`
//! (loopback only) onto [`handle`]. JSON for the editor and `reprise traces`; the binary format on request.
//!
//! - `GET /__reprise/traces?limit=N` → `{ traces: TraceSummary[], stats: TracerStats }`, newest first
//! - `GET /__reprise/traces/<trace id>` → `{ traceId, startUnixNs, droppedSpans, spans: SpanView[] }`
//! - `GET /__reprise/traces/<trace id>?format=binary` → the stored records, each prefixed by its varint length

use crate::decode::write_framed;
use crate::ids::TraceId;
use crate::model::*;
use crate::tracer::{Tracer, TracerStats};
use serde::Serialize;
use std::collections::BTreeMap;

pub const PREFIX: &str = "/__reprise/traces";

#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

fn json(status: u16, value: &impl Serialize) -> ApiResponse {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    ApiResponse { status, content_type: "application/json", body }
}

fn error(status: u16, code: &str, message: String) -> ApiResponse {
    json(status, &serde_json::json!({ "code": code, "message": message }))
}

/// Whether a request path belongs to the trace endpoint (so the runtime handles it before app routing).
pub fn is_trace_api_path(path: &str) -> bool {
    path == PREFIX || path.starts_with("/__reprise/traces/") || path.starts_with("/__reprise/traces?")
}

/// Answers one request for `path_and_query` (e.g. `/__reprise/traces/4bf9...?format=binary`).
pub fn handle(tracer: &Tracer, method: &str, path_and_query: &str) -> ApiResponse {
    if method != "GET" && method != "HEAD" {
        return error(405, "method_not_allowed", format!("{method} is not supported here; use GET"));
    }
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let params: Vec<(&str, &str)> = query.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))).collect();
    let param = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    let id = rest.trim_start_matches('/').trim_end_matches('/');
    if id.is_empty() {
        let limit = match param("limit") {
            None => 100,
            Some(value) => match value.parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => return error(400, "invalid_argument", format!("limit must be a positive integer, got `{value}`")),
            },
        };
        #[derive(Serialize)]
        struct List {
            traces: Vec<crate::store::TraceSummary>,
            stats: TracerStats,
        }
        return json(200, &List { traces: tracer.store().list(limit), stats: tracer.stats() });
    }
    let Some(trace_id) = TraceId::from_hex(id) else {
        return error(400, "invalid_argument", format!("`{id}` is not a trace id (32 lower-case hex digits)"));
    };
    if param("format") == Some("binary") {
        let records = tracer.store().encoded(&trace_id);
        if records.is_empty() {
            return error(404, "not_found", format!("trace {id} is not in the store (it may have been evicted)"));
        }
        let mut body = Vec::new();
        for record in records {
            write_framed(&record, &mut body);
        }
        return ApiResponse { status: 200, content_type: "application/x-reprise-trace", body };
    }
    match tracer.store().get(&trace_id) {
        Ok(Some(record)) => json(200, &TraceView::of(&record)),
        Ok(None) => error(404, "not_found", format!("trace {id} is not in the store (it may have been evicted)")),
        Err(decode_error) => error(500, "internal", format!("stored trace {id} could not be decoded: {decode_error}")),
    }
}

/// A trace as JSON. Times are offsets in nanoseconds from `startUnixNs` (a string, since Unix nanoseconds exceed
/// the exact range of a JavaScript number).
#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct TraceView {
    pub trace_id: String,
    pub start_unix_ns: String,
    pub start_unix_ms: f64,
    pub dropped_spans: u32,
    pub spans: Vec<SpanView>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct SpanView {
    pub span_id: String,
    pub parent_span_id: Option<String>,
    pub parent_is_remote: bool,
    pub kind: &'static str,
    pub name: String,
    pub start_offset_ns: u64,
    pub duration_ns: u64,
    pub error: Option<String>,
    pub details: BTreeMap<&'static str, serde_json::Value>,
    pub attributes: BTreeMap<String, serde_json::Value>,
    pub events: Vec<serde_json::Value>,
    pub links: Vec<serde_json::Value>,
}

fn attribute_json(value: &AttributeValue) -> serde_json::Value {
    match value {
        AttributeValue::Str(s) => serde_json::Value::from(s.as_ref()),
        AttributeValue::Int(i) => serde_json::Value::from(*i),
        AttributeValue::Float(f) => serde_json::Value::from(*f),
        AttributeValue::Bool(b) => serde_json::Value::from(*b),
    }
}

fn details_json(details: &SpanDetails) -> BTreeMap<&'static str, serde_json::Value> {
    use serde_json::Value as V;
    let s = |t: &Text| V::from(t.as_ref());
    let pairs: Vec<(&'static str, V)> = match details {
        SpanDetails::HttpRequest { method, path, route, service, endpoint, status } => vec![
            ("method", s(method)),
            ("path", s(path)),
            ("route", s(route)),
            ("service", s(service)),
            ("endpoint", s(endpoint)),
            ("status", V::from(*status)),
        ],
        SpanDetails::AuthHandler { service, handler, authenticated } => {
            vec![("service", s(service)), ("handler", s(handler)), ("authenticated", V::from(*authenticated))]
        }
        SpanDetails::ServiceCall { service, endpoint, status } => {
            vec![("service", s(service)), ("endpoint", s(endpoint)), ("status", V::from(*status))]
        }
        SpanDetails::DbQuery { database, statement, rows } => {
            vec![("database", s(database)), ("statement", s(statement)), ("rows", V::from(*rows))]
        }
        SpanDetails::PubSubPublish { topic, message_id } => vec![("topic", s(topic)), ("messageId", s(message_id))],
        SpanDetails::PubSubMessage { topic, subscription, message_id, attempt } => vec![
            ("topic", s(topic)),
            ("subscription", s(subscription)),
            ("messageId", s(message_id)),
            ("attempt", V::from(*attempt)),
        ],
        SpanDetails::CronRun { job, endpoint } => vec![("job", s(job)), ("endpoint", s(endpoint))],
        SpanDetails::BucketOp { bucket, operation, object } => {
            vec![("bucket", s(bucket)), ("operation", s(operation)), ("object", s(object))]
        }
        SpanDetails::Internal => vec![],
    };
    pairs.into_iter().collect()
}

impl TraceView {
    pub fn of(record: &TraceRecord) -> TraceView {
        let start = record.spans.iter().map(|s| s.start_unix_ns).min().unwrap_or(0);
        let spans = record
            .spans
            .iter()
            .map(|span| SpanView {
                span_id: span.span_id.to_hex(),
                parent_span_id: span.parent.span_id().map(|id| id.to_hex()),
                parent_is_remote: matches!(span.parent, Parent::Remote(_)),
                kind: span.details.kind_name(),
                name: span.name.to_string(),
                start_offset_ns: span.start_unix_ns - start,
                duration_ns: span.duration_ns(),
                error: match &span.status {
                    SpanStatus::Ok => None,
                    SpanStatus::Error { message } => Some(message.to_string()),
                },
                details: details_json(&span.details),
                attributes: span.attributes.iter().map(|a| (a.key.to_string(), attribute_json(&a.value))).collect(),
                events: span
                    .events
                    .iter()
                    .map(|event| {
                        let offset = event.time_unix_ns.saturating_sub(start);
                        match &event.kind {
                            EventKind::Log { level, message, fields } => serde_json::json!({
                                "type": "log",
                                "offsetNs": offset,
                                "level": level.name(),
                                "message": message.as_ref(),
                                "fields": fields.iter().map(|a| (a.key.to_string(), attribute_json(&a.value))).collect::<BTreeMap<_, _>>(),
                            }),
                            EventKind::Error { code, message, stack } => serde_json::json!({
                                "type": "error",
                                "offsetNs": offset,
                                "code": code.as_ref(),
                                "message": message.as_ref(),
                                "stack": stack.as_ref(),
                            }),
                        }
                    })
                    .collect(),
                links: span
                    .links
                    .iter()
                    .map(|l| serde_json::json!({ "traceId": l.trace_id.to_hex(), "spanId": l.span_id.to_hex() }))
                    .collect(),
            })
            .collect();
        TraceView {
            trace_id: record.trace_id.to_hex(),
            start_unix_ns: start.to_string(),
            start_unix_ms: start as f64 / 1e6,
            dropped_spans: record.dropped_spans,
            spans,
        }
    }
}
