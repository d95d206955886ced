//! AWS X-Ray: segment documents (with nested subsegments), independent
//! subsegments, and BatchGetTraces responses whose `Document` is a JSON
//! string. Times are float seconds. A segment's name is its service; its
//! subsegments belong to the same service.
//!
//! A response, a list of documents or one document is read with the pull
//! reader ([`decode_stream`]): each document found without a tree of the
//! file, then outlined (where each of its entities, the segment and its
//! subsegments at any depth, begins and ends) and each entity read as a
//! tree of its own fields, parents first. The general path writes its tree
//! as text and reads it the same way ([`decode`]).

use super::borrowed::{self, tree_of};
use super::builder::{json, Builder, SpanIn, Timing};
use super::pull::{Bad, Pull, Read};
use super::{detect, ids, DecodeError};
use crate::model::*;
use serde_json::Value;
use std::borrow::Cow;

const NOT_A_DOCUMENT: &str = "not an X-Ray document";

/// A file's bytes, when they are a BatchGetTraces response, a list of
/// segment documents or one document (judged as `detect` judges): decoded.
pub fn decode_stream(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    let found = find_documents(bytes, true)?;
    Some(found.and_then(|docs| decode_found(b, &docs)))
}

/// A file the general path found to be X-Ray's.
pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    let text = borrowed::text_of(v);
    let docs = find_documents(&text, false).unwrap_or(Err(DecodeError::shape(NOT_A_DOCUMENT)))?;
    decode_found(b, &docs)
}

/// Where a segment document is in the file.
enum Found<'a> {
    /// A document's JSON (an item of a list, or the whole file), with its
    /// outline when sniffing the file made it.
    Document(&'a [u8], Option<Outline>),
    /// An item of a trace's `Segments`, whose `Document` (a JSON string or
    /// object) is read when it is reached.
    Segment(&'a [u8]),
}

/// Whether a JSON value is the header the X-Ray daemon writes before each
/// document (`{"format":"json","version":1}`), judged as
/// [`detect::is_xray_daemon_header`] judges its tree, without one: two
/// keys (each counted once), the last `format` the string `json`.
pub fn is_daemon_header(value: &[u8]) -> bool {
    let mut r = Pull::new(value);
    if r.peek() != b'{' {
        return false;
    }
    let (mut format, mut version) = (None, false);
    let keys = r.each_key(|k, r| match &*k {
        "format" => {
            format = Some(r.string()?);
            Ok(())
        }
        "version" => {
            version = true;
            r.skip()
        }
        _ => Err(Bad),
    });
    keys.is_ok() && version && format.flatten().as_deref() == Some("json")
}

/// Keys of a top object by which `detect` names a file another format's
/// (or an X-Ray response) before it is read as one document: a sniffing
/// reader stops at the first, before it has walked the file.
const NOT_ONE_DOCUMENT: [&str; 10] = [
    "traceEvents",
    "resourceSpans",
    "batches",
    "result",
    "trace",
    "data",
    "spans",
    "traces",
    "batchWriteSpansRequest",
    "Traces",
];

/// The documents of a file, in order. `sniffing`: `None` unless the file
/// is surely X-Ray's.
fn find_documents(bytes: &[u8], sniffing: bool) -> Option<Result<Vec<Found<'_>>, DecodeError>> {
    let mut r = Pull::new(bytes);
    let mut docs = Vec::new();
    let read = match r.peek() {
        b'[' => {
            let mut first = true;
            r.each_item(|r| {
                let text = r.raw()?;
                // The first item says the format, as `detect` reads it.
                let outline = if sniffing && std::mem::take(&mut first) {
                    Some(
                        outline_if(text, &[], |v| {
                            v.is_object() && detect::span_like(v) == Some(detect::Format::XRay)
                        })
                        .ok_or(Bad)?,
                    )
                } else {
                    None
                };
                docs.push(Found::Document(text, outline));
                Ok(())
            })
            .map(|_| !(sniffing && first))
        }
        b'{' => {
            // `Traces` when it is a list (its last value, as for any
            // repeated key); otherwise the object is a document.
            let mut traces = None;
            let mut other_key = false;
            let keys = r.each_key(|k, r| match &*k {
                "Traces" => {
                    traces = if r.peek() == b'[' {
                        Some(segments_of_traces(r)?)
                    } else {
                        r.skip()?;
                        None
                    };
                    Ok(())
                }
                // A response's other keys.
                "UnprocessedTraceIds" | "NextToken" => r.skip(),
                // Not a response: a sniffing reader judges the object as
                // one document.
                _ if sniffing => {
                    other_key = true;
                    Err(Bad)
                }
                _ => r.skip(),
            });
            if other_key {
                // As `detect` would name the whole file (the document's own
                // fields are its keys).
                let outline = outline_if(bytes, &NOT_ONE_DOCUMENT, |v| {
                    detect::detect(v) == Ok(detect::Format::XRay)
                })?;
                return Some(Ok(vec![Found::Document(bytes, Some(outline))]));
            }
            keys.map(|_| match traces {
                Some(t) => {
                    docs = t;
                    true
                }
                None => {
                    docs.push(Found::Document(bytes, None));
                    !sniffing
                }
            })
        }
        _ => Err(Bad),
    };
    match read.and_then(|taken| r.end().map(|_| taken)) {
        Ok(true) => Some(Ok(docs)),
        _ if sniffing => None,
        _ => Some(Err(DecodeError::shape(NOT_A_DOCUMENT))),
    }
}

