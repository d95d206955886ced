//! What every decoder writes into: groups spans by trace id and appends them
//! column-wise to a [`Dataset`]. Traces enter the dataset only in
//! [`Builder::finish`], so a decoder that fails leaves the dataset's traces
//! as they were.

use super::borrowed::Any;
use super::ids;
use super::pull::{Pull, Read};
use crate::model::*;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::hash::BuildHasher;

/// One span as a decoder sees it; attributes, events and links are pushed to
/// the arenas first (see [`Builder::attr`] and friends) and referenced here.
#[derive(Debug, Clone)]
pub struct SpanIn {
    pub trace: IdKey,
    pub trace_text: StrId,
    pub key: IdKey,
    pub id_text: StrId,
    pub parent: Option<(IdKey, StrId)>,
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

/// Start and duration from an optional start and end (ns), with the flags
/// that say which was missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub start_ns: i64,
    pub duration_ns: i64,
    pub flags: u8,
}

impl Timing {
    pub fn from_start_end(start: Option<i64>, end: Option<i64>) -> Timing {
        let mut f = 0;
        if start.is_none() {
            f |= flags::NO_START;
        }
        // Without a start the end says nothing of the duration.
        let duration = start.zip(end).map(|(s, e)| e.saturating_sub(s));
        if duration.is_none() {
            f |= flags::NO_DURATION;
        }
        Timing {
            start_ns: start.unwrap_or(0),
            duration_ns: duration.unwrap_or(0),
            flags: f,
        }
    }
}

/// The longest key under which a nested object is still flattened into
/// dotted keys; under a longer one, the object is one attribute of JSON text.
pub const FLAT_KEY_MAX: usize = 64;

/// Spans after which a decoder that knows how many it will push (Zipkin's
/// rows, Chrome's slices) gives the builder room for all of them.
pub const EXPECT_AFTER: usize = 1024;

/// The resource of a span decoded before its resource is known (a Jaeger
/// span before its trace's `processes`, an OTLP span of a part of a file
/// before the merge): the decoder or the merge puts it in.
pub const UNRESOLVED: u32 = u32::MAX;

pub struct Builder<'a> {
    pub ds: &'a mut Dataset,
    by_trace: FxHashMap<IdKey, usize>,
    traces: Vec<Box<Trace>>,
    service_resources: FxHashMap<StrId, u32>,
    /// Resources made from a text (a Jaeger span's inline process), by
    /// that text: kept across the values of JSON Lines.
    resources_by_text: FxHashMap<String, u32>,
    pub warnings: Vec<String>,
    /// Told the number of spans decoded so far, every [`PROGRESS_EVERY`] spans.
    on_progress: Option<&'a mut dyn FnMut(usize)>,
    pushed: usize,
    /// The dataset's tables (and bytes of text) when this builder started.
    start: (Lengths, usize),
    /// The dataset's tables when it began: what [`Self::restart`] cuts
    /// them back to (`start` may move on, [`Self::expect_from_here`]).
    began: Lengths,
    /// The last trace id read, as text and as read: the spans of a trace
    /// mostly come together, and each names its trace.
    last_trace: (String, IdKey, StrId),
}

/// A builder's own state, without its dataset or progress callback: what a
/// decode that waits (for parts of its file decoded elsewhere) holds instead
/// of a borrow of the dataset.
pub struct Suspended {
    by_trace: FxHashMap<IdKey, usize>,
    traces: Vec<Box<Trace>>,
    service_resources: FxHashMap<StrId, u32>,
    resources_by_text: FxHashMap<String, u32>,
    warnings: Vec<String>,
    pushed: usize,
    start: (Lengths, usize),
    began: Lengths,
    last_trace: (String, IdKey, StrId),
}

/// How often (in spans) a builder reports progress.
pub const PROGRESS_EVERY: usize = 16_384;

impl<'a> Builder<'a> {
    pub fn new(ds: &'a mut Dataset) -> Self {
        Builder {
            by_trace: FxHashMap::default(),
            traces: Vec::new(),
            service_resources: FxHashMap::default(),
            resources_by_text: FxHashMap::default(),
            warnings: Vec::new(),
            on_progress: None,
            pushed: 0,
            start: (ds.lengths(), ds.strings.text_len()),
            began: ds.lengths(),
            last_trace: (String::new(), IdKey::num(0), StrId(0)),
            ds,
        }
    }
    pub fn with_progress(ds: &'a mut Dataset, on_progress: &'a mut dyn FnMut(usize)) -> Self {
        Builder {
            on_progress: Some(on_progress),
            ..Builder::new(ds)
        }
    }

