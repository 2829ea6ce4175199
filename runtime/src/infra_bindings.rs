//! napi bindings for the infrastructure providers in `reprise-infra` (runtime config, pub/sub, buckets, cron,
//! secrets). Glue only: JS hands in names and bytes, Rust does the work. Calls into JS (a subscription's handler,
//! a cron job's endpoint) go through one threadsafe function each and complete through a token, so a handler's
//! promise never has to cross the boundary: JS calls `infraDone(token, error)` when it settles.
//!
//! Errors thrown to JS carry a bracketed code first (`[NotFound] ...`) that the SDK maps to its typed errors.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use reprise_infra::config::{self, PubSubProvider, RuntimeConfig};
use reprise_infra::cron::{CronError, JobSpec, RunFailure, Schedule, Scheduler, TickClaim};
use reprise_infra::events::{Event, EventSink, Sink, StderrSink};
use reprise_infra::objects::{Bucket, BucketError, BucketProvider, UploadOptions};
use reprise_infra::pubsub::{Delivery, Handler, MemoryPubSub, NatsPubSub, PubSub, PubSubError, RetryPolicy, SubscriptionSpec};
use tokio::sync::oneshot;

type JsCallback = ThreadsafeFunction<String, (), String, Status, false>;
type LogCallback = ThreadsafeFunction<String, (), String, Status, false, true>;

struct Infra {
    config: RuntimeConfig,
    pubsub: Arc<dyn PubSub>,
    /// Set when replicas can share a coordinator (NATS): each scheduled cron tick then runs on one replica.
    cron_claim: Option<Arc<dyn TickClaim>>,
    buckets: BucketProvider,
    open_buckets: Mutex<HashMap<String, Arc<dyn Bucket>>>,
    scheduler: Mutex<Option<Arc<Scheduler>>>,
    callbacks: Mutex<Vec<Arc<JsCallback>>>,
}

static INFRA: Mutex<Option<Arc<Infra>>> = Mutex::new(None);
/// JS calls awaiting their completion token's answer (`infraDone`), by token.
type PendingCalls = Mutex<HashMap<u32, oneshot::Sender<std::result::Result<(), String>>>>;
static PENDING: OnceLock<PendingCalls> = OnceLock::new();
static NEXT_TOKEN: AtomicU32 = AtomicU32::new(1);
static LOG_SINK: Mutex<Option<Arc<LogCallback>>> = Mutex::new(None);

fn pending() -> &'static Mutex<HashMap<u32, oneshot::Sender<std::result::Result<(), String>>>> {
    PENDING.get_or_init(Default::default)
}

fn coded(code: &str, msg: impl std::fmt::Display) -> Error {
    Error::new(Status::GenericFailure, format!("[{code}] {msg}"))
}

fn infra() -> Result<Arc<Infra>> {
    INFRA.lock().unwrap().clone().ok_or_else(|| coded("NotInitialized", "infrastructure is not initialised: call infraInit first"))
}

/// Forwards provider events to the JS logger when one is installed, else JSON lines on stderr.
struct JsSink;

impl EventSink for JsSink {
    fn emit(&self, e: Event) {
        let cb = LOG_SINK.lock().unwrap().clone();
        match cb {
            Some(cb) => {
                let line = serde_json::json!({ "level": e.level, "message": e.message, "fields": e.fields }).to_string();
                cb.call(line, ThreadsafeFunctionCallMode::NonBlocking);
            }
            None => StderrSink.emit(e),
        }
    }
}

fn sink() -> Sink {
    Arc::new(JsSink)
}

