//! The bridge into JavaScript. Every request becomes an [`Event`] on the queue of the current [`Dispatcher`]; the
//! dispatcher wakes JS through one threadsafe function only when the queue goes from empty to non-empty, so
//! requests that arrive together cross into JS as one batch. JS answers through `respond`, which completes the
//! request's oneshot channel by id. A request whose client leaves, or which outlives its deadline, is removed from
//! the pending table and JS gets an abort event (its `AbortSignal` fires); nothing waits on a handler forever.
//!
//! Both directions batch their wake-ups, because on a small machine the tokio worker and the JS thread share cores
//! and a wake-up per request makes them preempt each other per request. Rust → JS: a dispatcher with a flusher
//! task wakes JS only after the tokio worker finished its current round of ready connections (the flusher yields
//! once before waking). JS → Rust: `respond` only parks the reply; JS flushes the replies of a whole batch with
//! one call, and a pump task on a tokio worker completes them there, so the worker is woken once per batch.
//!
//! The wake-up protocol itself (who sets and clears each flag, and why no interleaving loses a wake-up) lives in
//! the `reprise-wake` crate (runtime/wake), model-checked with loom; this module adds the threadsafe function that
//! wakes JS, tokio's `Notify` as the signal, and the request table.

use bytes::Bytes;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use reprise_wake::{Current, Mailbox, Outbox, Pushed, Snapshot, Target};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, Weak};
use std::time::Duration;
use crate::outq::{OutRx, Sent};
use tokio::sync::{oneshot, Notify};

/// What the auth handler gets for a request.
#[derive(Debug, Clone)]
pub enum AuthInput {
    /// No auth parameters and no propagated auth data.
    None,
    /// Validated auth-handler params (JSON); JS runs the auth handler first.
    Params(String),
    /// Auth data propagated from a calling service (JSON); the auth handler is not run again.
    Data(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbortReason {
    ClientGone = 1,
    Deadline = 2,
    Shutdown = 3,
    /// A raw endpoint's streamed body passed its limit; Rust answered 413 itself.
    BodyTooLarge = 4,
}

#[derive(Debug)]
pub enum Event {
    Call { id: u32, endpoint: u32, params: String, auth: AuthInput, meta: RequestMeta },
    Abort { id: u32, reason: AbortReason },
    RawStart { id: u32, endpoint: u32, meta: RequestMeta, headers: Vec<String>, auth: AuthInput },
    RawChunk { id: u32, data: Bytes },
    RawEnd { id: u32 },
    /// `headers`: the upgrade request's headers, flat [name, value, ...].
    StreamOpen { id: u32, endpoint: u32, params: String, auth: AuthInput, meta: RequestMeta, headers: Vec<String> },
    StreamMessage { id: u32, text: String },
    StreamClosed { id: u32 },
    /// A raw response's or stream's outbound queue was full and has drained (src/outq.rs): JS may write again.
    Drain { id: u32 },
}

/// Request facts JS exposes through `currentRequest()`.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub method: String,
    pub path_and_query: String,
    /// Path params as JSON (raw strings).
    pub path_params: String,
    /// Caller service for internal calls.
    pub internal: bool,
}

/// How JS answered a request.
#[derive(Debug)]
pub enum Reply {
    Full { status: u16, body: String, headers: Vec<(String, String)> },
    /// Raw endpoints: the head, with the body following through the request's outbound channel.
    Head { status: u16, headers: Vec<(String, String)> },
}

/// Data JS pushes to a streaming request after the reply (raw body chunks, WebSocket messages).
#[derive(Debug)]
pub enum Outbound {
    Chunk(Bytes),
    Text(String),
    Close { code: u16, reason: String },
}

/// Identity hashing: ids are sequential, so hashing them again is wasted work.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | *b as u64;
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = n as u64;
    }
}

type IdMap<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;

