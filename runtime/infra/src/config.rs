//! Runtime config: the deploy-time half of an app's infrastructure (connection strings, providers, secret values),
//! kept apart from the compile-time app model so one build runs on a laptop and in production unchanged.
//!
//! A config file holds a base section plus named `environments` whose sections override it. Every section is
//! checked by serde (unknown keys and wrong types are errors naming the key path), then the selected
//! environment is merged over the base, `$env:NAME` references are replaced, and cross-field rules are applied.
//! No file at all means the embedded defaults: PGlite, in-process pub/sub, filesystem buckets, in-process caches.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// File names looked for in the app root when neither `--config` nor `REPRISE_CONFIG` names a file.
pub const DEFAULT_FILE_NAMES: [&str; 2] = ["reprise.config.json", "infra.config.json"];
/// The environment used when `REPRISE_ENV` is unset.
pub const DEFAULT_ENV: &str = "local";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("cannot read runtime config {file}: {message}")]
    Read { file: PathBuf, message: String },
    #[error("runtime config {file} is not valid JSON (line {line}, column {column}): {message}")]
    Syntax { file: PathBuf, line: usize, column: usize, message: String },
    #[error("runtime config {file}: `{key}`: {message}")]
    Invalid { file: String, key: String, message: String },
    #[error("runtime config {file}: `{key}` references $env:{var}, but the environment variable {var} is not set")]
    MissingEnvVar { file: String, key: String, var: String },
    #[error("runtime config {file}: environment `{env}` (from REPRISE_ENV) is not defined; defined: {defined}")]
    UnknownEnvironment { file: String, env: String, defined: String },
}

