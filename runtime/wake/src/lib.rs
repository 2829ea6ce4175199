//! The wake-up protocol between the threads that hand work to JavaScript (tokio workers) and the JS thread, and
//! back. It has no napi or tokio in it so that `tests/loom.rs` can explore every interleaving of it under loom
//! (`RUSTFLAGS="--cfg loom" cargo test -p reprise-wake --release`); `runtime/src/dispatch.rs` wraps it with the
//! threadsafe function that wakes JS and tokio's `Notify` as the signal.
//!
//! # Rust → JS: [`Mailbox`]
//! One per JS thread. Three fields, always read and written together under one lock:
//!
//! | field       | meaning                                                        |
//! |-------------|----------------------------------------------------------------|
//! | `queue`     | events JS has not taken yet                                    |
//! | `scheduled` | a wake-up of JS is owed for what is in `queue`, or on its way  |
//! | `closed`    | no more events are accepted (reload hand-over, shutdown)       |
//!
//! - `push(e)` (any worker): refused when `closed` (the event is handed back). Otherwise `e` joins `queue`; if
//!   `scheduled` was false it becomes true and the pusher must **signal** (the flusher task, or JS directly).
//! - `step()` (the flusher, once per signal): wake JS iff `queue` is non-empty; end iff `closed`.
//! - `drain()` (JS, once per wake-up): takes `queue` and sets `scheduled = false`, in one critical section.
//! - `close()`: `closed = true`; the caller signals the flusher so it wakes JS for what is left and ends.
//!
//! Why no interleaving loses a wake-up: `queue` non-empty ⇒ `scheduled` (they are only changed together). Only
//! the push that turns `scheduled` on signals, and every signal is kept until taken (tokio's `Notify::notify_one`
//! stores a permit when no one waits; [`Outbox`] relies on the same). The flusher, on that signal, looks at
//! `queue` under the lock: non-empty → it wakes JS, whose drain empties `queue` and clears `scheduled` together;
//! empty → a drain already took those events and cleared `scheduled`, so the next push signals again. Either way
//! `scheduled` never stays on with nobody owing a wake-up. Events accepted before `close` are still delivered:
//! `close` and `push` exclude each other, and the flusher's last step wakes JS for whatever is queued.
//!
//! The protocol this replaced cleared `scheduled` (an atomic) *before* taking the queue under its lock. A push in
//! between set `scheduled` and signalled; the drain took its event; the flusher found the queue empty; `scheduled`
//! stayed set with nothing queued, so no later push signalled and JS was never woken again (the server accepted
//! connections and answered none). `tests/loom.rs` keeps that protocol as a model and checks loom finds the hang.
//!
//! # JS → Rust: [`Outbox`]
//! JS parks replies and signals a pump once per batch; the pump takes everything parked. A signal sent while the
//! pump runs is kept (a permit), so a reply parked during a flush is taken by the pump's next round.
//!
//! # Reload: [`Current`]
//! The dispatcher requests go to can be swapped (a `--watch` reload) and the old one closed. [`Current::deliver`]
//! offers an event to the current target and, when that one closed in between, to its successor, so a request
//! arriving during the swap is served by the new build instead of failing.
//!
//! Lock poisoning: every lock here recovers the data (`PoisonError::into_inner`). No critical section can leave
//! the state half-changed (each is a few field assignments and a `Vec` push/take), so a panic elsewhere on a
//! thread that held a lock must not turn every later request into a panic.

mod sync;

use sync::{lock, read, write, Arc, Mutex, RwLock};

/// What became of a pushed event.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub enum Pushed<T> {
    /// Queued behind events JS is already owed a wake-up for.
    Queued,
    /// Queued as the first event since JS last drained: the caller must signal (flusher or JS) now.
    Signal,
    /// The mailbox is closed; the event is handed back.
    Refused(T),
}

/// What the flusher does after a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Events are queued: wake JS.
    pub wake: bool,
    /// The mailbox is closed: after this step's wake-up nothing more will be queued, so the flusher ends.
    pub exit: bool,
}

/// A mailbox's state, for diagnostics (a stuck request prints it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub queued: usize,
    pub scheduled: bool,
    pub closed: bool,
}

struct State<T> {
    queue: Vec<T>,
    scheduled: bool,
    closed: bool,
}

/// The queue of events for one JS thread with its wake-up state (see the crate docs for the protocol).
pub struct Mailbox<T> {
    state: Mutex<State<T>>,
}

impl<T> Default for Mailbox<T> {
    fn default() -> Self {
        Mailbox::new()
    }
}

