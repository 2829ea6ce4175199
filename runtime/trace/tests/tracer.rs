//! The tracer end to end without a server: recording, the keep decision, the writer thread, the store, the trace
//! endpoint's answers, and propagation across a service call (traceparent out and in) and a pub/sub hop.

mod common;

use reprise_trace::*;
use std::time::{Duration, Instant};

fn tracer(config: TracingConfig) -> Tracer {
    Tracer::new(config).expect("tracer starts")
}

/// The writer runs on its own thread: poll (with a deadline) until it has written `count` traces.
fn wait_written(tracer: &Tracer, count: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while tracer.stats().written < count {
        assert!(Instant::now() < deadline, "writer wrote {} of {count} traces", tracer.stats().written);
        std::thread::yield_now();
    }
}

fn set_endpoint(trace: &ActiveTrace, service: &str, endpoint: &str, route: &str, code: u16) {
    trace.with_span(trace.root(), |span| {
        if let SpanDetails::HttpRequest { service: s, endpoint: e, route: r, status, .. } = &mut span.details {
            *s = text(service);
            *e = text(endpoint);
            *r = text(route);
            *status = code;
        }
    });
}

#[test]
fn a_request_is_recorded_stored_and_served() {
    let tracer = tracer(TracingConfig::default());
    let trace = tracer.begin_http(None, "POST", "/users");
    set_endpoint(&trace, "users", "create", "/users", 200);
    let auth = trace.start_span(trace.root(), text("auth"), SpanDetails::AuthHandler { service: text("auth"), handler: text("auth"), authenticated: true });
    trace.end_span(auth, SpanStatus::Ok);
    let query = trace.start_span(trace.root(), text("insert"), SpanDetails::DbQuery { database: text("users"), statement: text("INSERT 1"), rows: 1 });
    trace.add_event(query, EventKind::Log { level: LogLevel::Info, message: text("inserted"), fields: vec![] });
    trace.end_span(query, SpanStatus::Ok);
    let id = trace.trace_id();
    assert_eq!(tracer.finish(trace), Decision::KeptSampled);
    wait_written(&tracer, 1);

    let stored = tracer.store().get(&id).unwrap().expect("trace stored");
    assert_eq!(stored.spans.len(), 3);
    assert_eq!(stored.spans[1].parent, Parent::Local(stored.spans[0].span_id));
    assert!(stored.spans.iter().all(|s| s.end_unix_ns >= s.start_unix_ns));
    assert!(stored.spans[0].end_unix_ns >= stored.spans[2].end_unix_ns, "the root ends last");

    let list = api::handle(&tracer, "GET", "/__reprise/traces?limit=5");
    assert_eq!(list.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&list.body).unwrap();
    let first = &body["traces"][0];
    assert_eq!(first["traceId"], id.to_hex());
    assert_eq!(first["method"], "POST");
    assert_eq!(first["route"], "/users");
    assert_eq!(first["status"], 200);
    assert_eq!(first["spanCount"], 3);
    assert_eq!(body["stats"]["written"], 1);

    let one = api::handle(&tracer, "GET", &format!("/__reprise/traces/{}", id.to_hex()));
    assert_eq!(one.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&one.body).unwrap();
    assert_eq!(body["spans"][2]["kind"], "db");
    assert_eq!(body["spans"][2]["details"]["statement"], "INSERT 1");
    assert_eq!(body["spans"][2]["events"][0]["message"], "inserted");
    assert_eq!(body["spans"][1]["parentSpanId"], body["spans"][0]["spanId"]);

    let binary = api::handle(&tracer, "GET", &format!("/__reprise/traces/{}?format=binary", id.to_hex()));
    assert_eq!(binary.content_type, "application/x-reprise-trace");
    assert_eq!(decode_stream(&binary.body).unwrap(), vec![stored]);

    assert_eq!(api::handle(&tracer, "GET", "/__reprise/traces/nothex").status, 400);
    assert_eq!(api::handle(&tracer, "GET", &format!("/__reprise/traces/{}", TraceId::random().to_hex())).status, 404);
    assert_eq!(api::handle(&tracer, "GET", "/__reprise/traces?limit=0").status, 400);
    assert_eq!(api::handle(&tracer, "DELETE", "/__reprise/traces").status, 405);
}

