//! Decoder for the binary trace encoding. It reads untrusted bytes (a file, an HTTP response), so it never panics:
//! every length and count is checked against the bytes that remain before anything is allocated.

use crate::encode::*;
use crate::ids::{SpanId, TraceId};
use crate::model::*;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not a Reprise trace record (bad magic bytes)")]
    BadMagic,
    #[error("unsupported trace format version {0} (this build reads version {FORMAT_VERSION})")]
    UnsupportedVersion(u8),
    #[error("trace record truncated at byte {0}")]
    Truncated(usize),
    #[error("varint at byte {0} is longer than 64 bits")]
    VarintOverflow(usize),
    #[error("string at byte {0} is not valid UTF-8")]
    InvalidUtf8(usize),
    #[error("string reference {reference} at byte {offset} is outside the table of {table_len} strings")]
    BadStringReference { offset: usize, reference: u64, table_len: usize },
    #[error("count {count} at byte {offset} exceeds the bytes that remain")]
    CountTooLarge { offset: usize, count: u64 },
    #[error("span {span} names parent index {parent}, which is not an earlier span")]
    BadParentIndex { span: usize, parent: u64 },
    #[error("unknown {what} tag {tag} at byte {offset}")]
    UnknownTag { what: &'static str, tag: u8, offset: usize },
    #[error("value {value} at byte {offset} does not fit its field")]
    ValueOutOfRange { offset: usize, value: u64 },
    #[error("{0} trailing bytes after the record")]
    TrailingBytes(usize),
}

/// Decodes exactly one record occupying all of `bytes`.
pub fn decode_record(bytes: &[u8]) -> Result<TraceRecord, DecodeError> {
    let mut reader = Reader { bytes, position: 0, table: Vec::new() };
    let record = reader.record()?;
    if reader.position != bytes.len() {
        return Err(DecodeError::TrailingBytes(bytes.len() - reader.position));
    }
    Ok(record)
}

/// Decodes a stream of records each preceded by its varint byte length (what the trace endpoint serves as binary).
pub fn decode_stream(bytes: &[u8]) -> Result<Vec<TraceRecord>, DecodeError> {
    let mut records = Vec::new();
    let mut position = 0;
    while position < bytes.len() {
        let mut reader = Reader { bytes, position, table: Vec::new() };
        let length = reader.varint()?;
        let start = reader.position;
        let end = start.checked_add(length as usize).filter(|end| *end <= bytes.len()).ok_or(DecodeError::Truncated(start))?;
        let record = decode_record(&bytes[start..end]).map_err(|error| shift_offsets(error, start))?;
        records.push(record);
        position = end;
    }
    Ok(records)
}

/// Frames one encoded record for a stream.
pub fn write_framed(record_bytes: &[u8], out: &mut Vec<u8>) {
    write_varint(out, record_bytes.len() as u64);
    out.extend_from_slice(record_bytes);
}

