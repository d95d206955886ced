//! Typed pieces for decoding spans straight from the bytes: strings borrow
//! from the input (copied only when they hold escapes) and no per-span JSON
//! tree is built. Every piece accepts any JSON value — a wrong type reads as
//! absent, as the `Value` walkers did — so an odd field never fails a file.
//! The general path (a `Value` of the whole file) reads the same structs
//! from each span's JSON text ([`text_of`]), so both paths share one decoder.

use super::pull::{decimal_u64, Fields, FromJson, Pull, Read};
use crate::model::StrId;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::borrow::Cow;

/// Any JSON value: scalars borrowed, arrays and objects as a `Value` (rare
/// inside a span: tag values that are lists or maps).
#[derive(Default, Debug, Clone)]
pub enum Any<'a> {
    /// The key was not there.
    #[default]
    Absent,
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'a, str>),
    /// Boxed: a `Value` is 72 bytes and lists and maps are rare here.
    Json(Box<Value>),
}

impl<'a> Any<'a> {
    /// A scalar of a `Value` (arrays and objects read as null): the
    /// `Value` walkers of the other formats read numbers the same way.
    pub fn scalar(v: &'a Value) -> Any<'a> {
        match v {
            Value::Bool(b) => Any::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Any::I64(i),
                (None, Some(u)) => Any::U64(u),
                _ => Any::F64(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => Any::Str(Cow::Borrowed(s)),
            _ => Any::Null,
        }
    }
    pub fn is_present(&self) -> bool {
        !matches!(self, Any::Absent)
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Any::Str(s) => Some(s),
            _ => None,
        }
    }
    /// A number given as a JSON number or as a decimal string.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Any::I64(i) => Some(*i),
            Any::U64(u) => Some(*u as i64),
            Any::F64(f) => Some(*f as i64),
            Any::Str(s) => {
                let s = s.trim();
                // Times in OTLP are decimal strings: the common case without
                // `str::parse`'s overflow-checked multiplications.
                decimal_u64(s.as_bytes())
                    .and_then(|u| i64::try_from(u).ok())
                    .or_else(|| s.parse::<i64>().ok())
                    .or_else(|| s.parse::<f64>().ok().map(|f| f as i64))
            }
            _ => None,
        }
    }
    /// A uint64 given as a JSON number (a negative one as its two's
    /// complement) or as a decimal string; never through a float.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Any::I64(i) => Some(*i as u64),
            Any::U64(u) => Some(*u),
            Any::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Any::I64(i) => Some(*i as f64),
            Any::U64(u) => Some(*u as f64),
            Any::F64(f) => Some(*f),
            Any::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    /// As a `Value` (absent reads as null).
    pub fn to_value(&self) -> Value {
        match self {
            Any::Absent | Any::Null => Value::Null,
            Any::Bool(b) => Value::Bool(*b),
            Any::I64(i) => Value::from(*i),
            Any::U64(u) => Value::from(*u),
            Any::F64(f) => Value::from(*f),
            Any::Str(s) => Value::String(s.to_string()),
            Any::Json(v) => (**v).clone(),
        }
    }
    /// An id given as a string (borrowed) or a number (as JSON writes it).
    pub fn id_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Any::Str(s) => Some(Cow::Borrowed(s)),
            Any::I64(_) | Any::U64(_) | Any::F64(_) => {
                Some(Cow::Owned(self.to_value().to_string()))
            }
            _ => None,
        }
    }
    /// true, a non-zero number, or "true"/"1".
    pub fn truthy(&self) -> bool {
        match self {
            Any::Bool(b) => *b,
            Any::Str(s) => {
                let s = s.trim();
                s.eq_ignore_ascii_case("true") || s == "1"
            }
            other => other.as_f64().is_some_and(|f| f != 0.0),
        }
    }
}

impl<'a> FromJson<'a> for Any<'a> {
    fn from_json(r: &mut Pull<'a>) -> Read<Self> {
        r.any()
    }
}

