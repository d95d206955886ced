//! Jaeger JSON: the UI export / query API v1 (`{data:[trace]}`), a bare trace
//! (`{traceID, spans, processes}`), a bare span array with inline `process`,
//! and the Jaeger model proto-JSON (base64 ids, RFC 3339 times, `"5000ns"`).

use super::borrowed::{self, Any, List, Obj, Str};
use super::builder::{json, Builder, SpanIn as BuiltSpan};
use super::{ids, DecodeError};
use crate::model::*;
use rustc_hash::FxHashMap;
use serde_json::Value;

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
    let p: Obj<ProcessIn> = borrowed::read(&text);
    let p = p.0.unwrap_or_default();
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
/// reads as before (first spelling wins) instead of failing.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SpanIn<'a> {
    #[serde(rename = "traceID", borrow)]
    trace_id: Str<'a>,
    #[serde(rename = "traceId", borrow)]
    trace_id_proto: Str<'a>,
    #[serde(rename = "spanID", borrow)]
    span_id: Str<'a>,
    #[serde(rename = "spanId", borrow)]
    span_id_proto: Str<'a>,
    #[serde(rename = "parentSpanID", borrow)]
    parent_span_id: Str<'a>,
    #[serde(rename = "operationName", borrow)]
    operation_name: Str<'a>,
    #[serde(borrow)]
    references: List<Obj<RefIn<'a>>>,
    #[serde(rename = "startTime", borrow)]
    start_time: Any<'a>,
    #[serde(borrow)]
    duration: Any<'a>,
    #[serde(borrow)]
    tags: List<Obj<TagIn<'a>>>,
    #[serde(borrow)]
    logs: List<Obj<LogIn<'a>>>,
    #[serde(rename = "processID", borrow)]
    process_id: Str<'a>,
    #[serde(rename = "processId", borrow)]
    process_id_proto: Str<'a>,
    /// An inline process (bare span lists): rare, kept as JSON.
    #[serde(borrow)]
    process: Any<'a>,
    #[serde(borrow)]
    warnings: List<Any<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RefIn<'a> {
    #[serde(rename = "refType", borrow)]
    ref_type: Str<'a>,
    #[serde(rename = "traceID", borrow)]
    trace_id: Str<'a>,
    #[serde(rename = "traceId", borrow)]
    trace_id_proto: Str<'a>,
    #[serde(rename = "spanID", borrow)]
    span_id: Str<'a>,
    #[serde(rename = "spanId", borrow)]
    span_id_proto: Str<'a>,
}

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
#[derive(Deserialize, Default)]
#[serde(default)]
struct TagIn<'a> {
    #[serde(borrow)]
    key: Str<'a>,
    #[serde(rename = "type", borrow)]
    ty: Str<'a>,
    #[serde(rename = "vType", borrow)]
    v_type: Str<'a>,
    #[serde(borrow)]
    value: Any<'a>,
    #[serde(rename = "vStr", borrow)]
    v_str: Any<'a>,
    #[serde(rename = "vBool", borrow)]
    v_bool: Any<'a>,
    #[serde(rename = "vInt64", borrow)]
    v_int64: Any<'a>,
    #[serde(rename = "vFloat64", borrow)]
    v_float64: Any<'a>,
    #[serde(rename = "vBinary", borrow)]
    v_binary: Any<'a>,
}

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

#[derive(Deserialize, Default)]
#[serde(default)]
struct LogIn<'a> {
    #[serde(borrow)]
    timestamp: Any<'a>,
    #[serde(borrow)]
    fields: List<Obj<TagIn<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProcessIn<'a> {
    #[serde(rename = "serviceName", borrow)]
    service_name: Str<'a>,
    #[serde(borrow)]
    tags: List<Obj<TagIn<'a>>>,
}

fn tag_attr(b: &mut Builder, tag: &TagIn) {
    let Some(key) = tag.key.get() else {
        return;
    };
    let ty = tag
        .ty
        .get()
        .or(tag.v_type.get())
        .unwrap_or("")
        .to_ascii_lowercase();
    let Some(value) = tag.value() else {
        // proto-JSON omits zero values: a STRING tag without vStr is "".
        let v = match ty.as_str() {
            "bool" => AttrValue::Bool(false),
            "int64" => AttrValue::Int(0),
            "float64" => AttrValue::Float(0.0),
            _ => AttrValue::Str(StrId(0)),
        };
        b.attr(key, v);
        return;
    };
    let av = match (ty.as_str(), value) {
        ("bool", v) => Some(AttrValue::Bool(v.truthy())),
        ("int64", v) => v.as_i64().map(AttrValue::Int),
        ("float64", Any::I64(_) | Any::U64(_) | Any::F64(_) | Any::Str(_)) => {
            value.as_f64().map(AttrValue::Float)
        }
        _ => None,
    };
    match av {
        Some(av) => b.attr(key, av),
        None => b.attr_any(key, value),
    }
}

