//! The tracer: one per runtime. Starts traces for requests, decides at their end whether to keep them, and hands
//! kept ones to the writer thread, which encodes them into the local store and queues them for OTLP export.

use crate::config::{ConfigError, TracingConfig};
use crate::encode::encode_to_vec;
use crate::model::*;
use crate::otlp::{OtlpExporter, OtlpError};
use crate::recorder::ActiveTrace;
use crate::sampling::{Decision, Sampler};
use crate::store::TraceStore;
use crate::ids::TraceId;
use crate::traceparent::TraceParent;
use crate::writer::{SubmitError, TraceWriter, WriterError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum TracerError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Writer(#[from] WriterError),
    #[error(transparent)]
    Otlp(#[from] OtlpError),
}

#[derive(Default)]
struct Counters {
    finished: AtomicU64,
    sampled_out: AtomicU64,
    kept_errors: AtomicU64,
}

/// Counters the trace endpoint reports, so drops are visible rather than silent.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TracerStats {
    pub finished: u64,
    pub sampled_out: u64,
    pub kept_errors: u64,
    pub submitted: u64,
    pub dropped_queue_full: u64,
    pub written: u64,
    pub stored: usize,
    pub stored_bytes: usize,
    pub evicted: u64,
    pub export_queued: u64,
    pub export_dropped: u64,
    pub exported_spans: u64,
    pub export_failures: u64,
}

pub struct Tracer {
    sampler: Sampler,
    max_spans: usize,
    store: Arc<TraceStore>,
    writer: TraceWriter,
    exporter: Option<Arc<OtlpExporter>>,
    counters: Counters,
}

impl Tracer {
    pub fn new(config: TracingConfig) -> Result<Tracer, TracerError> {
        config.validate()?;
        let store = Arc::new(TraceStore::new(config.store_max_traces, config.store_max_bytes));
        let exporter = match &config.otlp {
            Some(otlp) => Some(Arc::new(OtlpExporter::start(otlp.clone())?)),
            None => None,
        };
        let writer_store = store.clone();
        let writer_exporter = exporter.clone();
        let writer = TraceWriter::spawn(config.channel_capacity, move |record| {
            writer_store.insert(&record, encode_to_vec(&record));
            if let Some(exporter) = &writer_exporter {
                exporter.enqueue(record);
            }
        })?;
        Ok(Tracer {
            sampler: Sampler::new(&config),
            max_spans: config.max_spans_per_trace,
            store,
            writer,
            exporter,
            counters: Counters::default(),
        })
    }

    /// Starts recording a trace whose root span begins now.
    pub fn begin(&self, incoming: Option<TraceParent>, name: Text, details: SpanDetails) -> ActiveTrace {
        ActiveTrace::begin(incoming, name, details, self.max_spans)
    }

    /// Starts an HTTP request trace from the raw `traceparent` header value (if any); a malformed header starts a
    /// new trace, as W3C Trace Context requires.
    pub fn begin_http(&self, traceparent: Option<&str>, method: &str, path: &str) -> ActiveTrace {
        let incoming = traceparent.and_then(|h| TraceParent::parse(h).ok());
        let method = text(method);
        let details = SpanDetails::HttpRequest {
            method: method.clone(),
            path: text(path),
            route: text(""),
            service: text(""),
            endpoint: text(""),
            status: 0,
        };
        self.begin(incoming, method, details)
    }

    /// Starts a trace whose id, root parent and sampled flag the caller already decided (head sampling).
    pub fn begin_root(&self, trace_id: TraceId, parent: Parent, parent_sampled: bool, name: Text, details: SpanDetails) -> ActiveTrace {
        ActiveTrace::begin_with(trace_id, parent, parent_sampled, name, details, self.max_spans)
    }

    /// The decision [`Tracer::finish`] will make for a trace without errors, available up front: the runtime
    /// records spans in detail only for traces this admits (the rest get an error-catching stub).
    pub fn head_sampled(&self, trace_id: &TraceId, service: &str, endpoint: &str, parent_sampled: bool) -> bool {
        parent_sampled || self.sampler.by_rate(trace_id, service, endpoint)
    }

    /// Whether any endpoint has its own rate (when not, the head decision needs no endpoint names).
    pub fn has_endpoint_rates(&self) -> bool {
        self.sampler.has_overrides()
    }

    /// Counts a trace that was decided sampled-out and never recorded.
    pub fn count_sampled_out(&self) {
        self.counters.finished.fetch_add(1, Ordering::Relaxed);
        self.counters.sampled_out.fetch_add(1, Ordering::Relaxed);
    }

    /// Starts the trace of one pub/sub delivery. The delivery continues the publisher's trace (the `traceparent`
    /// the publisher attached to the message names the publish span, which becomes the delivery's remote parent)
    /// and also links to that span, since it runs later, may be retried and is recorded as a record of its own. A
    /// sampled publisher makes the delivery sampled too; an unsampled one (flag 00) passes on only its trace id,
    /// and no link. Without a (valid) carried header it is a new trace.
    pub fn begin_delivery(&self, publisher: Option<&str>, topic: &str, subscription: &str, message_id: &str, attempt: u32) -> ActiveTrace {
        let publisher = publisher.and_then(|h| TraceParent::parse(h).ok());
        let details = SpanDetails::PubSubMessage { topic: text(topic), subscription: text(subscription), message_id: text(message_id), attempt };
        let trace = self.begin(publisher, text(subscription), details);
        // An unsampled publisher recorded no span to link to (its traceparent names a fresh id).
        if let Some(publisher) = publisher.filter(|p| p.sampled) {
            trace.add_link(trace.root(), SpanLink { trace_id: publisher.trace_id, span_id: publisher.parent_span_id });
        }
        trace
    }

    pub fn begin_cron(&self, job: &str, endpoint: &str) -> ActiveTrace {
        self.begin(None, text(job), SpanDetails::CronRun { job: text(job), endpoint: text(endpoint) })
    }

    /// The `traceparent` for a call made inside `span`: sampled if the caller's flag said so or the rate admits the
    /// trace (the final decision may still keep it for an error, which a callee cannot know).
    pub fn traceparent(&self, trace: &ActiveTrace, span: crate::recorder::SpanRef) -> TraceParent {
        let sampled = trace.parent_sampled() || {
            let (service, endpoint) = root_endpoint(trace);
            self.sampler.by_rate(&trace.trace_id(), &service, &endpoint)
        };
        trace.traceparent_with(span, sampled)
    }

    /// Ends the trace: decides whether to keep it and, if so, queues it for the writer without waiting.
    pub fn finish(&self, trace: ActiveTrace) -> Decision {
        let (record, has_error, parent_sampled) = trace.take();
        self.counters.finished.fetch_add(1, Ordering::Relaxed);
        let (service, endpoint) = match record.spans.first().map(|s| &s.details) {
            Some(d) => endpoint_of(d),
            None => (text(""), text("")),
        };
        let decision = self.sampler.decide(&record.trace_id, &service, &endpoint, has_error, parent_sampled);
        match decision {
            Decision::SampledOut => {
                self.counters.sampled_out.fetch_add(1, Ordering::Relaxed);
            }
            kept => {
                if kept == Decision::KeptError {
                    self.counters.kept_errors.fetch_add(1, Ordering::Relaxed);
                }
                // A full queue is counted by the writer; the request goes on regardless.
                let _: Result<(), SubmitError> = self.writer.submit(record);
            }
        }
        decision
    }

    pub fn store(&self) -> &TraceStore {
        &self.store
    }

    pub fn stats(&self) -> TracerStats {
        let writer = self.writer.counters();
        let mut stats = TracerStats {
            finished: self.counters.finished.load(Ordering::Relaxed),
            sampled_out: self.counters.sampled_out.load(Ordering::Relaxed),
            kept_errors: self.counters.kept_errors.load(Ordering::Relaxed),
            submitted: writer.submitted.load(Ordering::Relaxed),
            dropped_queue_full: writer.dropped_full.load(Ordering::Relaxed),
            written: writer.written.load(Ordering::Relaxed),
            stored: self.store.len(),
            stored_bytes: self.store.bytes(),
            evicted: self.store.evicted(),
            ..TracerStats::default()
        };
        if let Some(exporter) = &self.exporter {
            let c = exporter.counters();
            stats.export_queued = c.queued.load(Ordering::Relaxed);
            stats.export_dropped = c.dropped.load(Ordering::Relaxed);
            stats.exported_spans = c.exported_spans.load(Ordering::Relaxed);
            stats.export_failures = c.failures.load(Ordering::Relaxed);
        }
        stats
    }

    /// Writes out queued traces and stops exporting; what graceful shutdown calls.
    pub fn shutdown(&mut self) {
        self.writer.close();
        if let Some(exporter) = self.exporter.take() {
            if let Ok(exporter) = Arc::try_unwrap(exporter) {
                exporter.shutdown();
            }
        }
    }
}

impl Drop for Tracer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn endpoint_of(details: &SpanDetails) -> (Text, Text) {
    match details {
        SpanDetails::HttpRequest { service, endpoint, .. } => (service.clone(), endpoint.clone()),
        SpanDetails::PubSubMessage { topic, subscription, .. } => (topic.clone(), subscription.clone()),
        SpanDetails::CronRun { job, endpoint } => (job.clone(), endpoint.clone()),
        _ => (text(""), text("")),
    }
}

fn root_endpoint(trace: &ActiveTrace) -> (Text, Text) {
    trace.with_span(trace.root(), |s| endpoint_of(&s.details)).unwrap_or_else(|| (text(""), text("")))
}
