//! `api.static` endpoints: files served by Rust straight from the model's `static.dir`, no JS involved. Paths are
//! percent-decoded, `..` segments are refused and the resolved file must stay inside the directory (symlinks
//! included); directories serve their `index.html`; misses serve `notFound` with `notFoundStatus`.

use crate::app::{App, Ep};
use crate::body::ResBody;
use crate::decode::url_decode;
use crate::error::ApiError;
use crate::server::Resp;
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::http::request::Parts;
use hyper::{Method, Response, StatusCode};
use std::path::{Path, PathBuf};

/// The file a request path names inside `root`, or `None` when it would leave it.
pub fn resolve(root: &Path, rest: &str) -> Option<PathBuf> {
    let mut p = root.to_path_buf();
    for seg in rest.split('/') {
        match seg {
            "" | "." => continue,
            ".." => return None,
            s if s.contains('\\') || s.contains('\0') => return None,
            s => p.push(s),
        }
    }
    Some(p)
}

async fn file_response(path: &Path, status: StatusCode, head: bool) -> Option<Resp> {
    let data = tokio::fs::read(path).await.ok()?;
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let len = data.len();
    let mut r = Response::new(if head { ResBody::empty() } else { ResBody::full(data) });
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    if head {
        r.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from(len));
    }
    Some(r)
}

async fn inside(root: &Path, candidate: &Path) -> Option<PathBuf> {
    let root = tokio::fs::canonicalize(root).await.ok()?;
    let real = tokio::fs::canonicalize(candidate).await.ok()?;
    real.starts_with(&root).then_some(real)
}

pub async fn serve(app: &App, ep: &Ep, parts: &Parts, params: &[(String, String)]) -> Result<Resp, ApiError> {
    let assets = ep.static_assets.as_ref().expect("static endpoint has assets");
    let root = app.app_root.join(&assets.dir);
    let rest = params.last().map(|(_, v)| v.as_str()).unwrap_or("");
    let rest = url_decode(rest, false)?;
    let head = parts.method == Method::HEAD;
    if let Some(candidate) = resolve(&root, &rest) {
        if let Some(real) = inside(&root, &candidate).await {
            let target = if tokio::fs::metadata(&real).await.map(|m| m.is_dir()).unwrap_or(false) { real.join("index.html") } else { real };
            if let Some(r) = file_response(&target, StatusCode::OK, head).await {
                return Ok(r);
            }
        }
    }
    if let Some(nf) = &assets.not_found {
        let status = StatusCode::from_u16(assets.not_found_status).unwrap_or(StatusCode::NOT_FOUND);
        let nf_path = app.app_root.join(nf);
        if let Some(r) = file_response(&nf_path, status, head).await {
            return Ok(r);
        }
    }
    Err(ApiError::not_found(format!("no file at {}", parts.uri.path())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_traversal() {
        let root = Path::new("/srv/app/public");
        assert_eq!(resolve(root, "a/b.txt"), Some(root.join("a/b.txt")));
        assert_eq!(resolve(root, "./a//b"), Some(root.join("a/b")));
        assert_eq!(resolve(root, ""), Some(root.to_path_buf()));
        assert_eq!(resolve(root, "../secret"), None);
        assert_eq!(resolve(root, "a/../../x"), None);
        assert_eq!(resolve(root, "a\\..\\x"), None);
    }
}
