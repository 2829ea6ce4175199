//! The compact binary trace encoding (format described in docs/trace-format.md): LEB128 varints, one time anchor per
//! record with span times as offsets from it, typed span kinds without attribute keys, and a string table holding
//! only the strings that occur more than once in the record (a string used once costs the same inline).

use crate::model::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a for the encoder's per-record tables: their keys are a few dozen short strings and span ids, for which
/// SipHash (the default) was the encoder's largest cost (callgrind). A table lives for one record of bounded size,
/// so there is no flooding to defend against.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for byte in bytes {
            hash = (hash ^ *byte as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

pub const MAGIC: [u8; 2] = *b"RP";
pub const FORMAT_VERSION: u8 = 1;

pub(crate) const KIND_HTTP: u8 = 0;
pub(crate) const KIND_AUTH: u8 = 1;
pub(crate) const KIND_CALL: u8 = 2;
pub(crate) const KIND_DB: u8 = 3;
pub(crate) const KIND_PUBLISH: u8 = 4;
pub(crate) const KIND_MESSAGE: u8 = 5;
pub(crate) const KIND_CRON: u8 = 6;
pub(crate) const KIND_BUCKET: u8 = 7;
pub(crate) const KIND_INTERNAL: u8 = 8;

pub(crate) const PARENT_NONE: u8 = 0;
pub(crate) const PARENT_LOCAL_INDEX: u8 = 1;
pub(crate) const PARENT_LOCAL_ID: u8 = 2;
pub(crate) const PARENT_REMOTE: u8 = 3;

pub(crate) const FLAG_ERROR: u8 = 1 << 6;
pub(crate) const FLAG_EXTRAS: u8 = 1 << 7;

pub(crate) const VALUE_STR: u8 = 0;
pub(crate) const VALUE_INT: u8 = 1;
pub(crate) const VALUE_FLOAT: u8 = 2;
pub(crate) const VALUE_FALSE: u8 = 3;
pub(crate) const VALUE_TRUE: u8 = 4;

/// Event tags 0..=4 are log lines (the tag is the level); this one is an error.
pub(crate) const EVENT_ERROR: u8 = 8;

pub(crate) const LINK_SAME_TRACE: u8 = 0;
pub(crate) const LINK_OTHER_TRACE: u8 = 1;

pub fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

pub(crate) fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// Encodes one record into `out` (appending). Spans whose end precedes their start are stored with zero duration.
pub fn encode_record(record: &TraceRecord, out: &mut Vec<u8>) {
    let table = StringTable::build(record);
    out.extend_from_slice(&MAGIC);
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&record.trace_id.0);
    let anchor = record.spans.iter().map(|s| s.start_unix_ns).min().unwrap_or(0);
    write_varint(out, anchor);
    write_varint(out, record.dropped_spans as u64);
    write_varint(out, table.entries.len() as u64);
    for entry in &table.entries {
        write_varint(out, entry.len() as u64);
        out.extend_from_slice(entry.as_bytes());
    }
    write_varint(out, record.spans.len() as u64);
    let mut span_index: FastMap<crate::ids::SpanId, usize> = FastMap::with_capacity_and_hasher(record.spans.len(), Default::default());
    let mut writer = Writer { out, table: &table };
    for (index, span) in record.spans.iter().enumerate() {
        writer.span(record, span, anchor, &span_index);
        span_index.entry(span.span_id).or_insert(index);
    }
}

pub fn encode_to_vec(record: &TraceRecord) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + record.spans.len() * 48);
    encode_record(record, &mut out);
    out
}

struct StringTable<'a> {
    entries: Vec<&'a str>,
    index: FastMap<&'a str, u32>,
}