/// A document's outline, when the tree of its own fields (its subsegments
/// left out) is `judged` a segment document's; the decode reads it from
/// that outline, not making another.
fn outline_if(
    text: &[u8],
    not_ours: &[&str],
    judged: impl FnOnce(&Value) -> bool,
) -> Option<Outline> {
    let outline = Outline::of(text, not_ours).ok()?;
    let own = tree_of(&outline.own_text(text, 0)).ok()?;
    judged(&own).then_some(outline)
}

/// The segments of a `Traces` list, in order: each trace's `Segments`
/// (its last value), items that are no object holding none.
fn segments_of_traces<'a>(r: &mut Pull<'a>) -> Read<Vec<Found<'a>>> {
    let mut all = Vec::new();
    r.each_item(|r| {
        let mut segments = Vec::new();
        borrowed::each_entry(r, |k, r| {
            if k != "Segments" {
                return r.skip();
            }
            segments.clear();
            borrowed::each_item(r, |r| {
                segments.push(Found::Segment(r.raw()?));
                Ok(())
            })
        })?;
        all.append(&mut segments);
        Ok(())
    })?;
    Ok(all)
}

/// A segment's document text: its `Document` string unescaped, or an
/// object's text; `None` without one. The segment is a small tree (its
/// document is one string); its `Id` names it.
fn segment_document(seg: &[u8]) -> Result<Option<(Vec<u8>, Value)>, DecodeError> {
    let mut seg = tree_of(seg)?;
    let id = seg.get_mut("Id").map(Value::take).unwrap_or_default();
    Ok(match seg.get_mut("Document").map(Value::take) {
        Some(Value::String(doc)) => Some((doc.into_bytes(), id)),
        Some(doc @ Value::Object(_)) => Some((borrowed::text_of(&doc), id)),
        _ => None,
    })
}

/// Why a document's text is not read: a segment's `Document` is named by
/// the segment's id, with serde_json's message.
fn not_json(text: &[u8], segment: Option<&Value>) -> DecodeError {
    let Some(id) = segment else {
        return DecodeError::shape(NOT_A_DOCUMENT);
    };
    let why = serde_json::from_slice::<Value>(text)
        .err()
        .map(|e| format!(": {e}"))
        .unwrap_or_default();
    DecodeError::shape(format!(
        "segment {} has a Document that is not JSON{why}",
        id.as_str().unwrap_or("?")
    ))
}

