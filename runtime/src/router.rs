//! Request routing: Encore path syntax (`/a/:id`, `/files/*rest`, `/!fallback`) mapped onto `matchit` routes,
//! one router per method so `/a/:id` (GET) and `/a/:key` (DELETE) may coexist, and a second tier for fallbacks,
//! which only match when nothing else does. Unknown paths are 404, known paths with the wrong method 405 + `Allow`.

use crate::error::RuntimeError;
use matchit::Params;

pub const METHODS: [&str; 9] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"];

/// Index of an HTTP method in [`METHODS`], `None` for methods no endpoint can declare.
pub fn method_index(m: &str) -> Option<usize> {
    METHODS.iter().position(|x| *x == m)
}

/// The methods an endpoint's method list stands for (`"*"` = all but CONNECT, as in Encore).
pub fn expand_methods(methods: &[String]) -> Vec<usize> {
    let mut out = Vec::new();
    for m in methods {
        if m == "*" {
            out.extend(0..8);
        } else if let Some(i) = method_index(m) {
            out.push(i);
        }
    }
    if methods.is_empty() {
        out.push(1);
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tail {
    None,
    Wildcard,
    Fallback,
}

/// An Encore path turned into a matchit route. `extra` routes make the rest-of-path segment match an empty rest too.
#[derive(Debug, PartialEq)]
struct Converted {
    route: String,
    extra: Vec<String>,
    tail: Tail,
}

fn escape_literal(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}

fn convert(path: &str) -> Result<Converted, String> {
    if !path.starts_with('/') {
        return Err("a path must start with '/'".into());
    }
    if path == "/" {
        return Ok(Converted { route: "/".into(), extra: vec![], tail: Tail::None });
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    let mut route = String::with_capacity(path.len() + 8);
    let mut tail = Tail::None;
    let mut extra = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if seg.is_empty() {
            return Err("empty path segment".into());
        }
        let (kind, name) = seg.split_at(1);
        match kind {
            ":" => {
                check_name(name)?;
                route.push_str("/{");
                route.push_str(name);
                route.push('}');
            }
            "*" | "!" => {
                check_name(name)?;
                if !last {
                    return Err(format!("'{seg}' must be the last segment"));
                }
                tail = if kind == "*" { Tail::Wildcard } else { Tail::Fallback };
                let prefix = route.clone();
                extra.push(format!("{prefix}/"));
                if !prefix.is_empty() {
                    extra.push(prefix.clone());
                }
                route.push_str("/{*");
                route.push_str(name);
                route.push('}');
            }
            _ => {
                route.push('/');
                route.push_str(&escape_literal(seg));
            }
        }
    }
    Ok(Converted { route, extra, tail })
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("invalid parameter name {name:?}"));
    }
    Ok(())
}

/// The outcome of a lookup. `params` hold raw (still percent-encoded) values.
pub enum Lookup<'r, 'p> {
    Found { endpoint: u32, params: Params<'r, 'p> },
    MethodNotAllowed { allow: Vec<&'static str> },
    NotFound,
}

pub struct RouteSpec<'a> {
    pub endpoint: u32,
    pub methods: &'a [usize],
    pub path: &'a str,
    pub service: &'a str,
    pub name: &'a str,
}

#[derive(Default)]
pub struct Router {
    main: [matchit::Router<u32>; 9],
    fallback: [matchit::Router<u32>; 9],
    /// Whether the empty-rest variants are registered for an endpoint (to name the right param as empty).
    rest_param: Vec<(u32, String)>,
}