    /// Its state, to go on with later on the same dataset ([`Self::resume`]).
    pub fn suspend(self) -> Suspended {
        Suspended {
            by_trace: self.by_trace,
            traces: self.traces,
            service_resources: self.service_resources,
            resources_by_text: self.resources_by_text,
            warnings: self.warnings,
            pushed: self.pushed,
            start: self.start,
            began: self.began,
            last_trace: self.last_trace,
        }
    }
    /// Goes on where [`Self::suspend`] left off; `ds` must be the dataset it
    /// built into, as it left it.
    pub fn resume(
        ds: &'a mut Dataset,
        s: Suspended,
        on_progress: &'a mut dyn FnMut(usize),
    ) -> Self {
        Builder {
            ds,
            by_trace: s.by_trace,
            traces: s.traces,
            service_resources: s.service_resources,
            resources_by_text: s.resources_by_text,
            warnings: s.warnings,
            on_progress: Some(on_progress),
            pushed: s.pushed,
            start: s.start,
            began: s.began,
            last_trace: s.last_trace,
        }
    }

    pub fn intern(&mut self, s: &str) -> StrId {
        self.ds.strings.intern(s)
    }
    pub fn trace_id(&mut self, s: &str) -> (IdKey, StrId) {
        let (text, key, id) = &mut self.last_trace;
        if text != s || text.is_empty() {
            *key = ids::trace_key(&mut self.ds.strings, s);
            *id = ids::id_text(&mut self.ds.strings, *key, s);
            text.clear();
            text.push_str(s);
        }
        (*key, *id)
    }
    pub fn span_id(&mut self, s: &str) -> (IdKey, StrId) {
        let key = ids::span_key(&mut self.ds.strings, s);
        (key, ids::id_text(&mut self.ds.strings, key, s))
    }
    /// A parent id, or None for the formats' "no parent" spellings.
    pub fn parent_id(&mut self, s: Option<&str>) -> Option<(IdKey, StrId)> {
        match s {
            Some(p) if !ids::is_null_id(p) => Some(self.span_id(p)),
            _ => None,
        }
    }

    pub fn mark(&self) -> u32 {
        self.ds.attrs.len() as u32
    }
    pub fn since(&self, start: u32) -> Range32 {
        Range32::new(start, self.ds.attrs.len() as u32)
    }
    pub fn attr(&mut self, key: &str, value: AttrValue) {
        let key = self.intern(key);
        self.attr_key(key, value);
    }
    pub fn attr_key(&mut self, key: StrId, value: AttrValue) {
        self.ds.attrs.push(Attr { key, value });
    }
    pub fn attr_str(&mut self, key: &str, value: &str) {
        let v = self.intern(value);
        self.attr(key, AttrValue::Str(v));
    }
    /// A JSON value read by [`super::borrowed`] as an attribute, as [`Self::attr_json`].
    pub fn attr_any(&mut self, key: &str, value: &Any) {
        match value {
            Any::Json(v) => self.attr_json(key, v),
            scalar => {
                if let Some(v) = self.scalar_value(scalar) {
                    self.attr(key, v)
                }
            }
        }
    }
    /// A scalar's attribute value: numbers past i64 as their text (an
    /// attribute's integer is an i64), null none.
    fn scalar_value(&mut self, v: &Any) -> Option<AttrValue> {
        Some(match v {
            Any::Bool(v) => AttrValue::Bool(*v),
            Any::I64(i) => AttrValue::Int(*i),
            Any::U64(u) => AttrValue::Str(self.intern(&u.to_string())),
            Any::F64(f) => AttrValue::Float(*f),
            Any::Str(s) => AttrValue::Str(self.intern(s)),
            Any::Absent | Any::Null | Any::Json(_) => return None,
        })
    }
    /// A JSON value as an attribute: scalars keep their type, objects and
    /// arrays are flattened to dotted keys (objects) or kept as JSON text
    /// (arrays). An object under a key longer than [`FLAT_KEY_MAX`] is kept
    /// as JSON text too: each leaf's key repeats its whole path, so deep
    /// nesting of long keys would take memory quadratic in the file. Under
    /// an empty key, an object's entries are attributes of their own keys.
    pub fn attr_json(&mut self, key: &str, value: &Value) {
        // One path written in place: (where the parent's path ends, the
        // key, the value); no dot begins a path.
        let mut path = String::new();
        let mut stack: Vec<(Option<usize>, &str, &Value)> = vec![(None, key, value)];
        while let Some((parent_end, k, v)) = stack.pop() {
            path.truncate(parent_end.unwrap_or(0));
            if parent_end.is_some_and(|end| end > 0) {
                path.push('.');
            }
            path.push_str(k);
            let k = path.as_str();
            match v {
                Value::Array(_) => self.attr_str(k, &v.to_string()),
                Value::Object(_) if k.len() > FLAT_KEY_MAX => self.attr_str(k, &v.to_string()),
                Value::Object(m) => {
                    let end = Some(path.len());
                    stack.extend(m.iter().rev().map(|(ck, cv)| (end, ck.as_str(), cv)));
                }
                scalar => {
                    if let Some(value) = self.scalar_value(&Any::scalar(scalar)) {
                        self.attr(k, value)
                    }
                }
            }
        }
    }

