//! Jaeger JSON (the UI's export / API v1 `{"data": [trace…]}`): one trace
//! object per trace, processes per resource, times in µs, the span kind,
//! status and OTLP-only facts as tags.

use super::redact::Redaction;
use super::{attr_out, span_hex, trace_hex, OutValue};
use crate::model::{flags, Attr, AttrValue, Dataset, SpanKind, StatusCode, Trace};
use serde_json::{json, Value};

fn tag(key: &str, v: Value, ty: &str) -> Value {
    json!({ "key": key, "type": ty, "value": v })
}

fn tags(ds: &Dataset, r: &Redaction, attrs: &[Attr]) -> Vec<Value> {
    attrs
        .iter()
        .filter_map(|a| attr_out(ds, r, a))
        .map(|(k, v)| match v {
            OutValue::Keep(AttrValue::Str(s)) => tag(&k, json!(ds.str(s)), "string"),
            OutValue::Keep(AttrValue::Int(i)) => tag(&k, json!(i), "int64"),
            OutValue::Keep(AttrValue::Float(f)) => tag(&k, json!(f), "float64"),
            OutValue::Keep(AttrValue::Bool(b)) => tag(&k, json!(b), "bool"),
            OutValue::Text(t) => tag(&k, json!(t), "string"),
        })
        .collect()
}

/// A Jaeger trace id: 16 hex digits when the high half is zero (as Jaeger writes them).
fn jaeger_trace_id(ds: &Dataset, t: &Trace) -> String {
    let full = trace_hex(ds, t.trace_id);
    match full.strip_prefix("0000000000000000") {
        Some(low) => low.to_string(),
        None => full,
    }
}

pub fn encode<'a>(
    ds: &Dataset,
    traces: impl IntoIterator<Item = &'a Trace>,
    r: &Redaction,
) -> Value {
    let mut data = Vec::new();
    for t in traces {
        let trace_id = jaeger_trace_id(ds, t);
        let mut process_of: Vec<u32> = Vec::new();
        let mut spans = Vec::with_capacity(t.len());
        for i in 0..t.len() {
            let res = t.resource[i];
            let pi = match process_of.iter().position(|&p| p == res) {
                Some(p) => p,
                None => {
                    process_of.push(res);
                    process_of.len() - 1
                }
            };
            let mut span_tags = tags(ds, r, ds.attrs(t.attrs[i]));
            if t.kind[i] != SpanKind::Unspecified {
                span_tags.push(tag("span.kind", json!(t.kind[i].as_str()), "string"));
            }
            if t.status[i] == StatusCode::Error {
                span_tags.push(tag("error", json!(true), "bool"));
            }
            let msg = r.text(ds.str(t.status_message[i]));
            if !msg.is_empty() {
                span_tags.push(tag("otel.status_description", json!(msg), "string"));
            }
            let mut refs = Vec::new();
            if let Some(p) = t.parent_key[i] {
                let ty = if t.flags[i] & flags::ASYNC_PARENT != 0 {
                    "FOLLOWS_FROM"
                } else {
                    "CHILD_OF"
                };
                refs.push(json!({ "refType": ty, "traceID": trace_id, "spanID": span_hex(ds, p) }));
            }
            let logs: Vec<Value> = ds
                .events(t.events[i])
                .iter()
                .map(|e| {
                    let mut fields = vec![tag("event", json!(r.text(ds.str(e.name))), "string")];
                    fields.extend(tags(ds, r, ds.attrs(e.attrs)));
                    json!({ "timestamp": e.time_ns.div_euclid(1000), "fields": fields })
                })
                .collect();
            // Durations round up to whole µs so a 400 ns span does not become 0.
            let dur_us = (t.duration_ns[i] + 999).div_euclid(1000);
            spans.push(json!({
                "traceID": trace_id,
                "spanID": span_hex(ds, t.span_key[i]),
                "operationName": r.text(ds.str(t.name[i])),
                "references": refs,
                "startTime": t.start_ns[i].div_euclid(1000),
                "duration": dur_us,
                "tags": span_tags,
                "logs": logs,
                "processID": format!("p{}", pi + 1),
                "warnings": Value::Null,
            }));
        }
        let mut processes = serde_json::Map::new();
        for (pi, &res) in process_of.iter().enumerate() {
            let resource = &ds.resources[res as usize];
            processes.insert(
                format!("p{}", pi + 1),
                json!({ "serviceName": r.text(ds.str(resource.service)), "tags": tags(ds, r, ds.attrs(resource.attrs)) }),
            );
        }
        data.push(json!({ "traceID": trace_id, "spans": spans, "processes": processes, "warnings": Value::Null }));
    }
    json!({ "data": data })
}
