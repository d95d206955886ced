//! What the streaming decoders share. A file of the common shape of its
//! format (Jaeger `{"data":…}`, OTLP `{"resourceSpans":…}`, Zipkin `[…]`) is
//! read with serde visitors that hold one span at a time as JSON, never the
//! whole file (a 600 MB file of a million spans would need gigabytes as a
//! `serde_json::Value`). Any other shape ends the attempt; the caller undoes
//! what was added and reads the file the general way.

use super::builder::Builder;
use super::DecodeError;

/// The state every visitor of one streamed file shares.
pub struct Stream<'s, 'b> {
    pub b: &'s mut Builder<'b>,
    /// A span the decoder refused (a real error, not a shape to fall back from).
    pub failed: Option<DecodeError>,
    /// The list of spans (or traces) was found: an empty envelope is not the shape.
    pub found: bool,
}

impl Stream<'_, '_> {
    /// Records a refused span; the visitor then stops with `E`.
    pub fn refuse<E: serde::de::Error>(&mut self, e: DecodeError) -> E {
        self.failed = Some(e);
        E::custom("refused")
    }
}

/// The error that ends a stream attempt: the file has another shape and is
/// read the general way.
pub fn other_shape<E: serde::de::Error>() -> E {
    E::custom("a shape for the general path")
}

/// Runs `read` (which deserializes the top-level visitor) over `bytes`:
/// `Some` when the file had the streamed shape (decoded or refused), `None`
/// when it has another shape.
pub fn run<'x>(
    b: &mut Builder,
    bytes: &'x [u8],
    read: impl FnOnce(&mut Stream, &mut Json<'x>) -> Result<(), serde_json::Error>,
) -> Option<Result<(), DecodeError>> {
    let mut st = Stream {
        b,
        failed: None,
        found: false,
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let ok = read(&mut st, &mut de).and_then(|_| de.end()).is_ok();
    match (st.failed, ok && st.found) {
        (Some(e), _) => Some(Err(e)),
        (None, true) => Some(Ok(())),
        (None, false) => None,
    }
}

/// The deserializer [`run`] hands to the top-level visitor.
pub type Json<'a> = serde_json::Deserializer<serde_json::de::SliceRead<'a>>;

/// A visitor that is its own seed: `deserialize_map` or `deserialize_seq`.
macro_rules! seed {
    ($ty:ty, $how:ident) => {
        impl<'de> serde::de::DeserializeSeed<'de> for $ty {
            type Value = ();
            fn deserialize<D: serde::de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                d.$how(self)
            }
        }
    };
}

macro_rules! expecting {
    ($what:literal) => {
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str($what)
        }
    };
}

pub(crate) use {expecting, seed};
