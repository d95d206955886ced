//! Jaeger JSON: the UI export / query API v1 (`{data:[trace]}`), a bare trace
//! (`{traceID, spans, processes}`), a bare span array with inline `process`,
//! and the Jaeger model proto-JSON (base64 ids, RFC 3339 times, `"5000ns"`).

use super::borrowed::{self, Any, List, Obj, Raw, Str};
use super::builder::{json, Builder, SpanIn as BuiltSpan, UNRESOLVED};
use super::status::{StatusTags, TagValue};
use super::{ids, DecodeError};
use crate::model::*;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::borrow::Cow;

/// Decodes any of the Jaeger shapes in `v`.
pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    match v {
        Value::Array(items) => decode_trace_like(b, items, None),
        Value::Object(o) => {
            if let Some(data) = o.get("data") {
                match data {
                    Value::Array(traces) => {
                        for t in traces {
                            decode_trace_object(b, t)?;
                        }
                        Ok(())
                    }
                    Value::Object(_) => decode_trace_object(b, data),
                    _ => Err(DecodeError::shape(
                        "Jaeger `data` is neither a list nor an object",
                    )),
                }
            } else if v.get("spans").is_none()
                && (v.get("spanID").is_some() || v.get("spanId").is_some())
            {
                // One span per JSON Lines line.
                decode_trace_like(b, std::slice::from_ref(v), None)
            } else {
                decode_trace_object(b, v)
            }
        }
        _ => Err(DecodeError::shape("not a Jaeger trace")),
    }
}

fn decode_trace_object(b: &mut Builder, t: &Value) -> Result<(), DecodeError> {
    let spans = t
        .get("spans")
        .and_then(Value::as_array)
        .ok_or_else(|| DecodeError::shape("a Jaeger trace without a `spans` list"))?;
    let processes = t.get("processes").or_else(|| t.get("processMap"));
    decode_trace_like(b, spans, processes)
}

/// Resources of the `processes` map (UI format) or `processMap` list (proto).
fn process_table(b: &mut Builder, processes: Option<&Value>) -> FxHashMap<String, u32> {
    let mut out = FxHashMap::default();
    match processes {
        Some(Value::Object(m)) => {
            for (id, p) in m {
                out.insert(id.clone(), process_resource(b, p));
            }
        }
        Some(Value::Array(list)) => {
            for p in list {
                if let Some(id) = json::str(p, "processID").or_else(|| json::str(p, "processId")) {
                    let r = process_resource(b, p.get("process").unwrap_or(p));
                    out.insert(id.to_string(), r);
                }
            }
        }
        _ => {}
    }
    out
}

fn process_resource(b: &mut Builder, p: &Value) -> u32 {
    let text = borrowed::text_of(p);
    resource_of(b, &borrowed::read(&text))
}

/// The `processes` map of a streamed trace, read from the file as it
/// comes: a file of many small traces has one a trace (read as a JSON tree,
/// then as its text again, it was a fifth of decoding a million one-span
/// traces). A repeated id keeps its first place and its last value, as
/// `JSON.parse` and the general path do.
fn process_map<'a>(b: &mut Builder, r: &mut Pull<'a>) -> Read<FxHashMap<String, u32>> {
    // Each process as its text until its resource is made: read ones are
    // held all at once, and each has room for eight tags.
    let mut read: Vec<(Cow<'a, str>, &'a [u8])> = Vec::new();
    r.each_key(|id, r| {
        read.push((id, r.raw()?));
        Ok(())
    })?;
    let last: FxHashMap<&str, usize> = match read.len() {
        0 | 1 => FxHashMap::default(),
        _ => read
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id.as_ref(), i))
            .collect(),
    };
    let mut table = FxHashMap::default();
    for (i, (id, _)) in read.iter().enumerate() {
        if !table.contains_key(id.as_ref()) {
            let text = read[last.get(id.as_ref()).copied().unwrap_or(i)].1;
            table.insert(id.to_string(), resource_of(b, &borrowed::read(text)));
        }
    }
    Ok(table)
}

fn resource_of(b: &mut Builder, p: &Obj<ProcessIn>) -> u32 {
    let none = ProcessIn::default();
    let p = p.0.as_ref().unwrap_or(&none);
    let service = match p.service_name.get() {
        Some(s) if !s.is_empty() => b.intern(s),
        _ => b.unknown_service(),
    };
    let m = b.mark();
    for tag in p.tags.iter().filter_map(|t| t.0.as_ref()) {
        tag_attr(b, tag);
    }
    let attrs = b.since(m);
    b.resource(service, attrs)
}

