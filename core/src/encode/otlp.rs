//! OTLP JSON (`{"resourceSpans": […]}`), the format every OpenTelemetry
//! tool reads: spans grouped by resource, ids as hex, times as ns strings.

use super::redact::Redaction;
use super::{attr_out, span_hex, trace_hex, OutValue};
use crate::model::{Attr, AttrValue, Dataset, Trace};
use serde_json::{json, Map, Value};

fn value(ds: &Dataset, v: OutValue) -> Value {
    match v {
        OutValue::Keep(AttrValue::Str(s)) => json!({ "stringValue": ds.str(s) }),
        OutValue::Keep(AttrValue::Int(i)) => json!({ "intValue": i.to_string() }),
        OutValue::Keep(AttrValue::Float(f)) => json!({ "doubleValue": f }),
        OutValue::Keep(AttrValue::Bool(b)) => json!({ "boolValue": b }),
        OutValue::Text(t) => json!({ "stringValue": t }),
    }
}

fn attributes(ds: &Dataset, r: &Redaction, attrs: &[Attr], skip: Option<&str>) -> Value {
    Value::Array(
        attrs
            .iter()
            .filter(|a| Some(ds.str(a.key)) != skip)
            .filter_map(|a| attr_out(ds, r, a))
            .map(|(k, v)| json!({ "key": k, "value": value(ds, v) }))
            .collect(),
    )
}

/// One OTLP JSON document holding the given traces.
pub fn encode<'a>(
    ds: &Dataset,
    traces: impl IntoIterator<Item = &'a Trace>,
    r: &Redaction,
) -> Value {
    let mut resource_spans = Vec::new();
    for t in traces {
        let trace_id = trace_hex(ds, t.trace_id);
        // Spans grouped by resource, in first-seen order.
        let mut groups: Vec<(u32, Vec<Value>)> = Vec::new();
        for i in 0..t.len() {
            let mut span = Map::new();
            span.insert("traceId".into(), json!(trace_id));
            span.insert("spanId".into(), json!(span_hex(ds, t.span_key[i])));
            if let Some(p) = t.parent_key[i] {
                span.insert("parentSpanId".into(), json!(span_hex(ds, p)));
            }
            span.insert("name".into(), json!(r.text(ds.str(t.name[i]))));
            span.insert("kind".into(), json!(t.kind[i] as u8));
            span.insert("startTimeUnixNano".into(), json!(t.start_ns[i].to_string()));
            span.insert("endTimeUnixNano".into(), json!(t.end_ns(i).to_string()));
            span.insert(
                "attributes".into(),
                attributes(ds, r, ds.attrs(t.attrs[i]), None),
            );
            let events: Vec<Value> = ds
                .events(t.events[i])
                .iter()
                .map(|e| {
                    json!({
                        "timeUnixNano": e.time_ns.to_string(),
                        "name": r.text(ds.str(e.name)),
                        "attributes": attributes(ds, r, ds.attrs(e.attrs), None),
                    })
                })
                .collect();
            if !events.is_empty() {
                span.insert("events".into(), Value::Array(events));
            }
            let links: Vec<Value> = ds
                .links(t.links[i])
                .iter()
                .map(|l| {
                    json!({
                        "traceId": trace_hex(ds, Some(l.trace_id)),
                        "spanId": span_hex(ds, l.span_id),
                        "attributes": attributes(ds, r, ds.attrs(l.attrs), None),
                    })
                })
                .collect();
            if !links.is_empty() {
                span.insert("links".into(), Value::Array(links));
            }
            let mut status = Map::new();
            status.insert("code".into(), json!(t.status[i] as u8));
            let msg = r.text(ds.str(t.status_message[i]));
            if !msg.is_empty() {
                status.insert("message".into(), json!(msg));
            }
            span.insert("status".into(), Value::Object(status));
            let res = t.resource[i];
            match groups.iter_mut().find(|g| g.0 == res) {
                Some(g) => g.1.push(Value::Object(span)),
                None => groups.push((res, vec![Value::Object(span)])),
            }
        }
        for (res, spans) in groups {
            let resource = &ds.resources[res as usize];
            let mut attrs = vec![
                json!({ "key": "service.name", "value": { "stringValue": r.text(ds.str(resource.service)) } }),
            ];
            if let Value::Array(more) =
                attributes(ds, r, ds.attrs(resource.attrs), Some("service.name"))
            {
                attrs.extend(more);
            }
            resource_spans.push(json!({
                "resource": { "attributes": attrs },
                "scopeSpans": [{ "scope": { "name": "tracescope" }, "spans": spans }],
            }));
        }
    }
    json!({ "resourceSpans": resource_spans })
}