impl<T> Mailbox<T> {
    pub fn new() -> Mailbox<T> {
        Mailbox { state: Mutex::new(State { queue: Vec::with_capacity(64), scheduled: false, closed: false }) }
    }

    pub fn push(&self, e: T) -> Pushed<T> {
        let mut s = lock(&self.state);
        if s.closed {
            return Pushed::Refused(e);
        }
        s.queue.push(e);
        if s.scheduled {
            Pushed::Queued
        } else {
            s.scheduled = true;
            Pushed::Signal
        }
    }

    /// JS, when woken: everything queued so far. The next push signals again.
    pub fn drain(&self) -> Vec<T> {
        let mut s = lock(&self.state);
        s.scheduled = false;
        let cap = s.queue.capacity().clamp(64, 1024);
        std::mem::replace(&mut s.queue, Vec::with_capacity(cap))
    }

    /// The flusher, once per signal.
    pub fn step(&self) -> Step {
        let s = lock(&self.state);
        Step { wake: !s.queue.is_empty(), exit: s.closed }
    }

    /// Refuses every later push. The caller signals the flusher so it wakes JS for what is queued and ends.
    pub fn close(&self) {
        lock(&self.state).closed = true;
    }

    /// Closes and takes what is queued: for when JS can no longer be woken and the events must be failed.
    pub fn close_and_take(&self) -> Vec<T> {
        let mut s = lock(&self.state);
        s.closed = true;
        s.scheduled = false;
        std::mem::take(&mut s.queue)
    }

    pub fn is_closed(&self) -> bool {
        lock(&self.state).closed
    }

    pub fn snapshot(&self) -> Snapshot {
        let s = lock(&self.state);
        Snapshot { queued: s.queue.len(), scheduled: s.scheduled, closed: s.closed }
    }
}

/// Replies JS parked, waiting for the pump (see the crate docs).
pub struct Outbox<R> {
    parked: Mutex<Vec<R>>,
    flush_at: usize,
}

impl<R> Outbox<R> {
    /// `flush_at`: parking this many replies asks for a flush without waiting for JS's own.
    pub fn new(flush_at: usize) -> Outbox<R> {
        Outbox { parked: Mutex::new(Vec::new()), flush_at }
    }

    /// Parks a reply; true when the outbox reached `flush_at` and the caller should signal the pump now.
    pub fn park(&self, r: R) -> bool {
        let mut parked = lock(&self.parked);
        parked.push(r);
        parked.len() >= self.flush_at
    }

    /// The pump, once per signal: every parked reply.
    pub fn take(&self) -> Vec<R> {
        std::mem::take(&mut *lock(&self.parked))
    }

