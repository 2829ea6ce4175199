//! Reprise infrastructure providers behind traits, so one app runs embedded on a laptop and against real
//! engines in production unchanged: runtime config, pub/sub (in-process, NATS JetStream), object storage
//! (filesystem, S3-compatible), cron scheduling. Plain Rust; the napi bindings live in the runtime crate.

pub mod config;
pub mod events;
pub mod pubsub;

#[cfg(test)]
mod testutil;
pub mod objects;
pub mod cron;
