//! W3C Trace Context `traceparent` header: parsed on requests coming in, written on calls going out, so a trace
//! continues across processes and other tracing systems.

use crate::ids::{hex_value, SpanId, TraceId};

/// The parsed `traceparent` header: which trace the caller is in, which of its spans is our parent, and whether the
/// caller kept (sampled) the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceParent {
    pub trace_id: TraceId,
    pub parent_span_id: SpanId,
    pub sampled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceParentError {
    #[error("traceparent must be `version-traceid-spanid-flags`, got {0} bytes")]
    BadLength(usize),
    #[error("traceparent field `{0}` is not lower-case hex of the right length")]
    BadField(&'static str),
    #[error("traceparent version ff is forbidden")]
    ForbiddenVersion,
    #[error("traceparent `{0}` id is all zeros")]
    ZeroId(&'static str),
}

impl TraceParent {
    /// Parses per W3C Trace Context level 1: version 00 must be exactly 55 bytes; a higher version may carry more
    /// fields after a `-`, which we ignore (forward compatibility, as the spec asks).
    pub fn parse(header: &str) -> Result<TraceParent, TraceParentError> {
        let text = header.trim_matches(|c| c == ' ' || c == '\t');
        let bytes = text.as_bytes();
        if !text.is_ascii() {
            return Err(TraceParentError::BadField("characters"));
        }
        if bytes.len() < 55 {
            return Err(TraceParentError::BadLength(bytes.len()));
        }
        let version = parse_hex_byte(&bytes[0..2]).ok_or(TraceParentError::BadField("version"))?;
        if version == 0xff {
            return Err(TraceParentError::ForbiddenVersion);
        }
        if version == 0 && bytes.len() != 55 {
            return Err(TraceParentError::BadLength(bytes.len()));
        }
        if version != 0 && bytes.len() > 55 && bytes[55] != b'-' {
            return Err(TraceParentError::BadLength(bytes.len()));
        }
        if bytes[2] != b'-' || bytes[35] != b'-' || bytes[52] != b'-' {
            return Err(TraceParentError::BadField("separator"));
        }
        let trace_id = TraceId::from_hex(&text[3..35]).ok_or(TraceParentError::BadField("trace-id"))?;
        let parent_span_id = SpanId::from_hex(&text[36..52]).ok_or(TraceParentError::BadField("parent-id"))?;
        let flags = parse_hex_byte(&bytes[53..55]).ok_or(TraceParentError::BadField("trace-flags"))?;
        if !trace_id.is_valid() {
            return Err(TraceParentError::ZeroId("trace"));
        }
        if !parent_span_id.is_valid() {
            return Err(TraceParentError::ZeroId("parent"));
        }
        Ok(TraceParent { trace_id, parent_span_id, sampled: flags & 1 == 1 })
    }

    /// Always writes version 00, the only version we speak.
    pub fn format(&self) -> String {
        format!("00-{}-{}-{}", self.trace_id.to_hex(), self.parent_span_id.to_hex(), if self.sampled { "01" } else { "00" })
    }
}

fn parse_hex_byte(pair: &[u8]) -> Option<u8> {
    Some((hex_value(pair[0])? << 4) | hex_value(pair[1])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn parses_the_spec_example_and_formats_it_back() {
        let parsed = TraceParent::parse(EXAMPLE).unwrap();
        assert_eq!(parsed.trace_id.to_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(parsed.parent_span_id.to_hex(), "00f067aa0ba902b7");
        assert!(parsed.sampled);
        assert_eq!(parsed.format(), EXAMPLE);
        let unsampled = TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").unwrap();
        assert!(!unsampled.sampled);
    }

    #[test]
    fn accepts_future_versions_with_extra_fields() {
        let parsed = TraceParent::parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what-the-future-holds");
        assert!(parsed.unwrap().sampled);
    }

    #[test]
    fn rejects_malformed_headers() {
        use TraceParentError::*;
        let cases: &[(&str, TraceParentError)] = &[
            ("", BadLength(0)),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", BadLength(56)),
            ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ForbiddenVersion),
            ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", BadField("trace-id")),
            ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", ZeroId("trace")),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", ZeroId("parent")),
            ("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", BadField("separator")),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-é", BadField("characters")),
            ("0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", BadField("version")),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", BadField("trace-flags")),
        ];
        for (header, expected) in cases {
            assert_eq!(TraceParent::parse(header).as_ref(), Err(expected), "{header}");
        }
    }
}
