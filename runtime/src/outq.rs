//! The bounded response queue behind `api.raw`'s `res.write()` and a stream's `send()`: JS pushes chunks or
//! messages, the HTTP response body (or the WebSocket task) takes them as the socket accepts them. The queue
//! counts its bytes; a push that leaves more than [`HIGH_WATER`] queued answers [`Sent::Full`] and JS stops
//! writing (a raw response holds back its write callback, so `write()` returns false; a stream's `send()` promise
//! waits). Once the taker has brought the queue down to [`LOW_WATER`], it calls the drain hook exactly once per
//! `Full` episode (the bridge turns that into a `Drain` event, so JS's `'drain'` fires / `send()` resolves).
//!
//! The hand-off between a pusher that sees the queue full and a taker that empties it at the same time uses one
//! flag: the pusher raises `waiting` and re-reads the byte count; whichever side clears the flag first owns the
//! outcome (the taker fires the drain hook, or the pusher reports room), so a drain is never lost or doubled.

use crate::dispatch::Outbound;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// Bytes one response may have queued in Rust before JS is told to wait.
pub const HIGH_WATER: usize = 256 * 1024;
/// A full queue drains (JS may write again) once it is down to this many bytes.
pub const LOW_WATER: usize = HIGH_WATER / 2;

/// Bytes queued over all responses, and the most any one queue has held: read by `outboundStats()` (tests).
static QUEUED: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

pub fn stats() -> (usize, usize) {
    (QUEUED.load(Ordering::Relaxed), PEAK.load(Ordering::Relaxed))
}

/// What became of a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Queued, and there is room for more.
    Room,
    /// Queued, but the queue is over the high-water mark: wait for the drain hook before pushing more.
    Full,
    /// The response is gone (client left, request ended); nothing was queued.
    Gone,
}

struct Shared {
    bytes: AtomicUsize,
    waiting: AtomicBool,
    high: usize,
    low: usize,
}

pub struct OutTx {
    tx: mpsc::UnboundedSender<Outbound>,
    shared: Arc<Shared>,
}

pub struct OutRx {
    rx: mpsc::UnboundedReceiver<Outbound>,
    shared: Arc<Shared>,
    on_drain: Option<Box<dyn Fn() + Send + Sync>>,
}

fn size(o: &Outbound) -> usize {
    match o {
        Outbound::Chunk(b) => b.len(),
        Outbound::Text(t) => t.len(),
        Outbound::Close { .. } => 0,
    }
}

/// A queue with the default marks.
pub fn channel() -> (OutTx, OutRx) {
    channel_with(HIGH_WATER, LOW_WATER)
}

pub fn channel_with(high: usize, low: usize) -> (OutTx, OutRx) {
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared { bytes: AtomicUsize::new(0), waiting: AtomicBool::new(false), high, low });
    (OutTx { tx, shared: shared.clone() }, OutRx { rx, shared, on_drain: None })
}

impl OutTx {
    pub fn send(&self, o: Outbound) -> Sent {
        let n = size(&o);
        // Counted before it is visible to the taker, so the taker's subtraction never runs ahead.
        let after = self.shared.bytes.fetch_add(n, Ordering::SeqCst) + n;
        if self.tx.send(o).is_err() {
            self.shared.bytes.fetch_sub(n, Ordering::SeqCst);
            return Sent::Gone;
        }
        QUEUED.fetch_add(n, Ordering::Relaxed);
        PEAK.fetch_max(after, Ordering::Relaxed);
        if after <= self.shared.high {
            return Sent::Room;
        }
        self.shared.waiting.store(true, Ordering::SeqCst);
        // The taker may have emptied the queue between the add and the flag: then one of us takes the flag back.
        if self.shared.bytes.load(Ordering::SeqCst) <= self.shared.low && self.shared.waiting.swap(false, Ordering::SeqCst) {
            return Sent::Room;
        }
        Sent::Full
    }
}

impl OutRx {
    /// Sets what runs when a full queue has drained (the bridge pushes a `Drain` event to the request's dispatcher).
    pub fn on_drain(&mut self, f: Box<dyn Fn() + Send + Sync>) {
        self.on_drain = Some(f);
    }

    fn took(&self, o: &Outbound) {
        let n = size(o);
        QUEUED.fetch_sub(n, Ordering::Relaxed);
        let after = self.shared.bytes.fetch_sub(n, Ordering::SeqCst) - n;
        if after <= self.shared.low && self.shared.waiting.swap(false, Ordering::SeqCst) {
            if let Some(f) = &self.on_drain {
                f();
            }
        }
    }

    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Outbound>> {
        let r = self.rx.poll_recv(cx);
        if let Poll::Ready(Some(o)) = &r {
            self.took(o);
        }
        r
    }

    pub async fn recv(&mut self) -> Option<Outbound> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Bytes queued now.
    pub fn queued(&self) -> usize {
        self.shared.bytes.load(Ordering::SeqCst)
    }
}