/// Locks a table of the bridge. Poisoning is recovered from, as in `reprise-wake`: every critical section is a
/// map insert/remove or a `Vec` push/take, so a panic elsewhere cannot leave the data half-changed, and one panic
/// must not turn every later request into a panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One JS thread's entry point: its [`Mailbox`] plus the function that wakes JS. A reload installs a new
/// dispatcher while in-flight requests keep the one they started on.
pub struct Dispatcher {
    mailbox: Mailbox<Event>,
    wake: Box<dyn Fn() -> bool + Send + Sync>,
    /// Set for dispatchers with a flusher task: pushes signal it instead of waking JS themselves.
    flusher: Option<Arc<Notify>>,
    /// Where events that can no longer reach JS (a failed wake-up) are failed.
    bridge: Weak<Bridge>,
}

impl Target for Dispatcher {
    fn is_closed(&self) -> bool {
        self.mailbox.is_closed()
    }
}

impl Dispatcher {
    /// A dispatcher that wakes JS from the pushing thread, at once.
    pub fn new(wake: Box<dyn Fn() -> bool + Send + Sync>, bridge: &Arc<Bridge>) -> Arc<Dispatcher> {
        Arc::new(Dispatcher { mailbox: Mailbox::new(), wake, flusher: None, bridge: Arc::downgrade(bridge) })
    }

    /// A dispatcher whose wake-ups are made by a flusher task on `rt`: the first push of a batch signals it, and
    /// it yields once (so the worker finishes the connections that are ready now, each adding its request to the
    /// batch) before waking JS. When the wake fails (the JS thread is gone) the dispatcher closes and the queued
    /// requests fail as unavailable through `bridge` instead of waiting for their deadline.
    pub fn deferred(wake: Box<dyn Fn() -> bool + Send + Sync>, rt: &tokio::runtime::Handle, bridge: Arc<Bridge>) -> Arc<Dispatcher> {
        let notify = Arc::new(Notify::new());
        let d = Arc::new(Dispatcher { mailbox: Mailbox::new(), wake, flusher: Some(notify.clone()), bridge: Arc::downgrade(&bridge) });
        let weak = Arc::downgrade(&d);
        rt.spawn(async move {
            loop {
                // A signal sent while this task is busy is kept as a permit (the protocol relies on it).
                notify.notified().await;
                tokio::task::yield_now().await;
                let Some(d) = weak.upgrade() else { return };
                let step = d.mailbox.step();
                if step.wake && !(d.wake)() {
                    bridge.fail_events(d.mailbox.close_and_take());
                    return;
                }
                if step.exit {
                    return;
                }
            }
        });
        d
    }

    /// Queues `e` for JS; false when the dispatcher is closed.
    pub fn push(&self, e: Event) -> bool {
        self.offer(e).is_ok()
    }

    /// Queues `e` for JS, handing it back when the dispatcher is closed.
    // The Err hands the event back by value to be delivered to the next dispatcher; boxing it would allocate on
    // every request for the rare closed case.
    #[allow(clippy::result_large_err)]
    pub fn offer(&self, e: Event) -> Result<(), Event> {
        match self.mailbox.push(e) {
            Pushed::Queued => Ok(()),
            Pushed::Refused(e) => Err(e),
            Pushed::Signal => {
                match &self.flusher {
                    Some(n) => n.notify_one(),
                    None => {
                        if !(self.wake)() {
                            let stranded = self.mailbox.close_and_take();
                            if let Some(b) = self.bridge.upgrade() {
                                b.fail_events(stranded);
                            }
                        }
                    }
                }
                Ok(())
            }
        }
    }

    /// Called on the JS thread when woken: takes everything queued so far.
    pub fn drain(&self) -> Vec<Event> {
        self.mailbox.drain()
    }

    /// Refuses later events; the flusher wakes JS for what is queued, then ends.
    pub fn close(&self) {
        self.mailbox.close();
        if let Some(n) = &self.flusher {
            n.notify_one();
        }
    }

    pub fn is_closed(&self) -> bool {
        self.mailbox.is_closed()
    }

