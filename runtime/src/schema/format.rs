//! The string formats the validation helpers produce: `IsEmail` (email), `IsURL` (uri) and `Date` (date-time).
//! Checked by hand: they are small, and a regex per format would cost more per request than these scans.

use super::Format;

pub fn check_format(f: Format, s: &str) -> Result<(), &'static str> {
    let ok = match f {
        Format::Email => is_email(s),
        Format::Uri => is_uri(s),
        Format::DateTime => is_date_time(s),
    };
    if ok {
        Ok(())
    } else {
        Err(match f {
            Format::Email => "must be a valid email address",
            Format::Uri => "must be a valid URL",
            Format::DateTime => "must be an RFC 3339 date-time",
        })
    }
}

fn is_email(s: &str) -> bool {
    if s.len() > 254 {
        return false;
    }
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    if local.is_empty() || local.len() > 64 || domain.is_empty() {
        return false;
    }
    let local_ok = local
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b) || b >= 0x80)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b >= 0x80)
        });
    local_ok && domain_ok
}

fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else { return false };
    let mut sb = scheme.bytes();
    let scheme_ok = sb.next().is_some_and(|b| b.is_ascii_alphabetic())
        && sb.all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.');
    if !scheme_ok || rest.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    if let Some(after) = rest.strip_prefix("//") {
        let authority = after.split(['/', '?', '#']).next().unwrap_or("");
        return !authority.is_empty();
    }
    true
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let slice = b.get(at..at + n)?;
    if !slice.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(slice.iter().fold(0u32, |acc, d| acc * 10 + (d - b'0') as u32))
}

fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(y), Some(mo), Some(d)) = (digits(b, 0, 4), digits(b, 5, 2), digits(b, 8, 2)) else { return false };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&mo) || d == 0 || d > days[(mo - 1) as usize] {
        return false;
    }
    let (Some(h), Some(mi), Some(sec)) = (digits(b, 11, 2), digits(b, 14, 2), digits(b, 17, 2)) else { return false };
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') || h > 23 || mi > 59 || sec > 60 {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            matches!((digits(b, i + 1, 2), b.get(i + 3), digits(b, i + 4, 2)), (Some(oh), Some(b':'), Some(om)) if oh <= 23 && om <= 59)
                && i + 6 == b.len()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["a@b.co", "first.last+tag@example.org", "x_y@sub.domain.io"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in ["", "a", "a@", "@b.co", "a@b", "a b@c.de", "a@b..co", ".a@b.co", "a@-b.co"] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn uris() {
        for ok in ["https://example.com", "http://localhost:4000/x?y=1", "mailto:a@b.co", "urn:isbn:123"] {
            assert!(is_uri(ok), "{ok}");
        }
        for bad in ["", "example.com", "http://", "1http://x", "http://a b", "://x"] {
            assert!(!is_uri(bad), "{bad}");
        }
    }

    #[test]
    fn date_times() {
        for ok in ["2024-02-29T12:00:00Z", "2026-12-02T03:00:00.123+01:00", "1999-12-31t23:59:60z"] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in ["2023-02-29T12:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01", "2024-01-01T00:00:00", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00.Z"] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }
}
