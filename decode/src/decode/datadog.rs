//! Datadog agent payloads: `[[span…]…]` (traces of spans), a flat span
//! list, or either under `{"traces": …}`. Ids are uint64 numbers (beyond
//! 2^53: read exactly, never as floats); `_dd.p.tid` holds the high 64 bits
//! of a 128-bit trace id; span events and links may come as JSON strings
//! inside `meta`.
//!
//! A file is read with the pull reader ([`decode_stream`]): each span's text
//! found without a tree of the file, then each span read from its text
//! (lists and objects inside it, rare, as trees). The general path writes
//! its tree as text and reads it the same way ([`decode`]).

use super::borrowed::{self, obj_with, tree_of, Any, Obj, Str};
use super::builder::{self, json, Builder, SpanIn};
use super::pull::{fields, Bad, FromJson, Pull, Read};
use super::{detect, DecodeError};
use crate::model::*;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::borrow::Cow;
use std::hash::BuildHasher;

pub fn is_span(v: &Value) -> bool {
    is_span_by(&|k| v.get(k).is_some())
}

/// [`is_span`] of an object with the keys `has` says.
pub fn is_span_by(has: &dyn Fn(&str) -> bool) -> bool {
    has("span_id") && has("trace_id")
}

const NOT_A_LIST: &str = "a Datadog payload is a list";

/// A file's bytes, when they are a Datadog payload (judged, as `detect`
/// judges, by its first span or list): its spans decoded.
pub fn decode_stream(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    let found = find_spans(bytes, true)?;
    Some(found.and_then(|spans| decode_found(b, &spans)))
}

/// A payload the general path found to be Datadog's.
pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    let text = borrowed::text_of(v);
    let spans = find_spans(&text, false).unwrap_or(Err(DecodeError::shape(NOT_A_LIST)))?;
    decode_found(b, &spans)
}

/// What the first span or list must be for a file to be taken as Datadog's
/// before any format is known (`sniffing`).
#[derive(Clone, Copy, PartialEq)]
enum FirstItem {
    /// Anything: the format is known.
    Any,
    /// A Datadog span, or a list that begins with one (a bare list).
    DatadogSpan,
    /// A list (`{"traces": [[…]…]}`).
    List,
}

/// The spans of a payload, in order; `None` for an item of the top list
/// that is neither a span nor a list of them (refused when reached).
type Spans<'a> = Vec<Option<&'a [u8]>>;

/// The spans of a payload; `None` when sniffing finds another format's
/// file.
fn find_spans(bytes: &[u8], sniffing: bool) -> Option<Result<Spans<'_>, DecodeError>> {
    let mut r = Pull::new(bytes);
    let mut spans = Vec::new();
    let mut listed = false;
    // Checked when the first item is read: `Any` from then on.
    let mut first = FirstItem::Any;
    let read = if r.peek() == b'[' {
        listed = true;
        if sniffing {
            first = FirstItem::DatadogSpan;
        }
        top_list(&mut r, &mut spans, &mut first)
    } else {
        // `{"traces": […]}`; other keys leave the format to `detect` while
        // sniffing. (The general path's text has each key once.)
        if sniffing {
            first = FirstItem::List;
        }
        r.each_key(|k, r| match &*k {
            "traces" if !listed && r.peek() == b'[' => {
                listed = true;
                top_list(r, &mut spans, &mut first)
            }
            "traces" => Err(Bad),
            _ if sniffing => Err(Bad),
            _ => r.skip(),
        })
    };
    // An empty list says nothing of the format.
    let unchecked = first != FirstItem::Any;
    match (read.and_then(|_| r.end()), sniffing) {
        (Err(_), true) => None,
        (Ok(()), true) if unchecked => None,
        (Err(_), false) => Some(Err(DecodeError::shape(NOT_A_LIST))),
        (Ok(()), _) if !listed => Some(Err(DecodeError::shape(NOT_A_LIST))),
        (Ok(()), _) => Some(Ok(spans)),
    }
}

