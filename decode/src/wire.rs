//! The decoded model as flat little-endian buffers, so a Web Worker can
//! decode a file and hand the result to the page with transfers (no copy,
//! no second JSON pass).
//!
//! The buffers are the parts of a *delta*: the strings the receiver does
//! not have yet, then the arenas, then new traces whose attribute/event/
//! link/resource ranges count from zero. A [`Receiver`] appends them to a
//! [`Dataset`] one part per task, shifting those ranges. Strings are
//! not remapped: the sender's string table must start as a copy of the
//! receiver's (see [`encode_strings`] to bring it up to date), which the
//! receiver checks.

use crate::decode::chrome::PartEvents;
use crate::model::*;
use std::ops::Range;

const MAGIC: &[u8; 4] = b"TSW1";

/// Columns go over as their bytes in memory, which is the wire's
/// little-endian order on every machine Tracescope is built for (wasm32,
/// x86-64, AArch64).
const LITTLE_ENDIAN: () = assert!(
    cfg!(target_endian = "little"),
    "the wire format is little-endian"
);

/// A buffer that [`apply`] refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the decoded trace could not be read back: {}", self.0)
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8s(&mut self, v: &[u8]) {
        self.len(v.len());
        self.0.extend_from_slice(v);
    }
    fn len(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32s(&mut self, v: impl ExactSizeIterator<Item = u32>) {
        self.nums(v, u32::to_le_bytes)
    }
    fn ranges(&mut self, v: &[Range32]) {
        self.pods(v)
    }
    fn u64s(&mut self, v: impl ExactSizeIterator<Item = u64>) {
        self.nums(v, u64::to_le_bytes)
    }
    fn u128s(&mut self, v: impl ExactSizeIterator<Item = u128>) {
        self.nums(v, u128::to_le_bytes)
    }
    /// A column of fixed-width numbers: its length, then each little-endian.
    fn nums<T, const W: usize>(
        &mut self,
        v: impl ExactSizeIterator<Item = T>,
        le: fn(T) -> [u8; W],
    ) {
        self.len(v.len());
        self.0.reserve(v.len() * W);
        for x in v {
            self.0.extend_from_slice(&le(x));
        }
    }
    /// A column of plain numbers: its length, then its bytes as they are in
    /// memory (little-endian: see [`LITTLE_ENDIAN`]).
    fn pods<T: bytemuck::Pod>(&mut self, v: &[T]) {
        self.len(v.len());
        self.0.extend_from_slice(bytemuck::cast_slice(v));
    }
    fn strs<'a>(&mut self, v: impl ExactSizeIterator<Item = &'a str>) {
        let v: Vec<&str> = v.collect();
        self.u32s(
            v.iter()
                .map(|s| s.len() as u32)
                .collect::<Vec<_>>()
                .into_iter(),
        );
        let total: usize = v.iter().map(|s| s.len()).sum();
        self.len(total);
        for s in v {
            self.0.extend_from_slice(s.as_bytes());
        }
    }
    /// Ids as a tag column (0 none, 1 number, 2 text) and a value column.
    fn ids(&mut self, v: impl ExactSizeIterator<Item = Option<IdKey>> + Clone) {
        self.u8s(
            &v.clone()
                .map(|k| match k {
                    None => 0,
                    Some(IdKey::Num(_)) => 1,
                    Some(IdKey::Text(_)) => 2,
                })
                .collect::<Vec<u8>>(),
        );
        self.u128s(v.map(|k| match k {
            None => 0,
            Some(IdKey::Num(n)) => n.get(),
            Some(IdKey::Text(s)) => s.0 as u128,
        }));
    }
    fn values(&mut self, v: impl ExactSizeIterator<Item = AttrValue> + Clone) {
        self.u8s(
            &v.clone()
                .map(|a| match a {
                    AttrValue::Str(_) => 0,
                    AttrValue::Int(_) => 1,
                    AttrValue::Float(_) => 2,
                    AttrValue::Bool(_) => 3,
                })
                .collect::<Vec<u8>>(),
        );
        self.u64s(v.map(|a| match a {
            AttrValue::Str(s) => s.0 as u64,
            AttrValue::Int(i) => i as u64,
            AttrValue::Float(f) => f.to_bits(),
            AttrValue::Bool(b) => b as u64,
        }));
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

type R<T> = Result<T, WireError>;

fn short() -> WireError {
    WireError("the buffer ends early".into())
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self.at.checked_add(n).ok_or_else(short)?;
        let s = self.buf.get(self.at..end).ok_or_else(short)?;
        self.at = end;
        Ok(s)
    }
    fn len(&mut self) -> R<usize> {
        let n = u64::from_le_bytes(self.take(8)?.try_into().unwrap());
        usize::try_from(n).map_err(|_| short())
    }
    fn u32(&mut self) -> R<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn u8s(&mut self) -> R<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }
    fn fixed<const W: usize>(&mut self) -> R<std::slice::ChunksExact<'a, u8>> {
        let n = self.len()?;
        Ok(self
            .take(n.checked_mul(W).ok_or_else(short)?)?
            .chunks_exact(W))
    }
    /// Appends a column written by [`Writer::pods`] to `dst`; where it starts.
    fn pods_into<T: bytemuck::Pod>(&mut self, dst: &mut Vec<T>) -> R<usize> {
        let bytes = self.pod_bytes(size_of::<T>())?;
        let n = bytes.len() / size_of::<T>();
        let at = dst.len();
        // A column's first piece is most often all of it (roots, services).
        if at == 0 {
            dst.reserve_exact(n);
        } else {
            dst.reserve(n);
        }
        // Straight into the spare room: no zeroing of a million values first.
        let spare = &mut dst.spare_capacity_mut()[..n];
        // SAFETY: the spare room holds `n` values of `T`, `bytes` are `n`
        // values' bytes, and any bytes are a `T` (it is Pod).
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), spare.as_mut_ptr().cast(), bytes.len());
            dst.set_len(at + n);
        }
        Ok(at)
    }
    /// The bytes of a column written by [`Writer::pods`], of values of
    /// `size` bytes.
    fn pod_bytes(&mut self, size: usize) -> R<&'a [u8]> {
        let () = LITTLE_ENDIAN;
        let n = self.len()?;
        self.take(n.checked_mul(size).ok_or_else(short)?)
    }
    fn pods<T: bytemuck::Pod>(&mut self) -> R<Vec<T>> {
        let mut v = Vec::new();
        self.pods_into(&mut v)?;
        Ok(v)
    }
    fn u32s(&mut self) -> R<Vec<u32>> {
        self.pods()
    }
    fn strids(&mut self) -> R<Vec<StrId>> {
        self.pods()
    }
    /// Appends ranges into an arena, moved by `shift` (where the delta's
    /// arena starts in the receiver's).
    fn ranges_into(&mut self, dst: &mut Vec<Range32>, shift: u32) -> R<()> {
        let at = self.pods_into(dst)?;
        shift_ranges(&mut dst[at..], shift);
        Ok(())
    }
    fn ranges(&mut self, shift: u32) -> R<Vec<Range32>> {
        let mut v = Vec::new();
        self.ranges_into(&mut v, shift)?;
        Ok(v)
    }
    fn strs(&mut self) -> R<Vec<&'a str>> {
        let lens = self.u32s()?;
        let total = self.len()?;
        let all = std::str::from_utf8(self.take(total)?)
            .map_err(|_| WireError("a string is not UTF-8".into()))?;
        let mut out = Vec::with_capacity(lens.len());
        let mut at = 0usize;
        for l in lens {
            let end = at + l as usize;
            out.push(all.get(at..end).ok_or_else(short)?);
            at = end;
        }
        Ok(out)
    }
    fn ids(&mut self) -> R<Vec<Option<IdKey>>> {
        let tags = self.u8s()?;
        let vals = self.fixed::<16>()?;
        if vals.len() != tags.len() {
            return Err(short());
        }
        tags.iter()
            .zip(vals)
            .map(|(t, v)| {
                let v = u128::from_le_bytes(v.try_into().unwrap());
                match t {
                    0 => Ok(None),
                    1 => Ok(Some(IdKey::num(v))),
                    2 => Ok(Some(IdKey::Text(StrId(v as u32)))),
                    _ => Err(WireError("an unknown id tag".into())),
                }
            })
            .collect()
    }
    fn values(&mut self) -> R<Vec<AttrValue>> {
        let tags = self.u8s()?;
        let vals = self.pods::<u64>()?;
        if vals.len() != tags.len() {
            return Err(short());
        }
        tags.iter()
            .zip(vals)
            .map(|(t, v)| match t {
                0 => Ok(AttrValue::Str(StrId(v as u32))),
                1 => Ok(AttrValue::Int(v as i64)),
                2 => Ok(AttrValue::Float(f64::from_bits(v))),
                3 => Ok(AttrValue::Bool(v != 0)),
                _ => Err(WireError("an unknown value tag".into())),
            })
            .collect()
    }
}

