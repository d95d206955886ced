//! Google Cloud Trace: v2 (BatchWriteSpans `{name, spans}`, spans named
//! `projects/P/traces/T/spans/S`, `attributeMap`, `timeEvents`) and v1
//! (`{projectId, traceId, spans}` with `labels`, or `{traces:[…]}`).
//!
//! A file is read with the pull reader ([`decode_stream`]): each span's
//! text found without a tree of the file, then each span read as its own
//! small tree. The general path writes its tree as text and reads it the
//! same way ([`decode`]).

use super::borrowed::{self, tree_of};
use super::builder::{self, json, Builder, SpanIn, Timing};
use super::detect::NAMED_FIRST;
use super::pull::{Bad, Pull, Read};
use super::{ids, DecodeError};
use crate::model::*;
use serde_json::Value;
use std::borrow::Cow;

/// A file's bytes, when they are surely Cloud Trace's (judged as `detect`
/// judges): decoded.
pub fn decode_stream(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    let found = find_spans(bytes, true)?;
    if !found.surely_gcp() {
        return None;
    }
    Some(decode_found(b, found))
}

/// A file the general path found to be Cloud Trace's.
pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    let text = borrowed::text_of(v);
    let found = find_spans(&text, false).unwrap_or_default();
    decode_found(b, found)
}

/// What the file's top object holds, each key's last value (as for any
/// repeated key); spans as their JSON text.
#[derive(Default)]
struct Found<'a> {
    /// `batchWriteSpansRequest`, when a list: how many requests, and
    /// their spans.
    requests: Option<(usize, Vec<&'a [u8]>)>,
    /// `batchWriteSpansRequest` (any value).
    has_requests: bool,
    /// `spans`: there, and its items when a list.
    spans: Option<Option<Vec<&'a [u8]>>>,
    /// `traceId`: there, and its text when a string.
    trace_id: Option<Option<Cow<'a, str>>>,
    /// `traces` (v1), when a list.
    traces: Option<Vec<TraceV1<'a>>>,
    has_project: bool,
}

/// An item of a v1 `traces` list.
#[derive(Default)]
struct TraceV1<'a> {
    trace_id: Option<Cow<'a, str>>,
    spans: Vec<&'a [u8]>,
    has_project: bool,
}

/// Keys by which `detect` names another format before Cloud Trace (with
/// `detect::NAMED_FIRST`).
const OTHER_FORMATS_KEYS: [&str; 3] = ["data", "traceID", "Traces"];

/// The top object's spans. `sniffing`: `None` for a file whose keys may
/// name another format, or that is no object.
fn find_spans(bytes: &[u8], sniffing: bool) -> Option<Found<'_>> {
    let mut r = Pull::new(bytes);
    let mut f = Found::default();
    let read = r.each_key(|k, r| match &*k {
        "batchWriteSpansRequest" => {
            f.has_requests = true;
            f.requests = None;
            if r.peek() == b'[' {
                let (mut n, mut spans) = (0, Vec::new());
                r.each_item(|r| {
                    n += 1;
                    spans.append(&mut trace_v1(r)?.spans);
                    Ok(())
                })?;
                f.requests = Some((n, spans));
            } else {
                r.skip()?;
            }
            Ok(())
        }
        "spans" => {
            f.spans = Some(list_of_spans(r)?);
            Ok(())
        }
        "traceId" => {
            f.trace_id = Some(r.string()?);
            Ok(())
        }
        "traces" => {
            f.traces = None;
            if r.peek() == b'[' {
                let mut traces = Vec::new();
                r.each_item(|r| {
                    traces.push(trace_v1(r)?);
                    Ok(())
                })?;
                f.traces = Some(traces);
            } else {
                r.skip()?;
            }
            Ok(())
        }
        "projectId" => {
            f.has_project = true;
            r.skip()
        }
        k if sniffing && (NAMED_FIRST.contains(&k) || OTHER_FORMATS_KEYS.contains(&k)) => Err(Bad),
        _ => r.skip(),
    });
    match read.and_then(|_| r.end()) {
        Ok(()) => Some(f),
        Err(_) => None,
    }
}

/// The items of the list that comes next as texts; `None` for any other value.
fn list_of_spans<'a>(r: &mut Pull<'a>) -> Read<Option<Vec<&'a [u8]>>> {
    if r.peek() != b'[' {
        r.skip()?;
        return Ok(None);
    }
    let mut spans = Vec::new();
    spans_of_list(r, &mut spans)?;
    Ok(Some(spans))
}

/// The items of the list that comes next (none for any other value), as
/// texts, replacing what `spans` held (a repeated key's last value).
fn spans_of_list<'a>(r: &mut Pull<'a>, spans: &mut Vec<&'a [u8]>) -> Read<()> {
    spans.clear();
    borrowed::each_item(r, |r| {
        spans.push(r.raw()?);
        Ok(())
    })
}

