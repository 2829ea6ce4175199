//! Admin routes under `/__reprise/admin/`, answered before app routing (like the trace endpoint): list cron jobs
//! and run one now, publish a message to a topic. They exist for the tools on the developer's machine
//! (`reprise cron`, `reprise pubsub`, the editor's "Run now" lens); a request reaches them only through the tool
//! routes' gate (`src/tool_routes.rs`: loopback peer and `Host`, no foreign `Origin` on a write, this run's token).
//!
//! - `GET  /__reprise/admin/cron` → `{"jobs":[{name,title,endpoint,schedule?,every?,running,nextRun}]}`
//! - `POST /__reprise/admin/cron/<job>/run` → runs the job through the scheduler (same path and overlap rule as
//!   a scheduled run) and answers when it finished: `{job,endpoint,durationMs}`
//! - `POST /__reprise/admin/topics/<topic>/publish` (JSON body) → validated against the topic's message schema,
//!   published through the configured provider: `{messageId}`, and logged as an admin publish (it comes from
//!   no service, so the SDK's "publishing from a service the analyser did not see" check does not apply)
//! - `GET  /__reprise/admin/metrics` → `{"metrics":[{name,kind,service,labels,value}]}`: the app's metric series
//!   as the SDK last published them (`src/metrics.rs`)
//! - everything else under `/__reprise/admin/` (the app model, databases, migrations, buckets, pub/sub listings,
//!   dead letters; the contract is docs/admin-api.md) is answered by the SDK in JS, which holds the SQL drivers
//!   and the model: the request goes through one threadsafe function (`infra_bindings::admin_call_js`) with its
//!   body (at most [`MAX_JS_BODY_BYTES`]) base64-encoded, and JS's answer comes back as status, headers, body.

use crate::app::App;
use crate::error::{ApiError, ErrCode};
use crate::server::{error_response, json_response, Resp};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW};
use hyper::{Method, Request};
use percent_encoding::percent_decode_str;
use reprise_infra::cron::CronError;
use serde_json::{json, Value};
use std::sync::Arc;

pub const PREFIX: &str = "/__reprise/admin";
/// Largest message the publish route accepts.
const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
/// Largest request body handed to JS (an object upload: `UPLOAD_MAX_BYTES` in protocol/src/admin-data.ts).
const MAX_JS_BODY_BYTES: usize = 32 * 1024 * 1024;
/// How long an admin request answered in JS may take (a query's own timeout is 30 s).
const JS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

pub fn is_admin_path(path: &str) -> bool {
    path == PREFIX || path.strip_prefix(PREFIX).is_some_and(|rest| rest.starts_with('/'))
}

/// What an admin path asks for, decided from the method and path alone (no IO).
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    CronList,
    CronRun(String),
    Publish(String),
    Metrics,
    /// Answered by the SDK (`runtime/sdk/src/config/admin.ts`), which routes it further.
    Js,
    /// The path names no admin route.
    NotFound,
    /// A known path with the wrong method; the value is the `Allow` header.
    MethodNotAllowed(&'static str),
}

fn segment(s: &str) -> Option<String> {
    let decoded = percent_decode_str(s).decode_utf8().ok()?.into_owned();
    (!decoded.is_empty() && !decoded.contains('/')).then_some(decoded)
}

pub fn route(method: &Method, path: &str) -> Route {
    let Some(rest) = path.strip_prefix(PREFIX) else { return Route::NotFound };
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').skip(1).collect();
    let expect = |want: Method, allow: &'static str, ok: Route| if *method == want { ok } else { Route::MethodNotAllowed(allow) };
    match parts.as_slice() {
        ["cron"] => expect(Method::GET, "GET", Route::CronList),
        ["metrics"] => expect(Method::GET, "GET", Route::Metrics),
        ["cron", job, "run"] => match segment(job) {
            Some(job) => expect(Method::POST, "POST", Route::CronRun(job)),
            None => Route::NotFound,
        },
        ["topics", topic, "publish"] => match segment(topic) {
            Some(topic) => expect(Method::POST, "POST", Route::Publish(topic)),
            None => Route::NotFound,
        },
        ["app" | "databases" | "buckets" | "topics", ..] => Route::Js,
        _ => Route::NotFound,
    }
}

