//! Cron jobs run locally: each job's next run is computed from now (UTC), so runs missed while the app was
//! stopped are not replayed; a run that comes due while the previous one is still going is skipped and logged.
//! `every` counts from midnight UTC (like Encore: "every 6h" runs at 00:00, 06:00, ...); `schedule` is a
//! 5-field cron expression (minute hour day-of-month month day-of-week), parsed by `croner`.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use tokio::task::JoinHandle;

use crate::events::{emit, Level, Sink};
use crate::pubsub::BoxFut;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CronError {
    #[error("cron job `{job}`: invalid every {value:?}: {reason}")]
    InvalidEvery { job: String, value: String, reason: String },
    #[error("cron job `{job}`: invalid schedule {value:?}: {reason}")]
    InvalidSchedule { job: String, value: String, reason: String },
    #[error("cron job `{job}`: exactly one of every and schedule must be set")]
    NeitherOrBoth { job: String },
    #[error("no cron job named `{job}`; defined: {defined}")]
    UnknownJob { job: String, defined: String },
    #[error("cron job `{job}` is already running; this run was skipped")]
    AlreadyRunning { job: String },
    #[error("cron job `{job}` failed: {message}")]
    Failed {
        job: String,
        message: String,
        /// The endpoint's API error code (`not_found`, `internal`, ...) when it failed with one.
        code: Option<String>,
        details: Option<serde_json::Value>,
    },
}

/// Why a run's endpoint failed: its message, plus the API error code and details when the endpoint threw a
/// structured error (so an on-demand run can answer with the endpoint's own status and error body).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunFailure {
    pub message: String,
    pub code: Option<String>,
    pub details: Option<serde_json::Value>,
}

impl From<String> for RunFailure {
    fn from(message: String) -> Self {
        RunFailure { message, code: None, details: None }
    }
}

impl From<&str> for RunFailure {
    fn from(message: &str) -> Self {
        message.to_string().into()
    }
}

#[derive(Debug, Clone)]
pub enum Schedule {
    Every(Duration),
    Cron(Box<croner::Cron>),
}

const DAY: Duration = Duration::from_secs(24 * 3600);

/// Parses `every` ("30m", "1h", "2d"...): one number and one unit, a whole number of minutes, at most 24 hours.
pub fn parse_every(job: &str, value: &str) -> Result<Duration, CronError> {
    let bad = |reason: &str| CronError::InvalidEvery { job: job.into(), value: value.into(), reason: reason.into() };
    let v = value.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).ok_or_else(|| bad("missing a unit (ms, s, m, h, d)"))?;
    let (num, unit) = v.split_at(split);
    let n: u64 = num.parse().map_err(|_| bad("expected a number followed by a unit, e.g. \"30m\""))?;
    let unit_ns: u128 = match unit {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        "d" => 86_400_000_000_000,
        _ => return Err(bad("unknown unit; use ms, s, m, h or d")),
    };
    let ns = n as u128 * unit_ns;
    if ns == 0 || !ns.is_multiple_of(60_000_000_000) {
        return Err(bad("must be a positive whole number of minutes"));
    }
    if ns > DAY.as_nanos() {
        return Err(bad("must be at most 24 hours"));
    }
    Ok(Duration::from_nanos(ns as u64))
}

pub fn parse_schedule(job: &str, value: &str) -> Result<croner::Cron, CronError> {
    let bad = |reason: String| CronError::InvalidSchedule { job: job.into(), value: value.into(), reason };
    let fields = value.split_whitespace().count();
    if fields != 5 {
        return Err(bad(format!("must have exactly 5 fields (minute hour day-of-month month day-of-week), found {fields}")));
    }
    croner::Cron::from_str(value).map_err(|e| bad(e.to_string()))
}

impl Schedule {
    pub fn parse(job: &str, every: Option<&str>, schedule: Option<&str>) -> Result<Schedule, CronError> {
        match (every, schedule) {
            (Some(e), None) => Ok(Schedule::Every(parse_every(job, e)?)),
            (None, Some(s)) => Ok(Schedule::Cron(Box::new(parse_schedule(job, s)?))),
            _ => Err(CronError::NeitherOrBoth { job: job.into() }),
        }
    }