/// Moves ranges into an arena by `by` (where a delta's arena starts in the
/// receiver's).
fn shift_ranges(rs: &mut [Range32], by: u32) {
    for r in rs {
        *r = Range32::new(r.start.saturating_add(by), r.end.saturating_add(by));
    }
}

fn link_kind_of(v: u8) -> LinkKind {
    match v {
        1 => LinkKind::FollowsFrom,
        2 => LinkKind::SharedHalf,
        _ => LinkKind::Link,
    }
}

/// The strings of `ds` from index `from` on, for bringing a copy of its
/// string table up to date (read them with [`apply_strings`]).
pub fn encode_strings(ds: &Dataset, from: usize) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    write_strings(&mut w, ds, from..ds.strings.len());
    w.0
}

/// Strings `range` of `ds`, preceded by where they start in its table.
fn write_strings(w: &mut Writer, ds: &Dataset, range: Range<usize>) {
    w.len(range.start);
    w.strs(range.map(|i| ds.str(StrId(i as u32))));
}

/// Appends strings written by [`encode_strings`]; they must continue `ds`'s
/// table exactly where it ends (`from` equal to its length).
pub fn apply_strings(ds: &mut Dataset, bytes: &[u8]) -> Result<(), WireError> {
    push_strings(&mut Reader { buf: bytes, at: 0 }, ds)
}

fn push_strings(r: &mut Reader, ds: &mut Dataset) -> Result<(), WireError> {
    for s in read_strings(r, ds)? {
        ds.strings.push_new(s);
    }
    Ok(())
}

fn read_strings<'a>(r: &mut Reader<'a>, ds: &Dataset) -> Result<Vec<&'a str>, WireError> {
    let from = r.len()?;
    if from != ds.strings.len() {
        return Err(WireError(format!(
            "the string table is out of step ({from} strings expected, {} present)",
            ds.strings.len()
        )));
    }
    r.strs()
}

/// Strings, attributes, events and links per part: each part is applied in
/// a task of its own on the page, so no single task grows with the trace.
/// Halved (with columns sent in pieces) when parts of 8 MB took up to 186 ms
/// on the page with a million spans, and halved again when parts came to be
/// applied while the worker still works (a 96 ms task at 1M Zipkin spans).
const STRINGS_PER_PART: usize = 25_000;
const ITEMS_PER_PART: usize = 125_000;

fn part(tag: u8) -> Writer {
    let mut w = Writer(Vec::new());
    w.0.extend_from_slice(MAGIC);
    w.0.push(tag);
    w
}

/// Everything `ds` holds beyond the first `strings_from` strings (the new
/// strings, the arenas and `ds.traces[traces]`), as parts to hand to a
/// [`Receiver`] in order; the last part carries the traces.
pub fn encode(ds: &Dataset, strings_from: usize, traces: Range<usize>) -> Vec<Vec<u8>> {
    let mut parts = Vec::new();
    encode_each(ds, strings_from, traces, &mut |p| parts.push(p));
    parts
}

/// [`encode`], handing each part to `out` as soon as it is made: the worker
/// posts it at once, so the page applies one part while the next is made.
pub fn encode_each(
    ds: &Dataset,
    strings_from: usize,
    traces: Range<usize>,
    out: &mut dyn FnMut(Vec<u8>),
) {
    Delta::new(strings_from..ds.strings.len(), traces).each(ds, ds, out);
}

/// Trace `index` of `ds` alone, as parts for a [`Receiver`] whose string
/// table is a copy of all of `ds`'s (no strings go): only the attributes,
/// events, links and resources it points at, re-based.
pub fn encode_trace(ds: &Dataset, index: usize, out: &mut dyn FnMut(Vec<u8>)) {
    let mut alone = TraceAlone::new(index);
    while !alone.step(ds, usize::MAX) {}
    Delta::new(ds.strings.len()..ds.strings.len(), 0..1).each(ds, alone.tables(), out);
}

/// One trace taken out of its dataset with only the arena entries it points
/// at (attributes of events, links and resources too), re-based, in the
/// order met; its string ids stay the dataset's. Built a slice of spans per
/// [`Self::step`] (the tree in a step of its own), so the page can hand a
/// million-span trace to a worker between frames.
pub struct TraceAlone {
    index: usize,
    next_span: usize,
    tables: Dataset,
    resource_of: rustc_hash::FxHashMap<u32, u32>,
}

impl TraceAlone {
    pub fn new(index: usize) -> TraceAlone {
        TraceAlone {
            index,
            next_span: 0,
            tables: Dataset::default(),
            resource_of: Default::default(),
        }
    }

    /// The trace and its arenas (complete once [`Self::step`] said so).
    pub fn tables(&self) -> &Dataset {
        &self.tables
    }

