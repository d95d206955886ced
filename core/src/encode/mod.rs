//! Encoders: the model back to JSON that Tracescope and other viewers open
//! (OTLP JSON, Jaeger JSON), for exports and self-contained share links.
//! Every text passes through a [`Redaction`] first ([`Outgoing`]). The JSON
//! is written as it is made (serde, no document tree in memory), with the
//! spans written reported as it goes.

pub mod compact;
pub mod jaeger;
pub mod otlp;
pub mod redact;
pub mod secret_looks;

use crate::model::{Attr, AttrValue, Dataset, IdKey, StrId};
use redact::{Mode, Redaction};
use rustc_hash::FxHashMap;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::hash::{Hash, Hasher};

/// An id as a number for formats that only carry hex ids: text ids
/// (`"trace-123"`) become a stable hash of their text, so links between
/// spans survive.
pub fn id_number(ds: &Dataset, k: IdKey) -> u128 {
    match k {
        IdKey::Num(v) => v.get(),
        IdKey::Text(s) => {
            let mut h = rustc_hash::FxHasher::default();
            ds.str(s).hash(&mut h);
            let a = h.finish();
            "tracescope".hash(&mut h);
            ((a as u128) << 64) | h.finish() as u128
        }
    }
}

/// Trace id as 32 hex digits (all zeros when the source had none).
pub fn trace_hex(ds: &Dataset, k: Option<IdKey>) -> String {
    crate::decode::ids::hex(k.map(|k| id_number(ds, k)).unwrap_or(0), 32)
}

/// Span id as 16 hex digits (text ids hashed to 64 bits).
pub fn span_hex(ds: &Dataset, k: IdKey) -> String {
    crate::decode::ids::hex(id_number(ds, k) as u64 as u128, 16)
}

/// An attribute's value as it leaves: as it is, or a replacement text
/// (scrubbed of secrets, or hashed).
pub enum OutValue<'a> {
    Keep(AttrValue),
    Text(Cow<'a, str>),
}

/// Spans written between two progress reports.
const SPANS_PER_REPORT: usize = 16_384;

/// What leaves the page of a dataset under a redaction. Decisions are
/// taken once per interned string (keys and texts repeat: a million spans
/// have a few hundred keys), and every span written is counted for the
/// progress shown while a large trace is exported.
pub struct Outgoing<'a, 'p> {
    pub ds: &'a Dataset,
    r: &'a Redaction,
    key_redacted: RefCell<FxHashMap<StrId, bool>>,
    /// A text's scrubbed form; None when nothing in it looks like a secret.
    scrubbed: RefCell<FxHashMap<StrId, Option<String>>>,
    spans: Cell<usize>,
    on_spans: RefCell<&'p mut dyn FnMut(usize)>,
}

impl<'a, 'p> Outgoing<'a, 'p> {
    pub fn new(ds: &'a Dataset, r: &'a Redaction, on_spans: &'p mut dyn FnMut(usize)) -> Self {
        Outgoing {
            ds,
            r,
            key_redacted: RefCell::default(),
            scrubbed: RefCell::default(),
            spans: Cell::new(0),
            on_spans: RefCell::new(on_spans),
        }
    }

    /// Interned text `s` as it leaves.
    pub fn text(&self, s: StrId) -> Cow<'a, str> {
        let text = self.ds.str(s);
        if !self.r.values {
            return Cow::Borrowed(text);
        }
        let mut scrubbed = self.scrubbed.borrow_mut();
        let out = scrubbed
            .entry(s)
            .or_insert_with(|| match self.r.text(text) {
                Cow::Borrowed(_) => None,
                Cow::Owned(t) => Some(t),
            });
        match out {
            None => Cow::Borrowed(text),
            Some(t) => Cow::Owned(t.clone()),
        }
    }

    /// An attribute as it leaves: its key and value, or None when redaction drops it.
    pub fn attr(&self, a: &Attr) -> Option<(&'a str, OutValue<'a>)> {
        let key = self.ds.str(a.key);
        let redacted = *self
            .key_redacted
            .borrow_mut()
            .entry(a.key)
            .or_insert_with(|| self.r.redacts(key));
        let value = match (redacted, a.value) {
            (true, _) if self.r.mode == Mode::Drop => return None,
            (true, v) => OutValue::Text(Cow::Owned(redact::hash_value(&self.ds.value_text(v)))),
            (false, AttrValue::Str(s)) => match self.text(s) {
                Cow::Borrowed(_) => OutValue::Keep(a.value),
                scrubbed => OutValue::Text(scrubbed),
            },
            (false, v) => OutValue::Keep(v),
        };
        Some((key, value))
    }

    /// Counts a span written (reporting every [`SPANS_PER_REPORT`]).
    fn span_written(&self) {
        let n = self.spans.get() + 1;
        self.spans.set(n);
        if n.is_multiple_of(SPANS_PER_REPORT) {
            (self.on_spans.borrow_mut())(n);
        }
    }
}

/// A JSON array of what `items` yields, each written as it is made.
struct Seq<I>(RefCell<Option<I>>);

impl<I> Seq<I> {
    fn new(items: I) -> Self {
        Seq(RefCell::new(Some(items)))
    }
}

impl<I: Iterator<Item = T>, T: Serialize> Serialize for Seq<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for item in self.0.borrow_mut().take().into_iter().flatten() {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

/// A JSON object of `(key, value)` pairs written as they are made.
struct Object<I>(RefCell<Option<I>>);

impl<I> Object<I> {
    fn new(entries: I) -> Self {
        Object(RefCell::new(Some(entries)))
    }
}

impl<I: Iterator<Item = (K, V)>, K: Serialize, V: Serialize> Serialize for Object<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (k, v) in self.0.borrow_mut().take().into_iter().flatten() {
            map.serialize_entry(&k, &v)?;
        }
        map.end()
    }
}

/// `doc` as JSON text. Writing to memory cannot fail, and every value
/// written is a string, a number, a bool or null under string keys.
fn to_json(doc: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(doc).expect("JSON of strings and numbers into memory")
}