/// A span as Jaeger writes it (UI JSON or proto-JSON), read without a JSON
/// tree: spellings of one key are separate fields, so a span that has both
/// reads as before (first spelling wins) instead of failing. Its tags and
/// logs are not held: [`read_span`] writes them into the builder's arenas
/// as they are read.
#[derive(Default)]
struct SpanIn<'a> {
    trace_id: Str<'a>,
    trace_id_proto: Str<'a>,
    span_id: Str<'a>,
    span_id_proto: Str<'a>,
    parent_span_id: Str<'a>,
    operation_name: Str<'a>,
    references: List<Obj<RefIn<'a>>>,
    start_time: Any<'a>,
    duration: Any<'a>,
    tags: TagsRead,
    /// The logs, as events.
    events: Range32,
    process_id: Str<'a>,
    process_id_proto: Str<'a>,
    /// An inline process (spans listed alone), as its text.
    process: Raw<'a>,
    warnings: List<Any<'a>>,
}
fields!(SpanIn { "traceID" => trace_id, "traceId" => trace_id_proto, "spanID" => span_id, "spanId" => span_id_proto, "parentSpanID" => parent_span_id, "operationName" => operation_name, "references" => references, "startTime" => start_time, "duration" => duration, "processID" => process_id, "processId" => process_id_proto, "process" => process, "warnings" => warnings });

#[derive(Default)]
struct RefIn<'a> {
    ref_type: Str<'a>,
    trace_id: Str<'a>,
    trace_id_proto: Str<'a>,
    span_id: Str<'a>,
    span_id_proto: Str<'a>,
}
fields!(RefIn { "refType" => ref_type, "traceID" => trace_id, "traceId" => trace_id_proto, "spanID" => span_id, "spanId" => span_id_proto });

impl RefIn<'_> {
    fn trace(&self) -> Option<&str> {
        self.trace_id.get().or(self.trace_id_proto.get())
    }
    fn span(&self) -> Option<&str> {
        self.span_id.get().or(self.span_id_proto.get())
    }
    /// CHILD_OF when not said.
    fn is(&self, ty: &str) -> bool {
        self.ref_type
            .get()
            .unwrap_or("CHILD_OF")
            .eq_ignore_ascii_case(ty)
    }
}

/// A tag in UI form `{key, type, value}` or proto form `{key, vType, vStr…}`.
#[derive(Default)]
struct TagIn<'a> {
    key: Str<'a>,
    ty: Str<'a>,
    v_type: Str<'a>,
    value: Any<'a>,
    v_str: Any<'a>,
    v_bool: Any<'a>,
    v_int64: Any<'a>,
    v_float64: Any<'a>,
    v_binary: Any<'a>,
}
fields!(TagIn { "key" => key, "type" => ty, "vType" => v_type, "value" => value, "vStr" => v_str, "vBool" => v_bool, "vInt64" => v_int64, "vFloat64" => v_float64, "vBinary" => v_binary });

impl TagIn<'_> {
    /// The value under the first spelling present.
    fn value(&self) -> Option<&Any<'_>> {
        [
            &self.value,
            &self.v_str,
            &self.v_bool,
            &self.v_int64,
            &self.v_float64,
            &self.v_binary,
        ]
        .into_iter()
        .find(|v| v.is_present())
    }
}

#[derive(Default)]
struct ProcessIn<'a> {
    service_name: Str<'a>,
    tags: List<Obj<TagIn<'a>>>,
}
fields!(ProcessIn { "serviceName" => service_name, "tags" => tags });

fn tag_attr(b: &mut Builder, tag: &TagIn) {
    let Some(key) = tag.key.get() else {
        return;
    };
    let ty = tag.ty.get().or(tag.v_type.get()).unwrap_or("");
    // The type in any case, compared in place (no lowercase copy per tag).
    let is = |name: &str| ty.eq_ignore_ascii_case(name);
    let Some(value) = tag.value() else {
        // proto-JSON omits zero values: a STRING tag without vStr is "".
        let v = if is("bool") {
            AttrValue::Bool(false)
        } else if is("int64") {
            AttrValue::Int(0)
        } else if is("float64") {
            AttrValue::Float(0.0)
        } else {
            AttrValue::Str(StrId(0))
        };
        b.attr(key, v);
        return;
    };
    let av = match value {
        v if is("bool") => Some(AttrValue::Bool(v.truthy())),
        v if is("int64") => v.as_i64().map(AttrValue::Int),
        Any::I64(_) | Any::U64(_) | Any::F64(_) | Any::Str(_) if is("float64") => {
            value.as_f64().map(AttrValue::Float)
        }
        _ => None,
    };
    match av {
        Some(av) => b.attr(key, av),
        None => b.attr_any(key, value),
    }
}

