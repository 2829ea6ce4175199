//! OpenTelemetry export: maps our typed spans onto OTLP spans with semantic-convention attributes and sends them
//! with `opentelemetry-otlp`'s HTTP/protobuf exporter (hyper client; no gRPC stack) from a thread of its own, so a
//! slow or absent collector never reaches the request path: its queue is bounded and overflow is dropped and counted.

use crate::config::OtlpConfig;
use crate::model::*;
use opentelemetry::trace::{SpanContext, SpanKind, Status, TraceFlags, TraceState};
use opentelemetry::{InstrumentationScope, KeyValue, Value};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanExporter as _, SpanLinks};
use opentelemetry_sdk::Resource;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;

#[derive(Debug, thiserror::Error)]
pub enum OtlpError {
    #[error("could not build the OTLP exporter for {endpoint}: {message}")]
    Build { endpoint: String, message: String },
    #[error("could not start the OTLP export thread: {0}")]
    Spawn(#[from] std::io::Error),
}

#[derive(Default, Debug)]
pub struct ExportCounters {
    pub queued: AtomicU64,
    pub dropped: AtomicU64,
    pub exported_spans: AtomicU64,
    pub failures: AtomicU64,
}

pub struct OtlpExporter {
    sender: Option<mpsc::Sender<TraceRecord>>,
    counters: Arc<ExportCounters>,
    thread: Option<JoinHandle<()>>,
}

pub fn instrumentation_scope() -> InstrumentationScope {
    InstrumentationScope::builder("reprise").with_version(env!("CARGO_PKG_VERSION")).build()
}

pub fn resource(service_name: &str) -> Resource {
    Resource::builder_empty()
        .with_service_name(service_name.to_string())
        .with_attribute(KeyValue::new("telemetry.sdk.name", "reprise"))
        .build()
}

impl OtlpExporter {
    pub fn start(config: OtlpConfig) -> Result<OtlpExporter, OtlpError> {
        let (sender, mut receiver) = mpsc::channel::<TraceRecord>(config.queue_capacity.max(1));
        let counters = Arc::new(ExportCounters::default());
        let thread_counters = counters.clone();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), OtlpError>>();
        let thread = std::thread::Builder::new().name("reprise-otlp-export".into()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = ready_tx.send(Err(OtlpError::Spawn(error)));
                    return;
                }
            };
            runtime.block_on(async move {
                let built = opentelemetry_otlp::SpanExporter::builder()
                    .with_http()
                    .with_protocol(Protocol::HttpBinary)
                    .with_endpoint(config.endpoint.clone())
                    .with_timeout(Duration::from_millis(config.timeout_ms))
                    .build();
                let mut exporter = match built {
                    Ok(exporter) => exporter,
                    Err(error) => {
                        let _ = ready_tx.send(Err(OtlpError::Build { endpoint: config.endpoint.clone(), message: error.to_string() }));
                        return;
                    }
                };
                exporter.set_resource(&resource(&config.service_name));
                let _ = ready_tx.send(Ok(()));
                let scope = instrumentation_scope();
                // Batches form by themselves under load: whatever queued while the previous export ran goes next.
                while let Some(first) = receiver.recv().await {
                    let mut batch = to_span_data(&first, &scope);
                    while batch.len() < config.max_batch_spans {
                        match receiver.try_recv() {
                            Ok(record) => batch.extend(to_span_data(&record, &scope)),
                            Err(_) => break,
                        }
                    }
                    let count = batch.len() as u64;
                    match exporter.export(batch).await {
                        Ok(()) => thread_counters.exported_spans.fetch_add(count, Ordering::Relaxed),
                        Err(_) => thread_counters.failures.fetch_add(1, Ordering::Relaxed),
                    };
                }
                let _ = exporter.shutdown();
            });
        })?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(OtlpExporter { sender: Some(sender), counters, thread: Some(thread) }),
            Ok(Err(error)) => {
                let _ = thread.join();
                Err(error)
            }
            Err(_) => {
                let _ = thread.join();
                Err(OtlpError::Build { endpoint: String::new(), message: "the export thread stopped while starting".into() })
            }
        }
    }

    /// Never blocks: a full export queue drops the trace (it stays in the local store).
    pub fn enqueue(&self, record: TraceRecord) {
        let Some(sender) = &self.sender else { return };
        match sender.try_send(record) {
            Ok(()) => self.counters.queued.fetch_add(1, Ordering::Relaxed),
            Err(_) => self.counters.dropped.fetch_add(1, Ordering::Relaxed),
        };
    }

    pub fn counters(&self) -> &ExportCounters {
        &self.counters
    }

    /// Exports what is queued, then stops.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.sender.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for OtlpExporter {
    fn drop(&mut self) {
        self.stop();
    }
}

