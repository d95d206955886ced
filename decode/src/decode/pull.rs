//! A pull reader of JSON bytes for the streamed decoders: the caller asks for
//! the value it expects next (an object's keys, a list's items, a string…)
//! and the reader answers straight from the bytes. serde's visitor layers
//! were three quarters of decoding a span in wasm built for size (nothing
//! there is inlined); this reader is a handful of small loops.
//!
//! It accepts exactly JSON (RFC 8259): anything else is [`Bad`], and the
//! caller hands the file to the general path, whose serde_json error names
//! the line and column. Nesting is followed with a stack, not recursion.

use super::borrowed::Any;
use serde_json::Value;
use std::borrow::Cow;

/// The bytes are not JSON of the shape asked for (or a span was refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bad;

pub type Read<T> = Result<T, Bad>;

/// Bytes that end or interrupt the fast run of a string: the quote, the
/// backslash, control characters (not allowed raw) and non-ASCII (checked
/// as UTF-8).
const STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = c < 0x20 || c == b'"' as usize || c == b'\\' as usize || c >= 0x80;
        c += 1;
    }
    t
};

/// Where the first byte that [`STOP`] holds is in `rest`: sixteen bytes a
/// step with wasm's SIMD (the browser's build), eight elsewhere (strings
/// were 30% of a decode's instructions read a byte at a time).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn find_stop(rest: &[u8]) -> Option<usize> {
    use core::arch::wasm32::*;
    let mut at = 0;
    while at + 16 <= rest.len() {
        // SAFETY: the 16 bytes from `at` are inside `rest`; v128 loads need
        // no alignment.
        let v = unsafe { v128_load(rest.as_ptr().add(at).cast()) };
        // As signed bytes, control characters and non-ASCII are both below
        // the space.
        let stops = v128_or(
            i8x16_lt(v, i8x16_splat(0x20)),
            v128_or(
                u8x16_eq(v, u8x16_splat(b'"')),
                u8x16_eq(v, u8x16_splat(b'\\')),
            ),
        );
        let flags = i8x16_bitmask(stops);
        if flags != 0 {
            return Some(at + flags.trailing_zeros() as usize);
        }
        at += 16;
    }
    rest[at..]
        .iter()
        .position(|&c| STOP[c as usize])
        .map(|n| at + n)
}

