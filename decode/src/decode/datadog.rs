//! Datadog agent payloads: `[[span…]…]` (traces of spans) or a flat span
//! list. Ids are uint64 numbers (beyond 2^53: read exactly, never as
//! floats); `_dd.p.tid` holds the high 64 bits of a 128-bit trace id; span
//! events and links may come as JSON strings inside `meta`.

use super::builder::{json, Builder, SpanIn};
use super::DecodeError;
use crate::model::*;
use rustc_hash::FxHashMap;
use serde_json::Value;

pub fn is_span(v: &Value) -> bool {
    v.get("span_id").is_some() && v.get("trace_id").is_some()
}

pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    let root = v.get("traces").unwrap_or(v);
    let items = root
        .as_array()
        .ok_or_else(|| DecodeError::shape("a Datadog payload is a list"))?;
    // Tracers put `_dd.p.tid` (the high 64 bits) on the chunk's first span
    // only; every span with the same low 64 bits shares it.
    let mut high: FxHashMap<u64, u64> = FxHashMap::default();
    for s in items.iter().flat_map(|i| {
        i.as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_else(|| vec![i])
    }) {
        if let (Some(lo), Some(h)) = (
            json::u64(s, "trace_id"),
            meta_str(s, "_dd.p.tid").and_then(|h| u64::from_str_radix(h, 16).ok()),
        ) {
            high.insert(lo, h);
        }
    }
    for item in items {
        match item {
            Value::Array(spans) => {
                for s in spans {
                    span(b, s, &high)?;
                }
            }
            s @ Value::Object(_) => span(b, s, &high)?,
            _ => return Err(DecodeError::shape("a Datadog trace is a list of spans")),
        }
    }
    Ok(())
}

fn meta_str<'v>(s: &'v Value, k: &str) -> Option<&'v str> {
    s.get("meta").and_then(|m| json::str(m, k))
}

fn span(b: &mut Builder, s: &Value, high: &FxHashMap<u64, u64>) -> Result<(), DecodeError> {
    let lo = json::u64(s, "trace_id")
        .ok_or_else(|| DecodeError::shape("a Datadog span without trace_id"))?;
    let (trace, trace_text) = match high.get(&lo).copied() {
        Some(h) => {
            let v = ((h as u128) << 64) | lo as u128;
            let text = StrId::HEX_ID_32;
            (IdKey::num(v), text)
        }
        None => (IdKey::num(lo as u128), b.intern(&lo.to_string())),
    };
    let sid = json::u64(s, "span_id")
        .ok_or_else(|| DecodeError::shape("a Datadog span without span_id"))?;
    let key = IdKey::num(sid as u128);
    let id_text = b.intern(&sid.to_string());
    let parent = match json::u64(s, "parent_id") {
        Some(p) if p != 0 => Some((IdKey::num(p as u128), b.intern(&p.to_string()))),
        _ => None,
    };
    let service = match json::str(s, "service") {
        Some(n) if !n.is_empty() => b.intern(n),
        _ => b.unknown_service(),
    };
    let resource = b.service_resource(service);
    let op = json::str(s, "name").unwrap_or("");
    let res_name = json::str(s, "resource").unwrap_or("");
    // Datadog's UI leads with the resource (`GET /users`); the operation stays an attribute.
    let name = b.intern(if res_name.is_empty() { op } else { res_name });
    let is_error = json::i64(s, "error").unwrap_or(0) != 0;
    let status_message = match meta_str(s, "error.message").or_else(|| meta_str(s, "error.msg")) {
        Some(m) if is_error => b.intern(m),
        _ => StrId(0),
    };
    let kind = SpanKind::parse(meta_str(s, "span.kind").unwrap_or(""));
    let am = b.mark();
    b.attr_str("operation.name", op);
    b.attr_str("resource.name", res_name);
    if let Some(t) = json::str(s, "type").filter(|t| !t.is_empty()) {
        b.attr_str("span.type", t);
    }
    if let Some(meta) = s.get("meta").and_then(Value::as_object) {
        for (k, v) in meta {
            if k == "events" || k == "_dd.span_links" {
                continue;
            }
            b.attr_json(k, v);
        }
    }
    if let Some(metrics) = s.get("metrics").and_then(Value::as_object) {
        for (k, v) in metrics {
            b.attr_json(k, v);
        }
    }
    if let Some(ms) = s.get("meta_struct") {
        b.attr_json("meta_struct", ms);
    }
    let attrs = b.since(am);
    let start_ns = json::i64(s, "start").unwrap_or(0);
    let em = b.event_mark();
    let parsed_events: Option<Value> =
        meta_str(s, "events").and_then(|t| serde_json::from_str(t).ok());
    let native_events = s.get("span_events").cloned();
    for list in [parsed_events, native_events].into_iter().flatten() {
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
    for l in json::arr(s, "span_links") {
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
    if let Some(list) =
        meta_str(s, "_dd.span_links").and_then(|t| serde_json::from_str::<Value>(t).ok())
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
        duration_ns: json::i64(s, "duration").unwrap_or(0),
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