fn system_time(unix_ns: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(unix_ns)
}

fn string(value: &Text) -> Value {
    Value::String(value.to_string().into())
}

fn key_value(key: &'static str, value: Value) -> KeyValue {
    KeyValue::new(key, value)
}

fn attribute_value(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::Str(s) => string(s),
        AttributeValue::Int(i) => Value::I64(*i),
        AttributeValue::Float(f) => Value::F64(*f),
        AttributeValue::Bool(b) => Value::Bool(*b),
    }
}

fn user_attribute(attribute: &Attribute) -> KeyValue {
    KeyValue::new(attribute.key.to_string(), attribute_value(&attribute.value))
}

/// Semantic-convention attributes for each span kind (HTTP, RPC, database, messaging), plus `reprise.*` for what
/// the conventions have no name for.
fn kind_and_attributes(details: &SpanDetails) -> (SpanKind, Vec<KeyValue>) {
    let int = |v: u64| Value::I64(v.min(i64::MAX as u64) as i64);
    match details {
        SpanDetails::HttpRequest { method, path, route, service, endpoint, status } => (
            SpanKind::Server,
            vec![
                key_value("http.request.method", string(method)),
                key_value("url.path", string(path)),
                key_value("http.route", string(route)),
                key_value("http.response.status_code", int(*status as u64)),
                key_value("reprise.service", string(service)),
                key_value("reprise.endpoint", string(endpoint)),
            ],
        ),
        SpanDetails::AuthHandler { service, handler, authenticated } => (
            SpanKind::Internal,
            vec![
                key_value("reprise.service", string(service)),
                key_value("reprise.auth.handler", string(handler)),
                key_value("reprise.auth.authenticated", Value::Bool(*authenticated)),
            ],
        ),
        SpanDetails::ServiceCall { service, endpoint, status } => (
            SpanKind::Client,
            vec![
                key_value("rpc.system", Value::String("reprise".into())),
                key_value("rpc.service", string(service)),
                key_value("rpc.method", string(endpoint)),
                key_value("http.response.status_code", int(*status as u64)),
            ],
        ),
        SpanDetails::DbQuery { database, statement, rows } => (
            SpanKind::Client,
            vec![
                key_value("db.system.name", Value::String("postgresql".into())),
                key_value("db.namespace", string(database)),
                key_value("db.query.text", string(statement)),
                key_value("db.response.returned_rows", int(*rows)),
            ],
        ),
        SpanDetails::PubSubPublish { topic, message_id } => (
            SpanKind::Producer,
            vec![
                key_value("messaging.system", Value::String("reprise".into())),
                key_value("messaging.operation.type", Value::String("send".into())),
                key_value("messaging.destination.name", string(topic)),
                key_value("messaging.message.id", string(message_id)),
            ],
        ),
        SpanDetails::PubSubMessage { topic, subscription, message_id, attempt } => (
            SpanKind::Consumer,
            vec![
                key_value("messaging.system", Value::String("reprise".into())),
                key_value("messaging.operation.type", Value::String("process".into())),
                key_value("messaging.destination.name", string(topic)),
                key_value("messaging.consumer.group.name", string(subscription)),
                key_value("messaging.message.id", string(message_id)),
                key_value("reprise.delivery.attempt", int(*attempt as u64)),
            ],
        ),
        SpanDetails::CronRun { job, endpoint } => (
            SpanKind::Internal,
            vec![key_value("reprise.cron.job", string(job)), key_value("reprise.endpoint", string(endpoint))],
        ),
        SpanDetails::BucketOp { bucket, operation, object } => (
            SpanKind::Client,
            vec![
                key_value("reprise.bucket.name", string(bucket)),
                key_value("reprise.bucket.operation", string(operation)),
                key_value("reprise.bucket.object", string(object)),
            ],
        ),
        SpanDetails::Internal => (SpanKind::Internal, Vec::new()),
    }
}

