//! One file decoded in parts, each on a core of its own, and merged into
//! exactly what decoding it whole gives.
//!
//! A file of the streamed Jaeger, OTLP or Zipkin shape is cut between spans,
//! a Chrome `{"traceEvents": …}` between events; JSON Lines of OTLP
//! requests between spans too, each part reading on from one request to
//! the next; JSON Lines of Jaeger spans alone between lines. Where a
//! part begins is found without reading what comes before it: from its
//! nominal cut, the first object that looks like such an item
//! ([`first_item`]; the first line that is a span, [`first_line`]).
//! That guess is checked, not trusted: the part before reads on from its
//! own beginning and stops before the first item at or past the same cut
//! (it knows where items are), and the merge takes a part only where the
//! part before stopped exactly at that part's beginning. Anything else — a
//! guess that was wrong, a shape the streamed decoders do not read, a span
//! refused — and the file is decoded whole instead, so the result and its
//! error messages never depend on the cutting.
//!
//! A later part is read as if it began the file: a few bytes of context
//! ([`jaeger::part_prefix`], [`otlp::PART_PREFIX`]) go in front of its
//! bytes. What that context holds is in an earlier part, and the merge puts
//! it in:
//! - A Jaeger span names its process by an id that its trace object's
//!   `processes` map, possibly in another part, defines: such spans wait in
//!   the [`Seam`] until the merge reaches that map.
//! - An OTLP span's service and resource are those of the `resource` (and
//!   `scope`) it is inside, which come before its spans: the spans a part
//!   reads before its first resource of its own take them from the
//!   resource open where the part before stopped ([`OpenResource`]).
//! - A Chrome event's slice is made by matching it with events of any
//!   part (a `B` with its `E`, a step with its `S`) and nested by time
//!   over its whole thread: a part keeps its events as read, and the merge
//!   matches them in the file's order and writes the spans at the end.

use super::builder::{Builder, Suspended, UNRESOLVED};
use super::jaeger::{self, Deferred};
use super::pull::Pull;
use super::{chrome, otlp, zipkin};
use super::{detect, without_bom, DecodeError, DecodeSummary, Format};
use crate::model::*;
use rustc_hash::FxHashMap;
use std::ops::Range;

/// How far past its nominal end a part's bytes go: the part reads on to the
/// first item at or past the next cut (a span is a few hundred bytes; one of
/// megabytes makes the merge fall back to the whole file).
pub const MARGIN: usize = 4 << 20;

/// The fewest bytes worth a part of their own on a thread: below, one
/// part decodes faster than starting another thread and merging.
pub const PART_MIN_BYTES: usize = 8 << 20;

/// What the merge needs to know of a part's edges.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Seam {
    /// Where the part stopped (the first byte of the item it did not read),
    /// as a position in the bytes it read; None when it read them to the end.
    pub end: Option<usize>,
    /// The part read past the end of the trace object it began inside.
    pub closed_inherited: bool,
    /// Spans of that object waiting for its processes (from an earlier part).
    pub leading: Deferred,
    /// That object's processes, read in this part (id to resource).
    pub inherited_processes: FxHashMap<String, u32>,
    /// The object open where the part stopped: its spans waiting for its
    /// processes, and the processes read so far.
    pub trailing: Deferred,
    pub trailing_processes: FxHashMap<String, u32>,
    /// OTLP: how many of the part's first resources were made for scopes of
    /// the resource it began inside (they lack that resource's attributes
    /// and service, read by an earlier part).
    pub inherited_scopes: u32,
    /// OTLP: the resource open where the part stopped, when it is one the
    /// part began (None: still the one it began inside, or none).
    pub open: Option<OpenResource>,
    /// Chrome: the part's events as read, matched by the merge. Those of a
    /// later part go with their `args` in the part's attributes.
    pub chrome: Option<Box<chrome::PartEvents>>,
}

