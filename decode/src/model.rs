//! The columnar trace model.
//!
//! A span is an index (`u32`) into the column vectors of a [`Trace`]; there is
//! no per-span heap object. Strings are interned once per [`Dataset`]
//! ([`StrId`]); attributes, events and links live in shared arenas and a span
//! points at them with half-open ranges.

pub use crate::span_room::Col;
use crate::span_room::SpanRoom;

/// Index of an interned string in [`Interner`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(transparent)]
pub struct StrId(pub u32);

// SAFETY: one `u32` (repr(transparent)); every bit pattern is a value. Lets
// the worker hand columns of ids over as their bytes (`wire`).
unsafe impl bytemuck::Zeroable for StrId {}
unsafe impl bytemuck::Pod for StrId {}

impl StrId {
    /// The empty text, the first the table holds.
    pub const EMPTY: StrId = StrId(0);

    /// In place of an id's text: the text is the id's value as 16 lowercase
    /// hex digits (as nearly every trace writes a span id), made when read
    /// rather than interned: a million spans were a million strings of the
    /// table, and the largest part of the time spent in it.
    pub const HEX_ID: StrId = StrId(u32::MAX);
    /// As [`Self::HEX_ID`], with 32 digits (a 128-bit trace id): a file of a
    /// million one-span traces interned a million trace ids.
    pub const HEX_ID_32: StrId = StrId(u32::MAX - 1);

    /// How many hex digits an id's text made from its value has (see
    /// [`Self::HEX_ID`]); None for interned text.
    pub fn hex_digits(self) -> Option<usize> {
        match self {
            StrId::HEX_ID => Some(16),
            StrId::HEX_ID_32 => Some(32),
            _ => None,
        }
    }
}

/// An id's text as it was written: interned, or made from its value
/// ([`StrId::HEX_ID`]).
#[derive(Clone, Copy)]
pub enum IdText<'a> {
    Interned(&'a str),
    Hex { digits: [u8; 32], len: u8 },
}

impl std::ops::Deref for IdText<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            IdText::Interned(s) => s,
            // Only ASCII hex digits are ever written into it.
            IdText::Hex { digits, len } => {
                std::str::from_utf8(&digits[..*len as usize]).unwrap_or_default()
            }
        }
    }
}

impl PartialEq<&str> for IdText<'_> {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

impl std::fmt::Display for IdText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl std::fmt::Debug for IdText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl IdText<'_> {
    /// The last `len` (16 or 32) lowercase hex digits of an id's value.
    pub fn hex(v: u128, len: usize) -> IdText<'static> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let len = len.min(32);
        // In 64-bit halves: a 64-bit shift is one wasm instruction.
        let halves = [(v >> 64) as u64, v as u64];
        let mut digits = [0u8; 32];
        // Digit `i` of the value's 32, for the last `len` of them.
        for (d, i) in digits.iter_mut().zip(32 - len..32) {
            *d = DIGITS[(halves[i / 16] >> (60 - 4 * (i % 16)) & 0xf) as usize];
        }
        IdText::Hex {
            digits,
            len: len as u8,
        }
    }
}

/// Deduplicating string store. `StrId(0)` is always the empty string.
///
/// All text lives in one `String`; the index is a hash table of ids that
/// hashes the text it points at, so each string is stored once and costs
/// no allocation of its own (a million span ids are a million strings).
///
/// Strings received from a copy of the table ([`Interner::push_new`], the
/// page taking a worker's strings) are appended without hashing and indexed
/// later, a slice at a time ([`Interner::index_pending`]) or all at once by
/// the next [`Interner::intern`]: hashing a million of them was 40% of the
/// page's time taking a 1M-span trace, ahead of its first paint.
#[derive(Clone)]
pub struct Interner {
    text: String,
    /// Byte offset where string `i` ends (it starts where `i - 1` ends).
    ends: Vec<u32>,
    /// Ids of the first `indexed` strings, each string's first id only.
    index: hashbrown::HashTable<u32>,
    indexed: usize,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries((0..self.len()).map(|i| self.get(StrId(i as u32))))
            .finish()
    }
}

impl Default for Interner {
    fn default() -> Self {
        let mut i = Interner {
            text: String::new(),
            ends: Vec::new(),
            index: hashbrown::HashTable::new(),
            indexed: 0,
        };
        i.intern("");
        i
    }
}