/// A span's tags as read: their attributes, and what they say of the span.
#[derive(Default)]
struct TagsRead {
    attrs: Range32,
    kind: SpanKind,
    status: StatusTags,
}

/// The span object that comes next (None for any other value), its tags
/// and logs written to the builder as they are read. A key met twice keeps
/// its last value, as `JSON.parse` does.
fn read_span<'a>(r: &mut Pull<'a>, b: &mut Builder) -> Read<Option<SpanIn<'a>>> {
    borrowed::obj_with(r, |k, s: &mut SpanIn<'a>, r| {
        match k {
            "tags" => s.tags = read_tags(r, b)?,
            "logs" => s.events = read_logs(r, b)?,
            _ => return Ok(false),
        }
        Ok(true)
    })
}

/// A span's `tags`, each an attribute; `span.kind`, `error`,
/// `otel.status_code` and the status messages also set the span's kind and
/// status.
fn read_tags(r: &mut Pull, b: &mut Builder) -> Read<TagsRead> {
    let am = b.mark();
    let mut t = TagsRead::default();
    borrowed::each_obj(r, |tag: TagIn| {
        let before = b.mark();
        tag_attr(b, &tag);
        if b.mark() != before {
            if let Some(attr) = b.ds.attrs.last().copied() {
                note_tag(b, attr, &mut t);
            }
        }
        Ok(())
    })?;
    t.attrs = b.since(am);
    Ok(t)
}

/// What the attribute of one tag says of its span's kind and status.
fn note_tag(b: &Builder, attr: Attr, t: &mut TagsRead) {
    let key = b.ds.str(attr.key);
    let value = || match attr.value {
        AttrValue::Bool(v) => (TagValue::Bool(v), None),
        AttrValue::Int(v) => (TagValue::Int(v), None),
        AttrValue::Str(v) => (TagValue::Text(b.ds.str(v)), Some(v)),
        AttrValue::Float(_) => (TagValue::Other, None),
    };
    if !t.status.note(key, value) && key == "span.kind" {
        if let AttrValue::Str(v) = attr.value {
            t.kind = SpanKind::parse(b.ds.str(v));
        }
    }
}

/// A span's `logs`, each an event named by its `event` (or `message`)
/// field, its fields the event's attributes.
fn read_logs(r: &mut Pull, b: &mut Builder) -> Read<Range32> {
    let em = b.event_mark();
    borrowed::each_item(r, |r| {
        let log = borrowed::obj_with(r, |k, log: &mut LogIn, r| {
            if k != "fields" {
                return Ok(false);
            }
            let fm = b.mark();
            log.name = None;
            borrowed::each_obj(r, |f: TagIn| {
                if log.name.is_none() && matches!(f.key.get(), Some("event" | "message")) {
                    log.name = [&f.value, &f.v_str]
                        .into_iter()
                        .find(|v| v.is_present())
                        .and_then(|v| match v {
                            Any::Str(s) => Some(s.clone()),
                            _ => None,
                        });
                }
                tag_attr(b, &f);
                Ok(())
            })?;
            log.fields = b.since(fm);
            Ok(true)
        })?;
        if let Some(log) = log {
            let t = time_us_or_rfc3339(&log.timestamp).unwrap_or(NO_TIME);
            b.event(t, log.name.as_deref().unwrap_or("log"), log.fields);
        }
        Ok(())
    })?;
    Ok(b.events_since(em))
}

/// A log as read: its fields already in the builder's arena.
#[derive(Default)]
struct LogIn<'a> {
    timestamp: Any<'a>,
    fields: Range32,
    /// The value of its first `event` (or `message`) field.
    name: Option<Cow<'a, str>>,
}
fields!(LogIn { "timestamp" => timestamp });

/// A log's time until its span's start is known (keys come in any order).
const NO_TIME: i64 = i64::MIN;

fn time_us_or_rfc3339(v: &Any) -> Option<i64> {
    match v {
        Any::Str(s) => {
            ids::parse_rfc3339_ns(s).or_else(|| s.parse::<i64>().ok().and_then(ids::us_to_ns))
        }
        other => other.as_i64().and_then(ids::us_to_ns),
    }
}

fn duration_ns(v: &Any) -> Option<i64> {
    match v {
        Any::Str(s) => ids::parse_duration_ns(s),
        other => other.as_i64().map(|us| us.saturating_mul(1000)),
    }
}

