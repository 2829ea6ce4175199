//! The napi calls through which the SDK reports what only JavaScript sees: auth handler runs, database queries,
//! bucket operations, log lines and thrown errors. Each names a *handle* (the request id Rust gave the request,
//! or a delivery's / cron run's handle); the SDK calls them only for handles whose event said "recording", except
//! errors, which it reports for every failing unit so sampled-out traces with errors are still kept
//! (runtime/src/tracing.rs). Spans are reported after the fact, in one call each, with their duration measured in
//! JS: the span ends now and started `duration_ms` ago.

use crate::tracing::{live, report_error};
use napi_derive::napi;
use reprise_trace::{text, Attribute, AttributeValue, EventKind, LogLevel, SpanDetails, SpanStatus};

/// Span kinds `traceSpan` takes (the binary format's kind tags).
const KIND_AUTH: u32 = 1;
const KIND_DB: u32 = 3;
const KIND_BUCKET: u32 = 7;
const KIND_INTERNAL: u32 = 8;

/// Longest statement text kept on a database span; longer statements are cut (with a marker) to bound a trace.
const MAX_STATEMENT: usize = 4096;

fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The span name of a query: its first keyword and the database (`SELECT todos`).
fn query_name(database: &str, statement: &str) -> String {
    let verb = statement.split_whitespace().next().unwrap_or("query").to_ascii_uppercase();
    format!("{verb} {database}")
}

/// Records a finished span under handle `handle`'s current span. Fields by kind: auth (1) `a` service, `b`
/// handler, `n` 1 when authenticated; database (3) `a` database, `b` statement, `n` rows; bucket (7) `a`
/// bucket, `b` operation, `c` object key; internal (8) `a` name. `error` marks the span failed. False when the
/// handle is not recording (the call is then a no-op) or the kind is unknown.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn trace_span(handle: u32, kind: u32, a: String, b: String, c: String, n: f64, duration_ms: f64, error: Option<String>) -> bool {
    let Some(live) = live(handle) else { return false };
    let (name, details) = match kind {
        KIND_AUTH => (text(&b), SpanDetails::AuthHandler { service: text(&a), handler: text(&b), authenticated: n >= 1.0 }),
        KIND_DB => {
            let statement = cut(&b, MAX_STATEMENT);
            (text(&query_name(&a, &statement)), SpanDetails::DbQuery { database: text(&a), statement: text(&statement), rows: n.max(0.0) as u64 })
        }
        KIND_BUCKET => (text(&format!("{a}.{b}")), SpanDetails::BucketOp { bucket: text(&a), operation: text(&b), object: text(&c) }),
        KIND_INTERNAL => (text(&a), SpanDetails::Internal),
        _ => return false,
    };
    let end = live.trace.now_unix_ns();
    let duration_ns = if duration_ms.is_finite() && duration_ms > 0.0 { (duration_ms * 1e6) as u64 } else { 0 };
    let status = match error {
        Some(message) => SpanStatus::Error { message: text(&message) },
        None => SpanStatus::Ok,
    };
    live.trace.record_span(live.span, name, details, end.saturating_sub(duration_ns), end, status);
    true
}

fn attribute(key: &str, value: &serde_json::Value) -> Attribute {
    let value = match value {
        serde_json::Value::String(s) => AttributeValue::Str(text(s)),
        serde_json::Value::Bool(b) => AttributeValue::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => AttributeValue::Int(i),
            None => AttributeValue::Float(n.as_f64().unwrap_or(0.0)),
        },
        other => AttributeValue::Str(text(&other.to_string())),
    };
    Attribute { key: text(key), value }
}

/// A log line (level 0 trace … 4 error) on handle `handle`'s current span; `fields` is the line's fields as a
/// JSON object (nested values are kept as JSON text). False when the handle is not recording.
#[napi]
pub fn trace_log(handle: u32, level: u32, message: String, fields: Option<String>) -> bool {
    let Some(live) = live(handle) else { return false };
    let level = LogLevel::from_index(level.min(4) as u8).unwrap_or(LogLevel::Info);
    let fields = match fields.as_deref().map(serde_json::from_str::<serde_json::Map<String, serde_json::Value>>) {
        Some(Ok(map)) => map.iter().map(|(k, v)| attribute(k, v)).collect(),
        _ => Vec::new(),
    };
    live.trace.add_event(live.span, EventKind::Log { level, message: text(&message), fields });
    true
}

/// An error thrown inside handle `handle`'s work, with its stack (kept in the trace only, never in a response).
/// Recorded for sampled-out handles too: a trace with an error is always kept.
#[napi]
pub fn trace_error(handle: u32, code: String, message: String, stack: String) {
    report_error(handle, EventKind::Error { code: text(&code), message: text(&message), stack: text(&stack) });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_named_and_cut_on_a_char_boundary() {
        assert_eq!(query_name("todos", "  select * from todos"), "SELECT todos");
        assert_eq!(query_name("todos", ""), "QUERY todos");
        let long = "é".repeat(10);
        let c = cut(&long, 5);
        assert!(c.ends_with('…'));
        assert_eq!(c.chars().count(), 3);
        assert_eq!(cut("short", 10), "short");
    }

    #[test]
    fn log_fields_become_typed_attributes() {
        let a = attribute("n", &serde_json::json!(3));
        assert_eq!(a.value, AttributeValue::Int(3));
        assert_eq!(attribute("f", &serde_json::json!(1.5)).value, AttributeValue::Float(1.5));
        assert_eq!(attribute("o", &serde_json::json!({"x": 1})).value, AttributeValue::Str(text("{\"x\":1}")));
    }
}
