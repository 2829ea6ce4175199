//! Every interleaving of the wake-up protocol, explored by loom. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p reprise-wake --release --test loom --target-dir target/loom`
//! (scripts/test.mjs does). A lost wake-up shows as a deadlock (the JS thread waits for a wake-up nobody owes it)
//! or as an accepted event left queued with no wake-up pending; loom reports either as a failure.
//!
//! Each scenario also runs against the protocol this crate replaced (`OldMailbox`, the atomic `scheduled` flag
//! cleared before the queue was taken, and one push attempt per request across a reload); those runs must fail,
//! which is what shows the scenarios can catch the bug they are about.
#![cfg(loom)]

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;
use reprise_wake::{Current, Mailbox, Outbox, Pushed, Step, Target};

/// The signal: tokio's `Notify::notify_one` semantics (wake the waiter, or keep one permit for the next wait).
#[derive(Default)]
struct Permit {
    given: Mutex<bool>,
    cv: Condvar,
}

impl Permit {
    fn give(&self) {
        *self.given.lock().unwrap() = true;
        self.cv.notify_one();
    }

    fn take(&self) {
        let mut given = self.given.lock().unwrap();
        while !*given {
            given = self.cv.wait(given).unwrap();
        }
        *given = false;
    }

    fn pending(&self) -> bool {
        *self.given.lock().unwrap()
    }

    /// Waits for a signal without consuming it (for the wrong pump below, which clears it afterwards).
    fn wait_given(&self) {
        let mut given = self.given.lock().unwrap();
        while !*given {
            given = self.cv.wait(given).unwrap();
        }
    }

    fn clear(&self) {
        *self.given.lock().unwrap() = false;
    }
}

/// The Rust → JS side of a protocol, so one scenario runs against the new and the old one.
trait Protocol: Target + Send + Sync + 'static {
    fn fresh() -> Self;
    fn push(&self, e: u32) -> Pushed<u32>;
    fn drain(&self) -> Vec<u32>;
    fn step(&self) -> Step;
    fn close(&self);
    fn queued(&self) -> usize;
}

impl Protocol for Mailbox<u32> {
    fn fresh() -> Self {
        Mailbox::new()
    }
    fn push(&self, e: u32) -> Pushed<u32> {
        Mailbox::push(self, e)
    }
    fn drain(&self) -> Vec<u32> {
        Mailbox::drain(self)
    }
    fn step(&self) -> Step {
        Mailbox::step(self)
    }
    fn close(&self) {
        Mailbox::close(self)
    }
    fn queued(&self) -> usize {
        self.snapshot().queued
    }
}

/// The protocol before the fix (runtime/src/dispatch.rs up to 0fc5cf1), kept as a model.
struct OldMailbox {
    queue: Mutex<Vec<u32>>,
    scheduled: AtomicBool,
    closed: AtomicBool,
}

impl Target for OldMailbox {
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

impl Protocol for OldMailbox {
    fn fresh() -> Self {
        OldMailbox { queue: Mutex::new(Vec::new()), scheduled: AtomicBool::new(false), closed: AtomicBool::new(false) }
    }
    fn push(&self, e: u32) -> Pushed<u32> {
        if self.closed.load(Ordering::Acquire) {
            return Pushed::Refused(e);
        }
        self.queue.lock().unwrap().push(e);
        if self.scheduled.swap(true, Ordering::AcqRel) {
            Pushed::Queued
        } else {
            Pushed::Signal
        }
    }
    fn drain(&self) -> Vec<u32> {
        self.scheduled.store(false, Ordering::Release);
        std::mem::take(&mut *self.queue.lock().unwrap())
    }
    fn step(&self) -> Step {
        Step { wake: !self.queue.lock().unwrap().is_empty(), exit: self.closed.load(Ordering::Acquire) }
    }
    fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }
    fn queued(&self) -> usize {
        self.queue.lock().unwrap().len()
    }
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut b = loom::model::Builder::new();
    // Two preemptions per execution: every old-protocol failure below needs no more than that (and
    // the_old_protocol_fails_every_scenario checks they are found), and the whole file runs in seconds; with 3 the
    // four-thread scenario takes over a minute. LOOM_MAX_PREEMPTIONS=3 (or more) explores further.
    if b.preemption_bound.is_none() {
        b.preemption_bound = Some(2);
    }
    b.check(f);
}

/// One dispatcher as production runs it: pushers signal the flusher; the flusher wakes JS; JS drains.
struct Rig<P> {
    mailbox: Arc<P>,
    flusher: Arc<Permit>,
    js: Arc<Permit>,
}