    /// The object that comes next in `r`, flattened into `out` as
    /// [`Self::attr_json`] flattens its tree (under `key`), read straight
    /// from the text. Anything but an object is skipped.
    pub fn flatten_json(&mut self, key: &str, r: &mut Pull, out: &mut Vec<Attr>) -> Read<()> {
        let (start, at) = (out.len(), r.here());
        let mut path = String::from(key);
        // Every key's path, hashed, to find repeats once the object is read.
        let mut paths: Vec<u64> = Vec::new();
        // The objects open, innermost last: where its path ends, and
        // whether its first key is still to come.
        let mut open: Vec<(usize, bool)> = Vec::new();
        if r.object() {
            open.push((path.len(), true));
        } else {
            r.skip()?;
        }
        while let Some((end, first)) = open.last_mut() {
            path.truncate(*end);
            let Some(k) = r.key(first)? else {
                open.pop();
                continue;
            };
            if *end > 0 {
                path.push('.');
            }
            path.push_str(&k);
            paths.push(rustc_hash::FxBuildHasher.hash_one(&path));
            let value = match r.peek() {
                b'{' if path.len() <= FLAT_KEY_MAX => {
                    r.object();
                    open.push((path.len(), true));
                    continue;
                }
                b'{' | b'[' => {
                    // Compact, as its tree is written; past serde_json's
                    // 128 levels, as it stands in the file.
                    let raw = r.raw()?;
                    let text = match serde_json::from_slice::<Value>(raw) {
                        Ok(tree) => tree.to_string(),
                        Err(_) => String::from_utf8_lossy(raw).into_owned(),
                    };
                    Some(AttrValue::Str(self.intern(&text)))
                }
                _ => {
                    let v = r.any()?;
                    self.scalar_value(&v)
                }
            };
            if let Some(value) = value {
                let key = self.intern(&path);
                out.push(Attr { key, value });
            }
        }
        // A key repeated in an object (or two paths alike): its tree read,
        // which keeps one entry of a repeated key (its first place, its last
        // value), as `JSON.parse` does. Rare (and past serde_json's 128
        // levels, left as read).
        crate::order::sort(&mut paths);
        if paths.windows(2).any(|w| w[0] == w[1]) {
            if let Ok(tree) = serde_json::from_slice::<Value>(r.taken_since(at)) {
                out.truncate(start);
                let mark = self.mark();
                self.attr_json(key, &tree);
                out.extend(self.ds.attrs.drain(mark as usize..));
            }
        }
        Ok(())
    }

    pub fn event_mark(&self) -> u32 {
        self.ds.events.len() as u32
    }
    pub fn events_since(&self, start: u32) -> Range32 {
        Range32::new(start, self.ds.events.len() as u32)
    }
    pub fn event(&mut self, time_ns: i64, name: &str, attrs: Range32) {
        let name = self.intern(name);
        self.event_named(time_ns, name, attrs);
    }
    pub fn event_named(&mut self, time_ns: i64, name: StrId, attrs: Range32) {
        self.ds.events.push(Event {
            time_ns,
            name,
            attrs,
        });
    }

