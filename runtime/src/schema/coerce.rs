//! Turning wire strings (path params, query values, headers, cookies) into the JSON types their schema asks for,
//! so `?page=2&tag=a&tag=b` reaches the handler as `{ page: 2, tag: ["a", "b"] }`. A string that does not parse
//! stays a string, and validation then names the field with the expected type.

use super::{types, NodeId, Schema};
use serde_json::{Number, Value};

impl Schema {
    /// The union of types a node admits, looking through `$ref`, `allOf` and `anyOf`.
    pub fn admitted_types(&self, id: NodeId) -> u8 {
        self.admitted(id, 0)
    }

    fn admitted(&self, id: NodeId, depth: u8) -> u8 {
        if depth > 16 {
            return 0;
        }
        let n = &self.nodes[id];
        let mut t = n.types;
        if t == 0 {
            if let Some(r) = n.reference {
                t = self.admitted(r, depth + 1);
            }
            for &a in n.any_of.iter().chain(&n.one_of) {
                t |= self.admitted(a, depth + 1);
            }
            if t == 0 {
                for &a in &n.all_of {
                    t |= self.admitted(a, depth + 1);
                }
            }
            if t == 0 {
                if let Some(e) = n.enum_values.as_deref().or(n.const_value.as_ref().map(std::slice::from_ref)) {
                    for v in e {
                        t |= match v {
                            Value::Null => types::NULL,
                            Value::Bool(_) => types::BOOL,
                            Value::Number(_) => types::NUM | types::INT,
                            Value::String(_) => types::STR,
                            Value::Array(_) => types::ARR,
                            Value::Object(_) => types::OBJ,
                        }
                    }
                }
            }
        }
        t
    }

    /// The item schema of an array node (through `$ref`).
    pub fn items_of(&self, id: NodeId) -> Option<NodeId> {
        let r = self.resolve(id);
        let n = &self.nodes[r];
        n.items.or_else(|| n.any_of.iter().find_map(|&a| self.nodes[self.resolve(a)].items))
    }

    pub fn is_array(&self, id: NodeId) -> bool {
        self.admitted_types(id) & types::ARR != 0
    }

    /// Coerces one wire string to the type `id` admits.
    pub fn coerce(&self, id: NodeId, s: &str) -> Value {
        let t = self.admitted_types(id);
        if t == 0 {
            return Value::String(s.to_string());
        }
        if t & types::INT != 0 {
            if let Ok(i) = s.parse::<i64>() {
                // A `string`-admitting enum/const of digits ("01") keeps the exact text.
                if t & types::STR == 0 || self.is_valid(id, &Value::from(i)) && !self.is_valid(id, &Value::String(s.into())) {
                    return Value::from(i);
                }
            }
        }
        if t & types::NUM != 0 && t & types::STR == 0 {
            if let Ok(f) = s.parse::<f64>() {
                if let Some(n) = Number::from_f64(f) {
                    return Value::Number(n);
                }
            }
        }
        if t & types::BOOL != 0 {
            match s {
                "true" | "1" if t & types::STR == 0 || s == "true" => return Value::Bool(true),
                "false" | "0" if t & types::STR == 0 || s == "false" => return Value::Bool(false),
                _ => {}
            }
        }
        if t & types::NULL != 0 && t & types::STR == 0 && (s.is_empty() || s == "null") {
            return Value::Null;
        }
        Value::String(s.to_string())
    }

    /// Coerces every value given for one field (repeated query keys): arrays collect them, scalars take the first.
    pub fn coerce_many(&self, id: NodeId, values: &[String]) -> Value {
        if self.is_array(id) && self.admitted_types(id) & types::STR == 0 || self.is_array(id) && values.len() > 1 {
            return match self.items_of(id) {
                Some(item) => Value::Array(values.iter().map(|v| self.coerce(item, v)).collect()),
                None => Value::Array(values.iter().map(|v| Value::String(v.clone())).collect()),
            };
        }
        match values.first() {
            Some(v) => self.coerce(id, v),
            None => Value::Null,
        }
    }
}