impl Drop for OutRx {
    fn drop(&mut self) {
        // What was never taken leaves the global count; later pushes see the queue gone.
        self.rx.close();
        while let Ok(o) = self.rx.try_recv() {
            QUEUED.fetch_sub(size(&o), Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::sync::atomic::AtomicUsize;

    fn chunk(n: usize) -> Outbound {
        Outbound::Chunk(Bytes::from(vec![7u8; n]))
    }

    fn counted(rx: &mut OutRx) -> Arc<AtomicUsize> {
        let drains = Arc::new(AtomicUsize::new(0));
        let d = drains.clone();
        rx.on_drain(Box::new(move || {
            d.fetch_add(1, Ordering::SeqCst);
        }));
        drains
    }

    #[tokio::test]
    async fn full_past_the_high_mark_and_one_drain_at_the_low_mark() {
        let (tx, mut rx) = channel_with(100, 50);
        let drains = counted(&mut rx);
        assert_eq!(tx.send(chunk(60)), Sent::Room);
        assert_eq!(tx.send(chunk(40)), Sent::Room, "exactly at the mark is still room");
        assert_eq!(tx.send(chunk(30)), Sent::Full);
        assert_eq!(tx.send(chunk(30)), Sent::Full, "a second push while full is full too");
        assert_eq!(rx.queued(), 160);
        rx.recv().await.unwrap(); // 100 left
        assert_eq!(drains.load(Ordering::SeqCst), 0, "not drained above the low mark");
        rx.recv().await.unwrap(); // 60
        assert_eq!(drains.load(Ordering::SeqCst), 0);
        rx.recv().await.unwrap(); // 30
        assert_eq!(drains.load(Ordering::SeqCst), 1, "drained once at the low mark");
        rx.recv().await.unwrap(); // 0
        assert_eq!(drains.load(Ordering::SeqCst), 1, "one drain per full episode");
        assert_eq!(tx.send(chunk(10)), Sent::Room);
    }

    #[tokio::test]
    async fn bytes_of_texts_count_and_close_is_free() {
        let (tx, mut rx) = channel_with(4, 2);
        let drains = counted(&mut rx);
        assert_eq!(tx.send(Outbound::Text("héllo".into())), Sent::Full, "6 UTF-8 bytes");
        assert_eq!(tx.send(Outbound::Close { code: 1000, reason: "a long reason".into() }), Sent::Full);
        assert!(matches!(rx.recv().await, Some(Outbound::Text(_))));
        assert_eq!(drains.load(Ordering::SeqCst), 1);
        assert!(matches!(rx.recv().await, Some(Outbound::Close { .. })));
        assert_eq!(rx.queued(), 0);
    }

    #[tokio::test]
    async fn a_dropped_taker_makes_pushes_gone_and_uncounts_its_bytes() {
        let (tx, rx) = channel_with(100, 50);
        assert_eq!(tx.send(chunk(30)), Sent::Room);
        drop(rx);
        assert_eq!(tx.send(chunk(30)), Sent::Gone);
    }

    #[tokio::test]
    async fn a_pusher_racing_a_taker_never_loses_the_drain() {
        // Pusher and taker on two threads: every Full must be followed by a drain (or the pusher got Room back),
        // so a pusher that waits on Full never waits forever.
        for _ in 0..50 {
            let (tx, mut rx) = channel_with(64, 32);
            let drains = Arc::new(tokio::sync::Notify::new());
            let d = drains.clone();
            rx.on_drain(Box::new(move || d.notify_one()));
            let taker = tokio::spawn(async move {
                let mut total = 0usize;
                while let Some(o) = rx.recv().await {
                    if let Outbound::Chunk(b) = o {
                        total += b.len();
                    }
                }
                total
            });
            for _ in 0..500 {
                if tx.send(chunk(16)) == Sent::Full {
                    tokio::time::timeout(std::time::Duration::from_secs(5), drains.notified()).await.expect("the drain arrives");
                }
            }
            drop(tx);
            assert_eq!(taker.await.unwrap(), 500 * 16);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_race_holds_across_threads() {
        for _ in 0..20 {
            let (tx, mut rx) = channel_with(64, 32);
            let drains = Arc::new(tokio::sync::Notify::new());
            let d = drains.clone();
            rx.on_drain(Box::new(move || d.notify_one()));
            let taker = tokio::spawn(async move {
                let mut n = 0usize;
                while let Some(_o) = rx.recv().await {
                    n += 1;
                }
                n
            });
            for _ in 0..2000 {
                if tx.send(chunk(16)) == Sent::Full {
                    tokio::time::timeout(std::time::Duration::from_secs(5), drains.notified()).await.expect("the drain arrives");
                }
            }
            drop(tx);
            assert_eq!(taker.await.unwrap(), 2000);
        }
    }
}