    /// Takes up to `spans` more spans of trace `index` of `ds`, or its tree
    /// once all are in; true when done.
    pub fn step(&mut self, ds: &Dataset, spans: usize) -> bool {
        let Some(source) = ds.traces.get(self.index) else {
            return true;
        };
        let alone = &mut self.tables;
        if alone.traces.is_empty() {
            let mut t = Box::new(Trace {
                trace_id: source.trace_id,
                trace_id_text: source.trace_id_text,
                ..Trace::default()
            });
            t.add_warnings(source.warnings());
            t.reserve_exact(source.len());
            alone.traces.push(t);
        }
        let t = &mut alone.traces[0];
        // The source's times, whether or not adjusted ones are shown.
        if self.next_span == source.len() {
            t.tree = source.raw_tree();
            return true;
        }
        fn take<T: Clone>(from: &[T], r: Range32, to: &mut Vec<T>) -> Range32 {
            let start = to.len() as u32;
            to.extend_from_slice(&from[r.range()]);
            Range32::new(start, to.len() as u32)
        }
        let end = self.next_span.saturating_add(spans).min(source.len());
        t.append_spans(source, self.next_span..end);
        t.start_ns[self.next_span..end]
            .copy_from_slice(&source.raw_start_ns()[self.next_span..end]);
        for i in self.next_span..end {
            t.attrs[i] = take(&ds.attrs, t.attrs[i], &mut alone.attrs);
            let first = alone.events.len();
            t.events[i] = take(&ds.events, t.events[i], &mut alone.events);
            for e in &mut alone.events[first..] {
                e.attrs = take(&ds.attrs, e.attrs, &mut alone.attrs);
            }
            let first = alone.links.len();
            t.links[i] = take(&ds.links, t.links[i], &mut alone.links);
            for l in &mut alone.links[first..] {
                l.attrs = take(&ds.attrs, l.attrs, &mut alone.attrs);
            }
            let r = t.resource[i];
            t.resource[i] = *self.resource_of.entry(r).or_insert_with(|| {
                let mut res = ds.resources[r as usize];
                res.attrs = take(&ds.attrs, res.attrs, &mut alone.attrs);
                alone.resources.push(res);
                alone.resources.len() as u32 - 1
            });
        }
        self.next_span = end;
        false
    }
}

/// Where a delta's next part starts: a cursor that holds no borrow, so the
/// page can make one part per task of a dataset it only borrows within each.
#[derive(Clone, Debug)]
pub struct Delta {
    /// The strings that go (of the `strings` dataset), fixed when it starts.
    strings: Range<usize>,
    /// The traces that go (of the `tables` dataset).
    traces: Range<usize>,
    stage: Stage,
    /// Stop after the tables (the traces follow in another delta's stages).
    tables_only: bool,
}

#[derive(Clone, Copy, Debug)]
enum Stage {
    Sizes,
    Strings(usize),
    Attrs(usize),
    Events(usize),
    Links(usize),
    Resources(usize),
    /// How many traces follow: the receiver makes room for them once (a
    /// million traces grown by doubling copied hundreds of MB a task).
    Count,
    /// Trace `k`, column `c`, from value `lo`.
    Columns {
        k: usize,
        c: u8,
        lo: usize,
    },
    Last,
    Done,
}

impl Delta {
    /// Strings `strings` of the string table, then the arenas and `traces`
    /// of the tables' dataset.
    pub fn new(strings: Range<usize>, traces: Range<usize>) -> Delta {
        Delta {
            strings,
            traces,
            stage: Stage::Sizes,
            tables_only: false,
        }
    }

    /// The strings and arenas only ([`Self::traces_only`] sends the rest).
    fn tables_only(strings: Range<usize>) -> Delta {
        Delta {
            tables_only: true,
            ..Delta::new(strings, 0..0)
        }
    }

    /// The traces only, after a [`Self::tables_only`].
    fn traces_only(traces: Range<usize>) -> Delta {
        Delta {
            stage: Stage::Count,
            ..Delta::new(0..0, traces)
        }
    }

    /// Every part left, in order.
    fn each(mut self, strings: &Dataset, tables: &Dataset, out: &mut dyn FnMut(Vec<u8>)) {
        while let Some(p) = self.next_part(strings, tables) {
            out(p)
        }
    }

    /// The next part (None once the last went): strings come from
    /// `strings`, everything else from `tables` (the same dataset, or a
    /// [`TraceAlone`]'s).
    pub fn next_part(&mut self, strings: &Dataset, tables: &Dataset) -> Option<Vec<u8>> {
        let ds = tables;
        let chunk = |from: usize, len: usize| from..(from + ITEMS_PER_PART).min(len);
        let (next, w) = match self.stage {
            Stage::Sizes => {
                // First the sizes, so the receiver grows each arena once (not by doubling).
                let mut h = part(b'H');
                let text: usize = self
                    .strings
                    .clone()
                    .map(|i| strings.str(StrId(i as u32)).len())
                    .sum();
                for n in [
                    self.strings.len(),
                    text,
                    ds.attrs.len(),
                    ds.events.len(),
                    ds.links.len(),
                ] {
                    h.len(n);
                }
                (Stage::Strings(self.strings.start), h)
            }
            Stage::Strings(from) => {
                // One part even when no strings go: it says where they start.
                let to = (from + STRINGS_PER_PART).min(self.strings.end);
                let mut w = part(b'S');
                write_strings(&mut w, strings, from..to);
                let next = if to < self.strings.end {
                    Stage::Strings(to)
                } else {
                    Stage::Attrs(0)
                };
                (next, w)
            }
            Stage::Attrs(from) if from < ds.attrs.len() => {
                let a = &ds.attrs[chunk(from, ds.attrs.len())];
                let mut w = part(b'A');
                w.u32s(a.iter().map(|a| a.key.0));
                w.values(a.iter().map(|a| a.value));
                (Stage::Attrs(from + a.len()), w)
            }
            Stage::Attrs(_) => return self.skip_to(Stage::Events(0), strings, tables),
            Stage::Events(from) if from < ds.events.len() => {
                let e = &ds.events[chunk(from, ds.events.len())];
                let mut w = part(b'E');
                w.u64s(e.iter().map(|e| e.time_ns as u64));
                w.u32s(e.iter().map(|e| e.name.0));
                w.ranges(&e.iter().map(|e| e.attrs).collect::<Vec<_>>());
                (Stage::Events(from + e.len()), w)
            }
            Stage::Events(_) => return self.skip_to(Stage::Links(0), strings, tables),
            Stage::Links(from) if from < ds.links.len() => {
                let l = &ds.links[chunk(from, ds.links.len())];
                let mut w = part(b'L');
                w.ids(l.iter().map(|l| Some(l.trace_id)));
                w.u32s(l.iter().map(|l| l.trace_id_text.0));
                w.ids(l.iter().map(|l| Some(l.span_id)));
                w.u32s(l.iter().map(|l| l.span_id_text.0));
                w.u8s(&l.iter().map(|l| l.kind as u8).collect::<Vec<_>>());
                w.ranges(&l.iter().map(|l| l.attrs).collect::<Vec<_>>());
                (Stage::Links(from + l.len()), w)
            }
            Stage::Links(_) => return self.skip_to(Stage::Resources(0), strings, tables),
            // A million one-span traces each with its own process: a
            // million resources, once one part of 200 ms on the page.
            Stage::Resources(from) if from < ds.resources.len() => {
                let r = &ds.resources[chunk(from, ds.resources.len())];
                let mut w = part(b'R');
                w.u32s(r.iter().map(|r| r.service.0));
                w.ranges(&r.iter().map(|r| r.attrs).collect::<Vec<_>>());
                (Stage::Resources(from + r.len()), w)
            }
            Stage::Resources(_) => {
                let next = if self.tables_only {
                    Stage::Done
                } else {
                    Stage::Count
                };
                return self.skip_to(next, strings, tables);
            }
            Stage::Count => {
                let mut w = part(b'N');
                w.len(self.traces.len());
                (Stage::Columns { k: 0, c: 0, lo: 0 }, w)
            }
            Stage::Columns { k, c, lo } => {
                let (next, w) = self.columns(ds, k, c, lo);
                if w.0.len() <= 5 {
                    // Nothing went in it: straight to the last part.
                    return self.skip_to(next, strings, tables);
                }
                (next, w)
            }
            Stage::Last => {
                let mut w = part(b'T');
                w.len(self.traces.len());
                (Stage::Done, w)
            }
            Stage::Done => return None,
        };
        self.stage = next;
        Some(w.0)
    }

