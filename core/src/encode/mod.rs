//! Encoders: the model back to JSON that Tracescope and other viewers open
//! (OTLP JSON, Jaeger JSON), for exports and self-contained share links.
//! Attribute values pass through a [`Redaction`] first.

pub mod jaeger;
pub mod otlp;
pub mod redact;

use crate::model::{Attr, AttrValue, Dataset, IdKey};
use redact::Redaction;
use std::hash::{Hash, Hasher};

/// An id as a number for formats that only carry hex ids: text ids
/// (`"trace-123"`) become a stable hash of their text, so links between
/// spans survive.
pub fn id_number(ds: &Dataset, k: IdKey) -> u128 {
    match k {
        IdKey::Num(v) => v,
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

/// An attribute as it leaves: its value, a replacement text (hashed), or
/// None when redaction drops it.
pub enum OutValue {
    Keep(AttrValue),
    Text(String),
}

pub fn attr_out(ds: &Dataset, r: &Redaction, a: &Attr) -> Option<(String, OutValue)> {
    let key = ds.str(a.key);
    match r.apply(key, &ds.value_text(a.value))? {
        None => Some((key.to_string(), OutValue::Keep(a.value))),
        Some(text) => Some((key.to_string(), OutValue::Text(text))),
    }
}
