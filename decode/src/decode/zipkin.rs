//! Zipkin v2 (`[span]`, `[[span]]`, a single span) and v1 (annotations and
//! binaryAnnotations). v1 spans are first converted to v2 the way Zipkin's
//! `V1SpanConverter` does (cs/cr give the client half, sr/ss the server
//! half). Then, as Zipkin Lens does, fragments of one span reported
//! separately are merged, and a span id shared by a client and a server half
//! becomes two rows: the server half under the client half, linked, with the
//! id's children under the server half.

use super::borrowed::{self, Any, List, Obj, Str};
use super::builder::{self, Builder, SpanIn};
use super::status::{StatusTags, TagValue};
use super::{ids, DecodeError};
use crate::model::*;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::borrow::Cow;

/// A Zipkin span as v2 has it (v1 spans are converted to these), read
/// without a JSON tree and borrowing from the file until it is emitted.
#[derive(Default, Clone)]
struct Span<'a> {
    trace_id: Str<'a>,
    /// A string, or a number in some v1 exports.
    id: Any<'a>,
    parent_id: Any<'a>,
    name: Str<'a>,
    kind: Str<'a>,
    timestamp: Any<'a>,
    duration: Any<'a>,
    /// Boxed: a million spans are held until merged.
    local: Obj<Box<Endpoint<'a>>>,
    remote: Obj<Box<Endpoint<'a>>>,
    annotations: List<Obj<Annotation<'a>>>,
    tags: Tags<'a>,
    shared: Any<'a>,
    /// v1 only; there at all (even empty) means v1.
    binary_annotations: Option<List<Obj<BinaryAnnotation<'a>>>>,
}
fields!(Span { "traceId" => trace_id, "id" => id, "parentId" => parent_id, "name" => name, "kind" => kind, "timestamp" => timestamp, "duration" => duration, "localEndpoint" => local, "remoteEndpoint" => remote, "annotations" => annotations, "tags" => tags, "shared" => shared, "binaryAnnotations" => binary_annotations });

#[derive(Default, Clone)]
struct Endpoint<'a> {
    service_name: Str<'a>,
    ipv4: Any<'a>,
    ipv6: Any<'a>,
    port: Any<'a>,
}
fields!(Endpoint { "serviceName" => service_name, "ipv4" => ipv4, "ipv6" => ipv6, "port" => port });

#[derive(Default, Clone)]
struct Annotation<'a> {
    timestamp: Any<'a>,
    value: Str<'a>,
    /// v1 only.
    endpoint: Option<Obj<Box<Endpoint<'a>>>>,
}
fields!(Annotation { "timestamp" => timestamp, "value" => value, "endpoint" => endpoint });

#[derive(Default, Clone)]
struct BinaryAnnotation<'a> {
    key: Str<'a>,
    value: Any<'a>,
    endpoint: Obj<Box<Endpoint<'a>>>,
}
fields!(BinaryAnnotation { "key" => key, "value" => value, "endpoint" => endpoint });

/// Tags as written, repeats and all, in the order merged fragments give
/// them: a key is looked up once, when the span is written
/// ([`borrowed::kept_entries`]), not on every insert (which was quadratic
/// in a span's tags).
#[derive(Default, Clone)]
struct Tags<'a>(Vec<TagsFrom<'a>>);

#[derive(Clone)]
enum TagsFrom<'a> {
    /// A v2 fragment's `tags`, as its text: read when the span is written,
    /// so a span's tags are never held as a list (a million tags took 50
    /// MB of pairs, twice: planned, then written).
    Object(&'a [u8]),
    /// A v1 binary annotation.
    Pair(Cow<'a, str>, Cow<'a, str>),
}

impl<'a> FromJson<'a> for Tags<'a> {
    fn from_json(r: &mut Pull<'a>) -> Read<Self> {
        Ok(Tags(vec![TagsFrom::Object(r.raw()?)]))
    }
}

impl Tags<'_> {
    /// Each tag as written, in order.
    fn each(&self, mut tag: impl FnMut(&str, &str)) {
        for from in &self.0 {
            match from {
                TagsFrom::Object(text) => {
                    // Checked when the span was read: nothing to refuse here.
                    let _ = borrowed::each_entry(&mut Pull::new(text), |k, r| {
                        tag(&k, &text_of(r.any()?));
                        Ok(())
                    });
                }
                TagsFrom::Pair(k, v) => tag(k, v),
            }
        }
    }
}

