//! The wire form of one batch of events for JS (the layout is documented in the SDK's internal/host.ts). Building
//! a JS array element by element costs a napi call and a V8 property store per field, which measured as the
//! largest single cost of a request on the JS thread; a batch is instead three values: every number in one
//! `Uint32Array`, every string concatenated into one JS string (each string's place given by its length in UTF-16
//! units, read in order), and the few values that fit neither (raw body chunks, raw header lists) in a side array.

use crate::dispatch::{AuthInput, Event, RequestMeta};
use bytes::Bytes;

/// A value carried beside the numbers and the text; its index in the batch's list is in the numbers.
#[derive(Debug, PartialEq)]
pub enum Extra {
    Bytes(Bytes),
    Strings(Vec<String>),
}

#[derive(Debug, Default)]
pub struct Encoded {
    pub ints: Vec<u32>,
    pub text: String,
    /// Whether `text` is all ASCII (JS can then take it as Latin-1 without UTF-8 decoding).
    pub ascii: bool,
    pub extras: Vec<Extra>,
}

/// Methods JS knows by number; anything else travels as text (code 0).
pub const METHODS: [&str; 9] = ["", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CALL"];

fn utf16_len(s: &str) -> u32 {
    if s.is_ascii() {
        s.len() as u32
    } else {
        s.encode_utf16().count() as u32
    }
}

impl Encoded {
    fn with_capacity(events: usize) -> Encoded {
        Encoded { ints: Vec::with_capacity(events * 9), text: String::with_capacity(events * 48), ascii: true, extras: Vec::new() }
    }

    fn str(&mut self, s: &str) {
        let n = utf16_len(s);
        self.ascii &= n as usize == s.len();
        self.ints.push(n);
        self.text.push_str(s);
    }

    /// Method code, then the method's text length (0 unless the code is 0), the text itself only for code 0.
    fn method(&mut self, m: &str) {
        match METHODS.iter().skip(1).position(|k| *k == m) {
            Some(i) => self.ints.extend_from_slice(&[i as u32 + 1, 0]),
            None => {
                self.ints.push(0);
                self.str(m);
            }
        }
    }

    fn extra(&mut self, e: Extra) {
        self.ints.push(self.extras.len() as u32);
        self.extras.push(e);
    }

    /// authKind, then the common head of request-starting events: method, a JSON text, auth, path and query.
    /// authKind | 4 says Rust records request `id`'s trace in detail, so JS reports its spans (src/tracing.rs).
    fn request(&mut self, id: u32, auth: AuthInput, meta: &RequestMeta, json: &str) {
        let (kind, auth) = match auth {
            AuthInput::None => (0, None),
            AuthInput::Params(p) => (1, Some(p)),
            AuthInput::Data(d) => (2, Some(d)),
        };
        self.ints.push(if crate::tracing::is_live(id) { kind | 4 } else { kind });
        self.method(&meta.method);
        self.str(json);
        self.str(auth.as_deref().unwrap_or(""));
        self.str(&meta.path_and_query);
    }
}

/// Encodes events in order.
pub fn encode(events: Vec<Event>) -> Encoded {
    let mut out = Encoded::with_capacity(events.len());
    for e in events {
        match e {
            Event::Call { id, endpoint, params, auth, meta } => {
                out.ints.extend_from_slice(&[if meta.internal { 9 } else { 1 }, id, endpoint]);
                out.request(id, auth, &meta, &params);
            }
            Event::Abort { id, reason } => out.ints.extend_from_slice(&[2, id, reason as u32]),
            Event::RawStart { id, endpoint, meta, headers, auth } => {
                out.ints.extend_from_slice(&[3, id, endpoint]);
                out.request(id, auth, &meta, &meta.path_params);
                out.extra(Extra::Strings(headers));
            }
            Event::RawChunk { id, data } => {
                out.ints.extend_from_slice(&[4, id]);
                out.extra(Extra::Bytes(data));
            }
            Event::RawEnd { id } => out.ints.extend_from_slice(&[5, id]),
            Event::StreamOpen { id, endpoint, params, auth, meta, headers } => {
                out.ints.extend_from_slice(&[6, id, endpoint]);
                out.request(id, auth, &meta, &params);
                out.str(&meta.path_params);
                out.extra(Extra::Strings(headers));
            }
            Event::StreamMessage { id, text } => {
                out.ints.extend_from_slice(&[7, id]);
                out.str(&text);
            }
            Event::StreamClosed { id } => out.ints.extend_from_slice(&[8, id]),
            Event::Drain { id } => out.ints.extend_from_slice(&[10, id]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::AbortReason;

    fn meta(method: &str, pq: &str) -> RequestMeta {
        RequestMeta { method: method.into(), path_and_query: pq.into(), path_params: "{\"k\":\"v\"}".into(), internal: false }
    }

    #[test]
    fn lays_out_numbers_text_and_extras_in_order() {
        let e = encode(vec![
            Event::Call { id: 7, endpoint: 2, params: "{\"name\":\"Zoë\"}".into(), auth: AuthInput::None, meta: meta("GET", "/hello/Zo%C3%AB") },
            Event::Abort { id: 5, reason: AbortReason::Deadline },
            Event::RawStart { id: 8, endpoint: 3, meta: meta("PROPFIND", "/raw"), headers: vec!["a".into(), "1".into()], auth: AuthInput::Params("{}".into()) },
            Event::RawChunk { id: 8, data: Bytes::from_static(b"xy") },
            Event::StreamMessage { id: 9, text: "hi".into() },
            Event::StreamOpen { id: 10, endpoint: 4, params: "{}".into(), auth: AuthInput::None, meta: meta("GET", "/s"), headers: vec!["h".into(), "v".into()] },
            Event::Drain { id: 8 },
        ]);
        assert_eq!(
            e.ints,
            [1, 7, 2, 0, 1, 0, 14, 0, 15, 2, 5, 2, 3, 8, 3, 1, 0, 8, 9, 2, 4, 0, 4, 8, 1, 7, 9, 2, 6, 10, 4, 0, 1, 0, 2, 0, 2, 9, 2, 10, 8]
        );
        assert_eq!(e.text, "{\"name\":\"Zoë\"}/hello/Zo%C3%ABPROPFIND{\"k\":\"v\"}{}/rawhi{}/s{\"k\":\"v\"}");
        assert!(!e.ascii, "ë is not ASCII");
        assert_eq!(
            e.extras,
            [Extra::Strings(vec!["a".into(), "1".into()]), Extra::Bytes(Bytes::from_static(b"xy")), Extra::Strings(vec!["h".into(), "v".into()])]
        );
    }

    #[test]
    fn lengths_count_utf16_units() {
        let e = encode(vec![Event::StreamMessage { id: 1, text: "a😀".into() }]);
        assert_eq!(e.ints, [7, 1, 3]);
        let e = encode(vec![Event::StreamMessage { id: 1, text: "plain".into() }]);
        assert!(e.ascii);
    }
}
