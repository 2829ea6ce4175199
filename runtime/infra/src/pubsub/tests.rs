use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use super::*;
use crate::events::{MemorySink, Sink};
use crate::testutil::NatsServer;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn fast_spec(topic: &str, name: &str, max_retries: u32) -> SubscriptionSpec {
    SubscriptionSpec {
        ack_deadline: Duration::from_secs(5),
        retry: RetryPolicy { min_backoff: ms(5), max_backoff: ms(40), max_retries },
        ..SubscriptionSpec::new(topic, name)
    }
}

/// Polls `cond` until it holds or the deadline passes.
async fn eventually(what: &str, deadline: Duration, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + deadline;
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for: {what}");
        tokio::time::sleep(ms(5)).await;
    }
}

#[test]
fn backoff_doubles_and_caps() {
    let p = RetryPolicy { min_backoff: Duration::from_secs(1), max_backoff: Duration::from_secs(5), max_retries: 3 };
    let got: Vec<u64> = (1..=5).map(|a| p.backoff(a).as_secs()).collect();
    assert_eq!(got, vec![1, 2, 4, 5, 5]);
    assert_eq!(p.backoff(10_000), Duration::from_secs(5), "no overflow on huge attempt counts");
}

#[test]
fn decide_retries_then_dead_letters() {
    let p = RetryPolicy { min_backoff: ms(10), max_backoff: ms(100), max_retries: 2 };
    let err: Result<(), String> = Err("boom".into());
    assert_eq!(decide(&Ok(()), 1, &p), Outcome::Ack);
    assert_eq!(decide(&err, 1, &p), Outcome::Retry(ms(10)));
    assert_eq!(decide(&err, 2, &p), Outcome::Retry(ms(20)));
    assert_eq!(decide(&err, 3, &p), Outcome::DeadLetter("boom".into()));
    let none = RetryPolicy { max_retries: 0, ..p };
    assert_eq!(decide(&err, 1, &none), Outcome::DeadLetter("boom".into()));
}

#[test]
fn invalid_specs_are_rejected() {
    let mut s = SubscriptionSpec::new("t", "s");
    s.max_concurrency = Some(0);
    assert!(matches!(s.validate(), Err(PubSubError::InvalidSpec { .. })));
    let mut s = SubscriptionSpec::new("t", "s");
    s.retry.min_backoff = Duration::from_secs(700);
    assert!(s.validate().is_err());
}

/// Records every delivery; fails the first `fail_first` attempts of each message.
struct Recorder {
    seen: Mutex<Vec<(String, u32)>>,
    fail_first: u32,
    running: AtomicUsize,
    max_running: AtomicUsize,
    hold: Duration,
}

impl Recorder {
    fn new(fail_first: u32, hold: Duration) -> Arc<Self> {
        Arc::new(Recorder { seen: Mutex::default(), fail_first, running: AtomicUsize::new(0), max_running: AtomicUsize::new(0), hold })
    }
    fn handler(self: &Arc<Self>) -> Arc<dyn Handler> {
        let me = self.clone();
        Arc::new(move |d: Delivery| {
            let me = me.clone();
            async move {
                let now = me.running.fetch_add(1, Ordering::SeqCst) + 1;
                me.max_running.fetch_max(now, Ordering::SeqCst);
                if !me.hold.is_zero() {
                    tokio::time::sleep(me.hold).await;
                }
                me.running.fetch_sub(1, Ordering::SeqCst);
                me.seen.lock().unwrap().push((String::from_utf8_lossy(&d.payload).into_owned(), d.attempt));
                if d.attempt <= me.fail_first {
                    Err(format!("failing attempt {}", d.attempt))
                } else {
                    Ok(())
                }
            }
        })
    }
    fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
    fn payloads(&self) -> HashMap<String, u32> {
        let mut m = HashMap::new();
        for (p, _) in self.seen.lock().unwrap().iter() {
            *m.entry(p.clone()).or_insert(0) += 1;
        }
        m
    }
}

async fn delivers_to_every_subscription(ps: &dyn PubSub, topic: &str) {
    let a = Recorder::new(0, Duration::ZERO);
    let b = Recorder::new(0, Duration::ZERO);
    ps.subscribe(fast_spec(topic, "a", 3), a.handler()).await.unwrap();
    ps.subscribe(fast_spec(topic, "b", 3), b.handler()).await.unwrap();
    let mut ids = HashSet::new();
    for i in 0..20 {
        ids.insert(ps.publish(topic, Bytes::from(format!("m{i}"))).await.unwrap());
    }
    assert_eq!(ids.len(), 20, "message ids are unique");
    eventually("both subscriptions see 20 messages", Duration::from_secs(10), || a.count() == 20 && b.count() == 20).await;
    assert_eq!(a.payloads().len(), 20);
    assert!(a.payloads().values().all(|&n| n == 1), "each message once when handlers succeed");
}