impl<P: Protocol> Rig<P> {
    fn new() -> Rig<P> {
        Rig { mailbox: Arc::new(P::fresh()), flusher: Arc::new(Permit::default()), js: Arc::new(Permit::default()) }
    }

    /// A tokio worker accepting requests: pushes `ids`, signalling when the push says so. Returns how many were
    /// accepted.
    fn pusher(&self, ids: &'static [u32]) -> thread::JoinHandle<usize> {
        let (m, f) = (self.mailbox.clone(), self.flusher.clone());
        thread::spawn(move || {
            let mut accepted = 0;
            for &id in ids {
                match m.push(id) {
                    Pushed::Signal => {
                        f.give();
                        accepted += 1;
                    }
                    Pushed::Queued => accepted += 1,
                    Pushed::Refused(_) => {}
                }
            }
            accepted
        })
    }

    /// The flusher task: wakes JS after each signal when something is queued; ends once closed.
    fn flusher_task(&self) -> thread::JoinHandle<()> {
        let (m, f, js) = (self.mailbox.clone(), self.flusher.clone(), self.js.clone());
        thread::spawn(move || loop {
            f.take();
            let step = m.step();
            if step.wake {
                js.give();
            }
            if step.exit {
                return;
            }
        })
    }

    /// The JS thread: drains once per wake-up until it has seen `n` events.
    fn js_thread(&self, n: usize) -> thread::JoinHandle<()> {
        let (m, js) = (self.mailbox.clone(), self.js.clone());
        thread::spawn(move || {
            let mut got = 0;
            while got < n {
                js.take();
                got += m.drain().len();
            }
        })
    }

    fn shut_down(&self, flusher: thread::JoinHandle<()>) {
        self.mailbox.close();
        self.flusher.give();
        flusher.join().unwrap();
    }
}

fn push_while_js_drains<P: Protocol>() {
    model(|| {
        let rig = Rig::<P>::new();
        let flusher = rig.flusher_task();
        let js = rig.js_thread(3);
        let pusher = rig.pusher(&[1, 2, 3]);
        assert_eq!(pusher.join().unwrap(), 3);
        js.join().unwrap();
        rig.shut_down(flusher);
    });
}

fn push_while_flusher_wakes_js<P: Protocol>() {
    model(|| {
        let rig = Rig::<P>::new();
        let flusher = rig.flusher_task();
        let js = rig.js_thread(3);
        let a = rig.pusher(&[1, 2]);
        let b = rig.pusher(&[3]);
        assert_eq!(a.join().unwrap() + b.join().unwrap(), 3);
        js.join().unwrap();
        rig.shut_down(flusher);
    });
}

fn close_during_a_batch<P: Protocol>() {
    model(|| {
        let rig = Rig::<P>::new();
        let flusher = rig.flusher_task();
        let pusher = rig.pusher(&[1, 2]);
        let closer = {
            let (m, f) = (rig.mailbox.clone(), rig.flusher.clone());
            thread::spawn(move || {
                m.close();
                f.give();
            })
        };
        pusher.join().unwrap();
        closer.join().unwrap();
        flusher.join().unwrap();
        // No JS thread here: what matters is that every accepted event is either taken or owed a wake-up, so the
        // JS thread, whenever it runs, drains it.
        assert!(rig.mailbox.queued() == 0 || rig.js.pending(), "an accepted event is queued and nobody will wake JS for it");
    });
}

/// Requests go to the current dispatcher; a reload installs a new one and closes the old. `retry`: the request
/// follows the swap ([`Current::deliver`]); without it, one push attempt (the old `Bridge::begin_with`).
fn reload_swaps_the_dispatcher<P: Protocol>(retry: bool) {
    model(move || {
        let current = Arc::new(Current::<P>::default());
        let old = Arc::new(P::fresh());
        let new = Arc::new(P::fresh());
        let (old_js, new_js) = (Arc::new(Permit::default()), Arc::new(Permit::default()));
        current.install(old.clone());
        let request = {
            let (current, old, old_js, new_js) = (current.clone(), old.clone(), old_js.clone(), new_js.clone());
            thread::spawn(move || {
                // Direct wake-ups here (one JS permit per dispatcher): the flusher path is covered above.
                let push = |d: &Arc<P>, e: u32| match d.push(e) {
                    Pushed::Refused(e) => Err(e),
                    Pushed::Signal => {
                        if Arc::ptr_eq(d, &old) { &old_js } else { &new_js }.give();
                        Ok(())
                    }
                    Pushed::Queued => Ok(()),
                };
                if retry {
                    current.deliver(1, push).is_ok()
                } else {
                    current.get().is_some_and(|d| push(&d, 1).is_ok())
                }
            })
        };
        current.install(new.clone());
        old.close();
        assert!(request.join().unwrap(), "a request arriving during a reload was refused although the new build was ready");
        for (d, js) in [(&old, &old_js), (&new, &new_js)] {
            assert!(d.queued() == 0 || js.pending(), "the request is queued and its JS thread is not owed a wake-up");
        }
        assert_eq!(old.queued() + new.queued(), 1);
    });
}