#[test]
fn unsampled_traces_are_dropped_but_errors_are_always_kept() {
    let tracer = tracer(TracingConfig { sample_rate: 0.0, ..TracingConfig::default() });
    for _ in 0..50 {
        let trace = tracer.begin_http(None, "GET", "/hello/x");
        assert_eq!(tracer.finish(trace), Decision::SampledOut);
    }
    let failing = tracer.begin_http(None, "GET", "/orders/1");
    let call = failing.start_span(failing.root(), text("billing.charge"), SpanDetails::ServiceCall { service: text("billing"), endpoint: text("charge"), status: 0 });
    failing.add_event(call, EventKind::Error { code: text("internal"), message: text("boom"), stack: text("Error: boom\n    at charge (billing.ts:3:9)") });
    let id = failing.trace_id();
    assert_eq!(tracer.finish(failing), Decision::KeptError);
    let status_error = tracer.begin_http(None, "GET", "/orders/2");
    status_error.end_span(status_error.root(), SpanStatus::Error { message: text("500 internal") });
    assert_eq!(tracer.finish(status_error), Decision::KeptError);
    wait_written(&tracer, 2);
    let stats = tracer.stats();
    assert_eq!((stats.finished, stats.sampled_out, stats.kept_errors, stats.stored), (52, 50, 2, 2));
    let kept = tracer.store().get(&id).unwrap().unwrap();
    assert!(matches!(&kept.spans[1].events[0].kind, EventKind::Error { stack, .. } if stack.contains("billing.ts:3:9")));
}

#[test]
fn per_endpoint_rates_override_the_default() {
    let tracer = tracer(TracingConfig {
        sample_rate: 0.0,
        endpoint_sample_rates: vec![EndpointSampleRate { service: "users".into(), endpoint: "create".into(), rate: 1.0 }],
        ..TracingConfig::default()
    });
    let kept = tracer.begin_http(None, "POST", "/users");
    set_endpoint(&kept, "users", "create", "/users", 200);
    assert_eq!(tracer.finish(kept), Decision::KeptSampled);
    let dropped = tracer.begin_http(None, "GET", "/users/1");
    set_endpoint(&dropped, "users", "get", "/users/:id", 200);
    assert_eq!(tracer.finish(dropped), Decision::SampledOut);
}

