//! CORS as Encore's runtime applies it, configured by the app file's `global_cors` (encore.app / reprise.app,
//! read into the model's `app.cors` by the analyser).
//!
//! Every `OPTIONS` request is a preflight, answered here with 200 and no body before routing; every other app
//! response gets the CORS headers added. The rules (Encore's `runtimes/core/src/api/cors`):
//! - `Access-Control-Allow-Credentials: true` and `Vary: origin, access-control-request-method,
//!   access-control-request-headers` on every response;
//! - `Access-Control-Allow-Origin: <the request's Origin>` when that origin is allowed: a request carrying
//!   credentials (an `Authorization` or `Cookie` header; for a preflight, asking for either in
//!   `Access-Control-Request-Headers`) is checked against `allow_origins_with_credentials` (unset = none), any
//!   other against `allow_origins_without_credentials` (unset = any). `"*"` allows all; one `*` inside an origin is
//!   a wildcard matching at least one character; origins compare lower-cased;
//! - preflight: `Access-Control-Allow-Methods` mirrors `Access-Control-Request-Method`; `Access-Control-Allow-Headers`
//!   lists the app's `allow_headers`, then Encore's always-allowed headers, then the header parameters of exposed
//!   endpoints and of the auth handler (`"*"` in `allow_headers` mirrors the request instead);
//! - other responses: `Access-Control-Expose-Headers` lists `expose_headers`, the always-exposed headers, and the
//!   response headers exposed endpoints declare.
//!
//! Like `encore run`, the local environment (`REPRISE_ENV` unset or `local`) allows every origin with and without
//! credentials, and private-network access; the configured origin lists apply in every other environment.

use crate::error::RuntimeError;
use crate::model::{AppModel, Cors};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::http::request::Parts;
use serde_json::Value;
use std::collections::BTreeSet;

const ALWAYS_ALLOWED_HEADERS: [&str; 8] =
    ["accept", "authorization", "content-type", "origin", "user-agent", "x-correlation-id", "x-request-id", "x-requested-with"];
const ALWAYS_EXPOSED_HEADERS: [&str; 4] = ["x-request-id", "x-correlation-id", "x-encore-trace-id", "x-reprise-trace-id"];
const VARY: &str = "origin, access-control-request-method, access-control-request-headers";

enum Origin {
    Exact(String),
    Wildcard { prefix: String, suffix: String },
}

impl Origin {
    fn new(o: &str) -> Origin {
        let o = o.to_lowercase();
        match o.split_once('*') {
            Some((prefix, suffix)) => Origin::Wildcard { prefix: prefix.into(), suffix: suffix.into() },
            None => Origin::Exact(o),
        }
    }

    fn matches(&self, origin: &str) -> bool {
        match self {
            Origin::Exact(e) => origin == e,
            Origin::Wildcard { prefix, suffix } => {
                origin.len() > prefix.len() + suffix.len() && origin.starts_with(prefix.as_str()) && origin.ends_with(suffix.as_str())
            }
        }
    }
}

enum OriginSet {
    All,
    Some(Vec<Origin>),
}

impl OriginSet {
    fn new(list: &[String]) -> OriginSet {
        if list.iter().any(|o| o == "*") {
            return OriginSet::All;
        }
        OriginSet::Some(list.iter().map(|o| Origin::new(o)).collect())
    }

    fn allows(&self, origin: &str) -> bool {
        match self {
            OriginSet::All => true,
            OriginSet::Some(list) => {
                let origin = origin.to_lowercase();
                list.iter().any(|o| o.matches(&origin))
            }
        }
    }
}

pub struct CorsPolicy {
    with_credentials: OriginSet,
    without_credentials: OriginSet,
    /// `None` = mirror the preflight's `Access-Control-Request-Headers`.
    allow_headers: Option<HeaderValue>,
    expose_headers: HeaderValue,
    private_network: bool,
}

fn header_name(raw: &str, key: &str) -> Result<HeaderName, RuntimeError> {
    HeaderName::from_bytes(raw.trim().as_bytes()).map_err(|_| RuntimeError::Cors { reason: format!("global_cors.{key}: {raw:?} is not a header name") })
}

/// Header names a JSON Schema of the model reads from or writes to headers (`x-reprise-source: header`).
fn schema_headers(schema: Option<&Value>, out: &mut BTreeSet<String>) {
    let Some(props) = schema.and_then(|s| s.get("properties")).and_then(Value::as_object) else { return };
    for (name, p) in props {
        if p.get("x-reprise-source").and_then(Value::as_str) == Some("header") {
            let wire = p.get("x-reprise-name").and_then(Value::as_str).unwrap_or(name);
            out.insert(wire.to_ascii_lowercase());
        }
    }
}