async fn retries_then_dead_letters(ps: &dyn PubSub, topic: &str) {
    // Fails twice, succeeds on the third attempt (max_retries 3): handled, no dead letter.
    let flaky = Recorder::new(2, Duration::ZERO);
    ps.subscribe(fast_spec(topic, "flaky", 3), flaky.handler()).await.unwrap();
    // Always fails (max_retries 1): two attempts then a dead letter.
    let broken = Recorder::new(u32::MAX, Duration::ZERO);
    ps.subscribe(fast_spec(topic, "broken", 1), broken.handler()).await.unwrap();
    let id = ps.publish(topic, Bytes::from_static(b"x")).await.unwrap();
    eventually("flaky handled on attempt 3", Duration::from_secs(10), || flaky.count() == 3).await;
    let attempts: Vec<u32> = flaky.seen.lock().unwrap().iter().map(|(_, a)| *a).collect();
    assert_eq!(attempts, vec![1, 2, 3]);
    let mut dead = Vec::new();
    let end = Instant::now() + Duration::from_secs(10);
    while dead.is_empty() && Instant::now() < end {
        dead = ps.dead_letters(topic, "broken").await.unwrap();
        tokio::time::sleep(ms(10)).await;
    }
    assert_eq!(dead.len(), 1, "one dead letter");
    assert_eq!(dead[0].id, id);
    assert_eq!(dead[0].attempts, 2);
    assert_eq!(dead[0].payload, Bytes::from_static(b"x"));
    assert!(dead[0].error.contains("failing attempt 2"), "{}", dead[0].error);
    assert_eq!(broken.count(), 2);
    assert!(ps.dead_letters(topic, "flaky").await.unwrap().is_empty());
}

async fn respects_max_concurrency(ps: &dyn PubSub, topic: &str) {
    let r = Recorder::new(0, ms(30));
    let spec = SubscriptionSpec { max_concurrency: Some(2), ..fast_spec(topic, "limited", 0) };
    ps.subscribe(spec, r.handler()).await.unwrap();
    for i in 0..8 {
        ps.publish(topic, Bytes::from(format!("c{i}"))).await.unwrap();
    }
    eventually("8 handled", Duration::from_secs(10), || r.count() == 8).await;
    assert_eq!(r.max_running.load(Ordering::SeqCst), 2, "ran 2 at a time, never more");
}

async fn ack_deadline_counts_as_failure(ps: &dyn PubSub, topic: &str) {
    // First attempt hangs past the 100 ms ack deadline; the message is delivered again.
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let seen = attempts.clone();
    let h: Arc<dyn Handler> = Arc::new(move |d: Delivery| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(d.attempt);
            if d.attempt == 1 {
                tokio::time::sleep(Duration::from_secs(3)).await;
            }
            Ok(())
        }
    });
    let spec = SubscriptionSpec { ack_deadline: ms(300), ..fast_spec(topic, "slow", 5) };
    ps.subscribe(spec, h).await.unwrap();
    ps.publish(topic, Bytes::from_static(b"slow")).await.unwrap();
    eventually("redelivered after the ack deadline", Duration::from_secs(10), || attempts.lock().unwrap().len() >= 2).await;
    assert_eq!(attempts.lock().unwrap()[..2], [1, 2]);
}

use std::collections::HashSet;

