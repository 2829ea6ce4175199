//! OTLP export against a small OTLP/HTTP receiver written for this test (no OpenTelemetry Collector binary is
//! installable from a registry here): a hyper server on loopback that decodes each request body as an
//! `ExportTraceServiceRequest` with prost (opentelemetry-proto's generated types) and hands it to the test.

mod common;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper::{Request, Response};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;
use reprise_trace::*;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

struct Received {
    path: String,
    content_type: String,
    request: ExportTraceServiceRequest,
}

/// Starts the receiver on 127.0.0.1 and returns its traces URL; every decoded request arrives on the channel.
async fn start_receiver() -> (String, mpsc::UnboundedReceiver<Received>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/traces", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    let server = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let tx = tx.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                    let tx = tx.clone();
                    async move {
                        let path = request.uri().path().to_string();
                        let content_type = request.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                        let body = request.into_body().collect().await?.to_bytes();
                        let decoded = ExportTraceServiceRequest::decode(body.as_ref()).expect("valid OTLP protobuf");
                        let _ = tx.send(Received { path, content_type, request: decoded });
                        let reply = ExportTraceServiceResponse { partial_success: None }.encode_to_vec();
                        Ok::<_, hyper::Error>(
                            Response::builder().header("content-type", "application/x-protobuf").body(Full::new(Bytes::from(reply))).unwrap(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
            });
        }
    });
    (url, rx, server)
}

fn string_attr<'a>(attributes: &'a [opentelemetry_proto::tonic::common::v1::KeyValue], key: &str) -> Option<&'a Value> {
    attributes.iter().find(|kv| kv.key == key).and_then(|kv| kv.value.as_ref()).and_then(|v| v.value.as_ref())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_reach_an_otlp_http_receiver_with_ids_parents_attributes_and_links() {
    let (url, mut received, server) = start_receiver().await;
    let mut otlp = OtlpConfig::new(url);
    otlp.service_name = "shop".into();
    let tracer = Tracer::new(TracingConfig { otlp: Some(otlp), ..TracingConfig::default() }).unwrap();

    let request = tracer.begin_http(Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "POST", "/users");
    request.with_span(request.root(), |span| {
        if let SpanDetails::HttpRequest { route, status, service, endpoint, .. } = &mut span.details {
            *route = text("/users");
            *status = 201;
            *service = text("users");
            *endpoint = text("create");
        }
    });
    let query = request.start_span(request.root(), text("insert user"), SpanDetails::DbQuery { database: text("users"), statement: text("INSERT INTO users VALUES ($1)"), rows: 1 });
    request.end_span(query, SpanStatus::Ok);
    let publish = request.start_span(request.root(), text("user-created"), SpanDetails::PubSubPublish { topic: text("user-created"), message_id: text("m-1") });
    request.end_span(publish, SpanStatus::Ok);
    request.add_event(request.root(), EventKind::Error { code: text("internal"), message: text("late failure"), stack: text("Error: late failure\n    at users.ts:9:3") });
    let carried = tracer.traceparent(&request, publish).format();
    tracer.finish(request);
    let delivery = tracer.begin_delivery(Some(&carried), "user-created", "welcome", "m-1", 1);
    tracer.finish(delivery);

    // Collect until both traces' spans (3 + 1) arrived, with a deadline.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut spans = Vec::new();
    let mut resources = Vec::new();
    while spans.len() < 4 {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let got = tokio::time::timeout(remaining, received.recv()).await.expect("receiver got the spans before the deadline").unwrap();
        assert_eq!(got.path, "/v1/traces");
        assert_eq!(got.content_type, "application/x-protobuf");
        for resource_spans in got.request.resource_spans {
            resources.push(resource_spans.resource.clone().unwrap());
            for scope_spans in resource_spans.scope_spans {
                assert_eq!(scope_spans.scope.as_ref().unwrap().name, "reprise");
                spans.extend(scope_spans.spans);
            }
        }
    }
    assert!(resources.iter().all(|r| matches!(string_attr(&r.attributes, "service.name"), Some(Value::StringValue(s)) if s == "shop")));

    let trace_id = hex("4bf92f3577b34da6a3ce929d0e0e4736");
    let root = spans.iter().find(|s| s.name == "POST").expect("root span");
    assert_eq!(root.trace_id, trace_id);
    assert_eq!(root.parent_span_id, hex("00f067aa0ba902b7"));
    assert_eq!(root.kind, SpanKind::Server as i32);
    assert_eq!(string_attr(&root.attributes, "http.route"), Some(&Value::StringValue("/users".into())));
    assert_eq!(string_attr(&root.attributes, "http.response.status_code"), Some(&Value::IntValue(201)));
    let exception = root.events.iter().find(|e| e.name == "exception").expect("error event exported as exception");
    assert!(matches!(string_attr(&exception.attributes, "exception.stacktrace"), Some(Value::StringValue(s)) if s.contains("users.ts:9:3")));
    assert!(root.end_time_unix_nano >= root.start_time_unix_nano);

    let db = spans.iter().find(|s| s.name == "insert user").unwrap();
    assert_eq!(db.parent_span_id, root.span_id);
    assert_eq!(db.kind, SpanKind::Client as i32);
    assert_eq!(string_attr(&db.attributes, "db.query.text"), Some(&Value::StringValue("INSERT INTO users VALUES ($1)".into())));
    assert_eq!(string_attr(&db.attributes, "db.response.returned_rows"), Some(&Value::IntValue(1)));

    let publish = spans.iter().find(|s| s.kind == SpanKind::Producer as i32).unwrap();
    let message = spans.iter().find(|s| s.kind == SpanKind::Consumer as i32).unwrap();
    // The delivery continues the publisher's trace under the publish span, and links to it.
    assert_eq!(message.trace_id, trace_id);
    assert_eq!(message.parent_span_id, publish.span_id);
    assert_eq!(message.links.len(), 1);
    assert_eq!(message.links[0].trace_id, trace_id);
    assert_eq!(message.links[0].span_id, publish.span_id);

    // The exporter counts spans once the receiver's answer is back, which may be just after we got the request.
    while tracer.stats().exported_spans < 4 && Instant::now() < deadline {
        tokio::task::yield_now().await;
    }
    let stats = tracer.stats();
    assert_eq!(stats.exported_spans, 4);
    assert_eq!(stats.export_failures, 0);
    drop(tracer);
    server.abort();
}

#[test]
fn an_unreachable_collector_never_blocks_and_is_counted() {
    // Port 9 on loopback: nothing listens, connections are refused.
    let mut otlp = OtlpConfig::new("http://127.0.0.1:9/v1/traces");
    otlp.timeout_ms = 500;
    let tracer = Tracer::new(TracingConfig { otlp: Some(otlp), ..TracingConfig::default() }).unwrap();
    let started = Instant::now();
    for _ in 0..100 {
        let trace = tracer.begin_http(None, "GET", "/x");
        tracer.finish(trace);
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    let deadline = Instant::now() + Duration::from_secs(30);
    while tracer.stats().export_failures == 0 {
        assert!(Instant::now() < deadline, "export failure not counted: {:?}", tracer.stats());
        std::thread::yield_now();
    }
    assert_eq!(tracer.store().len(), 100, "local store unaffected by export failures");
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}