    fn skip_to(&mut self, stage: Stage, strings: &Dataset, tables: &Dataset) -> Option<Vec<u8>> {
        self.stage = stage;
        self.next_part(strings, tables)
    }

    /// One part of the traces' columns from trace `k`, column `c`, value
    /// `lo` on: several columns to a part; a long column in pieces (the
    /// receiver appends), so no part grows with a trace.
    fn columns(&self, ds: &Dataset, mut k: usize, mut c: u8, mut lo: usize) -> (Stage, Writer) {
        let traces = &ds.traces[self.traces.clone()];
        let first = k;
        let mut w = part(b'C');
        while let Some(t) = traces.get(k) {
            let len = column_len(t, c);
            let hi = (lo + PIECE).min(len);
            w.len(k);
            w.0.push(c);
            write_column(&mut w, t, c, lo..hi);
            lo = hi;
            if lo >= len {
                lo = 0;
                c += 1;
                if c == COLUMNS {
                    c = 0;
                    k += 1;
                }
            }
            if w.0.len() >= PART_BYTES || k - first >= TRACES_PER_PART {
                return (Stage::Columns { k, c, lo }, w);
            }
        }
        (Stage::Last, w)
    }
}

/// A part is closed once it holds this many bytes of columns.
const PART_BYTES: usize = 2 << 20;
/// A part starts at most this many traces: each is ~25 allocations on the
/// page (a part of 3,000 one-span traces took 60–150 ms there).
const TRACES_PER_PART: usize = 1_000;
/// A column is sent in pieces of at most this many values (≤ 1.1 MB).
const PIECE: usize = 1 << 16;
const COLUMNS: u8 = 24;

/// The number of values of column `c` (1 for the trace's id and max depth).
fn column_len(t: &Trace, c: u8) -> usize {
    let tr = &t.tree;
    match c {
        1..=16 => t.len(),
        17 => t.warnings().len(),
        18 => tr.links.len(),
        19 => tr.order.lists.len(),
        _ => 1,
    }
}

/// Values `r` of column `c` (all of it for the two single values).
fn write_column(w: &mut Writer, t: &Trace, c: u8, r: std::ops::Range<usize>) {
    let tr = &t.tree;
    // Parallel columns can be shorter than `len` in a trace built by hand.
    fn cut<'v, T>(v: &'v [T], r: &std::ops::Range<usize>) -> &'v [T] {
        &v[r.start.min(v.len())..r.end.min(v.len())]
    }
    match c {
        0 => {
            w.ids(std::iter::once(t.trace_id));
            w.u32(t.trace_id_text.0);
            // Its span and service counts: the receiver sizes the columns
            // once.
            w.len(t.len());
            w.u32(tr.services);
        }
        1 => w.ids(cut(&t.span_key, &r).iter().map(|k| Some(*k))),
        3 => w.ids(cut(&t.parent_key, &r).iter().copied()),
        2 | 4..=16 => {
            let (at, size) = column_at(c);
            // SAFETY: a column of values with no padding (ids of strings,
            // numbers, ranges, `repr(u8)` kinds and statuses, flags).
            let bytes = unsafe { t.column_bytes(at, size, r) };
            w.len(bytes.len() / size);
            w.0.extend_from_slice(bytes);
        }
        17 => w.strs(cut(t.warnings(), &r).iter().map(String::as_str)),
        18 => w.pods(cut(&tr.links, &r)),
        19 => w.pods(cut(&tr.order.lists, &r)),
        20 => w.u32(tr.order.roots),
        21 => w.u32(tr.max_depth),
        // Kept by the tree so that the page need not scan a million spans.
        22 => w.u64s([tr.order.bounds.0 as u64, tr.order.bounds.1 as u64].into_iter()),
        _ => w.u32(tr.errors),
    }
}

/// Appends `values` to the span column of `T`s at byte `at` of `t`
/// ([`column_at`]).
fn extend<T: Copy>(t: &mut Trace, (at, size): (usize, usize), values: &[T]) {
    assert!(size == size_of::<T>());
    // SAFETY: `column_at` gives a column's place and size; its values are
    // `T`s (the size agrees, and each caller names its column's type).
    unsafe { t.append_values(at, size, values.as_ptr().cast(), values.len()) };
}

/// Where span column `c` lies in a [`Trace`] (`offset_of!`) and its
/// values' size.
fn column_at(c: u8) -> (usize, usize) {
    macro_rules! at {
        ($c:ident: $t:ty) => {
            (std::mem::offset_of!(Trace, $c), size_of::<$t>())
        };
    }
    match c {
        1 => at!(span_key: IdKey),
        2 => at!(span_id_text: StrId),
        3 => at!(parent_key: Option<IdKey>),
        4 => at!(parent_id_text: StrId),
        5 => at!(service: StrId),
        6 => at!(name: StrId),
        7 => at!(start_ns: i64),
        8 => at!(duration_ns: i64),
        9 => at!(kind: SpanKind),
        10 => at!(status: StatusCode),
        11 => at!(status_message: StrId),
        12 => at!(resource: u32),
        13 => at!(attrs: Range32),
        14 => at!(events: Range32),
        15 => at!(links: Range32),
        _ => at!(flags: u8),
    }
}

