//! Request decoding: gathers an endpoint's fields from where the model says they travel (path, query, header,
//! cookie, JSON body), coerces wire strings to the schema's types, validates the merged object in Rust and hands
//! JavaScript one ready JSON object. Invalid requests are answered here and never reach JS.

use crate::error::{ApiError, ErrCode};
use crate::schema::{NodeId, Schema, SchemaError};
use hyper::header::{HeaderMap, HeaderName, COOKIE};
use percent_encoding::percent_decode_str;
use serde_json::{json, Map, Value};
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Path,
    Query,
    Header,
    Cookie,
    Body,
    /// A response-only placement (HttpStatus) that may appear in shared types; never read from requests.
    Ignored,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub wire: String,
    pub source: Source,
    pub node: NodeId,
    header: Option<HeaderName>,
    /// Whether the value is a cookie object `{ value, ... }` rather than the bare value.
    cookie_object: Option<NodeId>,
}

/// How to decode and validate one endpoint's request (or the auth handler's params).
#[derive(Debug, Clone)]
pub struct RequestPlan {
    pub schema: Schema,
    pub fields: Vec<Field>,
    pub has_body_fields: bool,
    pub has_query_fields: bool,
    pub has_cookie_fields: bool,
}

/// The raw parts of a request a plan reads from.
pub struct RequestParts<'a> {
    /// Whether the method carries a body (POST, PUT, PATCH, CONNECT): plain fields are then read from it,
    /// otherwise from the query string (Encore's placement rule).
    pub body_method: bool,
    pub path_params: &'a [(&'a str, &'a str)],
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: Option<&'a [u8]>,
}

pub fn body_method(method: &str) -> bool {
    matches!(method, "POST" | "PUT" | "PATCH" | "CONNECT")
}

/// Percent-decodes a URL component (`+` is a space in query strings); invalid UTF-8 is a client error.
pub fn url_decode(s: &str, plus_is_space: bool) -> Result<Cow<'_, str>, ApiError> {
    let replaced: Cow<'_, str> = if plus_is_space && s.contains('+') { Cow::Owned(s.replace('+', " ")) } else { Cow::Borrowed(s) };
    if !replaced.contains('%') {
        return Ok(replaced);
    }
    let decoded = percent_decode_str(&replaced)
        .decode_utf8()
        .map_err(|_| ApiError::invalid("the URL contains percent-encoded bytes that are not valid UTF-8"))?;
    Ok(Cow::Owned(decoded.into_owned()))
}

/// Decoded query key/value pairs, borrowing from the query string where nothing was escaped.
pub type QueryPairs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// Splits a query string into decoded key/value pairs.
pub fn parse_query(q: &str) -> Result<QueryPairs<'_>, ApiError> {
    let mut out = Vec::new();
    for pair in q.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        out.push((url_decode(k, true)?, url_decode(v, true)?));
    }
    Ok(out)
}

fn cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for h in headers.get_all(COOKIE) {
        let Ok(s) = h.to_str() else { continue };
        for part in s.split(';') {
            if let Some((k, v)) = part.trim().split_once('=') {
                let v = v.trim().trim_matches('"');
                let v = percent_decode_str(v).decode_utf8_lossy().into_owned();
                out.push((k.trim().to_string(), v));
            }
        }
    }
    out
}

fn invalid(e: crate::schema::ValidationError) -> ApiError {
    let details = if e.field.is_empty() { json!({}) } else { json!({ "field": e.field }) };
    ApiError::new(ErrCode::InvalidArgument, e.message).with_details(details)
}

