//! Hands finished traces from the request path to a background thread through a bounded queue. A request never
//! waits here: when the channel is full the trace is dropped and counted, because losing a trace under overload is
//! better than slowing the request that produced it.

use crate::model::TraceRecord;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the writer thread sleeps between drains when the queue is not filling up. Waking it per trace would
/// cost a futex wake and a context switch on the request path for every kept trace; draining in batches costs a
/// couple of hundred wake-ups a second whatever the load.
const DRAIN_INTERVAL: Duration = Duration::from_millis(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error("the trace writer's queue is full; the trace was dropped")]
    Full,
    #[error("the trace writer has stopped; the trace was dropped")]
    Closed,
}

#[derive(Debug, thiserror::Error)]
pub enum WriterError {
    #[error("could not start the trace writer thread: {0}")]
    Spawn(#[from] std::io::Error),
}

#[derive(Default, Debug)]
pub struct WriterCounters {
    pub submitted: AtomicU64,
    pub dropped_full: AtomicU64,
    pub written: AtomicU64,
}

struct Shared {
    queue: Mutex<Vec<TraceRecord>>,
    capacity: usize,
    closed: AtomicBool,
    counters: WriterCounters,
}

pub struct TraceWriter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl TraceWriter {
    /// Starts the writer thread; `consume` runs there for every trace, in submission order.
    pub fn spawn(capacity: usize, mut consume: impl FnMut(TraceRecord) + Send + 'static) -> Result<TraceWriter, WriterError> {
        let capacity = capacity.max(1);
        let shared = Arc::new(Shared {
            queue: Mutex::new(Vec::with_capacity(capacity.min(1024))),
            capacity,
            closed: AtomicBool::new(false),
            counters: WriterCounters::default(),
        });
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new().name("reprise-trace-writer".into()).spawn(move || {
            let mut batch = Vec::new();
            loop {
                let closed = thread_shared.closed.load(Ordering::Acquire);
                std::mem::swap(&mut batch, &mut *thread_shared.lock());
                let drained = !batch.is_empty();
                for record in batch.drain(..) {
                    consume(record);
                    thread_shared.counters.written.fetch_add(1, Ordering::Relaxed);
                }
                if closed && !drained {
                    return;
                }
                if !drained {
                    std::thread::park_timeout(DRAIN_INTERVAL);
                }
            }
        })?;
        Ok(TraceWriter { shared, thread: Some(thread) })
    }

    /// Never blocks on the writer: a short push under a lock, or a drop when the queue is full.
    pub fn submit(&self, record: TraceRecord) -> Result<(), SubmitError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(SubmitError::Closed);
        }
        let len = {
            let mut queue = self.shared.lock();
            if queue.len() >= self.shared.capacity {
                drop(queue);
                self.shared.counters.dropped_full.fetch_add(1, Ordering::Relaxed);
                return Err(SubmitError::Full);
            }
            queue.push(record);
            queue.len()
        };
        self.shared.counters.submitted.fetch_add(1, Ordering::Relaxed);
        // A queue filling up faster than the drain interval gets the writer woken early instead of dropping.
        if len == self.shared.capacity.div_ceil(2) {
            if let Some(thread) = &self.thread {
                thread.thread().unpark();
            }
        }
        Ok(())
    }

    pub fn counters(&self) -> &WriterCounters {
        &self.shared.counters
    }

    /// Stops accepting traces and waits until the ones already queued are written.
    pub fn close(&mut self) {
        self.shared.closed.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<TraceRecord>> {
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for TraceWriter {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TraceId;
    use std::sync::mpsc::channel;
    use std::time::{Duration, Instant};

    fn record() -> TraceRecord {
        TraceRecord { trace_id: TraceId::random(), spans: Vec::new(), dropped_spans: 0 }
    }

    #[test]
    fn a_full_queue_drops_and_counts_without_blocking() {
        let (took_tx, took_rx) = channel::<()>();
        let (release_tx, release_rx) = channel::<()>();
        let mut writer = TraceWriter::spawn(4, move |_record| {
            took_tx.send(()).unwrap();
            release_rx.recv().unwrap();
        })
        .unwrap();
        // The consumer holds the first trace, so exactly `capacity` more fit in the queue.
        writer.submit(record()).unwrap();
        took_rx.recv_timeout(Duration::from_secs(10)).expect("writer thread took the first trace");
        for _ in 0..4 {
            writer.submit(record()).unwrap();
        }
        let started = Instant::now();
        for _ in 0..100 {
            assert_eq!(writer.submit(record()), Err(SubmitError::Full));
        }
        assert!(started.elapsed() < Duration::from_millis(100), "submitting to a full queue must not wait");
        assert_eq!(writer.counters().dropped_full.load(Ordering::Relaxed), 100);
        assert_eq!(writer.counters().submitted.load(Ordering::Relaxed), 5);
        for _ in 0..5 {
            release_tx.send(()).unwrap();
        }
        writer.close();
        assert_eq!(writer.counters().written.load(Ordering::Relaxed), 5);
        assert_eq!(writer.submit(record()), Err(SubmitError::Closed));
    }
}
