//! Recording one trace while its request runs. Everything is recorded whether or not the trace will be kept
//! (the keep decision comes at the end, so traces with errors are never lost); recording is therefore kept cheap:
//! spans go into one vector behind an uncontended mutex, names are shared `Arc<str>`s, and nothing is encoded or
//! sent until the trace is finished and kept.

use crate::ids::{SpanId, TraceId};
use crate::model::*;
use crate::traceparent::TraceParent;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A handle to a span of an [`ActiveTrace`]. Handles of spans dropped by the span limit are inert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanRef {
    index: u32,
    pub span_id: SpanId,
}

const DROPPED: u32 = u32::MAX;

impl SpanRef {
    pub fn is_recorded(&self) -> bool {
        self.index != DROPPED
    }
}

/// One trace being recorded; cheap to clone and shareable across the tasks of one request (concurrent service
/// calls from the same handler record into the same trace).
#[derive(Clone)]
pub struct ActiveTrace {
    inner: Arc<Mutex<TraceBuffer>>,
    trace_id: TraceId,
    root: SpanRef,
}

pub(crate) struct TraceBuffer {
    pub(crate) spans: Vec<Span>,
    pub(crate) ended: Vec<bool>,
    pub(crate) dropped_spans: u32,
    pub(crate) max_spans: usize,
    pub(crate) parent_sampled: bool,
    pub(crate) has_error_event: bool,
    anchor_unix_ns: u64,
    anchor: Instant,
}

impl TraceBuffer {
    fn now(&self) -> u64 {
        self.anchor_unix_ns + self.anchor.elapsed().as_nanos() as u64
    }
}

pub fn unix_now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}

impl ActiveTrace {
    /// Starts a trace whose root span begins now. With an incoming `traceparent` the trace continues the caller's.
    pub(crate) fn begin(incoming: Option<TraceParent>, name: Text, details: SpanDetails, max_spans: usize) -> ActiveTrace {
        let (trace_id, parent, parent_sampled) = match incoming {
            Some(tp) => (tp.trace_id, Parent::Remote(tp.parent_span_id), tp.sampled),
            None => (TraceId::random(), Parent::None, false),
        };
        ActiveTrace::begin_with(trace_id, parent, parent_sampled, name, details, max_spans)
    }

    /// Starts a trace with a known id and root parent (the runtime decides head sampling before recording).
    pub(crate) fn begin_with(trace_id: TraceId, parent: Parent, parent_sampled: bool, name: Text, details: SpanDetails, max_spans: usize) -> ActiveTrace {
        let anchor_unix_ns = unix_now_ns();
        let root_id = SpanId::random();
        let mut spans = Vec::with_capacity(4);
        spans.push(new_span(root_id, parent, anchor_unix_ns, name, details));
        let mut ended = Vec::with_capacity(4);
        ended.push(false);
        let buffer = TraceBuffer {
            spans,
            ended,
            dropped_spans: 0,
            max_spans: max_spans.max(1),
            parent_sampled,
            has_error_event: false,
            anchor_unix_ns,
            anchor: Instant::now(),
        };
        ActiveTrace { inner: Arc::new(Mutex::new(buffer)), trace_id, root: SpanRef { index: 0, span_id: root_id } }
    }