/// JS → Rust: JS parks replies and signals the pump once per batch (and at once when the outbox is full); the
/// pump takes everything parked per signal. `clear_after_take`: a wrong pump that clears its signal only after
/// taking the outbox (the Rust → JS bug's shape in this direction), so a signal given during the take is lost.
fn reply_parked_while_a_flush_runs(clear_after_take: bool) {
    model(move || {
        let outbox = Arc::new(Outbox::<u32>::new(3));
        let pump_signal = Arc::new(Permit::default());
        let taken = Arc::new(Mutex::new(0usize));
        let pump = {
            let (outbox, signal, taken) = (outbox.clone(), pump_signal.clone(), taken.clone());
            thread::spawn(move || loop {
                let n = if clear_after_take {
                    signal.wait_given();
                    let n = outbox.take().len();
                    signal.clear();
                    n
                } else {
                    signal.take();
                    outbox.take().len()
                };
                let mut t = taken.lock().unwrap();
                *t += n;
                if *t == 3 {
                    return;
                }
            })
        };
        let js = {
            let (outbox, signal) = (outbox.clone(), pump_signal.clone());
            thread::spawn(move || {
                // Batch 1: one reply, then the batch's flush. Batch 2: two replies, then its flush.
                outbox.park(1);
                signal.give();
                outbox.park(2);
                outbox.park(3);
                signal.give();
            })
        };
        js.join().unwrap();
        pump.join().unwrap();
        assert_eq!(*taken.lock().unwrap(), 3);
    });
}

/// Runs the `#[ignore]`d test `name` (a model of the old protocol) in a child process of this test binary and
/// checks that loom caught it with `expected` in its message. A child, because loom cannot unwind cleanly from a
/// failed model (dropping its objects outside the model aborts the process).
fn caught_in_child(name: &str, expected: &str) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--ignored", "--test-threads=1", "--nocapture"])
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "loom found no failure in {name}:\n{text}");
    assert!(text.contains(expected), "{name} failed, but not with \"{expected}\":\n{text}");
}

#[test]
fn push_while_js_drains_never_loses_a_wakeup() {
    push_while_js_drains::<Mailbox<u32>>();
}

#[test]
fn push_while_the_flusher_wakes_js_never_loses_a_wakeup() {
    push_while_flusher_wakes_js::<Mailbox<u32>>();
}

#[test]
fn close_during_a_batch_delivers_every_accepted_event() {
    close_during_a_batch::<Mailbox<u32>>();
}

#[test]
fn reload_swapping_the_dispatcher_serves_the_request() {
    reload_swaps_the_dispatcher::<Mailbox<u32>>(true);
}

#[test]
fn reply_parked_while_a_flush_runs_is_taken() {
    reply_parked_while_a_flush_runs(false);
}

#[test]
fn the_old_protocol_fails_every_scenario() {
    caught_in_child("old_push_while_js_drains", "deadlock");
    caught_in_child("old_push_while_flusher_wakes_js", "deadlock");
    caught_in_child("old_close_during_a_batch", "nobody will wake JS");
    caught_in_child("old_reload_swaps_the_dispatcher", "was refused");
    caught_in_child("wrong_pump_clears_its_signal_after_taking", "deadlock");
}

#[test]
#[ignore = "a model of the old protocol: must fail (run by the_old_protocol_fails_every_scenario)"]
fn old_push_while_js_drains() {
    push_while_js_drains::<OldMailbox>();
}

#[test]
#[ignore = "a model of the old protocol: must fail (run by the_old_protocol_fails_every_scenario)"]
fn old_push_while_flusher_wakes_js() {
    push_while_flusher_wakes_js::<OldMailbox>();
}

#[test]
#[ignore = "a model of the old protocol: must fail (run by the_old_protocol_fails_every_scenario)"]
fn old_close_during_a_batch() {
    close_during_a_batch::<OldMailbox>();
}

#[test]
#[ignore = "a model of the old protocol: must fail (run by the_old_protocol_fails_every_scenario)"]
fn old_reload_swaps_the_dispatcher() {
    reload_swaps_the_dispatcher::<OldMailbox>(false);
}

#[test]
#[ignore = "a wrong pump: must fail (run by the_old_protocol_fails_every_scenario)"]
fn wrong_pump_clears_its_signal_after_taking() {
    reply_parked_while_a_flush_runs(true);
}
