//! Reprise tracing: the span model, W3C `traceparent` propagation, a compact binary encoding (docs/trace-format.md),
//! sampling decided at the end of a request (errors always kept), a writer thread fed through a bounded channel that
//! never blocks a request, a bounded in-memory store of recent traces, and OTLP/HTTP export.
//!
//! Plain Rust with no Node binding: the runtime (runtime/src/tracing.rs) owns one [`Tracer`] and calls it from its
//! request path.

pub mod api;
pub mod config;
pub mod decode;
pub mod encode;
pub mod ids;
pub mod model;
pub mod otlp;
pub mod recorder;
pub mod sampling;
pub mod store;
pub mod traceparent;
pub mod tracer;
pub mod writer;

pub use config::{EndpointSampleRate, OtlpConfig, TracingConfig};
pub use decode::{decode_record, decode_stream, DecodeError};
pub use encode::{encode_record, encode_to_vec};
pub use ids::{SpanId, TraceId};
pub use model::*;
pub use recorder::{unix_now_ns as recorder_now_unix_ns, ActiveTrace, SpanRef};
pub use sampling::Decision;
pub use store::{TraceStore, TraceSummary};
pub use traceparent::{TraceParent, TraceParentError};
pub use tracer::{Tracer, TracerError, TracerStats};
