//! Round-trip property tests of the binary trace encoding, decoder robustness on corrupt input, and format details.

mod common;

use proptest::prelude::*;
use reprise_trace::*;

const POOL: &[&str] = &["", "GET", "/users", "users", "create", "select 1", "ünïcødé ✓", "user-created"];

fn any_text() -> impl Strategy<Value = Text> {
    prop_oneof![
        3 => proptest::sample::select(POOL).prop_map(text),
        1 => ".{0,40}".prop_map(|s: String| text(&s)),
    ]
}

fn any_attribute() -> impl Strategy<Value = Attribute> {
    let value = prop_oneof![
        any_text().prop_map(AttributeValue::Str),
        any::<i64>().prop_map(AttributeValue::Int),
        any::<f64>().prop_filter("NaN is not equal to itself", |f| !f.is_nan()).prop_map(AttributeValue::Float),
        any::<bool>().prop_map(AttributeValue::Bool),
    ];
    (any_text(), value).prop_map(|(key, value)| Attribute { key, value })
}

fn any_details() -> impl Strategy<Value = SpanDetails> {
    prop_oneof![
        (any_text(), any_text(), any_text(), any_text(), any_text(), any::<u16>()).prop_map(|(method, path, route, service, endpoint, status)| {
            SpanDetails::HttpRequest { method, path, route, service, endpoint, status }
        }),
        (any_text(), any_text(), any::<bool>()).prop_map(|(service, handler, authenticated)| SpanDetails::AuthHandler { service, handler, authenticated }),
        (any_text(), any_text(), any::<u16>()).prop_map(|(service, endpoint, status)| SpanDetails::ServiceCall { service, endpoint, status }),
        (any_text(), any_text(), any::<u64>()).prop_map(|(database, statement, rows)| SpanDetails::DbQuery { database, statement, rows }),
        (any_text(), any_text()).prop_map(|(topic, message_id)| SpanDetails::PubSubPublish { topic, message_id }),
        (any_text(), any_text(), any_text(), any::<u32>()).prop_map(|(topic, subscription, message_id, attempt)| {
            SpanDetails::PubSubMessage { topic, subscription, message_id, attempt }
        }),
        (any_text(), any_text()).prop_map(|(job, endpoint)| SpanDetails::CronRun { job, endpoint }),
        (any_text(), any_text(), any_text()).prop_map(|(bucket, operation, object)| SpanDetails::BucketOp { bucket, operation, object }),
        Just(SpanDetails::Internal),
    ]
}

fn any_event(start: u64) -> impl Strategy<Value = SpanEvent> {
    let kind = prop_oneof![
        (0u8..5, any_text(), proptest::collection::vec(any_attribute(), 0..3)).prop_map(|(level, message, fields)| EventKind::Log {
            level: LogLevel::from_index(level).unwrap(),
            message,
            fields
        }),
        (any_text(), any_text(), any_text()).prop_map(|(code, message, stack)| EventKind::Error { code, message, stack }),
    ];
    (0u64..10_000_000_000, kind).prop_map(move |(offset, kind)| SpanEvent { time_unix_ns: start + offset, kind })
}

fn any_id() -> impl Strategy<Value = SpanId> {
    any::<[u8; 8]>().prop_map(SpanId)
}

/// A span without its parent (chosen once the earlier spans are known).
fn any_span() -> impl Strategy<Value = Span> {
    (1_600_000_000_000_000_000u64..1_900_000_000_000_000_000, 0u64..60_000_000_000)
        .prop_flat_map(|(start, duration)| {
            (
                any_id(),
                Just(start),
                Just(duration),
                any_text(),
                any_details(),
                proptest::option::of(any_text()),
                proptest::collection::vec(any_attribute(), 0..4),
                proptest::collection::vec(any_event(start), 0..3),
                proptest::collection::vec((any::<bool>(), any::<[u8; 16]>(), any_id()), 0..2),
            )
        })
        .prop_map(|(span_id, start, duration, name, details, error, attributes, events, links)| Span {
            span_id,
            parent: Parent::None,
            start_unix_ns: start,
            end_unix_ns: start + duration,
            name,
            details,
            status: match error {
                None => SpanStatus::Ok,
                Some(message) => SpanStatus::Error { message },
            },
            attributes,
            events,
            // `true` links into the record's own trace (filled in below), `false` into another.
            links: links.into_iter().map(|(same, trace, span_id)| SpanLink { trace_id: TraceId(if same { [0; 16] } else { trace }), span_id }).collect(),
        })
}

