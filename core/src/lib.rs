//! tracescope-core: the trace model, the decoders of every input format, the
//! analyses and the layout geometry. No browser crates: everything here is
//! tested natively.

pub mod analysis;
pub mod backend;
pub mod decode;
pub mod encode;
pub mod layout;
pub mod links;
pub mod model;
pub mod order;
pub mod report;
pub mod share;
pub mod synth;
pub mod wire;

pub use decode::{decode_bytes, DecodeError, DecodeSummary, Format};
pub use model::{Dataset, Trace};