fn decode_found(b: &mut Builder, docs: &[Found]) -> Result<(), DecodeError> {
    let mut decoded = 0;
    for found in docs {
        // A segment's id, to name its document when that is not JSON.
        let (text, segment, outlined) = match found {
            Found::Document(text, outline) => (Cow::Borrowed(*text), None, outline.as_ref()),
            Found::Segment(text) => match segment_document(text)? {
                Some((doc, id)) => (Cow::Owned(doc), Some(id), None),
                None => continue,
            },
        };
        let made;
        let outline = match outlined {
            Some(outline) => outline,
            None => {
                made = Outline::of(&text, &[]).map_err(|_| not_json(&text, segment.as_ref()))?;
                &made
            }
        };
        document(b, &text, outline)?;
        decoded += 1;
    }
    if decoded == 0 {
        return Err(DecodeError::NotATrace(
            "an X-Ray response with no segments".into(),
        ));
    }
    Ok(())
}

/// `1-5f187253-6a106696d56b1f4ef9eba2ed` → the 128-bit hex id it stands for.
fn trace_hex(id: &str) -> String {
    let parts: Vec<&str> = id.split('-').collect();
    if parts.len() == 3 && parts[0] == "1" {
        format!("{}{}", parts[1], parts[2])
    } else {
        id.to_string()
    }
}

/// No `subsegments` value.
const NO_LIST: usize = usize::MAX;

/// A document (or one of its subsegments, at any depth) found by
/// [`Outline::of`], in the order the entities open.
struct Entity {
    /// Its JSON text in the document.
    start: usize,
    end: usize,
    /// The entity whose subsegment it is (the document has none).
    parent: Option<u32>,
    /// Where the `subsegments` value it is an item of starts.
    list: usize,
    /// Where its own last `subsegments` value starts: the one `JSON.parse`
    /// keeps when the key repeats.
    last_list: usize,
    /// Its `subsegments` lists and large maps (places in
    /// [`Outline::lists`]), left out of its own text.
    lists: (u32, u32),
    /// Which of its lists is each of its [`MAPS`] (+1; 0 when that map's
    /// last value is no large object).
    maps: [u32; 2],
    /// Every `subsegments` value it is in is the one kept.
    kept: bool,
}

/// Where each entity of a document is, found in one pass with a stack, so
/// that each is read as a tree of its own fields: a document's subsegments
/// nest to any depth, and a tree of the document is many times its text
/// (22× for 100,000 small subsegments).
struct Outline {
    entities: Vec<Entity>,
    /// The `subsegments` lists of each entity, together.
    lists: Vec<(usize, usize)>,
}

/// What the outline's walk has open, innermost last.
enum Open {
    Keys {
        entity: usize,
        first: bool,
        /// Where its lists begin among those still open.
        lists_from: usize,
    },
    Items {
        parent: usize,
        list: usize,
        first: bool,
    },
}

