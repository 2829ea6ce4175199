//! The one response body type: a complete buffer for typed endpoints, or a channel JavaScript writes into for raw
//! endpoints. A channel body dropped before its end (client gone) tells JS through an abort event.

use crate::dispatch::{AbortReason, Bridge, Event, Outbound};
use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

pub enum ResBody {
    Full(Option<Bytes>),
    Channel { rx: crate::outq::OutRx, id: u32, bridge: Arc<Bridge>, done: bool },
}

impl ResBody {
    pub fn empty() -> ResBody {
        ResBody::Full(None)
    }

    pub fn full(b: impl Into<Bytes>) -> ResBody {
        let b = b.into();
        ResBody::Full(if b.is_empty() { None } else { Some(b) })
    }
}

impl Body for ResBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            ResBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            ResBody::Channel { rx, done, .. } => loop {
                if *done {
                    return Poll::Ready(None);
                }
                match rx.poll_recv(cx) {
                    Poll::Ready(Some(Outbound::Chunk(b))) => return Poll::Ready(Some(Ok(Frame::data(b)))),
                    Poll::Ready(Some(Outbound::Text(s))) => return Poll::Ready(Some(Ok(Frame::data(Bytes::from(s))))),
                    Poll::Ready(Some(Outbound::Close { .. })) | Poll::Ready(None) => {
                        *done = true;
                    }
                    Poll::Pending => return Poll::Pending,
                }
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, ResBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            ResBody::Full(None) => SizeHint::with_exact(0),
            ResBody::Channel { .. } => SizeHint::default(),
        }
    }
}

impl Drop for ResBody {
    fn drop(&mut self) {
        if let ResBody::Channel { id, bridge, done, .. } = self {
            bridge.close_outbound(*id);
            if !*done {
                bridge.notify(Event::Abort { id: *id, reason: AbortReason::ClientGone });
            }
        }
    }
}

/// How much of a refused body (over its limit) is read and thrown away so the client, still uploading, gets to
/// read the 413 instead of a connection reset. A client sending more than this, or slower than
/// [`DISCARD_FOR`], is cut off.
pub const DISCARD_MAX: u64 = 16 * 1024 * 1024;
pub const DISCARD_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads and drops the rest of a request body in the background while the error response goes out. Closing a
/// socket with unread bytes in its receive buffer makes the kernel send RST, which can destroy the response
/// before the client reads it; draining lets the connection end (or stay alive) cleanly.
pub fn discard(body: hyper::body::Incoming) {
    use http_body_util::BodyExt;
    tokio::spawn(async move {
        let mut body = body;
        let mut seen: u64 = 0;
        let _ = tokio::time::timeout(DISCARD_FOR, async {
            while let Some(Ok(frame)) = body.frame().await {
                if let Ok(d) = frame.into_data() {
                    seen += d.len() as u64;
                    if seen > DISCARD_MAX {
                        break;
                    }
                }
            }
        })
        .await;
    });
}
