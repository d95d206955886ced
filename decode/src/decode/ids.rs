//! Id and time parsing shared by all decoders.

use crate::model::{IdKey, Interner, StrId};
use base64::Engine;

fn parse_hex(s: &str, max_len: usize) -> Option<u128> {
    if s.is_empty() || s.len() > max_len {
        return None;
    }
    // In 64-bit halves, a shift per digit: `u128::from_str_radix` multiplies
    // in 128 bits per digit (6% of decoding a Jaeger file in wasm), and even
    // a 128-bit shift is several instructions in wasm32, a 64-bit one is one.
    let (hi, lo) = s.as_bytes().split_at(s.len().saturating_sub(16));
    Some(u128::from(hex_u64(hi)?) << 64 | u128::from(hex_u64(lo)?))
}

/// The value of each byte as a hex digit (any case), or `NOT_HEX`.
const HEX: [u8; 256] = {
    let mut t = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};
const NOT_HEX: u8 = 0xff;

/// Up to 16 hex digits (any case); None for any other byte.
fn hex_u64(digits: &[u8]) -> Option<u64> {
    digits
        .iter()
        .try_fold(0u64, |acc, &b| match HEX[b as usize] {
            NOT_HEX => None,
            d => Some(acc << 4 | u64::from(d)),
        })
}

fn parse_base64(s: &str, bytes: usize) -> Option<u128> {
    if !(s.len() >= 8 && s.len() <= 24) {
        return None;
    }
    let eng = base64::engine::general_purpose::STANDARD;
    let v = eng
        .decode(s)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(s))
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(s))
        .ok()?;
    if v.len() != bytes {
        return None;
    }
    Some(v.iter().fold(0u128, |acc, b| (acc << 8) | *b as u128))
}

/// A trace id: hex (up to 32 digits, any case, leading zeros optional),
/// base64 of 16 bytes, or else its text.
pub fn trace_key(strings: &mut Interner, s: &str) -> IdKey {
    let t = s.trim();
    if let Some(v) = parse_hex(t, 32).or_else(|| parse_base64(t, 16)) {
        return IdKey::num(v);
    }
    IdKey::Text(strings.intern(t))
}

/// A span id: hex (up to 16 digits), base64 of 8 bytes, or else its text.
pub fn span_key(strings: &mut Interner, s: &str) -> IdKey {
    let t = s.trim();
    if let Some(v) = parse_hex(t, 16).or_else(|| parse_base64(t, 8)) {
        return IdKey::num(v);
    }
    IdKey::Text(strings.intern(t))
}

/// What stands for `s`, the text of the id `key` (parsed from `s`):
/// [`StrId::HEX_ID`] or [`StrId::HEX_ID_32`] when `s` is the 16 or 32
/// lowercase hex digits of its value (made again when read), else `s`
/// interned.
pub fn id_text(strings: &mut Interner, key: IdKey, s: &str) -> StrId {
    let made = match s.len() {
        16 => StrId::HEX_ID,
        32 => StrId::HEX_ID_32,
        _ => return strings.intern(s),
    };
    let hex = s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if hex && matches!(key, IdKey::Num(_)) {
        made
    } else {
        strings.intern(s)
    }
}

/// True for ids that mean "no parent" in the formats (`""`, all zeros).
pub fn is_null_id(s: &str) -> bool {
    let t = s.trim();
    t.is_empty()
        || t.bytes().all(|b| b == b'0')
        || t == "AAAAAAAAAAA="
        || t == "AAAAAAAAAAAAAAAAAAAAAA=="
}

/// Lowercase hex of an id value with a fixed width (16 or 32 digits).
pub fn hex(v: u128, width: usize) -> String {
    format!("{:0width$x}", v, width = width)
}

/// RFC 3339 time to ns since the epoch.
pub fn parse_rfc3339_ns(s: &str) -> Option<i64> {
    let dt = chrono::DateTime::parse_from_rfc3339(s.trim()).ok()?;
    dt.timestamp_nanos_opt()
}

/// Durations as protobuf JSON writes them (`"1.5s"`) or with other units (`"5000ns"`, `"3ms"`).
pub fn parse_duration_ns(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let v: f64 = num.parse().ok()?;
    let mul = match unit.trim() {
        "ns" => 1.0,
        "us" | "µs" => 1e3,
        "ms" => 1e6,
        "s" | "" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        _ => return None,
    };
    Some((v * mul).round() as i64)
}