impl Outline {
    /// The entities of the document `text` (exactly one JSON value).
    /// `not_ours`: keys of the document's own that end the walk.
    fn of(text: &[u8], not_ours: &[&str]) -> Read<Outline> {
        let mut r = Pull::new(text);
        let mut o = Outline {
            entities: Vec::new(),
            lists: Vec::new(),
        };
        // The lists of the entities open, as their start and end.
        let mut lists_open: Vec<(usize, usize)> = Vec::new();
        let mut open: Vec<Open> = Vec::new();
        o.open_entity(&mut r, None, NO_LIST, &mut open, 0)?;
        while let Some(top) = open.last_mut() {
            match top {
                Open::Keys {
                    entity,
                    first,
                    lists_from,
                } => {
                    let (entity, lists_from) = (*entity, *lists_from);
                    match r.key(first)? {
                        None => {
                            open.pop();
                            let from = o.lists.len() as u32;
                            o.lists.extend(lists_open.drain(lists_from..));
                            let e = &mut o.entities[entity];
                            e.end = r.progress().0;
                            e.lists = (from, o.lists.len() as u32);
                        }
                        Some(k) if entity == 0 && not_ours.contains(&&*k) => return Err(Bad),
                        Some(k) if MAPS.contains(&&*k) => {
                            let start = r.here();
                            let value = r.raw()?;
                            let large = value.starts_with(b"{") && value.len() >= LARGE_MAP;
                            let place = if large {
                                lists_open.push((start, start + value.len()));
                                (lists_open.len() - lists_from) as u32
                            } else {
                                0
                            };
                            let which = usize::from(k == MAPS[1]);
                            o.entities[entity].maps[which] = place;
                        }
                        Some(k) if k == "subsegments" => {
                            let list = r.here();
                            o.entities[entity].last_list = list;
                            if r.list() {
                                lists_open.push((list, list));
                                open.push(Open::Items {
                                    parent: entity,
                                    list,
                                    first: true,
                                });
                            } else {
                                r.skip()?;
                            }
                        }
                        Some(_) => r.skip()?,
                    }
                }
                Open::Items {
                    parent,
                    list,
                    first,
                } => {
                    let (parent, list) = (*parent, *list);
                    if r.item(first)? {
                        o.open_entity(&mut r, Some(parent), list, &mut open, lists_open.len())?;
                    } else {
                        open.pop();
                        // Its items' own lists went with them.
                        if let Some(l) = lists_open.last_mut() {
                            l.1 = r.progress().0;
                        }
                    }
                }
            }
        }
        r.end()?;
        for i in 0..o.entities.len() {
            let kept = match o.entities[i].parent {
                None => true,
                Some(p) => {
                    let p = &o.entities[p as usize];
                    p.kept && p.last_list == o.entities[i].list
                }
            };
            o.entities[i].kept = kept;
        }
        Ok(o)
    }

    fn open_entity(
        &mut self,
        r: &mut Pull,
        parent: Option<usize>,
        list: usize,
        open: &mut Vec<Open>,
        lists_from: usize,
    ) -> Read<()> {
        let start = r.here();
        let entity = self.entities.len();
        self.entities.push(Entity {
            start,
            end: start,
            parent: parent.map(|p| p as u32),
            list,
            last_list: NO_LIST,
            lists: (0, 0),
            maps: [0; 2],
            kept: false,
        });
        if r.object() {
            open.push(Open::Keys {
                entity,
                first: true,
                lists_from,
            });
        } else {
            r.skip()?;
            self.entities[entity].end = r.progress().0;
        }
        Ok(())
    }

    /// The text of each of entity `i`'s [`MAPS`] that is large.
    fn large_maps<'t>(&self, text: &'t [u8], i: usize) -> [Option<&'t [u8]>; 2] {
        let e = &self.entities[i];
        e.maps.map(|place| match place {
            0 => None,
            p => {
                let (start, end) = self.lists[(e.lists.0 + p - 1) as usize];
                Some(&text[start..end])
            }
        })
    }

    /// Entity `i`'s text with each of its `subsegments` lists emptied, and
    /// each of its large maps (`{}`: a tree of it keeps their keys).
    fn own_text<'t>(&self, text: &'t [u8], i: usize) -> Cow<'t, [u8]> {
        let e = &self.entities[i];
        let lists = &self.lists[e.lists.0 as usize..e.lists.1 as usize];
        if lists.is_empty() {
            return Cow::Borrowed(&text[e.start..e.end]);
        }
        let mut own = Vec::with_capacity(e.end - e.start);
        let mut at = e.start;
        for &(start, end) in lists {
            own.extend_from_slice(&text[at..start]);
            own.extend_from_slice(if text[start] == b'{' { b"{}" } else { b"[]" });
            at = end;
        }
        own.extend_from_slice(&text[at..e.end]);
        Cow::Owned(own)
    }
}