/// A tag or binary annotation value as Zipkin shows it: strings as they are,
/// anything else as its JSON text.
fn text_of(v: Any) -> Cow<str> {
    match v {
        Any::Str(s) => s,
        Any::Absent => Cow::Borrowed(""),
        other => Cow::Owned(other.to_value().to_string()),
    }
}

fn ep_service<'x>(e: &'x Obj<Box<Endpoint>>) -> Option<&'x str> {
    e.0.as_ref()
        .and_then(|e| e.service_name.get())
        .filter(|s| !s.is_empty())
}

impl Span<'_> {
    fn is_v1(&self) -> bool {
        self.binary_annotations.is_some()
            || self.annotations.iter().any(|a| {
                a.0.as_ref().is_some_and(|a| {
                    a.endpoint.is_some() || matches!(a.value.get(), Some("cs" | "sr" | "ss" | "cr"))
                })
            }) && self.local.0.is_none()
    }
    fn id_text(&self) -> Cow<'_, str> {
        self.id.id_text().unwrap_or_default()
    }
    /// The kind in any case, as a role (compared in place: asked several
    /// times per span while fragments merge).
    fn role(&self) -> &'static str {
        let kind = self.kind.get().unwrap_or("");
        ["client", "server", "producer", "consumer"]
            .into_iter()
            .find(|r| kind.eq_ignore_ascii_case(r))
            .unwrap_or(if self.shared.truthy() { "server" } else { "" })
    }
}

/// A value parsed whole (the general path, which tests compare the
/// streamed one with): read again as text, the streamed way (a list, or a
/// span alone).
pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    // Not taken: no span at all, or a first one that is not a span.
    decode_stream(b, &borrowed::text_of(v)).unwrap_or_else(|| match v {
        Value::Array(items)
            if items
                .iter()
                .all(|x| x.as_array().is_some_and(Vec::is_empty)) =>
        {
            Ok(())
        }
        _ => Err(DecodeError::shape("Zipkin span #0 has no traceId or id")),
    })
}

/// Span #`n` of the file, checked, planned as v2 span(s) read again at `at`.
fn add_span(
    b: &mut Builder,
    plan: &mut Plan,
    n: usize,
    at: usize,
    s: Obj<Span>,
) -> Result<(), DecodeError> {
    let s = match s.0 {
        Some(s) if s.trace_id.get().is_some() && s.id.is_present() => s,
        _ => {
            return Err(DecodeError::shape(format!(
                "Zipkin span #{n} has no traceId or id"
            )))
        }
    };
    if s.is_v1() {
        for (half, s) in v1_to_v2(s).iter().enumerate() {
            plan.add(
                b,
                s,
                Place {
                    at,
                    half: half as u8,
                },
            );
        }
    } else {
        plan.add(b, &s, Place { at, half: 0 });
    }
    Ok(())
}

/// Streams `[span, …]`, `[[span, …], …]` or a span alone
/// ([`super::stream`]): spans are read as typed structs borrowing from the
/// file and planned, then read again as their rows are made. `None` for
/// another shape.
pub fn decode_stream(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    decode_part(b, bytes, stream::WHOLE_FILE).map(|r| r.map(drop))
}

/// What a later part of a file is read after: the list it is cut in.
pub const PART_PREFIX: &[u8] = b"[";

/// [`decode_stream`] of a part of a file (see [`stream::run_part`]). The
/// pieces of a span are merged within the part. A part with an id of two
/// rows (a shared id's halves, whose children may be in another part) is
/// not read as a part, and the merge refuses a file whose span ids repeat
/// across parts: such a file is decoded whole.
pub fn decode_part(
    b: &mut Builder,
    bytes: &[u8],
    stop_inherited: (usize, bool),
) -> Option<Result<Seam, DecodeError>> {
    let in_part = stop_inherited != stream::WHOLE_FILE;
    let mut plan = Plan::default();
    let r = stream::run_part(b, bytes, stop_inherited, |st, r| {
        span_lists(st, r, &mut plan, in_part)
    });
    if let Some(Ok(_)) = r {
        if in_part && plan.by_id.repeats > 0 {
            return None;
        }
        let at = |at: usize| {
            let mut r = Pull::new(bytes.get(at..).unwrap_or_default());
            FromJson::from_json(&mut r).unwrap_or_default()
        };
        emit(b, plan, &at);
    }
    r
}

use super::parts::Seam;
use super::pull::{fields, Bad, FromJson, Pull, Read};
use super::stream::{self, Stream};