    pub fn link_mark(&self) -> u32 {
        self.ds.links.len() as u32
    }
    pub fn links_since(&self, start: u32) -> Range32 {
        Range32::new(start, self.ds.links.len() as u32)
    }
    pub fn link(&mut self, trace: &str, span: &str, kind: LinkKind, attrs: Range32) {
        let (trace_id, trace_id_text) = self.trace_id(trace);
        let (span_id, span_id_text) = self.span_id(span);
        self.ds.links.push(Link {
            trace_id,
            trace_id_text,
            span_id,
            span_id_text,
            kind,
            attrs,
        });
    }

    pub fn resource(&mut self, service: StrId, attrs: Range32) -> u32 {
        self.ds.resources.push(Resource { service, attrs });
        (self.ds.resources.len() - 1) as u32
    }
    /// A resource with no attributes of its own, one per service.
    pub fn service_resource(&mut self, service: StrId) -> u32 {
        if let Some(&r) = self.service_resources.get(&service) {
            return r;
        }
        let r = self.resource(service, Range32::default());
        self.service_resources.insert(service, r);
        r
    }
    /// The resource made from `text` before, else the one `make` makes
    /// now, remembered by that text.
    pub fn resource_of_text<E>(
        &mut self,
        text: &str,
        make: impl FnOnce(&mut Self) -> Result<u32, E>,
    ) -> Result<u32, E> {
        if let Some(&r) = self.resources_by_text.get(text) {
            return Ok(r);
        }
        let r = make(self)?;
        self.resources_by_text.insert(text.to_string(), r);
        Ok(r)
    }
    /// The service name used when a source names none.
    pub fn unknown_service(&mut self) -> StrId {
        self.intern("unknown_service")
    }

    /// Told, after the first spans ([`EXPECT_AFTER`] when the count is known), about how many the file holds in all (an
    /// estimate from how far into the file they went): the trace holding
    /// most spans and the shared tables get room for the rest at once,
    /// instead of doubling twenty times on the way to a million spans and
    /// copying what they hold each time.
    pub fn expect_spans(&mut self, total: usize) {
        let done = self.pushed;
        if done == 0 || total <= done {
            return;
        }
        let ratio = (total - done) as f64 / done as f64;
        let more = |added: usize| (added as f64 * ratio) as usize;
        // A file of many small traces: no one trace is worth the room.
        if let Some(t) = self.traces.iter_mut().find(|t| t.len() * 2 > done) {
            t.reserve(more(t.len()));
        }
        let (was, text) = self.start;
        let now = self.ds.lengths();
        let added = |now: u32, was: u32| more(now.saturating_sub(was) as usize);
        self.ds.attrs.reserve(added(now.attrs, was.attrs));
        self.ds.events.reserve(added(now.events, was.events));
        self.ds.links.reserve(added(now.links, was.links));
        let new_text = more(self.ds.strings.text_len().saturating_sub(text));
        self.ds
            .strings
            .reserve(added(now.strings, was.strings), new_text);
    }

    /// What the tables hold now is not counted by [`Self::expect_spans`]:
    /// for a reader that interned texts before writing its first span
    /// (Chrome's), whose growth from here is no measure of the spans'.
    pub fn expect_from_here(&mut self) {
        self.start = (self.ds.lengths(), self.ds.strings.text_len());
    }

    /// The index of the trace with this id, begun (with no spans) if new.
    fn trace_of(&mut self, trace: IdKey, text: StrId) -> usize {
        match self.by_trace.get(&trace) {
            Some(&i) => i,
            None => {
                let mut t = Box::new(Trace {
                    trace_id: Some(trace),
                    trace_id_text: text,
                    ..Default::default()
                });
                // Room for one span, exactly: a first push would make room
                // for four in every column, and a file of many small traces
                // is mostly traces of one span.
                t.reserve_exact(1);
                self.traces.push(t);
                self.by_trace.insert(trace, self.traces.len() - 1);
                self.traces.len() - 1
            }
        }
    }

    /// Takes a trace read elsewhere, its ids and ranges already the
    /// dataset's: whole when its id is new, else its spans appended to the
    /// trace of that id. Where its spans went (trace, index of the first).
    pub fn adopt(&mut self, t: Box<Trace>) -> (usize, usize) {
        let key = t.trace_id.unwrap_or(IdKey::num(0));
        if let Some(&at) = self.by_trace.get(&key) {
            let into = &mut self.traces[at];
            let before = into.len();
            into.append_spans(&t, 0..t.len());
            into.add_warnings(t.warnings());
            return (at, before);
        }
        self.traces.push(t);
        self.by_trace.insert(key, self.traces.len() - 1);
        (self.traces.len() - 1, 0)
    }