// ---------------------------------------------------------------------------------------------------------------
// The file as written. Flat structs with optional fields (no internally tagged enums) so serde_path_to_error can
// name the exact key of any mistake; cross-field rules are checked after merging.

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Section {
    sql: Option<SqlSection>,
    pubsub: Option<PubSubSection>,
    buckets: Option<BucketsSection>,
    secrets: Option<BTreeMap<String, String>>,
    tracing: Option<TracingSection>,
    cache: Option<CacheSection>,
    metrics: Option<MetricsSection>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SqlSection {
    server: Option<String>,
    data_dir: Option<String>,
    max_connections: Option<u32>,
    /// The PostgreSQL major version production runs; used by `reprise check` (SQL newer than it is flagged).
    postgres_version: Option<u32>,
    databases: Option<BTreeMap<String, DatabaseSection>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DatabaseSection {
    connection_string: Option<String>,
    max_connections: Option<u32>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum PubSubProvider {
    #[default]
    Memory,
    Nats,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PubSubSection {
    provider: Option<PubSubProvider>,
    url: Option<String>,
    stream_prefix: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum BucketProviderKind {
    #[default]
    Filesystem,
    S3,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct BucketsSection {
    provider: Option<BucketProviderKind>,
    root: Option<String>,
    endpoint: Option<String>,
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    bucket_prefix: Option<String>,
    allow_http: Option<bool>,
    public_base_url: Option<String>,
    buckets: Option<BTreeMap<String, BucketOverrideSection>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct BucketOverrideSection {
    name: Option<String>,
    public_base_url: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum TracingExporter {
    #[default]
    None,
    Stdout,
    Otlp,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TracingSection {
    exporter: Option<TracingExporter>,
    endpoint: Option<String>,
    sample_rate: Option<f64>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum CacheProvider {
    #[default]
    Memory,
    Redis,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CacheSection {
    provider: Option<CacheProvider>,
    url: Option<String>,
    key_prefix: Option<String>,
    clusters: Option<BTreeMap<String, CacheClusterSection>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CacheClusterSection {
    url: Option<String>,
    key_prefix: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MetricsExporter {
    None,
    Otlp,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MetricsSection {
    exporter: Option<MetricsExporter>,
    endpoint: Option<String>,
    interval_seconds: Option<u32>,
}

// ---------------------------------------------------------------------------------------------------------------
// The resolved config handed to providers and (as JSON) to the SDK.

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeConfig {
    /// The selected environment name.
    pub env: String,
    /// The file it came from; None = embedded defaults.
    pub file: Option<PathBuf>,
    pub app_root: PathBuf,
    pub sql: SqlConfig,
    pub pubsub: PubSubConfig,
    pub buckets: BucketsConfig,
    pub secrets: BTreeMap<String, String>,
    pub tracing: TracingConfig,
    pub cache: CacheConfig,
    pub metrics: MetricsConfig,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CacheConfig {
    /// `memory`: one in-process store per cluster (nothing survives a restart); `redis`: a Redis server.
    pub provider: CacheProvider,
    /// The Redis URL every cluster uses unless `clusters.<name>.url` names another.
    pub url: Option<String>,
    /// Prepended to every key on Redis, so several apps (or clusters) can share one server.
    pub key_prefix: String,
    pub clusters: BTreeMap<String, CacheClusterOverride>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct CacheClusterOverride {
    pub url: Option<String>,
    pub key_prefix: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MetricsConfig {
    /// The OTLP/HTTP metrics endpoint; None = metrics are kept in-process only (admin route), not exported.
    pub endpoint: Option<String>,
    pub interval_seconds: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SqlConfig {
    /// A PostgreSQL server on which each database gets its own database, created on first use.
    pub server: Option<String>,
    /// Where embedded (PGlite) databases keep one data directory each.
    pub data_dir: PathBuf,
    pub max_connections: u32,
    /// The PostgreSQL major version production runs (`sql.postgresVersion`), when the config names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postgres_version: Option<u32>,
    /// Explicit per-database connection strings; they win over `server`.
    pub databases: BTreeMap<String, DatabaseConfig>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseConfig {
    pub connection_string: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PubSubConfig {
    pub provider: PubSubProvider,
    pub url: Option<String>,
    /// Prefix of JetStream stream, subject and consumer names, so several apps can share one NATS server.
    pub stream_prefix: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BucketsConfig {
    pub provider: BucketProviderKind,
    /// Filesystem provider: the directory holding one folder per bucket.
    pub root: PathBuf,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub bucket_prefix: String,
    pub allow_http: bool,
    pub public_base_url: Option<String>,
    pub buckets: BTreeMap<String, BucketOverride>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct BucketOverride {
    pub name: Option<String>,
    pub public_base_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TracingConfig {
    pub exporter: TracingExporter,
    pub endpoint: Option<String>,
    pub sample_rate: f64,
}

impl RuntimeConfig {
    /// The embedded defaults for an app root.
    pub fn defaults(app_root: &Path, env: &str) -> RuntimeConfig {
        resolve_section(Section::default(), app_root, env, None, "(defaults)")
            .expect("the default config is valid")
    }

    /// The connection string for a database, or None when it runs embedded.
    pub fn database_url(&self, name: &str) -> Option<String> {
        if let Some(db) = self.sql.databases.get(name) {
            return Some(db.connection_string.clone());
        }
        self.sql.server.as_ref().map(|server| with_database(server, name))
    }

    /// A secret's value from `REPRISE_SECRET_<Name>` (wins) or the config's `secrets`.
    pub fn secret(&self, name: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        env(&format!("REPRISE_SECRET_{name}")).or_else(|| self.secrets.get(name).cloned())
    }
}

/// Replaces the database part of a PostgreSQL URL (`postgres://u@h:5432/postgres?x=y` → `.../<name>?x=y`).
pub fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.find('?') {
        Some(i) => (&server[..i], &server[i..]),
        None => (server, ""),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    format!("{base}/{name}{query}")
}

/// Where the config file comes from, in precedence order: an explicit path (`reprise run --config`), then
/// `REPRISE_CONFIG`, then `reprise.config.json` / `infra.config.json` in the app root.
pub fn locate(app_root: &Path, explicit: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(absolute(app_root, p));
    }
    if let Some(p) = env("REPRISE_CONFIG").filter(|s| !s.is_empty()) {
        return Some(absolute(app_root, Path::new(&p)));
    }
    DEFAULT_FILE_NAMES.iter().map(|n| app_root.join(n)).find(|p| p.is_file())
}

fn absolute(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// Loads the runtime config for an app: locates the file, validates every section, merges the selected
/// environment (`REPRISE_ENV`, default `local`) over the base, resolves `$env:` references.
pub fn load(app_root: &Path, explicit: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<RuntimeConfig, ConfigError> {
    let env_name = env("REPRISE_ENV").filter(|s| !s.is_empty());
    let selected = env_name.clone().unwrap_or_else(|| DEFAULT_ENV.to_string());
    let Some(file) = locate(app_root, explicit, env) else {
        return Ok(RuntimeConfig::defaults(app_root, &selected));
    };
    let text = std::fs::read_to_string(&file).map_err(|e| ConfigError::Read { file: file.clone(), message: e.to_string() })?;
    let mut cfg = parse(&text, &file, app_root, env_name.as_deref(), env)?;
    cfg.file = Some(file);
    Ok(cfg)
}

/// Parses and resolves config text. `env_name` is the explicitly requested environment (None = default).
pub fn parse(
    text: &str,
    file: &Path,
    app_root: &Path,
    env_name: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<RuntimeConfig, ConfigError> {
    let shown = file.display().to_string();
    let root: Value = serde_json::from_str(text).map_err(|e| ConfigError::Syntax {
        file: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let Value::Object(mut obj) = root else {
        return Err(invalid(&shown, "(root)", "expected a JSON object"));
    };
    obj.remove("$schema");
    let environments = match obj.remove("environments") {
        None => Map::new(),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(invalid(&shown, "environments", "expected an object of environment name → section")),
    };
    // Validate every section, including environments that are not selected: a typo in `production` should not
    // wait for a production deploy to surface.
    check_section(&Value::Object(obj.clone()), "", &shown)?;
    for (name, section) in &environments {
        check_section(section, &format!("environments.{name}."), &shown)?;
    }
    let selected = env_name.unwrap_or(DEFAULT_ENV);
    let mut merged = Value::Object(obj);
    match environments.get(selected) {
        Some(section) => deep_merge(&mut merged, section),
        None if env_name.is_some() && !environments.is_empty() => {
            return Err(ConfigError::UnknownEnvironment {
                file: shown,
                env: selected.to_string(),
                defined: environments.keys().cloned().collect::<Vec<_>>().join(", "),
            })
        }
        None => {}
    }
    resolve_env_refs(&mut merged, &mut String::new(), &shown, env)?;
    let section: Section = deserialize(&merged, "", &shown)?;
    resolve_section(section, app_root, selected, Some(file), &shown)
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn invalid(file: &str, key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { file: file.to_string(), key: key.to_string(), message: message.into() }
}

fn check_section(v: &Value, prefix: &str, file: &str) -> Result<(), ConfigError> {
    deserialize::<Section>(v, prefix, file).map(|_| ())
}

fn deserialize<T: serde::de::DeserializeOwned>(v: &Value, prefix: &str, file: &str) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(v.clone()).map_err(|e| {
        let path = e.path().to_string();
        let key = if path == "." { prefix.trim_end_matches('.').to_string() } else { format!("{prefix}{path}") };
        let key = if key.is_empty() { "(root)".to_string() } else { key };
        invalid(file, &key, e.into_inner().to_string())
    })
}

/// Objects merge key by key (the environment wins); anything else is replaced.
fn deep_merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

fn resolve_env_refs(v: &mut Value, path: &mut String, file: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
    match v {
        Value::String(s) => {
            if let Some(var) = s.strip_prefix("$env:") {
                if var.is_empty() || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(invalid(file, path, format!("`{s}` is not a valid $env:NAME reference")));
                }
                match env(var) {
                    Some(val) => *s = val,
                    None => return Err(ConfigError::MissingEnvVar { file: file.to_string(), key: path.clone(), var: var.to_string() }),
                }
            }
        }
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                resolve_env_refs(child, path, file, env)?;
                path.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

fn resolve_section(s: Section, app_root: &Path, env: &str, file: Option<&Path>, shown: &str) -> Result<RuntimeConfig, ConfigError> {
    let sql = s.sql.unwrap_or_default();
    let default_max = sql.max_connections.unwrap_or(10);
    if default_max == 0 {
        return Err(invalid(shown, "sql.maxConnections", "must be at least 1"));
    }
    if let Some(server) = &sql.server {
        check_pg_url(server, "sql.server", shown)?;
    }
    if let Some(v) = sql.postgres_version {
        if !(12..=18).contains(&v) {
            return Err(invalid(shown, "sql.postgresVersion", format!("{v}: must be a PostgreSQL major version from 12 to 18")));
        }
    }
    let mut databases = BTreeMap::new();
    for (name, db) in sql.databases.unwrap_or_default() {
        let key = format!("sql.databases.{name}");
        let Some(cs) = db.connection_string else {
            return Err(invalid(shown, &format!("{key}.connectionString"), "required"));
        };
        check_pg_url(&cs, &format!("{key}.connectionString"), shown)?;
        let max = db.max_connections.unwrap_or(default_max);
        if max == 0 {
            return Err(invalid(shown, &format!("{key}.maxConnections"), "must be at least 1"));
        }
        databases.insert(name, DatabaseConfig { connection_string: cs, max_connections: max });
    }
    let reprise_dir = app_root.join(".reprise");
    let sql = SqlConfig {
        server: sql.server,
        data_dir: sql.data_dir.map(|d| absolute(app_root, Path::new(&d))).unwrap_or_else(|| reprise_dir.join("db")),
        max_connections: default_max,
        postgres_version: sql.postgres_version,
        databases,
    };

    let ps = s.pubsub.unwrap_or_default();
    let provider = ps.provider.unwrap_or_default();
    if provider == PubSubProvider::Nats {
        match &ps.url {
            None => return Err(invalid(shown, "pubsub.url", "required when pubsub.provider is \"nats\" (e.g. \"nats://127.0.0.1:4222\")")),
            Some(u) => check_url(u, &["nats", "tls"], "pubsub.url", shown)?,
        }
    } else if ps.url.is_some() {
        return Err(invalid(shown, "pubsub.url", "only used with pubsub.provider \"nats\""));
    }
    let stream_prefix = ps.stream_prefix.unwrap_or_else(|| "reprise".to_string());
    if stream_prefix.is_empty() || !stream_prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(invalid(shown, "pubsub.streamPrefix", "must be non-empty and use only letters, digits, `_` and `-`"));
    }
    let pubsub = PubSubConfig { provider, url: ps.url, stream_prefix };

    let b = s.buckets.unwrap_or_default();
    let bprov = b.provider.unwrap_or_default();
    if bprov == BucketProviderKind::S3 {
        if b.region.is_none() && b.endpoint.is_none() {
            return Err(invalid(shown, "buckets.region", "required when buckets.provider is \"s3\" (or set buckets.endpoint)"));
        }
        if b.access_key_id.is_some() != b.secret_access_key.is_some() {
            return Err(invalid(shown, "buckets.secretAccessKey", "accessKeyId and secretAccessKey must be set together"));
        }
        if b.root.is_some() {
            return Err(invalid(shown, "buckets.root", "only used with buckets.provider \"filesystem\""));
        }
    } else {
        for (k, set) in [("endpoint", b.endpoint.is_some()), ("region", b.region.is_some()), ("accessKeyId", b.access_key_id.is_some()), ("secretAccessKey", b.secret_access_key.is_some())] {
            if set {
                return Err(invalid(shown, &format!("buckets.{k}"), "only used with buckets.provider \"s3\""));
            }
        }
    }
    if let Some(e) = &b.endpoint {
        check_url(e, &["http", "https"], "buckets.endpoint", shown)?;
    }
    if let Some(u) = &b.public_base_url {
        check_url(u, &["http", "https"], "buckets.publicBaseUrl", shown)?;
    }
    let mut overrides = BTreeMap::new();
    for (name, o) in b.buckets.unwrap_or_default() {
        if let Some(u) = &o.public_base_url {
            check_url(u, &["http", "https"], &format!("buckets.buckets.{name}.publicBaseUrl"), shown)?;
        }
        overrides.insert(name, BucketOverride { name: o.name, public_base_url: o.public_base_url });
    }
    let buckets = BucketsConfig {
        provider: bprov,
        root: b.root.map(|r| absolute(app_root, Path::new(&r))).unwrap_or_else(|| reprise_dir.join("buckets")),
        endpoint: b.endpoint,
        region: b.region,
        access_key_id: b.access_key_id,
        secret_access_key: b.secret_access_key,
        bucket_prefix: b.bucket_prefix.unwrap_or_default(),
        allow_http: b.allow_http.unwrap_or(false),
        public_base_url: b.public_base_url,
        buckets: overrides,
    };

    let t = s.tracing.unwrap_or_default();
    let exporter = t.exporter.unwrap_or_default();
    if exporter == TracingExporter::Otlp {
        match &t.endpoint {
            None => return Err(invalid(shown, "tracing.endpoint", "required when tracing.exporter is \"otlp\" (e.g. \"http://127.0.0.1:4318/v1/traces\")")),
            Some(u) => check_url(u, &["http", "https"], "tracing.endpoint", shown)?,
        }
    }
    let sample_rate = t.sample_rate.unwrap_or(1.0);
    if !(0.0..=1.0).contains(&sample_rate) {
        return Err(invalid(shown, "tracing.sampleRate", "must be between 0 and 1"));
    }
    let tracing = TracingConfig { exporter, endpoint: t.endpoint, sample_rate };

    let c = s.cache.unwrap_or_default();
    let cprov = c.provider.unwrap_or_default();
    let clusters_section = c.clusters.unwrap_or_default();
    if cprov == CacheProvider::Redis {
        let every_cluster_has_url = !clusters_section.is_empty() && clusters_section.values().all(|o| o.url.is_some());
        if c.url.is_none() && !every_cluster_has_url {
            return Err(invalid(shown, "cache.url", "required when cache.provider is \"redis\" (e.g. \"redis://127.0.0.1:6379\")"));
        }
    } else {
        if c.url.is_some() {
            return Err(invalid(shown, "cache.url", "only used with cache.provider \"redis\""));
        }
        if let Some((name, _)) = clusters_section.iter().find(|(_, o)| o.url.is_some()) {
            return Err(invalid(shown, &format!("cache.clusters.{name}.url"), "only used with cache.provider \"redis\""));
        }
    }
    if let Some(u) = &c.url {
        check_url(u, &["redis", "rediss"], "cache.url", shown)?;
    }
    let mut cache_clusters = BTreeMap::new();
    for (name, o) in clusters_section {
        if let Some(u) = &o.url {
            check_url(u, &["redis", "rediss"], &format!("cache.clusters.{name}.url"), shown)?;
        }
        cache_clusters.insert(name, CacheClusterOverride { url: o.url, key_prefix: o.key_prefix });
    }
    let cache = CacheConfig { provider: cprov, url: c.url, key_prefix: c.key_prefix.unwrap_or_default(), clusters: cache_clusters };

    // Metrics go to the same collector as traces unless told otherwise: `<base>/v1/traces` → `<base>/v1/metrics`.
    let m = s.metrics.unwrap_or_default();
    let derived = match (&tracing.exporter, &tracing.endpoint) {
        (TracingExporter::Otlp, Some(e)) => Some(match e.strip_suffix("/v1/traces") {
            Some(base) => format!("{base}/v1/metrics"),
            None => e.clone(),
        }),
        _ => None,
    };
    let metrics_endpoint = match m.exporter {
        Some(MetricsExporter::None) => {
            if m.endpoint.is_some() {
                return Err(invalid(shown, "metrics.endpoint", "only used with metrics.exporter \"otlp\""));
            }
            None
        }
        Some(MetricsExporter::Otlp) => match m.endpoint.or(derived) {
            None => return Err(invalid(shown, "metrics.endpoint", "required when metrics.exporter is \"otlp\" and tracing is not exported over OTLP (e.g. \"http://127.0.0.1:4318/v1/metrics\")")),
            Some(e) => Some(e),
        },
        None => m.endpoint.or(derived),
    };
    if let Some(u) = &metrics_endpoint {
        check_url(u, &["http", "https"], "metrics.endpoint", shown)?;
    }
    let interval_seconds = m.interval_seconds.unwrap_or(10);
    if interval_seconds == 0 {
        return Err(invalid(shown, "metrics.intervalSeconds", "must be at least 1"));
    }
    let metrics = MetricsConfig { endpoint: metrics_endpoint, interval_seconds };

    Ok(RuntimeConfig {
        env: env.to_string(),
        file: file.map(Path::to_path_buf),
        app_root: app_root.to_path_buf(),
        sql,
        pubsub,
        buckets,
        secrets: s.secrets.unwrap_or_default(),
        tracing,
        cache,
        metrics,
    })
}

fn check_url(u: &str, schemes: &[&str], key: &str, file: &str) -> Result<(), ConfigError> {
    let parsed = url::Url::parse(u).map_err(|e| invalid(file, key, format!("`{u}` is not a URL: {e}")))?;
    if !schemes.contains(&parsed.scheme()) {
        return Err(invalid(file, key, format!("`{u}`: scheme must be one of {}", schemes.join(", "))));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid(file, key, format!("`{u}` has no host")));
    }
    Ok(())
}

fn check_pg_url(u: &str, key: &str, file: &str) -> Result<(), ConfigError> {
    check_url(u, &["postgres", "postgresql"], key, file)
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