    /// Queue length and flags, for diagnostics.
    pub fn snapshot(&self) -> Snapshot {
        self.mailbox.snapshot()
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        // Lets the flusher task see the dispatcher is gone and end.
        if let Some(n) = &self.flusher {
            n.notify_one();
        }
    }
}

/// The drain hook of request `id`'s outbound queue: a [`Event::Drain`] on the dispatcher the request runs on.
pub fn drain_hook(d: Arc<Dispatcher>, id: u32) -> Box<dyn Fn() + Send + Sync> {
    Box::new(move || {
        d.push(Event::Drain { id });
    })
}

struct Pending {
    tx: oneshot::Sender<Reply>,
    /// The request's headers, kept so JS can read them only if a handler asks (`currentRequest().headers`).
    headers: Option<hyper::HeaderMap>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallError {
    /// No JS dispatcher is installed, or it went away.
    Unavailable,
    Deadline,
}

pub struct Bridge {
    current: Current<Dispatcher>,
    pending: Mutex<IdMap<Pending>>,
    credits: Mutex<IdMap<Arc<tokio::sync::Semaphore>>>,
    outbound: Mutex<IdMap<crate::outq::OutTx>>,
    next_id: AtomicU32,
    pub timeout: RwLock<Option<Duration>>,
    /// Replies JS parked with [`Bridge::park_reply`], completed by the pump on [`Bridge::flush_replies`].
    outbox: Outbox<(oneshot::Sender<Reply>, Reply)>,
    pump: OnceLock<Arc<Notify>>,
}

/// Parked replies past this many are flushed without waiting for JS's flush call.
const OUTBOX_FLUSH_AT: usize = 256;

impl Default for Bridge {
    fn default() -> Self {
        Bridge {
            current: Current::default(),
            pending: Mutex::new(IdMap::default()),
            credits: Mutex::new(IdMap::default()),
            outbound: Mutex::new(IdMap::default()),
            next_id: AtomicU32::new(1),
            timeout: RwLock::new(Some(Duration::from_secs(30))),
            outbox: Outbox::new(OUTBOX_FLUSH_AT),
            pump: OnceLock::new(),
        }
    }
}

/// A request JS is working on.
pub struct PendingCall<'a> {
    guard: Guard<'a>,
    rx: oneshot::Receiver<Reply>,
    pub id: u32,
}

impl PendingCall<'_> {
    pub fn dispatcher(&self) -> Arc<Dispatcher> {
        self.guard.dispatcher.clone()
    }

    /// Waits for JS's reply within the bridge's deadline.
    pub async fn wait(mut self) -> Result<Reply, CallError> {
        let timeout = *self.guard.bridge.timeout.read().unwrap_or_else(|e| e.into_inner());
        let rx = &mut self.rx;
        let result = match timeout {
            Some(t) => match tokio::time::timeout(t, rx).await {
                Ok(r) => r.map_err(|_| CallError::Unavailable),
                Err(_) => {
                    self.guard.reason = AbortReason::Deadline;
                    return Err(CallError::Deadline);
                }
            },
            None => rx.await.map_err(|_| CallError::Unavailable),
        };
        match result {
            Ok(r) => {
                self.guard.armed = false;
                Ok(r)
            }
            Err(e) => {
                self.guard.reason = AbortReason::Shutdown;
                Err(e)
            }
        }
    }
}

/// Removes a pending request and tells JS to abort it unless the reply arrived.
struct Guard<'a> {
    bridge: &'a Bridge,
    dispatcher: Arc<Dispatcher>,
    id: u32,
    reason: AbortReason,
    armed: bool,
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if self.armed {
            lock(&self.bridge.pending).remove(&self.id);
            lock(&self.bridge.outbound).remove(&self.id);
            self.bridge.drop_credit(self.id);
            self.dispatcher.push(Event::Abort { id: self.id, reason: self.reason });
        }
    }
}

