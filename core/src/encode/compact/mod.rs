//! Tracescope's compact link payload: the trace a self-contained link
//! carries (deflated and base64url-encoded around it, `core::share`).
//! [`write`] writes it, [`read`] reads it (both here, built for size with
//! the rest of `core`: a link is small, and the decoders' crate is built for
//! speed).
//!
//! Binary and columnar, so that deflate finds the repeats: after [`MAGIC`]
//! and [`VERSION`] come [`SECTIONS`] sections, each its length then its
//! bytes. Numbers are LEB128 (signed ones SLEB128). Every text is an index
//! into one dictionary of strings (names, keys and values alike), in the
//! order first written. Spans come parents first; a parent is how many spans back
//! it is; a start is the distance from where the sibling before it ended
//! (else from its parent's start, else from the trace's first start), times
//! and durations in the largest power of ten that divides them all. Ids
//! are their bytes, with a tag that says how their text is spelled.

pub mod read;
pub mod write;

pub use write::{encode, is_ticket_key, Keep};

use crate::decode::{Format, Reader};

/// How a payload starts: no JSON document starts with a zero byte.
pub const MAGIC: &[u8] = b"\0TSL";
/// The version this build writes and reads. A link of another version is
/// refused with a message, never misread.
pub const VERSION: u8 = 1;

/// The sections, in the order written.
pub mod section {
    /// The dictionary: a count, then each string's length and bytes.
    pub const STRINGS: usize = 0;
    /// Time unit (a power of ten), first start, trace id, spans left out,
    /// spans, resources.
    pub const HEADER: usize = 1;
    /// Each resource as its spans use it: its service, the spans' service
    /// (the same but in odd sources), its attributes (in [`ATTRS`]).
    pub const RESOURCES: usize = 2;
    pub const IDS: usize = 3;
    /// 0: none; 1: an id follows (a parent not in the payload); `d + 1`:
    /// the span `d` before this one.
    pub const PARENTS: usize = 4;
    pub const SPAN_RESOURCES: usize = 5;
    pub const NAMES: usize = 6;
    /// `kind | status << 3`, a byte.
    pub const KINDS: usize = 7;
    pub const STATUS_MESSAGES: usize = 8;
    /// The source's flags ([`crate::model::flags`]), a byte; the tree's are
    /// found again when the tree is built.
    pub const FLAGS: usize = 9;
    pub const STARTS: usize = 10;
    pub const DURATIONS: usize = 11;
    /// Every attribute list (resources', spans', events', links'), in the
    /// order they are read: a count, then key, value tag and value.
    pub const ATTRS: usize = 12;
    /// A count, then each event's time from its span's start, name, attributes.
    pub const EVENTS: usize = 13;
    /// A count, then each link: same trace (1) or a trace id, span id, kind.
    pub const LINKS: usize = 14;
}
pub const SECTIONS: usize = 15;

/// How an id and its text are written: a tag byte, then the id.
pub mod id_tag {
    /// A number whose text is its decimal: then the number (≤ 64 bits).
    pub const DECIMAL: u8 = 0;
    /// `1..=32`: a number whose text is its lowercase hex zero-padded to
    /// this many digits: then its `(tag + 1) / 2` bytes, big-endian.
    pub const HEX_DIGITS_MAX: u8 = 32;
    /// A number with any other text: its 16 bytes, then the text.
    pub const NUMBER_AND_TEXT: u8 = 33;
    /// An id that is not a number: its key's text, then its text.
    pub const TEXT: u8 = 34;
}

/// An attribute value's tag byte.
pub mod value_tag {
    pub const STR: u8 = 0;
    pub const INT: u8 = 1;
    pub const FLOAT: u8 = 2;
    pub const FALSE: u8 = 3;
    pub const TRUE: u8 = 4;
}

/// The largest time unit: one second.
pub const MAX_UNIT_EXPONENT: u8 = 9;

/// True when `bytes` are a compact payload (of any version).
pub fn is_compact(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// How to read `bytes` when they are a compact payload (the worker, given
/// a link's unpacked bytes, and [`crate::share::open`]); None: sniff them.
pub fn reader(bytes: &[u8]) -> Option<(Reader, Format)> {
    is_compact(bytes).then_some((read::decode as Reader, Format::Link))
}