/// An OTLP resource open where a part stopped, as the part's own tables
/// hold it: what the spans of the next part read before a resource of
/// their own belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenResource {
    pub service: StrId,
    /// The resource of the scope open there (the resource's attributes,
    /// then the scope's).
    pub resource: u32,
    /// How many of its attributes are the resource's.
    pub resource_attrs: u32,
}

impl Seam {
    /// Keeps what a trace object cut at the part's stop has read: spans
    /// waiting for processes, and processes (of the object the part began
    /// inside when `inherited`).
    pub fn hold(&mut self, inherited: bool, waiting: Deferred, processes: FxHashMap<String, u32>) {
        if inherited {
            self.leading = waiting;
            self.inherited_processes = processes;
        } else {
            self.trailing = waiting;
            self.trailing_processes = processes;
        }
    }
}

/// A file's bytes that can be decoded in parts, and their format: Jaeger's
/// `{"data": …}` or one trace object (`{traceID, spans, processes}`,
/// proto-JSON's `{spans, processMap}`), or its spans alone a line each or
/// in one list (each with its process inline);
/// OTLP's `{"resourceSpans": …}` (or Tempo's `batches`),
/// bare or inside Jaeger API v3's `{"result": …}` or Tempo's `{"trace": …}`,
/// one or a line each;
/// Zipkin's `[span, …]` or `[[span, …], …]`; Chrome's `{"traceEvents": …}`.
pub fn format_of(bytes: &[u8]) -> Option<Format> {
    let list_of = |f| match f {
        // jaeger-anonymizer's list of spans begins as a Zipkin list does.
        Format::Zipkin if jaeger::begins_span_list(bytes) => Format::Jaeger,
        f => f,
    };
    detect::streamable(bytes)
        .map(list_of)
        .or_else(|| jaeger::begins_trace_object(bytes).then_some(Format::Jaeger))
        .or_else(|| jaeger::begins_span_lines(bytes).then_some(Format::Jaeger))
        .or_else(|| chrome::begins_events_object(bytes).then_some(Format::Chrome))
}

/// The format of a file whose later parts are read after `context` (what
/// [`context_of`] gave): named by it, or none at all for JSON Lines of
/// Jaeger spans, whose parts need none.
fn format_of_context(context: &[u8]) -> Option<Format> {
    match context {
        [] | jaeger::LIST_PART_PREFIX => Some(Format::Jaeger),
        _ => format_of(context),
    }
}

/// What a later part of the file that begins with `head` is read after:
/// the context it begins inside, up to its first span, whose closing
/// brackets are the file's. It names the format too ([`format_of`]).
pub fn context_of(head: &[u8]) -> Option<Vec<u8>> {
    let format = format_of(head)?;
    let key: Vec<u8> = without_bom(head)
        .iter()
        .filter(|b| !b.is_ascii_whitespace())
        .skip(1)
        .take(9)
        .copied()
        .collect();
    match format {
        Format::Jaeger => return Some(jaeger::part_prefix(head).to_vec()),
        Format::Chrome => return Some(chrome::PART_PREFIX.to_vec()),
        // Another format's bare list (Datadog's, X-Ray's) is read whole.
        Format::Zipkin if !begins_with_zipkin_span(head) => return None,
        // A list of lists: cut inside one of them.
        Format::Zipkin if key.first() == Some(&b'[') => return Some(b"[[".to_vec()),
        Format::Zipkin => return Some(zipkin::PART_PREFIX.to_vec()),
        _ => {}
    }
    let mut context = Vec::new();
    if let Some(wrapper) = [&b"\"result\":"[..], b"\"trace\":"]
        .into_iter()
        .find(|w| key.starts_with(w))
    {
        context.push(b'{');
        context.extend_from_slice(wrapper);
    }
    context.extend_from_slice(otlp::PART_PREFIX);
    Some(context)
}

