//! Reprise tracing (placeholder until it lands).