/// The top-level list: spans, or lists of spans; or one span alone.
/// Anything else in it is not a span: checked (and refused) as one.
/// `in_part`: of a file decoded in parts.
fn span_lists(st: &mut Stream, r: &mut Pull, plan: &mut Plan, in_part: bool) -> Read<()> {
    // A later part is of a Zipkin list (its first part found it), even
    // when it stops before a span of its own.
    st.found |= st.inherited;
    let mut n = 0;
    let mut add = |st: &mut Stream, r: &mut Pull| {
        st.stop_before(r)?;
        let at = r.here();
        add_streamed(st, plan, &mut n, at, FromJson::from_json(r)?)?;
        // A shared span's server half: the file is decoded whole (see
        // [`decode_part`]), known at once.
        if in_part && plan.shared {
            return Err(Bad);
        }
        if let Some(total) = st.estimate(r) {
            plan.reserve(total);
        }
        Ok(())
    };
    // A span alone (`read_value` tries Zipkin's reader on an object only
    // when `detect` names it a Zipkin span).
    if r.peek() == b'{' {
        return add(st, r);
    }
    r.each_item(|r| {
        if r.peek() == b'[' {
            r.each_item(|r| add(st, r))
        } else {
            add(st, r)
        }
    })
}

fn add_streamed(
    st: &mut Stream,
    plan: &mut Plan,
    n: &mut usize,
    at: usize,
    span: Obj<Span>,
) -> Read<()> {
    match add_span(st.b, plan, *n, at, span) {
        Ok(()) => {
            *n += 1;
            st.found = true;
            Ok(())
        }
        // Not a Zipkin span at the start: another format's list.
        Err(_) if !st.found => Err(Bad),
        Err(e) => Err(st.refuse(e)),
    }
}

/// One v1 span to one or two v2 spans.
fn v1_to_v2<'a>(s: Span<'a>) -> Vec<Span<'a>> {
    let anns: Vec<&Annotation> = s.annotations.iter().filter_map(|a| a.0.as_ref()).collect();
    let bas: Vec<&BinaryAnnotation> = s
        .binary_annotations
        .iter()
        .flat_map(|l| l.iter())
        .filter_map(|a| a.0.as_ref())
        .collect();
    let find = |k: &str| anns.iter().copied().find(|a| a.value.get() == Some(k));
    let ts = |a: Option<&Annotation>| a.and_then(|a| a.timestamp.as_i64());
    let (cs, cr, sr, ss) = (find("cs"), find("cr"), find("sr"), find("ss"));
    let (ms, mr) = (find("ms"), find("mr"));
    let base = Span {
        trace_id: s.trace_id.clone(),
        id: s.id.clone(),
        parent_id: s.parent_id.clone(),
        name: s.name.clone(),
        ..Span::default()
    };
    let span_ts = s.timestamp.as_i64();
    let span_dur = s.duration.as_i64();
    let mut parts: Vec<(Span<'a>, Option<&'static str>)> = Vec::new();
    fn endpoint_of<'a>(a: Option<&Annotation<'a>>) -> Obj<Box<Endpoint<'a>>> {
        a.and_then(|a| a.endpoint.clone()).unwrap_or_default()
    }
    let mut part =
        |kind: &str, start: Option<&Annotation<'a>>, end: Option<&Annotation<'a>>, role| {
            let mut m = base.clone();
            m.kind = Str(Some(Cow::Owned(kind.to_string())));
            m.local = endpoint_of(start.or(end));
            let (a, e) = (ts(start), ts(end));
            if let Some(a) = a {
                m.timestamp = Any::I64(a);
            }
            if let (Some(a), Some(e)) = (a, e) {
                m.duration = Any::I64(e.saturating_sub(a).max(0));
            }
            parts.push((m, Some(role)));
        };
    if cs.is_some() || cr.is_some() {
        part("CLIENT", cs, cr, "client");
    }
    if sr.is_some() || ss.is_some() {
        part("SERVER", sr, ss, "server");
    }
    if ms.is_some() {
        part("PRODUCER", ms, None, "producer");
    }
    if mr.is_some() {
        part("CONSUMER", mr, None, "consumer");
    }
    if parts.is_empty() {
        let mut m = base.clone();
        m.local = bas
            .iter()
            .find(|a| a.key.get() == Some("lc"))
            .map(|a| a.endpoint.clone())
            .or_else(|| anns.first().map(|a| a.endpoint.clone().unwrap_or_default()))
            .or_else(|| bas.first().map(|a| a.endpoint.clone()))
            .unwrap_or_default();
        parts.push((m, None));
    }
    // With one half only, the span-level timestamp and duration win, as in Zipkin.
    if parts.len() == 1 {
        if let Some(t) = span_ts {
            parts[0].0.timestamp = Any::I64(t);
        }
        if let Some(d) = span_dur {
            parts[0].0.duration = Any::I64(d);
        }
    }
    let two = parts.len() > 1;
    // A server half without the span's own timestamp was reported by the callee of a shared id.
    for (m, role) in parts.iter_mut() {
        if *role == Some("server") && (two || span_ts.is_none()) {
            m.shared = Any::Bool(true);
        }
    }
    // Other annotations and binary annotations go to the half whose endpoint reported them.
    let part_for = |ep: &Obj<Box<Endpoint>>, parts: &[(Span, Option<&'static str>)]| -> usize {
        let svc = ep_service(ep);
        parts
            .iter()
            .position(|(m, _)| svc.is_some() && ep_service(&m.local) == svc)
            .unwrap_or(0)
    };
    let mut extra_anns: Vec<Vec<Obj<Annotation>>> = vec![Vec::new(); parts.len()];
    let mut tags: Vec<Tags> = vec![Tags::default(); parts.len()];
    let none = Obj::default();
    for a in &anns {
        let v = a.value.get().unwrap_or("");
        if matches!(v, "cs" | "cr" | "sr" | "ss" | "ms" | "mr") {
            continue;
        }
        let i = part_for(a.endpoint.as_ref().unwrap_or(&none), &parts);
        extra_anns[i].push(Obj(Some(Annotation {
            timestamp: match &a.timestamp {
                Any::Absent => Any::Null,
                t => t.clone(),
            },
            value: Str(Some(Cow::Owned(v.to_string()))),
            endpoint: None,
        })));
    }
    for ba in &bas {
        let Some(k) = ba.key.get() else {
            continue;
        };
        let i = part_for(&ba.endpoint, &parts);
        if matches!(k, "ca" | "sa" | "ma") {
            if ba.endpoint.0.is_some() {
                parts[i].0.remote = ba.endpoint.clone();
            }
            continue;
        }
        tags[i].0.push(TagsFrom::Pair(
            Cow::Owned(k.to_string()),
            text_of(ba.value.clone()).into_owned().into(),
        ));
    }
    parts
        .into_iter()
        .zip(extra_anns)
        .zip(tags)
        .map(|(((mut m, _), anns), tags)| {
            m.annotations = List(anns);
            m.tags = tags;
            m
        })
        .collect()
}

