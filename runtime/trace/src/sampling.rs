//! Which finished traces to keep. The decision is made when the request ends, so a trace with an error is always
//! kept whatever its rate; otherwise the trace id decides (as OpenTelemetry's ratio sampler does), so every process
//! on a trace reaches the same answer, and a caller that sampled the trace (`traceparent` flag) is followed.

use crate::config::TracingConfig;
use crate::ids::TraceId;

#[derive(Clone, Debug)]
pub struct Sampler {
    default_threshold: Threshold,
    /// A short list scanned linearly: no key string is built per request, and apps have few overrides.
    endpoints: Vec<(String, String, Threshold)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Threshold {
    Never,
    Always,
    Below(u64),
}

impl Threshold {
    fn from_rate(rate: f64) -> Threshold {
        if rate.is_nan() || rate <= 0.0 {
            Threshold::Never
        } else if rate >= 1.0 {
            Threshold::Always
        } else {
            Threshold::Below((rate * (u64::MAX as f64)) as u64)
        }
    }

    fn admits(&self, trace_id: &TraceId) -> bool {
        match self {
            Threshold::Never => false,
            Threshold::Always => true,
            Threshold::Below(limit) => trace_id.low_u64() < *limit,
        }
    }
}

/// Why a trace was kept or not; counted in the tracer's statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    KeptError,
    KeptParentSampled,
    KeptSampled,
    SampledOut,
}

impl Decision {
    pub fn keep(&self) -> bool {
        !matches!(self, Decision::SampledOut)
    }
}

impl Sampler {
    pub fn new(config: &TracingConfig) -> Sampler {
        Sampler {
            default_threshold: Threshold::from_rate(config.sample_rate),
            endpoints: config
                .endpoint_sample_rates
                .iter()
                .map(|e| (e.service.clone(), e.endpoint.clone(), Threshold::from_rate(e.rate)))
                .collect(),
        }
    }

    fn threshold(&self, service: &str, endpoint: &str) -> Threshold {
        self.endpoints
            .iter()
            .find(|(s, e, _)| s == service && e == endpoint)
            .map(|(_, _, t)| *t)
            .unwrap_or(self.default_threshold)
    }

    pub fn has_overrides(&self) -> bool {
        !self.endpoints.is_empty()
    }

    /// The rate-based part alone: what an outgoing `traceparent` advertises before the request has ended.
    pub fn by_rate(&self, trace_id: &TraceId, service: &str, endpoint: &str) -> bool {
        self.threshold(service, endpoint).admits(trace_id)
    }

    pub fn decide(&self, trace_id: &TraceId, service: &str, endpoint: &str, has_error: bool, parent_sampled: bool) -> Decision {
        if has_error {
            Decision::KeptError
        } else if parent_sampled {
            Decision::KeptParentSampled
        } else if self.by_rate(trace_id, service, endpoint) {
            Decision::KeptSampled
        } else {
            Decision::SampledOut
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EndpointSampleRate;

    fn sampler(rate: f64, overrides: &[(&str, &str, f64)]) -> Sampler {
        Sampler::new(&TracingConfig {
            sample_rate: rate,
            endpoint_sample_rates: overrides
                .iter()
                .map(|(s, e, r)| EndpointSampleRate { service: s.to_string(), endpoint: e.to_string(), rate: *r })
                .collect(),
            ..TracingConfig::default()
        })
    }

    fn kept_fraction(sampler: &Sampler, service: &str, endpoint: &str) -> f64 {
        let n = 20_000;
        let kept = (0..n).filter(|_| sampler.decide(&TraceId::random(), service, endpoint, false, false).keep()).count();
        kept as f64 / n as f64
    }

    #[test]
    fn rates_are_honoured_per_endpoint() {
        let s = sampler(0.1, &[("users", "create", 1.0), ("health", "ping", 0.0)]);
        let default = kept_fraction(&s, "hello", "get");
        assert!((0.08..0.12).contains(&default), "10% rate kept {default}");
        assert_eq!(kept_fraction(&s, "users", "create"), 1.0);
        assert_eq!(kept_fraction(&s, "health", "ping"), 0.0);
    }

    #[test]
    fn errors_and_sampled_parents_are_always_kept() {
        let s = sampler(0.0, &[]);
        let id = TraceId::random();
        assert_eq!(s.decide(&id, "a", "b", true, false), Decision::KeptError);
        assert_eq!(s.decide(&id, "a", "b", false, true), Decision::KeptParentSampled);
        assert_eq!(s.decide(&id, "a", "b", false, false), Decision::SampledOut);
    }

    #[test]
    fn the_decision_depends_only_on_the_trace_id() {
        let s = sampler(0.5, &[]);
        for _ in 0..100 {
            let id = TraceId::random();
            assert_eq!(s.by_rate(&id, "a", "b"), s.by_rate(&id, "a", "b"));
            assert_eq!(s.by_rate(&id, "a", "b"), s.decide(&id, "a", "b", false, false).keep());
        }
    }
}