/// The maps of an entity that hold the user's data (X-Ray indexes
/// `annotations`; `metadata` is any JSON): of any size, so a large one is
/// flattened straight from the text, never read as a tree.
const MAPS: [&str; 2] = ["annotations", "metadata"];

/// From how many bytes a map is flattened from its text: below, its tree
/// is smaller and quicker to read (both give the same attributes).
const LARGE_MAP: usize = 4096;

/// Entity `i` of a document: a tree of its own fields, and its large maps
/// flattened from the text into attributes set aside.
fn entity_fields(
    b: &mut Builder,
    text: &[u8],
    outline: &Outline,
    i: usize,
) -> Result<(Value, [Vec<Attr>; 2]), DecodeError> {
    let mut attrs: [Vec<Attr>; 2] = Default::default();
    for ((key, map), out) in MAPS.iter().zip(outline.large_maps(text, i)).zip(&mut attrs) {
        if let Some(map) = map {
            // The text is JSON (the outline's walk read it).
            b.flatten_json(key, &mut Pull::new(map), out)
                .map_err(|_| DecodeError::shape("an X-Ray entity that is not JSON"))?;
        }
    }
    Ok((tree_of(&outline.own_text(text, i))?, attrs))
}

/// One segment document (or independent subsegment) and its subsegments,
/// each entity read as a tree of its own fields, parents before children.
fn document(b: &mut Builder, text: &[u8], outline: &Outline) -> Result<(), DecodeError> {
    let (doc, mut doc_maps) = entity_fields(b, text, outline, 0)?;
    let trace_text = json::str(&doc, "trace_id").ok_or_else(|| {
        DecodeError::shape(format!(
            "X-Ray document {} has no trace_id",
            json::str(&doc, "id").unwrap_or("?")
        ))
    })?;
    let trace = ids::trace_key(&mut b.ds.strings, &trace_hex(trace_text));
    let trace_text_id = b.intern(trace_text);
    let is_sub = json::str(&doc, "type") == Some("subsegment");
    let service_name = if is_sub {
        None
    } else {
        json::str(&doc, "name")
    };
    let service = match service_name {
        Some(n) if !n.is_empty() => b.intern(n),
        _ => b.unknown_service(),
    };
    let rm = b.mark();
    for k in ["origin", "service", "aws", "user"] {
        if let Some(x) = doc.get(k) {
            if !is_sub {
                b.attr_json(&format!("xray.{k}"), x);
            }
        }
    }
    let ra = b.since(rm);
    let resource = b.resource(service, ra);
    let place = EntityPlace {
        trace,
        trace_text: trace_text_id,
        service,
        resource,
    };
    // The entities open above the next, each with the id its subsegments
    // name.
    let mut above: Vec<(usize, Option<(IdKey, StrId)>)> = Vec::new();
    for (i, e) in outline.entities.iter().enumerate() {
        let parent = match e.parent {
            _ if !e.kept => continue,
            None => b.parent_id(json::str(&doc, "parent_id")),
            Some(p) => {
                while above.last().is_some_and(|&(a, _)| a != p as usize) {
                    above.pop();
                }
                above.last().and_then(|&(_, id)| id)
            }
        };
        let own;
        let (tree, maps) = if i == 0 {
            (&doc, std::mem::take(&mut doc_maps))
        } else {
            let (tree, maps) = entity_fields(b, text, outline, i)?;
            own = tree;
            (&own, maps)
        };
        let as_parent = entity(b, tree, &maps, &place, parent, i == 0 && !is_sub);
        above.push((i, as_parent));
    }
    Ok(())
}

/// What every span of a document shares.
struct EntityPlace {
    trace: IdKey,
    trace_text: StrId,
    service: StrId,
    resource: u32,
}