/// Whether the list (or list of lists) `head` begins is of Zipkin spans,
/// judged as `detect` judges by its first item; true when `head` ends
/// before that item does (the parts find out).
fn begins_with_zipkin_span(head: &[u8]) -> bool {
    let mut r = Pull::new(without_bom(head));
    while r.list() {}
    match detect::item_span_like(&mut r) {
        Ok(first) => first == Some(Format::Zipkin),
        Err(_) => true,
    }
}

/// Reads a part of a file of `format` (see [`super::stream::run_part`]).
fn decode_part(
    format: Format,
    b: &mut Builder,
    bytes: &[u8],
    stop_inherited: (usize, bool),
) -> Option<Result<Seam, DecodeError>> {
    match format {
        Format::Otlp => otlp::decode_part(b, bytes, stop_inherited),
        Format::Zipkin => zipkin::decode_part(b, bytes, stop_inherited),
        Format::Chrome => chrome::decode_part(b, bytes, stop_inherited),
        _ => jaeger::decode_part(b, bytes, stop_inherited),
    }
}

/// How many parts a file of `len` bytes is worth on `cores` cores, a part
/// being worth at least `part_min_bytes`.
pub fn worth(len: usize, cores: usize, part_min_bytes: usize) -> usize {
    (len / part_min_bytes.max(1)).clamp(1, cores.max(1))
}

/// Where a file of `len` bytes is cut into `n` parts of about equal size.
pub fn cuts(len: usize, n: usize) -> Vec<usize> {
    cuts_weighted(len, n, 1.0)
}

/// Where a file of `len` bytes is cut into `n` parts, the first
/// `first_weight` times the size of each of the others.
pub fn cuts_weighted(len: usize, n: usize, first_weight: f64) -> Vec<usize> {
    let total = first_weight + n.saturating_sub(1) as f64;
    (1..n.max(1))
        .map(|k| ((first_weight + (k - 1) as f64) / total * len as f64) as usize)
        .collect()
}

/// The bytes part `k` reads of a file of `len` cut at `cuts`: from its cut
/// to [`MARGIN`] past the next one.
pub fn bytes_of(len: usize, cuts: &[usize], k: usize) -> Range<usize> {
    let start = if k == 0 { 0 } else { cuts[k - 1].min(len) };
    start
        ..cuts
            .get(k)
            .map_or(len, |&c| c.saturating_add(MARGIN).clamp(start, len))
}

/// Where in `bytes` the first object that looks like a span of `format`
/// begins: whole, with an id and a name or a start (a Chrome event: a
/// phase, or a time and a process, as `detect` tells one), and followed by
/// a comma or the end of its list (a reference or a link has an id but
/// neither). Each object tried is read whole, so objects nested deep would
/// make the search quadratic: it gives up (`Err`) once it has read
/// [`SEARCH_READS`] times `bytes` (or [`SEARCH_MIN`]), more than the objects
/// a part can begin inside (a trace or a resource, then a scope) take.
pub fn first_item(format: Format, bytes: &[u8]) -> Result<Option<usize>, GaveUp> {
    let wanted = |keys: &[String]| {
        let has = |k: &str| keys.iter().any(|x| x == k);
        match format {
            Format::Otlp => has("spanId") && (has("name") || has("startTimeUnixNano")),
            Format::Zipkin => has("traceId") && has("id"),
            Format::Chrome => detect::is_chrome_event(&has),
            _ => (has("spanID") || has("spanId")) && (has("operationName") || has("startTime")),
        }
    };
    let mut budget = bytes.len().saturating_mul(SEARCH_READS).max(SEARCH_MIN);
    let mut from = 0;
    while let Some(i) = bytes[from..].iter().position(|&c| c == b'{') {
        let at = from + i;
        from = at + 1;
        let mut r = super::pull::Pull::new(&bytes[at..]);
        let mut keys = Vec::new();
        let whole = r.each_key(|k, r| {
            keys.push(k.into_owned());
            r.skip()
        });
        if whole.is_ok() && matches!(r.peek(), b',' | b']') && wanted(&keys) {
            return Ok(Some(at));
        }
        budget = budget.checked_sub(r.here()).ok_or(GaveUp)?;
    }
    Ok(None)
}

