//! tracescope-core: the analyses and the layout geometry over the trace
//! model, with the model and its decoders (`tracescope-decode`) re-exported.
//! No browser crates: everything here is tested natively.

pub mod analysis;
pub mod backend;
pub mod case;
pub mod commands;
pub mod encode;
pub mod find;
pub mod heap;
pub mod layout;
pub mod links;
pub use tracescope_decode::order;
pub mod report;
pub mod runs;
pub mod share;
pub mod synth;
pub mod url_state;

pub use tracescope_decode::{decode, model, tree, wire};
pub use tracescope_decode::{decode_bytes, DecodeError, DecodeSummary, Format};
pub use tracescope_decode::{Dataset, Trace};