/// The JSON text of `v`, for [`read`]: the general path reads its spans the
/// way streaming does, with one decoder.
pub fn text_of(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

pub use super::pull::read;

/// An item of a file (a span, a segment document) found by the pull reader,
/// as its own small tree: the formats whose decoders walk trees hold one
/// item's tree at a time, never the file's (~15× the file).
pub fn tree_of(text: &[u8]) -> Result<Value, super::DecodeError> {
    // The text is JSON (the pull reader checked it, numbers as serde_json
    // reads them); what serde_json may still refuse is nesting past 128.
    serde_json::from_slice(text)
        .map_err(|_| super::DecodeError::shape("a span nested more than 128 levels deep"))
}

/// Of the entries of a JSON object whose keys (interned) may repeat, the
/// ones a map keeps, as `JSON.parse` and `Object.assign` do: each key once,
/// at its first place, its last entry. Linear: a key is looked up once per
/// entry.
#[inline(never)]
pub fn kept_entries(keys: &[StrId]) -> Vec<usize> {
    if keys.len() < 2 {
        return (0..keys.len()).collect();
    }
    let mut last: FxHashMap<StrId, u32> = FxHashMap::default();
    for (i, &k) in keys.iter().enumerate() {
        last.insert(k, i as u32);
    }
    // A key's first place takes its last entry; the mark skips its repeats.
    let mut kept = Vec::with_capacity(last.len());
    for &k in keys {
        if let Some(j) = last.insert(k, u32::MAX).filter(|&j| j != u32::MAX) {
            kept.push(j as usize);
        }
    }
    kept
}

/// Any JSON value as its text, borrowed from the file (checked, not parsed).
#[derive(Default, Debug, Clone)]
pub struct Raw<'a>(pub Option<&'a [u8]>);

impl<'a> FromJson<'a> for Raw<'a> {
    fn from_json(r: &mut Pull<'a>) -> Read<Self> {
        r.raw().map(|t| Raw(Some(t)))
    }
}

/// A JSON string; anything else reads as None.
#[derive(Default, Debug, Clone)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl Str<'_> {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'a> FromJson<'a> for Str<'a> {
    fn from_json(r: &mut Pull<'a>) -> Read<Self> {
        r.string().map(Str)
    }
}

/// A JSON array of `T`; anything else reads as empty.
#[derive(Debug, Clone)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<T> std::ops::Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<'a, T: FromJson<'a>> FromJson<'a> for List<T> {
    fn from_json(r: &mut Pull<'a>) -> Read<Self> {
        let mut v = Vec::new();
        each_item(r, |r| {
            if v.capacity() == 0 {
                // Spans carry a handful of tags: one allocation, seldom a second.
                v.reserve_exact(8);
            }
            v.push(T::from_json(r)?);
            Ok(())
        })?;
        Ok(List(v))
    }
}

/// The object that comes next read as a `T`; None for any other value
/// (skipped). `own` is offered each key first and reads the value itself
/// when it returns true (what goes straight into the builder's arenas);
/// every other key is `T`'s own field.
pub fn obj_with<'a, T: Fields<'a>>(
    r: &mut Pull<'a>,
    mut own: impl FnMut(&str, &mut T, &mut Pull<'a>) -> Read<bool>,
) -> Read<Option<T>> {
    if r.peek() != b'{' {
        r.skip()?;
        return Ok(None);
    }
    let mut t = T::default();
    r.each_key(|k, r| {
        if !own(&k, &mut t, r)? {
            t.field(&k, r)?;
        }
        Ok(())
    })?;
    Ok(Some(t))
}

/// Calls `each` with the reader at each item of the list that comes next;
/// a value that is no list reads as empty.
pub fn each_item<'a>(r: &mut Pull<'a>, each: impl FnMut(&mut Pull<'a>) -> Read<()>) -> Read<()> {
    if r.peek() != b'[' {
        return r.skip();
    }
    r.each_item(each)
}

/// Calls `each` with each key of the object that comes next and the reader
/// at its value; a value that is no object reads as empty.
pub fn each_entry<'a>(
    r: &mut Pull<'a>,
    each: impl FnMut(Cow<'a, str>, &mut Pull<'a>) -> Read<()>,
) -> Read<()> {
    if r.peek() != b'{' {
        return r.skip();
    }
    r.each_key(each)
}