    pub fn len(&self) -> usize {
        lock(&self.parked).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Something [`Current`] can hold: it says when it stopped accepting.
pub trait Target {
    fn is_closed(&self) -> bool;
}

impl<T> Target for Mailbox<T> {
    fn is_closed(&self) -> bool {
        Mailbox::is_closed(self)
    }
}

/// The target new requests go to, swapped by a reload (see the crate docs).
pub struct Current<D> {
    slot: RwLock<Option<Arc<D>>>,
}

impl<D> Default for Current<D> {
    fn default() -> Self {
        Current { slot: RwLock::new(None) }
    }
}

impl<D: Target> Current<D> {
    /// The current target, unless there is none or it closed.
    pub fn get(&self) -> Option<Arc<D>> {
        read(&self.slot).clone().filter(|d| !d.is_closed())
    }

    /// Makes `d` current; returns the one it replaces (which keeps serving what it started until it is closed).
    pub fn install(&self, d: Arc<D>) -> Option<Arc<D>> {
        write(&self.slot).replace(d)
    }

    /// Clears the slot if `d` is current. Closing `d` is the caller's.
    pub fn uninstall(&self, d: &Arc<D>) {
        let mut slot = write(&self.slot);
        if slot.as_ref().is_some_and(|c| Arc::ptr_eq(c, d)) {
            *slot = None;
        }
    }

    /// Offers `e` to the current target with `push`; when that target refuses because it closed meanwhile (a
    /// reload swapped it out), offers it to the target that replaced it. Hands `e` back when there is no open
    /// target to take it.
    pub fn deliver<T>(&self, mut e: T, mut push: impl FnMut(&Arc<D>, T) -> Result<(), T>) -> Result<Arc<D>, T> {
        let mut refused_by: Option<Arc<D>> = None;
        loop {
            let Some(d) = self.get() else { return Err(e) };
            if refused_by.as_ref().is_some_and(|r| Arc::ptr_eq(r, &d)) {
                return Err(e);
            }
            match push(&d, e) {
                Ok(()) => return Ok(d),
                Err(back) => {
                    e = back;
                    refused_by = Some(d);
                }
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn first_push_signals_until_drained() {
        let m = Mailbox::new();
        assert_eq!(m.push(1), Pushed::Signal);
        assert_eq!(m.push(2), Pushed::Queued);
        assert_eq!(m.snapshot(), Snapshot { queued: 2, scheduled: true, closed: false });
        assert_eq!(m.step(), Step { wake: true, exit: false });
        assert_eq!(m.drain(), [1, 2]);
        assert_eq!(m.step(), Step { wake: false, exit: false });
        assert_eq!(m.push(3), Pushed::Signal, "after a drain the next push signals again");
    }

    #[test]
    fn closed_refuses_and_hands_the_event_back() {
        let m = Mailbox::new();
        assert_eq!(m.push(1), Pushed::Signal);
        m.close();
        assert_eq!(m.push(2), Pushed::Refused(2));
        assert_eq!(m.step(), Step { wake: true, exit: true }, "what was accepted before the close is still delivered");
        assert_eq!(m.drain(), [1]);
        assert_eq!(m.close_and_take(), Vec::<i32>::new());
    }

    #[test]
    fn outbox_asks_for_a_flush_when_full() {
        let o = Outbox::new(2);
        assert!(!o.park('a'));
        assert!(o.park('b'));
        assert_eq!(o.take(), ['a', 'b']);
        assert!(o.is_empty());
    }

    #[test]
    fn deliver_follows_a_reload_to_the_new_target() {
        let current = Current::default();
        let old = Arc::new(Mailbox::new());
        current.install(old.clone());
        let new = Arc::new(Mailbox::new());
        // The request saw `old` as current, then the reload swapped and closed it before the push landed.
        let mut first = true;
        let got = current.deliver(7, |d, e| {
            if first {
                first = false;
                current.install(new.clone());
                d.close();
            }
            match d.push(e) {
                Pushed::Refused(e) => Err(e),
                _ => Ok(()),
            }
        });
        assert!(Arc::ptr_eq(&got.ok().unwrap(), &new));
        assert_eq!(new.drain(), [7]);
        current.uninstall(&new);
        new.close();
        assert!(current.get().is_none());
        assert_eq!(current.deliver(8, |_, e| Err(e)).err(), Some(8));
    }

    /// The protocol under real threads: producers push as fast as they can while a flusher and a JS thread take
    /// turns; every event arrives (a lost wake-up leaves the JS thread waiting forever, so the test has a bound).
    #[test]
    fn threads_never_lose_an_event() {
        use std::sync::{Condvar, Mutex as StdMutex};
        use std::time::Duration;
        struct Permit(StdMutex<bool>, Condvar);
        impl Permit {
            fn give(&self) {
                *self.0.lock().unwrap() = true;
                self.1.notify_one();
            }
            fn take(&self, within: Duration) -> bool {
                let g = self.0.lock().unwrap();
                let (mut g, _) = self.1.wait_timeout_while(g, within, |p| !*p).unwrap();
                std::mem::replace(&mut *g, false)
            }
        }
        const PRODUCERS: usize = 4;
        const EACH: usize = 50_000;
        let m = Arc::new(Mailbox::new());
        let flusher_signal = Arc::new(Permit(StdMutex::new(false), Condvar::new()));
        let js_signal = Arc::new(Permit(StdMutex::new(false), Condvar::new()));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|_| {
                let (m, f) = (m.clone(), flusher_signal.clone());
                std::thread::spawn(move || {
                    for i in 0..EACH {
                        if m.push(i) == Pushed::Signal {
                            f.give();
                        }
                    }
                })
            })
            .collect();
        let flusher = {
            let (m, f, js) = (m.clone(), flusher_signal.clone(), js_signal.clone());
            std::thread::spawn(move || loop {
                if !f.take(Duration::from_secs(10)) {
                    continue;
                }
                let step = m.step();
                if step.wake {
                    js.give();
                }
                if step.exit {
                    return;
                }
            })
        };
        let mut got = 0;
        while got < PRODUCERS * EACH {
            assert!(js_signal.take(Duration::from_secs(10)), "JS not woken with {} queued: {:?}", PRODUCERS * EACH - got, m.snapshot());
            got += m.drain().len();
        }
        for p in producers {
            p.join().unwrap();
        }
        m.close();
        flusher_signal.give();
        flusher.join().unwrap();
        assert_eq!(m.snapshot(), Snapshot { queued: 0, scheduled: false, closed: true });
    }
}