fn decode_trace_like(
    b: &mut Builder,
    spans: &[Value],
    processes: Option<&Value>,
) -> Result<(), DecodeError> {
    let table = process_table(b, processes);
    let mut inline = InlineProcesses::default();
    for (n, s) in spans.iter().enumerate() {
        let text = borrowed::text_of(s);
        let mut r = Pull::new(&text);
        // Text made from a Value is JSON: it always reads.
        let span = read_span(&mut r, b).ok().flatten();
        decode_span(b, n, span.as_ref(), &table, &mut inline, None)?;
    }
    Ok(())
}

/// The resources of inline processes (spans listed alone), by their
/// text ([`Builder::resource_of_text`]): most spans of a list repeat an
/// earlier one's, and no tree of it is made again (the same process written
/// otherwise is one resource once `Builder::keep_one_of_each_resource` has
/// run).
#[derive(Default)]
struct InlineProcesses {
    /// A process's text was no JSON `serde_json` reads (nested past its
    /// limit): a streamed reader gives up, leaving the message to the
    /// general path.
    unreadable: bool,
}

impl InlineProcesses {
    fn resource(&mut self, b: &mut Builder, text: &[u8]) -> Result<u32, DecodeError> {
        // The pull reader checked the text: it is UTF-8.
        let key = String::from_utf8_lossy(text);
        b.resource_of_text(&key, |b| {
            let p = borrowed::tree_of(text).inspect_err(|_| self.unreadable = true)?;
            Ok(process_resource(b, &p))
        })
    }
}

/// Spans whose `processID` was not known yet when they were decoded (the
/// `processes` map may come after the spans): (trace, span, processID).
pub type Deferred = Vec<(usize, usize, String)>;

fn decode_span(
    b: &mut Builder,
    n: usize,
    s: Option<&SpanIn>,
    table: &FxHashMap<String, u32>,
    inline: &mut InlineProcesses,
    deferred: Option<&mut Deferred>,
) -> Result<(), DecodeError> {
    let Some(s) = s else {
        return Err(DecodeError::shape(format!("span #{n} is not an object")));
    };
    let trace_text = s
        .trace_id
        .get()
        .or(s.trace_id_proto.get())
        .ok_or_else(|| DecodeError::shape(format!("span #{n} has no traceID")))?;
    let id_text = s
        .span_id
        .get()
        .or(s.span_id_proto.get())
        .ok_or_else(|| DecodeError::shape(format!("span #{n} has no spanID")))?;
    let (trace, trace_text_id) = b.trace_id(trace_text);
    let (key, id_text_id) = b.span_id(id_text);

    // Resource: processID into the table, else the inline process.
    let process_id = s.process_id.get().or(s.process_id_proto.get());
    let in_table = process_id.and_then(|p| table.get(p)).copied();
    // Named but not known yet: resolved once the trace object ends (the
    // table may come after its spans), as the general path reads the
    // table first; its inline process meanwhile, kept when the table does
    // not name it.
    let waits = in_table.is_none() && process_id.is_some() && deferred.is_some();
    let resource = match (in_table, s.process.0) {
        (Some(r), _) => r,
        (None, Some(text)) => inline.resource(b, text)?,
        (None, None) if waits => UNRESOLVED,
        (None, None) => {
            let u = b.unknown_service();
            b.service_resource(u)
        }
    };
    let service = match resource {
        UNRESOLVED => StrId(0),
        r => b.ds.resources[r as usize].service,
    };

    // Parent: the first CHILD_OF in this trace, else the first FOLLOWS_FROM
    // in this trace (as Jaeger UI does); every other reference is a link.
    // Indices into the list as read (an item that is no object is None).
    let refs = || {
        s.references
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((i, r.0.as_ref()?)))
    };
    let ref_at = |i: usize| s.references[i].0.as_ref();
    let same_trace = |r: &RefIn, b: &mut Builder| {
        let t = r.trace().unwrap_or(trace_text);
        ids::trace_key(&mut b.ds.strings, t) == trace
    };
    let mut parent_ref: Option<usize> = None;
    for want in ["CHILD_OF", "FOLLOWS_FROM"] {
        if parent_ref.is_some() {
            break;
        }
        for (i, r) in refs() {
            if r.is(want) && same_trace(r, b) {
                parent_ref = Some(i);
                break;
            }
        }
    }
    let mut parent_text = parent_ref.and_then(|i| ref_at(i)?.span());
    if parent_ref.is_none() {
        parent_text = s.parent_span_id.get();
        if parent_text.is_none() {
            // A CHILD_OF into another trace still names the span this one was cut from.
            parent_ref = refs().find(|(_, r)| r.is("CHILD_OF")).map(|(i, _)| i);
            parent_text = parent_ref.and_then(|i| ref_at(i)?.span());
        }
    }
    let parent = b.parent_id(parent_text);

    let lm = b.link_mark();
    for (i, r) in refs() {
        if Some(i) == parent_ref && parent.is_some() {
            continue;
        }
        let t = r.trace().unwrap_or(trace_text);
        let sp = r.span().unwrap_or("");
        let kind = match r.ref_type.get() {
            Some(ty) if ty.eq_ignore_ascii_case("FOLLOWS_FROM") => LinkKind::FollowsFrom,
            _ => LinkKind::Link,
        };
        b.link(t, sp, kind, Range32::default());
    }
    let links = b.links_since(lm);

    let TagsRead {
        attrs,
        kind,
        status,
    } = s.tags;
    let (status, status_message) = status.finish();
    let events = s.events;

    let mut flags = 0;
    let parent_follows = parent_ref.filter(|_| parent.is_some()).is_some_and(|i| {
        ref_at(i)
            .and_then(|r| r.ref_type.get())
            .is_some_and(|t| t.eq_ignore_ascii_case("FOLLOWS_FROM"))
    });
    if parent_follows {
        flags |= flags::ASYNC_PARENT;
    }
    let start_ns = time_us_or_rfc3339(&s.start_time).unwrap_or_else(|| {
        flags |= flags::NO_START;
        0
    });
    let duration_ns = duration_ns(&s.duration).unwrap_or_else(|| {
        flags |= flags::NO_DURATION;
        0
    });
    let mut untimed_logs = 0;
    for e in &mut b.ds.events[events.range()] {
        if e.time_ns == NO_TIME {
            e.time_ns = start_ns;
            untimed_logs += 1;
        }
    }
    // Warnings of this span go to its own trace, not to every trace of the file.
    let mut warnings = Vec::new();
    if untimed_logs > 0 {
        warnings.push(format!(
            "span {id_text}: {untimed_logs} log(s) without a valid timestamp, shown at the span's start"
        ));
    }
    for w in s.warnings.iter() {
        if let Some(w) = w.as_str() {
            warnings.push(format!("span {id_text}: {w}"));
        }
    }
    let name = b.intern(s.operation_name.get().unwrap_or(""));
    let at = b.push(BuiltSpan {
        trace,
        trace_text: trace_text_id,
        key,
        id_text: id_text_id,
        parent,
        service,
        name,
        start_ns,
        duration_ns,
        kind,
        status,
        status_message,
        resource,
        attrs,
        events,
        links,
        flags,
    });
    b.traces_mut()[at.0].add_warnings(&warnings);
    if let (true, Some(d), Some(p)) = (waits, deferred, process_id) {
        d.push((at.0, at.1, p.to_string()));
    }
    Ok(())
}