impl<'a> StringTable<'a> {
    fn build(record: &'a TraceRecord) -> StringTable<'a> {
        let mut counts: FastMap<&'a str, (u32, u32)> = FastMap::default();
        let mut order = 0u32;
        visit_strings(record, &mut |value: &'a str| {
            if value.is_empty() {
                return;
            }
            let entry = counts.entry(value).or_insert_with(|| {
                order += 1;
                (0, order)
            });
            entry.0 += 1;
        });
        let mut repeated: Vec<(&'a str, u32)> =
            counts.into_iter().filter(|(_, (count, _))| *count > 1).map(|(s, (_, first))| (s, first)).collect();
        repeated.sort_by_key(|(_, first)| *first);
        let entries: Vec<&'a str> = repeated.into_iter().map(|(s, _)| s).collect();
        let index = entries.iter().enumerate().map(|(i, s)| (*s, i as u32)).collect();
        StringTable { entries, index }
    }
}

/// Every string the encoder writes, in writing order, so the table is ordered by first use.
fn visit_strings<'a>(record: &'a TraceRecord, visit: &mut impl FnMut(&'a str)) {
    for span in &record.spans {
        visit(&span.name);
        match &span.details {
            SpanDetails::HttpRequest { method, path, route, service, endpoint, .. } => {
                for s in [method, path, route, service, endpoint] {
                    visit(s);
                }
            }
            SpanDetails::AuthHandler { service, handler, .. } => {
                visit(service);
                visit(handler);
            }
            SpanDetails::ServiceCall { service, endpoint, .. } => {
                visit(service);
                visit(endpoint);
            }
            SpanDetails::DbQuery { database, statement, .. } => {
                visit(database);
                visit(statement);
            }
            SpanDetails::PubSubPublish { topic, message_id } => {
                visit(topic);
                visit(message_id);
            }
            SpanDetails::PubSubMessage { topic, subscription, message_id, .. } => {
                for s in [topic, subscription, message_id] {
                    visit(s);
                }
            }
            SpanDetails::CronRun { job, endpoint } => {
                visit(job);
                visit(endpoint);
            }
            SpanDetails::BucketOp { bucket, operation, object } => {
                for s in [bucket, operation, object] {
                    visit(s);
                }
            }
            SpanDetails::Internal => {}
        }
        if let SpanStatus::Error { message } = &span.status {
            visit(message);
        }
        for attribute in &span.attributes {
            visit_attribute(attribute, visit);
        }
        for event in &span.events {
            match &event.kind {
                EventKind::Log { message, fields, .. } => {
                    visit(message);
                    for field in fields {
                        visit_attribute(field, visit);
                    }
                }
                EventKind::Error { code, message, stack } => {
                    visit(code);
                    visit(message);
                    visit(stack);
                }
            }
        }
    }
}

fn visit_attribute<'a>(attribute: &'a Attribute, visit: &mut impl FnMut(&'a str)) {
    visit(&attribute.key);
    if let AttributeValue::Str(value) = &attribute.value {
        visit(value);
    }
}

struct Writer<'o, 't> {
    out: &'o mut Vec<u8>,
    table: &'t StringTable<'t>,
}

impl Writer<'_, '_> {
    /// Even = index into the table; odd = inline string of length `value >> 1` follows.
    fn string(&mut self, value: &str) {
        match self.table.index.get(value) {
            Some(index) => write_varint(self.out, (*index as u64) << 1),
            None => {
                write_varint(self.out, ((value.len() as u64) << 1) | 1);
                self.out.extend_from_slice(value.as_bytes());
            }
        }
    }

    fn varint(&mut self, value: u64) {
        write_varint(self.out, value);
    }

