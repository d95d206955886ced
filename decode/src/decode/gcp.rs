//! Google Cloud Trace: v2 (BatchWriteSpans `{name, spans}`, spans named
//! `projects/P/traces/T/spans/S`, `attributeMap`, `timeEvents`) and v1
//! (`{projectId, traceId, spans}` with `labels`, or `{traces:[…]}`).

use super::builder::{json, Builder, SpanIn, Timing};
use super::{ids, DecodeError};
use crate::model::*;
use serde_json::Value;

/// The v2 span lists of any accepted wrapper.
fn v2_span_lists(v: &Value) -> Vec<&[Value]> {
    let mut out = Vec::new();
    if let Some(reqs) = v.get("batchWriteSpansRequest").and_then(Value::as_array) {
        for r in reqs {
            out.push(json::arr(r, "spans"));
        }
    } else if v.get("spans").is_some() && v.get("traceId").is_none() {
        out.push(json::arr(v, "spans"));
    }
    out
}

pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    let lists = v2_span_lists(v);
    if !lists.is_empty() {
        for l in lists {
            for s in l {
                v2_span(b, s)?;
            }
        }
        return Ok(());
    }
    let traces: Vec<&Value> = match v.get("traces").and_then(Value::as_array) {
        Some(t) => t.iter().collect(),
        None => vec![v],
    };
    for t in traces {
        let trace_text = json::str(t, "traceId")
            .ok_or_else(|| DecodeError::shape("a Cloud Trace v1 trace without traceId"))?;
        for s in json::arr(t, "spans") {
            v1_span(b, trace_text, s);
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