/// Streams the Jaeger shapes of one object: the common
/// `{"data":[{traceID, spans, processes}]}` and a bare trace object (the
/// UI's "Trace JSON", proto-JSON's `{spans, processMap}`), one span at a
/// time ([`super::stream`]); `None` for another shape. When a trace
/// object's `spans` or process table repeats, the file is read again
/// looking ahead ([`Stream::look_ahead`]), if nothing else was added to
/// `b`. A span alone is read by [`decode_span_alone`], which the caller
/// picks by its keys.
pub fn decode_stream(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    match super::detect::streamable(bytes) {
        Some(super::Format::Zipkin) => stream::run(b, bytes, span_array),
        _ => stream::run_looking_ahead_when_asked(b, bytes, reader_of(bytes)),
    }
}

/// One span alone that [`super::detect::span_alone`] names Jaeger's (a
/// line of JSON Lines of spans).
pub fn decode_span_alone(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    stream::run(b, bytes, one_span)
}

/// A list of spans, each with its `process` inline (jaeger-anonymizer's
/// output): Jaeger's when `detect` names its first item a Jaeger span.
fn span_array(st: &mut Stream, r: &mut Pull) -> Read<()> {
    let at = r.here();
    let mut first = r.back_at(at);
    let mut opening = true;
    if !first.list()
        || !first.item(&mut opening)?
        || super::detect::item_span_like(&mut first)? != Some(super::Format::Jaeger)
    {
        return Err(Bad);
    }
    st.found = true;
    span_list(st, r, &FxHashMap::default(), None)
}

/// One span alone, judged Jaeger's by its caller.
fn one_span(st: &mut Stream, r: &mut Pull) -> Read<()> {
    st.found = true;
    let span = read_span(r, st.b)?;
    let mut inline = InlineProcesses::default();
    let decoded = decode_span(
        st.b,
        0,
        span.as_ref(),
        &FxHashMap::default(),
        &mut inline,
        None,
    );
    refuse_unless_unreadable(st, decoded, &inline)
}