    /// The first run strictly after `now`.
    pub fn next_after(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Schedule::Every(every) => {
                let midnight = Utc.from_utc_datetime(&now.date_naive().and_hms_opt(0, 0, 0).unwrap());
                let since = (now - midnight).to_std().unwrap_or_default();
                let step = every.as_nanos().max(1);
                let k = since.as_nanos() / step + 1;
                let next = midnight + chrono::Duration::nanoseconds((k * step) as i64);
                // An interval that does not divide the day restarts at the next midnight.
                next.min(midnight + chrono::Duration::days(1))
            }
            Schedule::Cron(c) => c.find_next_occurrence(&now, false).unwrap_or(now + chrono::Duration::days(366)),
        }
    }
}

/// Runs a job's endpoint (in the runtime: an in-process call of the endpoint through the JS side).
pub trait Invoker: Send + Sync + 'static {
    fn invoke(&self, job: &str) -> BoxFut<'static, Result<(), RunFailure>>;
}

impl<F, Fut, E> Invoker for F
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), E>> + Send + 'static,
    E: Into<RunFailure>,
{
    fn invoke(&self, job: &str) -> BoxFut<'static, Result<(), RunFailure>> {
        let fut = self(job.to_string());
        Box::pin(async move { fut.await.map_err(Into::into) })
    }
}

/// Decides which of several replicas runs a scheduled tick. Every replica computes the same tick times from the
/// schedule (they are wall-clock instants, not "now + interval"), so a tick is named by `(job, tick)` and exactly
/// one claimant per name must win, whenever it asks. On-demand runs are never claimed: they run where asked.
pub trait TickClaim: Send + Sync + 'static {
    /// `Ok(true)`: this process runs the tick; `Ok(false)`: another replica claimed it; `Err`: could not tell.
    fn claim<'a>(&'a self, job: &'a str, tick: DateTime<Utc>) -> BoxFut<'a, Result<bool, String>>;
}

#[derive(Debug, Clone)]
pub struct JobSpec {
    pub name: String,
    pub schedule: Schedule,
}

struct Job {
    schedule: Schedule,
    running: AtomicBool,
    next: Mutex<Option<DateTime<Utc>>>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    pub name: String,
    pub running: bool,
    /// RFC 3339, None before the scheduler starts.
    pub next_run: Option<String>,
}

