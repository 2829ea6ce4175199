//! The napi surface the SDK's host module calls: start/reload/shutdown the server, install the JS dispatcher
//! (one threadsafe function per JS thread), answer requests, write raw bodies and stream messages, and make
//! service-to-service calls. Everything here is glue; the logic lives in the plain-Rust modules.

use crate::app::App;
use crate::dispatch::{Bridge, Dispatcher, Outbound, Reply};
use crate::server::Runtime;
use crate::tool_routes::ToolGate;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi::{sys, Env, Status};
use napi_derive::napi;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

static RUNTIME: OnceLock<Arc<Runtime>> = OnceLock::new();
static BRIDGE: OnceLock<Arc<Bridge>> = OnceLock::new();
static DISPATCHERS: OnceLock<Mutex<HashMap<u32, Arc<Dispatcher>>>> = OnceLock::new();
static NEXT_DISPATCHER: AtomicU32 = AtomicU32::new(1);

fn bridge() -> &'static Arc<Bridge> {
    BRIDGE.get_or_init(|| Arc::new(Bridge::default()))
}

/// The installed dispatchers by handle. Poisoning is recovered from (a map insert/remove cannot be left half-done).
fn lock_dispatchers() -> std::sync::MutexGuard<'static, HashMap<u32, Arc<Dispatcher>>> {
    DISPATCHERS.get_or_init(|| Mutex::new(HashMap::new())).lock().unwrap_or_else(|e| e.into_inner())
}

/// A fresh handle for work that is not a bridge request (a delivery, a cron run), unique among request ids.
pub(crate) fn next_handle() -> u32 {
    bridge().next_id()
}

/// The served app's root, once the runtime is started.
pub(crate) fn app_root() -> Option<PathBuf> {
    RUNTIME.get().map(|rt| rt.app().app_root.clone())
}

fn runtime() -> Result<&'static Arc<Runtime>> {
    RUNTIME.get().ok_or_else(|| Error::new(Status::GenericFailure, "the Reprise runtime is not started".to_string()))
}

fn to_napi<E: std::fmt::Display>(e: E) -> Error {
    Error::new(Status::InvalidArg, e.to_string())
}

#[napi(object)]
pub struct StartOptions {
    /// The app model JSON (protocol/src/app-model.ts).
    pub model: String,
    pub app_root: String,
    pub host: Option<String>,
    pub port: u32,
    /// Per-request deadline; 0 disables it. Default 30 s.
    pub request_timeout_ms: Option<u32>,
    /// This run's token for the tool routes (`/__reprise/*`, src/tool_routes.rs); without one they stay closed.
    pub tool_token: Option<String>,
    /// The browser dashboard's folder, served at `/__reprise/` without the token (src/dashboard.rs); None: not served.
    pub dashboard_dir: Option<String>,
}

fn set_timeout(ms: Option<u32>) {
    let t = match ms {
        Some(0) => None,
        Some(ms) => Some(Duration::from_millis(ms as u64)),
        None => Some(Duration::from_secs(30)),
    };
    *bridge().timeout.write().unwrap() = t;
}

/// Binds the listener and starts serving; resolves with the bound port (useful with port 0).
#[napi]
pub async fn start(options: StartOptions) -> Result<u32> {
    if RUNTIME.get().is_some() {
        return Err(Error::new(Status::GenericFailure, "the Reprise runtime is already started in this process".to_string()));
    }
    let app = App::from_model(&options.model, PathBuf::from(&options.app_root)).map_err(to_napi)?;
    ToolGate::check_token(options.tool_token.as_deref()).map_err(to_napi)?;
    set_timeout(options.request_timeout_ms);
    let host = options.host.unwrap_or_else(|| "127.0.0.1".into());
    let addr = format!("{}:{}", host, options.port);
    let listener = Runtime::bind(&addr).await.map_err(|e| Error::new(Status::GenericFailure, format!("could not listen on {addr}: {e}")))?;
    let port = listener.local_addr().map(|a| a.port() as u32).unwrap_or(options.port);
    bridge().start_reply_pump(&tokio::runtime::Handle::current());
    let tools = ToolGate::new(port as u16, options.tool_token).map_err(to_napi)?.with_dashboard(options.dashboard_dir.map(PathBuf::from));
    let rt = Runtime::new(app, bridge().clone(), tools);
    if RUNTIME.set(rt.clone()).is_err() {
        return Err(Error::new(Status::GenericFailure, "the Reprise runtime is already started in this process".to_string()));
    }
    tokio::spawn(rt.serve(listener));
    Ok(port)
}

/// Swaps in a new app model (watch mode) without touching the listener; requests in flight finish on the old one.
/// With `dispatcher`, that (not yet active) dispatcher becomes current together with the new model, so no request
/// is routed by one model and handled by the other app's code.
#[napi]
pub fn reload(model: String, app_root: String, dispatcher: Option<u32>) -> Result<()> {
    let app = App::from_model(&model, PathBuf::from(app_root)).map_err(to_napi)?;
    let rt = runtime()?;
    let d = match dispatcher {
        Some(h) => Some(
            lock_dispatchers().get(&h).cloned().ok_or_else(|| Error::new(Status::InvalidArg, format!("unknown dispatcher {h}")))?,
        ),
        None => None,
    };
    rt.replace_app(app);
    if let Some(d) = d {
        bridge().install(d);
    }
    Ok(())
}