fn time_us_or_rfc3339(v: &Any) -> Option<i64> {
    match v {
        Any::Str(s) => {
            ids::parse_rfc3339_ns(s).or_else(|| s.parse::<i64>().ok().map(|us| us * 1000))
        }
        other => other.as_i64().map(|us| us.saturating_mul(1000)),
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
    let mut inline_cache: FxHashMap<String, u32> = FxHashMap::default();
    for (n, s) in spans.iter().enumerate() {
        let text = borrowed::text_of(s);
        let span: Obj<SpanIn> = borrowed::read(&text);
        decode_span(b, n, span.0.as_ref(), &table, &mut inline_cache, None)?;
    }
    Ok(())
}

/// A span whose `processID` was not known yet when it was decoded (the
/// `processes` map may come after the spans): (trace, span, processID).
type Deferred = Vec<(usize, usize, String)>;
const UNRESOLVED: u32 = u32::MAX;

fn decode_span(
    b: &mut Builder,
    n: usize,
    s: Option<&SpanIn>,
    table: &FxHashMap<String, u32>,
    inline_cache: &mut FxHashMap<String, u32>,
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
    let resource = match process_id.and_then(|p| table.get(p)) {
        Some(&r) => r,
        None => match &s.process {
            Any::Absent => match deferred {
                // Named but not known yet: resolved once the trace object ends.
                Some(_) if process_id.is_some() => UNRESOLVED,
                _ => {
                    let u = b.unknown_service();
                    b.service_resource(u)
                }
            },
            p => {
                let p = p.to_value();
                let cache_key = p.to_string();
                match inline_cache.get(&cache_key) {
                    Some(&r) => r,
                    None => {
                        let r = process_resource(b, &p);
                        inline_cache.insert(cache_key, r);
                        r
                    }
                }
            }
        },
    };
    let service = match resource {
        UNRESOLVED => StrId(0),
        r => b.ds.resources[r as usize].service,
    };

    // Parent: the first CHILD_OF in this trace, else the first FOLLOWS_FROM
    // in this trace (as Jaeger UI does); every other reference is a link.
    let refs: Vec<&RefIn> = s.references.iter().filter_map(|r| r.0.as_ref()).collect();
    let same_trace = |r: &RefIn, b: &mut Builder| {
        let t = r.trace().unwrap_or(trace_text);
        ids::trace_key(&mut b.ds.strings, t) == trace
    };
    let mut parent_ref: Option<usize> = None;
    for want in ["CHILD_OF", "FOLLOWS_FROM"] {
        if parent_ref.is_some() {
            break;
        }
        for (i, r) in refs.iter().enumerate() {
            if r.is(want) && same_trace(r, b) {
                parent_ref = Some(i);
                break;
            }
        }
    }
    let mut parent_text = parent_ref.and_then(|i| refs[i].span());
    if parent_ref.is_none() {
        parent_text = s.parent_span_id.get();
        if parent_text.is_none() {
            // A CHILD_OF into another trace still names the span this one was cut from.
            parent_ref = refs.iter().position(|r| r.is("CHILD_OF"));
            parent_text = parent_ref.and_then(|i| refs[i].span());
        }
    }
    let parent = b.parent_id(parent_text);

    let lm = b.link_mark();
    for (i, r) in refs.iter().enumerate() {
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

    let am = b.mark();
    let mut kind = SpanKind::Unspecified;
    let mut status = StatusCode::Unset;
    let mut status_message = StrId(0);
    for tag in s.tags.iter().filter_map(|t| t.0.as_ref()) {
        let before = b.mark();
        tag_attr(b, tag);
        if b.mark() == before {
            continue;
        }
        let Some(attr) = b.ds.attrs.last().copied() else {
            continue;
        };
        match b.ds.str(attr.key) {
            "span.kind" => {
                if let AttrValue::Str(v) = attr.value {
                    kind = SpanKind::parse(b.ds.str(v));
                }
            }
            "error" => {
                let is_err = match attr.value {
                    AttrValue::Bool(v) => v,
                    AttrValue::Str(v) => b.ds.str(v).eq_ignore_ascii_case("true"),
                    AttrValue::Int(v) => v != 0,
                    AttrValue::Float(_) => false,
                };
                if is_err {
                    status = StatusCode::Error;
                }
            }
            "otel.status_code" => {
                if let AttrValue::Str(v) = attr.value {
                    match b.ds.str(v).to_ascii_uppercase().as_str() {
                        "ERROR" => status = StatusCode::Error,
                        "OK" if status == StatusCode::Unset => status = StatusCode::Ok,
                        _ => {}
                    }
                }
            }
            "otel.status_description" | "error.message" => {
                if let AttrValue::Str(v) = attr.value {
                    status_message = v;
                }
            }
            _ => {}
        }
    }
    let attrs = b.since(am);

    let em = b.event_mark();
    for log in s.logs.iter().filter_map(|l| l.0.as_ref()) {
        let t = time_us_or_rfc3339(&log.timestamp).unwrap_or(0);
        let fm = b.mark();
        let mut name: Option<&str> = None;
        for f in log.fields.iter().filter_map(|f| f.0.as_ref()) {
            if name.is_none() && matches!(f.key.get(), Some("event") | Some("message")) {
                name = [&f.value, &f.v_str]
                    .into_iter()
                    .find(|v| v.is_present())
                    .and_then(Any::as_str);
            }
            tag_attr(b, f);
        }
        let fa = b.since(fm);
        b.event(t, name.unwrap_or("log"), fa);
    }
    let events = b.events_since(em);

    let mut flags = 0;
    let parent_follows = parent_ref.filter(|_| parent.is_some()).is_some_and(|i| {
        refs[i]
            .ref_type
            .get()
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
    for w in s.warnings.iter() {
        if let Some(w) = w.as_str() {
            b.warnings.push(format!("span {id_text}: {w}"));
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
    if let (UNRESOLVED, Some(d), Some(p)) = (resource, deferred, process_id) {
        d.push((at.0, at.1, p.to_string()));
    }
    Ok(())
}

/// Streams the common Jaeger shape, `{"data":[{traceID, spans, processes}]}`,
/// one span at a time ([`super::stream`]); `None` for another shape.
pub fn decode_stream(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    stream::run(b, bytes, |st, de| Envelope(st).deserialize(de))
}

use super::stream::{self, expecting, seed, Stream};
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;

/// `{"data": [...]}`: every other key is skipped.
struct Envelope<'x, 's, 'b>(&'x mut Stream<'s, 'b>);
/// The `data` list of trace objects.
struct TraceList<'x, 's, 'b>(&'x mut Stream<'s, 'b>);
/// One `{traceID, spans, processes}`.
struct TraceObject<'x, 's, 'b>(&'x mut Stream<'s, 'b>);
/// Its `spans`, decoded as they are read.
struct SpanList<'x, 's, 'b, 't> {
    st: &'x mut Stream<'s, 'b>,
    table: &'t FxHashMap<String, u32>,
    deferred: &'t mut Deferred,
}

seed!(Envelope<'_, '_, '_>, deserialize_map);
impl<'de> Visitor<'de> for Envelope<'_, '_, '_> {
    type Value = ();
    expecting!("a Jaeger response object");
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        while let Some(k) = m.next_key::<Cow<str>>()? {
            if k == "data" && !self.0.found {
                self.0.found = true;
                m.next_value_seed(TraceList(&mut *self.0))?;
            } else if k == "data" {
                return Err(A::Error::custom("two data keys"));
            } else {
                m.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

seed!(TraceList<'_, '_, '_>, deserialize_seq);
impl<'de> Visitor<'de> for TraceList<'_, '_, '_> {
    type Value = ();
    expecting!("a list of Jaeger traces");
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        let mut any = false;
        while s.next_element_seed(TraceObject(&mut *self.0))?.is_some() {
            any = true;
        }
        // An empty list is a message of its own (the general path says it).
        if any {
            Ok(())
        } else {
            Err(A::Error::custom("empty"))
        }
    }
}

seed!(TraceObject<'_, '_, '_>, deserialize_map);
impl<'de> Visitor<'de> for TraceObject<'_, '_, '_> {
    type Value = ();
    expecting!("a Jaeger trace object");
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        let st = self.0;
        let mut table = FxHashMap::default();
        let mut deferred = Deferred::new();
        let mut saw_spans = false;
        while let Some(k) = m.next_key::<Cow<str>>()? {
            match k.as_ref() {
                "spans" if !saw_spans => {
                    saw_spans = true;
                    m.next_value_seed(SpanList {
                        st: &mut *st,
                        table: &table,
                        deferred: &mut deferred,
                    })?;
                }
                "processes" if table.is_empty() => {
                    let p: Value = m.next_value()?;
                    if !p.is_object() {
                        return Err(A::Error::custom("processes is not a map"));
                    }
                    table = process_table(st.b, Some(&p));
                }
                "spans" | "processes" | "processMap" => return Err(stream::other_shape()),
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !saw_spans {
            return Err(A::Error::custom("no spans"));
        }
        // Spans read before the processes map: their resource and service now.
        for (ti, si, pid) in deferred {
            let r = match table.get(&pid) {
                Some(&r) => r,
                None => {
                    let u = st.b.unknown_service();
                    st.b.service_resource(u)
                }
            };
            let service = st.b.ds.resources[r as usize].service;
            let t = &mut st.b.traces_mut()[ti];
            t.resource[si] = r;
            t.service[si] = service;
        }
        Ok(())
    }
}

seed!(SpanList<'_, '_, '_, '_>, deserialize_seq);
impl<'de> Visitor<'de> for SpanList<'_, '_, '_, '_> {
    type Value = ();
    expecting!("a list of Jaeger spans");
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        let mut inline_cache = FxHashMap::default();
        let mut n = 0;
        while let Some(v) = s.next_element::<Obj<SpanIn>>()? {
            if let Err(e) = decode_span(
                self.st.b,
                n,
                v.0.as_ref(),
                self.table,
                &mut inline_cache,
                Some(&mut *self.deferred),
            ) {
                return Err(self.st.refuse(e));
            }
            n += 1;
        }
        Ok(())
    }
}