fn join(names: impl IntoIterator<Item = String>) -> HeaderValue {
    let mut seen = BTreeSet::new();
    let list: Vec<String> = names.into_iter().filter(|n| seen.insert(n.clone())).collect();
    HeaderValue::from_str(&list.join(",")).unwrap_or(HeaderValue::from_static(""))
}

impl CorsPolicy {
    /// The policy for an app model; `local` as in `encore run` (see the module doc).
    pub fn new(model: &AppModel, local: bool) -> Result<CorsPolicy, RuntimeError> {
        let default_cors = Cors::default();
        let cfg = model.app.cors.as_ref().unwrap_or(&default_cors);
        let mut meta_allow = BTreeSet::new();
        let mut meta_expose = BTreeSet::new();
        for e in model.endpoints().iter().filter(|e| e.expose) {
            schema_headers(e.request.as_ref(), &mut meta_allow);
            schema_headers(e.handshake.as_ref(), &mut meta_allow);
            schema_headers(e.response.as_ref(), &mut meta_expose);
        }
        if let Some(h) = &model.app.auth_handler {
            schema_headers(h.params.as_ref(), &mut meta_allow);
        }
        let allow_headers = if cfg.allow_headers.iter().any(|h| h == "*") {
            None
        } else {
            let mut names = Vec::new();
            for h in &cfg.allow_headers {
                names.push(header_name(h, "allow_headers")?.as_str().to_string());
            }
            names.extend(ALWAYS_ALLOWED_HEADERS.iter().map(|s| s.to_string()));
            names.extend(meta_allow);
            Some(join(names))
        };
        let mut expose = Vec::new();
        for h in &cfg.expose_headers {
            expose.push(header_name(h, "expose_headers")?.as_str().to_string());
        }
        expose.extend(ALWAYS_EXPOSED_HEADERS.iter().map(|s| s.to_string()));
        expose.extend(meta_expose);
        let (with_credentials, without_credentials) = if local {
            (OriginSet::All, OriginSet::All)
        } else {
            (
                cfg.allow_origins_with_credentials.as_deref().map(OriginSet::new).unwrap_or(OriginSet::Some(Vec::new())),
                cfg.allow_origins_without_credentials.as_deref().map(OriginSet::new).unwrap_or(OriginSet::All),
            )
        };
        Ok(CorsPolicy { with_credentials, without_credentials, allow_headers, expose_headers: join(expose), private_network: local })
    }

    fn has_credentials(parts: &Parts) -> bool {
        if parts.headers.contains_key(hyper::header::AUTHORIZATION) || parts.headers.contains_key(hyper::header::COOKIE) {
            return true;
        }
        parts.method == hyper::Method::OPTIONS
            && parts.headers.get_all(hyper::header::ACCESS_CONTROL_REQUEST_HEADERS).iter().any(|v| {
                v.to_str().map(|v| v.split(',').map(str::trim).any(|h| h == "authorization" || h == "cookie")).unwrap_or(false)
            })
    }