/// Checks a model the way `start` would, without starting anything (used before a reload).
#[napi]
pub fn check_model(model: String, app_root: String) -> Result<()> {
    App::from_model(&model, PathBuf::from(app_root)).map(|_| ()).map_err(to_napi)
}

#[napi]
pub fn set_request_timeout(ms: Option<u32>) {
    set_timeout(ms);
}

/// Stops accepting and waits up to `grace_ms` for connections to finish; resolves with how many were still open.
#[napi]
pub async fn shutdown(grace_ms: u32) -> Result<u32> {
    let Some(rt) = RUNTIME.get() else { return Ok(0) };
    Ok(rt.shutdown(Duration::from_millis(grace_ms as u64)).await as u32)
}

/// A napi value made by hand, handed to the threadsafe function's call as one argument.
struct RawValue(sys::napi_value);

impl ToNapiValue for RawValue {
    unsafe fn to_napi_value(_: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        Ok(val.0)
    }
}

fn check(status: sys::napi_status, what: &str) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::GenericFailure, format!("could not create the batch's {what}")))
    }
}

/// The three arguments of a batch (src/batch.rs): a Uint32Array, one string, and the extras array (or null).
unsafe fn batch_args(env: sys::napi_env, enc: crate::batch::Encoded) -> Result<FnArgs<(RawValue, RawValue, RawValue)>> {
    use crate::batch::Extra;
    let bytes = enc.ints.len() * 4;
    let mut data: *mut std::ffi::c_void = std::ptr::null_mut();
    let mut ab = std::ptr::null_mut();
    check(sys::napi_create_arraybuffer(env, bytes, &mut data, &mut ab), "numbers")?;
    if bytes > 0 {
        std::ptr::copy_nonoverlapping(enc.ints.as_ptr() as *const u8, data as *mut u8, bytes);
    }
    let mut ints = std::ptr::null_mut();
    check(sys::napi_create_typedarray(env, sys::TypedarrayType::uint32_array, enc.ints.len(), ab, 0, &mut ints), "numbers")?;
    let mut text = std::ptr::null_mut();
    let (ptr, len) = (enc.text.as_ptr() as *const std::ffi::c_char, enc.text.len() as isize);
    if enc.ascii {
        check(sys::napi_create_string_latin1(env, ptr, len, &mut text), "text")?;
    } else {
        check(sys::napi_create_string_utf8(env, ptr, len, &mut text), "text")?;
    }
    let extras = if enc.extras.is_empty() {
        let mut null = std::ptr::null_mut();
        check(sys::napi_get_null(env, &mut null), "extras")?;
        null
    } else {
        let env_ = Env::from_raw(env);
        let mut arr = env_.create_array(enc.extras.len() as u32)?;
        for (i, e) in enc.extras.into_iter().enumerate() {
            match e {
                Extra::Bytes(b) => arr.set(i as u32, Buffer::from(b.to_vec()))?,
                Extra::Strings(v) => arr.set(i as u32, v)?,
            }
        }
        Array::to_napi_value(env, arr)?
    };
    Ok(FnArgs::from((RawValue(ints), RawValue(text), RawValue(extras))))
}

/// Installs `callback(batch)` as the current dispatcher (the previous one keeps serving requests it started).
/// Returns a handle for `uninstallDispatcher`. With `activate: false` it only becomes current through `reload`.
#[napi]
pub fn install_dispatcher(callback: Function<'_, (), ()>, activate: Option<bool>) -> Result<u32> {
    let cell: Arc<OnceLock<Weak<Dispatcher>>> = Arc::new(OnceLock::new());
    let cb_cell = cell.clone();
    let tsfn = callback
        .build_threadsafe_function::<()>()
        .callee_handled::<false>()
        .build_callback(move |ctx| {
            let events = match cb_cell.get().and_then(Weak::upgrade) {
                Some(d) => d.drain(),
                None => Vec::new(),
            };
            unsafe { batch_args(ctx.env.raw(), crate::batch::encode(events)) }
        })?;
    let wake: Box<dyn Fn() -> bool + Send + Sync> = Box::new(move || tsfn.call((), ThreadsafeFunctionCallMode::NonBlocking) == Status::Ok);
    let rt = napi::bindgen_prelude::within_runtime_if_available(tokio::runtime::Handle::try_current);
    let dispatcher = match rt {
        Ok(rt) => Dispatcher::deferred(wake, &rt, bridge().clone()),
        Err(_) => Dispatcher::new(wake, bridge()),
    };
    let _ = cell.set(Arc::downgrade(&dispatcher));
    let handle = NEXT_DISPATCHER.fetch_add(1, Ordering::Relaxed);
    lock_dispatchers().insert(handle, dispatcher.clone());
    if activate.unwrap_or(true) {
        bridge().install(dispatcher);
    }
    Ok(handle)
}