fn env_lookup(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

/// Loads and validates the runtime config without starting anything; returns it as JSON. Throws
/// `[ConfigError] <message naming the key>` when the file is invalid.
#[napi]
pub fn infra_load_config(app_root: String, config_file: Option<String>) -> Result<String> {
    let cfg = config::load(Path::new(&app_root), config_file.as_deref().map(Path::new), &env_lookup).map_err(|e| coded("ConfigError", e))?;
    serde_json::to_string(&cfg).map_err(|e| coded("Internal", e))
}

/// Validates the config, connects the pub/sub provider and prepares buckets. Idempotent for one app root.
#[napi]
pub async fn infra_init(app_root: String, config_file: Option<String>) -> Result<String> {
    if let Some(i) = INFRA.lock().unwrap().clone() {
        return serde_json::to_string(&i.config).map_err(|e| coded("Internal", e));
    }
    let cfg = config::load(Path::new(&app_root), config_file.as_deref().map(Path::new), &env_lookup).map_err(|e| coded("ConfigError", e))?;
    let (pubsub, cron_claim): (Arc<dyn PubSub>, Option<Arc<dyn TickClaim>>) = match cfg.pubsub.provider {
        PubSubProvider::Memory => (Arc::new(MemoryPubSub::new(sink())), None),
        PubSubProvider::Nats => {
            let url = cfg.pubsub.url.clone().unwrap_or_default();
            let nats = Arc::new(NatsPubSub::connect(&url, &cfg.pubsub.stream_prefix, sink()).await.map_err(pubsub_err)?);
            (nats.clone(), Some(nats))
        }
    };
    let infra = Arc::new(Infra {
        buckets: BucketProvider::new(cfg.buckets.clone()),
        config: cfg,
        pubsub,
        cron_claim,
        open_buckets: Mutex::default(),
        scheduler: Mutex::default(),
        callbacks: Mutex::default(),
    });
    let mut slot = INFRA.lock().unwrap();
    if let Some(existing) = slot.clone() {
        return serde_json::to_string(&existing.config).map_err(|e| coded("Internal", e));
    }
    *slot = Some(infra.clone());
    serde_json::to_string(&infra.config).map_err(|e| coded("Internal", e))
}

/// Installs the function that receives provider log events as JSON strings.
#[napi]
pub fn infra_set_logger(callback: Function<'_, String, ()>) -> Result<()> {
    // Weak: logging alone must not keep the process alive.
    let tsfn: LogCallback = callback.build_threadsafe_function::<String>().callee_handled::<false>().weak::<true>().build()?;
    *LOG_SINK.lock().unwrap() = Some(Arc::new(tsfn));
    Ok(())
}

/// Completes a call into JS (subscription delivery or cron run) started with a token.
#[napi]
pub fn infra_done(token: u32, error: Option<String>) -> bool {
    match pending().lock().unwrap().remove(&token) {
        Some(tx) => tx.send(error.map_or(Ok(()), Err)).is_ok(),
        None => false,
    }
}

/// Calls `cb(json)` with a fresh token added as `token`, and waits for `infraDone(token, ...)`.
async fn call_js(cb: &JsCallback, mut payload: serde_json::Value) -> std::result::Result<(), String> {
    let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
    let (tx, rx) = oneshot::channel();
    pending().lock().unwrap().insert(token, tx);
    payload["token"] = token.into();
    let status = cb.call(payload.to_string(), ThreadsafeFunctionCallMode::NonBlocking);
    if status != Status::Ok {
        pending().lock().unwrap().remove(&token);
        return Err(format!("could not call into JavaScript ({status})"));
    }
    struct Forget(u32);
    impl Drop for Forget {
        fn drop(&mut self) {
            pending().lock().unwrap().remove(&self.0);
        }
    }
    let _guard = Forget(token);
    rx.await.unwrap_or_else(|_| Err("the JavaScript side went away".to_string()))
}

fn pubsub_err(e: PubSubError) -> Error {
    let code = match e {
        PubSubError::Connect { .. } => "PubSubConnect",
        PubSubError::DuplicateSubscription { .. } => "DuplicateSubscription",
        PubSubError::InvalidSpec { .. } => "InvalidArgument",
        PubSubError::Closed => "Closed",
        _ => "PubSub",
    };
    coded(code, e)
}

/// Publishes a JSON message; resolves with the message id. `trace` is the handle of the publishing work: the
/// message carries its trace's `traceparent` to the deliveries, and when it is being traced the publish gets a
/// span (sampled flag on); a sampled-out handle passes on its trace id with the flag off.
#[napi]
pub async fn infra_publish(topic: String, message: String, trace: Option<u32>) -> Result<String> {
    let i = infra()?;
    let span = crate::tracing::start_publish(trace, &topic);
    let result = i.pubsub.publish_with(&topic, bytes::Bytes::from(message), span.as_ref().map(|s| s.traceparent.as_str())).await;
    if let Some(span) = span {
        span.end(&result.as_ref().map(String::clone).map_err(|e| e.to_string()));
    }
    result.map_err(pubsub_err)
}

#[napi(object)]
pub struct SubscribeOptions {
    pub topic: String,
    pub name: String,
    pub ack_deadline_ms: f64,
    pub message_retention_ms: f64,
    pub max_concurrency: Option<u32>,
    pub min_backoff_ms: f64,
    pub max_backoff_ms: f64,
    pub max_retries: u32,
}

struct JsHandler(Arc<JsCallback>);

impl Handler for JsHandler {
    fn handle(&self, d: Delivery) -> reprise_infra::pubsub::BoxFut<'static, std::result::Result<(), String>> {
        let cb = self.0.clone();
        Box::pin(async move {
            // `trace`: the delivery's handle for tracing (0 when tracing is off); `traced`: JS reports its spans.
            let unit = crate::tracing::Unit::delivery(crate::binding::next_handle(), crate::binding::app_root().as_deref(), &d);
            let payload = serde_json::json!({
                "id": d.id, "topic": d.topic, "subscription": d.subscription, "attempt": d.attempt,
                "message": String::from_utf8_lossy(&d.payload),
                "trace": unit.as_ref().map_or(0, |u| u.handle()), "traced": unit.as_ref().is_some_and(|u| u.sampled()),
            });
            let result = call_js(&cb, payload).await;
            if let Some(unit) = unit {
                unit.end(result.as_ref().map(|_| ()).map_err(String::as_str));
            }
            result
        })
    }
}