/// Reads a piece of column `c`, appended to what came before.
fn read_column(r: &mut Reader, t: &mut Trace, c: u8, b: Lengths) -> R<()> {
    let tr = &mut t.tree;
    match c {
        0 => {
            t.trace_id = r.ids()?.into_iter().next().flatten();
            t.trace_id_text = StrId(r.u32()?);
            // Room for every span's columns at once, not doubling as pieces
            // arrive (a hint: never more than a sane amount on its say-so).
            let n = r.len()?.min(1 << 23);
            let services = r.u32()?;
            t.reserve_exact(n);
            t.tree.reserve_exact(n, services.min(1 << 23) as usize);
            t.tree.services = services;
        }
        1 => {
            let ids: Vec<IdKey> = r
                .ids()?
                .into_iter()
                .map(|k| k.unwrap_or(IdKey::num(0)))
                .collect();
            extend(t, column_at(c), &ids)
        }
        3 => extend(t, column_at(c), &r.ids()?),
        2 | 4..=16 => {
            let (at, size) = column_at(c);
            let bytes = r.pod_bytes(size)?;
            // A kind's or a status's byte is its `repr(u8)` value.
            let most = match c {
                9 => Some(SpanKind::Consumer as u8),
                10 => Some(StatusCode::Error as u8),
                _ => None,
            };
            if most.is_some_and(|most| bytes.iter().any(|&v| v > most)) {
                return Err(WireError(
                    "a span kind or status the app does not know".into(),
                ));
            }
            // SAFETY: any bytes are a value of these columns' types, the
            // kinds' and statuses' checked above.
            let from = unsafe { t.append_values(at, size, bytes.as_ptr(), bytes.len() / size) };
            match c {
                12 => t.resource[from..]
                    .iter_mut()
                    .for_each(|x| *x = x.saturating_add(b.resources)),
                13 => shift_ranges(&mut t.attrs[from..], b.attrs),
                14 => shift_ranges(&mut t.events[from..], b.events),
                15 => shift_ranges(&mut t.links[from..], b.links),
                _ => {}
            }
        }
        17 => {
            let warnings: Vec<String> = r.strs()?.into_iter().map(str::to_string).collect();
            t.add_warnings(&warnings);
        }
        18 => r.pods_into(&mut tr.links).map(drop)?,
        19 => r.pods_into(&mut tr.order.lists).map(drop)?,
        20 => tr.order.roots = r.u32()?,
        21 => tr.max_depth = r.u32()?,
        22 => {
            if let [a, b] = r.pods::<i64>()?[..] {
                tr.order.bounds = (a, b);
            }
        }
        23 => tr.errors = r.u32()?,
        _ => return Err(WireError("an unknown column".into())),
    }
    Ok(())
}

/// Trace `t` has all its columns: checked ([`check_trace`]), and its
/// fingerprint ([`Trace::fingerprint`]) noted in `whole` while it is at hand.
fn came_whole(t: &Trace, ds: &Dataset, whole: &mut Vec<u64>) -> R<()> {
    check_trace(t, ds)?;
    whole.push(t.fingerprint());
    Ok(())
}

/// Whether each id's text names one of `n_strings` strings or is made
/// from the id's value ([`StrId::HEX_ID`] and [`StrId::HEX_ID_32`], the two
/// largest `u32`s, which wrap to 0 and 1).
fn id_texts_within(texts: &[StrId], n_strings: usize) -> bool {
    all_below(texts.iter().map(|s| s.0.wrapping_add(2)), n_strings + 2)
}

/// Whether every value of `v` is below `limit`: its largest, found by a
/// fold that the compiler makes SIMD (as a load ends the page checks a
/// million spans' columns).
fn all_below(v: impl Iterator<Item = u32>, limit: usize) -> bool {
    v.reduce(u32::max).is_none_or(|m| (m as usize) < limit)
}

/// Whether every range ends within an arena of `len` items.
fn ranges_within(rs: &[Range32], len: usize) -> bool {
    all_below(rs.iter().map(|r| r.end), len + 1)
}

/// Whether a trace put together from columns is whole and points only at
/// what the dataset has.
fn check_trace(t: &Trace, ds: &Dataset) -> R<()> {
    let n = t.len();
    if !t.columns_agree() || !t.tree.fits(n) {
        return Err(WireError("a trace's columns differ in length".into()));
    }
    // The span columns were checked as each came whole (`column_within`).
    let n_strings = ds.strings.len();
    let strs_ok = all_below(t.tree.services().iter().map(|s| s.0), n_strings)
        && id_texts_within(&[t.trace_id_text], n_strings);
    let tr = &t.tree;
    // The roots, children, preorder and places in it are all spans.
    let tree_ok = all_below(tr.order.lists.iter().copied(), n)
        // A parent may also be NONE (u32::MAX), which wraps to 0.
        && all_below(tr.parent().iter().map(|p| p.wrapping_add(1)), n + 1)
        && all_below(tr.child_start().iter().copied(), tr.children().len() + 1);
    if !strs_ok || !tree_ok {
        return Err(past());
    }
    Ok(())
}

fn past() -> WireError {
    WireError("a trace points past what was sent".into())
}

/// Whether span column `c` of `t` points only at what the dataset has,
/// checked once it has a value a span (and again if more come: a trace
/// whose columns end up longer or shorter is refused whole). Each column
/// is checked in the task of the part that completes it: a million spans'
/// columns all checked with the last part took ~30 ms there.
fn column_within(t: &Trace, c: u8, ds: &Dataset) -> bool {
    let n_strings = ds.strings.len();
    let coming = |len: usize| len < t.len();
    let strs = |v: &[StrId]| coming(v.len()) || all_below(v.iter().map(|s| s.0), n_strings);
    let ids = |v: &[StrId]| coming(v.len()) || id_texts_within(v, n_strings);
    let ranges = |v: &[Range32], len| coming(v.len()) || ranges_within(v, len);
    match c {
        2 => ids(&t.span_id_text),
        4 => ids(&t.parent_id_text),
        5 => strs(&t.service),
        6 => strs(&t.name),
        11 => strs(&t.status_message),
        12 => coming(t.resource.len()) || all_below(t.resource.iter().copied(), ds.resources.len()),
        13 => ranges(&t.attrs, ds.attrs.len()),
        14 => ranges(&t.events, ds.events.len()),
        15 => ranges(&t.links, ds.links.len()),
        _ => true,
    }
}

/// Appends all parts made by [`encode`] at once; the indices of the new
/// traces. On error `ds` is as it was.
pub fn apply(ds: &mut Dataset, parts: &[Vec<u8>]) -> Result<Range<usize>, WireError> {
    let mut rx = Receiver::default();
    for p in parts {
        if let Some(r) = rx.part(ds, p)? {
            return Ok(r);
        }
    }
    rx.abort(ds);
    Err(WireError("the traces part is missing".into()))
}

/// The page's side: takes the parts of one delta in order, each as it
/// arrives; the dataset gains its traces with the last one.
#[derive(Default)]
pub struct Receiver {
    /// The dataset's lengths when this delta started: where its parts go,
    /// and what an aborted delta is cut back to.
    bases: Option<Lengths>,
    /// Traces being put together column by column.
    pending: Vec<Box<Trace>>,
    /// The fingerprint of each pending trace once it is whole, read while
    /// it is at hand: found again through a million boxes it took ~50 ms.
    whole: Vec<u64>,
    /// The last delta's, once it is in.
    arrived: Vec<u64>,
}