fn shift_offsets(error: DecodeError, by: usize) -> DecodeError {
    use DecodeError::*;
    match error {
        Truncated(o) => Truncated(o + by),
        VarintOverflow(o) => VarintOverflow(o + by),
        InvalidUtf8(o) => InvalidUtf8(o + by),
        BadStringReference { offset, reference, table_len } => BadStringReference { offset: offset + by, reference, table_len },
        CountTooLarge { offset, count } => CountTooLarge { offset: offset + by, count },
        UnknownTag { what, tag, offset } => UnknownTag { what, tag, offset: offset + by },
        ValueOutOfRange { offset, value } => ValueOutOfRange { offset: offset + by, value },
        other => other,
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
    table: Vec<Text>,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    fn take(&mut self, length: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < length {
            return Err(DecodeError::Truncated(self.bytes.len()));
        }
        let slice = &self.bytes[self.position..self.position + length];
        self.position += length;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn varint(&mut self) -> Result<u64, DecodeError> {
        let start = self.position;
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let bits = (byte & 0x7f) as u64;
            if shift == 63 && bits > 1 {
                return Err(DecodeError::VarintOverflow(start));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(DecodeError::VarintOverflow(start))
    }

    fn narrow<T: TryFrom<u64>>(&mut self) -> Result<T, DecodeError> {
        let offset = self.position;
        let value = self.varint()?;
        T::try_from(value).map_err(|_| DecodeError::ValueOutOfRange { offset, value })
    }

    /// A count of items each taking at least one byte: larger than what remains means corrupt input, and checking it
    /// first keeps a hostile count from allocating gigabytes.
    fn count(&mut self) -> Result<usize, DecodeError> {
        let offset = self.position;
        let count = self.varint()?;
        if count > self.remaining() as u64 {
            return Err(DecodeError::CountTooLarge { offset, count });
        }
        Ok(count as usize)
    }

    fn raw_string(&mut self, length: u64) -> Result<Text, DecodeError> {
        let offset = self.position;
        if length > self.remaining() as u64 {
            return Err(DecodeError::Truncated(self.bytes.len()));
        }
        let bytes = self.take(length as usize)?;
        std::str::from_utf8(bytes).map(text).map_err(|_| DecodeError::InvalidUtf8(offset))
    }

    fn string(&mut self) -> Result<Text, DecodeError> {
        let offset = self.position;
        let reference = self.varint()?;
        if reference & 1 == 1 {
            return self.raw_string(reference >> 1);
        }
        let index = reference >> 1;
        self.table
            .get(index as usize)
            .cloned()
            .ok_or(DecodeError::BadStringReference { offset, reference: index, table_len: self.table.len() })
    }

    fn record(&mut self) -> Result<TraceRecord, DecodeError> {
        if self.take(2).map_err(|_| DecodeError::BadMagic)? != MAGIC {
            return Err(DecodeError::BadMagic);
        }
        let version = self.byte()?;
        if version != FORMAT_VERSION {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        let trace_id = TraceId(self.array()?);
        let anchor = self.varint()?;
        let dropped_spans = self.narrow()?;
        let table_len = self.count()?;
        self.table.reserve(table_len);
        for _ in 0..table_len {
            let length = self.varint()?;
            let entry = self.raw_string(length)?;
            self.table.push(entry);
        }
        let span_count = self.count()?;
        let mut spans: Vec<Span> = Vec::with_capacity(span_count);
        for index in 0..span_count {
            let span = self.span(index, trace_id, anchor, &spans)?;
            spans.push(span);
        }
        Ok(TraceRecord { trace_id, spans, dropped_spans })
    }

    fn span(&mut self, index: usize, trace_id: TraceId, anchor: u64, earlier: &[Span]) -> Result<Span, DecodeError> {
        let span_id = SpanId(self.array()?);
        let header_offset = self.position;
        let header = self.byte()?;
        let kind = header & 0x0f;
        let parent = match (header >> 4) & 0b11 {
            PARENT_NONE => Parent::None,
            PARENT_LOCAL_INDEX => {
                let parent = self.varint()?;
                let parent_span = earlier.get(parent as usize).filter(|_| (parent as usize) < index);
                Parent::Local(parent_span.ok_or(DecodeError::BadParentIndex { span: index, parent })?.span_id)
            }
            PARENT_LOCAL_ID => Parent::Local(SpanId(self.array()?)),
            _ => Parent::Remote(SpanId(self.array()?)),
        };
        let time_offset = self.position;
        let start_offset = self.varint()?;
        let duration = self.varint()?;
        let start_unix_ns = anchor.checked_add(start_offset).ok_or(DecodeError::ValueOutOfRange { offset: time_offset, value: start_offset })?;
        let end_unix_ns = start_unix_ns.checked_add(duration).ok_or(DecodeError::ValueOutOfRange { offset: time_offset, value: duration })?;
        let name = self.string()?;
        let details = match kind {
            KIND_HTTP => SpanDetails::HttpRequest {
                method: self.string()?,
                path: self.string()?,
                route: self.string()?,
                service: self.string()?,
                endpoint: self.string()?,
                status: self.narrow()?,
            },
            KIND_AUTH => SpanDetails::AuthHandler {
                service: self.string()?,
                handler: self.string()?,
                authenticated: {
                    let offset = self.position;
                    match self.byte()? {
                        0 => false,
                        1 => true,
                        tag => return Err(DecodeError::UnknownTag { what: "boolean", tag, offset }),
                    }
                },
            },
            KIND_CALL => SpanDetails::ServiceCall { service: self.string()?, endpoint: self.string()?, status: self.narrow()? },
            KIND_DB => SpanDetails::DbQuery { database: self.string()?, statement: self.string()?, rows: self.varint()? },
            KIND_PUBLISH => SpanDetails::PubSubPublish { topic: self.string()?, message_id: self.string()? },
            KIND_MESSAGE => SpanDetails::PubSubMessage {
                topic: self.string()?,
                subscription: self.string()?,
                message_id: self.string()?,
                attempt: self.narrow()?,
            },
            KIND_CRON => SpanDetails::CronRun { job: self.string()?, endpoint: self.string()? },
            KIND_BUCKET => SpanDetails::BucketOp { bucket: self.string()?, operation: self.string()?, object: self.string()? },
            KIND_INTERNAL => SpanDetails::Internal,
            tag => return Err(DecodeError::UnknownTag { what: "span kind", tag, offset: header_offset }),
        };
        let status = if header & FLAG_ERROR != 0 { SpanStatus::Error { message: self.string()? } } else { SpanStatus::Ok };
        let mut span = Span {
            span_id,
            parent,
            start_unix_ns,
            end_unix_ns,
            name,
            details,
            status,
            attributes: Vec::new(),
            events: Vec::new(),
            links: Vec::new(),
        };
        if header & FLAG_EXTRAS == 0 {
            return Ok(span);
        }
        let attribute_count = self.count()?;
        span.attributes.reserve(attribute_count);
        for _ in 0..attribute_count {
            span.attributes.push(self.attribute()?);
        }
        let event_count = self.count()?;
        span.events.reserve(event_count);
        for _ in 0..event_count {
            let tag_offset = self.position;
            let tag = self.byte()?;
            let offset = unzigzag(self.varint()?);
            let time_unix_ns = (start_unix_ns as i128 + offset as i128).clamp(0, u64::MAX as i128) as u64;
            let kind = match tag {
                EVENT_ERROR => EventKind::Error { code: self.string()?, message: self.string()?, stack: self.string()? },
                level => {
                    let level = LogLevel::from_index(level).ok_or(DecodeError::UnknownTag { what: "event", tag, offset: tag_offset })?;
                    let message = self.string()?;
                    let field_count = self.count()?;
                    let mut fields = Vec::with_capacity(field_count);
                    for _ in 0..field_count {
                        fields.push(self.attribute()?);
                    }
                    EventKind::Log { level, message, fields }
                }
            };
            span.events.push(SpanEvent { time_unix_ns, kind });
        }
        let link_count = self.count()?;
        span.links.reserve(link_count);
        for _ in 0..link_count {
            let offset = self.position;
            let link_trace = match self.byte()? {
                LINK_SAME_TRACE => trace_id,
                LINK_OTHER_TRACE => TraceId(self.array()?),
                tag => return Err(DecodeError::UnknownTag { what: "link", tag, offset }),
            };
            span.links.push(SpanLink { trace_id: link_trace, span_id: SpanId(self.array()?) });
        }
        Ok(span)
    }

    fn attribute(&mut self) -> Result<Attribute, DecodeError> {
        let key = self.string()?;
        let offset = self.position;
        let value = match self.byte()? {
            VALUE_STR => AttributeValue::Str(self.string()?),
            VALUE_INT => AttributeValue::Int(unzigzag(self.varint()?)),
            VALUE_FLOAT => AttributeValue::Float(f64::from_le_bytes(self.array()?)),
            VALUE_FALSE => AttributeValue::Bool(false),
            VALUE_TRUE => AttributeValue::Bool(true),
            tag => return Err(DecodeError::UnknownTag { what: "attribute value", tag, offset }),
        };
        Ok(Attribute { key, value })
    }
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}