/// `f` of the two when both are there, else the one that is.
fn either_or_both(a: Option<i64>, b: Option<i64>, f: fn(i64, i64) -> i64) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(f(x, y)),
        (x, y) => x.or(y),
    }
}

/// Merges `b` into `a` (a fragment of the same span reported separately).
fn merge_into<'a>(a: &mut Span<'a>, b: &Span<'a>) {
    let end = |s: &Span| {
        s.timestamp
            .as_i64()
            .zip(s.duration.as_i64())
            .map(|(s, d)| s.saturating_add(d))
    };
    let (a_start, a_end) = (a.timestamp.as_i64(), end(a));
    let (b_start, b_end) = (b.timestamp.as_i64(), end(b));
    let start = either_or_both(a_start, b_start, i64::min);
    let end = either_or_both(a_end, b_end, i64::max);
    if let Some(s) = start {
        a.timestamp = Any::I64(s);
        if let Some(e) = end {
            a.duration = Any::I64(e.saturating_sub(s));
        }
    }
    if a.kind.get().is_none() {
        a.kind = b.kind.clone();
    }
    if a.local.0.is_none() {
        a.local = b.local.clone();
    }
    if a.remote.0.is_none() {
        a.remote = b.remote.clone();
    }
    if !a.parent_id.is_present() {
        a.parent_id = b.parent_id.clone();
    }
    if a.name.get().is_none() {
        a.name = b.name.clone();
    }
    a.annotations.0.extend(b.annotations.iter().cloned());
    // A later fragment's value wins, at the key's first place (as Zipkin
    // Lens merges: `Object.assign({}, left.tags, right.tags)`).
    a.tags.0.extend(b.tags.0.iter().cloned());
}

/// The indices `0, 1, 2…` filed by key as they are pushed, without a `Vec`
/// per key (one per span was most of the allocations of decoding a Zipkin
/// file): each key's first and last index in a map, each index's successor
/// in a list.
struct Groups<K> {
    ends: FxHashMap<K, (u32, u32)>,
    next: Vec<u32>,
    /// How many keys have more than one index.
    repeats: usize,
}

/// No successor.
const LAST: u32 = u32::MAX;

