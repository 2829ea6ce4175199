//! The local trace store: the most recent traces, kept encoded (the compact format is also the in-memory format, so
//! a thousand traces cost kilobytes, not megabytes), bounded both by count and by bytes. What the editor's trace
//! viewer and `reprise traces` read through the runtime's loopback endpoint.

use crate::decode::{decode_record, DecodeError};
use crate::ids::TraceId;
use crate::model::*;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// What the list view shows for one trace. Computed when listed (by decoding the newest records), not when stored:
/// the writer's per-trace work stays one encode and one copy.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceSummary {
    pub trace_id: String,
    pub kind: &'static str,
    pub name: String,
    /// For HTTP roots; empty otherwise.
    pub method: String,
    pub path: String,
    pub route: String,
    pub service: String,
    pub endpoint: String,
    /// HTTP status for HTTP roots; 0 otherwise.
    pub status: u16,
    /// As a string: Unix nanoseconds overflow a JSON (JavaScript) number's exact range.
    pub start_unix_ns: String,
    pub start_unix_ms: f64,
    pub duration_ns: u64,
    pub error: bool,
    pub span_count: usize,
    pub encoded_bytes: usize,
}

impl TraceSummary {
    pub fn of(record: &TraceRecord, encoded_bytes: usize) -> TraceSummary {
        let root = record.spans.first();
        let (method, path, route, service, endpoint, status) = match root.map(|r| &r.details) {
            Some(SpanDetails::HttpRequest { method, path, route, service, endpoint, status }) => {
                (method.to_string(), path.to_string(), route.to_string(), service.to_string(), endpoint.to_string(), *status)
            }
            Some(SpanDetails::PubSubMessage { topic, subscription, .. }) => {
                (String::new(), topic.to_string(), String::new(), String::new(), subscription.to_string(), 0)
            }
            Some(SpanDetails::CronRun { job, endpoint }) => {
                (String::new(), job.to_string(), String::new(), String::new(), endpoint.to_string(), 0)
            }
            _ => Default::default(),
        };
        let start = record.spans.iter().map(|s| s.start_unix_ns).min().unwrap_or(0);
        let end = record.spans.iter().map(|s| s.end_unix_ns).max().unwrap_or(start);
        TraceSummary {
            trace_id: record.trace_id.to_hex(),
            kind: root.map(|r| r.details.kind_name()).unwrap_or("internal"),
            name: root.map(|r| r.name.to_string()).unwrap_or_default(),
            method,
            path,
            route,
            service,
            endpoint,
            status,
            start_unix_ns: start.to_string(),
            start_unix_ms: start as f64 / 1e6,
            duration_ns: end.saturating_sub(start),
            error: record.spans.iter().any(|s| s.is_error()),
            span_count: record.spans.len(),
            encoded_bytes,
        }
    }
}

struct StoredTrace {
    trace_id: TraceId,
    encoded: Box<[u8]>,
}

/// Bookkeeping per stored trace beyond its encoded bytes (allocation header, deque slot), so the byte bound is honest.
const PER_TRACE_OVERHEAD: usize = 64;

pub struct TraceStore {
    max_traces: usize,
    max_bytes: usize,
    inner: Mutex<StoreInner>,
    evicted: AtomicU64,
}

#[derive(Default)]
struct StoreInner {
    entries: VecDeque<StoredTrace>,
    bytes: usize,
}

impl TraceStore {
    pub fn new(max_traces: usize, max_bytes: usize) -> TraceStore {
        TraceStore { max_traces: max_traces.max(1), max_bytes, inner: Mutex::new(StoreInner::default()), evicted: AtomicU64::new(0) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StoreInner> {
        // A panic while holding the lock cannot leave the deque inconsistent (each method mutates it in one step).
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores an encoded record, evicting the oldest ones until both bounds hold again.
    pub fn insert(&self, record: &TraceRecord, encoded: Vec<u8>) {
        let cost = encoded.len() + PER_TRACE_OVERHEAD;
        if cost > self.max_bytes {
            self.evicted.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut inner = self.lock();
        while !inner.entries.is_empty() && (inner.entries.len() >= self.max_traces || inner.bytes + cost > self.max_bytes) {
            if let Some(old) = inner.entries.pop_front() {
                inner.bytes -= old.encoded.len() + PER_TRACE_OVERHEAD;
                self.evicted.fetch_add(1, Ordering::Relaxed);
            }
        }
        inner.bytes += cost;
        inner.entries.push_back(StoredTrace { trace_id: record.trace_id, encoded: encoded.into_boxed_slice() });
    }

    /// Newest first. Records that fail to decode (which the store's own encoder never produces) are skipped.
    pub fn list(&self, limit: usize) -> Vec<TraceSummary> {
        let newest: Vec<Box<[u8]>> = self.lock().entries.iter().rev().take(limit).map(|e| e.encoded.clone()).collect();
        newest.iter().filter_map(|bytes| decode_record(bytes).ok().map(|record| TraceSummary::of(&record, bytes.len()))).collect()
    }

    /// The encoded records of one trace, oldest first (a trace may come in several records, e.g. a request and
    /// a later delivery that continues it).
    pub fn encoded(&self, trace_id: &TraceId) -> Vec<Vec<u8>> {
        self.lock().entries.iter().filter(|e| &e.trace_id == trace_id).map(|e| e.encoded.to_vec()).collect()
    }

    /// One trace with the spans of all its records, or None when it is not (or no longer) stored.
    pub fn get(&self, trace_id: &TraceId) -> Result<Option<TraceRecord>, DecodeError> {
        let mut merged: Option<TraceRecord> = None;
        for bytes in self.encoded(trace_id) {
            let record = decode_record(&bytes)?;
            match &mut merged {
                None => merged = Some(record),
                Some(all) => {
                    all.spans.extend(record.spans);
                    all.dropped_spans += record.dropped_spans;
                }
            }
        }
        Ok(merged)
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    pub fn evicted(&self) -> u64 {
        self.evicted.load(Ordering::Relaxed)
    }
}
