use std::sync::atomic::AtomicUsize;
use std::time::Instant;

use super::*;
use crate::events::MemorySink;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn every_parsing() {
    assert_eq!(parse_every("j", "1h").unwrap(), Duration::from_secs(3600));
    assert_eq!(parse_every("j", "30m").unwrap(), Duration::from_secs(1800));
    assert_eq!(parse_every("j", "120s").unwrap(), Duration::from_secs(120));
    assert_eq!(parse_every("j", "1d").unwrap(), DAY);
    for bad in ["", "h", "10", "90s", "0m", "25h", "2d", "1h30m", "5x", "-1m"] {
        assert!(matches!(parse_every("j", bad), Err(CronError::InvalidEvery { .. })), "{bad:?}");
    }
}

#[test]
fn schedule_parsing() {
    assert!(parse_schedule("j", "*/5 * * * *").is_ok());
    assert!(parse_schedule("j", "0 9 * * 1-5").is_ok());
    let e = parse_schedule("j", "* * * *").unwrap_err();
    assert!(e.to_string().contains("exactly 5 fields"), "{e}");
    assert!(parse_schedule("j", "0 0 * * * *").is_err(), "6 fields (seconds) rejected");
    assert!(matches!(parse_schedule("j", "61 * * * *"), Err(CronError::InvalidSchedule { .. })));
    assert!(matches!(Schedule::parse("j", None, None), Err(CronError::NeitherOrBoth { .. })));
    assert!(matches!(Schedule::parse("j", Some("1h"), Some("* * * * *")), Err(CronError::NeitherOrBoth { .. })));
}

#[test]
fn every_counts_from_midnight_utc() {
    let s = Schedule::parse("j", Some("6h"), None).unwrap();
    assert_eq!(s.next_after(t("2026-12-02T03:10:00Z")), t("2026-12-02T06:00:00Z"));
    assert_eq!(s.next_after(t("2026-12-02T06:00:00Z")), t("2026-12-02T12:00:00Z"), "strictly after");
    assert_eq!(s.next_after(t("2026-12-02T23:59:00Z")), t("2026-12-03T00:00:00Z"));
    let s = Schedule::parse("j", Some("7h"), None).unwrap();
    assert_eq!(s.next_after(t("2026-12-02T22:00:00Z")), t("2026-12-03T00:00:00Z"), "restarts at midnight");
    let s = Schedule::parse("j", Some("1m"), None).unwrap();
    assert_eq!(s.next_after(t("2026-12-02T10:15:30Z")), t("2026-12-02T10:16:00Z"));
}

#[test]
fn cron_expression_next_run() {
    let s = Schedule::parse("j", None, Some("30 9 * * 1-5")).unwrap();
    // 2026-12-04 is a Friday; the next weekday 09:30 after Friday 10:00 is Monday the 7th.
    assert_eq!(s.next_after(t("2026-12-04T10:00:00Z")), t("2026-12-07T09:30:00Z"));
    assert_eq!(s.next_after(t("2026-12-04T09:00:00Z")), t("2026-12-04T09:30:00Z"));
}

struct Counting {
    runs: AtomicUsize,
    hold: Duration,
    fail: bool,
}

