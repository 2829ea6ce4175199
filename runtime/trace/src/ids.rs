//! Trace and span identifiers (W3C sizes: 16 and 8 bytes) and their generation. Ids only need to be unique and
//! unpredictable enough to avoid collisions, not secret, so a per-thread SplitMix64 seeded from the standard
//! library's randomly keyed hasher does the job without a random-number crate on the request path.

use std::cell::Cell;
use std::fmt;

/// A 16-byte trace id. All-zero is invalid in W3C Trace Context and never generated.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TraceId(pub [u8; 16]);

/// An 8-byte span id. All-zero is invalid in W3C Trace Context and never generated.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SpanId(pub [u8; 8]);

thread_local! {
    static ID_STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    hasher.write_u64(now);
    let marker = 0u8;
    hasher.write_usize(&marker as *const u8 as usize);
    hasher.finish()
}

/// SplitMix64: tiny, fast, and passes BigCrush; good enough for ids.
fn next_u64() -> u64 {
    ID_STATE.with(|state| {
        let z = state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        state.set(z);
        mix(z)
    })
}

/// SplitMix64's output function (a bijection on u64).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl TraceId {
    pub fn random() -> TraceId {
        loop {
            let (high, low) = (next_u64(), next_u64());
            if high != 0 || low != 0 {
                let mut bytes = [0u8; 16];
                bytes[..8].copy_from_slice(&high.to_be_bytes());
                bytes[8..].copy_from_slice(&low.to_be_bytes());
                return TraceId(bytes);
            }
        }
    }

    /// The trace id of a unit of work known by its per-process `handle` (a request id), computed from the handle
    /// alone: a process-wide random key mixed with the handle by SplitMix64's finaliser, a bijection, so distinct
    /// handles get distinct ids and the low bits are as uniform as a random id's (ratio sampling reads them).
    /// What lets a sampled-out request get a trace id without storing one anywhere: whoever later needs it (a
    /// publish made by the request's JS code) derives it again from the handle.
    pub fn for_handle(handle: u32) -> TraceId {
        static KEY: std::sync::OnceLock<(u64, u64)> = std::sync::OnceLock::new();
        let (k1, k2) = *KEY.get_or_init(|| (next_u64(), next_u64()));
        let (high, low) = (mix(k1 ^ handle as u64), mix(k2 ^ handle as u64));
        if high == 0 && low == 0 {
            return TraceId([0xff; 16]);
        }
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&high.to_be_bytes());
        bytes[8..].copy_from_slice(&low.to_be_bytes());
        TraceId(bytes)
    }

    pub fn is_valid(&self) -> bool {
        self.0 != [0u8; 16]
    }

    /// The low 8 bytes as a number: what ratio sampling compares against, as OpenTelemetry's TraceIdRatioBased does,
    /// so every process deciding on the same trace id reaches the same answer.
    pub fn low_u64(&self) -> u64 {
        let mut low = [0u8; 8];
        low.copy_from_slice(&self.0[8..]);
        u64::from_be_bytes(low)
    }

    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    pub fn from_hex(text: &str) -> Option<TraceId> {
        let mut bytes = [0u8; 16];
        from_hex(text, &mut bytes).then_some(TraceId(bytes))
    }
}

impl SpanId {
    pub fn random() -> SpanId {
        loop {
            let value = next_u64();
            if value != 0 {
                return SpanId(value.to_be_bytes());
            }
        }
    }

    pub fn is_valid(&self) -> bool {
        self.0 != [0u8; 8]
    }

    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    pub fn from_hex(text: &str) -> Option<SpanId> {
        let mut bytes = [0u8; 8];
        from_hex(text, &mut bytes).then_some(SpanId(bytes))
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({})", self.to_hex())
    }
}
impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}
impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({})", self.to_hex())
    }
}
impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 0xf) as usize] as char);
    }
    out
}

/// Lower-case hex only: W3C Trace Context rejects upper case, and so do we everywhere for one spelling per id.
fn from_hex(text: &str, out: &mut [u8]) -> bool {
    let digits = text.as_bytes();
    if digits.len() != out.len() * 2 {
        return false;
    }
    for (index, pair) in digits.chunks_exact(2).enumerate() {
        match (hex_value(pair[0]), hex_value(pair[1])) {
            (Some(high), Some(low)) => out[index] = (high << 4) | low,
            _ => return false,
        }
    }
    true
}

pub(crate) fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let id = TraceId::random();
            assert!(id.is_valid());
            assert!(seen.insert(id));
            assert!(SpanId::random().is_valid());
        }
    }

    #[test]
    fn handle_ids_are_stable_distinct_and_evenly_sampled() {
        assert_eq!(TraceId::for_handle(7), TraceId::for_handle(7));
        let ids: std::collections::HashSet<TraceId> = (1..=20_000).map(TraceId::for_handle).collect();
        assert_eq!(ids.len(), 20_000);
        assert!(ids.iter().all(TraceId::is_valid));
        // Consecutive handles must not cluster in the low bits ratio sampling compares (10% here).
        let below = ids.iter().filter(|id| id.low_u64() < u64::MAX / 10).count();
        assert!((1_600..2_400).contains(&below), "{below} of 20000 below the 10% threshold");
    }

    #[test]
    fn hex_round_trip_and_rejects_upper_case() {
        let id = TraceId::random();
        assert_eq!(TraceId::from_hex(&id.to_hex()), Some(id));
        assert_eq!(SpanId::from_hex("00f067aa0ba902b7").map(|s| s.to_hex()), Some("00f067aa0ba902b7".into()));
        assert_eq!(SpanId::from_hex("00F067AA0BA902B7"), None);
        assert_eq!(SpanId::from_hex("00f067aa0ba902b"), None);
    }
}