fn any_record() -> impl Strategy<Value = TraceRecord> {
    (
        any::<[u8; 16]>(),
        proptest::collection::vec((any_span(), 0u8..4, any::<usize>(), any_id()), 0..12),
        any::<u32>(),
    )
        .prop_map(|(trace, spans, dropped_spans)| {
            let trace_id = TraceId(trace);
            let mut out: Vec<Span> = Vec::new();
            for (mut span, parent_kind, pick, other) in spans {
                span.parent = match parent_kind {
                    0 => Parent::None,
                    1 if !out.is_empty() => Parent::Local(out[pick % out.len()].span_id),
                    1 | 2 => Parent::Local(other),
                    _ => Parent::Remote(other),
                };
                for link in &mut span.links {
                    if link.trace_id.0 == [0; 16] {
                        link.trace_id = trace_id;
                    }
                }
                out.push(span);
            }
            TraceRecord { trace_id, spans: out, dropped_spans }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_is_identity(record in any_record()) {
        let bytes = encode_to_vec(&record);
        prop_assert_eq!(decode_record(&bytes), Ok(record));
    }

    #[test]
    fn streams_of_records_round_trip(records in proptest::collection::vec(any_record(), 0..4)) {
        let mut stream = Vec::new();
        for record in &records {
            reprise_trace::decode::write_framed(&encode_to_vec(record), &mut stream);
        }
        prop_assert_eq!(decode_stream(&stream), Ok(records));
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_record(&bytes);
        let mut prefixed = b"RP\x01".to_vec();
        prefixed.extend_from_slice(&bytes);
        let _ = decode_record(&prefixed);
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error_not_a_panic(record in any_record(), cut in any::<usize>(), flip in any::<(usize, u8)>()) {
        let bytes = encode_to_vec(&record);
        let cut = cut % bytes.len();
        prop_assert!(decode_record(&bytes[..cut]).is_err());
        let mut corrupt = bytes.clone();
        let index = flip.0 % corrupt.len();
        corrupt[index] ^= flip.1 | 1;
        let _ = decode_record(&corrupt);
    }
}

#[test]
fn repeated_strings_are_interned_and_single_ones_inline() {
    let record = common::create_user(1);
    let bytes = encode_to_vec(&record);
    let occurrences = |needle: &[u8]| bytes.windows(needle.len()).filter(|w| *w == needle).count();
    assert_eq!(occurrences(b"users.create"), 1);
    assert_eq!(occurrences(b"INSERT INTO users"), 1);
    // "email" is the callee service and its query's database (interned: once), plus two span names and a column
    // in the INSERT statement.
    assert_eq!(occurrences(b"email"), 4);
    assert_eq!(occurrences(b"user-created"), 1, "topic and publish span name share one entry");
    assert_eq!(decode_record(&bytes).unwrap(), record);
}

#[test]
fn header_and_errors_are_precise() {
    let bytes = encode_to_vec(&common::hello(1));
    assert_eq!(&bytes[..3], b"RP\x01");
    assert_eq!(decode_record(b"XX\x01"), Err(DecodeError::BadMagic));
    assert_eq!(decode_record(b""), Err(DecodeError::BadMagic));
    let mut future = bytes.clone();
    future[2] = 9;
    assert_eq!(decode_record(&future), Err(DecodeError::UnsupportedVersion(9)));
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert_eq!(decode_record(&trailing), Err(DecodeError::TrailingBytes(1)));
    // A hostile span count must be rejected before allocating.
    let mut hostile = b"RP\x01".to_vec();
    hostile.extend_from_slice(&[1; 16]);
    hostile.extend_from_slice(&[0, 0, 0]); // anchor, dropped, empty table
    hostile.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]); // span count 4 billion
    assert!(matches!(decode_record(&hostile), Err(DecodeError::CountTooLarge { .. })));
}

#[test]
fn a_hello_span_is_small() {
    let bytes = encode_to_vec(&common::hello(3));
    // header 3 + trace id 16 + anchor 9 + counts 3 + span id 8 + header 1 + times 4 + six inline strings 50 + status 2
    assert!(bytes.len() <= 96, "hello trace took {} bytes", bytes.len());
}