/// The items of the top list: spans, or lists of spans.
fn top_list<'a>(r: &mut Pull<'a>, spans: &mut Spans<'a>, first: &mut FirstItem) -> Read<()> {
    r.each_item(|r| {
        let before = spans.len();
        let list = r.peek() == b'[';
        if list {
            r.each_item(|r| {
                spans.push(Some(r.raw()?));
                Ok(())
            })?;
        } else {
            let item = r.raw()?;
            spans.push(item.starts_with(b"{").then_some(item));
        }
        let taken = match std::mem::replace(first, FirstItem::Any) {
            FirstItem::Any => true,
            FirstItem::List => list,
            FirstItem::DatadogSpan => spans.get(before).copied().flatten().is_some_and(|s| {
                detect::item_span_like(&mut Pull::new(s)) == Ok(Some(detect::Format::Datadog))
            }),
        };
        if taken {
            Ok(())
        } else {
            Err(Bad)
        }
    })
}

fn decode_found(b: &mut Builder, spans: &Spans) -> Result<(), DecodeError> {
    // Tracers put `_dd.p.tid` (the high 64 bits) on the chunk's first span
    // only; every span with the same low 64 bits shares it. Read first from
    // the spans that may hold it: its key as written, or any escape.
    let mut high: FxHashMap<u64, u64> = FxHashMap::default();
    let may_name_tid = |t: &[u8]| {
        let has = |w: &[u8]| t.windows(w.len()).any(|x| x == w);
        has(b"_dd.p.tid") || has(b"\\u")
    };
    for text in spans.iter().flatten().filter(|t| may_name_tid(t)) {
        let Obj(s) = borrowed::read::<Obj<TidText>>(text);
        let Some(s) = s else { continue };
        let h = s
            .meta
            .0
            .and_then(|h| u64::from_str_radix(h.get()?, 16).ok());
        if let (Some(lo), Some(h)) = (s.trace_id.as_u64(), h) {
            high.insert(lo, h);
        }
    }
    for (i, s) in spans.iter().enumerate() {
        if i == builder::EXPECT_AFTER {
            b.expect_spans(spans.len());
        }
        match s {
            Some(text) => span(b, text, &high)?,
            None => return Err(DecodeError::shape("a Datadog trace is a list of spans")),
        }
    }
    Ok(())
}

/// What the first pass reads of a span that may hold `_dd.p.tid`.
#[derive(Default)]
struct TidText<'a> {
    trace_id: Any<'a>,
    meta: Tid<'a>,
}
fields!(TidText { "trace_id" => trace_id, "meta" => meta });

/// `meta`'s `_dd.p.tid` alone (its last value), every other entry skipped.
#[derive(Default)]
struct Tid<'a>(Option<Str<'a>>);

impl<'a> FromJson<'a> for Tid<'a> {
    fn from_json(r: &mut Pull<'a>) -> Read<Self> {
        let mut tid = Tid::default();
        if r.peek() != b'{' {
            r.skip()?;
            return Ok(tid);
        }
        r.each_key(|k, r| match &*k {
            "_dd.p.tid" => {
                tid.0 = Some(Str::from_json(r)?);
                Ok(())
            }
            _ => r.skip(),
        })?;
        Ok(tid)
    }
}

/// A span as its text holds it, read straight from the text (no tree of
/// it): the fields the decode reads, but for `meta` and `metrics`, whose
/// entries go straight into the builder ([`read_map`]).
#[derive(Default)]
struct SpanText<'a> {
    trace_id: Any<'a>,
    span_id: Any<'a>,
    parent_id: Any<'a>,
    service: Str<'a>,
    name: Str<'a>,
    resource: Str<'a>,
    span_type: Str<'a>,
    error: Any<'a>,
    start: Any<'a>,
    duration: Any<'a>,
    meta_struct: Any<'a>,
    span_events: Any<'a>,
    span_links: Any<'a>,
    /// The attributes of `meta` and of `metrics`, in their maps' order.
    meta: Vec<Attr>,
    metrics: Vec<Attr>,
    /// What the decode reads of `meta` besides its attributes.
    noted: Noted<'a>,
}
fields!(SpanText { "trace_id" => trace_id, "span_id" => span_id, "parent_id" => parent_id, "service" => service, "name" => name, "resource" => resource, "type" => span_type, "error" => error, "start" => start, "duration" => duration, "meta_struct" => meta_struct, "span_events" => span_events, "span_links" => span_links });

/// The strings of `meta` the decode reads (each its key's last value, as a
/// map keeps it; None when that is no string).
#[derive(Default)]
struct Noted<'a> {
    span_kind: Option<Cow<'a, str>>,
    error_message: Option<Cow<'a, str>>,
    error_msg: Option<Cow<'a, str>>,
    /// Span events and links as JSON text: read as such, not attributes.
    events: Option<Cow<'a, str>>,
    links: Option<Cow<'a, str>>,
}