/// Where in `bytes`, a part of JSON Lines of spans alone, the first value
/// begins that starts a line (or the part) and is a Jaeger span alone
/// (`detect::span_alone`). Each object tried is read, so the search gives
/// up as [`first_item`]'s does.
pub fn first_line(bytes: &[u8]) -> Result<Option<usize>, GaveUp> {
    let mut budget = bytes.len().saturating_mul(SEARCH_READS).max(SEARCH_MIN);
    let line_starts = std::iter::once(0).chain(
        bytes
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c == b'\n')
            .map(|(i, _)| i + 1),
    );
    for start in line_starts {
        let mut r = Pull::new(&bytes[start..]);
        if r.peek() != b'{' {
            continue;
        }
        let at = start + r.here();
        if detect::next_value_and_span_alone(&mut r).is_ok_and(|(_, f)| f == Some(Format::Jaeger)) {
            return Ok(Some(at));
        }
        budget = budget.checked_sub(r.here()).ok_or(GaveUp)?;
    }
    Ok(None)
}

/// How many times its bytes [`first_item`] reads before it gives up.
pub const SEARCH_READS: usize = 3;

/// And how many bytes it may read at least: a part's last bytes, with no
/// span left to find, are read once for each level their objects nest.
pub const SEARCH_MIN: usize = 1 << 20;

/// The search for a part's first item cost more than it is worth: the file
/// is decoded whole.
#[derive(Debug, PartialEq)]
pub struct GaveUp;

/// Decodes the first part, `bytes` from the file's start, into `b`,
/// stopping before the first item at or past `stop` (None: to the end).
fn decode_first(
    format: Format,
    b: &mut Builder,
    bytes: &[u8],
    stop: Option<usize>,
) -> Option<Result<Seam, DecodeError>> {
    let raw = without_bom(bytes);
    let bom = bytes.len() - raw.len();
    let stop = stop.map_or(usize::MAX, |s| s.saturating_sub(bom));
    let mut seam = decode_part(format, b, raw, (stop, false))?;
    if let Ok(s) = &mut seam {
        s.end = s.end.map(|e| e + bom);
    }
    Some(seam)
}

/// A part of a file, decoded on its own (on a thread or a helper worker).
#[derive(Debug, Default)]
pub struct Part {
    /// Where in the file it began (None: no item begins in its bytes).
    pub start: Option<usize>,
    /// What it read: its traces as read (no trees), with its own tables.
    pub ds: Dataset,
    pub seam: Seam,
    /// Warnings for every trace of the file.
    pub warnings: Vec<String>,
}

/// Decodes a later part of a file: `bytes`, which begin at `at` in the
/// file, from their first item on, read after `prefix` (the file's
/// [`context_of`]), stopping before the first item at or past `stop`. None
/// when it does not read as such a part (the file is decoded whole).
/// `bytes` are changed: the prefix is written over the end of the item cut
/// at their start (read by the part before) when it fits there, so a part
/// of hundreds of megabytes is not copied.
pub fn decode_later(
    prefix: &[u8],
    bytes: &mut [u8],
    at: usize,
    stop: Option<usize>,
) -> Option<Part> {
    let format = format_of_context(prefix)?;
    let found = match prefix {
        [] => first_line(bytes),
        _ => first_item(format, bytes),
    };
    let Some(first) = found.ok()? else {
        return Some(Part::default());
    };
    let start = at + first;
    let copied;
    let text = match first.checked_sub(prefix.len()) {
        Some(from) => {
            bytes[from..first].copy_from_slice(prefix);
            &bytes[from..]
        }
        None => {
            copied = [prefix, &bytes[first..]].concat();
            &copied[..]
        }
    };
    let stop = stop.map_or(usize::MAX, |s| prefix.len() + s.saturating_sub(start));
    let mut ds = Dataset::default();
    let mut b = Builder::new(&mut ds);
    let mut seam = decode_part(format, &mut b, text, (stop, true))?.ok()?;
    let (traces, warnings) = b.into_traces();
    ds.traces = traces;
    // Chrome: the events' `args` go as the part's attributes, handed over
    // with its strings.
    if let Some(events) = &mut seam.chrome {
        ds.attrs = std::mem::take(&mut events.args_attrs);
    }
    seam.end = seam.end.map(|e| start + e - prefix.len());
    Some(Part {
        start: Some(start),
        ds,
        seam,
        warnings,
    })
}