/// Hands each object of the list that comes next, read as a `T`, to `each`
/// as it is read: a [`List`] of [`Obj`] without the list. An item that is
/// no object is skipped.
pub fn each_obj<'a, T: Fields<'a>>(
    r: &mut Pull<'a>,
    mut each: impl FnMut(T) -> Read<()>,
) -> Read<()> {
    each_item(r, |r| match obj_with(r, |_, _, _| Ok(false))? {
        Some(t) => each(t),
        None => Ok(()),
    })
}

/// A JSON object read as `T`; anything else reads as None.
#[derive(Debug, Clone)]
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'a, T: Fields<'a>> FromJson<'a> for Obj<T> {
    fn from_json(r: &mut Pull<'a>) -> Read<Self> {
        obj_with(r, |_, _, _| Ok(false)).map(Obj)
    }
}

impl<'a, T: Fields<'a>> Fields<'a> for Box<T> {
    fn field(&mut self, key: &str, r: &mut Pull<'a>) -> Read<()> {
        (**self).field(key, r)
    }
}

/// Some when the key is there at all (even null), None when it is not.
impl<'a, T: FromJson<'a>> FromJson<'a> for Option<T> {
    fn from_json(r: &mut Pull<'a>) -> Read<Self> {
        T::from_json(r).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::pull::fields;

    #[derive(Default, Debug)]
    struct T<'a> {
        s: Str<'a>,
        l: List<Any<'a>>,
        o: Obj<Box<T<'a>>>,
        a: Any<'a>,
        p: Option<Any<'a>>,
    }
    fields!(T { "s" => s, "l" => l, "o" => o, "a" => a, "p" => p });

    fn t(text: &[u8]) -> T<'_> {
        let o: Obj<T> = read(text);
        o.0.expect("an object")
    }

    #[test]
    fn wrong_types_read_as_absent() {
        let t1 = t(br#"{"s": 5, "l": {"x": [1]}, "o": [1, {"s": "x"}], "a": null}"#);
        assert!(t1.s.get().is_none() && t1.l.is_empty() && t1.o.0.is_none());
        assert!(matches!(t1.a, Any::Null));
        let t2 = t(br#"{"o": {"s": "in"}}"#);
        assert_eq!(t2.o.0.unwrap().s.get(), Some("in"));
        assert!(!t2.a.is_present());
        // Not JSON at all: nothing.
        assert!(read::<Obj<T>>(br#"{"s": "x""#).0.is_none());
    }

    #[test]
    fn present_tells_null_from_absent_and_repeats_keep_the_last() {
        let t1 = t(br#"{"p": null, "s": "one", "s": "two"}"#);
        assert!(matches!(t1.p, Some(Any::Null)));
        assert_eq!(t1.s.get(), Some("two"));
        assert!(t(br#"{"a": 1}"#).p.is_none());
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let bytes = br#"{"s": "plain", "l": ["a\"b", 18446744073709551615, 2.5, true, [1]]}"#;
        let t1 = t(bytes);
        assert!(matches!(t1.s.0, Some(Cow::Borrowed("plain"))));
        assert!(matches!(&t1.l[0], Any::Str(Cow::Owned(s)) if s == "a\"b"));
        assert!(matches!(t1.l[1], Any::U64(u64::MAX)));
        assert_eq!(t1.l[2].as_i64(), Some(2));
        assert!(t1.l[3].truthy());
        assert!(matches!(&t1.l[4], Any::Json(v) if **v == serde_json::json!([1])));
        // The general path reads the text of a Value the same way.
        let v: Value = serde_json::from_slice(bytes).unwrap();
        let text = text_of(&v);
        let t2 = t(&text);
        assert!(matches!(t2.s.0, Some(Cow::Borrowed("plain"))));
        assert!(matches!(t2.l[1], Any::U64(u64::MAX)));
    }
}
