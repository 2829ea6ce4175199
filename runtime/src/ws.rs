//! Streaming endpoints (`api.streamIn/Out/InOut`) over WebSocket: the handshake's params are decoded and validated
//! like a request, the upgrade is answered here, and then messages flow both ways as events (in) and outbound
//! texts (out). JS owns the stream's semantics; Rust owns the socket.

use crate::app::{App, Ep};
use crate::body::ResBody;
use crate::decode::RequestParts;
use crate::dispatch::{Event, Outbound};
use crate::error::{ApiError, ErrCode};
use crate::server::{Resp, Runtime};
use futures_util::{SinkExt, StreamExt};
use hyper::header::{HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use hyper::http::request::Parts;
use hyper::upgrade::OnUpgrade;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// Client messages a stream handler may have been given but not consumed yet; reading the socket waits beyond.
pub const STREAM_WINDOW: usize = 32;

fn header_has(parts: &Parts, name: hyper::header::HeaderName, token: &str) -> bool {
    parts.headers.get_all(name).iter().any(|v| v.to_str().is_ok_and(|s| s.split(',').any(|t| t.trim().eq_ignore_ascii_case(token))))
}

pub async fn handle(rt: &Runtime, app: &App, endpoint: u32, ep: &Ep, parts: &mut Parts, params: &[(String, String)]) -> Result<Resp, ApiError> {
    if !header_has(parts, UPGRADE, "websocket") || !header_has(parts, CONNECTION, "upgrade") {
        return Err(ApiError::invalid("this is a streaming endpoint: connect with a WebSocket upgrade").with_status(426));
    }
    let Some(key) = parts.headers.get(SEC_WEBSOCKET_KEY).map(|k| derive_accept_key(k.as_bytes())) else {
        return Err(ApiError::invalid("missing Sec-WebSocket-Key"));
    };
    let auth = rt.auth_input(app, ep, parts)?;
    let pp: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let json = match &ep.plan {
        Some(plan) => plan.decode(&RequestParts { body_method: false, path_params: &pp, query: parts.uri.query(), headers: &parts.headers, body: None })?,
        None => String::new(),
    };
    let Some(dispatcher) = rt.bridge.dispatcher() else {
        return Err(ApiError::new(ErrCode::Unavailable, "the app is not running"));
    };
    let on_upgrade = parts.extensions.remove::<OnUpgrade>().ok_or_else(|| ApiError::invalid("the connection cannot be upgraded"))?;
    let id = rt.bridge.next_id();
    let mut outbound = rt.bridge.open_outbound(id, Some(dispatcher.clone()));
    let meta = Runtime::meta(parts, params, false);
    let mut headers = Vec::with_capacity(parts.headers.len() * 2);
    for (k, v) in &parts.headers {
        headers.push(k.as_str().to_string());
        headers.push(String::from_utf8_lossy(v.as_bytes()).into_owned());
    }
    let bridge = rt.bridge.clone();
    // Decided here, inside the upgrade request's trace scope (src/tracing.rs); the task below outlives it.
    let mut trace = crate::tracing::begin_stream(&rt.app(), endpoint, id, parts.uri.path());
    tokio::spawn(async move {
        let mut close_code = None;
        let Ok(upgraded) = on_upgrade.await else {
            bridge.close_outbound(id);
            if let Some(tr) = trace {
                tr.end(None);
            }
            return;
        };
        let mut ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        if !dispatcher.push(Event::StreamOpen { id, endpoint, params: json, auth, meta, headers }) {
            let _ = ws.close(None).await;
            if let Some(tr) = trace {
                tr.end(None);
            }
            return;
        }
        // Inbound flow control: a message is read off the socket only with a credit in hand, and JS gives credits
        // back as the handler consumes messages, so a client sending faster than the handler reads is held back
        // by TCP instead of queueing in memory. Waiting for credit is a branch of the loop, never a block inside
        // it, so outbound messages (and the drains a waiting `send()` needs) keep flowing meanwhile.
        let credit = bridge.open_credit(id, STREAM_WINDOW);
        let mut permit: Option<tokio::sync::OwnedSemaphorePermit> = None;
        loop {
            tokio::select! {
                p = credit.clone().acquire_owned(), if permit.is_none() => match p {
                    Ok(p) => permit = Some(p),
                    Err(_) => break,
                },
                incoming = ws.next(), if permit.is_some() => match incoming {
                    Some(Ok(Message::Text(t))) => {
                        if let Some(p) = permit.take() {
                            p.forget();
                        }
                        if let Some(tr) = &mut trace { tr.message(true, t.len()); }
                        dispatcher.push(Event::StreamMessage { id, text: t.to_string() });
                    }
                    Some(Ok(Message::Binary(b))) => {
                        if let Some(p) = permit.take() {
                            p.forget();
                        }
                        if let Some(tr) = &mut trace { tr.message(true, b.len()); }
                        dispatcher.push(Event::StreamMessage { id, text: String::from_utf8_lossy(&b).into_owned() });
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                    Some(Ok(Message::Close(frame))) => { close_code = frame.map(|f| u16::from(f.code)); break; }
                    Some(Err(_)) | None => break,
                },
                out = outbound.recv() => match out {
                    Some(Outbound::Text(t)) => {
                        if let Some(tr) = &mut trace { tr.message(false, t.len()); }
                        if ws.send(Message::text(t)).await.is_err() { break; }
                    }
                    Some(Outbound::Chunk(b)) => {
                        if let Some(tr) = &mut trace { tr.message(false, b.len()); }
                        if ws.send(Message::binary(b)).await.is_err() { break; }
                    }
                    Some(Outbound::Close { code, reason }) => {
                        close_code = Some(code);
                        let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
                        let _ = ws.close(Some(frame)).await;
                        // Drain until the peer acknowledges, bounded by the socket closing.
                        while let Some(Ok(_)) = ws.next().await {}
                        break;
                    }
                    None => { let _ = ws.close(None).await; break; }
                },
            }
        }
        bridge.close_outbound(id);
        dispatcher.push(Event::StreamClosed { id });
        if let Some(tr) = trace {
            tr.end(close_code);
        }
    });
    let mut r = Response::new(ResBody::empty());
    *r.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = r.headers_mut();
    h.insert(UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&key) {
        h.insert(SEC_WEBSOCKET_ACCEPT, v);
    }
    Ok(r)
}
