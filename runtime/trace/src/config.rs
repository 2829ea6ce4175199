//! Tracing settings. The runtime fills this from the runtime config's `tracing` section (runtime/infra); defaults
//! keep every trace locally with bounded memory and export nothing.

use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TracingConfig {
    /// Fraction of traces kept (0..=1) for endpoints without their own rate. Traces with an error are always kept.
    pub sample_rate: f64,
    /// Per-endpoint rates, keyed "service.endpoint".
    pub endpoint_sample_rates: Vec<EndpointSampleRate>,
    /// How many recent traces the local store keeps...
    pub store_max_traces: usize,
    /// ...and how many encoded bytes at most, whichever bound is hit first.
    pub store_max_bytes: usize,
    /// Finished traces waiting for the writer; beyond this they are dropped and counted, never waited for.
    pub channel_capacity: usize,
    /// Spans one trace may hold; later ones are counted as dropped.
    pub max_spans_per_trace: usize,
    pub otlp: Option<OtlpConfig>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointSampleRate {
    pub service: String,
    pub endpoint: String,
    pub rate: f64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OtlpConfig {
    /// Full OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`.
    pub endpoint: String,
    /// `service.name` of the exported resource.
    #[serde(default = "default_service_name")]
    pub service_name: String,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Most spans sent in one export request.
    #[serde(default = "default_batch_spans")]
    pub max_batch_spans: usize,
    /// Traces queued for export; beyond this they are dropped and counted.
    #[serde(default = "default_export_queue")]
    pub queue_capacity: usize,
}

fn default_service_name() -> String {
    "reprise-app".into()
}
fn default_timeout_ms() -> u64 {
    10_000
}
fn default_batch_spans() -> usize {
    512
}
fn default_export_queue() -> usize {
    2048
}

impl OtlpConfig {
    pub fn new(endpoint: impl Into<String>) -> OtlpConfig {
        OtlpConfig {
            endpoint: endpoint.into(),
            service_name: default_service_name(),
            timeout_ms: default_timeout_ms(),
            max_batch_spans: default_batch_spans(),
            queue_capacity: default_export_queue(),
        }
    }
}

impl Default for TracingConfig {
    fn default() -> TracingConfig {
        TracingConfig {
            sample_rate: 1.0,
            endpoint_sample_rates: Vec::new(),
            store_max_traces: 1000,
            store_max_bytes: 16 << 20,
            channel_capacity: 4096,
            max_spans_per_trace: 2000,
            otlp: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("tracing.{field} must be between 0 and 1, got {value}")]
    RateOutOfRange { field: String, value: f64 },
    #[error("tracing.{0} must be at least 1")]
    Zero(&'static str),
    #[error("tracing.otlp.endpoint `{0}` is not an http:// or https:// URL")]
    BadEndpoint(String),
}

impl TracingConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_rate("sampleRate".into(), self.sample_rate)?;
        for entry in &self.endpoint_sample_rates {
            check_rate(format!("endpointSampleRates[{}.{}]", entry.service, entry.endpoint), entry.rate)?;
        }
        for (name, value) in [
            ("storeMaxTraces", self.store_max_traces),
            ("storeMaxBytes", self.store_max_bytes),
            ("channelCapacity", self.channel_capacity),
            ("maxSpansPerTrace", self.max_spans_per_trace),
        ] {
            if value == 0 {
                return Err(ConfigError::Zero(name));
            }
        }
        if let Some(otlp) = &self.otlp {
            let scheme_ok = otlp.endpoint.starts_with("http://") || otlp.endpoint.starts_with("https://");
            if !scheme_ok || otlp.endpoint.parse::<http::Uri>().is_err() {
                return Err(ConfigError::BadEndpoint(otlp.endpoint.clone()));
            }
            if otlp.max_batch_spans == 0 {
                return Err(ConfigError::Zero("otlp.maxBatchSpans"));
            }
            if otlp.queue_capacity == 0 {
                return Err(ConfigError::Zero("otlp.queueCapacity"));
            }
        }
        Ok(())
    }
}

fn check_rate(field: String, value: f64) -> Result<(), ConfigError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::RateOutOfRange { field, value })
    }
}