fn memory() -> MemoryPubSub {
    MemoryPubSub::new(Arc::new(MemorySink::default()) as Sink)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_delivers_to_every_subscription() {
    delivers_to_every_subscription(&memory(), "orders").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_retries_then_dead_letters() {
    let sink = Arc::new(MemorySink::default());
    let ps = MemoryPubSub::new(sink.clone() as Sink);
    retries_then_dead_letters(&ps, "t").await;
    let events = sink.events();
    assert!(events.iter().any(|e| e.level == crate::events::Level::Error && e.message.contains("dead-lettered")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_respects_max_concurrency() {
    respects_max_concurrency(&memory(), "t").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_ack_deadline() {
    ack_deadline_counts_as_failure(&memory(), "t").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_duplicate_subscription_and_closed() {
    let ps = memory();
    let r = Recorder::new(0, Duration::ZERO);
    ps.subscribe(fast_spec("t", "s", 0), r.handler()).await.unwrap();
    assert!(matches!(ps.subscribe(fast_spec("t", "s", 0), r.handler()).await, Err(PubSubError::DuplicateSubscription { .. })));
    // A topic without subscriptions accepts messages (they have nobody to go to).
    assert!(ps.publish("nobody", Bytes::new()).await.is_ok());
    ps.shutdown().await;
    assert!(matches!(ps.publish("t", Bytes::new()).await, Err(PubSubError::Closed)));
}

async fn nats(server: &NatsServer, prefix: &str) -> NatsPubSub {
    NatsPubSub::connect(&server.url(), prefix, Arc::new(MemorySink::default()) as Sink).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_live_provider_semantics() {
    let Some(server) = NatsServer::start() else { return };
    // Each scenario uses its own prefix, so streams and consumers do not interfere.
    let ps = nats(&server, "t1").await;
    delivers_to_every_subscription(&ps, "orders.created").await;
    let ps = nats(&server, "t2").await;
    retries_then_dead_letters(&ps, "t").await;
    let ps = nats(&server, "t3").await;
    respects_max_concurrency(&ps, "t").await;
    let ps = nats(&server, "t4").await;
    ack_deadline_counts_as_failure(&ps, "t").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_live_replicas_share_a_durable_subscription_and_survive_restart() {
    let Some(server) = NatsServer::start() else { return };
    let first = nats(&server, "rep").await;
    let second = nats(&server, "rep").await;
    let a = Recorder::new(0, ms(2));
    let b = Recorder::new(0, ms(2));
    first.subscribe(fast_spec("jobs", "worker", 3), a.handler()).await.unwrap();
    second.subscribe(fast_spec("jobs", "worker", 3), b.handler()).await.unwrap();
    for i in 0..40 {
        let via = if i % 2 == 0 { &first } else { &second };
        via.publish("jobs", Bytes::from(format!("j{i}"))).await.unwrap();
    }
    eventually("40 handled across both", Duration::from_secs(10), || a.count() + b.count() == 40).await;
    let mut all = a.payloads();
    for (k, v) in b.payloads() {
        *all.entry(k).or_insert(0) += v;
    }
    assert_eq!(all.len(), 40);
    assert!(all.values().all(|&n| n == 1), "each message handled exactly once across the two replicas");
    assert!(a.count() > 0 && b.count() > 0, "both replicas took work ({} / {})", a.count(), b.count());
    first.shutdown().await;
    second.shutdown().await;

    // Messages published while no subscriber runs are kept and delivered after a restart.
    let publisher = nats(&server, "rep").await;
    for i in 0..5 {
        publisher.publish("jobs", Bytes::from(format!("late{i}"))).await.unwrap();
    }
    let restarted = nats(&server, "rep").await;
    let c = Recorder::new(0, Duration::ZERO);
    restarted.subscribe(fast_spec("jobs", "worker", 3), c.handler()).await.unwrap();
    eventually("5 late messages after restart", Duration::from_secs(10), || c.count() == 5).await;
    assert!(c.payloads().keys().all(|k| k.starts_with("late")), "nothing already acked is delivered again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_connect_error_is_typed() {
    let port = crate::testutil::free_port();
    let e = NatsPubSub::connect(&format!("nats://127.0.0.1:{port}"), "x", Arc::new(MemorySink::default()) as Sink).await;
    assert!(matches!(e, Err(PubSubError::Connect { .. })));
}

#[test]
fn names_are_sanitized() {
    assert_eq!(nats::sanitize("orders.created v2"), "orders_created_v2");
    assert_eq!(nats::sanitize("user-signup_1"), "user-signup_1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_live_cron_tick_claims_have_one_winner() {
    let Some(server) = NatsServer::start() else { return };
    let (a, b) = (nats(&server, "claims").await, nats(&server, "claims").await);
    let tick = "2026-12-02T10:00:00+00:00";
    let (ra, rb) = tokio::join!(a.claim_cron_tick("cleanup", tick), b.claim_cron_tick("cleanup", tick));
    assert_eq!([ra.unwrap(), rb.unwrap()].iter().filter(|w| **w).count(), 1, "exactly one replica wins a tick");
    assert!(!a.claim_cron_tick("cleanup", tick).await.unwrap(), "a claimed tick stays claimed");
    assert!(b.claim_cron_tick("cleanup", "2026-12-02T10:01:00+00:00").await.unwrap(), "the next tick is free");
    assert!(a.claim_cron_tick("other job", tick).await.unwrap(), "ticks are per job");
    // Job names that sanitise to the same subject stay distinct claims.
    assert!(a.claim_cron_tick("other_job", tick).await.unwrap());
    a.shutdown().await;
    b.shutdown().await;
}