/// A span decoded: a refusal for the file, unless its process was
/// unreadable ([`InlineProcesses::unreadable`]): then the reader gives up.
fn refuse_unless_unreadable(
    st: &mut Stream,
    decoded: Result<(), DecodeError>,
    inline: &InlineProcesses,
) -> Read<()> {
    match decoded {
        Err(_) if inline.unreadable => Err(Bad),
        decoded => decoded.map_err(|e| st.refuse(e)),
    }
}

/// The reader of a file (or of a part read after [`part_prefix`]): the
/// envelope's when it begins `{"data":`, a list of spans' when it begins
/// `[`, else a bare trace object's.
fn reader_of(bytes: &[u8]) -> fn(&mut Stream, &mut Pull) -> Read<()> {
    match super::detect::streamable(bytes) {
        Some(super::Format::Jaeger) => envelope,
        Some(super::Format::Zipkin) => span_array,
        _ => bare_trace,
    }
}

/// What a later part of a list of Jaeger spans is read after: `[`, as a
/// part of a Zipkin list is, and a newline that tells the two apart
/// ([`super::parts`] names a part's format by what it is read after).
pub const LIST_PART_PREFIX: &[u8] = b"[\n";

/// Whether `head`, a file's first bytes, begins a list whose first item
/// `detect` names a Jaeger span, whole in `head` (jaeger-anonymizer's
/// output): read by [`span_array`], and cut in parts as a list.
pub fn begins_span_list(head: &[u8]) -> bool {
    let mut r = Pull::new(super::without_bom(head));
    r.list() && super::detect::item_span_like(&mut r) == Ok(Some(super::Format::Jaeger))
}

/// What a part of a file cut between spans ([`super::parts`]) begins with
/// when it does not begin the file (`head`): the trace object it is
/// inside, in the envelope or alone; nothing for JSON Lines of spans
/// ([`begins_span_lines`]); [`LIST_PART_PREFIX`] for a list of spans.
pub fn part_prefix(head: &[u8]) -> &'static [u8] {
    match super::detect::streamable(head) {
        Some(super::Format::Jaeger) => br#"{"data":[{"spans":["#,
        Some(super::Format::Zipkin) => LIST_PART_PREFIX,
        _ if begins_span_lines(head) => b"",
        _ => br#"{"spans":["#,
    }
}

/// Whether `head`, a file's first bytes, begins with a span alone that
/// `detect` names Jaeger's (JSON Lines of spans, as a collector's Kafka
/// topic holds them), whole in `head`.
pub fn begins_span_lines(head: &[u8]) -> bool {
    super::detect::span_alone(super::without_bom(head)) == Some(super::Format::Jaeger)
}

/// [`decode_stream`] of a part of a file (see [`stream::run_part`]).
pub fn decode_part(
    b: &mut Builder,
    bytes: &[u8],
    stop_inherited: (usize, bool),
) -> Option<Result<Seam, DecodeError>> {
    let read = match begins_span_lines(bytes) {
        true => span_lines,
        false => reader_of(bytes),
    };
    stream::run_part(b, bytes, stop_inherited, read)
}

/// JSON Lines of spans alone, a part of such a file: each value a span
/// that `detect::span_alone` names Jaeger's, read as the whole file reads
/// it ([`decode_span_alone`]); any other value ends the attempt (the file
/// is decoded whole).
fn span_lines(st: &mut Stream, r: &mut Pull) -> Read<()> {
    use super::detect::{next_value_and_span_alone, Format};
    // Its caller judged the part by its first line (`begins_span_lines`):
    // a part that stops before that line (cut at it) is of these lines too.
    st.found = true;
    while r.peek() != 0 {
        st.stop_before(r)?;
        let at = r.here();
        if next_value_and_span_alone(r)?.1 != Some(Format::Jaeger) {
            return Err(Bad);
        }
        one_span(st, &mut r.back_at(at))?;
        if let Some(total) = st.estimate(r) {
            st.b.expect_spans(total);
        }
    }
    Ok(())
}

/// Whether `head`, a file's first bytes, begins a trace object that is the
/// whole file and that `detect` names Jaeger's: judged by its keys before
/// `spans` and its first span ([`is_jaeger_list`]); true when `head` ends
/// inside that span (the parts find out), false when it ends before
/// `spans`.
pub fn begins_trace_object(head: &[u8]) -> bool {
    let (mut traced, mut jaeger) = (false, false);
    let _ = Pull::new(super::without_bom(head)).each_key(|k, r| match k.as_ref() {
        k if read_before_spans(k) => Err(Bad),
        "traceID" => {
            traced = true;
            r.skip()
        }
        "spans" => {
            jaeger = is_jaeger_list(r, traced).unwrap_or(true);
            Err(Bad)
        }
        _ => r.skip(),
    });
    jaeger
}