fn hash_str(s: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(s)
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> StrId {
        self.index_pending(usize::MAX);
        let h = hash_str(s);
        let Interner {
            text, ends, index, ..
        } = self;
        let entry = index.entry(
            h,
            |&i| slice(text, ends, i) == s,
            |&i| hash_str(slice(text, ends, i)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => StrId(*e.get()),
            hashbrown::hash_table::Entry::Vacant(e) => {
                let id = ends.len() as u32;
                text.push_str(s);
                ends.push(text.len() as u32);
                e.insert(id);
                self.indexed += 1;
                StrId(id)
            }
        }
    }
    /// Appends a string received from a copy of this table (ids must stay
    /// aligned with the sender's, so it is appended even when present); it
    /// is indexed later.
    pub fn push_new(&mut self, s: &str) -> StrId {
        let id = self.ends.len() as u32;
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
        StrId(id)
    }
    /// Indexes up to `budget` strings not yet indexed; true when none are left.
    pub fn index_pending(&mut self, budget: usize) -> bool {
        let end = self.ends.len().min(self.indexed.saturating_add(budget));
        let Interner {
            text, ends, index, ..
        } = self;
        for i in self.indexed as u32..end as u32 {
            let s = slice(text, ends, i);
            let h = hash_str(s);
            // A string already present keeps its first id.
            if let hashbrown::hash_table::Entry::Vacant(e) = index.entry(
                h,
                |&j| slice(text, ends, j) == s,
                |&j| hash_str(slice(text, ends, j)),
            ) {
                e.insert(i);
            }
        }
        self.indexed = end;
        end == self.ends.len()
    }
    /// Room for `strings` more strings of `bytes` bytes in all.
    pub fn reserve(&mut self, strings: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.ends.reserve(strings);
        let Interner {
            text, ends, index, ..
        } = self;
        index.reserve(strings, |&i| hash_str(slice(text, ends, i)));
    }
    /// Forgets every string from index `len` on (a failed decode's strings).
    pub fn truncate(&mut self, len: usize) {
        let len = len.max(1);
        if len >= self.ends.len() {
            return;
        }
        self.index.retain(|i| (*i as usize) < len);
        self.ends.truncate(len);
        self.text.truncate(*self.ends.last().unwrap_or(&0) as usize);
        self.indexed = self.indexed.min(len);
    }
    pub fn get(&self, id: StrId) -> &str {
        slice(&self.text, &self.ends, id.0)
    }
    /// All the interned text, and the byte offset where each string ends
    /// (string `i` starts where `i - 1` ends): for a search that reads the
    /// text once rather than string by string.
    pub fn text_and_ends(&self) -> (&str, &[u32]) {
        (&self.text, &self.ends)
    }
    /// The first id of `s`; strings not indexed yet are searched in order.
    pub fn lookup(&self, s: &str) -> Option<StrId> {
        self.index
            .find(hash_str(s), |&i| self.get(StrId(i)) == s)
            .map(|&i| StrId(i))
            .or_else(|| {
                (self.indexed..self.ends.len())
                    .map(|i| StrId(i as u32))
                    .find(|&i| self.get(i) == s)
            })
    }
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    /// The bytes of text held.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.len() <= 1
    }
}

fn slice<'a>(text: &'a str, ends: &[u32], i: u32) -> &'a str {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &text[start..ends[i] as usize]
}

/// An id as its exact value: hex/base64/decimal ids are numbers (128-bit for
/// trace ids, 64-bit for span ids); ids that are not numbers (`"trace-123"`)
/// are keyed by their interned text, so matching stays exact either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKey {
    Num(Id128),
    Text(StrId),
}

impl IdKey {
    pub fn num(v: u128) -> IdKey {
        IdKey::Num(Id128(v))
    }
    pub fn as_u128(self) -> Option<u128> {
        match self {
            IdKey::Num(v) => Some(v.get()),
            IdKey::Text(_) => None,
        }
    }
}

/// A 128-bit number kept 4-byte aligned. A `u128` is 16-aligned (on wasm32
/// too): an id would take 32 bytes, and every trace's box and id columns
/// would be over-aligned allocations, which wasm's allocator serves through
/// `memalign` (a million one-span traces are three million of them).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(C, packed(4))]
pub struct Id128(u128);

impl Id128 {
    pub fn get(self) -> u128 {
        self.0
    }
}