fn context(trace_id: crate::ids::TraceId, span_id: crate::ids::SpanId, remote: bool) -> SpanContext {
    SpanContext::new(
        opentelemetry::TraceId::from_bytes(trace_id.0),
        opentelemetry::SpanId::from_bytes(span_id.0),
        TraceFlags::SAMPLED,
        remote,
        TraceState::default(),
    )
}

/// The OpenTelemetry SDK's view of our spans (what the OTLP exporter serialises).
pub fn to_span_data(record: &TraceRecord, scope: &InstrumentationScope) -> Vec<SpanData> {
    record
        .spans
        .iter()
        .map(|span| {
            let (span_kind, mut attributes) = kind_and_attributes(&span.details);
            attributes.extend(span.attributes.iter().map(user_attribute));
            let events = span
                .events
                .iter()
                .map(|event| match &event.kind {
                    EventKind::Log { level, message, fields } => {
                        let mut attributes = vec![
                            KeyValue::new("log.severity", level.name()),
                            key_value("log.message", string(message)),
                        ];
                        attributes.extend(fields.iter().map(user_attribute));
                        opentelemetry::trace::Event::new("log", system_time(event.time_unix_ns), attributes, 0)
                    }
                    EventKind::Error { code, message, stack } => opentelemetry::trace::Event::new(
                        "exception",
                        system_time(event.time_unix_ns),
                        vec![
                            key_value("exception.type", string(code)),
                            key_value("exception.message", string(message)),
                            key_value("exception.stacktrace", string(stack)),
                        ],
                        0,
                    ),
                })
                .collect();
            let links = span
                .links
                .iter()
                .map(|link| opentelemetry::trace::Link::with_context(context(link.trace_id, link.span_id, link.trace_id != record.trace_id)))
                .collect();
            let status = match &span.status {
                SpanStatus::Ok => Status::Unset,
                SpanStatus::Error { message } => Status::error(message.to_string()),
            };
            let mut span_events = SpanEvents::default();
            span_events.events = events;
            let mut span_links = SpanLinks::default();
            span_links.links = links;
            SpanData {
                span_context: context(record.trace_id, span.span_id, false),
                parent_span_id: span
                    .parent
                    .span_id()
                    .map(|id| opentelemetry::SpanId::from_bytes(id.0))
                    .unwrap_or(opentelemetry::SpanId::INVALID),
                parent_span_is_remote: matches!(span.parent, Parent::Remote(_)),
                span_kind,
                name: Cow::Owned(span.name.to_string()),
                start_time: system_time(span.start_unix_ns),
                end_time: system_time(span.end_unix_ns),
                attributes,
                dropped_attributes_count: 0,
                events: span_events,
                links: span_links,
                status,
                instrumentation_scope: scope.clone(),
            }
        })
        .collect()
}

/// The same spans as one OTLP `ExportTraceServiceRequest` in protobuf: what the exporter puts on the wire, used to
/// compare encoded sizes.
pub fn to_otlp_protobuf(records: &[TraceRecord], service_name: &str) -> Vec<u8> {
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
    use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
    use prost::Message;
    let scope = instrumentation_scope();
    let spans: Vec<SpanData> = records.iter().flat_map(|r| to_span_data(r, &scope)).collect();
    let resource = ResourceAttributesWithSchema::from(&resource(service_name));
    let request = ExportTraceServiceRequest { resource_spans: group_spans_by_resource_and_scope(spans, &resource) };
    request.encode_to_vec()
}