impl RequestPlan {
    pub fn compile(schema: &Value) -> Result<RequestPlan, SchemaError> {
        let compiled = Schema::compile(schema)?;
        let props: &Map<String, Value> = match schema.get("properties").and_then(Value::as_object) {
            Some(p) => p,
            None => &Map::new(),
        };
        let mut fields = Vec::new();
        for p in compiled.root_props() {
            let raw = props.get(&p.name);
            let source = match raw.and_then(|r| r.get("x-reprise-source")).and_then(Value::as_str) {
                Some("path") => Source::Path,
                Some("query") => Source::Query,
                Some("header") => Source::Header,
                Some("cookie") => Source::Cookie,
                Some("httpStatus") => Source::Ignored,
                _ => Source::Body,
            };
            let wire = raw.and_then(|r| r.get("x-reprise-name")).and_then(Value::as_str).unwrap_or(&p.name).to_string();
            let header = if source == Source::Header {
                Some(HeaderName::from_bytes(wire.to_ascii_lowercase().as_bytes()).map_err(|_| SchemaError::BadKeyword { keyword: "x-reprise-name".into() })?)
            } else {
                None
            };
            let cookie_object = if source == Source::Cookie {
                let n = compiled.node(compiled.resolve(p.node));
                n.props.iter().find(|q| q.name == "value").map(|q| q.node)
            } else {
                None
            };
            fields.push(Field { name: p.name.clone(), wire, source, node: p.node, header, cookie_object });
        }
        Ok(RequestPlan {
            has_body_fields: fields.iter().any(|f| f.source == Source::Body),
            has_query_fields: fields.iter().any(|f| matches!(f.source, Source::Query | Source::Body)),
            has_cookie_fields: fields.iter().any(|f| f.source == Source::Cookie),
            schema: compiled,
            fields,
        })
    }

    /// Whether a request with this method reads a JSON body at all.
    pub fn wants_body(&self, body_method: bool) -> bool {
        body_method && self.has_body_fields
    }

    /// Whether any of the plan's header/query/cookie fields is present (the auth handler then runs).
    pub fn any_present(&self, headers: &HeaderMap, query: Option<&str>) -> bool {
        for f in &self.fields {
            match f.source {
                Source::Header if f.header.as_ref().is_some_and(|h| headers.contains_key(h)) => return true,
                Source::Query => {
                    if let Some(q) = query {
                        if q.split('&').any(|pair| {
                            let k = pair.split_once('=').map_or(pair, |(k, _)| k);
                            url_decode(k, true).is_ok_and(|k| k == f.wire)
                        }) {
                            return true;
                        }
                    }
                }
                Source::Cookie if cookies(headers).iter().any(|(k, _)| *k == f.wire) => return true,
                _ => {}
            }
        }
        false
    }

    /// Decodes, coerces and validates; returns the params object as JSON text for the handler.
    /// When the params object is exactly the JSON body (nothing came from elsewhere, nothing was dropped), the
    /// body's own text is handed on: it parses in JS to the same object, and re-serialising it is skipped.
    pub fn decode(&self, parts: &RequestParts<'_>) -> Result<String, ApiError> {
        let (value, verbatim) = self.decode_inner(parts)?;
        if verbatim {
            if let Some(text) = parts.body.and_then(|b| std::str::from_utf8(b).ok()) {
                return Ok(text.to_owned());
            }
        }
        Ok(serde_json::to_string(&value).unwrap_or_else(|_| "{}".into()))
    }

    pub fn decode_value(&self, parts: &RequestParts<'_>) -> Result<Value, ApiError> {
        self.decode_inner(parts).map(|(v, _)| v)
    }

