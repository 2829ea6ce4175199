//! Reprise infrastructure providers (placeholder until they land).