/// The dispatch's state as JSON: every installed dispatcher's queue length and flags, pending requests, parked
/// replies. For diagnosing a request that gets no answer (`reprise run` prints it on SIGUSR2).
#[napi]
pub fn dispatch_state() -> String {
    let dispatchers = lock_dispatchers();
    let mut sorted: Vec<_> = dispatchers.iter().map(|(h, d)| (*h, d)).collect();
    sorted.sort_by_key(|(h, _)| *h);
    bridge().describe(sorted)
}

#[napi]
pub fn uninstall_dispatcher(handle: u32) {
    if let Some(d) = lock_dispatchers().remove(&handle) {
        bridge().uninstall(&d);
    }
}

fn pairs(flat: Option<Vec<String>>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(flat) = flat {
        let mut it = flat.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            out.push((k, v));
        }
    }
    out
}

/// Answers a typed request. `headers` is a flat [name, value, ...] list. False when the request is gone. The
/// reply is parked until `flushReplies` (JS calls it once per batch), so one batch of answers wakes the tokio
/// worker once.
#[napi]
pub fn respond(id: u32, status: u32, body: String, headers: Option<Vec<String>>) -> bool {
    bridge().park_reply(id, Reply::Full { status: status as u16, body, headers: pairs(headers) })
}

/// Completes the replies `respond` parked.
#[napi]
pub fn flush_replies() {
    bridge().flush_replies();
}

/// A pending typed request's headers as a flat [name, value, ...] list, read only when a handler asks for
/// `currentRequest().headers`. None once the request was answered.
#[napi]
pub fn request_headers(id: u32) -> Option<Vec<String>> {
    bridge().headers(id)
}

/// Gives a raw request's body pump `n` chunks of credit back once JS's stream consumed them; for a stream, `n`
/// messages the handler consumed (src/ws.rs reads the socket only with credit).
#[napi]
pub fn raw_ack(id: u32, n: u32) -> bool {
    bridge().add_credit(id, n as usize)
}

/// Sends a raw response's head; the body follows with `rawWrite` / `rawEnd`.
#[napi]
pub fn raw_head(id: u32, status: u32, headers: Option<Vec<String>>) -> bool {
    bridge().complete(id, Reply::Head { status: status as u16, headers: pairs(headers) })
}

/// 0: the request is gone; 1: queued, room for more; 2: queued, but the queue is over its high-water mark —
/// wait for the request's drain event (src/outq.rs) before writing more.
fn sent(s: crate::outq::Sent) -> u32 {
    match s {
        crate::outq::Sent::Gone => 0,
        crate::outq::Sent::Room => 1,
        crate::outq::Sent::Full => 2,
    }
}

/// Queues a raw response body chunk: see [`sent`] for the answer.
#[napi]
pub fn raw_write(id: u32, chunk: Buffer) -> u32 {
    sent(bridge().send_outbound(id, Outbound::Chunk(bytes::Bytes::from(chunk.to_vec()))))
}

#[napi]
pub fn raw_end(id: u32) -> bool {
    bridge().send_outbound(id, Outbound::Close { code: 1000, reason: String::new() }) != crate::outq::Sent::Gone
}

/// Queues a stream message: see [`sent`] for the answer.
#[napi]
pub fn stream_send(id: u32, text: String) -> u32 {
    sent(bridge().send_outbound(id, Outbound::Text(text)))
}

#[napi]
pub fn stream_close(id: u32, code: u32, reason: String) -> bool {
    bridge().send_outbound(id, Outbound::Close { code: code as u16, reason }) != crate::outq::Sent::Gone
}

#[napi(object)]
pub struct OutboundStats {
    /// Bytes queued over all raw responses and streams now.
    pub queued: u32,
    /// The most bytes any one outbound queue has held since the process started.
    pub peak: u32,
}

/// The outbound queues' byte counts, for tests and diagnostics.
#[napi]
pub fn outbound_stats() -> OutboundStats {
    let (queued, peak) = crate::outq::stats();
    OutboundStats { queued: queued.min(u32::MAX as usize) as u32, peak: peak.min(u32::MAX as usize) as u32 }
}

#[napi(object)]
pub struct CallResult {
    pub status: u32,
    pub body: String,
}

/// A service-to-service call through the runtime (validation, auth, deadline, error mapping). `caller` is the
/// handle of the work making the call (a request id, a delivery's or cron run's handle): the call is traced in
/// its trace.
#[napi]
pub async fn call_endpoint(endpoint: u32, params: String, auth_data: Option<String>, caller: Option<u32>) -> Result<CallResult> {
    let rt = runtime()?.clone();
    let app = rt.app();
    let (status, body) = crate::tracing::traced_call(&app, caller, endpoint, rt.call_internal(endpoint, &params, auth_data)).await;
    Ok(CallResult { status: status as u32, body })
}
