//! bench:http's ceiling arm: GET /hello/:name and POST /users with the same validation as every other arm (name
//! 1–64 characters, an email, an integer age 0–150, at most 10 string tags), answered by hyper on a multi-thread
//! tokio runtime with no JavaScript at all. Usage: reprise-bench-ceiling <port>.
use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::net::TcpListener;

const BODY_LIMIT: usize = 2 * 1024 * 1024;

#[derive(Deserialize)]
struct CreateUser {
    name: String,
    email: String,
    age: serde_json::Number,
    #[serde(default)]
    tags: Option<Vec<String>>,
}

/// The same rule as the other arms' `^[^\s@]+@[^\s@]+\.[^\s@]+$`.
fn is_email(s: &str) -> bool {
    let bad = |c: char| c.is_whitespace() || c == '@';
    let Some((local, domain)) = s.split_once('@') else { return false };
    if local.is_empty() || local.chars().any(bad) || domain.chars().any(bad) {
        return false;
    }
    match domain.rfind('.') {
        Some(dot) => dot > 0 && dot + 1 < domain.len(),
        None => false,
    }
}

/// The first invalid field, or None.
fn invalid_field(u: &CreateUser) -> Option<&'static str> {
    let n = u.name.chars().count();
    if !(1..=64).contains(&n) {
        return Some("name");
    }
    if !is_email(&u.email) {
        return Some("email");
    }
    match u.age.as_i64() {
        Some(a) if (0..=150).contains(&a) => {}
        _ => return Some("age"),
    }
    if u.tags.as_ref().is_some_and(|t| t.len() > 10) {
        return Some("tags");
    }
    None
}

fn json(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    r
}

fn bad(field: &str) -> Response<Full<Bytes>> {
    json(StatusCode::BAD_REQUEST, serde_json::json!({ "code": "invalid_argument", "message": format!("invalid {field}"), "details": { "field": field } }).to_string())
}

async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path();
    if req.method() == Method::GET {
        if let Some(name) = path.strip_prefix("/hello/") {
            let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
            return Ok(json(StatusCode::OK, serde_json::json!({ "message": format!("Hello {name}!") }).to_string()));
        }
    }
    if req.method() == Method::POST && path == "/users" {
        let body = match Limited::new(req.into_body(), BODY_LIMIT).collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => return Ok(bad("body")),
        };
        let user: CreateUser = match serde_json::from_slice(&body) {
            Ok(u) => u,
            Err(_) => return Ok(bad("body")),
        };
        if let Some(field) = invalid_field(&user) {
            return Ok(bad(field));
        }
        return Ok(json(StatusCode::OK, serde_json::json!({ "ok": true, "name": user.name }).to_string()));
    }
    Ok(json(StatusCode::NOT_FOUND, r#"{"code":"not_found"}"#.to_string()))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args().nth(1).and_then(|p| p.parse().ok()).unwrap_or(4100);
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    println!("listening on {port}");
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service_fn(handle)).await;
        });
    }
}