    /// The validated params, and whether they are the parsed body untouched.
    fn decode_inner(&self, parts: &RequestParts<'_>) -> Result<(Value, bool), ApiError> {
        let mut verbatim = false;
        let mut obj = match parts.body {
            Some(b) if self.wants_body(parts.body_method) && !b.iter().all(u8::is_ascii_whitespace) => {
                match serde_json::from_slice::<Value>(b) {
                    Ok(Value::Object(o)) => {
                        verbatim = true;
                        o
                    }
                    Ok(_) => return Err(ApiError::invalid("the request body must be a JSON object")),
                    Err(e) => return Err(ApiError::invalid(format!("malformed JSON body: {e}"))),
                }
            }
            _ => Map::new(),
        };
        // Keys in the body that belong elsewhere (a path param, a header) must not be smuggled in through the body.
        if !obj.is_empty() {
            for f in &self.fields {
                if f.source != Source::Body && obj.remove(&f.name).is_some() {
                    verbatim = false;
                }
            }
        }
        let mut query_values: Vec<Vec<String>> = Vec::new();
        if self.has_query_fields {
            if let Some(q) = parts.query {
                query_values = vec![Vec::new(); self.fields.len()];
                for (k, v) in parse_query(q)? {
                    for (i, f) in self.fields.iter().enumerate() {
                        let from_query = f.source == Source::Query || (f.source == Source::Body && !parts.body_method);
                        if from_query && f.wire == k {
                            query_values[i].push(v.clone().into_owned());
                        }
                    }
                }
            }
        }
        let cookie_list = if self.has_cookie_fields { cookies(parts.headers) } else { Vec::new() };
        for (i, f) in self.fields.iter().enumerate() {
            match f.source {
                Source::Path => {
                    if let Some((_, raw)) = parts.path_params.iter().find(|(k, _)| *k == f.name) {
                        let decoded = url_decode(raw, false)?;
                        verbatim = false;
                        obj.insert(f.name.clone(), self.schema.coerce(f.node, &decoded));
                    }
                }
                Source::Query | Source::Body if f.source == Source::Query || !parts.body_method => {
                    if let Some(values) = query_values.get(i).filter(|v| !v.is_empty()) {
                        verbatim = false;
                        obj.insert(f.name.clone(), self.schema.coerce_many(f.node, values));
                    }
                }
                Source::Header => {
                    let Some(h) = &f.header else { continue };
                    let mut values = Vec::new();
                    for v in parts.headers.get_all(h) {
                        let s = v.to_str().map_err(|_| {
                            ApiError::invalid(format!("header {} is not valid text", f.wire)).with_details(json!({"field": f.name}))
                        })?;
                        values.push(s.to_string());
                    }
                    if !values.is_empty() {
                        verbatim = false;
                        obj.insert(f.name.clone(), self.schema.coerce_many(f.node, &values));
                    }
                }
                Source::Cookie => {
                    if let Some((_, v)) = cookie_list.iter().find(|(k, _)| *k == f.wire) {
                        let value = match f.cookie_object {
                            Some(inner) => json!({ "value": self.schema.coerce(inner, v) }),
                            None => self.schema.coerce(f.node, v),
                        };
                        verbatim = false;
                        obj.insert(f.name.clone(), value);
                    }
                }
                _ => {}
            }
        }
        let value = Value::Object(obj);
        self.schema.validate(&value).map_err(invalid)?;
        Ok((value, verbatim))
    }