fn ms(v: f64) -> Duration {
    Duration::from_millis(v.max(0.0) as u64)
}

/// Registers a subscription; `handler(json)` receives `{token, id, topic, subscription, attempt, message}` and
/// must call `infraDone(token, errorOrNull)` when the message was handled.
#[napi(ts_return_type = "Promise<void>")]
pub fn infra_subscribe<'env>(env: &'env Env, options: SubscribeOptions, handler: Function<'_, String, ()>) -> Result<PromiseRaw<'env, ()>> {
    // The threadsafe function is built here on the JS thread; the subscription itself is set up on tokio.
    let tsfn: JsCallback = handler.build_threadsafe_function::<String>().callee_handled::<false>().build()?;
    let tsfn = Arc::new(tsfn);
    let i = infra()?;
    i.callbacks.lock().unwrap().push(tsfn.clone());
    let spec = SubscriptionSpec {
        topic: options.topic,
        name: options.name,
        ack_deadline: ms(options.ack_deadline_ms),
        message_retention: ms(options.message_retention_ms),
        max_concurrency: options.max_concurrency.map(|n| n as usize),
        retry: RetryPolicy { min_backoff: ms(options.min_backoff_ms), max_backoff: ms(options.max_backoff_ms), max_retries: options.max_retries },
    };
    env.spawn_future(async move { i.pubsub.subscribe(spec, Arc::new(JsHandler(tsfn))).await.map_err(pubsub_err) })
}

/// Dead letters of a subscription as JSON `[{id, topic, subscription, attempts, error, message}]`.
#[napi]
pub async fn infra_dead_letters(topic: String, subscription: String) -> Result<String> {
    let i = infra()?;
    let dead = i.pubsub.dead_letters(&topic, &subscription).await.map_err(pubsub_err)?;
    let out: Vec<serde_json::Value> = dead
        .into_iter()
        .map(|d| serde_json::json!({ "id": d.id, "topic": d.topic, "subscription": d.subscription, "attempts": d.attempts, "error": d.error, "message": String::from_utf8_lossy(&d.payload) }))
        .collect();
    Ok(serde_json::Value::Array(out).to_string())
}

/// Removes one dead letter; its JSON (as `infraDeadLetters` lists it) or null when there is no such id.
#[napi]
pub async fn infra_take_dead_letter(topic: String, subscription: String, id: String) -> Result<Option<String>> {
    let i = infra()?;
    let taken = i.pubsub.take_dead_letter(&topic, &subscription, &id).await.map_err(pubsub_err)?;
    Ok(taken.map(|d| serde_json::json!({ "id": d.id, "topic": d.topic, "subscription": d.subscription, "attempts": d.attempts, "error": d.error, "message": String::from_utf8_lossy(&d.payload) }).to_string()))
}

// --- the admin routes' JavaScript half -------------------------------------------------------------------------

/// One admin request answered in JS (databases, migrations, buckets, pub/sub listings, the app model: what the
/// SDK holds), as `runtime/sdk/src/config/admin.ts` returns it.
#[derive(Debug, serde::Deserialize)]
pub struct JsAdminAnswer {
    pub status: u16,
    #[serde(rename = "contentType")]
    pub content_type: Option<String>,
    /// Extra response headers (download: `Content-Disposition`).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body is base64 (object bytes).
    #[serde(default)]
    pub base64: bool,
}