/// [`find_stop`] eight bytes a step. Each test below flags the top bit of
/// the bytes it matches; a flag can be false only above a true one of the
/// same test, so the lowest is exact.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn find_stop(rest: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let is_zero = |x: u64| x.wrapping_sub(LO) & !x;
    let mut chunks = rest.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let below_space = w.wrapping_sub(LO * 0x20) & !w;
        let flags =
            (w | below_space | is_zero(w ^ (LO * b'"' as u64)) | is_zero(w ^ (LO * b'\\' as u64)))
                & HI;
        if flags != 0 {
            return Some(at + (flags.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = chunks.remainder();
    tail.iter().position(|&c| STOP[c as usize]).map(|n| at + n)
}

pub struct Pull<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Pull<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Pull { bytes, at: 0 }
    }

    /// How far into its bytes the reader is, and how many there are.
    pub fn progress(&self) -> (usize, usize) {
        (self.at, self.bytes.len())
    }

    /// Where the next value starts (whitespace taken).
    pub fn here(&mut self) -> usize {
        self.peek();
        self.at
    }

    /// The next byte after whitespace, not taken (0 at the end).
    #[inline(always)]
    pub fn peek(&mut self) -> u8 {
        while let Some(&c) = self.bytes.get(self.at) {
            match c {
                b' ' | b'\n' | b'\r' | b'\t' => self.at += 1,
                _ => return c,
            }
        }
        0
    }

    #[inline(always)]
    fn take(&mut self, c: u8) -> Read<()> {
        if self.peek() == c {
            self.at += 1;
            Ok(())
        } else {
            Err(Bad)
        }
    }

    /// Nothing but whitespace is left.
    pub fn end(&mut self) -> Read<()> {
        if self.peek() == 0 && self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(Bad)
        }
    }

    /// Opens an object if one comes next (false, having taken nothing,
    /// for any other value).
    pub fn object(&mut self) -> bool {
        let open = self.peek() == b'{';
        self.at += open as usize;
        open
    }

    /// Opens a list if one comes next (false, having taken nothing, for any
    /// other value).
    pub fn list(&mut self) -> bool {
        let open = self.peek() == b'[';
        self.at += open as usize;
        open
    }

    /// The next key of the object being read, its colon taken; None once the
    /// object is closed. `first` starts true for each object.
    pub fn key(&mut self, first: &mut bool) -> Read<Option<Cow<'a, str>>> {
        if !self.more(first, b'}')? {
            return Ok(None);
        }
        let k = self.string_here()?;
        self.take(b':')?;
        Ok(Some(k))
    }

    /// Whether the list being read has another item; false once it is
    /// closed. `first` starts true for each list.
    pub fn item(&mut self, first: &mut bool) -> Read<bool> {
        self.more(first, b']')
    }

    #[inline(always)]
    fn more(&mut self, first: &mut bool, close: u8) -> Read<bool> {
        let c = self.peek();
        if c == close {
            self.at += 1;
            return Ok(false);
        }
        if !std::mem::replace(first, false) {
            if c != b',' {
                return Err(Bad);
            }
            self.at += 1;
        }
        Ok(true)
    }

    /// Reads each entry of the object that comes next with `entry` (given
    /// the key); anything but an object is [`Bad`].
    pub fn each_key(
        &mut self,
        mut entry: impl FnMut(Cow<'a, str>, &mut Pull<'a>) -> Read<()>,
    ) -> Read<()> {
        if !self.object() {
            return Err(Bad);
        }
        let mut first = true;
        while let Some(k) = self.key(&mut first)? {
            entry(k, self)?;
        }
        Ok(())
    }

    /// Reads each item of the list that comes next with `item`; anything but
    /// a list is [`Bad`].
    pub fn each_item(&mut self, mut item: impl FnMut(&mut Pull<'a>) -> Read<()>) -> Read<()> {
        if !self.list() {
            return Err(Bad);
        }
        let mut first = true;
        while self.item(&mut first)? {
            item(self)?;
        }
        Ok(())
    }

    /// A string if one comes next; any other value is skipped and reads as
    /// None.
    pub fn string(&mut self) -> Read<Option<Cow<'a, str>>> {
        if self.peek() == b'"' {
            self.string_here().map(Some)
        } else {
            self.skip().map(|_| None)
        }
    }

    /// The string that starts here: borrowed unless it holds escapes.
    fn string_here(&mut self) -> Read<Cow<'a, str>> {
        self.take(b'"')?;
        let start = self.at;
        let (mut plain, mut ascii) = (true, true);
        loop {
            let rest = self.bytes.get(self.at..).unwrap_or_default();
            let n = find_stop(rest).ok_or(Bad)?;
            self.at += n;
            match rest[n] {
                b'"' => break,
                b'\\' => {
                    plain = false;
                    self.at += 2;
                }
                0x80.. => {
                    ascii = false;
                    self.at += 1;
                }
                _ => return Err(Bad),
            }
        }
        let body = &self.bytes[start..self.at];
        self.at += 1;
        if !plain {
            // Escapes are rare in traces: serde_json unescapes (surrogates too).
            return serde_json::from_slice::<String>(&self.bytes[start - 1..self.at])
                .map(Cow::Owned)
                .map_err(|_| Bad);
        }
        if ascii {
            // SAFETY: every byte is below 0x80, and ASCII is UTF-8.
            Ok(Cow::Borrowed(unsafe {
                std::str::from_utf8_unchecked(body)
            }))
        } else {
            std::str::from_utf8(body)
                .map(Cow::Borrowed)
                .map_err(|_| Bad)
        }
    }

    /// Any value: scalars as they are, lists and objects as a `Value`.
    pub fn any(&mut self) -> Read<Any<'a>> {
        Ok(match self.peek() {
            b'"' => Any::Str(self.string_here()?),
            b't' => self.literal(b"true", Any::Bool(true))?,
            b'f' => self.literal(b"false", Any::Bool(false))?,
            b'n' => self.literal(b"null", Any::Null)?,
            b'[' | b'{' => Any::Json(Box::new(self.value()?)),
            _ => self.number()?,
        })
    }

    /// The next value as a `Value` (what is small and rare: a list or an
    /// object as an attribute's value).
    pub fn value(&mut self) -> Read<Value> {
        let raw = self.raw()?;
        serde_json::from_slice(raw).map_err(|_| Bad)
    }

    /// A reader of the same bytes from `at` (a position [`Self::here`]
    /// gave): to read a value that was skipped at first.
    pub fn back_at(&self, at: usize) -> Pull<'a> {
        Pull {
            bytes: self.bytes,
            at,
        }
    }

    /// The bytes taken since `start` (a position [`Self::here`] gave).
    pub fn taken_since(&self, start: usize) -> &'a [u8] {
        &self.bytes[start..self.at]
    }

    /// The JSON text of the next value, checked and taken.
    pub fn raw(&mut self) -> Read<&'a [u8]> {
        self.peek();
        let start = self.at;
        self.skip()?;
        Ok(&self.bytes[start..self.at])
    }

    fn literal(&mut self, word: &[u8], v: Any<'a>) -> Read<Any<'a>> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(v)
        } else {
            Err(Bad)
        }
    }

    /// A number as serde_json reads it: an integer within i64 (or u64)
    /// exactly, anything else as f64.
    fn number(&mut self) -> Read<Any<'a>> {
        let start = self.at;
        let neg = self.bytes.get(self.at) == Some(&b'-');
        self.at += neg as usize;
        let digits = self.digits();
        let first = self.bytes.get(start + neg as usize);
        if digits == 0 || (digits > 1 && first == Some(&b'0')) {
            return Err(Bad);
        }
        let int_end = self.at;
        let mut float = false;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(Bad);
            }
            float = true;
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(Bad);
            }
            float = true;
        }
        if !float {
            if let Some(u) = decimal_u64(&self.bytes[start + neg as usize..int_end]) {
                if !neg {
                    return Ok(match i64::try_from(u) {
                        Ok(i) => Any::I64(i),
                        Err(_) => Any::U64(u),
                    });
                }
                // -0 is a float to serde_json, as is anything below i64::MIN.
                if u != 0 && u <= i64::MAX as u64 + 1 {
                    return Ok(Any::I64((u as i64).wrapping_neg()));
                }
            }
        }
        // Only ASCII digits and signs were taken. Out of f64's range is an
        // error to serde_json too.
        let text = std::str::from_utf8(&self.bytes[start..self.at]).map_err(|_| Bad)?;
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Any::F64(f)),
            _ => Err(Bad),
        }
    }

    fn digits(&mut self) -> usize {
        let from = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - from
    }

    /// Takes the next value, whatever it is, checking it is JSON.
    pub fn skip(&mut self) -> Read<()> {
        // true: an object. Grows only for nested values.
        let mut open: Vec<bool> = Vec::new();
        loop {
            match self.peek() {
                open_byte @ (b'{' | b'[') => {
                    self.at += 1;
                    let in_object = open_byte == b'{';
                    if self.peek() == if in_object { b'}' } else { b']' } {
                        self.at += 1;
                    } else {
                        open.push(in_object);
                        if in_object {
                            self.string_here()?;
                            self.take(b':')?;
                        }
                        continue;
                    }
                }
                // A scalar: read as any value is (strings and numbers checked).
                _ => {
                    self.any()?;
                }
            }
            // After a value: close what ends here, or go on after a comma.
            loop {
                let Some(&in_object) = open.last() else {
                    return Ok(());
                };
                match self.peek() {
                    b',' => {
                        self.at += 1;
                        if in_object {
                            self.string_here()?;
                            self.take(b':')?;
                        }
                        break;
                    }
                    b'}' if in_object => {
                        self.at += 1;
                        open.pop();
                    }
                    b']' if !in_object => {
                        self.at += 1;
                        open.pop();
                    }
                    _ => return Err(Bad),
                }
            }
        }
    }
}