fn invoker(c: &Arc<Counting>) -> Arc<dyn Invoker> {
    let c = c.clone();
    Arc::new(move |_job: String| {
        let c = c.clone();
        async move {
            c.runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(c.hold).await;
            if c.fail {
                Err("endpoint returned 500".to_string())
            } else {
                Ok(())
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_runs_fire_and_overlaps_are_skipped() {
    let c = Arc::new(Counting { runs: AtomicUsize::new(0), hold: Duration::from_millis(250), fail: false });
    let sink = Arc::new(MemorySink::default());
    // A 100 ms interval (only constructible in code; parsed `every` values are whole minutes) with a run that
    // takes 250 ms: every other tick finds the job still running and is skipped.
    let s = Scheduler::new(vec![JobSpec { name: "tick".into(), schedule: Schedule::Every(Duration::from_millis(100)) }], invoker(&c), sink.clone());
    s.start();
    let end = Instant::now() + Duration::from_secs(10);
    while c.runs.load(Ordering::SeqCst) < 2 || !sink.events().iter().any(|e| e.message.contains("skipped")) {
        assert!(Instant::now() < end, "expected two runs and a skipped tick");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let st = s.status();
    assert_eq!(st[0].name, "tick");
    assert!(st[0].next_run.is_some());
    s.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_now_reports_results_and_refuses_overlap() {
    let ok = Arc::new(Counting { runs: AtomicUsize::new(0), hold: Duration::from_millis(200), fail: false });
    let sink = Arc::new(MemorySink::default());
    let s = Arc::new(Scheduler::new(vec![JobSpec { name: "cleanup".into(), schedule: Schedule::parse("cleanup", Some("1h"), None).unwrap() }], invoker(&ok), sink.clone()));
    let first = {
        let s = s.clone();
        tokio::spawn(async move { s.run_now("cleanup").await })
    };
    let end = Instant::now() + Duration::from_secs(5);
    while ok.runs.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < end);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(s.run_now("cleanup").await, Err(CronError::AlreadyRunning { job: "cleanup".into() }));
    assert_eq!(first.await.unwrap(), Ok(()));
    assert_eq!(ok.runs.load(Ordering::SeqCst), 1);
    assert!(matches!(s.run_now("nope").await, Err(CronError::UnknownJob { .. })));

    let bad = Arc::new(Counting { runs: AtomicUsize::new(0), hold: Duration::ZERO, fail: true });
    let s = Scheduler::new(vec![JobSpec { name: "b".into(), schedule: Schedule::Every(DAY) }], invoker(&bad), sink.clone());
    match s.run_now("b").await {
        Err(CronError::Failed { message, .. }) => assert!(message.contains("500")),
        other => panic!("{other:?}"),
    }
    assert!(sink.events().iter().any(|e| e.message == "cron: run failed"));
}

/// One winner per (job, tick) across every scheduler that shares it, like the NATS claim.
#[derive(Default)]
struct SharedClaims(Mutex<std::collections::HashSet<(String, DateTime<Utc>)>>);

impl TickClaim for SharedClaims {
    fn claim<'a>(&'a self, job: &'a str, tick: DateTime<Utc>) -> BoxFut<'a, Result<bool, String>> {
        Box::pin(async move { Ok(self.0.lock().unwrap().insert((job.to_string(), tick))) })
    }
}

struct Unreachable;

impl TickClaim for Unreachable {
    fn claim<'a>(&'a self, _job: &'a str, _tick: DateTime<Utc>) -> BoxFut<'a, Result<bool, String>> {
        Box::pin(async { Err("coordinator unreachable".to_string()) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_sharing_a_claim_run_each_tick_once() {
    let claims = Arc::new(SharedClaims::default());
    let (a, b) = (Arc::new(Counting { runs: AtomicUsize::new(0), hold: Duration::ZERO, fail: false }), Arc::new(Counting { runs: AtomicUsize::new(0), hold: Duration::ZERO, fail: false }));
    let sink = Arc::new(MemorySink::default());
    let spec = || vec![JobSpec { name: "tick".into(), schedule: Schedule::Every(Duration::from_millis(50)) }];
    let sa = Scheduler::new(spec(), invoker(&a), sink.clone()).with_claim(claims.clone());
    let sb = Scheduler::new(spec(), invoker(&b), sink.clone()).with_claim(claims.clone());
    sa.start();
    sb.start();
    let end = Instant::now() + Duration::from_secs(10);
    while claims.0.lock().unwrap().len() < 10 {
        assert!(Instant::now() < end, "expected ten ticks");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sa.stop();
    sb.stop();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let ticks = claims.0.lock().unwrap().len();
    let runs = a.runs.load(Ordering::SeqCst) + b.runs.load(Ordering::SeqCst);
    // A tick claimed just before stop() may not have started its run; never more runs than ticks.
    assert!(runs <= ticks && runs + 1 >= ticks, "runs {runs}, ticks {ticks}");
    assert!(sink.events().iter().any(|e| e.message == "cron: tick claimed by another replica"));

    // Without an answer from the coordinator a replica still runs its ticks (and says so).
    let c = Arc::new(Counting { runs: AtomicUsize::new(0), hold: Duration::ZERO, fail: false });
    let sc = Scheduler::new(spec(), invoker(&c), sink.clone()).with_claim(Arc::new(Unreachable));
    sc.start();
    let end = Instant::now() + Duration::from_secs(10);
    while c.runs.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < end, "expected runs despite the unreachable coordinator");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sc.stop();
    assert!(sink.events().iter().any(|e| e.message.starts_with("cron: could not coordinate")));
}