static ADMIN_HANDLER: Mutex<Option<Arc<LogCallback>>> = Mutex::new(None);
static ADMIN_PENDING: OnceLock<Mutex<HashMap<u32, oneshot::Sender<String>>>> = OnceLock::new();

fn admin_pending() -> &'static Mutex<HashMap<u32, oneshot::Sender<String>>> {
    ADMIN_PENDING.get_or_init(Default::default)
}

/// Installs the SDK's admin handler (the build that serves; a reload's build replaces it). `handler(json)` gets
/// `{token, method, path, query, body, base64}` and must call `infraAdminDone(token, answerJson)`.
#[napi]
pub fn infra_admin_setup(handler: Function<'_, String, ()>) -> Result<()> {
    // Weak: the handler alone must not keep a script's process alive.
    let tsfn: LogCallback = handler.build_threadsafe_function::<String>().callee_handled::<false>().weak::<true>().build()?;
    *ADMIN_HANDLER.lock().unwrap() = Some(Arc::new(tsfn));
    Ok(())
}

/// Completes an admin request handed to JS; false when nobody waits for it any more.
#[napi]
pub fn infra_admin_done(token: u32, answer: String) -> bool {
    match admin_pending().lock().unwrap().remove(&token) {
        Some(tx) => tx.send(answer).is_ok(),
        None => false,
    }
}

/// Why an admin request could not be answered in JS.
#[derive(Debug, thiserror::Error)]
pub enum JsAdminError {
    #[error("the app has not started its infrastructure yet (no admin handler)")]
    NoHandler,
    #[error("could not call into JavaScript ({0})")]
    Call(String),
    #[error("the JavaScript side went away")]
    Gone,
    #[error("the JavaScript side did not answer within {0} s")]
    Timeout(u64),
    #[error("the JavaScript side answered something that is not an admin answer: {0}")]
    BadAnswer(String),
}

/// Hands one request to the SDK's admin handler and waits (bounded) for its answer.
pub(crate) async fn admin_call_js(mut request: serde_json::Value, timeout: Duration) -> std::result::Result<JsAdminAnswer, JsAdminError> {
    let cb = ADMIN_HANDLER.lock().unwrap().clone().ok_or(JsAdminError::NoHandler)?;
    let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
    let (tx, rx) = oneshot::channel();
    admin_pending().lock().unwrap().insert(token, tx);
    struct Forget(u32);
    impl Drop for Forget {
        fn drop(&mut self) {
            admin_pending().lock().unwrap().remove(&self.0);
        }
    }
    let _guard = Forget(token);
    request["token"] = token.into();
    let status = cb.call(request.to_string(), ThreadsafeFunctionCallMode::NonBlocking);
    if status != Status::Ok {
        return Err(JsAdminError::Call(status.to_string()));
    }
    let answer = match tokio::time::timeout(timeout, rx).await {
        Ok(Ok(a)) => a,
        Ok(Err(_)) => return Err(JsAdminError::Gone),
        Err(_) => return Err(JsAdminError::Timeout(timeout.as_secs())),
    };
    serde_json::from_str(&answer).map_err(|e| JsAdminError::BadAnswer(e.to_string()))
}

/// Stops subscriptions and cron, waits (bounded) for in-flight handlers, releases the JS callbacks.
#[napi]
pub async fn infra_shutdown() -> Result<()> {
    let Some(i) = INFRA.lock().unwrap().take() else { return Ok(()) };
    if let Some(s) = i.scheduler.lock().unwrap().take() {
        s.stop();
    }
    i.pubsub.shutdown().await;
    i.callbacks.lock().unwrap().clear();
    *LOG_SINK.lock().unwrap() = None;
    *ADMIN_HANDLER.lock().unwrap() = None;
    Ok(())
}

/// A secret's value (`REPRISE_SECRET_<Name>` wins over the config's `secrets`), or null.
#[napi]
pub fn infra_secret(name: String) -> Result<Option<String>> {
    Ok(infra()?.config.secret(&name, &env_lookup))
}

// --- buckets -----------------------------------------------------------------------------------------------

