//! The NATS JetStream provider. Layout on the server (all names start with the configured prefix, so several apps
//! can share one server): one stream per topic (`<prefix>_<topic>`, subject `<prefix>.<topic>`, file storage),
//! one durable pull consumer per subscription (`<subscription>`, explicit acks, ack wait = the ack deadline), and
//! one dead-letter stream (`<prefix>-deadletters`, subjects `<prefix>-dl.<topic>.<subscription>`), and one stream of
//! cron tick claims (`<prefix>-cron`, see [`NatsPubSub::claim_cron_tick`]).
//! A durable consumer is shared by every process that subscribes with the same name, so replicas split the work
//! and each message is handled by one of them; an unacked message (handler failed, timed out or its process died)
//! is delivered again.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::{self, consumer::pull, consumer::AckPolicy, consumer::DeliverPolicy, stream, AckKind};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use super::memory::{dead_fields, retry_fields};
use super::{attempt, decide, BoxFut, DeadLetter, Delivery, Handler, Outcome, PubSub, PubSubError, SubscriptionSpec};
use crate::events::{emit, Level, Sink};

const MAX_IN_FLIGHT: u32 = 1 << 20;
const DEFAULT_MAX_ACK_PENDING: i64 = 1000;

pub struct NatsPubSub {
    js: jetstream::Context,
    client: async_nats::Client,
    prefix: String,
    streams: Mutex<HashSet<String>>,
    fetchers: Mutex<Vec<JoinHandle<()>>>,
    closed: Arc<AtomicBool>,
    in_flight: Arc<Semaphore>,
    sink: Sink,
}

/// Stream and consumer names allow letters, digits, `-` and `_` only.
pub fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

impl NatsPubSub {
    pub async fn connect(url: &str, prefix: &str, sink: Sink) -> Result<Self, PubSubError> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|e| PubSubError::Connect { url: url.into(), message: e.to_string() })?;
        let js = jetstream::new(client.clone());
        Ok(NatsPubSub {
            js,
            client,
            prefix: prefix.into(),
            streams: Mutex::default(),
            fetchers: Mutex::default(),
            closed: Arc::new(AtomicBool::new(false)),
            in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT as usize)),
            sink,
        })
    }

    pub fn stream_name(&self, topic: &str) -> String {
        format!("{}_{}", self.prefix, sanitize(topic))
    }

    pub fn subject(&self, topic: &str) -> String {
        format!("{}.{}", self.prefix, sanitize(topic))
    }

    fn dead_stream(&self) -> String {
        format!("{}-deadletters", self.prefix)
    }

    fn dead_subject(&self, topic: &str, sub: &str) -> String {
        format!("{}-dl.{}.{}", self.prefix, sanitize(topic), sanitize(sub))
    }

    async fn ensure_stream(&self, name: String, subjects: Vec<String>, max_age: Duration, topic: &str) -> Result<stream::Stream, PubSubError> {
        let s = self
            .js
            .get_or_create_stream(stream::Config {
                name: name.clone(),
                subjects,
                max_age,
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(|e| PubSubError::Setup { topic: topic.into(), message: e.to_string() })?;
        self.streams.lock().unwrap().insert(name);
        Ok(s)
    }

    async fn topic_stream(&self, topic: &str, retention: Duration) -> Result<stream::Stream, PubSubError> {
        self.ensure_stream(self.stream_name(topic), vec![self.subject(topic)], retention, topic).await
    }
}

const DEFAULT_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// How long the server remembers a claimed cron tick. It only has to cover the spread between replicas reaching the
/// same tick (clock skew plus timer and network delay); the id names the tick itself, so distinct ticks never
/// collide however long the window is, and the stream holds one tiny message per tick for this long.
pub const CRON_CLAIM_WINDOW: Duration = Duration::from_secs(3600);

impl NatsPubSub {
    fn cron_stream(&self) -> String {
        format!("{}-cron", self.prefix)
    }

    /// Claims one scheduled tick of a cron job for this process: every replica publishes the same message id
    /// (`Nats-Msg-Id` = job + tick) to the `<prefix>-cron` stream, and JetStream's duplicate detection stores the
    /// first and answers every later publish within the window with `duplicate: true`. The decision is one atomic
    /// step on the server: no lock to release, no lease to expire, nothing to clean up (`max_age`).
    pub async fn claim_cron_tick(&self, job: &str, tick: &str) -> Result<bool, PubSubError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(PubSubError::Closed);
        }
        let stream = self.cron_stream();
        let perr = |e: String| PubSubError::Publish { topic: stream.clone(), message: e };
        if !self.streams.lock().unwrap().contains(&stream) {
            self.js
                .get_or_create_stream(stream::Config {
                    name: stream.clone(),
                    subjects: vec![format!("{stream}.>")],
                    max_age: CRON_CLAIM_WINDOW,
                    duplicate_window: CRON_CLAIM_WINDOW,
                    storage: stream::StorageType::File,
                    ..Default::default()
                })
                .await
                .map_err(|e| PubSubError::Setup { topic: stream.clone(), message: e.to_string() })?;
            self.streams.lock().unwrap().insert(stream.clone());
        }
        let id: String = url::form_urlencoded::byte_serialize(format!("{job}@{tick}").as_bytes()).collect();
        let message = jetstream::message::PublishMessage::build().message_id(&id).payload(Bytes::from(tick.to_string()));
        let ack = self.js.send_publish(format!("{stream}.{}", sanitize(job)), message).await.map_err(|e| perr(e.to_string()))?;
        let ack = ack.await.map_err(|e| perr(e.to_string()))?;
        Ok(!ack.duplicate)
    }
}