impl Receiver {
    pub const fn new() -> Receiver {
        Receiver {
            bases: None,
            pending: Vec::new(),
            whole: Vec::new(),
            arrived: Vec::new(),
        }
    }
    /// Applies one part; the new traces once the last part is in. On error
    /// everything of this delta is taken out again.
    pub fn part(
        &mut self,
        ds: &mut Dataset,
        bytes: &[u8],
    ) -> Result<Option<Range<usize>>, WireError> {
        let bases = *self.bases.get_or_insert(ds.lengths());
        let result = apply_part(ds, bytes, bases, &mut self.pending, &mut self.whole);
        match &result {
            Err(_) => self.abort(ds),
            Ok(Some(_)) => {
                self.bases = None;
                self.arrived = std::mem::take(&mut self.whole);
            }
            Ok(None) => {}
        }
        result
    }
    /// The fingerprints of the traces the last whole delta added, in order
    /// (taken: a second call gives none).
    pub fn take_arrived(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.arrived)
    }
    /// Takes out what the parts so far added (a failed or cancelled load).
    pub fn abort(&mut self, ds: &mut Dataset) {
        self.pending = Vec::new();
        self.whole = Vec::new();
        if let Some(b) = self.bases.take() {
            ds.truncate_tables(b);
        }
    }
}

fn apply_part(
    ds: &mut Dataset,
    bytes: &[u8],
    b: Lengths,
    pending: &mut Vec<Box<Trace>>,
    whole: &mut Vec<u64>,
) -> Result<Option<Range<usize>>, WireError> {
    if bytes.get(..4) != Some(MAGIC.as_slice()) || bytes.len() < 5 {
        return Err(WireError("not a Tracescope model buffer".into()));
    }
    let mut r = Reader { buf: bytes, at: 5 };
    let n_strings = ds.strings.len() as u32;
    let check = |ids: &[StrId]| -> R<()> {
        match all_below(ids.iter().map(|s| s.0), n_strings as usize) {
            true => Ok(()),
            false => Err(WireError("a string index is out of range".into())),
        }
    };
    let values_ok = |v: &[AttrValue]| {
        v.iter()
            .all(|v| !matches!(v, AttrValue::Str(s) if s.0 >= n_strings))
    };
    let within = |rs: &[Range32], len: usize| -> R<()> {
        match ranges_within(rs, len) {
            true => Ok(()),
            false => Err(WireError("a range points past its arena".into())),
        }
    };
    let mut traces = Vec::new();
    match bytes[4] {
        b'H' => {
            let mut n = [0usize; 5];
            for x in &mut n {
                // A hint only: never reserve more than a sane amount on its say-so.
                *x = r.len()?.min(1 << 28);
            }
            ds.strings.reserve(n[0], n[1]);
            ds.attrs.reserve(n[2]);
            ds.events.reserve(n[3]);
            ds.links.reserve(n[4]);
        }
        b'S' => push_strings(&mut r, ds)?,
        // A hint only, as the sizes are.
        b'N' => {
            let n = r.len()?.min(1 << 21);
            pending.reserve(n);
            whole.reserve(n);
        }
        b'A' => {
            let keys = r.strids()?;
            let values = r.values()?;
            check(&keys)?;
            if !values_ok(&values) || keys.len() != values.len() {
                return Err(WireError("an attribute is malformed".into()));
            }
            ds.attrs.extend(
                keys.into_iter()
                    .zip(values)
                    .map(|(key, value)| Attr { key, value }),
            );
        }
        b'E' => {
            let times = r.pods::<i64>()?;
            let names = r.strids()?;
            let attrs = r.ranges(b.attrs)?;
            check(&names)?;
            within(&attrs, ds.attrs.len())?;
            ds.events
                .extend(
                    times
                        .into_iter()
                        .zip(names)
                        .zip(attrs)
                        .map(|((time_ns, name), attrs)| Event {
                            time_ns,
                            name,
                            attrs,
                        }),
                );
        }
        b'L' => {
            let trace = r.ids()?;
            let trace_text = r.strids()?;
            let span = r.ids()?;
            let span_text = r.strids()?;
            let kind = r.u8s()?;
            let attrs = r.ranges(b.attrs)?;
            if !id_texts_within(&trace_text, n_strings as usize)
                || !id_texts_within(&span_text, n_strings as usize)
            {
                return Err(WireError("a string index is out of range".into()));
            }
            within(&attrs, ds.attrs.len())?;
            let n = trace.len();
            if [
                span.len(),
                trace_text.len(),
                span_text.len(),
                kind.len(),
                attrs.len(),
            ]
            .iter()
            .any(|&l| l != n)
            {
                return Err(WireError("a link is malformed".into()));
            }
            ds.links.extend((0..n).map(|i| Link {
                trace_id: trace[i].unwrap_or(IdKey::num(0)),
                trace_id_text: trace_text[i],
                span_id: span[i].unwrap_or(IdKey::num(0)),
                span_id_text: span_text[i],
                kind: link_kind_of(kind[i]),
                attrs: attrs[i],
            }));
        }
        b'R' => {
            let services = r.strids()?;
            let attrs = r.ranges(b.attrs)?;
            check(&services)?;
            within(&attrs, ds.attrs.len())?;
            ds.resources.extend(
                services
                    .into_iter()
                    .zip(attrs)
                    .map(|(service, attrs)| Resource { service, attrs }),
            );
        }
        b'C' => {
            while r.at < bytes.len() {
                let k = r.len()?;
                // Only the last trace grows, or a next one starts.
                if k > pending.len() || k + 1 < pending.len() {
                    return Err(WireError("columns of a trace out of order".into()));
                }
                if k == pending.len() {
                    // The trace before is whole: checked in this part's task,
                    // not all at once with the last part (a million one-span
                    // traces took 170 ms there).
                    if let Some(t) = pending.last() {
                        came_whole(t, ds, whole)?;
                    }
                    pending.push(Box::default());
                }
                let c = *r.take(1)?.first().unwrap_or(&u8::MAX);
                read_column(&mut r, &mut pending[k], c, b)?;
                if !column_within(&pending[k], c, ds) {
                    return Err(past());
                }
            }
        }
        b'T' => {
            if r.len()? != pending.len() {
                return Err(WireError("a trace is missing".into()));
            }
            if let Some(last) = pending.last() {
                came_whole(last, ds, whole)?;
            }
            traces = std::mem::take(pending);
        }
        _ => return Err(WireError("an unknown part".into())),
    }
    if r.at != bytes.len() {
        return Err(WireError("bytes left over at the end".into()));
    }
    if bytes[4] != b'T' {
        return Ok(None);
    }
    let start = ds.traces.len();
    if start == 0 {
        // Taken as they are: no second copy of a million traces.
        ds.traces = traces;
    } else {
        ds.traces.extend(traces);
    }
    Ok(Some(start..ds.traces.len()))
}

/// The decoding side (a Web Worker): keeps a copy of the receiver's string
/// table and turns each file into a delta for [`apply`].
#[derive(Default)]
pub struct Decoder {
    ds: Dataset,
}