impl<'a> Noted<'a> {
    /// Notes entry `key` of `meta`; true when it is no attribute.
    fn note(&mut self, key: &str, v: &Any<'a>) -> bool {
        let text = || match v {
            Any::Str(s) => Some(s.clone()),
            _ => None,
        };
        match key {
            "span.kind" => self.span_kind = text(),
            "error.message" => self.error_message = text(),
            "error.msg" => self.error_msg = text(),
            "events" => self.events = text(),
            "_dd.span_links" => self.links = text(),
            _ => return false,
        }
        Self::is_no_attribute(key)
    }
    fn is_no_attribute(key: &str) -> bool {
        matches!(key, "events" | "_dd.span_links")
    }
}

/// The span whose text is `text`, read: its `meta` and `metrics` written
/// into `b`'s strings (their attributes set aside, to be the span's once
/// its own come first).
fn span_text<'a>(b: &mut Builder, text: &'a [u8]) -> Result<SpanText<'a>, DecodeError> {
    let mut r = Pull::new(text);
    let read = obj_with(&mut r, |k, s: &mut SpanText<'a>, r| match k {
        "meta" => read_map(b, r, &mut s.meta, Some(&mut s.noted)).map(|_| true),
        "metrics" => read_map(b, r, &mut s.metrics, None).map(|_| true),
        _ => Ok(false),
    });
    // The text is JSON (found by the pull reader): what can still fail is
    // a value nested past serde_json's 128 levels.
    let span = read.map_err(|_| DecodeError::shape("a span nested more than 128 levels deep"))?;
    Ok(span.unwrap_or_default())
}

/// A `meta` or `metrics` map read straight into `b`'s attributes, then
/// moved to `out` (what it held before replaced, as a map's repeated key
/// keeps its last value), noting what `noted` reads. A top-level key
/// repeated (rare) makes the map's entries read again from its tree, which
/// keeps each key once, at its first place, with its last value.
fn read_map<'a>(
    b: &mut Builder,
    r: &mut Pull<'a>,
    out: &mut Vec<Attr>,
    mut noted: Option<&mut Noted<'a>>,
) -> Read<()> {
    out.clear();
    if let Some(n) = noted.as_mut() {
        **n = Noted::default();
    }
    if r.peek() != b'{' {
        return r.skip();
    }
    let (at, mark) = (r.here(), b.mark());
    let mut keys: Vec<u64> = Vec::new();
    r.each_key(|k, r| {
        keys.push(rustc_hash::FxBuildHasher.hash_one(&*k));
        let v = r.any()?;
        if !noted.as_mut().is_some_and(|n| n.note(&k, &v)) {
            b.attr_any(&k, &v);
        }
        Ok(())
    })?;
    crate::order::sort(&mut keys);
    if keys.windows(2).any(|w| w[0] == w[1]) {
        b.ds.attrs.truncate(mark as usize);
        let tree: Value = serde_json::from_slice(r.taken_since(at)).map_err(|_| Bad)?;
        for (k, v) in tree.as_object().into_iter().flatten() {
            if noted.is_none() || !Noted::is_no_attribute(k) {
                b.attr_json(k, v);
            }
        }
    }
    out.extend(b.ds.attrs.drain(mark as usize..));
    Ok(())
}