impl crate::cron::TickClaim for NatsPubSub {
    fn claim<'a>(&'a self, job: &'a str, tick: chrono::DateTime<chrono::Utc>) -> BoxFut<'a, Result<bool, String>> {
        Box::pin(async move { self.claim_cron_tick(job, &tick.to_rfc3339()).await.map_err(|e| e.to_string()) })
    }
}

impl PubSub for NatsPubSub {
    fn publish_with<'a>(&'a self, topic: &'a str, payload: Bytes, traceparent: Option<&'a str>) -> BoxFut<'a, Result<String, PubSubError>> {
        Box::pin(async move {
            if self.closed.load(Ordering::Acquire) {
                return Err(PubSubError::Closed);
            }
            if !self.streams.lock().unwrap().contains(&self.stream_name(topic)) {
                self.topic_stream(topic, DEFAULT_RETENTION).await?;
            }
            let perr = |e: String| PubSubError::Publish { topic: topic.into(), message: e };
            let ack = match traceparent {
                Some(tp) => {
                    let mut headers = async_nats::HeaderMap::new();
                    headers.insert("traceparent", tp);
                    self.js.publish_with_headers(self.subject(topic), headers, payload).await
                }
                None => self.js.publish(self.subject(topic), payload).await,
            }
            .map_err(|e| perr(e.to_string()))?;
            // Waiting for the server's ack is what makes publish durable: the message is stored when we return.
            let ack = ack.await.map_err(|e| perr(e.to_string()))?;
            Ok(ack.sequence.to_string())
        })
    }

    fn subscribe(&self, spec: SubscriptionSpec, handler: Arc<dyn Handler>) -> BoxFut<'_, Result<(), PubSubError>> {
        Box::pin(async move {
            spec.validate()?;
            let stream = self.topic_stream(&spec.topic, spec.message_retention.max(DEFAULT_RETENTION)).await?;
            self.ensure_stream(self.dead_stream(), vec![format!("{}-dl.>", self.prefix)], DEFAULT_RETENTION, &spec.topic).await?;
            let durable = sanitize(&spec.name);
            let consumer: jetstream::consumer::PullConsumer = stream
                .get_or_create_consumer(
                    &durable,
                    pull::Config {
                        durable_name: Some(durable.clone()),
                        ack_policy: AckPolicy::Explicit,
                        deliver_policy: DeliverPolicy::All,
                        ack_wait: spec.ack_deadline,
                        // Retries are counted and dead-lettered here, so the server never gives up on its own.
                        max_deliver: -1,
                        max_ack_pending: spec.max_concurrency.map(|n| n as i64).unwrap_or(DEFAULT_MAX_ACK_PENDING),
                        filter_subject: self.subject(&spec.topic),
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| PubSubError::Setup { topic: spec.topic.clone(), message: e.to_string() })?;
            let limit = Arc::new(Semaphore::new(spec.max_concurrency.unwrap_or(MAX_IN_FLIGHT as usize)));
            let (closed, in_flight, sink, js) = (self.closed.clone(), self.in_flight.clone(), self.sink.clone(), self.js.clone());
            let dead_subject = self.dead_subject(&spec.topic, &spec.name);
            let task = tokio::spawn(async move {
                while !closed.load(Ordering::Acquire) {
                    let mut messages = match consumer.messages().await {
                        Ok(m) => m,
                        Err(e) => {
                            emit(&sink, Level::Warn, "pubsub: cannot pull from NATS, retrying", serde_json::json!({ "subscription": spec.name, "error": e.to_string() }));
                            tokio::time::sleep(Duration::from_millis(500)).await;
                            continue;
                        }
                    };
                    while let Some(next) = messages.next().await {
                        if closed.load(Ordering::Acquire) {
                            return;
                        }
                        let msg = match next {
                            Ok(m) => m,
                            // Missing heartbeats and similar are transient: the stream keeps going.
                            Err(_) => continue,
                        };
                        let Ok(permit) = limit.clone().acquire_owned().await else { return };
                        let Ok(flight) = in_flight.clone().acquire_owned().await else { return };
                        let (handler, spec, sink, js, dead_subject) = (handler.clone(), spec.clone(), sink.clone(), js.clone(), dead_subject.clone());
                        tokio::spawn(async move {
                            let _flight = flight;
                            let (id, n) = match msg.info() {
                                Ok(i) => (i.stream_sequence.to_string(), i.delivered.max(1) as u32),
                                Err(_) => (String::new(), 1),
                            };
                            let traceparent = msg.headers.as_ref().and_then(|h| h.get("traceparent")).map(|v| v.as_str().to_string());
                            let d = Delivery { id, topic: spec.topic.clone(), subscription: spec.name.clone(), payload: msg.payload.clone(), attempt: n, traceparent };
                            // A message delivered again after its last allowed attempt (its process died mid-handler)
                            // goes straight to the dead letters instead of running once more.
                            let result = if n > spec.retry.max_retries + 1 {
                                Err("delivered after its last retry (the handler never acknowledged it)".to_string())
                            } else {
                                attempt(&handler, d.clone(), spec.ack_deadline).await
                            };
                            drop(permit);
                            let ack = match decide(&result, n, &spec.retry) {
                                Outcome::Ack => msg.double_ack().await,
                                Outcome::Retry(delay) => {
                                    emit(&sink, Level::Warn, "pubsub: handler failed, retrying", retry_fields(&d, &result, delay));
                                    msg.ack_with(AckKind::Nak(Some(delay))).await
                                }
                                Outcome::DeadLetter(error) => {
                                    emit(&sink, Level::Error, "pubsub: message dead-lettered after its last retry", dead_fields(&d, &error));
                                    let mut headers = async_nats::HeaderMap::new();
                                    headers.insert("Reprise-Message-Id", d.id.as_str());
                                    headers.insert("Reprise-Attempts", n.to_string().as_str());
                                    headers.insert("Reprise-Error", error.replace(['\r', '\n'], " ").as_str());
                                    match js.publish_with_headers(dead_subject, headers, d.payload.clone()).await {
                                        Ok(f) => match f.await {
                                            Ok(_) => msg.double_ack_with(AckKind::Term).await,
                                            // Not stored as a dead letter: leave it unacked so it is delivered again.
                                            Err(e) => Err(e.into()),
                                        },
                                        Err(e) => Err(e.into()),
                                    }
                                }
                            };
                            if let Err(e) = ack {
                                emit(&sink, Level::Warn, "pubsub: acknowledgement failed; the message will be delivered again", serde_json::json!({ "subscription": d.subscription, "messageId": d.id, "error": e.to_string() }));
                            }
                        });
                    }
                }
            });
            self.fetchers.lock().unwrap().push(task);
            Ok(())
        })
    }

    fn dead_letters<'a>(&'a self, topic: &'a str, subscription: &'a str) -> BoxFut<'a, Result<Vec<DeadLetter>, PubSubError>> {
        Box::pin(async move {
            let setup = |e: String| PubSubError::Setup { topic: topic.into(), message: e };
            let stream = self.ensure_stream(self.dead_stream(), vec![format!("{}-dl.>", self.prefix)], DEFAULT_RETENTION, topic).await?;
            let info = stream.get_info().await.map_err(|e| setup(e.to_string()))?;
            let mut out = Vec::new();
            let subject = self.dead_subject(topic, subscription);
            if info.state.messages == 0 {
                return Ok(out);
            }
            let consumer = stream
                .create_consumer(pull::OrderedConfig { filter_subject: subject, deliver_policy: DeliverPolicy::All, ..Default::default() })
                .await
                .map_err(|e| setup(e.to_string()))?;
            let pending = consumer.cached_info().num_pending;
            let mut msgs = consumer.messages().await.map_err(|e| setup(e.to_string()))?;
            for _ in 0..pending {
                let Ok(Some(Ok(m))) = tokio::time::timeout(Duration::from_secs(5), msgs.next()).await else { break };
                let h = m.headers.clone().unwrap_or_default();
                let get = |k: &str| h.get(k).map(|v| v.as_str().to_string()).unwrap_or_default();
                out.push(DeadLetter {
                    id: get("Reprise-Message-Id"),
                    topic: topic.into(),
                    subscription: subscription.into(),
                    attempts: get("Reprise-Attempts").parse().unwrap_or(0),
                    error: get("Reprise-Error"),
                    payload: m.payload.clone(),
                });
            }
            Ok(out)
        })
    }

    fn take_dead_letter<'a>(&'a self, topic: &'a str, subscription: &'a str, id: &'a str) -> BoxFut<'a, Result<Option<DeadLetter>, PubSubError>> {
        Box::pin(async move {
            let setup = |e: String| PubSubError::Setup { topic: topic.into(), message: e };
            let stream = self.ensure_stream(self.dead_stream(), vec![format!("{}-dl.>", self.prefix)], DEFAULT_RETENTION, topic).await?;
            let info = stream.get_info().await.map_err(|e| setup(e.to_string()))?;
            if info.state.messages == 0 {
                return Ok(None);
            }
            let subject = self.dead_subject(topic, subscription);
            let consumer = stream
                .create_consumer(pull::OrderedConfig { filter_subject: subject, deliver_policy: DeliverPolicy::All, ..Default::default() })
                .await
                .map_err(|e| setup(e.to_string()))?;
            let pending = consumer.cached_info().num_pending;
            let mut msgs = consumer.messages().await.map_err(|e| setup(e.to_string()))?;
            for _ in 0..pending {
                let Ok(Some(Ok(m))) = tokio::time::timeout(Duration::from_secs(5), msgs.next()).await else { break };
                let h = m.headers.clone().unwrap_or_default();
                let get = |k: &str| h.get(k).map(|v| v.as_str().to_string()).unwrap_or_default();
                if get("Reprise-Message-Id") != id {
                    continue;
                }
                let seq = m.info().map_err(|e| setup(e.to_string()))?.stream_sequence;
                stream.delete_message(seq).await.map_err(|e| setup(e.to_string()))?;
                return Ok(Some(DeadLetter {
                    id: id.into(),
                    topic: topic.into(),
                    subscription: subscription.into(),
                    attempts: get("Reprise-Attempts").parse().unwrap_or(0),
                    error: get("Reprise-Error"),
                    payload: m.payload.clone(),
                }));
            }
            Ok(None)
        })
    }

    fn shutdown(&self) -> BoxFut<'_, ()> {
        Box::pin(async move {
            self.closed.store(true, Ordering::Release);
            for t in self.fetchers.lock().unwrap().drain(..) {
                t.abort();
            }
            let _ = tokio::time::timeout(Duration::from_secs(10), self.in_flight.acquire_many(MAX_IN_FLIGHT)).await;
            let _ = self.client.flush().await;
        })
    }
}
