//! The in-process provider, the default: one queue per subscription inside this process. Same retry, dead-letter
//! and concurrency behaviour as NATS, but nothing survives a restart (messages not yet acked are lost): durability
//! across restarts and sharing across replicas need the NATS provider.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, Semaphore};

use super::{attempt, decide, BoxFut, DeadLetter, Delivery, Handler, Outcome, PubSub, PubSubError, SubscriptionSpec};
use crate::events::{emit, Level, Sink};

struct Sub {
    name: String,
    tx: mpsc::UnboundedSender<Delivery>,
}

#[derive(Default)]
struct State {
    topics: HashMap<String, Vec<Sub>>,
    dead: HashMap<(String, String), Vec<DeadLetter>>,
}

pub struct MemoryPubSub {
    state: Arc<Mutex<State>>,
    next_id: AtomicU64,
    closed: Arc<AtomicBool>,
    in_flight: Arc<Semaphore>,
    sink: Sink,
}

/// Upper bound on handlers running at once across all subscriptions (and what shutdown waits for).
const MAX_IN_FLIGHT: u32 = 1 << 20;

impl MemoryPubSub {
    pub fn new(sink: Sink) -> Self {
        MemoryPubSub {
            state: Arc::default(),
            next_id: AtomicU64::new(1),
            closed: Arc::new(AtomicBool::new(false)),
            in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT as usize)),
            sink,
        }
    }
}

impl PubSub for MemoryPubSub {
    fn publish_with<'a>(&'a self, topic: &'a str, payload: Bytes, traceparent: Option<&'a str>) -> BoxFut<'a, Result<String, PubSubError>> {
        Box::pin(async move {
            if self.closed.load(Ordering::Acquire) {
                return Err(PubSubError::Closed);
            }
            let id = self.next_id.fetch_add(1, Ordering::Relaxed).to_string();
            let state = self.state.lock().unwrap();
            for sub in state.topics.get(topic).map(Vec::as_slice).unwrap_or(&[]) {
                let d = Delivery { id: id.clone(), topic: topic.to_string(), subscription: sub.name.clone(), payload: payload.clone(), attempt: 1, traceparent: traceparent.map(str::to_string) };
                // A closed receiver means the worker stopped at shutdown; the message is dropped like any
                // unacked in-process message.
                let _ = sub.tx.send(d);
            }
            Ok(id)
        })
    }

    fn subscribe(&self, spec: SubscriptionSpec, handler: Arc<dyn Handler>) -> BoxFut<'_, Result<(), PubSubError>> {
        Box::pin(async move {
            spec.validate()?;
            let (tx, mut rx) = mpsc::unbounded_channel::<Delivery>();
            {
                let mut state = self.state.lock().unwrap();
                let subs = state.topics.entry(spec.topic.clone()).or_default();
                if subs.iter().any(|s| s.name == spec.name) {
                    return Err(PubSubError::DuplicateSubscription { topic: spec.topic, subscription: spec.name });
                }
                subs.push(Sub { name: spec.name.clone(), tx: tx.clone() });
            }
            let limit = Arc::new(Semaphore::new(spec.max_concurrency.unwrap_or(MAX_IN_FLIGHT as usize)));
            let (state, closed, in_flight, sink) = (self.state.clone(), self.closed.clone(), self.in_flight.clone(), self.sink.clone());
            // Retries hold only a weak sender: once the topic registry drops the subscription (shutdown), the
            // queue closes, this worker ends and releases the handler.
            let tx = tx.downgrade();
            tokio::spawn(async move {
                while let Some(d) = rx.recv().await {
                    if closed.load(Ordering::Acquire) {
                        break;
                    }
                    let Ok(permit) = limit.clone().acquire_owned().await else { break };
                    let Ok(flight) = in_flight.clone().acquire_owned().await else { break };
                    let (handler, spec, tx, state, sink) = (handler.clone(), spec.clone(), tx.clone(), state.clone(), sink.clone());
                    tokio::spawn(async move {
                        let n = d.attempt;
                        let result = attempt(&handler, d.clone(), spec.ack_deadline).await;
                        drop(permit);
                        drop(flight);
                        match decide(&result, n, &spec.retry) {
                            Outcome::Ack => {}
                            Outcome::Retry(delay) => {
                                emit(&sink, Level::Warn, "pubsub: handler failed, retrying", retry_fields(&d, &result, delay));
                                tokio::time::sleep(delay).await;
                                if let Some(tx) = tx.upgrade() {
                                    let _ = tx.send(Delivery { attempt: n + 1, ..d });
                                }
                            }
                            Outcome::DeadLetter(error) => {
                                emit(&sink, Level::Error, "pubsub: message dead-lettered after its last retry", dead_fields(&d, &error));
                                let dl = DeadLetter { id: d.id, topic: d.topic.clone(), subscription: d.subscription.clone(), attempts: n, error, payload: d.payload };
                                state.lock().unwrap().dead.entry((d.topic, d.subscription)).or_default().push(dl);
                            }
                        }
                    });
                }
            });
            Ok(())
        })
    }

    fn dead_letters<'a>(&'a self, topic: &'a str, subscription: &'a str) -> BoxFut<'a, Result<Vec<DeadLetter>, PubSubError>> {
        Box::pin(async move {
            let state = self.state.lock().unwrap();
            Ok(state.dead.get(&(topic.to_string(), subscription.to_string())).cloned().unwrap_or_default())
        })
    }

    fn take_dead_letter<'a>(&'a self, topic: &'a str, subscription: &'a str, id: &'a str) -> BoxFut<'a, Result<Option<DeadLetter>, PubSubError>> {
        Box::pin(async move {
            let mut state = self.state.lock().unwrap();
            let Some(list) = state.dead.get_mut(&(topic.to_string(), subscription.to_string())) else { return Ok(None) };
            Ok(list.iter().position(|d| d.id == id).map(|i| list.remove(i)))
        })
    }

    fn shutdown(&self) -> BoxFut<'_, ()> {
        Box::pin(async move {
            self.closed.store(true, Ordering::Release);
            self.state.lock().unwrap().topics.clear();
            // Wait (bounded) until every in-flight handler has returned its permit.
            let _ = tokio::time::timeout(Duration::from_secs(10), self.in_flight.acquire_many(MAX_IN_FLIGHT)).await;
        })
    }
}

pub(crate) fn retry_fields(d: &Delivery, result: &Result<(), String>, delay: Duration) -> serde_json::Value {
    serde_json::json!({
        "topic": d.topic, "subscription": d.subscription, "messageId": d.id, "attempt": d.attempt,
        "error": result.as_ref().err(), "retryInMs": delay.as_millis() as u64,
    })
}

pub(crate) fn dead_fields(d: &Delivery, error: &str) -> serde_json::Value {
    serde_json::json!({ "topic": d.topic, "subscription": d.subscription, "messageId": d.id, "attempts": d.attempt, "error": error })
}