use super::detect::NAMED_FIRST;
use super::parts::Seam;
use super::pull::{fields, Bad, Pull, Read};
use super::stream::{self, Stream};

/// `{"data": [...]}`: every other key is skipped.
fn envelope(st: &mut Stream, r: &mut Pull) -> Read<()> {
    r.each_key(|k, r| match k.as_ref() {
        "data" if !st.found => {
            st.found = true;
            // An empty list is a message of its own (the general path says it).
            let mut any = false;
            r.each_item(|r| {
                any = true;
                trace_object(st, r, Place::InData)
            })?;
            if any {
                Ok(())
            } else {
                Err(Bad)
            }
        }
        "data" => Err(Bad),
        k if NAMED_FIRST.contains(&k) => Err(Bad),
        _ => r.skip(),
    })
}

/// A trace object that is the file's top value.
fn bare_trace(st: &mut Stream, r: &mut Pull) -> Read<()> {
    trace_object(st, r, Place::Top)
}

/// Where a trace object is met.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    /// An item of `data`: Jaeger's by the envelope.
    InData,
    /// The file's top value: Jaeger's only as [`super::detect`] judges it
    /// ([`is_jaeger_list`]), and read only when no key it looks at first
    /// ([`read_before_spans`]) says otherwise.
    Top,
}

/// Keys by which `detect` may name a top object another format's (or a
/// Jaeger envelope) before it looks at `spans`, with [`NAMED_FIRST`].
const KEYS_DETECT_READS_FIRST: [&str; 3] = ["data", "batchWriteSpansRequest", "projectId"];

/// Whether `detect` reads top-level key `k` before `spans`: a top object
/// that has it is left to the general path.
fn read_before_spans(k: &str) -> bool {
    NAMED_FIRST.contains(&k) || KEYS_DETECT_READS_FIRST.contains(&k)
}

/// Whether the `spans` list that comes next makes the top object Jaeger's
/// as `detect` judges it: not when its first span's `name` begins with
/// `projects/` (Cloud Trace's); yes when the object has a `traceID`
/// (`traced`, known so far) or the first span an `operationName` or
/// `spanID`. An empty list, or no list, is left to the general path;
/// bytes that end before the first span does are [`Bad`].
fn is_jaeger_list(r: &mut Pull, traced: bool) -> Read<bool> {
    let at = r.here();
    let mut first = r.back_at(at);
    let mut opening = true;
    if !first.list() || !first.item(&mut opening)? {
        return Ok(false);
    }
    if first.peek() == 0 {
        return Err(Bad);
    }
    let (mut cloud, mut jaeger_keys) = (false, false);
    if first.peek() == b'{' {
        first.each_key(|k, r| {
            match k.as_ref() {
                // The last `name`, as `JSON.parse` keeps it.
                "name" => cloud = r.string()?.is_some_and(|n| n.starts_with("projects/")),
                "operationName" | "spanID" => {
                    jaeger_keys = true;
                    r.skip()?
                }
                _ => r.skip()?,
            }
            Ok(())
        })?;
    }
    Ok(!cloud && (traced || jaeger_keys))
}

/// A top object is taken as Jaeger's by the `spans` list that comes next
/// ([`is_jaeger_list`]), or the reader gives up; an item of `data` is
/// Jaeger's already.
fn jaeger_by_spans(st: &mut Stream, r: &mut Pull, place: Place, traced: bool) -> Read<()> {
    if place == Place::Top {
        if !is_jaeger_list(r, traced)? {
            return Err(Bad);
        }
        st.found = true;
    }
    Ok(())
}