    /// Validates a params object given directly (service-to-service calls): no wire placement, same rules.
    pub fn validate_object(&self, params: &Value) -> Result<(), ApiError> {
        self.schema.validate(params).map_err(invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn plan() -> RequestPlan {
        RequestPlan::compile(&json!({
            "type": "object",
            "properties": {
                "id": {"type": "integer", "x-reprise-source": "path"},
                "page": {"type": "integer", "minimum": 1, "x-reprise-source": "query"},
                "tags": {"type": "array", "items": {"type": "string"}, "x-reprise-source": "query", "x-reprise-name": "tag"},
                "token": {"type": "string", "x-reprise-source": "header", "x-reprise-name": "X-Token"},
                "session": {"type": "string", "x-reprise-source": "cookie", "x-reprise-name": "sid"},
                "name": {"type": "string", "minLength": 1, "x-reprise-source": "body"}
            },
            "required": ["id", "name"]
        }))
        .unwrap()
    }

    fn parts<'a>(body_method: bool, params: &'a [(&'a str, &'a str)], q: Option<&'a str>, h: &'a HeaderMap, body: Option<&'a [u8]>) -> RequestParts<'a> {
        RequestParts { body_method, path_params: params, query: q, headers: h, body }
    }

    #[test]
    fn merges_every_placement() {
        let mut h = HeaderMap::new();
        h.insert("x-token", HeaderValue::from_static("abc"));
        h.insert("cookie", HeaderValue::from_static("a=1; sid=s%201"));
        let v = plan()
            .decode_value(&parts(true, &[("id", "42")], Some("page=2&tag=a&tag=b+c&other=1"), &h, Some(br#"{"name":"Ada","id":"smuggled"}"#)))
            .unwrap();
        assert_eq!(v, json!({"id": 42, "page": 2, "tags": ["a", "b c"], "token": "abc", "session": "s 1", "name": "Ada"}));
    }

    #[test]
    fn plain_fields_come_from_the_query_on_get() {
        let h = HeaderMap::new();
        let v = plan().decode_value(&parts(false, &[("id", "1")], Some("name=Bob"), &h, None)).unwrap();
        assert_eq!(v["name"], "Bob");
    }

    #[test]
    fn errors_are_400_naming_the_field() {
        let h = HeaderMap::new();
        let p = plan();
        let e = p.decode_value(&parts(true, &[("id", "x")], None, &h, Some(br#"{"name":"A"}"#))).unwrap_err();
        assert_eq!((e.http_status(), e.details.clone().unwrap()["field"].clone()), (400, json!("id")));
        let e = p.decode_value(&parts(true, &[("id", "1")], Some("page=0"), &h, Some(br#"{"name":"A"}"#))).unwrap_err();
        assert_eq!(e.details.unwrap()["field"], "page");
        let e = p.decode_value(&parts(true, &[("id", "1")], None, &h, Some(b"{nope"))).unwrap_err();
        assert!(e.message.starts_with("malformed JSON body"), "{}", e.message);
        let e = p.decode_value(&parts(true, &[("id", "1")], None, &h, Some(b"[1]"))).unwrap_err();
        assert_eq!(e.code, ErrCode::InvalidArgument);
        let e = p.decode_value(&parts(true, &[("id", "1")], None, &h, Some(b"{\"name\":\"\xff\"}"))).unwrap_err();
        assert_eq!(e.code, ErrCode::InvalidArgument);
        let e = p.decode_value(&parts(true, &[("id", "%ff")], None, &h, Some(br#"{"name":"A"}"#))).unwrap_err();
        assert_eq!(e.code, ErrCode::InvalidArgument);
        let e = p.decode_value(&parts(true, &[("id", "1")], None, &h, None)).unwrap_err();
        assert_eq!(e.details.unwrap()["field"], "name");
    }

    #[test]
    fn an_untouched_body_is_handed_on_verbatim() {
        let body_only = RequestPlan::compile(&json!({
            "type": "object",
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
            "required": ["name"]
        }))
        .unwrap();
        let h = HeaderMap::new();
        let text = br#"{ "name": "Ada", "age": 36.0 }"#;
        assert_eq!(body_only.decode(&parts(true, &[], None, &h, Some(text))).unwrap(), std::str::from_utf8(text).unwrap());
        // A field from the path, or a smuggled key dropped from the body, means the object is rebuilt.
        let p = plan();
        let out = p.decode(&parts(true, &[("id", "42")], None, &h, Some(br#"{"name":"Ada"}"#))).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), json!({"id": 42, "name": "Ada"}));
        let mixed = RequestPlan::compile(&json!({
            "type": "object",
            "properties": {"id": {"type": "string", "x-reprise-source": "path"}, "name": {"type": "string"}}
        }))
        .unwrap();
        let out = mixed.decode(&parts(true, &[], None, &h, Some(br#"{"name":"Ada","id":"smuggled"}"#))).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), json!({"name": "Ada"}));
    }

    #[test]
    fn detects_auth_params() {
        let p = plan();
        let mut h = HeaderMap::new();
        assert!(!p.any_present(&h, Some("x=1")));
        assert!(p.any_present(&h, Some("tag=1")));
        h.insert("x-token", HeaderValue::from_static("abc"));
        assert!(p.any_present(&h, None));
    }
}