    /// Appends a span; where it went (trace, span index in that trace).
    pub fn push(&mut self, s: SpanIn) -> (usize, usize) {
        let idx = self.trace_of(s.trace, s.trace_text);
        let t = &mut self.traces[idx];
        t.push_span(SpanRow {
            span_key: s.key,
            span_id_text: s.id_text,
            parent_key: s.parent.map(|p| p.0),
            parent_id_text: s.parent.map(|p| p.1).unwrap_or_default(),
            service: s.service,
            name: s.name,
            start_ns: s.start_ns,
            duration_ns: s.duration_ns.max(0),
            kind: s.kind,
            status: s.status,
            status_message: s.status_message,
            resource: s.resource,
            attrs: s.attrs,
            events: s.events,
            links: s.links,
            flags: s.flags,
        });
        let at = (idx, t.flags.len() - 1);
        self.count_pushed(1);
        at
    }

    /// Counts `n` spans added (by [`Builder::push`] or a part's columns
    /// appended whole), telling progress each [`PROGRESS_EVERY`].
    pub fn count_pushed(&mut self, n: usize) {
        let before = self.pushed / PROGRESS_EVERY;
        self.pushed += n;
        if self.pushed / PROGRESS_EVERY != before {
            if let Some(f) = self.on_progress.as_mut() {
                f(self.pushed);
            }
        }
    }

    /// Nothing was added since it began.
    pub fn is_empty(&self) -> bool {
        self.pushed == 0 && self.traces.is_empty() && self.ds.lengths() == self.began
    }

    /// Takes back everything added since it began: a reader that must read
    /// its file again another way.
    pub fn restart(&mut self) {
        let Builder {
            ds,
            by_trace,
            traces,
            service_resources,
            resources_by_text,
            warnings,
            on_progress: _,
            pushed,
            start,
            began,
            last_trace,
        } = self;
        ds.truncate_tables(*began);
        *start = (*began, ds.strings.text_len());
        by_trace.clear();
        traces.clear();
        service_resources.clear();
        resources_by_text.clear();
        warnings.clear();
        *pushed = 0;
        *last_trace = (String::new(), IdKey::num(0), StrId(0));
    }

    /// What this builder has added so far: the tables' lengths and the
    /// spans pushed (a reader that gave up without adding anything leaves
    /// it as it was).
    pub fn added(&self) -> (Lengths, usize) {
        (self.ds.lengths(), self.pushed)
    }

    pub fn span_count(&self) -> usize {
        self.traces.iter().map(|t| t.len()).sum()
    }

    /// The traces collected so far.
    pub fn traces(&self) -> &[Box<Trace>] {
        &self.traces
    }

    /// Mutable access to the traces collected so far (for decoders that
    /// rewrite parents after seeing every span, like Zipkin's shared ids).
    pub fn traces_mut(&mut self) -> &mut Vec<Box<Trace>> {
        &mut self.traces
    }

    /// The traces collected, as read (no trees), and the warnings for every
    /// trace: a part of a file, merged into another builder
    /// ([`super::parts`]).
    pub fn into_traces(self) -> (Vec<Box<Trace>>, Vec<String>) {
        (self.traces, self.warnings)
    }

    /// Keeps each resource it made once per content: see
    /// [`keep_one_of_each`].
    pub fn keep_one_of_each_resource(&mut self) {
        let from = self.start.0.resources as usize;
        if let Some(moved) = keep_one_of_each(self.ds, from) {
            for r in self.traces.iter_mut().flat_map(|t| t.resource.iter_mut()) {
                let k = (*r as usize).wrapping_sub(from);
                *r = moved.get(k).copied().unwrap_or(*r);
            }
        }
    }

    /// Builds each trace's tree and appends the traces to the dataset.
    /// Returns the index range of the new traces.
    pub fn finish(self) -> std::ops::Range<usize> {
        let start = self.ds.traces.len();
        // What finding a trace by its id took is let go before the trees
        // are made (of a million small traces, the peak).
        drop(self.by_trace);
        for mut t in self.traces {
            warn_no_start(self.ds, &mut t);
            t.add_warnings(&self.warnings);
            crate::tree::build(&mut t);
            self.ds.traces.push(t);
        }
        start..self.ds.traces.len()
    }
}