/// The first part of a file, decoded into the dataset that gets the
/// whole file: what it read waits there for the later parts.
pub struct FirstPart {
    format: Format,
    held: Suspended,
    seam: Seam,
    /// The dataset's tables before it (what a failed merge cuts them back to).
    before: Lengths,
}

impl FirstPart {
    /// How many strings the dataset had before it.
    pub fn strings_before(&self) -> usize {
        self.before.strings as usize
    }
}

/// Decodes the first part of a file (`bytes`, from its start) into `ds`,
/// stopping before the first item at or past `stop`. None, with `ds` as it
/// was, when it does not read as such a part (the file is decoded whole).
pub fn decode_first_part(
    ds: &mut Dataset,
    bytes: &[u8],
    stop: Option<usize>,
    on_progress: &mut dyn FnMut(usize),
) -> Option<FirstPart> {
    let format = format_of(bytes)?;
    let before = ds.lengths();
    let mut b = Builder::with_progress(ds, on_progress);
    match decode_first(format, &mut b, bytes, stop) {
        Some(Ok(seam)) => Some(FirstPart {
            format,
            held: b.suspend(),
            seam,
            before,
        }),
        _ => {
            drop(b);
            ds.truncate_tables(before);
            None
        }
    }
}

/// Takes later parts, in order, into the builder that decoded the first.
pub struct Merge {
    format: Format,
    /// Where the next part must begin (None: the file was read to its end).
    next: Option<usize>,
    /// Jaeger: the trace object open where the parts so far end: its
    /// processes (resources of the builder) and its spans waiting for them.
    processes: FxHashMap<String, u32>,
    waiting: Deferred,
    /// OTLP: the resource open where the parts so far end.
    open: Option<OpenResource>,
    /// Chrome: the events of the parts so far, matched in the file's order.
    chrome: Option<Box<chrome::Events>>,
}

/// The parts do not fit together: the file is decoded whole instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mismatch;

impl Merge {
    /// After the first part, of `format`, whose seam is `first`.
    pub fn new(format: Format, first: Seam) -> Merge {
        Merge {
            format,
            next: first.end,
            processes: first.trailing_processes,
            waiting: first.trailing,
            open: first.open,
            chrome: first.chrome.map(|read| {
                let mut events = chrome::Events::new();
                events.take(*read);
                Box::new(events)
            }),
        }
    }