/// The value of ASCII decimal digits; None if they are empty, not all digits
/// or over `u64::MAX`. Nineteen digits always fit (10^19 − 1 < 2^64), so only
/// the digits after them are multiplied with an overflow check: in wasm32
/// that check is a 128-bit multiply call per digit (`__multi3`, 4% of
/// decoding an OTLP file, whose times are 19-digit strings).
pub fn decimal_u64(d: &[u8]) -> Option<u64> {
    if d.is_empty() || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (head, tail) = d.split_at(d.len().min(19));
    let u = head.iter().fold(0u64, |u, &c| u * 10 + u64::from(c - b'0'));
    tail.iter().try_fold(u, |u, &c| {
        u.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

/// What can be read from the next value of a [`Pull`].
pub trait FromJson<'a>: Sized {
    fn from_json(r: &mut Pull<'a>) -> Read<Self>;
}

/// A struct read field by field from a JSON object ([`super::borrowed::Obj`]).
pub trait Fields<'a>: Default {
    /// Reads the value of `key` into its field, or skips it.
    fn field(&mut self, key: &str, r: &mut Pull<'a>) -> Read<()>;
}

/// `Fields` for a struct of [`FromJson`] fields: `"key" => field`. A key met
/// twice keeps its last value, as `JSON.parse` does.
macro_rules! fields {
    ($ty:ident { $($key:literal => $field:ident),* $(,)? }) => {
        impl<'a> $crate::decode::pull::Fields<'a> for $ty<'a> {
            fn field(
                &mut self,
                key: &str,
                r: &mut $crate::decode::pull::Pull<'a>,
            ) -> $crate::decode::pull::Read<()> {
                match key {
                    $($key => self.$field = $crate::decode::pull::FromJson::from_json(r)?,)*
                    _ => r.skip()?,
                }
                Ok(())
            }
        }
    };
}
pub(crate) use fields;

/// `T` read from JSON text; the default when the text is not JSON.
pub fn read<'a, T: FromJson<'a> + Default>(text: &'a [u8]) -> T {
    let mut r = Pull::new(text);
    T::from_json(&mut r)
        .and_then(|t| r.end().map(|_| t))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_any(text: &str) -> Read<Any<'_>> {
        let mut r = Pull::new(text.as_bytes());
        let v = r.any()?;
        r.end()?;
        Ok(v)
    }

    #[test]
    fn numbers_read_as_serde_json_reads_them() {
        for text in [
            "0",
            "-0",
            "7",
            "-12",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "1.5",
            "-2.5e3",
            "1E+2",
            "3e-2",
        ] {
            let ours = read_any(text).unwrap().to_value();
            let theirs: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
        }
        for bad in [
            "01", "-", "1.", ".5", "1e", "+1", "1.e3", "--1", "0x1", "1e400",
        ] {
            assert!(read_any(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn strings_borrow_unless_escaped_and_must_be_json() {
        assert!(matches!(
            read_any(r#""plain é""#),
            Ok(Any::Str(Cow::Borrowed("plain é")))
        ));
        assert!(
            matches!(read_any(r#""a\"b\u00e9\ud83d\ude00""#), Ok(Any::Str(Cow::Owned(s))) if s == "a\"bé😀")
        );
        for bad in ["\"open", "\"tab\there\"", "\"bad \\x\"", "\"\\ud800\""] {
            assert!(read_any(bad).is_err(), "{bad:?}");
        }
        assert!(Pull::new(b"\"\xff\"").string().is_err());
    }

    #[test]
    fn skip_takes_exactly_one_json_value() {
        let good = r#" {"a": [1, {"b": null}, [], {}], "c": "]", "d": [true, false, -1.5e2]} "#;
        let mut r = Pull::new(good.as_bytes());
        r.skip().unwrap();
        r.end().unwrap();
        for bad in [
            r#"{"a" 1}"#,
            r#"{"a": 1,}"#,
            r#"[1 2]"#,
            r#"[1,]"#,
            r#"{"a": [1}"#,
            r#"[tru]"#,
            r#"{1: 2}"#,
            r#"[nul"#,
        ] {
            let mut r = Pull::new(bad.as_bytes());
            assert!(r.skip().and_then(|_| r.end()).is_err(), "{bad}");
        }
        // Deep nesting is a loop, not recursion.
        let deep = "[".repeat(200_000) + &"]".repeat(200_000);
        let mut r = Pull::new(deep.as_bytes());
        r.skip().unwrap();
        r.end().unwrap();
    }

    #[test]
    fn keys_and_items_follow_commas() {
        let mut r = Pull::new(br#"{"a": [1, 2], "b": "x"}"#);
        assert!(r.object());
        let mut first = true;
        let mut seen = vec![];
        while let Some(k) = r.key(&mut first).unwrap() {
            if k == "a" {
                assert!(r.list());
                let mut f = true;
                while r.item(&mut f).unwrap() {
                    seen.push(r.any().unwrap().to_value().to_string());
                }
            } else {
                seen.push(r.string().unwrap().unwrap().into_owned());
            }
        }
        r.end().unwrap();
        assert_eq!(seen, ["1", "2", "x"]);
        let mut r = Pull::new(br#"{"a": 1 "b": 2}"#);
        assert!(r.object());
        let mut first = true;
        r.key(&mut first).unwrap();
        r.skip().unwrap();
        assert!(r.key(&mut first).is_err());
    }

    use proptest::prelude::*;

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            // Decimals serde_json reads exactly (it rounds others its own way).
            (-1e9..1e9f64).prop_map(|f| Value::from((f * 1e3).round() / 1e3)),
            any::<String>().prop_map(Value::from),
            "[a-z\\\\\"\\n\\u{e9}\\u{1F600}]{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-zA-Z\"]{0,4}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Whether the pull reader takes `bytes` as one JSON value.
    fn pull_accepts(bytes: &[u8]) -> bool {
        let mut r = Pull::new(bytes);
        r.skip().and_then(|_| r.end()).is_ok()
    }

    proptest! {
        /// Eight bytes a step find the byte a byte at a time would.
        #[test]
        fn the_stop_is_found_as_byte_by_byte(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x20, 0x20u8..0x80, 0x80u8..=0xff, Just(b'a')],
                0..40,
            ),
            plain in 0usize..40,
        ) {
            // Mostly plain bytes before the interesting ones.
            let mut v = vec![b'x'; plain];
            v.extend(&bytes);
            for from in 0..v.len().min(9) {
                let rest = &v[from..];
                prop_assert_eq!(find_stop(rest), rest.iter().position(|&c| STOP[c as usize]));
            }
        }

        /// Digits read as `str::parse::<u64>` reads them, up to and past u64::MAX.
        #[test]
        fn decimal_digits_read_as_str_parse_reads_them(d in "[0-9]{0,24}", other in "[^0-9]") {
            prop_assert_eq!(decimal_u64(d.as_bytes()), d.parse::<u64>().ok());
            let mixed = format!("{d}{other}");
            prop_assert_eq!(decimal_u64(mixed.as_bytes()), None);
        }

        /// A number in a string reads as `str::parse` (then as a float) reads it.
        #[test]
        fn numbers_in_strings_read_as_str_parse_reads_them(s in "[ +-]?[0-9]{0,22}(\\.[0-9]{1,3})? ?") {
            let t = s.trim();
            let expected = t
                .parse::<i64>()
                .ok()
                .or_else(|| t.parse::<f64>().ok().map(|f| f as i64));
            prop_assert_eq!(Any::Str(Cow::Borrowed(&s)).as_i64(), expected);
        }

        /// Any JSON reads back as serde_json reads it, compact or pretty.
        #[test]
        fn any_json_reads_as_serde_json_reads_it(v in json(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&v).unwrap()
            } else {
                serde_json::to_string(&v).unwrap()
            };
            let mut r = Pull::new(text.as_bytes());
            let read = r.any().map(|a| a.to_value());
            prop_assert_eq!(read, Ok(v));
            prop_assert!(r.end().is_ok());
        }

        /// A JSON text with one byte changed is taken exactly when
        /// serde_json takes it: the stream path never accepts what the
        /// general path would refuse, nor the reverse.
        #[test]
        fn changed_bytes_are_refused_as_serde_json_refuses_them(
            v in json(),
            at in any::<prop::sample::Index>(),
            byte in prop::sample::select(b"{}[],:\"\\ 0-1.eE+tfnu\x01\xff".to_vec()),
        ) {
            let mut text = serde_json::to_vec(&v).unwrap();
            let i = at.index(text.len());
            text[i] = byte;
            // As the general path reads it (skipped strings are UTF-8 too).
            let theirs = serde_json::from_slice::<Value>(&text).is_ok();
            prop_assert_eq!(pull_accepts(&text), theirs, "{}", String::from_utf8_lossy(&text));
        }
    }
}