impl Decoder {
    /// Brings the string table up to date ([`encode_strings`] of the receiver
    /// from where this copy ends).
    pub fn sync(&mut self, strings: &[u8]) -> Result<(), WireError> {
        apply_strings(&mut self.ds, strings)
    }
    /// How many strings this copy has (what the receiver must have before
    /// the next delta applies).
    pub fn strings(&self) -> usize {
        self.ds.strings.len()
    }
    /// Takes a delta of the receiver's (the strings this copy lacks and a
    /// [`TraceAlone`]'s tables) in place of any held before: the worker
    /// keeps the trace being exported while the user changes the settings.
    /// The traces it added; on error nothing is held.
    pub fn hold(&mut self, parts: &[Vec<u8>]) -> Result<Range<usize>, WireError> {
        self.keep_only_strings();
        apply(&mut self.ds, parts)
    }
    /// What [`Self::hold`] took (only the strings after a decode).
    pub fn held(&self) -> &Dataset {
        &self.ds
    }
    fn keep_only_strings(&mut self) {
        let strings = std::mem::take(&mut self.ds.strings);
        self.ds = Dataset {
            strings,
            ..Dataset::default()
        };
    }
    /// Decodes one file into a delta. On error nothing of it is kept.
    pub fn decode(
        &mut self,
        bytes: &[u8],
        on_progress: &mut dyn FnMut(usize),
    ) -> Result<(crate::DecodeSummary, Vec<Vec<u8>>), crate::DecodeError> {
        let mut parts = Vec::new();
        let sum = self.decode_each(bytes, on_progress, &mut |p| parts.push(p))?;
        Ok((sum, parts))
    }
    /// [`Self::decode`], handing each part of the delta to `out` as it is
    /// made ([`encode_each`]); the strings and arenas go before the trees
    /// are built, once nothing can fail (the receiver takes them meanwhile).
    /// On error `out` is not called.
    pub fn decode_each(
        &mut self,
        bytes: &[u8],
        on_progress: &mut dyn FnMut(usize),
        out: &mut dyn FnMut(Vec<u8>),
    ) -> Result<crate::DecodeSummary, crate::DecodeError> {
        self.decode_each_read_by(bytes, None, on_progress, out)
    }
    /// [`Self::decode_each`], read by `reader` when given
    /// ([`crate::decode::decode_bytes_read_by`]) instead of sniffed.
    pub fn decode_each_read_by(
        &mut self,
        bytes: &[u8],
        reader: Option<(crate::decode::Reader, crate::Format)>,
        on_progress: &mut dyn FnMut(usize),
        out: &mut dyn FnMut(Vec<u8>),
    ) -> Result<crate::DecodeSummary, crate::DecodeError> {
        self.keep_only_strings();
        let before = self.ds.strings.len();
        self.delta_of(
            before,
            out,
            |ds, on_tables| match reader {
                Some(r) => {
                    crate::decode::decode_bytes_read_by(ds, bytes, r, on_progress, on_tables)
                }
                None => crate::decode::decode_bytes_staged(ds, bytes, on_progress, on_tables),
            },
            |result| result.as_ref().ok(),
        )
    }

    /// Runs `decode` on the dataset and hands what it added to `out` as a
    /// delta: the tables from string `before` on as `decode` reports them,
    /// then, when `decoded` finds a summary in its result, the traces; when
    /// not, the strings are cut back to `before`. Only the strings stay:
    /// the receiver now has the rest.
    fn delta_of<T>(
        &mut self,
        before: usize,
        out: &mut dyn FnMut(Vec<u8>),
        decode: impl FnOnce(&mut Dataset, &mut dyn FnMut(&Dataset)) -> T,
        decoded: fn(&T) -> Option<&crate::DecodeSummary>,
    ) -> T {
        let mut on_tables =
            |ds: &Dataset| Delta::tables_only(before..ds.strings.len()).each(ds, ds, out);
        let result = decode(&mut self.ds, &mut on_tables);
        match decoded(&result) {
            Some(sum) => Delta::traces_only(sum.traces.clone()).each(&self.ds, &self.ds, out),
            None => self.ds.strings.truncate(before),
        }
        self.keep_only_strings();
        result
    }

    /// Decodes the first part of a file (see [`crate::decode::parts`]):
    /// what it read waits here for the later parts
    /// ([`Self::decode_parts_each`]). None when it does not read as one.
    pub fn first_part(
        &mut self,
        bytes: &[u8],
        stop: Option<usize>,
        on_progress: &mut dyn FnMut(usize),
    ) -> Option<crate::decode::parts::FirstPart> {
        self.keep_only_strings();
        crate::decode::parts::decode_first_part(&mut self.ds, bytes, stop, on_progress)
    }

    /// [`Self::decode_each_read_by`] of a file decoded in parts: its
    /// `first` here, the `later` ones by helper workers ([`read_part`]).
    /// None, with nothing added, when they do not fit together (the file is
    /// decoded whole).
    pub fn decode_parts_each(
        &mut self,
        first: crate::decode::parts::FirstPart,
        later: Vec<crate::decode::parts::Part>,
        on_progress: &mut dyn FnMut(usize),
        out: &mut dyn FnMut(Vec<u8>),
    ) -> Option<Result<crate::DecodeSummary, crate::DecodeError>> {
        self.delta_of(
            first.strings_before(),
            out,
            |ds, on_tables| {
                crate::decode::parts::merge_later(ds, first, later, on_progress, on_tables)
            },
            |result| result.as_ref()?.as_ref().ok(),
        )
    }
}

const PART_MAGIC: &[u8; 4] = b"TSP1";
/// `None` of a position.
const NO_POSITION: u64 = u64::MAX;

fn write_position(w: &mut Writer, p: Option<usize>) {
    w.0.extend_from_slice(&p.map_or(NO_POSITION, |p| p as u64).to_le_bytes());
}

fn read_position(r: &mut Reader) -> R<Option<usize>> {
    let v = u64::from_le_bytes(r.take(8)?.try_into().unwrap());
    Ok((v != NO_POSITION).then_some(v as usize))
}

fn write_deferred(w: &mut Writer, d: &crate::decode::jaeger::Deferred) {
    w.u32s(d.iter().map(|e| e.0 as u32));
    w.u32s(d.iter().map(|e| e.1 as u32));
    w.strs(d.iter().map(|e| e.2.as_str()));
}

fn read_deferred(r: &mut Reader) -> R<crate::decode::jaeger::Deferred> {
    let (t, i, pid) = (r.u32s()?, r.u32s()?, r.strs()?);
    if t.len() != i.len() || t.len() != pid.len() {
        return Err(short());
    }
    Ok((0..t.len())
        .map(|k| (t[k] as usize, i[k] as usize, pid[k].to_string()))
        .collect())
}

fn write_processes(w: &mut Writer, m: &rustc_hash::FxHashMap<String, u32>) {
    w.strs(m.keys().map(String::as_str));
    w.u32s(m.values().copied());
}

fn read_processes(r: &mut Reader) -> R<rustc_hash::FxHashMap<String, u32>> {
    let (k, v) = (r.strs()?, r.u32s()?);
    if k.len() != v.len() {
        return Err(short());
    }
    Ok(k.into_iter().map(str::to_string).zip(v).collect())
}