    /// Appends `part` to what `b` holds: its strings interned, its arenas
    /// after the builder's, its traces after the builder's or continuing
    /// them (so traces and spans come in the order of the whole file).
    pub fn absorb(&mut self, b: &mut Builder, mut part: Part) -> Result<(), Mismatch> {
        let Some(next) = self.next else {
            // The part before read to the end: anything found after its
            // cut was not an item.
            return Ok(());
        };
        if part.start != Some(next) {
            return Err(Mismatch);
        }
        let p = &part.ds;
        b.ds.strings.reserve(p.strings.len(), p.strings.text_len());
        let strings: Vec<StrId> = (0..p.strings.len() as u32)
            .map(|i| b.intern(p.str(StrId(i))))
            .collect();
        let s = |id: StrId| match id {
            id if id.hex_digits().is_some() => id,
            id => strings[id.0 as usize],
        };
        let id = |k: IdKey| match k {
            IdKey::Text(t) => IdKey::Text(s(t)),
            n => n,
        };
        let attr = |a: &Attr| Attr {
            key: s(a.key),
            value: match a.value {
                AttrValue::Str(v) => AttrValue::Str(s(v)),
                v => v,
            },
        };
        if let Some(events) = &mut self.chrome {
            // Its events, matched after those of the parts before.
            let mut read = part.seam.chrome.take().ok_or(Mismatch)?;
            read.args_attrs = p.attrs.iter().map(attr).collect();
            let args = read.args_attrs.len() as u32;
            for e in &mut read.events {
                *e = e.moved(&strings, args).ok_or(Mismatch)?;
            }
            events.take(*read);
            self.next = part.seam.end;
            return Ok(());
        }
        let base = b.ds.lengths();
        let shift = |r: Range32, by: u32| Range32::new(r.start + by, r.end + by);
        b.ds.attrs.extend(p.attrs.iter().map(attr));
        b.ds.events.extend(p.events.iter().map(|e| Event {
            name: s(e.name),
            attrs: shift(e.attrs, base.attrs),
            ..*e
        }));
        b.ds.links.extend(p.links.iter().map(|l| Link {
            trace_id: id(l.trace_id),
            trace_id_text: s(l.trace_id_text),
            span_id: id(l.span_id),
            span_id_text: s(l.span_id_text),
            attrs: shift(l.attrs, base.attrs),
            ..*l
        }));
        // A resource also made by an earlier part is kept once when the
        // builder finishes.
        b.ds.resources.extend(p.resources.iter().map(|r| Resource {
            service: s(r.service),
            attrs: shift(r.attrs, base.attrs),
        }));
        let seam = &part.seam;
        // OTLP: the spans read inside the resource the part began in, and
        // the resources of that resource's scopes, are completed from the
        // resource open where the part before stopped.
        let inherited = match self.format {
            Format::Otlp => {
                let open = self.open.ok_or(Mismatch)?;
                let scopes = base.resources..base.resources + seam.inherited_scopes;
                scopes.clone().for_each(|r| complete_scope(b, r, open));
                Some((open, scopes))
            }
            _ => None,
        };
        // Where each of the part's traces went: (trace, its spans before).
        // A trace's columns are made the builder's in place, then the trace
        // is taken whole, or appended to the one it continues: pushed span
        // by span, or copied into new columns, the merge was slower than
        // decoding the part here.
        let mut went = Vec::with_capacity(p.traces.len());
        for mut t in std::mem::take(&mut part.ds.traces) {
            t.trace_id = Some(t.trace_id.map_or(IdKey::num(0), id));
            t.trace_id_text = s(t.trace_id_text);
            map_in_place(&mut t.span_key, &id);
            map_in_place(&mut t.span_id_text, &s);
            map_in_place(&mut t.parent_key, &|k| k.map(id));
            map_in_place(&mut t.parent_id_text, &s);
            map_in_place(&mut t.service, &s);
            map_in_place(&mut t.name, &s);
            map_in_place(&mut t.status_message, &s);
            map_in_place(&mut t.resource, &|r| match r {
                UNRESOLVED => UNRESOLVED,
                r => r + base.resources,
            });
            map_in_place(&mut t.attrs, &|r| shift(r, base.attrs));
            map_in_place(&mut t.events, &|r| shift(r, base.events));
            map_in_place(&mut t.links, &|r| shift(r, base.links));
            if let Some((open, scopes)) = &inherited {
                for (r, service) in t.resource.iter_mut().zip(t.service.iter_mut()) {
                    if *r == UNRESOLVED {
                        *r = open.resource;
                        *service = open.service;
                    } else if scopes.contains(r) {
                        *service = open.service;
                    }
                }
            }
            b.count_pushed(t.len());
            went.push(b.adopt(t));
        }
        b.warnings.extend_from_slice(&part.warnings);
        match (self.format, inherited) {
            (_, Some((open, _))) => self.follow_resources(seam, open, &s, base.resources),
            (Format::Jaeger, None) => self.follow_processes(b, seam, &went, base.resources)?,
            _ => {}
        }
        self.next = seam.end;
        Ok(())
    }

