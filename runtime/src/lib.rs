//! Reprise runtime: the Rust side of a Reprise app. Owns the HTTP lifecycle (accept, route, decode, validate,
//! respond) and calls into JavaScript once per request for business logic. Loaded into Node as a napi addon;
//! everything but `binding` and `infra_bindings` is plain Rust, unit-tested with `cargo test`.

// The napi surface (`binding`, `infra_bindings`, `trace_bindings`) is called only from JavaScript, so in the
// crate's own unit-test build nothing calls it: dead there, not dead.
#![cfg_attr(test, allow(dead_code))]

pub mod error;
pub mod model;
pub mod router;
pub mod schema;

mod infra_bindings;
pub mod admin;
pub mod app;
pub mod batch;
pub mod body;
pub mod cors;
pub mod dashboard;
pub mod decode;
pub mod dispatch;
pub mod metrics;
pub mod outq;
pub mod raw;
pub mod server;
pub mod static_files;
pub mod threads;
pub mod tool_routes;
pub mod tracing;
pub mod ws;

mod binding;
mod trace_bindings;
