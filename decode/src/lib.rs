//! tracescope-decode: the columnar trace model, the decoders that fill it
//! from every input format, the span tree they build, and the wire that
//! carries a decoded model from the worker to the page.
//!
//! A crate of its own so that this, the code a load spends its time in, can
//! be built for speed while the rest of the page is built for size (the
//! `page` profile in the workspace's Cargo.toml). `tracescope-core`
//! re-exports every module, so paths stay `tracescope_core::model` etc.

pub mod decode;
pub mod model;
pub mod order;
pub mod span_room;
pub mod tree;
pub mod wire;

pub use decode::{decode_bytes, DecodeError, DecodeSummary, Format};
pub use model::{Dataset, Trace};