    /// Jaeger: spans of the trace object open across the part's start get
    /// their processes once that object ends.
    fn follow_processes(
        &mut self,
        b: &mut Builder,
        seam: &Seam,
        went: &[(usize, usize)],
        resources_before: u32,
    ) -> Result<(), Mismatch> {
        let moved = |d: &Deferred| -> Deferred {
            d.iter()
                .map(|(t, i, pid)| (went[*t].0, went[*t].1 + i, pid.clone()))
                .collect()
        };
        let processes = |list: &FxHashMap<String, u32>| -> FxHashMap<String, u32> {
            list.iter()
                .map(|(pid, r)| (pid.clone(), r + resources_before))
                .collect()
        };
        // A second processes map for one trace object: the whole-file
        // decoder refuses the shape (and says why).
        if !self.processes.is_empty() && !seam.inherited_processes.is_empty() {
            return Err(Mismatch);
        }
        self.processes.extend(processes(&seam.inherited_processes));
        self.waiting.extend(moved(&seam.leading));
        if seam.closed_inherited {
            jaeger::resolve(b, std::mem::take(&mut self.waiting), &self.processes);
            self.processes = processes(&seam.trailing_processes);
            self.waiting = moved(&seam.trailing);
        } else if !seam.trailing.is_empty() || !seam.trailing_processes.is_empty() {
            return Err(Mismatch);
        }
        Ok(())
    }

    /// OTLP: the resource open where this part stopped, which the next
    /// part's first spans belong to.
    fn follow_resources(
        &mut self,
        seam: &Seam,
        open: OpenResource,
        s: &dyn Fn(StrId) -> StrId,
        resources_before: u32,
    ) {
        self.open = match (seam.open, seam.closed_inherited) {
            (Some(own), _) => Some(OpenResource {
                service: s(own.service),
                resource: own.resource + resources_before,
                ..own
            }),
            // Still inside the resource it began in: in its last scope.
            (None, false) => Some(match seam.inherited_scopes {
                0 => open,
                n => OpenResource {
                    resource: resources_before + n - 1,
                    ..open
                },
            }),
            // Read to the file's end (a part stops only inside a scope).
            (None, true) => None,
        };
    }

    /// Whether every part fitted and the last read to the file's end.
    /// Zipkin: and no span id of a trace is in two parts (its pieces would
    /// merge, or its halves split, only when decoded whole).
    pub fn done(&self, b: &Builder) -> Result<(), Mismatch> {
        let joined = self.format != Format::Zipkin || zipkin::ids_apart(b);
        match (self.next, self.waiting.is_empty(), joined) {
            (None, true, true) => Ok(()),
            _ => Err(Mismatch),
        }
    }
}

/// Resource `r`, made by a later part for a scope of the resource `open`
/// (read by an earlier part), as decoding the file whole makes it: that
/// resource's attributes, then the scope's, and its service. (The scope's
/// attributes where the part put them are left unused.)
fn complete_scope(b: &mut Builder, r: u32, open: OpenResource) {
    let resource_start = b.ds.resources[open.resource as usize].attrs.start as usize;
    let of_resource = resource_start..resource_start + open.resource_attrs as usize;
    let of_scope = b.ds.resources[r as usize].attrs;
    let from = b.ds.attrs.len() as u32;
    b.ds.attrs.extend_from_within(of_resource);
    b.ds.attrs.extend_from_within(of_scope.range());
    b.ds.resources[r as usize] = Resource {
        service: open.service,
        attrs: Range32::new(from, b.ds.attrs.len() as u32),
    };
}