impl Router {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, spec: RouteSpec<'_>) -> Result<(), RuntimeError> {
        let conv = convert(spec.path).map_err(|reason| RuntimeError::BadPath {
            path: spec.path.into(),
            service: spec.service.into(),
            endpoint: spec.name.into(),
            reason,
        })?;
        if conv.tail != Tail::None {
            if let Some(name) = spec.path.rsplit('/').next() {
                self.rest_param.push((spec.endpoint, name[1..].to_string()));
            }
        }
        for &m in spec.methods {
            let table = if conv.tail == Tail::Fallback { &mut self.fallback[m] } else { &mut self.main[m] };
            table.insert(conv.route.clone(), spec.endpoint).map_err(|e| RuntimeError::RouteConflict {
                method: METHODS[m].into(),
                path: spec.path.into(),
                service: spec.service.into(),
                endpoint: spec.name.into(),
                reason: e.to_string(),
            })?;
            for extra in &conv.extra {
                // An empty rest is a convenience; a more specific route at the same place wins.
                let _ = table.insert(extra.clone(), spec.endpoint);
            }
        }
        Ok(())
    }

    /// The name of the rest-of-path parameter of an endpoint, when it has one (it is absent when the rest is empty).
    pub fn rest_param(&self, endpoint: u32) -> Option<&str> {
        self.rest_param.iter().find(|(e, _)| *e == endpoint).map(|(_, n)| n.as_str())
    }

    pub fn lookup<'r, 'p>(&'r self, method: &str, path: &'p str) -> Lookup<'r, 'p> {
        if let Some(m) = method_index(method) {
            if let Ok(found) = self.main[m].at(path) {
                return Lookup::Found { endpoint: *found.value, params: found.params };
            }
            if let Ok(found) = self.fallback[m].at(path) {
                return Lookup::Found { endpoint: *found.value, params: found.params };
            }
        }
        // HEAD on a GET endpoint is answered like GET without a body (RFC 9110 §9.3.2); the server drops the body.
        if method == "HEAD" {
            if let Ok(found) = self.main[0].at(path).or_else(|_| self.fallback[0].at(path)) {
                return Lookup::Found { endpoint: *found.value, params: found.params };
            }
        }
        let mut allow: Vec<&'static str> = (0..METHODS.len())
            .filter(|&i| self.main[i].at(path).is_ok() || self.fallback[i].at(path).is_ok())
            .map(|i| METHODS[i])
            .collect();
        if allow.contains(&"GET") && !allow.contains(&"HEAD") {
            allow.push("HEAD");
        }
        if allow.is_empty() {
            Lookup::NotFound
        } else {
            Lookup::MethodNotAllowed { allow }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_finds_get_endpoints_and_is_allowed_where_get_is() {
        let r = router(&[(0, &["GET"], "/a/:id"), (1, &["HEAD"], "/b"), (2, &["GET"], "/b"), (3, &["POST"], "/c")]);
        assert!(matches!(r.lookup("HEAD", "/a/1"), Lookup::Found { endpoint: 0, .. }));
        assert!(matches!(r.lookup("HEAD", "/b"), Lookup::Found { endpoint: 1, .. }), "a declared HEAD endpoint wins");
        assert!(matches!(r.lookup("HEAD", "/c"), Lookup::MethodNotAllowed { .. }));
        match r.lookup("DELETE", "/a/1") {
            Lookup::MethodNotAllowed { allow } => assert_eq!(allow, vec!["GET", "HEAD"]),
            _ => panic!("expected 405"),
        }
    }

    fn router(routes: &[(u32, &[&str], &str)]) -> Router {
        let mut r = Router::new();
        for (ep, methods, path) in routes {
            let methods: Vec<String> = methods.iter().map(|s| s.to_string()).collect();
            let m = expand_methods(&methods);
            r.insert(RouteSpec { endpoint: *ep, methods: &m, path, service: "svc", name: "ep" }).unwrap();
        }
        r
    }

    fn found(r: &Router, method: &str, path: &str) -> Option<(u32, Vec<(String, String)>)> {
        match r.lookup(method, path) {
            Lookup::Found { endpoint, params } => {
                Some((endpoint, params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()))
            }
            _ => None,
        }
    }

    #[test]
    fn converts_encore_paths() {
        assert_eq!(convert("/a/:id").unwrap().route, "/a/{id}");
        assert_eq!(convert("/files/*rest").unwrap().route, "/files/{*rest}");
        assert_eq!(convert("/!path").unwrap().tail, Tail::Fallback);
        assert_eq!(convert("/x{y}").unwrap().route, "/x{{y}}");
        assert!(convert("a").is_err());
        assert!(convert("/a//b").is_err());
        assert!(convert("/*a/b").is_err());
        assert!(convert("/:").is_err());
    }

    #[test]
    fn static_params_and_wildcards() {
        let r = router(&[(0, &["GET"], "/hello/:name"), (1, &["GET"], "/hello/world"), (2, &["GET"], "/files/*rest")]);
        assert_eq!(found(&r, "GET", "/hello/bob"), Some((0, vec![("name".into(), "bob".into())])));
        assert_eq!(found(&r, "GET", "/hello/world").unwrap().0, 1);
        assert_eq!(found(&r, "GET", "/files/a/b.txt"), Some((2, vec![("rest".into(), "a/b.txt".into())])));
        assert_eq!(found(&r, "GET", "/files/").unwrap().0, 2);
        assert!(matches!(r.lookup("GET", "/nope"), Lookup::NotFound));
        assert!(matches!(r.lookup("GET", "/hello/a/b"), Lookup::NotFound));
    }

    #[test]
    fn wrong_method_is_405_with_allow() {
        let r = router(&[(0, &["GET"], "/users/:id"), (1, &["DELETE"], "/users/:key"), (2, &["POST"], "/users")]);
        match r.lookup("PUT", "/users/1") {
            Lookup::MethodNotAllowed { allow } => assert_eq!(allow, vec!["GET", "DELETE", "HEAD"], "HEAD is allowed wherever GET is"),
            _ => panic!("expected 405"),
        }
        assert_eq!(found(&r, "DELETE", "/users/1"), Some((1, vec![("key".into(), "1".into())])));
        assert!(matches!(r.lookup("BREW", "/users"), Lookup::MethodNotAllowed { .. }));
    }

    #[test]
    fn fallback_only_when_nothing_else_matches() {
        let r = router(&[(0, &["*"], "/!rest"), (1, &["GET"], "/api/ping")]);
        assert_eq!(found(&r, "GET", "/api/ping").unwrap().0, 1);
        assert_eq!(found(&r, "POST", "/api/ping").unwrap().0, 0);
        assert_eq!(found(&r, "GET", "/").unwrap().0, 0);
        assert_eq!(found(&r, "GET", "/x/y/z"), Some((0, vec![("rest".into(), "x/y/z".into())])));
        assert_eq!(r.rest_param(0), Some("rest"));
        assert!(matches!(r.lookup("CONNECT", "/x"), Lookup::MethodNotAllowed { .. }));
    }

    #[test]
    fn conflicts_are_typed_errors() {
        let mut r = router(&[(0, &["GET"], "/a/:id")]);
        let m = expand_methods(&["GET".to_string()]);
        let err = r.insert(RouteSpec { endpoint: 1, methods: &m, path: "/a/:key", service: "s", name: "e" });
        assert!(matches!(err, Err(RuntimeError::RouteConflict { .. })));
    }
}
