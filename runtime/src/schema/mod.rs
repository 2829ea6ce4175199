//! JSON Schema (the 2020-12 subset the analyser emits, docs/schemas.md) compiled once at startup into a flat tree
//! of nodes, so validating a request is a walk over plain structs: no keyword lookups, no regex compilation and
//! no `$ref` resolution on the request path.

mod coerce;
mod format;
mod validate;

pub use validate::ValidationError;

use regex::Regex;
use serde_json::{Map, Value};
use std::collections::HashMap;

pub type NodeId = usize;

pub mod types {
    pub const NULL: u8 = 1;
    pub const BOOL: u8 = 2;
    pub const INT: u8 = 4;
    pub const NUM: u8 = 8;
    pub const STR: u8 = 16;
    pub const ARR: u8 = 32;
    pub const OBJ: u8 = 64;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Email,
    Uri,
    DateTime,
}

#[derive(Debug, Clone)]
pub enum Additional {
    Any,
    Deny,
    Schema(NodeId),
}

#[derive(Debug, Clone)]
pub struct Prop {
    pub name: String,
    pub node: NodeId,
    pub required: bool,
}

/// One compiled schema node. `types == 0` means any type.
#[derive(Debug, Clone)]
pub struct Node {
    pub never: bool,
    pub types: u8,
    pub props: Vec<Prop>,
    /// Required names without a `properties` entry.
    pub required_extra: Vec<String>,
    pub additional: Additional,
    pub property_names: Option<NodeId>,
    pub items: Option<NodeId>,
    pub enum_values: Option<Vec<Value>>,
    pub const_value: Option<Value>,
    pub any_of: Vec<NodeId>,
    pub one_of: Vec<NodeId>,
    pub all_of: Vec<NodeId>,
    pub not: Option<NodeId>,
    pub reference: Option<NodeId>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: Option<f64>,
    pub exclusive_maximum: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub pattern: Option<Regex>,
    pub format: Option<Format>,
    pub starts_with: Vec<String>,
    pub ends_with: Vec<String>,
}