/// Answers one admin request. Call only when [`is_admin_path`] holds and the tool routes' gate let it through.
pub async fn handle(app: Arc<App>, request: Request<Incoming>) -> Resp {
    match route(request.method(), request.uri().path()) {
        Route::CronList => cron_list(&app),
        Route::Metrics => ok(json!({ "metrics": crate::metrics::snapshot() })),
        Route::CronRun(job) => cron_run(&app, &job).await,
        Route::Publish(topic) => publish(&app, &topic, request.into_body()).await,
        Route::Js => answer_in_js(request).await,
        Route::NotFound => error_response(&ApiError::not_found("not found")),
        Route::MethodNotAllowed(allow) => {
            let e = ApiError::new(ErrCode::InvalidArgument, format!("method {} is not allowed here; use {allow}", request.method())).with_status(405);
            let mut r = error_response(&e);
            r.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
            r
        }
    }
}

async fn answer_in_js(request: Request<Incoming>) -> Resp {
    use base64::Engine as _;
    let (parts, body) = request.into_parts();
    let header = |name: hyper::header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let bytes = match Limited::new(body, MAX_JS_BODY_BYTES).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            return error_response(&ApiError::invalid(format!("the request body is larger than {MAX_JS_BODY_BYTES} bytes")).with_status(413));
        }
        Err(e) => return error_response(&ApiError::invalid(format!("could not read the request body: {e}"))),
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path().strip_prefix(PREFIX).unwrap_or(""),
        "query": parts.uri.query().unwrap_or(""),
        "body": b64.encode(&bytes),
        "contentType": header(hyper::header::CONTENT_TYPE),
        "ifNoneMatch": header(hyper::header::IF_NONE_MATCH),
    });
    let answer = match crate::infra_bindings::admin_call_js(payload, JS_TIMEOUT).await {
        Ok(a) => a,
        Err(e) => {
            let code = if matches!(e, crate::infra_bindings::JsAdminError::NoHandler) { ErrCode::Unavailable } else { ErrCode::Internal };
            return error_response(&ApiError::new(code, e.to_string()));
        }
    };
    let body = if answer.base64 {
        match b64.decode(answer.body.as_bytes()) {
            Ok(b) => bytes::Bytes::from(b),
            Err(e) => return error_response(&ApiError::new(ErrCode::Internal, format!("the JavaScript side answered bad base64: {e}"))),
        }
    } else {
        bytes::Bytes::from(answer.body)
    };
    let mut response = hyper::Response::new(crate::body::ResBody::full(body));
    *response.status_mut() = hyper::StatusCode::from_u16(answer.status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let h = response.headers_mut();
    h.insert(hyper::header::CONTENT_TYPE, HeaderValue::from_str(answer.content_type.as_deref().unwrap_or("application/json")).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    h.insert(hyper::header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(hyper::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for (name, value) in answer.headers {
        if let (Ok(n), Ok(v)) = (hyper::header::HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            h.insert(n, v);
        }
    }
    response
}

fn ok(body: Value) -> Resp {
    json_response(200, body.to_string())
}

fn endpoint_of(app: &App, job: &str) -> Value {
    app.cron_jobs.iter().find(|j| j.name == job).and_then(|j| j.endpoint.as_ref()).map_or(Value::Null, |e| json!({ "service": e.service, "name": e.name }))
}

fn cron_list(app: &App) -> Resp {
    let status = crate::infra_bindings::cron_scheduler().map(|s| s.status()).unwrap_or_default();
    let state = |name: &str| status.iter().find(|s| s.name == name);
    let mut jobs: Vec<Value> = app
        .cron_jobs
        .iter()
        .map(|j| {
            let s = state(&j.name);
            let mut v = json!({
                "name": j.name,
                "title": j.title.as_deref().unwrap_or(&j.name),
                "endpoint": j.endpoint,
                "running": s.is_some_and(|s| s.running),
                "nextRun": s.and_then(|s| s.next_run.clone()),
            });
            if let Some(schedule) = &j.schedule {
                v["schedule"] = json!(schedule);
            }
            if let Some(every) = &j.every {
                v["every"] = json!(every);
            }
            v
        })
        .collect();
    // Jobs the app registered that the analyser did not see (built dynamically) still run; list them too.
    for s in status.iter().filter(|s| !app.cron_jobs.iter().any(|j| j.name == s.name)) {
        jobs.push(json!({ "name": s.name, "title": s.name, "endpoint": null, "running": s.running, "nextRun": s.next_run }));
    }
    ok(json!({ "jobs": jobs }))
}

/// The HTTP answer for a finished (or refused) on-demand run.
pub fn run_error(error: CronError) -> ApiError {
    match error {
        CronError::UnknownJob { job, defined } => {
            let defined = if defined.is_empty() { "none".to_string() } else { defined };
            ApiError::new(ErrCode::NotFound, format!("no cron job named {job:?} (defined: {defined})"))
        }
        CronError::AlreadyRunning { job } => ApiError::new(ErrCode::Aborted, format!("cron job {job} is already running")),
        CronError::Failed { message, code, details, .. } => {
            let e = ApiError::new(code.as_deref().and_then(ErrCode::parse).unwrap_or(ErrCode::Internal), message);
            match details {
                Some(d) => e.with_details(d),
                None => e,
            }
        }
        other => ApiError::new(ErrCode::Internal, other.to_string()),
    }
}

async fn cron_run(app: &App, job: &str) -> Resp {
    let Some(scheduler) = crate::infra_bindings::cron_scheduler() else {
        if app.cron_jobs.iter().any(|j| j.name == job) {
            return error_response(&ApiError::new(ErrCode::Unavailable, "the app's cron scheduler is not started"));
        }
        return error_response(&ApiError::not_found(format!("no cron job named {job:?}")));
    };
    let started = std::time::Instant::now();
    match scheduler.run_now(job).await {
        Ok(()) => ok(json!({ "job": job, "endpoint": endpoint_of(app, job), "durationMs": started.elapsed().as_secs_f64() * 1000.0 })),
        Err(e) => error_response(&run_error(e)),
    }
}

async fn publish(app: &App, topic: &str, body: Incoming) -> Resp {
    let Some(info) = app.topics.iter().find(|t| t.name == topic) else {
        let known = app.topics.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ");
        let known = if known.is_empty() { "none".to_string() } else { known };
        return error_response(&ApiError::not_found(format!("no topic named {topic:?} (defined: {known})")));
    };
    let bytes = match Limited::new(body, MAX_MESSAGE_BYTES).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            return error_response(&ApiError::invalid(format!("the message is larger than {MAX_MESSAGE_BYTES} bytes")).with_status(413));
        }
        Err(e) => return error_response(&ApiError::invalid(format!("could not read the request body: {e}"))),
    };
    let message: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return error_response(&ApiError::invalid(format!("the message is not valid JSON: {e}"))),
    };
    if let Some(schema) = &info.message {
        if let Err(e) = schema.validate(&message) {
            let details = if e.field.is_empty() { json!({}) } else { json!({ "field": e.field }) };
            return error_response(&ApiError::new(ErrCode::InvalidArgument, e.message).with_details(details));
        }
    }
    let Some(pubsub) = crate::infra_bindings::pubsub_provider() else {
        return error_response(&ApiError::new(ErrCode::Unavailable, "the app's pub/sub provider is not started"));
    };
    match pubsub.publish(topic, bytes::Bytes::from(message.to_string())).await {
        Ok(id) => {
            if log_level_allows_info(std::env::var("REPRISE_LOG_LEVEL").ok().as_deref()) {
                println!("{}", admin_publish_log_line(topic, &id, chrono::Utc::now()));
            }
            ok(json!({ "messageId": id }))
        }
        Err(e) => error_response(&ApiError::new(ErrCode::Unavailable, format!("publish to {topic:?} failed: {e}"))),
    }
}