impl<K> Default for Groups<K> {
    fn default() -> Self {
        Groups {
            ends: FxHashMap::default(),
            next: Vec::new(),
            repeats: 0,
        }
    }
}

impl<K: std::hash::Hash + Eq> Groups<K> {
    /// Room for `more` indices under new keys.
    fn reserve(&mut self, more: usize) {
        self.ends.reserve(more);
        self.next.reserve(more);
    }
    /// The first index filed under `key`; when there is none, files the
    /// next index under it (one probe of the map, not two).
    fn first_or_push(&mut self, key: K) -> Option<usize> {
        let i = self.next.len() as u32;
        match self.ends.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => Some(e.get().0 as usize),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert((i, i));
                self.next.push(LAST);
                None
            }
        }
    }
    /// Files the next index (the number pushed so far) under `key`.
    fn push(&mut self, key: K) {
        let i = self.next.len() as u32;
        self.next.push(LAST);
        let (first, last) = self.ends.entry(key).or_insert((i, i));
        self.repeats += (*first == *last && *last != i) as usize;
        if *last != i {
            self.next[*last as usize] = i;
            *last = i;
        }
    }
    /// The indices filed under `key`, in the order pushed.
    fn members(&self, key: &K) -> impl Iterator<Item = usize> + '_ {
        let mut at = self.ends.get(key).map_or(LAST, |e| e.0);
        std::iter::from_fn(move || {
            let i = at;
            at = *self.next.get(i as usize)?;
            Some(i as usize)
        })
    }
    /// The keys with more than one index.
    fn shared(&self) -> impl Iterator<Item = &K> + '_ {
        self.ends
            .iter()
            .filter(|(_, (first, last))| first != last)
            .map(|(k, _)| k)
    }
}

/// Where a span is read again when its row is made: its object's first
/// byte in the file and, for a v1 span, which of the v2 spans it becomes.
#[derive(Clone, Copy)]
struct Place {
    at: usize,
    half: u8,
}

/// A row to emit: a span of the list, with the pieces of it reported
/// apart that merge into it, and what the merging asks of it.
struct Entry {
    /// The span's index in [`Plan::places`].
    i: u32,
    /// Its pieces' first and last index in [`Plan::places`], each
    /// piece's next in [`Plan::next_piece`].
    pieces: (u32, u32),
    trace: IdKey,
    key: IdKey,
    role: &'static str,
    service: Option<StrId>,
    /// Its start, or the first a piece of it brought.
    start: Option<i64>,
    shared: bool,
}

/// The rows a file makes, planned from what each span says of its id,
/// role, service and start, so that only that is held while the file is
/// read (a whole span is ~1 KB natively). As
/// Zipkin Lens does: by (trace, id), fragments with no kind and no
/// service, and spans of the same role and service, merge; distinct roles
/// stay apart.
#[derive(Default)]
struct Plan {
    places: Vec<Place>,
    next_piece: Vec<u32>,
    entries: Vec<Entry>,
    /// The entries' indices by (trace, id).
    by_id: Groups<(IdKey, IdKey)>,
    /// For ids seen more than once: the entries by role, service and
    /// start, so a piece finds its span without scanning every entry of
    /// its id (a scan makes 100k spans of one id take minutes).
    repeated: FxHashMap<SameSpan, FirstEntries>,
    indexed: rustc_hash::FxHashSet<(IdKey, IdKey)>,
    /// (the first entry of its id, its place) of each fragment.
    fragments: Vec<(usize, u32)>,
    /// A span marked `shared` (or a v1 server half) was read.
    shared: bool,
}

impl Plan {
    fn reserve(&mut self, total: usize) {
        let more = total.saturating_sub(self.places.len());
        self.places.reserve(more);
        self.next_piece.reserve(more);
        self.entries.reserve(more);
        self.by_id.reserve(more);
    }