    /// The trace's clock now (Unix ns): what spans reported after the fact measure back from.
    pub fn now_unix_ns(&self) -> u64 {
        self.lock().now()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TraceBuffer> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    pub fn root(&self) -> SpanRef {
        self.root
    }

    pub fn parent_sampled(&self) -> bool {
        self.lock().parent_sampled
    }

    /// Starts a child span of `parent` now.
    pub fn start_span(&self, parent: SpanRef, name: Text, details: SpanDetails) -> SpanRef {
        let mut buffer = self.lock();
        let span_id = SpanId::random();
        if buffer.spans.len() >= buffer.max_spans {
            buffer.dropped_spans += 1;
            return SpanRef { index: DROPPED, span_id };
        }
        let now = buffer.now();
        let index = buffer.spans.len() as u32;
        buffer.spans.push(new_span(span_id, Parent::Local(parent.span_id), now, name, details));
        buffer.ended.push(false);
        SpanRef { index, span_id }
    }

    /// Records a span that already happened (e.g. reported by the SDK after a query returned).
    pub fn record_span(&self, parent: SpanRef, name: Text, details: SpanDetails, start_unix_ns: u64, end_unix_ns: u64, status: SpanStatus) -> SpanRef {
        let span = self.start_span(parent, name, details);
        self.with_span(span, |s| {
            s.start_unix_ns = start_unix_ns;
            s.end_unix_ns = end_unix_ns.max(start_unix_ns);
            s.status = status;
        });
        self.mark_ended(span);
        span
    }

    fn mark_ended(&self, span: SpanRef) {
        if span.is_recorded() {
            if let Some(ended) = self.lock().ended.get_mut(span.index as usize) {
                *ended = true;
            }
        }
    }

    /// Ends a span now. Ending twice keeps the first end.
    pub fn end_span(&self, span: SpanRef, status: SpanStatus) {
        if !span.is_recorded() {
            return;
        }
        let mut buffer = self.lock();
        let now = buffer.now();
        let index = span.index as usize;
        if index < buffer.spans.len() && !buffer.ended[index] {
            buffer.ended[index] = true;
            let s = &mut buffer.spans[index];
            s.end_unix_ns = now.max(s.start_unix_ns);
            s.status = status;
        }
    }

    /// Changes a span in place, e.g. to fill the route and status of the root once they are known.
    pub fn with_span<R>(&self, span: SpanRef, change: impl FnOnce(&mut Span) -> R) -> Option<R> {
        if !span.is_recorded() {
            return None;
        }
        let mut buffer = self.lock();
        buffer.spans.get_mut(span.index as usize).map(change)
    }

    pub fn add_attribute(&self, span: SpanRef, key: Text, value: AttributeValue) {
        self.with_span(span, |s| s.attributes.push(Attribute { key, value }));
    }

    pub fn add_event(&self, span: SpanRef, kind: EventKind) {
        if !span.is_recorded() {
            return;
        }
        let mut buffer = self.lock();
        let now = buffer.now();
        if matches!(kind, EventKind::Error { .. }) {
            buffer.has_error_event = true;
        }
        if let Some(s) = buffer.spans.get_mut(span.index as usize) {
            s.events.push(SpanEvent { time_unix_ns: now, kind });
        }
    }

    /// [`ActiveTrace::add_event`] at a given time (an event reported before the trace existed, e.g. by a stub).
    pub fn add_event_at(&self, span: SpanRef, time_unix_ns: u64, kind: EventKind) {
        if !span.is_recorded() {
            return;
        }
        let mut buffer = self.lock();
        if matches!(kind, EventKind::Error { .. }) {
            buffer.has_error_event = true;
        }
        if let Some(s) = buffer.spans.get_mut(span.index as usize) {
            s.events.push(SpanEvent { time_unix_ns, kind });
        }
    }

    pub fn add_link(&self, span: SpanRef, link: SpanLink) {
        self.with_span(span, |s| s.links.push(link));
    }

    /// The `traceparent` to send with a call made inside `span`; `sampled` is the caller's best knowledge so far
    /// (see [`crate::Tracer::traceparent`]).
    pub fn traceparent_with(&self, span: SpanRef, sampled: bool) -> TraceParent {
        TraceParent { trace_id: self.trace_id, parent_span_id: span.span_id, sampled }
    }

    /// Takes the spans out, ending every open span now. Later calls on clones of this handle record nothing.
    pub(crate) fn take(&self) -> (TraceRecord, bool, bool) {
        let mut buffer = self.lock();
        let now = buffer.now();
        let mut spans = std::mem::take(&mut buffer.spans);
        let ended = std::mem::take(&mut buffer.ended);
        for (span, was_ended) in spans.iter_mut().zip(ended) {
            if !was_ended {
                span.end_unix_ns = now.max(span.start_unix_ns);
            }
        }
        // A finished trace accepts no more spans from stragglers holding a clone.
        buffer.max_spans = 0;
        let has_error = buffer.has_error_event || spans.iter().any(|s| s.is_error());
        let record = TraceRecord { trace_id: self.trace_id, spans, dropped_spans: buffer.dropped_spans };
        (record, has_error, buffer.parent_sampled)
    }
}

fn new_span(span_id: SpanId, parent: Parent, start: u64, name: Text, details: SpanDetails) -> Span {
    Span {
        span_id,
        parent,
        start_unix_ns: start,
        end_unix_ns: start,
        name,
        details,
        status: SpanStatus::Ok,
        attributes: Vec::new(),
        events: Vec::new(),
        links: Vec::new(),
    }
}
