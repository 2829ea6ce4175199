//! `api.raw` endpoints: JS gets a Node-style request/response pair. The request head goes over in one event and
//! the body follows as chunk events while JS already runs; JS answers with a head and then writes body chunks
//! into a channel the HTTP response streams from.

use crate::app::{App, Ep};
use crate::body::ResBody;
use crate::dispatch::{AbortReason, Event, Reply};
use crate::error::{ApiError, ErrCode};
use crate::server::{reply_response, Resp, Runtime};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::http::request::Parts;

/// Body chunks a raw handler may have received but not consumed yet; the pump stops reading the socket beyond.
pub const RAW_WINDOW: usize = 16;

pub async fn handle(rt: &Runtime, app: &App, endpoint: u32, ep: &Ep, parts: &Parts, params: &[(String, String)], body: Incoming) -> Result<Resp, ApiError> {
    let auth = rt.auth_input(app, ep, parts)?;
    if let (Some(limit), Some(len)) = (ep.body_limit, parts.headers.get(hyper::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok())) {
        if len > limit {
            crate::body::discard(body);
            return Err(ApiError::new(ErrCode::ResourceExhausted, format!("request body exceeds the limit of {limit} bytes")).with_status(413));
        }
    }
    let mut headers = Vec::with_capacity(parts.headers.len() * 2);
    for (k, v) in &parts.headers {
        headers.push(k.as_str().to_string());
        headers.push(String::from_utf8_lossy(v.as_bytes()).into_owned());
    }
    let meta = Runtime::meta(parts, params, false);
    let mut outbound = None;
    let bridge = &rt.bridge;
    let pending = bridge
        .begin(|id| {
            outbound = Some(bridge.open_outbound(id, None));
            Event::RawStart { id, endpoint, meta, headers, auth }
        })
        .map_err(|_| ApiError::new(ErrCode::Unavailable, "the app is not running"))?;
    let id = pending.id;
    let dispatcher = pending.dispatcher();
    let mut rx = outbound.take().expect("outbound opened in begin");
    rx.on_drain(crate::dispatch::drain_hook(dispatcher.clone(), id));
    let limit = ep.body_limit;
    let bridge = rt.bridge.clone();
    let credit = bridge.open_credit(id, RAW_WINDOW);
    // The body pump runs beside the handler; it stops when the body ends, fails, or passes the limit.
    tokio::spawn(async move {
        let mut body = body;
        let mut seen: u64 = 0;
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { break };
            if let Ok(data) = frame.into_data() {
                seen += data.len() as u64;
                if let Some(l) = limit.filter(|l| seen > *l) {
                    // Not a truncated body handed over as complete: Rust answers 413 (unless JS already sent
                    // its head), JS's request stream is destroyed, and the rest is drained for the client.
                    let e = ApiError::new(ErrCode::ResourceExhausted, format!("request body exceeds the limit of {l} bytes")).with_status(413);
                    let json = vec![("content-type".to_string(), "application/json".to_string())];
                    bridge.complete(id, Reply::Full { status: 413, body: e.to_json(), headers: json });
                    dispatcher.push(Event::Abort { id, reason: AbortReason::BodyTooLarge });
                    crate::body::discard(body);
                    return;
                }
                // Backpressure: wait until JS has consumed enough of what it was given (closed when the request ends).
                match credit.acquire().await {
                    Ok(p) => p.forget(),
                    Err(_) => return,
                }
                if !dispatcher.push(Event::RawChunk { id, data }) {
                    return;
                }
            }
        }
        dispatcher.push(Event::RawEnd { id });
    });
    let reply = pending.wait().await.map_err(|e| match e {
        crate::dispatch::CallError::Deadline => ApiError::new(ErrCode::DeadlineExceeded, "the handler did not respond before the request deadline"),
        crate::dispatch::CallError::Unavailable => ApiError::new(ErrCode::Unavailable, "the app is not running"),
    })?;
    Ok(match reply {
        Reply::Head { status, headers } => {
            reply_response(status, ResBody::Channel { rx, id, bridge: rt.bridge.clone(), done: false }, &headers, false)
        }
        Reply::Full { status, body, headers } => {
            rt.bridge.close_outbound(id);
            reply_response(status, ResBody::full(body), &headers, false)
        }
    })
}