    /// Plans span `v`, read again at `place`.
    fn add(&mut self, b: &mut Builder, v: &Span, place: Place) {
        let j = self.places.len() as u32;
        self.places.push(place);
        self.next_piece.push(LAST);
        let trace = ids::trace_key(&mut b.ds.strings, v.trace_id.get().unwrap_or(""));
        let key = ids::span_key(&mut b.ds.strings, &v.id_text());
        let role = v.role();
        let service = ep_service(&v.local).map(|n| b.intern(n));
        let start = v.timestamp.as_i64();
        let shared = v.shared.truthy();
        self.shared |= shared;
        let entry = Entry {
            i: j,
            pieces: (LAST, LAST),
            trace,
            key,
            role,
            service,
            start,
            shared,
        };
        let Some(first) = self.by_id.first_or_push((trace, key)) else {
            self.entries.push(entry);
            return;
        };
        if role.is_empty() && service.is_none() {
            self.fragments.push((first, j));
            return;
        }
        if self.indexed.insert((trace, key)) {
            // The id's one entry so far.
            let o = &self.entries[first];
            self.file(o.same_span(), first, o.start);
        }
        // Same role and service with the same (or no) start: one span reported in
        // pieces. Different starts are distinct calls (Kafka redeliveries) and stay rows.
        let same = entry.same_span();
        if let Some(firsts) = self.repeated.get_mut(&same) {
            if let Some(e) = firsts.matching(start) {
                // Matching asks only whether a row has a start: a row
                // without one takes the first a piece brings.
                let target = &mut self.entries[e];
                if let (None, Some(t)) = (target.start, start) {
                    target.start = Some(t);
                    firsts.started(e, t);
                }
                self.piece_of(e, j);
                return;
            }
        }
        self.file(same, self.entries.len(), start);
        self.by_id.push((trace, key));
        self.entries.push(entry);
    }

    /// Files `entry`, of `start`, among the entries of its [`SameSpan`].
    fn file(&mut self, same: SameSpan, entry: usize, start: Option<i64>) {
        self.repeated.entry(same).or_default().file(entry, start);
    }

    /// Files place `j` as the last piece of entry `e`.
    fn piece_of(&mut self, e: usize, j: u32) {
        let pieces = &mut self.entries[e].pieces;
        match pieces.1 {
            LAST => pieces.0 = j,
            last => self.next_piece[last as usize] = j,
        }
        pieces.1 = j;
    }

    /// Once all spans are planned: a fragment joins the client half if
    /// its id has one, else the id's first entry, after that entry's
    /// other pieces.
    // Out of line: inlined into the row maker, it adds ~290 B to the bundle.
    #[inline(never)]
    fn place_fragments(&mut self) {
        let mut client_of: FxHashMap<(IdKey, IdKey), usize> = FxHashMap::default();
        if !self.fragments.is_empty() {
            for (k, e) in self.entries.iter().enumerate() {
                if e.role == "client" {
                    client_of.entry((e.trace, e.key)).or_insert(k);
                }
            }
        }
        for (first, j) in std::mem::take(&mut self.fragments) {
            let e = &self.entries[first];
            let target = client_of.get(&(e.trace, e.key)).copied().unwrap_or(first);
            self.piece_of(target, j);
        }
    }

    /// The span planned at place `j`, read by `read`.
    fn span<'a>(&self, j: u32, read: &dyn Fn(usize) -> Obj<Span<'a>>) -> Span<'a> {
        let p = self.places[j as usize];
        let s = read(p.at).0.unwrap_or_default();
        match s.is_v1() {
            true => v1_to_v2(s)
                .into_iter()
                .nth(p.half as usize)
                .unwrap_or_default(),
            false => s,
        }
    }

    /// Entry `e`'s span with its pieces merged into it, each read by
    /// `read` from its place.
    fn merged<'a>(&self, e: &Entry, read: &dyn Fn(usize) -> Obj<Span<'a>>) -> Span<'a> {
        let mut s = self.span(e.i, read);
        let mut j = e.pieces.0;
        while j != LAST {
            merge_into(&mut s, &self.span(j, read));
            j = self.next_piece[j as usize];
        }
        s
    }
}

impl Entry {
    fn same_span(&self) -> SameSpan {
        SameSpan {
            trace: self.trace,
            key: self.key,
            role: self.role,
            service: self.service,
        }
    }
}

/// After the last part of a file decoded in parts: whether no span id of
/// a trace was in two parts (its pieces merge, or its halves split, only
/// when decoded whole).
pub(super) fn ids_apart(b: &Builder) -> bool {
    b.traces()
        .iter()
        .all(|t| crate::tree::parent_rows(&t.span_key, &[]).1.is_empty())
}

/// What makes two entries of one id pieces of one span: role and service.
#[derive(Hash, PartialEq, Eq)]
struct SameSpan {
    trace: IdKey,
    key: IdKey,
    role: &'static str,
    service: Option<StrId>,
}

/// The first entries (indices into the entry list) of one [`SameSpan`]:
/// the first of all, the first without a start, the first of each start.
#[derive(Default)]
struct FirstEntries {
    first: Option<usize>,
    without_start: Option<usize>,
    by_start: FxHashMap<i64, usize>,
}