/// Keeps the resources from `from` on once per content (service and
/// attributes), in the order they were first made: a source can name one
/// process many times (a Jaeger trace's `processes` and the same process
/// inline, OTLP batches of one resource), and parts of a file decoded apart
/// each make their own (Jaeger's query service also keeps a trace's equal
/// processes once). Returns where each went (from `from`), None when none
/// repeats.
fn keep_one_of_each(ds: &mut Dataset, from: usize) -> Option<Vec<u32>> {
    // Each content as text, interned: its id tells the first resource of
    // that content, and how many contents were seen before it.
    let mut contents = Interner::default();
    let mut text = String::new();
    let moved: Vec<u32> = ds.resources[from..]
        .iter()
        .map(|r| {
            text.clear();
            let mut number = |v: u64| {
                // Six bits a character from '0', low bits first, then a space.
                let digits = (64 - v.leading_zeros()).div_ceil(6).max(1);
                for d in 0..digits {
                    text.push(char::from(b'0' + (v >> (6 * d) & 63) as u8));
                }
                text.push(' ');
            };
            number(r.service.0 as u64);
            for a in ds.attrs(r.attrs) {
                // A value as its type and bits (a float's sign of zero too).
                let (kind, bits) = match a.value {
                    AttrValue::Str(s) => (0, s.0 as u64),
                    AttrValue::Int(i) => (1, i as u64),
                    AttrValue::Float(f) => (2, f.to_bits()),
                    AttrValue::Bool(b) => (3, b as u64),
                };
                number(a.key.0 as u64);
                number(kind);
                number(bits);
            }
            // The interner's first string is "", which no content is.
            (from + contents.intern(&text).0 as usize - 1) as u32
        })
        .collect();
    if from + contents.len() - 1 == ds.resources.len() {
        return None;
    }
    // A resource first of its content moves to the next place kept (the
    // others to an earlier one).
    let mut kept = from;
    for (i, &to) in moved.iter().enumerate() {
        if to as usize == kept {
            ds.resources[kept] = ds.resources[from + i];
            kept += 1;
        }
    }
    ds.resources.truncate(kept);
    Some(moved)
}

/// Spans without a start named in a trace's warnings; the rest are counted.
const NAMED_NO_START: usize = 10;

/// Names the spans of `t` with no valid start ([`flags::NO_START`]) in its
/// warnings, the first few by id and the rest as a count.
fn warn_no_start(ds: &Dataset, t: &mut Trace) {
    let mut without = (0..t.len()).filter(|&s| t.flags[s] & flags::NO_START != 0);
    let named: Vec<String> = without
        .by_ref()
        .take(NAMED_NO_START)
        .map(|s| {
            format!(
                "span {}: no valid start time in the source; shown at its parent's start (or the trace's)",
                ds.span_id(t, s)
            )
        })
        .collect();
    let more = without.count();
    t.add_warnings(&named);
    if more > 0 {
        t.warn(format!(
            "{more} more spans with no valid start time, shown at their parent's start"
        ));
    }
}

/// Small JSON accessors tolerant of the formats' habits (numbers as strings).
pub mod json {
    use super::super::borrowed::Any;
    use serde_json::Value;