impl Node {
    fn empty() -> Node {
        Node {
            never: false,
            types: 0,
            props: Vec::new(),
            required_extra: Vec::new(),
            additional: Additional::Any,
            property_names: None,
            items: None,
            enum_values: None,
            const_value: None,
            any_of: Vec::new(),
            one_of: Vec::new(),
            all_of: Vec::new(),
            not: None,
            reference: None,
            minimum: None,
            maximum: None,
            exclusive_minimum: None,
            exclusive_maximum: None,
            min_length: None,
            max_length: None,
            min_items: None,
            max_items: None,
            pattern: None,
            format: None,
            starts_with: Vec::new(),
            ends_with: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SchemaError {
    #[error("unresolvable $ref {0:?}")]
    BadRef(String),
    #[error("invalid pattern {pattern:?}: {reason}")]
    BadPattern { pattern: String, reason: String },
    #[error("keyword {keyword:?} has an invalid value")]
    BadKeyword { keyword: String },
}

/// A compiled schema document (one request schema with its `$defs`).
#[derive(Debug, Clone)]
pub struct Schema {
    pub nodes: Vec<Node>,
    pub root: NodeId,
}

struct Compiler<'a> {
    doc: &'a Value,
    nodes: Vec<Node>,
    refs: HashMap<String, NodeId>,
}

impl Schema {
    pub fn compile(doc: &Value) -> Result<Schema, SchemaError> {
        let mut c = Compiler { doc, nodes: Vec::new(), refs: HashMap::new() };
        let root = c.node(doc)?;
        Ok(Schema { nodes: c.nodes, root })
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// Follows pure `$ref` nodes to the node that carries the keywords.
    pub fn resolve(&self, mut id: NodeId) -> NodeId {
        for _ in 0..32 {
            let n = &self.nodes[id];
            match n.reference {
                Some(r) if n.types == 0 && n.props.is_empty() && n.any_of.is_empty() && n.all_of.is_empty() => id = r,
                _ => break,
            }
        }
        id
    }

    /// The root's top-level properties (where request fields and their wire annotations live).
    pub fn root_props(&self) -> &[Prop] {
        &self.nodes[self.resolve(self.root)].props
    }
}

fn as_u64(v: &Value, keyword: &str) -> Result<u64, SchemaError> {
    v.as_u64()
        .or_else(|| v.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0).map(|f| f as u64))
        .ok_or_else(|| SchemaError::BadKeyword { keyword: keyword.into() })
}

fn as_f64(v: &Value, keyword: &str) -> Result<f64, SchemaError> {
    v.as_f64().ok_or_else(|| SchemaError::BadKeyword { keyword: keyword.into() })
}

fn type_bit(name: &str) -> Option<u8> {
    Some(match name {
        "null" => types::NULL,
        "boolean" => types::BOOL,
        "integer" => types::INT,
        "number" => types::NUM,
        "string" => types::STR,
        "array" => types::ARR,
        "object" => types::OBJ,
        _ => return None,
    })
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

impl<'a> Compiler<'a> {
    fn push(&mut self, n: Node) -> NodeId {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    fn resolve_pointer(&self, r: &str) -> Option<&'a Value> {
        let pointer = r.strip_prefix('#')?;
        if pointer.is_empty() {
            return Some(self.doc);
        }
        self.doc.pointer(pointer)
    }

    fn reference(&mut self, r: &str) -> Result<NodeId, SchemaError> {
        if let Some(&id) = self.refs.get(r) {
            return Ok(id);
        }
        let target = self.resolve_pointer(r).ok_or_else(|| SchemaError::BadRef(r.into()))?;
        // Reserve the slot first so recursive types terminate.
        let id = self.push(Node::empty());
        self.refs.insert(r.to_string(), id);
        let compiled = self.build(target)?;
        self.nodes[id] = compiled;
        Ok(id)
    }

    fn node(&mut self, v: &'a Value) -> Result<NodeId, SchemaError> {
        let n = self.build(v)?;
        Ok(self.push(n))
    }

    fn build(&mut self, v: &'a Value) -> Result<Node, SchemaError> {
        let mut n = Node::empty();
        let obj: &Map<String, Value> = match v {
            Value::Bool(true) => return Ok(n),
            Value::Bool(false) => {
                n.never = true;
                return Ok(n);
            }
            Value::Object(o) => o,
            _ => return Err(SchemaError::BadKeyword { keyword: "<schema>".into() }),
        };
        for (k, val) in obj {
            match k.as_str() {
                "type" => {
                    for t in strings(val) {
                        n.types |= type_bit(&t).ok_or_else(|| SchemaError::BadKeyword { keyword: "type".into() })?;
                    }
                }
                "$ref" => {
                    let r = val.as_str().ok_or_else(|| SchemaError::BadKeyword { keyword: "$ref".into() })?;
                    n.reference = Some(self.reference(r)?);
                }
                "properties" => {
                    let props = val.as_object().ok_or_else(|| SchemaError::BadKeyword { keyword: k.clone() })?;
                    for (name, ps) in props {
                        let node = self.node(ps)?;
                        n.props.push(Prop { name: name.clone(), node, required: false });
                    }
                }
                "additionalProperties" => {
                    n.additional = match val {
                        Value::Bool(true) => Additional::Any,
                        Value::Bool(false) => Additional::Deny,
                        other => Additional::Schema(self.node(other)?),
                    }
                }
                "propertyNames" => n.property_names = Some(self.node(val)?),
                "items" => n.items = Some(self.node(val)?),
                "enum" => {
                    n.enum_values = Some(val.as_array().cloned().ok_or_else(|| SchemaError::BadKeyword { keyword: k.clone() })?)
                }
                "const" => n.const_value = Some(val.clone()),
                "anyOf" | "oneOf" | "allOf" => {
                    let list = val.as_array().ok_or_else(|| SchemaError::BadKeyword { keyword: k.clone() })?;
                    let mut ids = Vec::with_capacity(list.len());
                    for s in list {
                        ids.push(self.node(s)?);
                    }
                    match k.as_str() {
                        "anyOf" => n.any_of = ids,
                        "oneOf" => n.one_of = ids,
                        _ => n.all_of = ids,
                    }
                }
                "not" => n.not = Some(self.node(val)?),
                "minimum" => n.minimum = Some(as_f64(val, k)?),
                "maximum" => n.maximum = Some(as_f64(val, k)?),
                "exclusiveMinimum" => n.exclusive_minimum = Some(as_f64(val, k)?),
                "exclusiveMaximum" => n.exclusive_maximum = Some(as_f64(val, k)?),
                "minLength" => n.min_length = Some(as_u64(val, k)?),
                "maxLength" => n.max_length = Some(as_u64(val, k)?),
                "minItems" => n.min_items = Some(as_u64(val, k)?),
                "maxItems" => n.max_items = Some(as_u64(val, k)?),
                "pattern" => {
                    let p = val.as_str().ok_or_else(|| SchemaError::BadKeyword { keyword: k.clone() })?;
                    n.pattern = Some(compile_pattern(p)?);
                }
                "format" => {
                    n.format = match val.as_str() {
                        Some("email") => Some(Format::Email),
                        Some("uri") | Some("url") => Some(Format::Uri),
                        Some("date-time") => Some(Format::DateTime),
                        // Unknown formats are annotations in 2020-12.
                        _ => None,
                    }
                }
                "x-reprise-startsWith" => n.starts_with = strings(val),
                "x-reprise-endsWith" => n.ends_with = strings(val),
                _ => {}
            }
        }
        if let Some(req) = obj.get("required").and_then(Value::as_array) {
            for r in req.iter().filter_map(Value::as_str) {
                match n.props.iter_mut().find(|p| p.name == r) {
                    Some(p) => p.required = true,
                    None => n.required_extra.push(r.to_string()),
                }
            }
        }
        // A number type subsumes integer.
        if n.types & types::NUM != 0 {
            n.types |= types::INT;
        }
        Ok(n)
    }
}

/// Patterns are written in ECMAScript syntax; the common subset (classes, anchors, quantifiers, escapes) is the
/// same in the `regex` crate. `\d` is ASCII in JS, so Unicode classes are turned off for it.
fn compile_pattern(p: &str) -> Result<Regex, SchemaError> {
    let translated = p.replace("\\d", "[0-9]").replace("\\/", "/");
    Regex::new(&translated).map_err(|e| SchemaError::BadPattern { pattern: p.into(), reason: e.to_string() })
}

#[cfg(test)]
mod tests;