/// `REPRISE_LOG_LEVEL` as `reprise/log` reads it (default trace; unknown values filter nothing).
fn log_level_allows_info(level: Option<&str>) -> bool {
    !matches!(level.map(str::to_ascii_lowercase).as_deref(), Some("warn" | "error"))
}

/// The `reprise/log`-shaped line (stdout, one JSON object) for a message published through the admin route: it
/// names the publisher as the admin route instead of a service, so a developer's test message is told apart from
/// the app's own publishes in the log.
fn admin_publish_log_line(topic: &str, message_id: &str, time: chrono::DateTime<chrono::Utc>) -> String {
    json!({
        "level": "info",
        "time": time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "message": "pubsub: published through the admin route (not from a service)",
        "topic": topic,
        "messageId": message_id,
        "publisher": "admin",
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_publish_is_logged_as_one_from_the_admin_route() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-02T14:00:00.5Z").unwrap().with_timezone(&chrono::Utc);
        let line: Value = serde_json::from_str(&admin_publish_log_line("note-created", "m-1", t)).unwrap();
        assert_eq!(
            line,
            json!({ "level": "info", "time": "2026-12-02T14:00:00.500Z", "message": "pubsub: published through the admin route (not from a service)",
                    "topic": "note-created", "messageId": "m-1", "publisher": "admin" })
        );
        assert!(log_level_allows_info(None) && log_level_allows_info(Some("info")) && log_level_allows_info(Some("TRACE")));
        assert!(!log_level_allows_info(Some("warn")) && !log_level_allows_info(Some("Error")));
    }

    #[test]
    fn routes_methods_and_names() {
        assert_eq!(route(&Method::POST, "/__reprise/admin/cron/tidy-notes/run"), Route::CronRun("tidy-notes".into()));
        assert_eq!(route(&Method::POST, "/__reprise/admin/cron/a%20b/run"), Route::CronRun("a b".into()));
        assert_eq!(route(&Method::POST, "/__reprise/admin/topics/note-created/publish"), Route::Publish("note-created".into()));
        assert_eq!(route(&Method::GET, "/__reprise/admin/cron/tidy/run"), Route::MethodNotAllowed("POST"));
        assert_eq!(route(&Method::POST, "/__reprise/admin/cron"), Route::MethodNotAllowed("GET"));
        assert_eq!(route(&Method::GET, "/__reprise/admin/topics/t/publish"), Route::MethodNotAllowed("POST"));
        assert_eq!(route(&Method::GET, "/__reprise/admin/cron"), Route::CronList);
        assert_eq!(route(&Method::GET, "/__reprise/admin/metrics"), Route::Metrics);
        assert_eq!(route(&Method::POST, "/__reprise/admin/metrics"), Route::MethodNotAllowed("GET"));
        assert_eq!(route(&Method::GET, "/__reprise/admin/cron/"), Route::CronList);
        // The data routes are the SDK's to answer (and to refuse with 404/405): every method goes through.
        for (m, path) in [(Method::GET, "/__reprise/admin/app"), (Method::GET, "/__reprise/admin/databases"), (Method::POST, "/__reprise/admin/databases/x/query"), (Method::PUT, "/__reprise/admin/buckets/b/object"), (Method::DELETE, "/__reprise/admin/buckets/b/object"), (Method::GET, "/__reprise/admin/topics"), (Method::POST, "/__reprise/admin/topics/t/subscriptions/s/dead-letters/1/redrive")] {
            assert_eq!(route(&m, path), Route::Js, "{m} {path}");
        }
        for path in ["/__reprise/admin", "/__reprise/admin/nope", "/__reprise/admin/cron/a/b/run", "/__reprise/admin/cron/%2F/run", "/__reprise/admin/cron//run"] {
            assert_eq!(route(&Method::POST, path), Route::NotFound, "{path}");
        }
    }

    #[test]
    fn admin_paths_are_recognised_exactly() {
        assert!(is_admin_path("/__reprise/admin"));
        assert!(is_admin_path("/__reprise/admin/cron"));
        assert!(!is_admin_path("/__reprise/administrator"));
        assert!(!is_admin_path("/__reprise/traces"));
        assert!(!is_admin_path("/admin"));
    }

    #[test]
    fn run_errors_map_to_statuses() {
        let e = run_error(CronError::AlreadyRunning { job: "tidy".into() });
        assert_eq!((e.http_status(), e.code, e.message.as_str()), (409, ErrCode::Aborted, "cron job tidy is already running"));
        assert_eq!(run_error(CronError::UnknownJob { job: "x".into(), defined: "a, b".into() }).http_status(), 404);
        let failed = run_error(CronError::Failed { job: "j".into(), message: "nope".into(), code: Some("permission_denied".into()), details: Some(json!({"k": 1})) });
        assert_eq!((failed.http_status(), failed.details), (403, Some(json!({"k": 1}))));
        let plain = run_error(CronError::Failed { job: "j".into(), message: "gone".into(), code: None, details: None });
        assert_eq!(plain.http_status(), 500);
    }
}