/// Microseconds (Jaeger, Zipkin) to ns; None past what ns can hold (the
/// year 2262), which the decoders treat as a missing time, never wrapped.
pub fn us_to_ns(us: i64) -> Option<i64> {
    us.checked_mul(1000)
}

/// Float seconds (X-Ray) to ns, rounded to the microsecond the float can carry.
pub fn seconds_to_ns(s: f64) -> i64 {
    ((s * 1e6).round() as i64).saturating_mul(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_base64_ids_agree() {
        let mut s = Interner::default();
        assert_eq!(span_key(&mut s, "AAAAAAAAAAI="), IdKey::num(2));
        assert_eq!(span_key(&mut s, "0000000000000002"), IdKey::num(2));
        assert_eq!(
            span_key(&mut s, "c26551047c72d19"),
            span_key(&mut s, "0c26551047c72d19")
        );
        assert_eq!(
            trace_key(&mut s, "5B8EFFF798038103D269B633813FC60C"),
            trace_key(
                &mut s,
                "5b8eff f798038103d269b633813fc60c"
                    .replace(' ', "")
                    .as_str()
            )
        );
        assert_eq!(trace_key(&mut s, "AAAAAAAAAAAAAAAAAAAAAQ=="), IdKey::num(1));
        assert!(matches!(span_key(&mut s, "span-2_1"), IdKey::Text(_)));
        assert_eq!(span_key(&mut s, "A"), IdKey::num(10));
        // Across the two 64-bit halves the digits are read in.
        assert_eq!(
            trace_key(&mut s, "1f0000000000000002"),
            IdKey::num(0x1f << 64 | 2)
        );
    }

    proptest::proptest! {
        #[test]
        fn hex_ids_read_back_in_any_case_and_padding(v: u128, upper: bool, pad: bool) {
            let mut s = Interner::default();
            let text = match (upper, pad) {
                (false, false) => format!("{v:x}"),
                (false, true) => format!("{v:032x}"),
                (true, false) => format!("{v:X}"),
                (true, true) => format!("{v:032X}"),
            };
            proptest::prop_assert_eq!(trace_key(&mut s, &text), IdKey::num(v));
            let span = v as u64;
            proptest::prop_assert_eq!(span_key(&mut s, &format!("{span:016x}")), IdKey::num(span as u128));
            // A character that is neither hex nor base64 makes the id text.
            let mut bad = text.clone();
            bad.replace_range(0..1, "!");
            proptest::prop_assert!(matches!(trace_key(&mut s, &bad), IdKey::Text(_)));
        }
    }

    proptest::proptest! {
        #[test]
        fn hex_id_texts_made_from_the_value_read_as_written(v: u128, upper: bool, short: bool) {
            let mut ds = crate::model::Dataset::default();
            let text = match (upper, short) {
                (false, false) => format!("{v:032x}"),
                (false, true) => format!("{:016x}", v as u64),
                (true, false) => format!("{v:032X}"),
                (true, true) => format!("{:016X}", v as u64),
            };
            let key = trace_key(&mut ds.strings, &text);
            let id = id_text(&mut ds.strings, key, &text);
            // Lowercase digits are made again when read; any other text is
            // interned (a hex digit above 9 in upper case would read back
            // lowercased).
            let made = !upper || !text.bytes().any(|b| b.is_ascii_alphabetic());
            proptest::prop_assert_eq!(id.hex_digits().is_some(), made);
            proptest::prop_assert_eq!(ds.strings.len(), if made { 1 } else { 2 });
            proptest::prop_assert_eq!(&*ds.id_text(id, Some(key)), text.as_str());
        }
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(parse_duration_ns("5000ns"), Some(5000));
        assert_eq!(parse_duration_ns("1.5s"), Some(1_500_000_000));
        assert_eq!(parse_duration_ns("3ms"), Some(3_000_000));
        assert_eq!(parse_duration_ns("abc"), None);
        assert_eq!(
            parse_rfc3339_ns("2017-01-26T16:46:31.639875139-05:00"),
            Some(1_485_467_191_639_875_139)
        );
        assert_eq!(seconds_to_ns(1.499473411677E9), 1_499_473_411_677_000_000);
    }
}