/// An item of `traces` (or of `batchWriteSpansRequest`, whose `spans`
/// alone are read): an object's `traceId`, `spans` and whether it names a
/// project; anything else holds none.
fn trace_v1<'a>(r: &mut Pull<'a>) -> Read<TraceV1<'a>> {
    let mut t = TraceV1::default();
    borrowed::each_entry(r, |k, r| match &*k {
        "traceId" => {
            t.trace_id = r.string()?;
            Ok(())
        }
        "spans" => spans_of_list(r, &mut t.spans),
        "projectId" => {
            t.has_project = true;
            r.skip()
        }
        _ => r.skip(),
    })?;
    Ok(t)
}

impl Found<'_> {
    /// Whether `detect` names the file Cloud Trace's, read from what was
    /// found (the keys it looks at before are refused while sniffing).
    fn surely_gcp(&self) -> bool {
        if self.has_requests
            || (self.has_project && self.trace_id.is_some() && self.spans.is_some())
        {
            return true;
        }
        if let Some(Some(spans)) = &self.spans {
            let first = spans.first().and_then(|t| tree_of(t).ok());
            let first = first.as_ref();
            if first
                .and_then(|s| json::str(s, "name"))
                .is_some_and(|n| n.starts_with("projects/"))
            {
                return true;
            }
            // Jaeger's spans.
            if first.is_some_and(|s| s.get("operationName").is_some() || s.get("spanID").is_some())
            {
                return false;
            }
        }
        self.traces
            .as_ref()
            .and_then(|t| t.first())
            .is_some_and(|t| t.has_project)
    }

    /// The v2 spans: of `batchWriteSpansRequest` when it is a list of any
    /// requests, else of `spans` when there is no `traceId`.
    fn v2_spans(&self) -> Option<&[&[u8]]> {
        match &self.requests {
            Some((n, spans)) => (*n > 0).then_some(spans.as_slice()),
            None if self.trace_id.is_none() => {
                let spans = self.spans.as_ref()?;
                Some(spans.as_deref().unwrap_or_default())
            }
            None => None,
        }
    }
}

fn decode_found(b: &mut Builder, f: Found) -> Result<(), DecodeError> {
    let expect = |b: &mut Builder, i: usize, total: usize| {
        if i == builder::EXPECT_AFTER {
            b.expect_spans(total);
        }
    };
    if let Some(spans) = f.v2_spans() {
        for (i, s) in spans.iter().enumerate() {
            expect(b, i, spans.len());
            v2_span(b, &tree_of(s)?)?;
        }
        return Ok(());
    }
    // v1: `traces`, or the object itself one trace.
    let traces = f.traces.unwrap_or_else(|| {
        vec![TraceV1 {
            trace_id: f.trace_id.flatten(),
            spans: f.spans.flatten().unwrap_or_default(),
            has_project: f.has_project,
        }]
    });
    let total = traces.iter().map(|t| t.spans.len()).sum();
    let mut i = 0;
    for t in &traces {
        let trace_text = t
            .trace_id
            .as_deref()
            .ok_or_else(|| DecodeError::shape("a Cloud Trace v1 trace without traceId"))?;
        for s in &t.spans {
            expect(b, i, total);
            i += 1;
            v1_span(b, trace_text, &tree_of(s)?);
        }
    }
    Ok(())
}

fn trunc_value(v: Option<&Value>) -> Option<&str> {
    v.and_then(|x| json::str(x, "value"))
}

fn service_from_attrs(b: &mut Builder, r: Range32) -> StrId {
    let keys = ["service.name", "g.co/gae/app/module", "/component"];
    for k in keys {
        if let Some(kid) = b.ds.strings.lookup(k) {
            if let Some(AttrValue::Str(v)) =
                b.ds.attrs(r).iter().find(|a| a.key == kid).map(|a| a.value)
            {
                if !b.ds.str(v).is_empty() {
                    return v;
                }
            }
        }
    }
    b.unknown_service()
}

fn attribute_map(b: &mut Builder, a: Option<&Value>) -> Range32 {
    let m = b.mark();
    if let Some(map) = a
        .and_then(|a| a.get("attributeMap"))
        .and_then(Value::as_object)
    {
        for (k, v) in map {
            if let Some(sv) = v.get("stringValue") {
                b.attr_str(k, json::str(sv, "value").unwrap_or(""));
            } else if let Some(i) = v.get("intValue").and_then(json::as_i64) {
                b.attr(k, AttrValue::Int(i));
            } else if let Some(x) = v.get("boolValue") {
                b.attr(k, AttrValue::Bool(json::truthy(Some(x))));
            } else {
                b.attr_json(k, v);
            }
        }
    }
    b.since(m)
}

