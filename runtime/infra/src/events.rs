//! Where providers report what an operator should see (a retry, a dead letter, a skipped cron run) without
//! depending on a logging stack: the runtime forwards these to its structured logger; tests collect them.

use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Event {
    pub level: Level,
    pub message: String,
    pub fields: serde_json::Value,
}

pub trait EventSink: Send + Sync + 'static {
    fn emit(&self, event: Event);
}

/// One JSON line per event on stderr: the fallback when nobody installed a sink.
pub struct StderrSink;

impl EventSink for StderrSink {
    fn emit(&self, e: Event) {
        let mut line = serde_json::json!({ "level": e.level, "message": e.message });
        if let (Some(obj), serde_json::Value::Object(fields)) = (line.as_object_mut(), e.fields) {
            obj.extend(fields);
        }
        eprintln!("{line}");
    }
}

/// Keeps events in memory, for tests and for inspection endpoints.
#[derive(Default)]
pub struct MemorySink(pub Mutex<Vec<Event>>);

impl MemorySink {
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }
}

impl EventSink for MemorySink {
    fn emit(&self, e: Event) {
        self.0.lock().unwrap().push(e);
    }
}

pub type Sink = Arc<dyn EventSink>;

pub fn emit(sink: &Sink, level: Level, message: impl Into<String>, fields: serde_json::Value) {
    sink.emit(Event { level, message: message.into(), fields });
}