/// One entity's span; the id its subsegments name as their parent.
fn entity(
    b: &mut Builder,
    e: &Value,
    maps: &[Vec<Attr>; 2],
    place: &EntityPlace,
    parent: Option<(IdKey, StrId)>,
    is_segment: bool,
) -> Option<(IdKey, StrId)> {
    let id = json::str(e, "id").unwrap_or("");
    let (key, id_text) = b.span_id(id);
    let end = json::f64(e, "end_time").map(ids::seconds_to_ns);
    let timing = Timing::from_start_end(json::f64(e, "start_time").map(ids::seconds_to_ns), end);
    let start_ns = timing.start_ns;
    let failed = ["fault", "error", "throttle"]
        .iter()
        .any(|k| json::truthy(e.get(*k)));
    let cause = e.get("cause");
    let exceptions = cause.map(|c| json::arr(c, "exceptions")).unwrap_or(&[]);
    let message = exceptions
        .iter()
        .find_map(|x| json::str(x, "message"))
        .map(str::to_string)
        .or_else(|| {
            cause
                .and_then(Value::as_str)
                .map(|id| format!("exception {id}"))
        });
    let status_message = match &message {
        Some(m) if failed => b.intern(m),
        _ => StrId(0),
    };
    let namespace = json::str(e, "namespace").unwrap_or("");
    let kind = if is_segment {
        SpanKind::Server
    } else if matches!(namespace, "remote" | "aws") {
        SpanKind::Client
    } else {
        SpanKind::Internal
    };
    let am = b.mark();
    for k in ["fault", "error", "throttle", "in_progress", "inferred"] {
        if let Some(Value::Bool(true)) = e.get(k) {
            b.attr(k, AttrValue::Bool(true));
        }
    }
    for k in [
        "namespace",
        "origin",
        "resource_arn",
        "http",
        "sql",
        "annotations",
        "metadata",
        "precursor_ids",
    ] {
        if let Some(x) = e.get(k) {
            b.attr_json(k, x);
        }
        if let Some(i) = MAPS.iter().position(|m| *m == k) {
            b.ds.attrs.extend_from_slice(&maps[i]);
        }
    }
    if !is_segment {
        if let Some(x) = e.get("aws") {
            b.attr_json("aws", x);
        }
    }
    let attrs = b.since(am);
    let em = b.event_mark();
    let end_ns = end.unwrap_or(start_ns);
    for x in exceptions {
        let m = b.mark();
        for k in ["type", "message", "id", "remote"] {
            if let Some(v) = x.get(k) {
                b.attr_json(&format!("exception.{k}"), v);
            }
        }
        if let Some(st) = x.get("stack") {
            b.attr_str("exception.stacktrace", &st.to_string());
        }
        let a = b.since(m);
        b.event(end_ns, "exception", a);
    }
    let events = b.events_since(em);
    let name = b.intern(json::str(e, "name").unwrap_or(""));
    b.push(SpanIn {
        trace: place.trace,
        trace_text: place.trace_text,
        key,
        id_text,
        parent,
        service: place.service,
        name,
        start_ns,
        duration_ns: timing.duration_ns,
        kind,
        status: StatusCode::error_if(failed),
        status_message,
        resource: place.resource,
        attrs,
        events,
        links: Range32::default(),
        flags: timing.flags,
    });
    (!ids::is_null_id(id)).then_some((key, id_text))
}

#[cfg(test)]
mod tests {
    use crate::model::Dataset;
    use proptest::prelude::*;
    use serde_json::Value;