    /// Adds the CORS headers for a request to its response's headers (preflight or not, from the method).
    pub fn apply(&self, parts: &Parts, out: &mut HeaderMap) {
        use hyper::header::*;
        out.append(ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        let preflight = parts.method == hyper::Method::OPTIONS;
        if preflight
            && self.private_network
            && parts.headers.get("access-control-request-private-network").is_some_and(|v| v.as_bytes() == b"true")
        {
            out.append(HeaderName::from_static("access-control-allow-private-network"), HeaderValue::from_static("true"));
        }
        out.append(VARY, HeaderValue::from_static(self::VARY));
        if let Some(origin) = parts.headers.get(ORIGIN) {
            if let Ok(o) = origin.to_str() {
                let set = if Self::has_credentials(parts) { &self.with_credentials } else { &self.without_credentials };
                if set.allows(o) {
                    out.append(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
                }
            }
        }
        if preflight {
            if let Some(m) = parts.headers.get(ACCESS_CONTROL_REQUEST_METHOD) {
                out.append(ACCESS_CONTROL_ALLOW_METHODS, m.clone());
            }
            match &self.allow_headers {
                Some(list) => {
                    out.append(ACCESS_CONTROL_ALLOW_HEADERS, list.clone());
                }
                None => {
                    if let Some(h) = parts.headers.get(ACCESS_CONTROL_REQUEST_HEADERS) {
                        out.append(ACCESS_CONTROL_ALLOW_HEADERS, h.clone());
                    }
                }
            }
        } else {
            out.append(ACCESS_CONTROL_EXPOSE_HEADERS, self.expose_headers.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(cors: &str, local: bool) -> CorsPolicy {
        let model = format!(
            r#"{{"app":{{"services":[{{"name":"s","endpoints":[{{"name":"e","service":"s","method":["GET"],"path":"/e","expose":true,
            "request":{{"type":"object","properties":{{"tok":{{"type":"string","x-reprise-source":"header","x-reprise-name":"X-Token"}}}}}},
            "response":{{"type":"object","properties":{{"etag":{{"type":"string","x-reprise-source":"header","x-reprise-name":"ETag"}}}}}}}}]}}],
            "cors":{cors}}}}}"#
        );
        CorsPolicy::new(&AppModel::parse(&model).unwrap(), local).unwrap()
    }

    fn req(method: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = hyper::Request::builder().method(method).uri("/e");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    fn applied(p: &CorsPolicy, parts: &Parts) -> HeaderMap {
        let mut h = HeaderMap::new();
        p.apply(parts, &mut h);
        h
    }

    const CFG: &str = r#"{"allowOriginsWithoutCredentials":["https://a.example"],"allowOriginsWithCredentials":["https://*.example.com"],
        "allowHeaders":["X-Extra"],"exposeHeaders":["X-Out"],"debug":false}"#;

    #[test]
    fn origins_with_and_without_credentials_follow_their_own_lists() {
        let p = policy(CFG, false);
        let origin = |h: &HeaderMap| h.get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(origin(&applied(&p, &req("GET", &[("origin", "https://a.example")]))).as_deref(), Some("https://a.example"));
        assert_eq!(origin(&applied(&p, &req("GET", &[("origin", "https://b.example")]))), None);
        // Credentials: the with-credentials list (wildcard needs at least one character).
        assert_eq!(origin(&applied(&p, &req("GET", &[("origin", "https://a.example"), ("cookie", "x=1")]))), None);
        assert_eq!(origin(&applied(&p, &req("GET", &[("origin", "https://App.Example.com"), ("authorization", "x")]))).as_deref(), Some("https://App.Example.com"));
        assert_eq!(origin(&applied(&p, &req("GET", &[("origin", "https://.example.com"), ("authorization", "x")]))), None);
        // A preflight asking to send credentials is checked against the credentials list.
        let pre = req("OPTIONS", &[("origin", "https://x.example.com"), ("access-control-request-method", "PUT"), ("access-control-request-headers", "content-type, authorization")]);
        let h = applied(&p, &pre);
        assert_eq!(origin(&h).as_deref(), Some("https://x.example.com"));
        assert_eq!(h.get("access-control-allow-methods").unwrap(), "PUT");
        assert_eq!(
            h.get("access-control-allow-headers").unwrap(),
            "x-extra,accept,authorization,content-type,origin,user-agent,x-correlation-id,x-request-id,x-requested-with,x-token"
        );
        assert!(h.get("access-control-expose-headers").is_none());
        assert_eq!(h.get("access-control-allow-credentials").unwrap(), "true");
        assert_eq!(h.get("vary").unwrap(), VARY);
        let simple = applied(&p, &req("GET", &[]));
        assert_eq!(simple.get("access-control-expose-headers").unwrap(), "x-out,x-request-id,x-correlation-id,x-encore-trace-id,x-reprise-trace-id,etag");
    }

    #[test]
    fn defaults_allow_any_origin_without_credentials_and_none_with() {
        let p = policy("null", false);
        let h = applied(&p, &req("GET", &[("origin", "https://any.example")]));
        assert_eq!(h.get("access-control-allow-origin").unwrap(), "https://any.example");
        let h = applied(&p, &req("GET", &[("origin", "https://any.example"), ("cookie", "a=b")]));
        assert!(h.get("access-control-allow-origin").is_none());
    }

    #[test]
    fn local_development_allows_every_origin_and_star_headers_mirror() {
        let p = policy(r#"{"allowOriginsWithoutCredentials":["https://a.example"],"allowOriginsWithCredentials":null,"allowHeaders":["*"],"exposeHeaders":[],"debug":true}"#, true);
        let pre = req("OPTIONS", &[("origin", "https://z.example"), ("access-control-request-headers", "x-anything, cookie"), ("access-control-request-private-network", "true")]);
        let h = applied(&p, &pre);
        assert_eq!(h.get("access-control-allow-origin").unwrap(), "https://z.example");
        assert_eq!(h.get("access-control-allow-headers").unwrap(), "x-anything, cookie");
        assert_eq!(h.get("access-control-allow-private-network").unwrap(), "true");
    }

    #[test]
    fn a_bad_header_name_is_a_start_up_error() {
        let model = r#"{"app":{"services":[],"cors":{"allowOriginsWithoutCredentials":null,"allowOriginsWithCredentials":null,"allowHeaders":["bad header"],"exposeHeaders":[],"debug":false}}}"#;
        let e = CorsPolicy::new(&AppModel::parse(model).unwrap(), false).err().unwrap();
        assert!(e.to_string().contains("global_cors.allow_headers"), "{e}");
    }
}
