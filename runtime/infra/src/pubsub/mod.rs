//! Pub/sub behind one trait so an app's topics and subscriptions run in-process on a laptop and on NATS JetStream
//! in production, with the same delivery semantics: at-least-once, ack only after the handler resolves, retries
//! with the subscription's exponential backoff, a dead letter after `maxRetries`, bounded concurrency and an ack
//! deadline per attempt. The policy (what to do after an attempt) is shared; providers only move bytes.

mod memory;
mod nats;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

pub use memory::MemoryPubSub;
pub use nats::NatsPubSub;

pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum PubSubError {
    #[error("cannot connect to NATS at {url}: {message}")]
    Connect { url: String, message: String },
    #[error("NATS JetStream setup for topic `{topic}` failed: {message}")]
    Setup { topic: String, message: String },
    #[error("publishing to topic `{topic}` failed: {message}")]
    Publish { topic: String, message: String },
    #[error("subscription `{subscription}` on topic `{topic}` is already registered")]
    DuplicateSubscription { topic: String, subscription: String },
    #[error("invalid subscription `{subscription}`: {message}")]
    InvalidSpec { subscription: String, message: String },
    #[error("the pub/sub provider is shut down")]
    Closed,
}

/// Backoff policy of a subscription (durations already in `Duration`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Attempts after the first one; 0 = dead-letter on the first failure.
    pub max_retries: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { min_backoff: Duration::from_secs(10), max_backoff: Duration::from_secs(600), max_retries: 100 }
    }
}

impl RetryPolicy {
    /// Delay before attempt `failed_attempt + 1`: min_backoff · 2^(failed_attempt−1), capped at max_backoff.
    pub fn backoff(&self, failed_attempt: u32) -> Duration {
        let exp = failed_attempt.saturating_sub(1).min(30);
        let d = self.min_backoff.saturating_mul(1u32 << exp);
        d.min(self.max_backoff).max(self.min_backoff.min(self.max_backoff))
    }
}

#[derive(Debug, Clone)]
pub struct SubscriptionSpec {
    pub topic: String,
    pub name: String,
    pub ack_deadline: Duration,
    pub message_retention: Duration,
    /// None = provider default (unbounded in-process, 1000 outstanding on NATS).
    pub max_concurrency: Option<usize>,
    pub retry: RetryPolicy,
}

impl SubscriptionSpec {
    pub fn new(topic: &str, name: &str) -> Self {
        SubscriptionSpec {
            topic: topic.into(),
            name: name.into(),
            ack_deadline: Duration::from_secs(30),
            message_retention: Duration::from_secs(7 * 24 * 3600),
            max_concurrency: None,
            retry: RetryPolicy::default(),
        }
    }

    fn validate(&self) -> Result<(), PubSubError> {
        let bad = |m: &str| Err(PubSubError::InvalidSpec { subscription: self.name.clone(), message: m.into() });
        if self.ack_deadline.is_zero() {
            return bad("ackDeadline must be positive");
        }
        if self.max_concurrency == Some(0) {
            return bad("maxConcurrency must be at least 1");
        }
        if self.retry.min_backoff > self.retry.max_backoff {
            return bad("retryPolicy.minBackoff is larger than retryPolicy.maxBackoff");
        }
        Ok(())
    }
}

/// One delivery of a message to a subscription.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub topic: String,
    pub subscription: String,
    pub payload: Bytes,
    /// 1 for the first delivery.
    pub attempt: u32,
    /// The W3C `traceparent` of the publish span, carried with the message (in-process: alongside it; NATS: a
    /// `traceparent` message header) so the delivery's trace continues the publisher's.
    pub traceparent: Option<String>,
}

/// The subscription's handler (in the runtime: a JavaScript function). `Err` carries the failure text.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, delivery: Delivery) -> BoxFut<'static, Result<(), String>>;
}

impl<F, Fut> Handler for F
where
    F: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    fn handle(&self, delivery: Delivery) -> BoxFut<'static, Result<(), String>> {
        Box::pin(self(delivery))
    }
}

/// A message that exhausted its retries.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    pub id: String,
    pub topic: String,
    pub subscription: String,
    pub attempts: u32,
    pub error: String,
    #[serde(skip)]
    pub payload: Bytes,
}

pub trait PubSub: Send + Sync + 'static {
    /// Stores the message for every subscription of the topic; returns its id.
    fn publish<'a>(&'a self, topic: &'a str, payload: Bytes) -> BoxFut<'a, Result<String, PubSubError>> {
        self.publish_with(topic, payload, None)
    }
    /// [`PubSub::publish`] carrying the publisher's W3C `traceparent`; every delivery of the message gets it back
    /// in [`Delivery::traceparent`].
    fn publish_with<'a>(&'a self, topic: &'a str, payload: Bytes, traceparent: Option<&'a str>) -> BoxFut<'a, Result<String, PubSubError>>;
    /// Starts delivering to `handler`. With NATS, subscriptions of the same name in several processes share the
    /// work: each message goes to one of them.
    fn subscribe(&self, spec: SubscriptionSpec, handler: Arc<dyn Handler>) -> BoxFut<'_, Result<(), PubSubError>>;
    /// Dead letters of a subscription, oldest first.
    fn dead_letters<'a>(&'a self, topic: &'a str, subscription: &'a str) -> BoxFut<'a, Result<Vec<DeadLetter>, PubSubError>>;
    /// Removes one dead letter (the admin route's redrive publishes it again); `None` when there is no such id.
    fn take_dead_letter<'a>(&'a self, topic: &'a str, subscription: &'a str, id: &'a str) -> BoxFut<'a, Result<Option<DeadLetter>, PubSubError>>;
    /// Stops fetching new messages and waits (bounded) for in-flight handlers.
    fn shutdown(&self) -> BoxFut<'_, ()>;
}

/// What to do after one attempt.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Ack,
    Retry(Duration),
    DeadLetter(String),
}

pub(crate) fn decide(result: &Result<(), String>, attempt: u32, retry: &RetryPolicy) -> Outcome {
    match result {
        Ok(()) => Outcome::Ack,
        Err(e) if attempt > retry.max_retries => Outcome::DeadLetter(e.clone()),
        Err(_) => Outcome::Retry(retry.backoff(attempt)),
    }
}

/// Runs the handler once, bounded by the ack deadline (a handler still running then counts as failed; the
/// message is redelivered, so at-least-once holds even when a handler hangs).
pub(crate) async fn attempt(handler: &Arc<dyn Handler>, delivery: Delivery, ack_deadline: Duration) -> Result<(), String> {
    match tokio::time::timeout(ack_deadline, handler.handle(delivery)).await {
        Ok(r) => r,
        Err(_) => Err(format!("handler did not finish within the ack deadline ({} ms)", ack_deadline.as_millis())),
    }
}

#[cfg(test)]
mod tests;