    pub fn str<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
        v.get(key).and_then(Value::as_str)
    }
    /// A number given as a JSON number or as a decimal string.
    pub fn i64(v: &Value, key: &str) -> Option<i64> {
        as_i64(v.get(key)?)
    }
    pub fn as_i64(v: &Value) -> Option<i64> {
        Any::scalar(v).as_i64()
    }
    pub fn f64(v: &Value, key: &str) -> Option<f64> {
        Any::scalar(v.get(key)?).as_f64()
    }
    pub fn u64(v: &Value, key: &str) -> Option<u64> {
        Any::scalar(v.get(key)?).as_u64()
    }
    /// An id that may be a JSON string or a number (Chrome `id2`, Cloud
    /// Trace), as [`Any::id_text`] reads it.
    pub fn id_text(v: &Value) -> Option<String> {
        Any::scalar(v).id_text().map(std::borrow::Cow::into_owned)
    }
    pub fn arr<'v>(v: &'v Value, key: &str) -> &'v [Value] {
        v.get(key)
            .and_then(Value::as_array)
            .map(|a| a.as_slice())
            .unwrap_or(&[])
    }
    pub fn truthy(v: Option<&Value>) -> bool {
        v.is_some_and(|v| Any::scalar(v).truthy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A JSON object as text, keys possibly repeated or dotted (what a
    /// tree keeps one of, or whose paths meet), values of every kind.
    fn object_text() -> impl Strategy<Value = String> {
        // "args." and 59 bytes: a path of exactly `FLAT_KEY_MAX`.
        let key = prop_oneof![
            4 => "[ab.]{1,2}",
            1 => "[a-z\\\\\"\u{e9}]{0,3}",
            1 => "k{28,40}",
            1 => "k{59,60}",
        ];
        let number = prop_oneof![
            any::<i64>().prop_map(|i| i.to_string()),
            any::<u64>().prop_map(|u| u.to_string()),
            // Decimals serde_json reads exactly (it rounds others its own way).
            (-1e9..1e9f64).prop_map(|f| serde_json::to_string(&((f * 1e3).round() / 1e3)).unwrap()),
            Just("1.5e3".to_string()),
            Just("-0".to_string()),
        ];
        let leaf = prop_oneof![
            number,
            "[a-z\\\\\"\\n\u{e9}\u{1F600}]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            Just("true".to_string()),
            Just("null".to_string()),
            Just("[1, {\"a\": [2]}, \"x\"]".to_string()),
            Just("{}".to_string()),
        ];
        let entries = key.clone();
        let value = leaf.prop_recursive(4, 40, 5, move |inner| {
            prop::collection::vec((entries.clone(), inner), 0..5).prop_map(object)
        });
        prop::collection::vec((key, value), 0..6).prop_map(object)
    }

    fn object(entries: Vec<(String, String)>) -> String {
        let entries: Vec<String> = entries
            .iter()
            .map(|(k, v)| format!("{}: {v}", serde_json::to_string(k).unwrap()))
            .collect();
        format!("{{ {} }}", entries.join(", "))
    }

    fn shown(ds: &Dataset, attrs: &[Attr]) -> Vec<(String, String)> {
        let value = |v: &AttrValue| match v {
            AttrValue::Str(s) => format!("s:{}", ds.str(*s)),
            AttrValue::Int(i) => format!("i:{i}"),
            AttrValue::Float(f) => format!("f:{:x}", f.to_bits()),
            AttrValue::Bool(b) => format!("b:{b}"),
        };
        attrs
            .iter()
            .map(|a| (ds.str(a.key).to_string(), value(&a.value)))
            .collect()
    }

    /// A map's entries (Datadog's `meta`) flatten to their own keys: no
    /// dot begins a path, and none is dropped from a key that has one.
    #[test]
    fn under_an_empty_key_entries_keep_their_own_keys() {
        let text = r#"{"a": {"b": 1, ".c": true}, ".d": "x", "": {"e": 2}}"#;
        let expected = [
            ("a.b", "i:1"),
            ("a..c", "b:true"),
            (".d", "s:x"),
            ("e", "i:2"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut ds = Dataset::default();
        Builder::new(&mut ds).attr_json("", &serde_json::from_str(text).unwrap());
        assert_eq!(shown(&ds, &ds.attrs), expected);
        let (mut ds, mut out) = (Dataset::default(), Vec::new());
        Builder::new(&mut ds)
            .flatten_json("", &mut Pull::new(text.as_bytes()), &mut out)
            .unwrap();
        assert_eq!(shown(&ds, &out), expected);
    }

    proptest! {
        /// An object flattened straight from its text gives the attributes
        /// its tree gives: the same keys, values and order, a repeated key
        /// once (its first place, its last value), lists and objects under
        /// long keys as JSON text; under an empty key too.
        #[test]
        fn text_flattens_as_its_tree(text in object_text(), key in prop_oneof![Just("args"), Just("")]) {
            let tree: Value = serde_json::from_str(&text).unwrap();
            let mut from_tree = Dataset::default();
            Builder::new(&mut from_tree).attr_json(key, &tree);
            let expected = shown(&from_tree, &from_tree.attrs);

            let mut ds = Dataset::default();
            let mut out = Vec::new();
            let mut r = Pull::new(text.as_bytes());
            Builder::new(&mut ds).flatten_json(key, &mut r, &mut out).unwrap();
            prop_assert!(r.end().is_ok());
            prop_assert!(ds.attrs.is_empty(), "only `out` written");
            prop_assert_eq!(shown(&ds, &out), expected, "{}", text);
        }
    }
}
