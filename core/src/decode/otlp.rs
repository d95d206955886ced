//! OTLP JSON: `{resourceSpans}`, Tempo's `{batches}`, Jaeger API v3
//! `{result:{resourceSpans}}`; `scopeSpans` or the older
//! `instrumentationLibrarySpans`; ids in hex or base64; int64 as strings;
//! `kind` as a number or `"SPAN_KIND_…"`.

use super::builder::{json, Builder, SpanIn, Timing};
use super::DecodeError;
use crate::model::*;
use serde_json::Value;

pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    let root = v.get("result").unwrap_or(v);
    let rs = root
        .get("resourceSpans")
        .or_else(|| root.get("batches"))
        .and_then(Value::as_array)
        .ok_or_else(|| DecodeError::shape("OTLP without `resourceSpans`"))?;
    for r in rs {
        decode_resource_spans(b, r)?;
    }
    Ok(())
}

/// An OTLP `AnyValue` as an attribute.
fn any_value(b: &mut Builder, key: &str, v: &Value) {
    if let Some(s) = v.get("stringValue") {
        b.attr_str(key, s.as_str().unwrap_or(""));
    } else if let Some(i) = v.get("intValue") {
        match json::as_i64(i) {
            Some(i) => b.attr(key, AttrValue::Int(i)),
            None => b.attr_json(key, i),
        }
    } else if let Some(d) = v.get("doubleValue") {
        let f = match d {
            Value::Number(n) => n.as_f64().unwrap_or(0.0),
            Value::String(s) => s.parse().unwrap_or(f64::NAN),
            _ => f64::NAN,
        };
        b.attr(key, AttrValue::Float(f));
    } else if let Some(x) = v.get("boolValue") {
        b.attr(key, AttrValue::Bool(json::truthy(Some(x))));
    } else if let Some(bytes) = v.get("bytesValue") {
        b.attr_str(key, bytes.as_str().unwrap_or(""));
    } else if let Some(arr) = v.get("arrayValue") {
        // Arrays are shown as JSON text of their plain values.
        let plain: Vec<Value> = json::arr(arr, "values").iter().map(plain_value).collect();
        b.attr_str(key, &Value::Array(plain).to_string());
    } else if let Some(kv) = v.get("kvlistValue") {
        for item in json::arr(kv, "values") {
            if let (Some(k), Some(val)) = (json::str(item, "key"), item.get("value")) {
                any_value(b, &format!("{key}.{k}"), val);
            }
        }
    } else {
        b.attr_str(key, "");
    }
}

fn plain_value(v: &Value) -> Value {
    for k in [
        "stringValue",
        "intValue",
        "doubleValue",
        "boolValue",
        "bytesValue",
    ] {
        if let Some(x) = v.get(k) {
            return x.clone();
        }
    }
    if let Some(arr) = v.get("arrayValue") {
        return Value::Array(json::arr(arr, "values").iter().map(plain_value).collect());
    }
    v.clone()
}

fn attributes(b: &mut Builder, list: &[Value]) -> Range32 {
    let m = b.mark();
    for a in list {
        if let Some(k) = json::str(a, "key") {
            any_value(b, k, a.get("value").unwrap_or(&Value::Null));
        }
    }
    b.since(m)
}

fn status_code(v: Option<&Value>) -> StatusCode {
    let Some(code) = v.and_then(|s| s.get("code")) else {
        return StatusCode::Unset;
    };
    let text = match code {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.to_ascii_uppercase(),
        _ => String::new(),
    };
    match text.trim_start_matches("STATUS_CODE_") {
        "1" | "OK" => StatusCode::Ok,
        "2" | "ERROR" => StatusCode::Error,
        _ => StatusCode::Unset,
    }
}

