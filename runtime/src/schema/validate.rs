//! Validation of a decoded value against a compiled [`Schema`]. Fails fast on the first violation and reports it
//! with the field path (`email`, `tags[2]`, `address.city`) so the 400 names what to fix.

use super::format::check_format;
use super::{types, Additional, Node, NodeId, Schema};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    /// Dotted path of the offending field; empty for the request itself.
    pub field: String,
    pub message: String,
}

/// A lazily rendered field path: segments are only joined into a string when an error is reported.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(parent, k) => {
                let p = parent.render();
                if p.is_empty() {
                    k.to_string()
                } else {
                    format!("{p}.{k}")
                }
            }
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn expected(types: u8) -> String {
    let mut names = Vec::new();
    for (bit, name) in [
        (types::NULL, "null"),
        (types::BOOL, "a boolean"),
        (types::STR, "a string"),
        (types::ARR, "an array"),
        (types::OBJ, "an object"),
    ] {
        if types & bit != 0 {
            names.push(name);
        }
    }
    if types & types::NUM != 0 {
        names.push("a number");
    } else if types & types::INT != 0 {
        names.push("an integer");
    }
    names.join(" or ")
}

fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.is_finite()),
        _ => false,
    }
}

fn matches_type(types: u8, v: &Value) -> bool {
    match v {
        Value::Null => types & types::NULL != 0,
        Value::Bool(_) => types & types::BOOL != 0,
        Value::Number(_) => types & types::NUM != 0 || (types & types::INT != 0 && is_integer(v)),
        Value::String(_) => types & types::STR != 0,
        Value::Array(_) => types & types::ARR != 0,
        Value::Object(_) => types & types::OBJ != 0,
    }
}

