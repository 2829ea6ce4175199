//! Validator and coercion tests against schemas of the shape the analyser emits.

use super::*;
use serde_json::json;

fn users_schema() -> Schema {
    Schema::compile(&json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 64},
            "email": {"type": "string", "format": "email"},
            "age": {"type": "integer", "minimum": 0, "maximum": 150},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
            "role": {"type": "string", "enum": ["admin", "user"]},
            "address": {"$ref": "#/$defs/Address"}
        },
        "required": ["name", "email", "age"],
        "$defs": {
            "Address": {"type": "object", "properties": {"city": {"type": "string", "x-reprise-startsWith": "C", "pattern": "^C"}}, "required": ["city"]}
        }
    }))
    .unwrap()
}

fn err(s: &Schema, v: Value) -> ValidationError {
    s.validate(&v).expect_err("expected a validation error")
}

#[test]
fn accepts_valid_values() {
    let s = users_schema();
    s.validate(&json!({"name": "Ada", "email": "ada@example.com", "age": 36, "tags": ["a"], "address": {"city": "Cambridge"}})).unwrap();
    s.validate(&json!({"name": "Ada", "email": "ada@example.com", "age": 36.0})).unwrap();
}

#[test]
fn names_the_failing_field() {
    let s = users_schema();
    let base = json!({"name": "Ada", "email": "ada@example.com", "age": 36});
    let with = |k: &str, v: Value| {
        let mut o = base.clone();
        o[k] = v;
        o
    };
    assert_eq!(err(&s, with("email", json!("nope"))).field, "email");
    assert_eq!(err(&s, with("name", json!(""))).field, "name");
    assert_eq!(err(&s, with("name", json!("x".repeat(65)))).field, "name");
    assert_eq!(err(&s, with("age", json!(151))).field, "age");
    assert_eq!(err(&s, with("age", json!(-1))).field, "age");
    assert_eq!(err(&s, with("age", json!(1.5))).field, "age");
    assert_eq!(err(&s, with("age", json!("36"))).message, "invalid value for \"age\": expected an integer, got string");
    assert_eq!(err(&s, with("tags", json!(vec!["t"; 11]))).field, "tags");
    assert_eq!(err(&s, with("tags", json!(["ok", 3]))).field, "tags[1]");
    assert_eq!(err(&s, with("role", json!("root"))).field, "role");
    assert_eq!(err(&s, with("address", json!({"city": "Oxford"}))).field, "address.city");
    assert_eq!(err(&s, with("address", json!({}))).field, "address.city");
    assert_eq!(err(&s, json!({"email": "a@b.co", "age": 1})).message, "invalid value for \"name\": is required");
    assert_eq!(err(&s, json!([1])).field, "");
}

#[test]
fn string_length_counts_characters_not_bytes() {
    let s = Schema::compile(&json!({"type": "string", "maxLength": 2})).unwrap();
    s.validate(&json!("éé")).unwrap();
    assert!(s.validate(&json!("ééé")).is_err());
}

#[test]
fn recursive_refs_terminate() {
    let s = Schema::compile(&json!({
        "$ref": "#/$defs/Node",
        "$defs": {"Node": {"type": "object", "properties": {"next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}, "v": {"type": "number"}}}}
    }))
    .unwrap();
    s.validate(&json!({"v": 1, "next": {"v": 2, "next": null}})).unwrap();
    assert!(s.validate(&json!({"v": 1, "next": {"v": "x"}})).is_err());
}

#[test]
fn keywords_of_the_emitted_subset() {
    let s = Schema::compile(&json!({"const": "x"})).unwrap();
    assert!(s.validate(&json!("y")).is_err());
    let s = Schema::compile(&json!({"type": "object", "additionalProperties": false, "properties": {"a": {}}})).unwrap();
    s.validate(&json!({"a": 1})).unwrap();
    assert_eq!(s.validate(&json!({"b": 1})).unwrap_err().field, "b");
    let s = Schema::compile(&json!({"type": "object", "additionalProperties": {"type": "integer"}})).unwrap();
    assert_eq!(s.validate(&json!({"k": "v"})).unwrap_err().field, "k");
    let s = Schema::compile(&json!({"allOf": [{"minimum": 1}, {"maximum": 3}]})).unwrap();
    assert!(s.validate(&json!(4)).is_err());
    let s = Schema::compile(&json!({"type": "string", "anyOf": [{"format": "email"}, {"format": "uri"}]})).unwrap();
    s.validate(&json!("https://x.io")).unwrap();
    s.validate(&json!("a@x.io")).unwrap();
    assert!(s.validate(&json!("neither")).is_err());
    let s = Schema::compile(&json!({"type": "string", "format": "date-time"})).unwrap();
    assert!(s.validate(&json!("yesterday")).is_err());
    let s = Schema::compile(&json!({"type": "string", "pattern": "^\\d+$", "x-reprise-endsWith": "9"})).unwrap();
    s.validate(&json!("129")).unwrap();
    assert!(s.validate(&json!("12")).is_err());
    assert!(s.validate(&json!("a9")).is_err());
    let s = Schema::compile(&json!({"not": {}})).unwrap();
    assert!(s.validate(&json!(1)).is_err());
    let s = Schema::compile(&json!({"type": ["integer", "string"], "pattern": "^-?[0-9]+$"})).unwrap();
    s.validate(&json!(12)).unwrap();
    s.validate(&json!("12")).unwrap();
    assert!(s.validate(&json!("1.5")).is_err());
}

#[test]
fn bad_schemas_are_typed_errors() {
    assert_eq!(Schema::compile(&json!({"$ref": "#/$defs/Missing"})).unwrap_err(), SchemaError::BadRef("#/$defs/Missing".into()));
    assert!(matches!(Schema::compile(&json!({"pattern": "("})), Err(SchemaError::BadPattern { .. })));
    assert!(matches!(Schema::compile(&json!({"type": "wat"})), Err(SchemaError::BadKeyword { .. })));
}

#[test]
fn coerces_wire_strings() {
    let s = Schema::compile(&json!({
        "type": "object",
        "properties": {
            "page": {"type": "integer"}, "ratio": {"type": "number"}, "on": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "integer"}}, "name": {"type": "string"},
            "kind": {"enum": [1, 2]}, "maybe": {"type": ["integer", "null"]}
        }
    }))
    .unwrap();
    let p = |name: &str| s.root_props().iter().find(|p| p.name == name).unwrap().node;
    assert_eq!(s.coerce(p("page"), "2"), json!(2));
    assert_eq!(s.coerce(p("page"), "two"), json!("two"));
    assert_eq!(s.coerce(p("ratio"), "0.5"), json!(0.5));
    assert_eq!(s.coerce(p("on"), "true"), json!(true));
    assert_eq!(s.coerce(p("on"), "0"), json!(false));
    assert_eq!(s.coerce(p("name"), "42"), json!("42"));
    assert_eq!(s.coerce(p("kind"), "2"), json!(2));
    assert_eq!(s.coerce(p("maybe"), "7"), json!(7));
    assert_eq!(s.coerce_many(p("tags"), &["1".into(), "2".into()]), json!([1, 2]));
    assert_eq!(s.coerce_many(p("tags"), &["1".into()]), json!([1]));
    assert_eq!(s.coerce_many(p("page"), &["3".into(), "4".into()]), json!(3));
}
