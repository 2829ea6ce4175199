//! The app's metric series as JS last handed them over, for the admin route `GET /__reprise/admin/metrics`
//! (`reprise metrics`). JS keeps and aggregates the values (runtime/sdk/src/metrics/registry.ts) and calls
//! `metricsPublish` at most once a second while they change, so recording a metric never crosses into Rust.

use napi_derive::napi;
use serde_json::Value;
use std::sync::Mutex;

static SNAPSHOT: Mutex<Option<Value>> = Mutex::new(None);

/// Replaces the published series (a JSON array of `{name, kind, service, labels, value}`); anything else is ignored.
#[napi]
pub fn metrics_publish(series: String) {
    if let Ok(v @ Value::Array(_)) = serde_json::from_str::<Value>(&series) {
        // Nothing inside the lock can panic half-way, so a poisoned lock still holds whole data.
        *SNAPSHOT.lock().unwrap_or_else(|p| p.into_inner()) = Some(v);
    }
}

/// The last published series (`[]` before the app recorded any).
pub fn snapshot() -> Value {
    SNAPSHOT.lock().unwrap_or_else(|p| p.into_inner()).clone().unwrap_or_else(|| Value::Array(Vec::new()))
}