fn span(b: &mut Builder, text: &[u8], high: &FxHashMap<u64, u64>) -> Result<(), DecodeError> {
    let s = span_text(b, text)?;
    let lo = s
        .trace_id
        .as_u64()
        .ok_or_else(|| DecodeError::shape("a Datadog span without trace_id"))?;
    let (trace, trace_text) = match high.get(&lo).copied() {
        Some(h) => {
            let v = ((h as u128) << 64) | lo as u128;
            let text = StrId::HEX_ID_32;
            (IdKey::num(v), text)
        }
        None => (IdKey::num(lo as u128), b.intern(&lo.to_string())),
    };
    let sid = s
        .span_id
        .as_u64()
        .ok_or_else(|| DecodeError::shape("a Datadog span without span_id"))?;
    let key = IdKey::num(sid as u128);
    let id_text = b.intern(&sid.to_string());
    let parent = match s.parent_id.as_u64() {
        Some(p) if p != 0 => Some((IdKey::num(p as u128), b.intern(&p.to_string()))),
        _ => None,
    };
    let service = match s.service.get() {
        Some(n) if !n.is_empty() => b.intern(n),
        _ => b.unknown_service(),
    };
    let resource = b.service_resource(service);
    let op = s.name.get().unwrap_or("");
    let res_name = s.resource.get().unwrap_or("");
    // Datadog's UI leads with the resource (`GET /users`); the operation stays an attribute.
    let name = b.intern(if res_name.is_empty() { op } else { res_name });
    let is_error = s.error.as_i64().unwrap_or(0) != 0;
    let noted = &s.noted;
    let status_message = match noted.error_message.as_ref().or(noted.error_msg.as_ref()) {
        Some(m) if is_error => b.intern(m),
        _ => StrId(0),
    };
    let kind = SpanKind::parse(noted.span_kind.as_deref().unwrap_or(""));
    let am = b.mark();
    b.attr_str("operation.name", op);
    b.attr_str("resource.name", res_name);
    if let Some(t) = s.span_type.get().filter(|t| !t.is_empty()) {
        b.attr_str("span.type", t);
    }
    b.ds.attrs.extend(s.meta.iter().chain(&s.metrics));
    b.attr_any("meta_struct", &s.meta_struct);
    let attrs = b.since(am);
    let start_ns = s.start.as_i64().unwrap_or(0);
    let em = b.event_mark();
    let parsed_events: Option<Value> = noted
        .events
        .as_ref()
        .and_then(|t| tree_of(t.as_bytes()).ok());
    for list in [parsed_events.as_ref(), json_of(&s.span_events)]
        .into_iter()
        .flatten()
    {
        for e in list.as_array().map(|a| a.as_slice()).unwrap_or(&[]) {
            let m = b.mark();
            if let Some(a) = e.get("attributes") {
                b.attr_json("", a);
            }
            let a = b.since(m);
            // attr_json with an empty prefix writes ".key": strip the dot.
            for attr in &mut b.ds.attrs[a.range()] {
                let k =
                    b.ds.strings
                        .get(attr.key)
                        .trim_start_matches('.')
                        .to_string();
                attr.key = b.ds.strings.intern(&k);
            }
            let t = json::i64(e, "time_unix_nano").unwrap_or(start_ns);
            b.event(t, json::str(e, "name").unwrap_or("event"), a);
        }
    }
    let events = b.events_since(em);
    let lm = b.link_mark();
    let links = json_of(&s.span_links).and_then(Value::as_array);
    for l in links.map(Vec::as_slice).unwrap_or(&[]) {
        let lo = json::u64(l, "trace_id").unwrap_or(0) as u128;
        let hi = json::u64(l, "trace_id_high").unwrap_or(0) as u128;
        let t = format!("{:032x}", (hi << 64) | lo);
        let sp = format!("{:016x}", json::u64(l, "span_id").unwrap_or(0));
        let m = b.mark();
        if let Some(a) = l.get("attributes") {
            b.attr_json("link", a);
        }
        if let Some(ts) = json::str(l, "tracestate") {
            b.attr_str("trace_state", ts);
        }
        let a = b.since(m);
        b.link(&t, &sp, LinkKind::Link, a);
    }
    if let Some(list) = noted
        .links
        .as_ref()
        .and_then(|t| tree_of(t.as_bytes()).ok())
    {
        for l in list.as_array().map(|a| a.as_slice()).unwrap_or(&[]) {
            let m = b.mark();
            if let Some(a) = l.get("attributes") {
                b.attr_json("link", a);
            }
            let a = b.since(m);
            let t = json::str(l, "trace_id").unwrap_or("").to_string();
            let sp = json::str(l, "span_id").unwrap_or("").to_string();
            b.link(&t, &sp, LinkKind::Link, a);
        }
    }
    let links = b.links_since(lm);
    b.push(SpanIn {
        trace,
        trace_text,
        key,
        id_text,
        parent,
        service,
        name,
        start_ns,
        duration_ns: s.duration.as_i64().unwrap_or(0),
        kind,
        status: StatusCode::error_if(is_error),
        status_message,
        resource,
        attrs,
        events,
        links,
        flags: 0,
    });
    Ok(())
}

/// A list or object inside a span, as its tree (small and rare).
fn json_of<'v>(v: &'v Any) -> Option<&'v Value> {
    match v {
        Any::Json(v) => Some(v),
        _ => None,
    }
}