fn v2_span(b: &mut Builder, s: &Value) -> Result<(), DecodeError> {
    let full = json::str(s, "name").unwrap_or("");
    let trace_text = full
        .split("/traces/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .ok_or_else(|| {
            DecodeError::shape(format!(
                "a Cloud Trace span name without /traces/: {full:?}"
            ))
        })?;
    let (trace, trace_text_id) = b.trace_id(trace_text);
    let sid = json::str(s, "spanId")
        .or_else(|| full.rsplit('/').next())
        .unwrap_or("");
    let (key, id_text) = b.span_id(sid);
    let parent = b.parent_id(json::str(s, "parentSpanId"));
    let attrs = attribute_map(b, s.get("attributes"));
    let service = service_from_attrs(b, attrs);
    let resource = b.service_resource(service);
    let timing = Timing::from_start_end(
        json::str(s, "startTime").and_then(ids::parse_rfc3339_ns),
        json::str(s, "endTime").and_then(ids::parse_rfc3339_ns),
    );
    let start_ns = timing.start_ns;
    let code = s
        .get("status")
        .and_then(|x| json::i64(x, "code"))
        .unwrap_or(0);
    let status_message = match s.get("status").and_then(|x| json::str(x, "message")) {
        Some(m) => b.intern(m),
        None => StrId(0),
    };
    let em = b.event_mark();
    let tes = s
        .get("timeEvents")
        .map(|t| json::arr(t, "timeEvent"))
        .unwrap_or(&[]);
    for te in tes {
        let t = json::str(te, "time")
            .and_then(ids::parse_rfc3339_ns)
            .unwrap_or(start_ns);
        if let Some(ann) = te.get("annotation") {
            let a = attribute_map(b, ann.get("attributes"));
            let name = trunc_value(ann.get("description"))
                .unwrap_or("annotation")
                .to_string();
            b.event(t, &name, a);
        } else if let Some(me) = te.get("messageEvent") {
            let m = b.mark();
            b.attr_json("message", me);
            let a = b.since(m);
            b.event(t, "message", a);
        }
    }
    let events = b.events_since(em);
    let lm = b.link_mark();
    for l in s.get("links").map(|l| json::arr(l, "link")).unwrap_or(&[]) {
        let a = attribute_map(b, l.get("attributes"));
        let t = json::str(l, "traceId").unwrap_or(trace_text).to_string();
        let sp = json::str(l, "spanId").unwrap_or("").to_string();
        b.link(&t, &sp, LinkKind::Link, a);
    }
    let links = b.links_since(lm);
    let name = b.intern(trunc_value(s.get("displayName")).unwrap_or(""));
    b.push(SpanIn {
        trace,
        trace_text: trace_text_id,
        key,
        id_text,
        parent,
        service,
        name,
        start_ns,
        duration_ns: timing.duration_ns,
        kind: SpanKind::parse(json::str(s, "spanKind").unwrap_or("")),
        status: StatusCode::error_if(code != 0),
        status_message,
        resource,
        attrs,
        events,
        links,
        flags: timing.flags,
    });
    Ok(())
}

fn v1_span(b: &mut Builder, trace_text: &str, s: &Value) {
    let (trace, trace_text_id) = b.trace_id(trace_text);
    let sid = s.get("spanId").and_then(json::id_text).unwrap_or_default();
    let (key, id_text) = b.span_id(&sid);
    let parent_text = s.get("parentSpanId").and_then(json::id_text);
    let parent = b.parent_id(parent_text.as_deref());
    let m = b.mark();
    if let Some(labels) = s.get("labels").and_then(Value::as_object) {
        for (k, v) in labels {
            b.attr_json(k, v);
        }
    }
    let attrs = b.since(m);
    let service = service_from_attrs(b, attrs);
    let resource = b.service_resource(service);
    let timing = Timing::from_start_end(
        json::str(s, "startTime").and_then(ids::parse_rfc3339_ns),
        json::str(s, "endTime").and_then(ids::parse_rfc3339_ns),
    );
    let err_msg = s.get("labels").and_then(|l| json::str(l, "/error/message"));
    let status_message = match err_msg {
        Some(m) => b.intern(m),
        None => StrId(0),
    };
    let kind = match json::str(s, "kind").unwrap_or("") {
        "RPC_SERVER" => SpanKind::Server,
        "RPC_CLIENT" => SpanKind::Client,
        _ => SpanKind::Unspecified,
    };
    let name = b.intern(json::str(s, "name").unwrap_or(""));
    b.push(SpanIn {
        trace,
        trace_text: trace_text_id,
        key,
        id_text,
        parent,
        service,
        name,
        start_ns: timing.start_ns,
        duration_ns: timing.duration_ns,
        kind,
        status: StatusCode::error_if(err_msg.is_some()),
        status_message,
        resource,
        attrs,
        events: Range32::default(),
        links: Range32::default(),
        flags: timing.flags,
    });
}