impl std::fmt::Debug for Id128 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum SpanKind {
    #[default]
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

impl SpanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }
    /// Parses the many spellings: `2`, `"SPAN_KIND_SERVER"`, `"server"`, `"SERVER"`.
    /// OTLP's number for a kind (1 internal … 5 consumer).
    pub fn from_number(n: i64) -> SpanKind {
        match n {
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }
    /// A kind in any case, with or without OTLP's `SPAN_KIND_` prefix, or
    /// its number. Compared in place: no lowercase copy per span.
    pub fn parse(s: &str) -> SpanKind {
        const NAMES: [(&str, SpanKind); 12] = [
            ("internal", SpanKind::Internal),
            ("server", SpanKind::Server),
            ("client", SpanKind::Client),
            ("producer", SpanKind::Producer),
            ("consumer", SpanKind::Consumer),
            ("rpc.server", SpanKind::Server),
            ("rpc.client", SpanKind::Client),
            ("1", SpanKind::Internal),
            ("2", SpanKind::Server),
            ("3", SpanKind::Client),
            ("4", SpanKind::Producer),
            ("5", SpanKind::Consumer),
        ];
        let s = s.trim();
        let name = match s.get(..10) {
            Some(p) if p.eq_ignore_ascii_case("span_kind_") => &s[10..],
            _ => s,
        };
        NAMES
            .iter()
            .find(|(n, _)| name.eq_ignore_ascii_case(n))
            .map_or(SpanKind::Unspecified, |&(_, k)| k)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum StatusCode {
    #[default]
    Unset = 0,
    Ok = 1,
    Error = 2,
}

impl StatusCode {
    /// Error when `failed`, else unset (formats with only an error flag).
    pub fn error_if(failed: bool) -> StatusCode {
        if failed {
            StatusCode::Error
        } else {
            StatusCode::Unset
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            StatusCode::Unset => "unset",
            StatusCode::Ok => "ok",
            StatusCode::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AttrValue {
    Str(StrId),
    Int(i64),
    Float(f64),
    Bool(bool),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Attr {
    pub key: StrId,
    pub value: AttrValue,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    /// Absolute time in ns since the Unix epoch.
    pub time_ns: i64,
    pub name: StrId,
    pub attrs: Range32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum LinkKind {
    /// An OTLP span link.
    Link,
    /// Jaeger FOLLOWS_FROM (or a second CHILD_OF).
    FollowsFrom,
    /// The other half of a Zipkin shared (client+server) span id.
    SharedHalf,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Link => "link",
            LinkKind::FollowsFrom => "follows_from",
            LinkKind::SharedHalf => "shared span half",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub trace_id: IdKey,
    pub trace_id_text: StrId,
    pub span_id: IdKey,
    pub span_id_text: StrId,
    pub kind: LinkKind,
    pub attrs: Range32,
}

/// Half-open range into one of the arenas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(C)]
pub struct Range32 {
    pub start: u32,
    pub end: u32,
}

// SAFETY: two `u32`s in order (repr(C), no padding); every bit pattern is a
// value (an inverted range is checked where ranges are read: `wire`).
unsafe impl bytemuck::Zeroable for Range32 {}
unsafe impl bytemuck::Pod for Range32 {}

impl Range32 {
    /// `start..end`; every empty range is `0..0`, so equal spans compare
    /// equal wherever their arenas sit.
    pub fn new(start: u32, end: u32) -> Range32 {
        if end <= start {
            Range32::default()
        } else {
            Range32 { start, end }
        }
    }
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A process / resource: the service and the attributes shared by its spans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Resource {
    pub service: StrId,
    pub attrs: Range32,
}

/// Per-span warning flags (bits), set by decoders and by the tree analysis.
pub mod flags {
    /// The parent id names a span that is not in the trace.
    pub const ORPHAN: u8 = 1;
    /// Another span of the trace has the same span id.
    pub const DUPLICATE_ID: u8 = 2;
    /// The parent link closed a cycle and was dropped.
    pub const CYCLE_BROKEN: u8 = 4;
    /// One half of a Zipkin span id shared by client and server.
    pub const SHARED: u8 = 8;
    /// The source had no duration (in progress or lost end).
    pub const NO_DURATION: u8 = 16;
    /// The source had no start time, or one that cannot be (an invalid
    /// date, past the year 2262): the span is shown at its parent's start.
    pub const NO_START: u8 = 32;
    /// The parent does not wait for this span (Jaeger FOLLOWS_FROM).
    pub const ASYNC_PARENT: u8 = 64;
    /// The source had no start time; it is its first annotation's (Zipkin).
    pub const START_FROM_EVENT: u8 = 128;
}

/// [`Trace::identity`]: a trace's id (its value, and its text as written)
/// and span count.
pub type TraceIdentity = (Option<IdKey>, StrId, usize);

/// `at`, if the trace there (where `t`'s fingerprint led) has `t`'s
/// identity: a fingerprint shared by two traces (1 in 2^64) at worst keeps
/// a repeat, and never drops a trace.
fn repeat_of(t: &Trace, traces: &[Box<Trace>], at: usize) -> Option<usize> {
    let same = traces.get(at).is_some_and(|o| o.identity() == t.identity());
    same.then_some(at)
}

/// One trace: its spans as columns.
#[derive(Debug, Default)]
pub struct Trace {
    pub trace_id: Option<IdKey>,
    pub trace_id_text: StrId,
    pub span_key: Col<IdKey>,
    pub span_id_text: Col<StrId>,
    /// The parent as written in the source (resolved to `parent` by the tree analysis).
    pub parent_key: Col<Option<IdKey>>,
    pub parent_id_text: Col<StrId>,
    pub service: Col<StrId>,
    pub name: Col<StrId>,
    pub start_ns: Col<i64>,
    pub duration_ns: Col<i64>,
    pub kind: Col<SpanKind>,
    pub status: Col<StatusCode>,
    pub status_message: Col<StrId>,
    pub resource: Col<u32>,
    pub attrs: Col<Range32>,
    pub events: Col<Range32>,
    pub links: Col<Range32>,
    pub flags: Col<u8>,
    /// The block the span columns live in.
    pub(crate) room: SpanRoom,
    /// Filled by [`crate::tree::build`].
    pub tree: crate::tree::Tree,
    /// What few traces have, boxed: a file of a million one-span traces
    /// makes a million traces.
    pub(crate) notes: Option<Box<TraceNotes>>,
}

/// A trace's warnings and second clock reading ([`Trace::warnings`],
/// [`Trace::other_clock`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct TraceNotes {
    warnings: Vec<String>,
    other_clock: Option<OtherClock>,
}

/// Names `$then!` with each span column of a trace and its type, in the
/// order of their parts of the trace's block (most aligned first, so each
/// part begins aligned).
macro_rules! span_columns {
    ($then:ident) => {
        $then! {
            start_ns: i64,
            duration_ns: i64,
            span_key: IdKey,
            parent_key: Option<IdKey>,
            span_id_text: StrId,
            parent_id_text: StrId,
            service: StrId,
            name: StrId,
            status_message: StrId,
            resource: u32,
            attrs: Range32,
            events: Range32,
            links: Range32,
            kind: SpanKind,
            status: StatusCode,
            flags: u8
        }
    };
}

/// The bytes a span takes in its trace's block.
pub const SPAN_BYTES: usize = {
    macro_rules! sum {
        ($($c:ident: $t:ty),*) => { 0 $(+ size_of::<$t>())* };
    }
    span_columns!(sum)
};

/// Each span column's place in a [`Trace`], its values' size and its
/// value's place in a [`SpanRow`], in block order: the block's work is done
/// by one loop over this rather than once per column.
const COLUMNS: [(usize, usize, usize); 16] = {
    macro_rules! table {
        ($($c:ident: $t:ty),*) => {
            [$((
                std::mem::offset_of!(Trace, $c),
                size_of::<$t>(),
                std::mem::offset_of!(SpanRow, $c),
            )),*]
        };
    }
    span_columns!(table)
};

// Each column's part begins aligned: alignments never grow along the block
// (whose own alignment is 8).
const _: () = {
    macro_rules! descending {
        ($($c:ident: $t:ty),*) => {{
            let aligns = [$(align_of::<$t>()),*];
            let mut i = 1;
            assert!(aligns[0] <= 8);
            while i < aligns.len() {
                assert!(aligns[i] <= aligns[i - 1]);
                i += 1;
            }
        }};
    }
    span_columns!(descending)
};

/// One span's values, as [`Trace::push_span`] takes them.
#[derive(Clone, Copy, Debug)]
pub struct SpanRow {
    pub span_key: IdKey,
    pub span_id_text: StrId,
    pub parent_key: Option<IdKey>,
    pub parent_id_text: StrId,
    pub service: StrId,
    pub name: StrId,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub kind: SpanKind,
    pub status: StatusCode,
    pub status_message: StrId,
    pub resource: u32,
    pub attrs: Range32,
    pub events: Range32,
    pub links: Range32,
    pub flags: u8,
}

impl Default for SpanRow {
    fn default() -> Self {
        SpanRow {
            span_key: IdKey::num(0),
            span_id_text: StrId::default(),
            parent_key: None,
            parent_id_text: StrId::default(),
            service: StrId::default(),
            name: StrId::default(),
            start_ns: 0,
            duration_ns: 0,
            kind: SpanKind::default(),
            status: StatusCode::default(),
            status_message: StrId::default(),
            resource: 0,
            attrs: Range32::default(),
            events: Range32::default(),
            links: Range32::default(),
            flags: 0,
        }
    }
}

impl Clone for Trace {
    fn clone(&self) -> Self {
        let mut t = Trace {
            trace_id: self.trace_id,
            trace_id_text: self.trace_id_text,
            tree: self.tree.clone(),
            notes: self.notes.clone(),
            ..Trace::default()
        };
        t.room_for(self.longest_column());
        let room = t.room.spans();
        for &(at, size, _) in &COLUMNS {
            let from = self.column(at);
            // SAFETY: the two traces' columns at `at`, of the same type.
            unsafe {
                t.column_mut(at)
                    .append(size, room, from.start(), from.len())
            };
        }
        t
    }
}

/// (earliest start, latest end) of spans with these columns; (0, 0) for none.
pub fn time_bounds(start_ns: &[i64], duration_ns: &[i64]) -> (i64, i64) {
    let mut lo = i64::MAX;
    let mut hi = i64::MIN;
    for (&s, &d) in start_ns.iter().zip(duration_ns) {
        lo = lo.min(s);
        hi = hi.max(s.saturating_add(d));
    }
    if lo > hi {
        (0, 0)
    } else {
        (lo, hi)
    }
}

/// A second reading of a trace's start times, and its tree ordered by them.
#[derive(Debug, Clone, Default)]
pub struct OtherClock {
    /// Empty when adjusting moves nothing (then there is nothing to swap).
    pub start_ns: Vec<i64>,
    /// The tree's order by those times.
    pub order: crate::tree::TreeOrder,
    /// These are the source's times: the adjusted ones are shown.
    pub raw: bool,
    /// Spans whose clock disagreed by more than the largest shift allowed,
    /// left where they were.
    pub refused: u32,
}

impl Trace {
    /// Room for `n` more spans in every column, growing as a `Vec` grows
    /// (for estimates made again and again as a file is read).
    pub fn reserve(&mut self, n: usize) {
        self.grow_to(self.longest_column().saturating_add(n));
    }
    /// Room for `spans` spans in every column, at least twice the room
    /// there when it must grow.
    pub(crate) fn grow_to(&mut self, spans: usize) {
        if spans > self.room.spans() {
            self.room_for(spans.max(2 * self.room.spans()));
        }
    }
    /// Room for exactly `n` more spans in every column, for a trace whose
    /// size is known (`reserve` doubles: a file of many small traces is
    /// mostly traces of one span, each with room for one).
    pub fn reserve_exact(&mut self, n: usize) {
        self.room_for(self.longest_column().saturating_add(n));
    }
    /// Room for `spans` spans in every column (at least): a new block when
    /// the one there is smaller, each column's values moved into it.
    pub(crate) fn room_for(&mut self, spans: usize) {
        if spans <= self.room.spans() {
            return;
        }
        let room = SpanRoom::new(spans);
        let mut part = 0;
        for &(at, size, _) in &COLUMNS {
            // SAFETY: each column's part of the new block begins aligned
            // (see `SPAN_BYTES`), holds `spans` values, and is apart from
            // the others and from the old block.
            unsafe { self.column_mut(at).move_to(size, room.at(part)) };
            part += spans * size;
        }
        self.room = room;
    }
    /// Appends `n` values at `from` (any alignment) to the span column at
    /// byte `at` of the trace (of values of `size` bytes), growing the room
    /// as a `Vec` grows; where they start.
    ///
    /// # Safety
    /// `at` and `size` are a column's (`offset_of!`, `size_of`), and
    /// `from` holds `n` values of its type.
    pub(crate) unsafe fn append_values(
        &mut self,
        at: usize,
        size: usize,
        from: *const u8,
        n: usize,
    ) -> usize {
        let start = self.column(at).len();
        self.grow_to(start + n);
        let room = self.room.spans();
        self.column_mut(at).append(size, room, from, n);
        start
    }
    /// The bytes of values `r` (cut to the column) of the span column at
    /// byte `at` of the trace, of values of `size` bytes.
    ///
    /// # Safety
    /// `at` and `size` are a column's (`offset_of!`, `size_of`) whose
    /// values have no padding.
    pub(crate) unsafe fn column_bytes(
        &self,
        at: usize,
        size: usize,
        r: std::ops::Range<usize>,
    ) -> &[u8] {
        let col = self.column(at);
        let (start, end) = (r.start.min(col.len()), r.end.min(col.len()));
        std::slice::from_raw_parts(
            col.start().add(start * size),
            end.saturating_sub(start) * size,
        )
    }
    /// The span column at byte `at` of the trace (see [`COLUMNS`]) as bytes.
    fn column(&self, at: usize) -> &Col<u8> {
        // SAFETY: `at` is where `offset_of!` put a column; `Col` is
        // `repr(C)` (the same layout whatever its type).
        unsafe {
            &*(self as *const Trace)
                .cast::<u8>()
                .add(at)
                .cast::<Col<u8>>()
        }
    }
    fn column_mut(&mut self, at: usize) -> &mut Col<u8> {
        // SAFETY: as for `column`.
        unsafe { Col::bytes_of((self as *mut Trace).cast::<u8>().add(at)) }
    }
    /// How many spans every column has room for.
    pub fn room(&self) -> usize {
        self.room.spans()
    }
    /// The length of the longest column (all are as long once a trace is
    /// whole; the wire fills them one at a time).
    /// Whether every span column is as long as the others.
    pub fn columns_agree(&self) -> bool {
        COLUMNS
            .iter()
            .all(|&(at, ..)| self.column(at).len() == self.len())
    }
    fn longest_column(&self) -> usize {
        COLUMNS
            .iter()
            .map(|&(at, ..)| self.column(at).len())
            .max()
            .unwrap_or(0)
    }
    /// Appends a span.
    pub fn push_span(&mut self, s: SpanRow) {
        // Spans are pushed whole: every column is as long.
        self.grow_to(self.len() + 1);
        let room = self.room.spans();
        let row = (&s as *const SpanRow).cast::<u8>();
        for &(at, size, in_row) in &COLUMNS {
            // SAFETY: the row's value at `in_row` is of the column's type.
            unsafe { self.column_mut(at).append(size, room, row.add(in_row), 1) };
        }
    }
    /// Appends spans `r` of `src`, every column as it is there.
    pub fn append_spans(&mut self, src: &Trace, r: std::ops::Range<usize>) {
        self.reserve(r.len());
        let room = self.room.spans();
        for &(at, size, _) in &COLUMNS {
            let from = src.column(at);
            assert!(r.end <= from.len());
            // SAFETY: the two traces' columns at `at`, of the same type;
            // `r` is within the source's.
            let start = unsafe { from.start().add(r.start * size) };
            unsafe { self.column_mut(at).append(size, room, start, r.len()) };
        }
    }
    pub fn len(&self) -> usize {
        self.span_key.len()
    }
    pub fn is_empty(&self) -> bool {
        self.span_key.is_empty()
    }
    /// The first span with each of `keys` (None for a key no span has), in
    /// one pass over the spans, not one a key: a span's links may name a
    /// hundred spans of a trace of a million.
    pub fn spans_of_keys(&self, keys: &[IdKey]) -> Vec<Option<u32>> {
        let mut found: rustc_hash::FxHashMap<IdKey, Option<u32>> =
            keys.iter().map(|&k| (k, None)).collect();
        let mut left = found.len();
        for (s, k) in self.span_key.iter().enumerate() {
            if left == 0 {
                break;
            }
            if let Some(slot @ None) = found.get_mut(k) {
                *slot = Some(s as u32);
                left -= 1;
            }
        }
        keys.iter().map(|k| found[k]).collect()
    }
    /// What tells one trace of a dataset from another: its id and span
    /// count. A search answered again gives the same; the trace at an index
    /// after another was closed, a different one.
    pub fn identity(&self) -> TraceIdentity {
        (self.trace_id, self.trace_id_text, self.len())
    }
    /// Its [`Self::identity`] hashed into 8 bytes, for a list of a million
    /// traces' (28 bytes each): equal identities have equal fingerprints,
    /// and a fingerprint found again is checked against the identity.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(self.identity())
    }
    pub fn end_ns(&self, i: usize) -> i64 {
        self.start_ns[i].saturating_add(self.duration_ns[i])
    }
    /// (earliest start, latest end) over all spans (kept by the tree once
    /// built for these spans).
    pub fn bounds(&self) -> (i64, i64) {
        if self.tree.fits(self.len()) {
            self.tree.order.bounds
        } else {
            self.scan_bounds()
        }
    }
    /// [`Self::bounds`] computed from the columns.
    pub fn scan_bounds(&self) -> (i64, i64) {
        time_bounds(&self.start_ns, &self.duration_ns)
    }
    /// `bounds` as a time window for drawing: f64, at least 1 ns wide.
    pub fn time_window(&self) -> (f64, f64) {
        let (a, b) = self.bounds();
        (a as f64, (b as f64).max(a as f64 + 1.0))
    }
    /// Trace-level warnings (orphans, cycles, dropped input), for display.
    pub fn warnings(&self) -> &[String] {
        self.notes.as_ref().map_or(&[], |n| &n.warnings)
    }
    pub fn warn(&mut self, warning: String) {
        self.notes_mut().warnings.push(warning);
    }
    /// Adds `warnings` (nothing is kept for none).
    pub fn add_warnings(&mut self, warnings: &[String]) {
        if !warnings.is_empty() {
            self.notes_mut().warnings.extend_from_slice(warnings);
        }
    }
    /// The start times not shown, once clock-adjusted ones were made
    /// (tracescope-core's `analysis::clock`): see [`Trace::swap_clock`].
    pub fn other_clock(&self) -> Option<&OtherClock> {
        self.notes.as_ref()?.other_clock.as_ref()
    }
    pub fn set_other_clock(&mut self, other: OtherClock) {
        self.notes_mut().other_clock = Some(other);
    }
    fn notes_mut(&mut self) -> &mut TraceNotes {
        self.notes.get_or_insert_default()
    }
    /// Shows the other reading of the start times (adjusted or the
    /// source's): a swap of columns, nothing copied.
    pub fn swap_clock(&mut self) {
        let n = self.len();
        let other = self
            .notes
            .as_deref_mut()
            .and_then(|x| x.other_clock.as_mut());
        if let Some(o) = other.filter(|o| n > 0 && o.start_ns.len() == n) {
            self.start_ns.swap_with_slice(&mut o.start_ns);
            self.tree.swap_order(&mut o.order);
            o.raw = !o.raw;
        }
    }
    /// Whether the start times shown are clock-adjusted ones.
    pub fn clock_adjusted(&self) -> bool {
        self.other_clock().is_some_and(|o| o.raw)
    }
    /// The source's start times, whichever reading is shown (exports write
    /// what the source said).
    pub fn raw_start_ns(&self) -> &[i64] {
        match self.other_clock() {
            Some(o) if o.raw => &o.start_ns,
            _ => &self.start_ns,
        }
    }
    /// The tree ordered by [`Self::raw_start_ns`] (a copy).
    pub fn raw_tree(&self) -> crate::tree::Tree {
        let mut tree = self.tree.clone();
        if let Some(o) = self.other_clock().filter(|o| o.raw) {
            let mut order = o.order.clone();
            tree.swap_order(&mut order);
        }
        tree
    }
    pub fn error_count(&self) -> usize {
        self.status
            .iter()
            .filter(|s| **s == StatusCode::Error)
            .count()
    }
}

/// Everything loaded from one or more inputs.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub strings: Interner,
    pub attrs: Vec<Attr>,
    pub events: Vec<Event>,
    pub links: Vec<Link>,
    pub resources: Vec<Resource>,
    /// Boxed: a `Trace` is some 240 bytes of column places and lengths, and adding,
    /// closing or de-duplicating 100,000 one-span traces moved them all
    /// (tasks of 100+ ms on the page); now a pointer each moves.
    pub traces: Vec<Box<Trace>>,
}

/// How long a dataset's shared tables are (all indexed by `u32`): where a
/// load's additions start, and what a failed load is cut back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lengths {
    pub strings: u32,
    pub attrs: u32,
    pub events: u32,
    pub links: u32,
    pub resources: u32,
}

impl Dataset {
    pub fn lengths(&self) -> Lengths {
        Lengths {
            strings: self.strings.len() as u32,
            attrs: self.attrs.len() as u32,
            events: self.events.len() as u32,
            links: self.links.len() as u32,
            resources: self.resources.len() as u32,
        }
    }
    /// Takes out what was added to the shared tables since `l` (traces stay).
    pub fn truncate_tables(&mut self, l: Lengths) {
        self.strings.truncate(l.strings as usize);
        self.attrs.truncate(l.attrs as usize);
        self.events.truncate(l.events as usize);
        self.links.truncate(l.links as usize);
        self.resources.truncate(l.resources as usize);
    }
    /// Drops the traces from `start` on that repeat an earlier one (same
    /// trace id and span count: a search answered again); for each of those
    /// traces, the index it now has or the earlier one it repeats. The
    /// traces from `start` on are one load's, distinct among themselves (a
    /// decode makes one trace of each id). `arrived`: their fingerprints if
    /// known (read as they arrived, [`crate::wire::Receiver`]: through a
    /// million boxes it took ~50 ms), else read here. What the repeats
    /// referred to in the shared tables stays (unused).
    pub fn drop_repeated_from(&mut self, start: usize, arrived: &[u64]) -> Vec<usize> {
        let start = start.min(self.traces.len());
        let (old, added) = self.traces.split_at(start);
        // For each new trace, the earlier one it repeats (NEW until then),
        // found through a map of the smaller side's fingerprints: a million
        // one-span traces after the two demo ones make a map of two, not of
        // a million (125 ms).
        const NEW: usize = usize::MAX;
        let mut map = vec![NEW; added.len()];
        if old.len() <= added.len() {
            let read: Vec<u64>;
            let new = if arrived.len() == added.len() {
                arrived
            } else {
                read = added.iter().map(|t| t.fingerprint()).collect();
                &read
            };
            let first: rustc_hash::FxHashMap<u64, usize> = old
                .iter()
                .enumerate()
                .rev()
                .map(|(i, t)| (t.fingerprint(), i))
                .collect();
            for ((m, f), t) in map.iter_mut().zip(new).zip(added) {
                if let Some(&i) = first.get(f) {
                    *m = repeat_of(t, old, i).unwrap_or(NEW);
                }
            }
        } else {
            let at: rustc_hash::FxHashMap<u64, usize> = added
                .iter()
                .enumerate()
                .map(|(j, t)| (t.fingerprint(), j))
                .collect();
            for (i, t) in old.iter().enumerate() {
                let found = at.get(&t.fingerprint());
                if let Some(j) = found.and_then(|&j| repeat_of(t, added, j)) {
                    map[j] = map[j].min(i);
                }
            }
        }
        let mut next = start;
        for m in map.iter_mut().filter(|m| **m == NEW) {
            *m = next;
            next += 1;
        }
        // Traces move only when one repeats (and maps below `start`).
        if next < self.traces.len() {
            let mut i = 0;
            self.traces.retain(|_| {
                i += 1;
                i <= start || map[i - 1 - start] >= start
            });
        }
        map
    }
    pub fn str(&self, id: StrId) -> &str {
        self.strings.get(id)
    }
    /// The text of an id whose text column holds `text` and whose value is
    /// `key` (see [`StrId::HEX_ID`]).
    pub fn id_text(&self, text: StrId, key: Option<IdKey>) -> IdText<'_> {
        match (text.hex_digits(), key.and_then(IdKey::as_u128)) {
            (Some(len), Some(v)) => IdText::hex(v, len),
            (Some(_), None) => IdText::Interned(""),
            (None, _) => IdText::Interned(self.str(text)),
        }
    }
    /// Trace `t`'s id as written.
    pub fn trace_id(&self, t: &Trace) -> IdText<'_> {
        self.id_text(t.trace_id_text, t.trace_id)
    }
    /// The trace id a link points at, as written.
    pub fn link_trace_id(&self, l: &Link) -> IdText<'_> {
        self.id_text(l.trace_id_text, Some(l.trace_id))
    }
    /// Span `i`'s id as written.
    pub fn span_id(&self, t: &Trace, i: usize) -> IdText<'_> {
        self.id_text(t.span_id_text[i], Some(t.span_key[i]))
    }
    /// Span `i`'s parent id as written ("" for none).
    pub fn parent_id(&self, t: &Trace, i: usize) -> IdText<'_> {
        self.id_text(t.parent_id_text[i], t.parent_key[i])
    }
    /// The span id a link points at, as written.
    pub fn link_span_id(&self, l: &Link) -> IdText<'_> {
        self.id_text(l.span_id_text, Some(l.span_id))
    }
    /// Trace `i`, if there is one.
    pub fn trace(&self, i: usize) -> Option<&Trace> {
        self.traces.get(i).map(Box::as_ref)
    }
    /// The index of the trace whose id reads `id` exactly.
    pub fn trace_with_id(&self, id: &str) -> Option<usize> {
        self.traces.iter().position(|t| *self.trace_id(t) == *id)
    }
    pub fn span_count(&self) -> usize {
        self.traces.iter().map(|t| t.len()).sum()
    }
    /// What a view covers: every trace, or only the open one (none when
    /// nothing is open).
    pub fn scope(&self, open: Option<usize>, all: bool) -> &[Box<Trace>] {
        match (all, open) {
            (true, _) => &self.traces,
            (false, Some(i)) if i < self.traces.len() => &self.traces[i..=i],
            _ => &[],
        }
    }
    pub fn attrs(&self, r: Range32) -> &[Attr] {
        &self.attrs[r.range()]
    }
    pub fn events(&self, r: Range32) -> &[Event] {
        &self.events[r.range()]
    }
    pub fn links(&self, r: Range32) -> &[Link] {
        &self.links[r.range()]
    }
    /// Attribute value as display text.
    pub fn value_text(&self, v: AttrValue) -> String {
        match v {
            AttrValue::Str(s) => self.str(s).to_string(),
            AttrValue::Int(i) => i.to_string(),
            AttrValue::Float(f) => f.to_string(),
            AttrValue::Bool(b) => b.to_string(),
        }
    }
    /// First attribute with this key on a span (span attrs, then resource attrs).
    pub fn span_attr(&self, t: &Trace, i: usize, key: &str) -> Option<AttrValue> {
        let k = self.strings.lookup(key)?;
        let res = &self.resources[t.resource[i] as usize];
        self.attrs(t.attrs[i])
            .iter()
            .chain(self.attrs(res.attrs))
            .find(|a| a.key == k)
            .map(|a| a.value)
    }
    /// [`Self::span_attr`] as display text ([`Self::value_text`]).
    pub fn span_attr_text(&self, t: &Trace, i: usize, key: &str) -> Option<String> {
        self.span_attr(t, i, key).map(|v| self.value_text(v))
    }
}