fn fmt_num(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// JSON equality where 1 and 1.0 are the same number.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

impl Schema {
    pub fn validate(&self, v: &Value) -> Result<(), ValidationError> {
        self.check(self.root, v, &Path::Root)
    }

    /// Validates a value against one node (a single request field, for instance).
    pub fn validate_node(&self, id: NodeId, v: &Value, field: &str) -> Result<(), ValidationError> {
        let root = Path::Root;
        self.check(id, v, &Path::Key(&root, field))
    }

    pub(crate) fn is_valid(&self, id: NodeId, v: &Value) -> bool {
        self.check(id, v, &Path::Root).is_ok()
    }

    fn fail(&self, path: &Path<'_>, message: String) -> Result<(), ValidationError> {
        let field = path.render();
        let message = if field.is_empty() { message } else { format!("invalid value for \"{field}\": {message}") };
        Err(ValidationError { field, message })
    }

    fn check(&self, id: NodeId, v: &Value, path: &Path<'_>) -> Result<(), ValidationError> {
        let n: &Node = &self.nodes[id];
        if n.never {
            return self.fail(path, "no value is allowed here".into());
        }
        if let Some(r) = n.reference {
            self.check(r, v, path)?;
        }
        if n.types != 0 && !matches_type(n.types, v) {
            return self.fail(path, format!("expected {}, got {}", expected(n.types), type_name(v)));
        }
        if let Some(c) = &n.const_value {
            if !json_eq(c, v) {
                return self.fail(path, format!("must be {c}"));
            }
        }
        if let Some(values) = &n.enum_values {
            if !values.iter().any(|e| json_eq(e, v)) {
                let list: Vec<String> = values.iter().map(|e| e.to_string()).collect();
                return self.fail(path, format!("must be one of {}", list.join(", ")));
            }
        }
        match v {
            Value::Number(num) => {
                let f = num.as_f64().unwrap_or(f64::NAN);
                if let Some(m) = n.minimum {
                    if f < m {
                        return self.fail(path, format!("must be at least {}", fmt_num(m)));
                    }
                }
                if let Some(m) = n.maximum {
                    if f > m {
                        return self.fail(path, format!("must be at most {}", fmt_num(m)));
                    }
                }
                if let Some(m) = n.exclusive_minimum {
                    if f <= m {
                        return self.fail(path, format!("must be greater than {}", fmt_num(m)));
                    }
                }
                if let Some(m) = n.exclusive_maximum {
                    if f >= m {
                        return self.fail(path, format!("must be less than {}", fmt_num(m)));
                    }
                }
            }
            Value::String(s) => self.check_string(n, s, path)?,
            Value::Array(items) => {
                let len = items.len() as u64;
                if let Some(m) = n.min_items {
                    if len < m {
                        return self.fail(path, format!("must have at least {m} items"));
                    }
                }
                if let Some(m) = n.max_items {
                    if len > m {
                        return self.fail(path, format!("must have at most {m} items"));
                    }
                }
                if let Some(item) = n.items {
                    for (i, x) in items.iter().enumerate() {
                        self.check(item, x, &Path::Index(path, i))?;
                    }
                }
            }
            Value::Object(map) => self.check_object(n, map, path)?,
            _ => {}
        }
        for &a in &n.all_of {
            self.check(a, v, path)?;
        }
        if !n.any_of.is_empty() {
            let mut first_err = None;
            let mut ok = false;
            for &a in &n.any_of {
                match self.check(a, v, path) {
                    Ok(()) => {
                        ok = true;
                        break;
                    }
                    Err(e) => {
                        first_err.get_or_insert(e);
                    }
                }
            }
            if !ok {
                // With a single alternative of the right type, its own message is the most useful one.
                let matching_type: Vec<NodeId> = n
                    .any_of
                    .iter()
                    .copied()
                    .filter(|&a| {
                        let t = self.nodes[self.resolve(a)].types;
                        t == 0 || matches_type(t, v)
                    })
                    .collect();
                if matching_type.len() == 1 {
                    return self.check(matching_type[0], v, path);
                }
                let _ = first_err;
                return self.fail(path, "does not match any of the allowed forms".into());
            }
        }
        if !n.one_of.is_empty() {
            let count = n.one_of.iter().filter(|&&a| self.is_valid(a, v)).count();
            if count != 1 {
                return self.fail(path, "must match exactly one of the allowed forms".into());
            }
        }
        if let Some(not) = n.not {
            if self.is_valid(not, v) {
                return self.fail(path, "is not allowed".into());
            }
        }
        Ok(())
    }

    fn check_string(&self, n: &Node, s: &str, path: &Path<'_>) -> Result<(), ValidationError> {
        if n.min_length.is_some() || n.max_length.is_some() {
            let len = s.chars().count() as u64;
            if let Some(m) = n.min_length {
                if len < m {
                    return self.fail(path, format!("must be at least {m} characters long"));
                }
            }
            if let Some(m) = n.max_length {
                if len > m {
                    return self.fail(path, format!("must be at most {m} characters long"));
                }
            }
        }
        for p in &n.starts_with {
            if !s.starts_with(p.as_str()) {
                return self.fail(path, format!("must start with {p:?}"));
            }
        }
        for p in &n.ends_with {
            if !s.ends_with(p.as_str()) {
                return self.fail(path, format!("must end with {p:?}"));
            }
        }
        if let Some(re) = &n.pattern {
            if !re.is_match(s) {
                return self.fail(path, format!("must match the pattern {:?}", re.as_str()));
            }
        }
        if let Some(f) = n.format {
            if let Err(msg) = check_format(f, s) {
                return self.fail(path, msg.into());
            }
        }
        Ok(())
    }

    fn check_object(&self, n: &Node, map: &Map<String, Value>, path: &Path<'_>) -> Result<(), ValidationError> {
        for p in &n.props {
            match map.get(&p.name) {
                Some(Value::Null) if !p.required => {
                    // An optional field given as null counts as absent unless the schema admits null.
                    let t = self.nodes[self.resolve(p.node)].types;
                    if t != 0 && t & types::NULL == 0 {
                        continue;
                    }
                    self.check(p.node, &Value::Null, &Path::Key(path, &p.name))?;
                }
                Some(val) => self.check(p.node, val, &Path::Key(path, &p.name))?,
                None if p.required => {
                    return self.fail(&Path::Key(path, &p.name), "is required".into());
                }
                None => {}
            }
        }
        for r in &n.required_extra {
            if !map.contains_key(r) {
                return self.fail(&Path::Key(path, r), "is required".into());
            }
        }
        if !matches!(n.additional, Additional::Any) || n.property_names.is_some() {
            for (k, val) in map {
                if let Some(pn) = n.property_names {
                    self.check(pn, &Value::String(k.clone()), &Path::Key(path, k))?;
                }
                if n.props.iter().any(|p| &p.name == k) {
                    continue;
                }
                match n.additional {
                    Additional::Any => {}
                    Additional::Deny => return self.fail(&Path::Key(path, k), "is not a known field".into()),
                    Additional::Schema(s) => self.check(s, val, &Path::Key(path, k))?,
                }
            }
        }
        Ok(())
    }
}