fn bucket_err(e: BucketError) -> Error {
    let code = match e {
        BucketError::InvalidKey { .. } => "InvalidKey",
        BucketError::NotFound { .. } => "NotFound",
        BucketError::PreconditionFailed { .. } => "PreconditionFailed",
        BucketError::NoSuchBucket { .. } => "NoSuchBucket",
        BucketError::NotPublic { .. } => "NotPublic",
        BucketError::Unsupported { .. } => "Unsupported",
        BucketError::InvalidTtl { .. } => "InvalidArgument",
        BucketError::Provider { .. } => "Provider",
    };
    coded(code, e)
}

fn bucket(name: &str, public: bool) -> Result<Arc<dyn Bucket>> {
    let i = infra()?;
    let mut open = i.open_buckets.lock().unwrap();
    if let Some(b) = open.get(name) {
        return Ok(b.clone());
    }
    let b = i.buckets.open(name, public).map_err(bucket_err)?;
    open.insert(name.to_string(), b.clone());
    Ok(b)
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| coded("Internal", e))
}

#[napi]
pub async fn infra_bucket_upload(name: String, public: bool, key: String, data: Buffer, content_type: Option<String>, not_exists: bool) -> Result<String> {
    let b = bucket(&name, public)?;
    let attrs = b.upload(&key, bytes::Bytes::from(data.to_vec()), UploadOptions { content_type, not_exists }).await.map_err(bucket_err)?;
    to_json(&attrs)
}

#[napi]
pub async fn infra_bucket_download(name: String, public: bool, key: String) -> Result<Buffer> {
    let b = bucket(&name, public)?;
    Ok(b.download(&key).await.map_err(bucket_err)?.to_vec().into())
}

#[napi]
pub async fn infra_bucket_list(name: String, public: bool, prefix: Option<String>, limit: Option<u32>) -> Result<String> {
    let b = bucket(&name, public)?;
    to_json(&b.list(prefix.as_deref(), limit.map(|l| l as usize)).await.map_err(bucket_err)?)
}

#[napi]
pub async fn infra_bucket_remove(name: String, public: bool, key: String) -> Result<()> {
    bucket(&name, public)?.remove(&key).await.map_err(bucket_err)
}

#[napi]
pub async fn infra_bucket_exists(name: String, public: bool, key: String) -> Result<bool> {
    bucket(&name, public)?.exists(&key).await.map_err(bucket_err)
}

#[napi]
pub async fn infra_bucket_attrs(name: String, public: bool, key: String) -> Result<String> {
    to_json(&bucket(&name, public)?.attrs(&key).await.map_err(bucket_err)?)
}

#[napi]
pub async fn infra_bucket_signed_url(name: String, public: bool, key: String, upload: bool, ttl_seconds: u32) -> Result<String> {
    let b = bucket(&name, public)?;
    let ttl = Duration::from_secs(ttl_seconds as u64);
    if upload { b.signed_upload_url(&key, ttl).await } else { b.signed_download_url(&key, ttl).await }.map_err(bucket_err)
}

#[napi]
pub fn infra_bucket_public_url(name: String, public: bool, key: String) -> Result<String> {
    bucket(&name, public)?.public_url(&key).map_err(bucket_err)
}

// --- cron --------------------------------------------------------------------------------------------------

#[napi(object)]
pub struct CronJobOptions {
    pub name: String,
    pub every: Option<String>,
    pub schedule: Option<String>,
    /// `service.endpoint` the job calls, for its trace.
    pub endpoint: Option<String>,
}

fn cron_err(e: CronError) -> Error {
    let code = match e {
        CronError::UnknownJob { .. } => "NotFound",
        CronError::AlreadyRunning { .. } => "AlreadyRunning",
        CronError::Failed { .. } => "Failed",
        _ => "InvalidArgument",
    };
    coded(code, e)
}