pub struct Scheduler {
    jobs: Arc<BTreeMap<String, Arc<Job>>>,
    invoker: Arc<dyn Invoker>,
    claim: Option<Arc<dyn TickClaim>>,
    sink: Sink,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Scheduler {
    pub fn new(specs: Vec<JobSpec>, invoker: Arc<dyn Invoker>, sink: Sink) -> Scheduler {
        let jobs = specs
            .into_iter()
            .map(|s| (s.name, Arc::new(Job { schedule: s.schedule, running: AtomicBool::new(false), next: Mutex::new(None) })))
            .collect();
        Scheduler { jobs: Arc::new(jobs), invoker, claim: None, sink, tasks: Mutex::default() }
    }

    /// Scheduled ticks run only where `claim` says so (replicas sharing a backend run each tick once).
    pub fn with_claim(mut self, claim: Arc<dyn TickClaim>) -> Scheduler {
        self.claim = Some(claim);
        self
    }

    /// Starts one timer per job. Must run inside a tokio runtime.
    pub fn start(&self) {
        let mut tasks = self.tasks.lock().unwrap();
        for (name, job) in self.jobs.iter() {
            let (name, job, invoker, claim, sink) = (name.clone(), job.clone(), self.invoker.clone(), self.claim.clone(), self.sink.clone());
            tasks.push(tokio::spawn(async move {
                let mut last: Option<DateTime<Utc>> = None;
                loop {
                    // Never the same tick twice, even if the timer (monotonic) wakes a little before the wall clock.
                    let now = last.map_or_else(Utc::now, |l| Utc::now().max(l));
                    let next = job.schedule.next_after(now);
                    *job.next.lock().unwrap() = Some(next);
                    tokio::time::sleep((next - now).to_std().unwrap_or_default()).await;
                    last = Some(next);
                    let skipped = || emit(&sink, Level::Warn, "cron: run skipped, the previous run is still in progress", serde_json::json!({ "job": name }));
                    // A replica still busy with the previous run leaves the tick to the others rather than claiming it.
                    if job.running.load(Ordering::Acquire) {
                        skipped();
                        continue;
                    }
                    if let Some(claim) = &claim {
                        match claim.claim(&name, next).await {
                            Ok(true) => emit(&sink, Level::Debug, "cron: tick claimed", serde_json::json!({ "job": name, "tick": next.to_rfc3339() })),
                            Ok(false) => {
                                emit(&sink, Level::Debug, "cron: tick claimed by another replica", serde_json::json!({ "job": name, "tick": next.to_rfc3339() }));
                                continue;
                            }
                            // Better twice than never: without the coordinator a replica still runs its ticks.
                            Err(e) => emit(&sink, Level::Warn, "cron: could not coordinate the tick with other replicas; running it here", serde_json::json!({ "job": name, "tick": next.to_rfc3339(), "error": e })),
                        }
                    }
                    if run(&name, &job, &invoker, &sink, "schedule").is_err() {
                        skipped();
                    }
                }
            }));
        }
    }

    /// Runs a job now (`reprise cron run`, the editor's "Run now"); resolves when the run finishes.
    pub async fn run_now(&self, name: &str) -> Result<(), CronError> {
        let job = self.jobs.get(name).ok_or_else(|| CronError::UnknownJob {
            job: name.into(),
            defined: self.jobs.keys().cloned().collect::<Vec<_>>().join(", "),
        })?;
        match run(name, job, &self.invoker, &self.sink, "manual") {
            Ok(done) => done.await.unwrap_or(Err(CronError::Failed { job: name.into(), message: "the run was cancelled".into(), code: None, details: None })),
            Err(e) => {
                emit(&self.sink, Level::Warn, "cron: manual run skipped, the job is already running", serde_json::json!({ "job": name }));
                Err(e)
            }
        }
    }

    pub fn status(&self) -> Vec<JobStatus> {
        self.jobs
            .iter()
            .map(|(name, j)| JobStatus {
                name: name.clone(),
                running: j.running.load(Ordering::Acquire),
                next_run: j.next.lock().unwrap().map(|t| t.to_rfc3339()),
            })
            .collect()
    }

    pub fn stop(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts one run unless one is in progress; the returned handle resolves with the run's result.
fn run(name: &str, job: &Arc<Job>, invoker: &Arc<dyn Invoker>, sink: &Sink, trigger: &'static str) -> Result<JoinHandle<Result<(), CronError>>, CronError> {
    if job.running.swap(true, Ordering::AcqRel) {
        return Err(CronError::AlreadyRunning { job: name.into() });
    }
    let (name, job, fut, sink) = (name.to_string(), job.clone(), invoker.invoke(name), sink.clone());
    Ok(tokio::spawn(async move {
        let started = std::time::Instant::now();
        let result = fut.await;
        job.running.store(false, Ordering::Release);
        let ms = started.elapsed().as_millis() as u64;
        match result {
            Ok(()) => {
                emit(&sink, Level::Info, "cron: run finished", serde_json::json!({ "job": name, "trigger": trigger, "durationMs": ms }));
                Ok(())
            }
            Err(RunFailure { message, code, details }) => {
                emit(&sink, Level::Error, "cron: run failed", serde_json::json!({ "job": name, "trigger": trigger, "durationMs": ms, "error": message, "code": code }));
                Err(CronError::Failed { job: name, message, code, details })
            }
        }
    }))
}

#[cfg(test)]
#[path = "cron_tests.rs"]
mod tests;