#[cfg(test)]
mod span_kind_tests {
    use super::SpanKind;

    /// What `parse` did with a lowercase copy: the reference it must match.
    fn by_lowercase(s: &str) -> SpanKind {
        let lower = s.trim().to_ascii_lowercase();
        match lower.strip_prefix("span_kind_").unwrap_or(&lower) {
            "1" | "internal" => SpanKind::Internal,
            "2" | "server" | "rpc.server" => SpanKind::Server,
            "3" | "client" | "rpc.client" => SpanKind::Client,
            "4" | "producer" => SpanKind::Producer,
            "5" | "consumer" => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }

    proptest::proptest! {
        #[test]
        fn kinds_parse_in_any_case_and_spelling(
            prefix in "( |SPAN_KIND_|span_kind_|Span_Kind_|span_kind)?",
            name in "(internal|SERVER|Client|producer|CONSUMER|rpc.server|RPC.Client|[0-6]|x|)",
            suffix in "( |\\t)?",
        ) {
            let s = format!("{prefix}{name}{suffix}");
            proptest::prop_assert_eq!(SpanKind::parse(&s), by_lowercase(&s));
        }
    }
}

#[cfg(test)]
mod layout_tests {
    use super::{IdKey, Trace};

    /// wasm's allocator hands out 8-aligned blocks from `malloc`; anything
    /// aligned more goes through `memalign`, slower and with slack around
    /// each block. A trace is one box and its id columns two more.
    #[test]
    fn a_trace_and_its_ids_need_no_more_than_8_byte_alignment() {
        assert!(align_of::<Trace>() <= 8, "Trace: {}", align_of::<Trace>());
        assert!(align_of::<IdKey>() <= 8, "IdKey: {}", align_of::<IdKey>());
        assert_eq!(size_of::<Option<IdKey>>(), 20);
    }

    #[test]
    fn ids_order_as_numbers_then_texts() {
        let a = IdKey::num(1 << 100);
        let b = IdKey::num((1 << 100) + 1);
        assert!(a < b && IdKey::num(u128::MAX) < IdKey::Text(crate::model::StrId(0)));
        assert_eq!(b.as_u128(), Some((1 << 100) + 1));
    }
}
