//! The browser dashboard's files: `GET /__reprise/` (its page) and `GET /__reprise/ui/<file>` (scripts, styles and
//! the pages it frames), read from the folder `reprise run` hands in (`StartOptions::dashboard_dir`). They hold no
//! data, so they pass the tool routes' loopback checks (peer and `Host`, step 2 of `src/tool_routes.rs`) without the
//! token; everything the page shows comes from the admin routes, which still need it (the page sends it).
//!
//! Every answer carries a strict CSP (no remote content, no inline script, framed only by the dashboard itself),
//! `nosniff`, no caching, and `Referrer-Policy: no-referrer` (the first URL carries the token). File names are one
//! path segment of letters, digits, `-`, `_` and `.`, not starting with a dot: `..`, `/`, `\` and any
//! percent-escape are refused (404) before the file system is asked.

use crate::error::{ApiError, ErrCode};
use crate::server::{error_response, Resp};
use crate::body::ResBody;
use hyper::header::{HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use hyper::{Method, Response, StatusCode};
use std::path::Path;

/// Where the dashboard's files are served.
pub const UI_PREFIX: &str = "/__reprise/ui/";
/// The page itself.
pub const PAGE_PATH: &str = "/__reprise/";

/// The policy sent with every dashboard file. `style-src 'unsafe-inline'` is for the data grid's computed widths
/// (style attributes); scripts only from this origin's files.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/// Whether a tool-route path is the dashboard's (and so needs no token).
#[inline]
pub fn is_dashboard_path(path: &str) -> bool {
    path == PAGE_PATH || path == crate::tool_routes::PREFIX || path.starts_with(UI_PREFIX)
}

/// The file a dashboard path names, or None when the name is refused.
pub fn file_name(path: &str) -> Option<&str> {
    if path == PAGE_PATH || path == crate::tool_routes::PREFIX {
        return Some("index.html");
    }
    let name = path.strip_prefix(UI_PREFIX)?;
    let ok = !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    ok.then_some(name)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") | Some("map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn with_headers(mut r: Resp) -> Resp {
    let h = r.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Answers one dashboard request that passed the loopback checks.
pub async fn serve(dir: Option<&Path>, method: &Method, path: &str) -> Resp {
    let head = *method == Method::HEAD;
    if !matches!(*method, Method::GET | Method::HEAD) {
        let e = ApiError::new(ErrCode::InvalidArgument, format!("method {method} is not allowed here; use GET")).with_status(405);
        let mut r = error_response(&e);
        r.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return with_headers(r);
    }
    let Some(dir) = dir else {
        return with_headers(error_response(&ApiError::not_found("this runtime serves no dashboard (`reprise run` serves it)")));
    };
    let Some(name) = file_name(path) else { return with_headers(error_response(&ApiError::not_found("not found"))) };
    let data = match tokio::fs::read(dir.join(name)).await {
        Ok(d) => d,
        Err(_) => return with_headers(error_response(&ApiError::not_found("not found"))),
    };
    let mut r = Response::new(if head { ResBody::empty() } else { ResBody::full(data) });
    *r.status_mut() = StatusCode::OK;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type(name)));
    with_headers(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_plain_segment() {
        assert_eq!(file_name("/__reprise/"), Some("index.html"));
        assert_eq!(file_name("/__reprise"), Some("index.html"));
        assert_eq!(file_name("/__reprise/ui/dashboard.js"), Some("dashboard.js"));
        for bad in ["/__reprise/ui/", "/__reprise/ui/../x", "/__reprise/ui/..", "/__reprise/ui/%2e%2e", "/__reprise/ui/a/b.js", "/__reprise/ui/.env", "/__reprise/ui/a\\b", "/__reprise/ui/a%2Fb", "/__reprise/admin/app"] {
            assert_eq!(file_name(bad), None, "{bad}");
        }
        assert!(is_dashboard_path("/__reprise/ui/x.js"));
        assert!(!is_dashboard_path("/__reprise/admin/app"));
        assert!(!is_dashboard_path("/__reprise/uix"));
        assert_eq!(content_type("a.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("a"), "application/octet-stream");
    }
}
