//! One trace exported by OpenTelemetry as OTLP JSON, as Zipkin JSON and as
//! Jaeger JSON decodes to the same errors and status messages. The exports
//! are written here the way the exporters write them: the Zipkin exporter
//! puts `otel.status_code` on every span with a status and the `error` tag
//! (the description) only when the status has a description; the Jaeger
//! exporter `error=true`, `otel.status_code` and `otel.status_description`.

use serde_json::{json, Value};
use tracescope_decode::model::StatusCode;
use tracescope_decode::{decode_bytes, Dataset};

const TRACE: &str = "5b8efff798038103d269b633813fc60c";

/// (span id, parent, name, status code 0 unset / 1 ok / 2 error, description)
const SPANS: &[(&str, Option<&str>, &str, u8, &str)] = &[
    (
        "eee19b7ec3c1b174",
        None,
        "GET /checkout",
        2,
        "payment failed",
    ),
    (
        "eee19b7ec3c1b175",
        Some("eee19b7ec3c1b174"),
        "SELECT cart",
        1,
        "",
    ),
    (
        "eee19b7ec3c1b176",
        Some("eee19b7ec3c1b174"),
        "POST /charge",
        2,
        "card declined",
    ),
    (
        "eee19b7ec3c1b177",
        Some("eee19b7ec3c1b176"),
        "fraud check",
        2,
        "",
    ),
    (
        "eee19b7ec3c1b178",
        Some("eee19b7ec3c1b174"),
        "render",
        0,
        "",
    ),
    ("eee19b7ec3c1b179", Some("eee19b7ec3c1b176"), "retry", 2, ""),
];

fn otlp() -> Value {
    let spans: Vec<Value> = SPANS
        .iter()
        .enumerate()
        .map(|(i, (id, parent, name, code, desc))| {
            let mut status = json!({});
            if *code != 0 {
                status["code"] = json!(code);
            }
            if !desc.is_empty() {
                status["message"] = json!(desc);
            }
            json!({
                "traceId": TRACE, "spanId": id, "parentSpanId": parent.unwrap_or(""),
                "name": name, "kind": 2,
                "startTimeUnixNano": (1_700_000_000_000_000_000u64 + i as u64 * 1_000_000).to_string(),
                "endTimeUnixNano": (1_700_000_000_000_000_000u64 + i as u64 * 1_000_000 + 500_000).to_string(),
                "status": status,
            })
        })
        .collect();
    json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "shop"}}]},
        "scopeSpans": [{"scope": {"name": "manual"}, "spans": spans}]
    }]})
}

fn zipkin() -> Value {
    let spans: Vec<Value> = SPANS
        .iter()
        .enumerate()
        .map(|(i, (id, parent, name, code, desc))| {
            let mut tags = json!({"otel.scope.name": "manual"});
            match code {
                1 => tags["otel.status_code"] = json!("OK"),
                2 => {
                    tags["otel.status_code"] = json!("ERROR");
                    if !desc.is_empty() {
                        tags["error"] = json!(desc);
                    }
                }
                _ => {}
            }
            let mut s = json!({
                "traceId": TRACE, "id": id, "name": name, "kind": "SERVER",
                "timestamp": 1_700_000_000_000_000u64 + i as u64 * 1000, "duration": 500,
                "localEndpoint": {"serviceName": "shop"}, "tags": tags,
            });
            if let Some(p) = parent {
                s["parentId"] = json!(p);
            }
            s
        })
        .collect();
    Value::Array(spans)
}

fn jaeger() -> Value {
    let spans: Vec<Value> = SPANS
        .iter()
        .enumerate()
        .map(|(i, (id, parent, name, code, desc))| {
            let mut tags = vec![json!({"key": "span.kind", "type": "string", "value": "server"})];
            match code {
                1 => tags.push(json!({"key": "otel.status_code", "type": "string", "value": "OK"})),
                2 => {
                    tags.push(json!({"key": "otel.status_code", "type": "string", "value": "ERROR"}));
                    tags.push(json!({"key": "error", "type": "bool", "value": true}));
                    if !desc.is_empty() {
                        tags.push(json!({"key": "otel.status_description", "type": "string", "value": desc}));
                    }
                }
                _ => {}
            }
            let refs: Vec<Value> = parent
                .iter()
                .map(|p| json!({"refType": "CHILD_OF", "traceID": TRACE, "spanID": p}))
                .collect();
            json!({
                "traceID": TRACE, "spanID": id, "operationName": name, "references": refs,
                "startTime": 1_700_000_000_000_000u64 + i as u64 * 1000, "duration": 500,
                "tags": tags, "processID": "p1",
            })
        })
        .collect();
    json!({"data": [{"traceID": TRACE, "spans": spans,
        "processes": {"p1": {"serviceName": "shop", "tags": []}}}]})
}

/// (span count, errors, each span's name with its status and message, sorted).
fn read(doc: &Value) -> (usize, usize, Vec<(String, StatusCode, String)>) {
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.to_string().as_bytes()).unwrap();
    assert_eq!(ds.traces.len(), 1);
    let t = &ds.traces[0];
    let mut spans: Vec<_> = (0..t.len())
        .map(|s| {
            // OK and unset both read as "not an error" in every view.
            let status = if t.status[s] == StatusCode::Error {
                StatusCode::Error
            } else {
                StatusCode::Unset
            };
            (
                ds.str(t.name[s]).to_string(),
                status,
                ds.str(t.status_message[s]).to_string(),
            )
        })
        .collect();
    spans.sort_by(|a, b| a.0.cmp(&b.0));
    (t.len(), t.error_count(), spans)
}

#[test]
fn one_trace_exported_three_ways_has_the_same_errors() {
    let from_otlp = read(&otlp());
    assert_eq!(from_otlp.0, 6);
    assert_eq!(from_otlp.1, 4, "{from_otlp:?}");
    let messages: Vec<&str> = from_otlp
        .2
        .iter()
        .map(|s| s.2.as_str())
        .filter(|m| !m.is_empty())
        .collect();
    assert_eq!(messages, ["payment failed", "card declined"]);
    assert_eq!(read(&zipkin()), from_otlp, "Zipkin");
    assert_eq!(read(&jaeger()), from_otlp, "Jaeger");
}
