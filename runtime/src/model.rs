//! The part of the app model v1 (protocol/src/app-model.ts) the runtime reads, deserialised once at startup.
//! Unknown fields are ignored so additive model changes never break an older runtime.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
pub struct AppModel {
    pub app: App,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default)]
    pub auth_handler: Option<AuthHandler>,
    #[serde(default)]
    pub cron_jobs: Vec<CronJob>,
    #[serde(default)]
    pub topics: Vec<Topic>,
    /// The app file's `global_cors` (src/cors.rs).
    #[serde(default)]
    pub cors: Option<Cors>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cors {
    #[serde(default)]
    pub allow_origins_without_credentials: Option<Vec<String>>,
    #[serde(default)]
    pub allow_origins_with_credentials: Option<Vec<String>>,
    #[serde(default)]
    pub allow_headers: Vec<String>,
    #[serde(default)]
    pub expose_headers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct EndpointRef {
    pub service: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CronJob {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub every: Option<String>,
    #[serde(default)]
    pub schedule: Option<String>,
    #[serde(default)]
    pub endpoint: Option<EndpointRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Topic {
    pub name: String,
    /// The message's JSON Schema; `None` when the analyser could not derive one.
    #[serde(default)]
    pub message: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub struct Service {
    pub name: String,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub name: String,
    pub service: String,
    #[serde(default)]
    pub method: Vec<String>,
    pub path: String,
    #[serde(default)]
    pub expose: bool,
    #[serde(default)]
    pub auth: bool,
    #[serde(default)]
    pub raw: bool,
    #[serde(default)]
    pub streaming: Option<String>,
    #[serde(default, rename = "static")]
    pub static_assets: Option<StaticAssets>,
    /// Bytes; `None` = unlimited (the model writes `null`).
    #[serde(default)]
    pub body_limit: Option<u64>,
    #[serde(default)]
    pub request: Option<Value>,
    #[serde(default)]
    pub handshake: Option<Value>,
    #[serde(default)]
    pub response: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaticAssets {
    pub dir: String,
    #[serde(default)]
    pub not_found: Option<String>,
    #[serde(default = "default_not_found_status")]
    pub not_found_status: u16,
}

fn default_not_found_status() -> u16 {
    404
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthHandler {
    pub service: String,
    pub name: String,
    #[serde(default)]
    pub params: Option<Value>,
}

impl AppModel {
    pub fn parse(json: &str) -> Result<AppModel, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Endpoints in a stable order (services, then declaration order); the index is the endpoint's id on both sides
    /// of the JS bridge.
    pub fn endpoints(&self) -> Vec<Endpoint> {
        self.app.services.iter().flat_map(|s| s.endpoints.iter().cloned()).collect()
    }
}