fn decode_resource_spans(b: &mut Builder, r: &Value) -> Result<(), DecodeError> {
    let res = r.get("resource").unwrap_or(&Value::Null);
    let res_attrs = json::arr(res, "attributes");
    let service_name = res_attrs
        .iter()
        .find(|a| json::str(a, "key") == Some("service.name"))
        .and_then(|a| a.get("value"))
        .and_then(|v| json::str(v, "stringValue"))
        .filter(|s| !s.is_empty());
    let service = match service_name {
        Some(s) => b.intern(s),
        None => b.unknown_service(),
    };
    let scopes = r
        .get("scopeSpans")
        .or_else(|| r.get("instrumentationLibrarySpans"))
        .and_then(Value::as_array)
        .map(|a| a.as_slice())
        .unwrap_or(&[]);
    for sc in scopes {
        // One resource per (resource, scope): the scope's name and version
        // belong to every span of it, so they are stored once.
        let m = b.mark();
        for a in res_attrs {
            if let Some(k) = json::str(a, "key") {
                any_value(b, k, a.get("value").unwrap_or(&Value::Null));
            }
        }
        let scope = sc.get("scope").or_else(|| sc.get("instrumentationLibrary"));
        if let Some(scope) = scope {
            if let Some(n) = json::str(scope, "name").filter(|n| !n.is_empty()) {
                b.attr_str("otel.scope.name", n);
            }
            if let Some(n) = json::str(scope, "version").filter(|n| !n.is_empty()) {
                b.attr_str("otel.scope.version", n);
            }
        }
        let rattrs = b.since(m);
        let resource = b.resource(service, rattrs);
        for s in json::arr(sc, "spans") {
            decode_span(b, s, service, resource)?;
        }
    }
    Ok(())
}

fn decode_span(
    b: &mut Builder,
    s: &Value,
    service: StrId,
    resource: u32,
) -> Result<(), DecodeError> {
    let trace_text = json::str(s, "traceId")
        .ok_or_else(|| DecodeError::shape("an OTLP span without traceId"))?;
    let id_text =
        json::str(s, "spanId").ok_or_else(|| DecodeError::shape("an OTLP span without spanId"))?;
    let (trace, trace_text_id) = b.trace_id(trace_text);
    let (key, id_text_id) = b.span_id(id_text);
    let parent = b.parent_id(json::str(s, "parentSpanId"));
    let timing = Timing::from_start_end(
        json::i64(s, "startTimeUnixNano"),
        json::i64(s, "endTimeUnixNano"),
    );
    let start_ns = timing.start_ns;
    let kind = match s.get("kind") {
        Some(Value::Number(n)) => SpanKind::parse(&n.to_string()),
        Some(Value::String(k)) => SpanKind::parse(k),
        _ => SpanKind::Unspecified,
    };
    let status_v = s.get("status");
    let status = status_code(status_v);
    let status_message = match status_v.and_then(|v| json::str(v, "message")) {
        Some(m) => b.intern(m),
        None => StrId(0),
    };
    let attrs = attributes(b, json::arr(s, "attributes"));
    let em = b.event_mark();
    for e in json::arr(s, "events") {
        let t = json::i64(e, "timeUnixNano").unwrap_or(start_ns);
        let a = attributes(b, json::arr(e, "attributes"));
        let name = json::str(e, "name").unwrap_or("").to_string();
        b.event(t, if name.is_empty() { "event" } else { &name }, a);
    }
    let events = b.events_since(em);
    let lm = b.link_mark();
    for l in json::arr(s, "links") {
        let m = b.mark();
        attributes(b, json::arr(l, "attributes"));
        if let Some(ts) = json::str(l, "traceState").filter(|t| !t.is_empty()) {
            b.attr_str("trace_state", ts);
        }
        let la = b.since(m);
        let lt = json::str(l, "traceId").unwrap_or(trace_text).to_string();
        let ls = json::str(l, "spanId").unwrap_or("").to_string();
        b.link(&lt, &ls, LinkKind::Link, la);
    }
    let links = b.links_since(lm);
    let name = b.intern(json::str(s, "name").unwrap_or(""));
    b.push(SpanIn {
        trace,
        trace_text: trace_text_id,
        key,
        id_text: id_text_id,
        parent,
        service,
        name,
        start_ns,
        duration_ns: timing.duration_ns,
        kind,
        status,
        status_message,
        resource,
        attrs,
        events,
        links,
        flags: timing.flags,
    });
    Ok(())
}