/// Validates the jobs and (when `start`) starts their timers. `invoke(json)` receives `{token, job}` and must call
/// `infraDone(token, errorOrNull)` when the job's endpoint returned. Replaces a previous set of jobs.
#[napi]
pub fn infra_cron_setup(jobs: Vec<CronJobOptions>, invoke: Function<'_, String, ()>, start: bool) -> Result<()> {
    let mut specs = Vec::new();
    let mut endpoints: HashMap<String, String> = HashMap::new();
    for j in jobs {
        let schedule = Schedule::parse(&j.name, j.every.as_deref(), j.schedule.as_deref()).map_err(cron_err)?;
        if let Some(e) = j.endpoint {
            endpoints.insert(j.name.clone(), e);
        }
        specs.push(JobSpec { name: j.name, schedule });
    }
    let endpoints = Arc::new(endpoints);
    let tsfn: Arc<JsCallback> = Arc::new(invoke.build_threadsafe_function::<String>().callee_handled::<false>().build()?);
    let i = infra()?;
    i.callbacks.lock().unwrap().push(tsfn.clone());
    let invoker = Arc::new(move |job: String| {
        let cb = tsfn.clone();
        let endpoints = endpoints.clone();
        async move {
            // Each run is a trace of its own (a CronRun root); `trace`/`traced` as for deliveries.
            let endpoint = endpoints.get(&job).map(String::as_str).unwrap_or("");
            let unit = crate::tracing::Unit::cron(crate::binding::next_handle(), crate::binding::app_root().as_deref(), &job, endpoint);
            let payload = serde_json::json!({ "job": job, "trace": unit.as_ref().map_or(0, |u| u.handle()), "traced": unit.as_ref().is_some_and(|u| u.sampled()) });
            let result = call_js(&cb, payload).await.map_err(|e| run_failure(&e));
            if let Some(unit) = unit {
                unit.end(result.as_ref().map(|_| ()).map_err(|f| f.message.as_str()));
            }
            result
        }
    });
    let scheduler = Scheduler::new(specs, invoker, sink());
    let scheduler = Arc::new(match i.cron_claim.clone() {
        Some(claim) => scheduler.with_claim(claim),
        None => scheduler,
    });
    if start {
        // Timers need the tokio runtime napi runs async functions on.
        let s = scheduler.clone();
        napi::bindgen_prelude::spawn(async move { s.start() });
    }
    if let Some(old) = i.scheduler.lock().unwrap().replace(scheduler) {
        old.stop();
    }
    Ok(())
}

/// The SDK reports a failed cron endpoint as JSON `{message, code?, details?}` (see sdk cron/runtime.ts); anything
/// else (e.g. "the JavaScript side went away") is a plain message.
fn run_failure(error: &str) -> RunFailure {
    #[derive(serde::Deserialize)]
    struct Reported {
        message: String,
        code: Option<String>,
        details: Option<serde_json::Value>,
    }
    match serde_json::from_str::<Reported>(error) {
        Ok(r) => RunFailure { message: r.message, code: r.code, details: r.details.filter(|d| !d.is_null()) },
        Err(_) => error.into(),
    }
}

/// The running app's cron scheduler, when `infraCronSetup` ran (the admin routes read it).
pub(crate) fn cron_scheduler() -> Option<Arc<Scheduler>> {
    INFRA.lock().unwrap().clone()?.scheduler.lock().unwrap().clone()
}

/// The running app's pub/sub provider, when `infraInit` ran (the admin routes publish through it).
pub(crate) fn pubsub_provider() -> Option<Arc<dyn PubSub>> {
    INFRA.lock().unwrap().as_ref().map(|i| i.pubsub.clone())
}

/// Runs a job now; resolves when its endpoint returned. Throws `[AlreadyRunning]` when a run is in progress.
#[napi]
pub async fn infra_cron_run(name: String) -> Result<()> {
    let s = infra()?.scheduler.lock().unwrap().clone().ok_or_else(|| coded("NotFound", format!("no cron jobs are set up (asked for `{name}`)")))?;
    s.run_now(&name).await.map_err(cron_err)
}

/// `[{name, running, nextRun}]` as JSON.
#[napi]
pub fn infra_cron_status() -> Result<String> {
    let s = infra()?.scheduler.lock().unwrap().clone();
    to_json(&s.map(|s| s.status()).unwrap_or_default())
}

/// Where embedded databases keep their data, and the connection string when one is configured.
#[napi(object)]
pub struct DatabaseTarget {
    pub connection_string: Option<String>,
    pub data_dir: String,
    pub max_connections: u32,
}

#[napi]
pub fn infra_database(name: String) -> Result<DatabaseTarget> {
    let i = infra()?;
    let c = &i.config;
    let data_dir: PathBuf = c.sql.data_dir.join(&name);
    Ok(DatabaseTarget {
        connection_string: c.database_url(&name),
        data_dir: data_dir.to_string_lossy().into_owned(),
        max_connections: c.sql.databases.get(&name).map_or(c.sql.max_connections, |d| d.max_connections),
    })
}