impl Bridge {
    pub fn install(&self, d: Arc<Dispatcher>) -> Option<Arc<Dispatcher>> {
        self.current.install(d)
    }

    pub fn uninstall(&self, d: &Arc<Dispatcher>) {
        self.current.uninstall(d);
        d.close();
    }

    pub fn dispatcher(&self) -> Option<Arc<Dispatcher>> {
        self.current.get()
    }

    pub fn next_id(&self) -> u32 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if id == 0 {
            self.next_id.fetch_add(1, Ordering::Relaxed)
        } else {
            id
        }
    }

    /// Delivers JS's reply; false when the request is gone (aborted, timed out) — late answers are dropped.
    pub fn complete(&self, id: u32, reply: Reply) -> bool {
        match lock(&self.pending).remove(&id) {
            Some(p) => p.tx.send(reply).is_ok(),
            None => false,
        }
    }

    /// Starts the task that completes parked replies on a tokio worker (once per bridge). Without it, parked
    /// replies are completed by the flushing thread.
    pub fn start_reply_pump(self: &Arc<Self>, rt: &tokio::runtime::Handle) {
        let notify = Arc::new(Notify::new());
        if self.pump.set(notify.clone()).is_err() {
            return;
        }
        let weak = Arc::downgrade(self);
        rt.spawn(async move {
            loop {
                notify.notified().await;
                let Some(bridge) = weak.upgrade() else { return };
                bridge.send_parked();
            }
        });
    }

    /// Takes a reply off the pending table like [`Bridge::complete`] but only parks it: the request's task is
    /// woken by [`Bridge::flush_replies`]. False when the request is gone.
    pub fn park_reply(&self, id: u32, reply: Reply) -> bool {
        let Some(p) = lock(&self.pending).remove(&id) else { return false };
        if self.outbox.park((p.tx, reply)) {
            self.flush_replies();
        }
        true
    }

    /// Hands the parked replies to the pump (one wake-up of a tokio worker for all of them).
    pub fn flush_replies(&self) {
        match self.pump.get() {
            Some(n) => n.notify_one(),
            None => self.send_parked(),
        }
    }

    fn send_parked(&self) {
        for (tx, reply) in self.outbox.take() {
            let _ = tx.send(reply);
        }
    }

    /// Fails the requests of events that can no longer reach JS: their waiters see [`CallError::Unavailable`].
    pub fn fail_events(&self, events: Vec<Event>) {
        let mut pending = lock(&self.pending);
        for e in events {
            if let Event::Call { id, .. } | Event::RawStart { id, .. } | Event::StreamOpen { id, .. } = e {
                pending.remove(&id);
            }
        }
    }

    /// Opens request `id`'s bounded outbound queue (src/outq.rs); when it drains after being full, `dispatcher`
    /// gets a [`Event::Drain`] for the request.
    pub fn open_outbound(&self, id: u32, dispatcher: Option<Arc<Dispatcher>>) -> OutRx {
        let (tx, mut rx) = crate::outq::channel();
        if let Some(d) = dispatcher {
            rx.on_drain(drain_hook(d, id));
        }
        lock(&self.outbound).insert(id, tx);
        rx
    }

    /// Queues a chunk / message / close for request `id`. [`Sent::Full`]: queued, but JS should wait for the
    /// request's `Drain` event before pushing more.
    pub fn send_outbound(&self, id: u32, o: Outbound) -> Sent {
        let end = matches!(o, Outbound::Close { .. });
        let mut map = lock(&self.outbound);
        let sent = map.get(&id).map_or(Sent::Gone, |tx| tx.send(o));
        if end {
            map.remove(&id);
        }
        sent
    }

    pub fn close_outbound(&self, id: u32) {
        lock(&self.outbound).remove(&id);
        self.drop_credit(id);
    }

    /// Opens the inbound window of a raw request: the body pump takes one permit per chunk it hands to JS and JS
    /// gives them back (`rawAck`) as its stream consumes them, so a slow handler holds at most the window in memory.
    pub fn open_credit(&self, id: u32, window: usize) -> Arc<tokio::sync::Semaphore> {
        let s = Arc::new(tokio::sync::Semaphore::new(window));
        lock(&self.credits).insert(id, s.clone());
        s
    }

    pub fn add_credit(&self, id: u32, n: usize) -> bool {
        match lock(&self.credits).get(&id) {
            Some(s) => {
                s.add_permits(n);
                true
            }
            None => false,
        }
    }

    /// The request ended: a pump still waiting for credit stops.
    fn drop_credit(&self, id: u32) {
        if let Some(s) = lock(&self.credits).remove(&id) {
            s.close();
        }
    }

    pub fn pending_count(&self) -> usize {
        lock(&self.pending).len()
    }

    /// Registers a request under a fresh id and queues the event `build` makes for it. Dropping the returned
    /// [`PendingCall`] before its reply (client disconnect) aborts the JS side.
    pub fn begin(&self, build: impl FnOnce(u32) -> Event) -> Result<PendingCall<'_>, CallError> {
        self.begin_with(None, build)
    }

    /// [`Bridge::begin`], keeping the request's headers readable through [`Bridge::headers`] while it is pending.
    #[allow(clippy::result_large_err)] // its delivery closure hands the event back by value (see `Dispatcher::offer`)
    pub fn begin_with(&self, headers: Option<hyper::HeaderMap>, build: impl FnOnce(u32) -> Event) -> Result<PendingCall<'_>, CallError> {
        // No dispatcher at all is rare (before start, after shutdown): found by `deliver` below, which then undoes
        // the pending entry, rather than by a second lookup on every request.
        let id = self.next_id();
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(id, Pending { tx, headers });
        let event = build(id);
        // Ties the id to the trace of the task's scope (and decides head sampling for a new request).
        crate::tracing::bind(id, &event);
        // A reload may close the dispatcher between the lookup and the push: the event then goes to its successor.
        match self.current.deliver(event, |d, e| d.offer(e)) {
            Ok(dispatcher) => Ok(PendingCall { guard: Guard { bridge: self, dispatcher, id, reason: AbortReason::ClientGone, armed: true }, rx, id }),
            Err(_) => {
                lock(&self.pending).remove(&id);
                Err(CallError::Unavailable)
            }
        }
    }

    /// [`Bridge::begin`] then [`PendingCall::wait`].
    pub async fn call(&self, build: impl FnOnce(u32) -> Event) -> Result<(u32, Reply), CallError> {
        self.call_with(None, build).await
    }

    /// [`Bridge::call`] for an HTTP request whose headers JS may ask for.
    pub async fn call_with(&self, headers: Option<hyper::HeaderMap>, build: impl FnOnce(u32) -> Event) -> Result<(u32, Reply), CallError> {
        let pc = self.begin_with(headers, build)?;
        let id = pc.id;
        pc.wait().await.map(|r| (id, r))
    }

    /// A pending request's headers as a flat [name, value, ...] list; None once it was answered or for calls
    /// that carry none (service-to-service).
    pub fn headers(&self, id: u32) -> Option<Vec<String>> {
        let pending = lock(&self.pending);
        let h = pending.get(&id)?.headers.as_ref()?;
        let mut out = Vec::with_capacity(h.len() * 2);
        for (k, v) in h {
            out.push(k.as_str().to_string());
            out.push(String::from_utf8_lossy(v.as_bytes()).into_owned());
        }
        Some(out)
    }

    /// Pushes an event for an existing request to the current dispatcher.
    #[allow(clippy::result_large_err)] // its delivery closure hands the event back by value (see `Dispatcher::offer`)
    pub fn notify(&self, e: Event) -> bool {
        self.current.deliver(e, |d, e| d.offer(e)).is_ok()
    }

    /// The state of the dispatch, for diagnosing a stuck request: each dispatcher's queue and flags (`current`
    /// marks the one new requests go to), pending requests and parked replies.
    pub fn describe<'d>(&self, dispatchers: impl IntoIterator<Item = (u32, &'d Arc<Dispatcher>)>) -> String {
        let current = self.current.get();
        let list: Vec<String> = dispatchers
            .into_iter()
            .map(|(handle, d)| {
                let s = d.snapshot();
                let is_current = current.as_ref().is_some_and(|c| Arc::ptr_eq(c, d));
                format!(r#"{{"handle":{handle},"current":{is_current},"queued":{},"scheduled":{},"closed":{}}}"#, s.queued, s.scheduled, s.closed)
            })
            .collect();
        format!(r#"{{"dispatchers":[{}],"pending":{},"parkedReplies":{}}}"#, list.join(","), self.pending_count(), self.outbox.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn bridge_with_counter() -> (Arc<Bridge>, Arc<Dispatcher>, Arc<AtomicUsize>) {
        let wakes = Arc::new(AtomicUsize::new(0));
        let w = wakes.clone();
        let b = Arc::new(Bridge::default());
        let d = Dispatcher::new(
            Box::new(move || {
                w.fetch_add(1, Ordering::SeqCst);
                true
            }),
            &b,
        );
        b.install(d.clone());
        (b, d, wakes)
    }

    fn call_event(id: u32) -> Event {
        Event::Call { id, endpoint: 0, params: "{}".into(), auth: AuthInput::None, meta: RequestMeta::default() }
    }

    #[tokio::test]
    async fn batches_wake_once_and_complete_by_id() {
        let (b, d, wakes) = bridge_with_counter();
        let b1 = b.clone();
        let b2 = b.clone();
        let t1 = tokio::spawn(async move { b1.call(call_event).await });
        let t2 = tokio::spawn(async move { b2.call(call_event).await });
        let mut events = Vec::new();
        while events.len() < 2 {
            tokio::task::yield_now().await;
            events.extend(d.drain());
        }
        assert!(wakes.load(Ordering::SeqCst) <= 2);
        for e in events {
            let Event::Call { id, .. } = e else { panic!() };
            assert!(b.complete(id, Reply::Full { status: 200, body: format!("{id}"), headers: vec![] }));
        }
        for t in [t1, t2] {
            let (id, reply) = t.await.unwrap().unwrap();
            let Reply::Full { body, .. } = reply else { panic!() };
            assert_eq!(body, id.to_string());
        }
        assert_eq!(b.pending_count(), 0);
    }

    #[tokio::test]
    async fn headers_are_readable_while_pending_and_gone_after_the_reply() {
        let (b, _d, _) = bridge_with_counter();
        let mut h = hyper::HeaderMap::new();
        h.append("x-multi", "a".parse().unwrap());
        h.append("x-multi", "b".parse().unwrap());
        h.insert("host", "example".parse().unwrap());
        let pc = b.begin_with(Some(h), call_event).unwrap();
        let id = pc.id;
        let mut flat = b.headers(id).unwrap();
        flat.sort();
        assert_eq!(flat, ["a", "b", "example", "host", "x-multi", "x-multi"]);
        let plain = b.begin(call_event).unwrap();
        assert_eq!(b.headers(plain.id), None);
        assert!(b.complete(id, Reply::Full { status: 200, body: String::new(), headers: vec![] }));
        assert_eq!(b.headers(id), None);
        drop(pc);
        drop(plain);
    }

    #[tokio::test]
    async fn raw_credit_bounds_the_window_and_closes_with_the_request() {
        let b = Bridge::default();
        let credit = b.open_credit(7, 2);
        credit.acquire().await.unwrap().forget();
        credit.acquire().await.unwrap().forget();
        assert!(credit.try_acquire().is_err(), "the window is full until JS acks");
        assert!(b.add_credit(7, 1));
        credit.try_acquire().unwrap().forget();
        b.close_outbound(7);
        assert!(credit.acquire().await.is_err(), "a pump waiting for credit stops when the request ends");
        assert!(!b.add_credit(7, 1));
    }

    #[tokio::test]
    async fn deadline_removes_the_request_and_aborts_js() {
        let (b, d, _) = bridge_with_counter();
        *b.timeout.write().unwrap() = Some(Duration::from_millis(20));
        let r = b.call(call_event).await;
        assert_eq!(r.unwrap_err(), CallError::Deadline);
        assert_eq!(b.pending_count(), 0);
        let events = d.drain();
        assert!(matches!(events.last(), Some(Event::Abort { reason: AbortReason::Deadline, .. })));
        // A late reply is dropped, not delivered.
        let Some(Event::Call { id, .. }) = events.first() else { panic!() };
        assert!(!b.complete(*id, Reply::Full { status: 200, body: String::new(), headers: vec![] }));
    }

    #[tokio::test]
    async fn dropped_future_aborts_as_client_gone() {
        let (b, d, _) = bridge_with_counter();
        let fut = b.call(call_event);
        let _ = tokio::time::timeout(Duration::from_millis(5), fut).await;
        assert_eq!(b.pending_count(), 0);
        assert!(matches!(d.drain().last(), Some(Event::Abort { reason: AbortReason::ClientGone, .. })));
    }

    #[tokio::test]
    async fn deferred_dispatcher_wakes_once_per_round_after_the_pushers() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let w = wakes.clone();
        let b = Arc::new(Bridge::default());
        let d = Dispatcher::deferred(
            Box::new(move || {
                w.fetch_add(1, Ordering::SeqCst);
                true
            }),
            &tokio::runtime::Handle::current(),
            b.clone(),
        );
        b.install(d.clone());
        let calls: Vec<_> = (0..5).map(|_| b.begin(call_event).unwrap()).collect();
        assert_eq!(wakes.load(Ordering::SeqCst), 0, "no wake-up from the pushing task itself");
        for _ in 0..100 {
            if wakes.load(Ordering::SeqCst) > 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(wakes.load(Ordering::SeqCst), 1, "one wake-up for the whole round");
        assert_eq!(d.drain().len(), 5);
        drop(calls);
    }

    #[tokio::test]
    async fn a_failed_deferred_wake_fails_the_queued_requests() {
        let b = Arc::new(Bridge::default());
        let d = Dispatcher::deferred(Box::new(|| false), &tokio::runtime::Handle::current(), b.clone());
        b.install(d.clone());
        let r = tokio::time::timeout(Duration::from_secs(5), b.call(call_event)).await.expect("not left waiting for the deadline");
        assert_eq!(r.unwrap_err(), CallError::Unavailable);
        assert!(d.is_closed());
        assert_eq!(b.pending_count(), 0);
    }

    #[tokio::test]
    async fn parked_replies_are_delivered_on_flush() {
        let (b, d, _) = bridge_with_counter();
        b.start_reply_pump(&tokio::runtime::Handle::current());
        let b1 = b.clone();
        let t = tokio::spawn(async move { b1.call(call_event).await });
        let id = loop {
            if let Some(Event::Call { id, .. }) = d.drain().into_iter().next() {
                break id;
            }
            tokio::task::yield_now().await;
        };
        assert!(b.park_reply(id, Reply::Full { status: 201, body: "x".into(), headers: vec![] }));
        assert!(!b.park_reply(id, Reply::Full { status: 200, body: String::new(), headers: vec![] }), "answered once");
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert!(!t.is_finished(), "parked until the flush");
        b.flush_replies();
        let (_, reply) = tokio::time::timeout(Duration::from_secs(5), t).await.unwrap().unwrap().unwrap();
        assert!(matches!(reply, Reply::Full { status: 201, .. }));
    }

    #[tokio::test]
    async fn no_dispatcher_is_unavailable() {
        let b = Bridge::default();
        assert_eq!(b.call(call_event).await.unwrap_err(), CallError::Unavailable);
    }
}
