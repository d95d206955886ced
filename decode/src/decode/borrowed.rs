//! Typed pieces for decoding spans straight from the bytes: strings borrow
//! from the input (copied only when they hold escapes) and no per-span JSON
//! tree is built. Every piece accepts any JSON value — a wrong type reads as
//! absent, as the `Value` walkers did — so an odd field never fails a file.
//! The general path (a `Value` of the whole file) reads the same structs
//! from each span's JSON text ([`text_of`]), so both paths share one decoder.

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

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
            Any::Str(s) => s
                .trim()
                .parse::<i64>()
                .ok()
                .or_else(|| s.trim().parse::<f64>().ok().map(|f| f as i64)),
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

struct AnyVisitor;

impl<'de> Visitor<'de> for AnyVisitor {
    type Value = Any<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Any<'de>, E> {
        Ok(Any::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Any<'de>, E> {
        Ok(Any::I64(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Any<'de>, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Any::I64(i),
            Err(_) => Any::U64(v),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Any<'de>, E> {
        Ok(Any::F64(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Any<'de>, E> {
        Ok(Any::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Any<'de>, E> {
        Ok(Any::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Any<'de>, E> {
        Ok(Any::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Any<'de>, E> {
        Ok(Any::Null)
    }
    fn visit_none<E>(self) -> Result<Any<'de>, E> {
        Ok(Any::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Any<'de>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Any<'de>, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(|v| Any::Json(Box::new(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Any<'de>, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(|v| Any::Json(Box::new(v)))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Any<'a> {
    // Once, not inlined into every field of every struct (−17 KB of wasm).
    #[inline(never)]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyVisitor)
    }
}

/// The JSON text of `v`, for [`read`]: the general path reads its spans the
/// way streaming does. Reading the `Value` directly would compile every
/// struct a second time (for `Value`'s deserializer; +21 KB gzipped).
pub fn text_of(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// `T` read from JSON text (the default when it cannot be: duplicate keys).
pub fn read<'a, T: Deserialize<'a> + Default>(text: &'a [u8]) -> T {
    serde_json::from_slice(text).unwrap_or_default()
}

/// A JSON string; anything else reads as None.
#[derive(Default, Debug, Clone)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl Str<'_> {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Any::deserialize(d)? {
            Any::Str(s) => Str(Some(s)),
            _ => Str(None),
        })
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

struct ListVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
        let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(x) = seq.next_element()? {
            v.push(x);
        }
        Ok(List(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(List::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<List<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_none<E>(self) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_unit<E>(self) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_bool<E>(self, _: bool) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<List<T>, E> {
        Ok(List::default())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListVisitor(std::marker::PhantomData))
    }
}

/// A JSON object read as `T`; anything else reads as None.
#[derive(Debug, Clone)]
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

struct ObjVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Obj<T>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Obj(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Obj<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_none<E>(self) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_unit<E>(self) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_str<E>(self, _: &str) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjVisitor(std::marker::PhantomData))
    }
}

/// For `deserialize_with` on an `Option` field with `default`: Some when the
/// key is there at all (even null), None when it is not.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// The entries of a JSON object in file order (repeats kept); anything else
/// reads as none.
#[derive(Debug)]
pub struct Entries<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for Entries<K, V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

struct EntriesVisitor<K, V>(std::marker::PhantomData<(K, V)>);

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<K, V> {
    type Value = Entries<K, V>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut v = Vec::new();
        while let Some(e) = map.next_entry()? {
            v.push(e);
        }
        Ok(Entries(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Entries(Vec::new()))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Entries(Vec::new()))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Entries(Vec::new()))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Entries(Vec::new()))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Entries(Vec::new()))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Entries(Vec::new()))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Entries(Vec::new()))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Entries(Vec::new()))
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for Entries<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntriesVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default, Debug)]
    #[serde(default)]
    struct T<'a> {
        #[serde(borrow)]
        s: Str<'a>,
        #[serde(borrow)]
        l: List<Any<'a>>,
        #[serde(borrow)]
        o: Obj<Box<T<'a>>>,
        #[serde(borrow)]
        a: Any<'a>,
    }

    #[test]
    fn wrong_types_read_as_absent() {
        let bytes = br#"{"s": 5, "l": {"x": [1]}, "o": [1, {"s": "x"}], "a": null}"#;
        let t: T = serde_json::from_slice(bytes).unwrap();
        assert!(t.s.get().is_none() && t.l.is_empty() && t.o.0.is_none());
        assert!(matches!(t.a, Any::Null));
        let t: T = serde_json::from_slice(br#"{"o": {"s": "in"}}"#).unwrap();
        assert_eq!(t.o.0.unwrap().s.get(), Some("in"));
        assert!(!t.a.is_present());
    }

    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct P<'a> {
        #[serde(borrow, deserialize_with = "present")]
        p: Option<Any<'a>>,
        #[serde(borrow)]
        e: Entries<Cow<'a, str>, Any<'a>>,
    }

    #[test]
    fn present_tells_null_from_absent_and_entries_keep_order() {
        let t: P =
            serde_json::from_slice(br#"{"p": null, "e": {"z": 1, "a": "x", "z": 2}}"#).unwrap();
        assert!(matches!(t.p, Some(Any::Null)));
        let keys: Vec<&str> = t.e.0.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["z", "a", "z"]);
        let t: P = serde_json::from_slice(br#"{"e": [1, 2]}"#).unwrap();
        assert!(t.p.is_none() && t.e.0.is_empty());
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let bytes = br#"{"s": "plain", "l": ["a\"b", 18446744073709551615, 2.5, true, [1]]}"#;
        let t: T = serde_json::from_slice(bytes).unwrap();
        assert!(matches!(t.s.0, Some(Cow::Borrowed("plain"))));
        assert!(matches!(&t.l[0], Any::Str(Cow::Owned(s)) if s == "a\"b"));
        assert!(matches!(t.l[1], Any::U64(u64::MAX)));
        assert_eq!(t.l[2].as_i64(), Some(2));
        assert!(t.l[3].truthy());
        assert!(matches!(&t.l[4], Any::Json(v) if **v == serde_json::json!([1])));
        // The general path reads the text of a Value the same way.
        let v: Value = serde_json::from_slice(bytes).unwrap();
        let text = text_of(&v);
        let t: T = read(&text);
        assert!(matches!(t.s.0, Some(Cow::Borrowed("plain"))));
        assert!(matches!(t.l[1], Any::U64(u64::MAX)));
    }
}
