//! Hands finished traces from the request path to a background thread through a bounded channel. A request never
//! waits here: when the channel is full the trace is dropped and counted, because losing a trace under overload is
//! better than slowing the request that produced it.

use crate::model::TraceRecord;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;

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

pub struct TraceWriter {
    sender: Option<SyncSender<TraceRecord>>,
    counters: Arc<WriterCounters>,
    thread: Option<JoinHandle<()>>,
}

impl TraceWriter {
    /// Starts the writer thread; `consume` runs there for every trace, in submission order.
    pub fn spawn(capacity: usize, mut consume: impl FnMut(TraceRecord) + Send + 'static) -> Result<TraceWriter, WriterError> {
        let (sender, receiver) = sync_channel::<TraceRecord>(capacity);
        let counters = Arc::new(WriterCounters::default());
        let thread_counters = counters.clone();
        let thread = std::thread::Builder::new().name("reprise-trace-writer".into()).spawn(move || {
            while let Ok(record) = receiver.recv() {
                consume(record);
                thread_counters.written.fetch_add(1, Ordering::Relaxed);
            }
        })?;
        Ok(TraceWriter { sender: Some(sender), counters, thread: Some(thread) })
    }

    /// Never blocks.
    pub fn submit(&self, record: TraceRecord) -> Result<(), SubmitError> {
        let sender = self.sender.as_ref().ok_or(SubmitError::Closed)?;
        match sender.try_send(record) {
            Ok(()) => {
                self.counters.submitted.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(TrySendError::Full(_)) => {
                self.counters.dropped_full.fetch_add(1, Ordering::Relaxed);
                Err(SubmitError::Full)
            }
            Err(TrySendError::Disconnected(_)) => Err(SubmitError::Closed),
        }
    }

    pub fn counters(&self) -> &WriterCounters {
        &self.counters
    }

    /// Stops accepting traces and waits until the ones already queued are written.
    pub fn close(&mut self) {
        self.sender.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
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
