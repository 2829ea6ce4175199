//! Reprise runtime (placeholder until the runtime lands).