impl FirstEntries {
    fn file(&mut self, entry: usize, start: Option<i64>) {
        self.first.get_or_insert(entry);
        match start {
            None => {
                self.without_start.get_or_insert(entry);
            }
            Some(t) => {
                self.by_start.entry(t).or_insert(entry);
            }
        }
    }
    /// `entry`, filed without a start, took one from a piece merged into it.
    /// (Only a group's first entry can be without a start: a later piece
    /// without one merges into the first.)
    fn started(&mut self, entry: usize, t: i64) {
        if self.without_start == Some(entry) {
            self.without_start = None;
        }
        let e = self.by_start.entry(t).or_insert(entry);
        *e = (*e).min(entry);
    }
    /// The first entry a piece starting at `start` belongs to: any, when
    /// it has no start; else one with its start or none.
    fn matching(&self, start: Option<i64>) -> Option<usize> {
        match start {
            None => self.first,
            Some(t) => match (self.by_start.get(&t).copied(), self.without_start) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

/// A row of a shared id: its own key, the entry that keeps the id, and
/// the index of that entry's id text (as written) in a list of them.
struct Half {
    key: IdKey,
    primary: usize,
    id_text: u32,
}

/// Makes the rows `plan` planned, each span read again by `read` from its
/// place (its bytes are the file's).
fn emit<'a>(b: &mut Builder, mut plan: Plan, read: &dyn Fn(usize) -> Obj<Span<'a>>) {
    plan.place_fragments();
    let entries = &plan.entries;
    // Shared ids: which entry keeps the id, which become linked halves
    // (each entry's, when an id is shared).
    let mut halves: Vec<Option<Half>> = Vec::new();
    // Read once an id: each half's link names it, and reading the keeper
    // (with its pieces) for each half would be quadratic.
    let mut id_texts: Vec<String> = Vec::new();
    // Children of a shared id hang under its server half.
    let mut child_target: FxHashMap<(IdKey, IdKey), IdKey> = FxHashMap::default();
    let groups = &plan.by_id;
    for &(trace, key) in groups.shared() {
        let members = || groups.members(&(trace, key));
        let primary = members()
            .find(|&i| matches!(entries[i].role, "client" | "producer"))
            .or_else(|| members().find(|&i| !entries[i].shared))
            .or_else(|| members().next())
            .unwrap_or_default();
        let id_text = plan.span(entries[primary].i, read).id_text().into_owned();
        if halves.is_empty() {
            halves.resize_with(entries.len(), || None);
        }
        let text = id_texts.len() as u32;
        halves[primary] = Some(Half {
            key,
            primary,
            id_text: text,
        });
        // Numbered within the id, so a part of a file names a half as the
        // whole file does.
        for (n, m) in members().enumerate() {
            if m == primary {
                continue;
            }
            let r = entries[m].role;
            let synthetic = IdKey::Text(b.intern(&format!(
                "{id_text}~{}~{n}",
                if r.is_empty() { "half" } else { r }
            )));
            halves[m] = Some(Half {
                key: synthetic,
                primary,
                id_text: text,
            });
            if r == "server" || r == "consumer" {
                child_target.insert((trace, key), synthetic);
            }
        }
        id_texts.push(id_text);
    }
    for (i, e) in entries.iter().enumerate() {
        if i == builder::EXPECT_AFTER {
            b.expect_spans(entries.len());
        }
        let s = plan.merged(e, read);
        let half = halves.get(i).and_then(Option::as_ref);
        let keeps_id = half.is_some_and(|h| h.primary == i);
        let half = half.filter(|_| !keeps_id);
        let (_, trace_text) = b.trace_id(s.trace_id.get().unwrap_or(""));
        // A shared id's later halves have keys of their own: their text is kept.
        let key = half.map_or(e.key, |h| h.key);
        let id_text = ids::id_text(&mut b.ds.strings, key, &s.id_text());
        let mut flags = 0u8;
        let parent = match half {
            Some(_) => {
                flags |= flags::SHARED;
                Some((e.key, id_text))
            }
            None => {
                let written = s.parent_id.id_text();
                let p = b.parent_id(written.as_deref());
                p.map(|(k, t)| match child_target.get(&(e.trace, k)) {
                    // Under a shared id's server half: its key, the text as written.
                    Some(&half) => (half, b.intern(written.as_deref().unwrap_or_default())),
                    None => (k, t),
                })
            }
        };
        if keeps_id {
            flags |= flags::SHARED;
        }
        // The plan's: a row's pieces have its service, or none and no
        // endpoint that names one.
        let service = e.service.unwrap_or_else(|| b.unknown_service());
        let resource = b.service_resource(service);
        let mut status = StatusTags::default();
        let am = b.mark();
        let mut keys: Vec<StrId> = Vec::new();
        let mut values: Vec<StrId> = Vec::new();
        s.tags.each(|k, v| {
            keys.push(b.intern(k));
            values.push(b.intern(v));
        });
        for i in borrowed::kept_entries(&keys) {
            let (k, v) = (keys[i], values[i]);
            b.attr_key(k, AttrValue::Str(v));
            let strings = &b.ds.strings;
            status.note(strings.get(k), || (TagValue::Text(strings.get(v)), Some(v)));
        }
        let (status, status_message) = status.finish();
        if let Some(r) = &s.remote.0 {
            if let Some(n) = r.service_name.get().filter(|n| !n.is_empty()) {
                b.attr_str("peer.service", n);
            }
            b.attr_any("peer.ipv4", &r.ipv4);
            b.attr_any("peer.ipv6", &r.ipv6);
            b.attr_any("peer.port", &r.port);
        }
        if let Some(l) = &s.local.0 {
            b.attr_any("local.ipv4", &l.ipv4);
            b.attr_any("local.ipv6", &l.ipv6);
            b.attr_any("local.port", &l.port);
        }
        let attrs = b.since(am);
        let em = b.event_mark();
        for a in s.annotations.iter().filter_map(|a| a.0.as_ref()) {
            // An annotation needs its time: one without (or past 2262) says nothing.
            if let Some(t) = a.timestamp.as_i64().and_then(ids::us_to_ns) {
                b.event(t, a.value.get().unwrap_or(""), Range32::default());
            }
        }
        let events = b.events_since(em);
        let lm = b.link_mark();
        if let Some(h) = half {
            b.link(
                s.trace_id.get().unwrap_or(""),
                &id_texts[h.id_text as usize],
                LinkKind::SharedHalf,
                Range32::default(),
            );
        }
        let links = b.links_since(lm);
        let start = s.timestamp.as_i64();
        let dur = s.duration.as_i64();
        // Zipkin allows a span without timestamp: place it at its first annotation.
        let first_ann = b.ds.events(events).iter().map(|e| e.time_ns).min();
        let start_ns = match (start.and_then(ids::us_to_ns), first_ann) {
            (Some(t), _) => t,
            (None, Some(t)) => {
                flags |= flags::START_FROM_EVENT;
                t
            }
            (None, None) => {
                flags |= flags::NO_START;
                0
            }
        };
        if dur.is_none() {
            flags |= flags::NO_DURATION;
        }
        let kind = SpanKind::parse(s.kind.get().unwrap_or(""));
        let name = b.intern(s.name.get().unwrap_or(""));
        b.push(SpanIn {
            trace: e.trace,
            trace_text,
            key,
            id_text,
            parent,
            service,
            name,
            start_ns,
            duration_ns: dur.unwrap_or(0).saturating_mul(1000),
            kind,
            status,
            status_message,
            resource,
            attrs,
            events,
            links,
            flags,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Groups;

    #[test]
    fn groups_keep_each_keys_indices_in_the_order_pushed() {
        let mut g = Groups::default();
        for k in ["a", "b", "a", "c", "a", "b"] {
            g.push(k);
        }
        assert_eq!(g.members(&"a").collect::<Vec<_>>(), [0, 2, 4]);
        assert_eq!(g.members(&"b").collect::<Vec<_>>(), [1, 5]);
        assert_eq!(g.members(&"c").collect::<Vec<_>>(), [3]);
        assert_eq!(g.members(&"d").count(), 0);
        let mut shared: Vec<_> = g.shared().copied().collect();
        shared.sort();
        assert_eq!(shared, ["a", "b"]);
        assert_eq!(g.repeats, 2);
    }

    #[test]
    fn first_or_push_files_only_a_new_key() {
        let mut g = Groups::default();
        assert_eq!(g.first_or_push("a"), None);
        g.push("b");
        assert_eq!(g.first_or_push("b"), Some(1));
        assert_eq!(g.first_or_push("a"), Some(0));
        assert_eq!(g.first_or_push("c"), None);
        // Only the new keys took indices: "c" is the third.
        assert_eq!(g.members(&"c").collect::<Vec<_>>(), [2]);
        assert_eq!(g.members(&"b").collect::<Vec<_>>(), [1]);
        assert_eq!(g.shared().count(), 0);
        assert_eq!(g.repeats, 0);
    }
}