    /// A segment document made from `seed`: subsegments nested a few deep,
    /// keys in any order, `subsegments` and `id` sometimes repeated (the
    /// last kept), an entity sometimes without an id, lists holding values
    /// that are no object.
    fn document_text(seed: u64) -> String {
        let mut x = seed | 1;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut ids = 0u64;
        let mut out = String::new();
        // What is still to write, last first: an entity at a depth, or text.
        enum Piece {
            Entity(u32),
            Text(String),
        }
        let mut todo = vec![Piece::Entity(0)];
        while let Some(piece) = todo.pop() {
            let depth = match piece {
                Piece::Text(t) => {
                    out.push_str(&t);
                    continue;
                }
                Piece::Entity(depth) => depth,
            };
            if depth > 0 && next(8) == 0 {
                out.push_str(["5", "\"s\"", "null", "[]"][next(4) as usize]);
                continue;
            }
            let mut fields: Vec<Vec<Piece>> = Vec::new();
            if depth == 0 {
                let trace = r#""trace_id":"1-5f84c7a5-0123456789abcdef01234567""#;
                fields.push(vec![Piece::Text(trace.into())]);
            }
            // The document has an id (`detect` names it by one).
            let id_count = [0, 1, 1, 1, 1, 1, 1, 2][next(8) as usize].max((depth == 0) as u64);
            for _ in 0..id_count {
                ids += 1;
                fields.push(vec![Piece::Text(format!(r#""id":"{ids:016x}""#))]);
            }
            fields.push(vec![Piece::Text(format!(r#""name":"n{}""#, next(5)))]);
            let lists = if depth < 5 { next(3) + next(2) } else { 0 };
            for _ in 0..lists {
                let mut list = vec![Piece::Text(r#""subsegments" : ["#.into())];
                for item in 0..next(4) {
                    if item > 0 {
                        list.push(Piece::Text(",".into()));
                    }
                    list.push(Piece::Entity(depth + 1));
                }
                list.push(Piece::Text("]".into()));
                fields.push(list);
            }
            // Shuffled, then written in order: pushed last to first.
            for i in (1..fields.len()).rev() {
                fields.swap(i, next(i as u64 + 1) as usize);
            }
            todo.push(Piece::Text("}".into()));
            for (i, field) in fields.into_iter().enumerate().rev() {
                todo.extend(field.into_iter().rev());
                if i > 0 {
                    todo.push(Piece::Text(",".into()));
                }
            }
            todo.push(Piece::Text("{".into()));
        }
        out
    }

    /// (id, parent's id, name) of each entity, read from the document's tree
    /// as `JSON.parse` reads it: the last of a repeated key.
    fn entities_of_tree(doc: &Value) -> Vec<(String, String, String)> {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let mut out = Vec::new();
        let mut stack = vec![(doc, String::new())];
        while let Some((e, parent)) = stack.pop() {
            let subs = e.get("subsegments").and_then(Value::as_array);
            for sub in subs.into_iter().flatten().rev() {
                stack.push((sub, text(e, "id")));
            }
            out.push((text(e, "id"), parent, text(e, "name")));
        }
        out.sort();
        out
    }

    fn entities_decoded(ds: &Dataset) -> Vec<(String, String, String)> {
        let t = &ds.traces[0];
        let mut out: Vec<_> = (0..t.len())
            .map(|i| {
                let parent = t.tree.parent_of(i).map(|p| ds.span_id(t, p).to_string());
                (
                    ds.span_id(t, i).to_string(),
                    parent.unwrap_or_default(),
                    ds.str(t.name[i]).to_string(),
                )
            })
            .collect();
        out.sort();
        out
    }

    proptest! {
        #[test]
        fn each_entity_read_alone_gives_the_documents_tree(seed in any::<u64>()) {
            let text = document_text(seed);
            let tree: Value = serde_json::from_str(&text).expect("JSON");
            let mut ds = Dataset::default();
            let sum = crate::decode_bytes(&mut ds, text.as_bytes()).expect("decodes");
            prop_assert!(sum.streamed, "{}", text);
            prop_assert_eq!(entities_decoded(&ds), entities_of_tree(&tree), "{}", text);
        }
    }
}