#[test]
fn trace_context_propagates_across_a_service_call() {
    let caller = tracer(TracingConfig { sample_rate: 1.0, ..TracingConfig::default() });
    let callee = tracer(TracingConfig { sample_rate: 0.0, ..TracingConfig::default() });
    let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
    let request = caller.begin_http(Some(incoming), "GET", "/checkout");
    assert_eq!(request.trace_id().to_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
    let call = request.start_span(request.root(), text("billing.charge"), SpanDetails::ServiceCall { service: text("billing"), endpoint: text("charge"), status: 0 });
    let outgoing = caller.traceparent(&request, call).format();
    assert_eq!(outgoing, format!("00-4bf92f3577b34da6a3ce929d0e0e4736-{}-01", call.span_id.to_hex()));

    // The callee samples nothing by rate, but follows the caller's sampled flag.
    let handled = callee.begin_http(Some(&outgoing), "POST", "/charge");
    let callee_trace = handled.trace_id();
    assert_eq!(callee.finish(handled), Decision::KeptParentSampled);
    request.end_span(call, SpanStatus::Ok);
    caller.finish(request);
    wait_written(&caller, 1);
    wait_written(&callee, 1);
    let caller_record = caller.store().get(&callee_trace).unwrap().unwrap();
    let callee_record = callee.store().get(&callee_trace).unwrap().unwrap();
    assert_eq!(caller_record.spans[0].parent, Parent::Remote(SpanId::from_hex("00f067aa0ba902b7").unwrap()));
    assert_eq!(callee_record.spans[0].parent, Parent::Remote(caller_record.spans[1].span_id));

    // A malformed header starts a fresh trace instead of failing the request.
    let fresh = caller.begin_http(Some("00-zz-zz-01"), "GET", "/");
    assert_ne!(fresh.trace_id().to_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert!(fresh.trace_id().is_valid());
}

#[test]
fn a_pubsub_delivery_links_to_its_publish_span() {
    let tracer = tracer(TracingConfig { sample_rate: 0.0, ..TracingConfig::default() });
    let request = tracer.begin_http(None, "POST", "/users");
    let publish = request.start_span(request.root(), text("user-created"), SpanDetails::PubSubPublish { topic: text("user-created"), message_id: text("m1") });
    // The pub/sub provider carries this string in the message's attributes.
    let carried = tracer.traceparent(&request, publish).format();
    request.end_span(publish, SpanStatus::Ok);
    request.end_span(request.root(), SpanStatus::Error { message: text("keep me") });
    let publisher_trace = request.trace_id();
    tracer.finish(request);

    let delivery = tracer.begin_delivery(Some(&carried), "user-created", "welcome", "m1", 1);
    // The delivery continues the publisher's trace, its remote parent the publish span.
    assert_eq!(delivery.trace_id(), publisher_trace);
    tracer.finish(delivery);
    wait_written(&tracer, 1);
    let stored = tracer.store().get(&publisher_trace).unwrap().unwrap();
    let publish_span = stored.spans.iter().find(|s| matches!(s.details, SpanDetails::PubSubPublish { .. })).unwrap().span_id;
    // The publisher's record was kept (error); the delivery follows the carried flag, which was unsampled here.
    assert_eq!(tracer.store().encoded(&publisher_trace).len(), 1);
    assert_eq!(stored.spans.len(), 2);

    let kept_tracer = self::tracer(TracingConfig { sample_rate: 1.0, ..TracingConfig::default() });
    let carried_sampled = TraceParent { trace_id: publisher_trace, parent_span_id: publish_span, sampled: true }.format();
    let delivery = kept_tracer.begin_delivery(Some(&carried_sampled), "user-created", "welcome", "m1", 2);
    let id = delivery.trace_id();
    assert_eq!(kept_tracer.finish(delivery), Decision::KeptParentSampled);
    wait_written(&kept_tracer, 1);
    let delivered = kept_tracer.store().get(&id).unwrap().unwrap();
    assert_eq!(id, publisher_trace);
    assert_eq!(delivered.spans[0].parent, Parent::Remote(publish_span));
    assert_eq!(delivered.spans[0].links, vec![SpanLink { trace_id: publisher_trace, span_id: publish_span }]);
    assert!(matches!(delivered.spans[0].details, SpanDetails::PubSubMessage { attempt: 2, .. }));
}

#[test]
fn the_store_keeps_only_the_newest_within_its_bounds() {
    let tracer = tracer(TracingConfig { store_max_traces: 5, ..TracingConfig::default() });
    let mut ids = Vec::new();
    for _ in 0..12 {
        let trace = tracer.begin_http(None, "GET", "/hello/x");
        ids.push(trace.trace_id());
        tracer.finish(trace);
    }
    wait_written(&tracer, 12);
    let listed: Vec<String> = tracer.store().list(100).into_iter().map(|s| s.trace_id).collect();
    let newest: Vec<String> = ids.iter().rev().take(5).map(|id| id.to_hex()).collect();
    assert_eq!(listed, newest);
    assert_eq!(tracer.stats().evicted, 7);

    let store = TraceStore::new(1000, 4096);
    for seed in 0..100u8 {
        let record = common::create_user(seed);
        store.insert(&record, encode_to_vec(&record));
        assert!(store.bytes() <= 4096);
    }
    assert!(store.len() > 1 && store.len() < 100);
}

#[test]
fn spans_beyond_the_limit_are_counted_not_kept() {
    let tracer = tracer(TracingConfig { max_spans_per_trace: 4, ..TracingConfig::default() });
    let trace = tracer.begin_http(None, "GET", "/many");
    for _ in 0..10 {
        let span = trace.start_span(trace.root(), text("q"), SpanDetails::Internal);
        trace.end_span(span, SpanStatus::Ok);
    }
    let id = trace.trace_id();
    tracer.finish(trace);
    wait_written(&tracer, 1);
    let record = tracer.store().get(&id).unwrap().unwrap();
    assert_eq!((record.spans.len(), record.dropped_spans), (4, 7));
}

#[test]
fn a_full_writer_queue_drops_without_blocking_requests() {
    // Capacity 1 and a burst far faster than encoding: some traces must be dropped, none may block.
    let tracer = tracer(TracingConfig { channel_capacity: 1, ..TracingConfig::default() });
    let started = Instant::now();
    let mut finished = 0u64;
    while finished < 200_000 && tracer.stats().dropped_queue_full == 0 {
        for _ in 0..1000 {
            let trace = tracer.begin_http(None, "GET", "/burst");
            tracer.finish(trace);
        }
        finished += 1000;
    }
    let elapsed = started.elapsed();
    let stats = tracer.stats();
    assert_eq!(stats.submitted + stats.dropped_queue_full, finished);
    assert!(stats.dropped_queue_full > 0, "expected drops with a queue of one: {stats:?}");
    assert!(elapsed < Duration::from_secs(10), "{finished} finishes took {elapsed:?}");
}

#[test]
fn invalid_config_is_a_typed_error() {
    let bad = Tracer::new(TracingConfig { sample_rate: 1.5, ..TracingConfig::default() });
    assert!(matches!(bad, Err(TracerError::Config(config::ConfigError::RateOutOfRange { .. }))));
    let bad = Tracer::new(TracingConfig { otlp: Some(OtlpConfig::new("ftp://x")), ..TracingConfig::default() });
    assert!(matches!(bad, Err(TracerError::Config(config::ConfigError::BadEndpoint(_)))));
    let parsed: TracingConfig = serde_json::from_str(r#"{ "sampleRate": 0.1, "endpointSampleRates": [{ "service": "a", "endpoint": "b", "rate": 1 }], "otlp": { "endpoint": "http://127.0.0.1:4318/v1/traces" } }"#).unwrap();
    assert_eq!(parsed.sample_rate, 0.1);
    assert_eq!(parsed.otlp.unwrap().service_name, "reprise-app");
}
