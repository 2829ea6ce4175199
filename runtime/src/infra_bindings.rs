//! napi bindings for the infrastructure providers in `reprise-infra` (pub/sub, buckets, cron, config).