/// Puts each value of `column` through `f`: one loop for the columns of a
/// type (the merge is in the page's bundle, which is tight).
fn map_in_place<T: Copy>(column: &mut [T], f: &dyn Fn(T) -> T) {
    column.iter_mut().for_each(|x| *x = f(*x));
}

/// Decodes `bytes` (plain or gzip) in `n` parts, the later ones on threads
/// of their own, into `ds`; decoded whole when the file cannot be (another
/// format or shape, a part that does not fit, a span refused). What the
/// `inspect` tool and the tests use; the page's worker runs the same steps
/// in workers of its own.
pub fn decode_in_parts(
    ds: &mut Dataset,
    bytes: &[u8],
    n: usize,
) -> Result<DecodeSummary, DecodeError> {
    let unpacked = super::gunzip_if_needed(bytes)?;
    match merged(ds, &unpacked, &cuts(unpacked.len(), n)) {
        Some(sum) => Ok(sum),
        None => super::decode_bytes(ds, &unpacked),
    }
}

/// Decodes plain `bytes` cut at `cuts` into `ds`: None, with `ds` as it
/// was, when they cannot be decoded in those parts. The first part here
/// while the later ones decode on threads of their own, then merged as the
/// page's worker merges its helpers' parts.
pub fn merged(ds: &mut Dataset, bytes: &[u8], cuts: &[usize]) -> Option<DecodeSummary> {
    let context = context_of(bytes)?;
    let context = context.as_slice();
    if cuts.is_empty() {
        return None;
    }
    let len = bytes.len();
    let (first, later) = std::thread::scope(|scope| {
        let jobs: Vec<_> = (1..=cuts.len())
            .map(|k| {
                let r = bytes_of(len, cuts, k);
                let stop = cuts.get(k).copied();
                // The file is shared by the threads: each part a copy.
                scope.spawn(move || {
                    decode_later(context, &mut bytes[r.clone()].to_vec(), r.start, stop)
                })
            })
            .collect();
        let first = decode_first_part(
            ds,
            &bytes[bytes_of(len, cuts, 0)],
            cuts.first().copied(),
            &mut |_| {},
        );
        let later: Vec<Part> = jobs
            .into_iter()
            .filter_map(|j| j.join().ok().flatten())
            .collect();
        (first, later)
    });
    // A part that did not decode leaves a gap the merge finds.
    merge_later(ds, first?, later, &mut |_| {}, &mut |_| {})?.ok()
}

/// The later parts of a file, decoded apart, merged in order after its
/// first: None, with `ds` as it was before the first, when they do not fit
/// together (the file is decoded whole instead).
pub fn merge_later(
    ds: &mut Dataset,
    first: FirstPart,
    later: Vec<Part>,
    on_progress: &mut dyn FnMut(usize),
    on_tables: &mut dyn FnMut(&Dataset),
) -> Option<Result<DecodeSummary, DecodeError>> {
    let before = first.before;
    let mut b = Builder::resume(ds, first.held, on_progress);
    let format = first.format;
    let mut merge = Merge::new(format, first.seam);
    let fitted: Result<(), Mismatch> = later
        .into_iter()
        .try_for_each(|p| merge.absorb(&mut b, p))
        .and_then(|()| merge.done(&b));
    // Chrome: the events matched, nested and written as spans (a file
    // with none to show is decoded whole, which says so).
    let written = match merge.chrome.take() {
        Some(events) => fitted.and_then(|()| chrome::finish(&mut b, *events).map_err(|_| Mismatch)),
        None => fitted,
    };
    if written.is_err() {
        drop(b);
        ds.truncate_tables(before);
        return None;
    }
    Some(super::finish(b, format, true, on_tables))
}
