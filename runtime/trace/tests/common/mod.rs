//! Realistic traces shared by the tests and the size comparison: what the runtime records for the bench:http
//! workload and for an app with auth, a database, pub/sub and an error.
#![allow(dead_code)]

use reprise_trace::*;

pub const T0: u64 = 1_764_650_000_000_000_000;

fn span(id: u64, parent: Parent, start: u64, duration: u64, name: &str, details: SpanDetails) -> Span {
    Span {
        span_id: SpanId(id.to_be_bytes()),
        parent,
        start_unix_ns: T0 + start,
        end_unix_ns: T0 + start + duration,
        name: text(name),
        details,
        status: SpanStatus::Ok,
        attributes: vec![],
        events: vec![],
        links: vec![],
    }
}

fn sid(id: u64) -> SpanId {
    SpanId(id.to_be_bytes())
}

fn http(method: &str, path: &str, route: &str, service: &str, endpoint: &str, status: u16) -> SpanDetails {
    SpanDetails::HttpRequest {
        method: text(method),
        path: text(path),
        route: text(route),
        service: text(service),
        endpoint: text(endpoint),
        status,
    }
}

pub fn trace_id(seed: u8) -> TraceId {
    let mut bytes = [0x5au8; 16];
    bytes[15] = seed;
    bytes[0] = seed.wrapping_mul(31);
    TraceId(bytes)
}

/// GET /hello/:name: one server span.
pub fn hello(seed: u8) -> TraceRecord {
    TraceRecord {
        trace_id: trace_id(seed),
        spans: vec![span(0xa1 + seed as u64, Parent::None, 0, 48_213, "hello.get", http("GET", "/hello/world", "/hello/:name", "hello", "get", 200))],
        dropped_spans: 0,
    }
}

/// POST /users: auth handler, a validated body, two queries, a call to another service, a log line, a publish.
pub fn create_user(seed: u8) -> TraceRecord {
    let root = 0x1000 + seed as u64;
    let mut spans = vec![
        span(root, Parent::None, 0, 2_412_907, "users.create", http("POST", "/users", "/users", "users", "create", 200)),
        span(root + 1, Parent::Local(sid(root)), 21_003, 180_220, "auth", SpanDetails::AuthHandler { service: text("auth"), handler: text("auth"), authenticated: true }),
        span(root + 2, Parent::Local(sid(root)), 230_118, 801_442, "users.insert", SpanDetails::DbQuery {
            database: text("users"),
            statement: text("INSERT INTO users (name, email, age) VALUES ($1, $2, $3) RETURNING id"),
            rows: 1,
        }),
        span(root + 3, Parent::Local(sid(root)), 1_040_551, 640_998, "email.send", SpanDetails::ServiceCall { service: text("email"), endpoint: text("send"), status: 200 }),
        span(root + 4, Parent::Local(sid(root + 3)), 1_100_204, 402_113, "email.templates", SpanDetails::DbQuery {
            database: text("email"),
            statement: text("SELECT body FROM templates WHERE name = $1"),
            rows: 1,
        }),
        span(root + 5, Parent::Local(sid(root)), 1_700_870, 220_431, "user-created", SpanDetails::PubSubPublish { topic: text("user-created"), message_id: text("01JD6Q8Z3K9") }),
    ];
    spans[0].events.push(SpanEvent {
        time_unix_ns: T0 + 1_690_000,
        kind: EventKind::Log { level: LogLevel::Info, message: text("user created"), fields: vec![Attribute { key: text("userId"), value: AttributeValue::Int(4211) }] },
    });
    TraceRecord { trace_id: trace_id(seed), spans, dropped_spans: 0 }
}

/// A subscription handling the message published by `create_user`, linked to the publish span.
pub fn delivery(seed: u8, publish: &TraceRecord) -> TraceRecord {
    let root = 0x2000 + seed as u64;
    let mut message = span(root, Parent::None, 3_000_000, 1_204_000, "welcome", SpanDetails::PubSubMessage {
        topic: text("user-created"),
        subscription: text("welcome"),
        message_id: text("01JD6Q8Z3K9"),
        attempt: 1,
    });
    message.links.push(SpanLink { trace_id: publish.trace_id, span_id: publish.spans[5].span_id });
    let query = span(root + 1, Parent::Local(sid(root)), 3_100_000, 500_000, "welcome.bucket", SpanDetails::BucketOp {
        bucket: text("avatars"),
        operation: text("upload"),
        object: text("users/4211/avatar.png"),
    });
    TraceRecord { trace_id: trace_id(seed.wrapping_add(100)), spans: vec![message, query], dropped_spans: 0 }
}

/// A handler that throws: error status, error event with a stack.
pub fn failing(seed: u8) -> TraceRecord {
    let mut root = span(0x3000 + seed as u64, Parent::Remote(sid(0xfeed)), 0, 901_223, "orders.get", http("GET", "/orders/17", "/orders/:id", "orders", "get", 500));
    root.status = SpanStatus::Error { message: text("Cannot read properties of undefined (reading 'total')") };
    root.events.push(SpanEvent {
        time_unix_ns: T0 + 880_000,
        kind: EventKind::Error {
            code: text("internal"),
            message: text("Cannot read properties of undefined (reading 'total')"),
            stack: text("TypeError: Cannot read properties of undefined (reading 'total')\n    at getOrder (orders/orders.ts:41:22)\n    at handler (orders/orders.ts:12:10)"),
        },
    });
    TraceRecord { trace_id: trace_id(seed.wrapping_add(200)), spans: vec![root], dropped_spans: 0 }
}