/// One `{traceID, spans, processes}` (or proto-JSON's `processMap`, used
/// when there is no `processes`, as the general path does). Read as it
/// comes, `spans` and one process table each come once; one repeated, or
/// `processes` after `processMap`, sets [`Stream::context_after`]. Looking
/// ahead, all are skipped and the last of each read once the object is
/// (as `JSON.parse` keeps the last).
fn trace_object(st: &mut Stream, r: &mut Pull, place: Place) -> Read<()> {
    // The first object of a later part began in an earlier one.
    let inherited = std::mem::take(&mut st.inherited);
    let look_ahead = st.look_ahead;
    let top = place == Place::Top;
    let mut table = FxHashMap::default();
    let mut deferred = Deferred::new();
    let (mut saw_spans, mut traced) = (false, false);
    let mut read_table: Option<&str> = None;
    // Looking ahead: where the last `spans`, `processes` and `processMap` begin.
    let (mut spans_at, mut processes_at, mut process_map_at) = (None, None, None);
    let mut read = r.each_key(|k, r| match k.as_ref() {
        k if top && read_before_spans(k) => Err(Bad),
        "traceID" => {
            traced = true;
            r.skip()
        }
        "spans" if look_ahead => {
            spans_at = Some(r.here());
            r.skip()
        }
        "processes" if look_ahead => {
            processes_at = Some(r.here());
            r.skip()
        }
        "processMap" if look_ahead => {
            process_map_at = Some(r.here());
            r.skip()
        }
        "spans" if !saw_spans => {
            saw_spans = true;
            jaeger_by_spans(st, r, place, traced)?;
            span_list(st, r, &table, Some(&mut deferred))
        }
        "processes" if read_table.is_none() => {
            read_table = Some("processes");
            table = processes_of(st.b, r)?;
            Ok(())
        }
        "processMap" if read_table.is_none() => {
            read_table = Some("processMap");
            table = processes_of(st.b, r)?;
            Ok(())
        }
        "processMap" if read_table == Some("processes") => r.skip(),
        "spans" | "processes" | "processMap" => {
            st.context_after = true;
            Err(Bad)
        }
        _ => r.skip(),
    });
    if let (Ok(()), Some(at)) = (read, spans_at) {
        let mut spans = r.back_at(at);
        jaeger_by_spans(st, &mut spans, place, traced)?;
        if let Some(p) = processes_at.or(process_map_at) {
            table = processes_of(st.b, &mut r.back_at(p))?;
        }
        saw_spans = true;
        read = span_list(st, &mut spans, &table, Some(&mut deferred));
    }
    if read.is_err() {
        if st.stopped_at.is_some() {
            // Cut inside this object: its processes may come in a later part.
            st.seam.hold(inherited, deferred, table);
        }
        return read;
    }
    if !saw_spans {
        return Err(Bad);
    }
    if inherited && table.is_empty() {
        // Its processes came before its spans, in an earlier part.
        st.seam.closed_inherited = true;
        st.seam.leading = deferred;
        return Ok(());
    }
    // Spans read before the process table: their resource and service now.
    resolve(st.b, deferred, &table);
    if inherited {
        // Spans of earlier parts wait for these processes.
        st.seam.closed_inherited = true;
        st.seam.inherited_processes = table;
    }
    Ok(())
}

/// A streamed trace's process table: the UI's `processes` map as it comes
/// ([`process_map`]); any other value (proto-JSON's `processMap` list,
/// `[{processID, process}]`) small, read as a tree as the general path
/// reads it.
fn processes_of(b: &mut Builder, r: &mut Pull) -> Read<FxHashMap<String, u32>> {
    match r.peek() {
        b'{' => process_map(b, r),
        _ => Ok(process_table(b, Some(&r.value()?))),
    }
}

/// Gives spans that named a process before the `processes` map was read
/// their resource and service: the map's; when it does not name it, the
/// span's inline process given as it was read, else the unknown service.
/// (An inline process the map overrules stays in the resources unused.)
pub fn resolve(b: &mut Builder, deferred: Deferred, table: &FxHashMap<String, u32>) {
    for (ti, si, pid) in deferred {
        let r = match table.get(&pid) {
            Some(&r) => r,
            // Its inline process, given when it was read.
            None if b.traces_mut()[ti].resource[si] != UNRESOLVED => continue,
            None => {
                let u = b.unknown_service();
                b.service_resource(u)
            }
        };
        let service = b.ds.resources[r as usize].service;
        let t = &mut b.traces_mut()[ti];
        t.resource[si] = r;
        t.service[si] = service;
    }
}

/// The trace's `spans`, decoded as they are read.
fn span_list(
    st: &mut Stream,
    r: &mut Pull,
    table: &FxHashMap<String, u32>,
    mut deferred: Option<&mut Deferred>,
) -> Read<()> {
    let mut inline = InlineProcesses::default();
    let mut n = 0;
    r.each_item(|r| {
        st.stop_before(r)?;
        let v = read_span(r, st.b)?;
        let decoded = decode_span(
            st.b,
            n,
            v.as_ref(),
            table,
            &mut inline,
            deferred.as_deref_mut(),
        );
        n += 1;
        if let Some(total) = st.estimate(r) {
            st.b.expect_spans(total);
        }
        refuse_unless_unreadable(st, decoded, &inline)
    })
}
