//! The one response body type: a complete buffer for typed endpoints, or a channel JavaScript writes into for raw
//! endpoints. A channel body dropped before its end (client gone) tells JS through an abort event.

use crate::dispatch::{AbortReason, Bridge, Event, Outbound};
use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

pub enum ResBody {
    Full(Option<Bytes>),
    Channel { rx: mpsc::UnboundedReceiver<Outbound>, id: u32, bridge: Arc<Bridge>, done: bool },
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