/// A part of a file decoded on a helper worker, as bytes for the worker
/// that merges it ([`read_part`]): where it began, its tables as a delta of
/// their own, its traces' columns (no trees yet) and its seam.
pub fn part_bytes(part: &crate::decode::parts::Part) -> Vec<u8> {
    let ds = &part.ds;
    let mut tables = Vec::new();
    Delta::tables_only(1..ds.strings.len()).each(ds, ds, &mut |p| tables.push(p));
    // Room for it all at once: grown by doubling, a part of 100 MB was
    // copied and touched about twice over (a fifth of the helper's writing).
    // The tables and a sixteenth more for the warnings and the seam.
    let spans: usize = ds.traces.iter().map(|t| t.len()).sum();
    let room = ds.traces.len() * PART_BYTES_A_TRACE + spans * PART_BYTES_A_SPAN;
    let tables_room: usize = tables.iter().map(|p| p.len() + 8).sum();
    let mut w = Writer(Vec::with_capacity(tables_room + room + room / 16 + 64));
    w.0.extend_from_slice(PART_MAGIC);
    write_position(&mut w, part.start);
    w.len(tables.len());
    tables.iter().for_each(|p| w.u8s(p));
    w.len(ds.traces.len());
    for t in &ds.traces {
        // The trace's id, then its span columns and warnings.
        for c in 0..=SPAN_COLUMNS_END {
            write_column(&mut w, t, c, 0..column_len(t, c));
        }
    }
    let seam = &part.seam;
    write_position(&mut w, seam.end);
    w.0.push(seam.closed_inherited as u8);
    write_deferred(&mut w, &seam.leading);
    write_processes(&mut w, &seam.inherited_processes);
    write_deferred(&mut w, &seam.trailing);
    write_processes(&mut w, &seam.trailing_processes);
    w.u32(seam.inherited_scopes);
    // The open resource: its three numbers, or none.
    let open = seam
        .open
        .map(|o| vec![o.service.0, o.resource, o.resource_attrs]);
    w.u32s(open.unwrap_or_default().into_iter());
    write_chrome(&mut w, seam.chrome.as_deref());
    w.strs(part.warnings.iter().map(String::as_str));
    w.0
}

/// A Chrome part's events (as their bytes), its `displayTimeUnit` and its
/// samples (their `args` go as its attributes); a 0 for another format.
fn write_chrome(w: &mut Writer, part: Option<&PartEvents>) {
    w.0.push(part.is_some() as u8);
    let Some(part) = part else { return };
    w.pods(&part.events);
    let unit = &part.display_unit;
    w.0.push(unit.as_ref().map_or(0, |u| 1 + u.is_some() as u8));
    w.strs(unit.as_ref().and_then(Option::as_deref).into_iter());
    // A count that may be absent, written as a position is.
    write_position(w, part.samples);
}

fn read_chrome(r: &mut Reader) -> R<Option<Box<PartEvents>>> {
    if r.take(1)?[0] == 0 {
        return Ok(None);
    }
    let events = r.pods()?;
    let tag = r.take(1)?[0];
    let display_unit = match (tag, r.strs()?.first()) {
        (0, None) => None,
        (1, None) => Some(None),
        (2, Some(unit)) => Some(Some(unit.to_string())),
        _ => return Err(short()),
    };
    Ok(Some(Box::new(PartEvents {
        events,
        args_attrs: Vec::new(),
        display_unit,
        samples: read_position(r)?,
    })))
}

/// What [`part_bytes`] writes for a trace besides its spans and warnings
/// (its id, text and span count, and 20 lengths: one a column, two for
/// each id column and for the warnings), and for a span (two ids of a tag
/// and 16 bytes, six string ids and two times, three ranges, three bytes).
const PART_BYTES_A_TRACE: usize = 33 + 4 + 8 + 20 * 8;
const PART_BYTES_A_SPAN: usize = 2 * 17 + 6 * 4 + 2 * 8 + 3 * 8 + 3;

/// The last column [`part_bytes`] writes of a trace: the warnings.
const SPAN_COLUMNS_END: u8 = 17;

/// A part written by [`part_bytes`]. Parts come from this module's own
/// helper workers: its tables are checked as any delta's are, and what the
/// merge makes of its traces is checked by the page ([`Receiver`]).
pub fn read_part(bytes: &[u8]) -> Result<crate::decode::parts::Part, WireError> {
    if bytes.get(..4) != Some(PART_MAGIC.as_slice()) {
        return Err(WireError("not a part of a file".into()));
    }
    let mut r = Reader { buf: bytes, at: 4 };
    let start = read_position(&mut r)?;
    let mut ds = Dataset::default();
    let bases = ds.lengths();
    for _ in 0..r.len()? {
        apply_part(&mut ds, r.u8s()?, bases, &mut Vec::new(), &mut Vec::new())?;
    }
    for _ in 0..r.len()? {
        let mut t = Box::<Trace>::default();
        for c in 0..=SPAN_COLUMNS_END {
            read_column(&mut r, &mut t, c, bases)?;
        }
        ds.traces.push(t);
    }
    let mut seam = crate::decode::parts::Seam {
        end: read_position(&mut r)?,
        closed_inherited: r.take(1)?[0] != 0,
        ..Default::default()
    };
    seam.leading = read_deferred(&mut r)?;
    seam.inherited_processes = read_processes(&mut r)?;
    seam.trailing = read_deferred(&mut r)?;
    seam.trailing_processes = read_processes(&mut r)?;
    seam.inherited_scopes = r.u32()?;
    seam.open = match r.u32s()?[..] {
        [] => None,
        [service, resource, resource_attrs] => Some(crate::decode::parts::OpenResource {
            service: StrId(service),
            resource,
            resource_attrs,
        }),
        _ => return Err(short()),
    };
    seam.chrome = read_chrome(&mut r)?;
    let warnings = r.strs()?.into_iter().map(str::to_string).collect();
    Ok(crate::decode::parts::Part {
        start,
        ds,
        seam,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_or_foreign_buffer_is_refused_and_nothing_is_added() {
        let mut src = Dataset::default();
        crate::decode_bytes(&mut src, br#"[{"traceId":"a1","id":"b1","name":"x","timestamp":1,"duration":2,"localEndpoint":{"serviceName":"s"}}]"#).unwrap();
        let buf = encode(&src, 1, 0..1);
        let last = buf.len() - 1;
        for cut in [0, 3, 10, buf[last].len() / 2, buf[last].len() - 1] {
            let mut ds = Dataset::default();
            let mut parts = buf.clone();
            parts[last].truncate(cut);
            assert!(apply(&mut ds, &parts).is_err(), "cut at {cut}");
            // Nothing of it stays: no traces, strings or attributes.
            assert!(ds.traces.is_empty() && ds.attrs.is_empty() && ds.strings.len() == 1);
        }
        // Without its last part nothing is applied either.
        let mut ds = Dataset::default();
        assert!(apply(&mut ds, &buf[..last]).is_err());
        assert_eq!(ds.strings.len(), 1);
        let mut ds = Dataset::default();
        assert_eq!(apply(&mut ds, &buf).unwrap(), 0..1);
        // Out of step: the receiver already has a different number of strings.
        let mut other = Dataset::default();
        other.strings.intern("something else");
        assert!(apply(&mut other, &buf)
            .unwrap_err()
            .0
            .contains("out of step"));
    }
}
