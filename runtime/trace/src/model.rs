//! The span and event model every part of tracing shares: what the runtime records, what the binary format
//! encodes, what the store keeps, what OTLP export and the editor's viewer read.
//!
//! Kinds are typed (an HTTP request has a method, a route and a status; a database query has a statement and a row
//! count) rather than bags of string attributes: the recorder fills plain fields, the encoder writes them without
//! keys, and only the OTLP mapping spells them out as semantic-convention attributes.

use crate::ids::{SpanId, TraceId};
use std::sync::Arc;

/// Shared immutable text: route patterns, service and endpoint names are cloned onto every span as a reference
/// count bump instead of an allocation.
pub type Text = Arc<str>;

pub fn text(value: &str) -> Text {
    if value.is_empty() {
        return empty_text();
    }
    Arc::from(value)
}

/// The empty string, shared: fields not known yet (route, service) cost no allocation.
pub fn empty_text() -> Text {
    static EMPTY: std::sync::OnceLock<Text> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::from("")).clone()
}

/// The spans one process recorded for one trace (one incoming request, message delivery or cron run, with
/// everything it caused in-process). `spans[0]` is the local root.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRecord {
    pub trace_id: TraceId,
    pub spans: Vec<Span>,
    /// Spans not recorded because the trace hit its span limit (bounded memory per request).
    pub dropped_spans: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub span_id: SpanId,
    pub parent: Parent,
    /// Wall-clock nanoseconds since the Unix epoch.
    pub start_unix_ns: u64,
    pub end_unix_ns: u64,
    pub name: Text,
    pub details: SpanDetails,
    pub status: SpanStatus,
    pub attributes: Vec<Attribute>,
    pub events: Vec<SpanEvent>,
    pub links: Vec<SpanLink>,
}

impl Span {
    pub fn duration_ns(&self) -> u64 {
        self.end_unix_ns.saturating_sub(self.start_unix_ns)
    }

    pub fn is_error(&self) -> bool {
        matches!(self.status, SpanStatus::Error { .. })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent {
    /// The root of a new trace.
    None,
    /// A span of this process (normally one earlier in the same record).
    Local(SpanId),
    /// A span of another process, named by an incoming `traceparent`.
    Remote(SpanId),
}

impl Parent {
    pub fn span_id(&self) -> Option<SpanId> {
        match self {
            Parent::None => None,
            Parent::Local(id) | Parent::Remote(id) => Some(*id),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum SpanStatus {
    Ok,
    Error { message: Text },
}

/// What kind of work a span covers, with the fields that kind always has.
#[derive(Clone, Debug, PartialEq)]
pub enum SpanDetails {
    /// An incoming HTTP request. `service` / `endpoint` are empty when no endpoint matched (404).
    HttpRequest { method: Text, path: Text, route: Text, service: Text, endpoint: Text, status: u16 },
    /// The app's auth handler running for an `auth: true` endpoint.
    AuthHandler { service: Text, handler: Text, authenticated: bool },
    /// A service-to-service call (`~encore/clients`), seen from the caller; its callee's spans are children.
    ServiceCall { service: Text, endpoint: Text, status: u16 },
    DbQuery { database: Text, statement: Text, rows: u64 },
    PubSubPublish { topic: Text, message_id: Text },
    /// A subscription handling one delivery; links to the publish span that produced it.
    PubSubMessage { topic: Text, subscription: Text, message_id: Text, attempt: u32 },
    CronRun { job: Text, endpoint: Text },
    BucketOp { bucket: Text, operation: Text, object: Text },
    /// Anything else the app or SDK marks as a unit of work.
    Internal,
}

impl SpanDetails {
    /// Stable short names, used in the JSON the editor reads and in the binary format's kind tag order.
    pub fn kind_name(&self) -> &'static str {
        match self {
            SpanDetails::HttpRequest { .. } => "http",
            SpanDetails::AuthHandler { .. } => "auth",
            SpanDetails::ServiceCall { .. } => "call",
            SpanDetails::DbQuery { .. } => "db",
            SpanDetails::PubSubPublish { .. } => "publish",
            SpanDetails::PubSubMessage { .. } => "message",
            SpanDetails::CronRun { .. } => "cron",
            SpanDetails::BucketOp { .. } => "bucket",
            SpanDetails::Internal => "internal",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub key: Text,
    pub value: AttributeValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AttributeValue {
    Str(Text),
    Int(i64),
    Float(f64),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SpanEvent {
    pub time_unix_ns: u64,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    Log { level: LogLevel, message: Text, fields: Vec<Attribute> },
    /// An error thrown or returned inside the span; `code` is the API error code ("internal", "not_found", ...).
    Error { code: Text, message: Text, stack: Text },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
}

impl LogLevel {
    pub fn name(&self) -> &'static str {
        match self {
            LogLevel::Trace => "trace",
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }

    pub fn from_index(index: u8) -> Option<LogLevel> {
        Some(match index {
            0 => LogLevel::Trace,
            1 => LogLevel::Debug,
            2 => LogLevel::Info,
            3 => LogLevel::Warn,
            4 => LogLevel::Error,
            _ => return None,
        })
    }

    pub fn parse(name: &str) -> Option<LogLevel> {
        Some(match name {
            "trace" => LogLevel::Trace,
            "debug" => LogLevel::Debug,
            "info" => LogLevel::Info,
            "warn" | "warning" => LogLevel::Warn,
            "error" => LogLevel::Error,
            _ => return None,
        })
    }
}

/// A causal link to a span possibly in another trace: a pub/sub delivery links to its publish span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanLink {
    pub trace_id: TraceId,
    pub span_id: SpanId,
}
