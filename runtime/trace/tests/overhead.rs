//! CPU cost of tracing one request on the request path (record the HTTP span, decide, hand over), sampled out and
//! kept, printed with `--nocapture`. The bound asserted is loose (shared, noisy machines); the figure is the point.

use reprise_trace::*;
use std::time::Instant;

fn per_request_ns(rate: f64) -> f64 {
    let tracer = Tracer::new(TracingConfig { sample_rate: rate, channel_capacity: 1 << 16, ..TracingConfig::default() }).unwrap();
    let (service, endpoint, name) = (text("greeter"), text("hello"), text("greeter.hello"));
    let n = 50_000;
    let started = Instant::now();
    for _ in 0..n {
        let trace = tracer.begin_http(None, "GET", "/hello/world");
        trace.with_span(trace.root(), |span| {
            span.name = name.clone();
            if let SpanDetails::HttpRequest { service: s, endpoint: e, status, .. } = &mut span.details {
                *s = service.clone();
                *e = endpoint.clone();
                *status = 200;
            }
        });
        trace.end_span(trace.root(), SpanStatus::Ok);
        tracer.finish(trace);
    }
    started.elapsed().as_nanos() as f64 / n as f64
}

#[test]
fn request_path_cost_is_small() {
    let _warm = per_request_ns(1.0);
    let out = per_request_ns(0.0);
    let kept = per_request_ns(1.0);
    println!("\nrequest-path cost per traced request: sampled out {out:.0} ns, kept {kept:.0} ns (encoding and storing run on the writer thread)");
    assert!(out < 20_000.0 && kept < 20_000.0, "out {out} ns, kept {kept} ns");
}

#[test]
fn writer_side_cost_per_trace() {
    let tracer = Tracer::new(TracingConfig::default()).unwrap();
    let trace = tracer.begin_http(None, "GET", "/hello/world");
    trace.end_span(trace.root(), SpanStatus::Error { message: text("x") });
    tracer.finish(trace);
    let record = common_record();
    let n = 50_000;
    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..n {
        bytes += encode_to_vec(&record).len();
    }
    let encode = started.elapsed().as_nanos() as f64 / n as f64;
    let store = TraceStore::new(1000, 16 << 20);
    let started = Instant::now();
    for _ in 0..n {
        store.insert(&record, encode_to_vec(&record));
    }
    let insert = started.elapsed().as_nanos() as f64 / n as f64;
    println!("\nwriter-thread cost per one-span trace: encode {encode:.0} ns, encode + store {insert:.0} ns ({} B)", bytes / n);
    assert!(insert < 50_000.0);
}

fn common_record() -> TraceRecord {
    TraceRecord {
        trace_id: TraceId::random(),
        spans: vec![Span {
            span_id: SpanId::random(),
            parent: Parent::None,
            start_unix_ns: 1_764_650_000_000_000_000,
            end_unix_ns: 1_764_650_000_000_048_213,
            name: text("greeter.hello"),
            details: SpanDetails::HttpRequest { method: text("GET"), path: text("/hello/world"), route: text(""), service: text("greeter"), endpoint: text("hello"), status: 200 },
            status: SpanStatus::Ok,
            attributes: vec![],
            events: vec![],
            links: vec![],
        }],
        dropped_spans: 0,
    }
}
