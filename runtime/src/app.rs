//! The runnable form of an app model: endpoints with compiled request plans, the router, the auth handler's plan.
//! Built once per (re)load; requests hold an `Arc<App>` so a reload never disturbs requests in flight.

use crate::decode::RequestPlan;
use crate::error::RuntimeError;
use crate::model::{AppModel, CronJob, Endpoint, StaticAssets};
use crate::schema::Schema;
use crate::router::{expand_methods, RouteSpec, Router};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Typed,
    Raw,
    Stream,
    Static,
}

pub struct Ep {
    pub service: String,
    pub name: String,
    /// The route pattern as the model declares it (`/hello/:name`); what a trace's HTTP span names as its route.
    pub path: String,
    pub kind: Kind,
    pub auth: bool,
    pub expose: bool,
    pub body_limit: Option<u64>,
    /// Request schema (typed) or handshake schema (streams).
    pub plan: Option<RequestPlan>,
    pub static_assets: Option<StaticAssets>,
}

/// A topic as the admin publish route needs it: its message schema compiled once per load.
pub struct TopicInfo {
    pub name: String,
    /// `None` when the model has no message schema, or it did not compile (then messages are not validated).
    pub message: Option<Schema>,
}

pub struct App {
    pub endpoints: Vec<Ep>,
    pub cron_jobs: Vec<CronJob>,
    pub topics: Vec<TopicInfo>,
    pub router: Router,
    pub auth: Option<RequestPlan>,
    pub has_auth_handler: bool,
    pub app_root: PathBuf,
    pub cors: crate::cors::CorsPolicy,
}

fn plan(e: &Endpoint, schema: &Option<serde_json::Value>, what: &str) -> Result<Option<RequestPlan>, RuntimeError> {
    match schema {
        Some(s) if !s.is_null() => RequestPlan::compile(s)
            .map(Some)
            .map_err(|err| RuntimeError::Schema { context: format!("{} of {}.{}", what, e.service, e.name), reason: err.to_string() }),
        _ => Ok(None),
    }
}

impl App {
    pub fn from_model(json: &str, app_root: PathBuf) -> Result<App, RuntimeError> {
        let model = AppModel::parse(json)?;
        // As `encore run`: the local environment allows every origin (src/cors.rs).
        let local = std::env::var("REPRISE_ENV").map(|e| e.is_empty() || e == "local").unwrap_or(true);
        let cors = crate::cors::CorsPolicy::new(&model, local)?;
        let mut router = Router::new();
        let mut endpoints = Vec::new();
        for (i, e) in model.endpoints().into_iter().enumerate() {
            let kind = if e.static_assets.is_some() {
                Kind::Static
            } else if e.streaming.is_some() {
                Kind::Stream
            } else if e.raw {
                Kind::Raw
            } else {
                Kind::Typed
            };
            let plan = match kind {
                Kind::Typed => plan(&e, &e.request, "the request")?,
                Kind::Stream => plan(&e, &e.handshake, "the handshake")?,
                _ => None,
            };
            let methods = match kind {
                Kind::Static => expand_methods(&["GET".into(), "HEAD".into()]),
                Kind::Stream => expand_methods(&["GET".into()]),
                _ => expand_methods(&e.method),
            };
            // Private endpoints are not routable from outside; services reach them by index.
            if e.expose {
                router.insert(RouteSpec { endpoint: i as u32, methods: &methods, path: &e.path, service: &e.service, name: &e.name })?;
            }
            endpoints.push(Ep {
                service: e.service,
                name: e.name,
                path: e.path,
                kind,
                auth: e.auth,
                expose: e.expose,
                body_limit: e.body_limit,
                plan,
                static_assets: e.static_assets,
            });
        }
        let (auth, has_auth_handler) = match &model.app.auth_handler {
            Some(h) => {
                let p = match &h.params {
                    Some(s) if !s.is_null() => Some(RequestPlan::compile(s).map_err(|err| RuntimeError::Schema {
                        context: format!("the params of auth handler {}.{}", h.service, h.name),
                        reason: err.to_string(),
                    })?),
                    _ => None,
                };
                (p, true)
            }
            None => (None, false),
        };
        let topics = model
            .app
            .topics
            .iter()
            .map(|t| TopicInfo {
                name: t.name.clone(),
                message: t.message.as_ref().filter(|m| !m.is_null()).and_then(|m| match Schema::compile(m) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        // A topic schema the validator cannot compile must not stop the app: publish unvalidated.
                        eprintln!("reprise: topic {:?}: its message schema is not used for validation: {e}", t.name);
                        None
                    }
                }),
            })
            .collect();
        Ok(App { endpoints, cron_jobs: model.app.cron_jobs, topics, router, auth, has_auth_handler, app_root, cors })
    }
}
