//! Reprise runtime: the Rust side of a Reprise app. Owns the HTTP lifecycle (accept, route, decode, validate,
//! respond) and calls into JavaScript once per request for business logic. Loaded into Node as a napi addon.

mod infra_bindings;