    fn span(
        &mut self,
        record: &TraceRecord,
        span: &Span,
        anchor: u64,
        span_index: &FastMap<crate::ids::SpanId, usize>,
    ) {
        let kind = match &span.details {
            SpanDetails::HttpRequest { .. } => KIND_HTTP,
            SpanDetails::AuthHandler { .. } => KIND_AUTH,
            SpanDetails::ServiceCall { .. } => KIND_CALL,
            SpanDetails::DbQuery { .. } => KIND_DB,
            SpanDetails::PubSubPublish { .. } => KIND_PUBLISH,
            SpanDetails::PubSubMessage { .. } => KIND_MESSAGE,
            SpanDetails::CronRun { .. } => KIND_CRON,
            SpanDetails::BucketOp { .. } => KIND_BUCKET,
            SpanDetails::Internal => KIND_INTERNAL,
        };
        let (parent_mode, parent_index) = match span.parent {
            Parent::None => (PARENT_NONE, None),
            Parent::Local(id) => match span_index.get(&id) {
                Some(index) => (PARENT_LOCAL_INDEX, Some(*index)),
                None => (PARENT_LOCAL_ID, None),
            },
            Parent::Remote(_) => (PARENT_REMOTE, None),
        };
        let has_extras = !span.attributes.is_empty() || !span.events.is_empty() || !span.links.is_empty();
        let mut header = kind | (parent_mode << 4);
        if span.is_error() {
            header |= FLAG_ERROR;
        }
        if has_extras {
            header |= FLAG_EXTRAS;
        }
        self.out.extend_from_slice(&span.span_id.0);
        self.out.push(header);
        match (parent_index, span.parent.span_id()) {
            (Some(index), _) => self.varint(index as u64),
            (None, Some(id)) => self.out.extend_from_slice(&id.0),
            (None, None) => {}
        }
        self.varint(span.start_unix_ns - anchor);
        self.varint(span.duration_ns());
        self.string(&span.name);
        match &span.details {
            SpanDetails::HttpRequest { method, path, route, service, endpoint, status } => {
                for s in [method, path, route, service, endpoint] {
                    self.string(s);
                }
                self.varint(*status as u64);
            }
            SpanDetails::AuthHandler { service, handler, authenticated } => {
                self.string(service);
                self.string(handler);
                self.out.push(*authenticated as u8);
            }
            SpanDetails::ServiceCall { service, endpoint, status } => {
                self.string(service);
                self.string(endpoint);
                self.varint(*status as u64);
            }
            SpanDetails::DbQuery { database, statement, rows } => {
                self.string(database);
                self.string(statement);
                self.varint(*rows);
            }
            SpanDetails::PubSubPublish { topic, message_id } => {
                self.string(topic);
                self.string(message_id);
            }
            SpanDetails::PubSubMessage { topic, subscription, message_id, attempt } => {
                for s in [topic, subscription, message_id] {
                    self.string(s);
                }
                self.varint(*attempt as u64);
            }
            SpanDetails::CronRun { job, endpoint } => {
                self.string(job);
                self.string(endpoint);
            }
            SpanDetails::BucketOp { bucket, operation, object } => {
                for s in [bucket, operation, object] {
                    self.string(s);
                }
            }
            SpanDetails::Internal => {}
        }
        if let SpanStatus::Error { message } = &span.status {
            self.string(message);
        }
        if !has_extras {
            return;
        }
        self.varint(span.attributes.len() as u64);
        for attribute in &span.attributes {
            self.attribute(attribute);
        }
        self.varint(span.events.len() as u64);
        for event in &span.events {
            let offset = (event.time_unix_ns as i128 - span.start_unix_ns as i128).clamp(i64::MIN as i128, i64::MAX as i128);
            match &event.kind {
                EventKind::Log { level, message, fields } => {
                    self.out.push(*level as u8);
                    self.varint(zigzag(offset as i64));
                    self.string(message);
                    self.varint(fields.len() as u64);
                    for field in fields {
                        self.attribute(field);
                    }
                }
                EventKind::Error { code, message, stack } => {
                    self.out.push(EVENT_ERROR);
                    self.varint(zigzag(offset as i64));
                    self.string(code);
                    self.string(message);
                    self.string(stack);
                }
            }
        }
        self.varint(span.links.len() as u64);
        for link in &span.links {
            if link.trace_id == record.trace_id {
                self.out.push(LINK_SAME_TRACE);
            } else {
                self.out.push(LINK_OTHER_TRACE);
                self.out.extend_from_slice(&link.trace_id.0);
            }
            self.out.extend_from_slice(&link.span_id.0);
        }
    }

    fn attribute(&mut self, attribute: &Attribute) {
        self.string(&attribute.key);
        match &attribute.value {
            AttributeValue::Str(value) => {
                self.out.push(VALUE_STR);
                self.string(value);
            }
            AttributeValue::Int(value) => {
                self.out.push(VALUE_INT);
                self.varint(zigzag(*value));
            }
            AttributeValue::Float(value) => {
                self.out.push(VALUE_FLOAT);
                self.out.extend_from_slice(&value.to_le_bytes());
            }
            AttributeValue::Bool(false) => self.out.push(VALUE_FALSE),
            AttributeValue::Bool(true) => self.out.push(VALUE_TRUE),
        }
    }
}
