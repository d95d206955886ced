//! AWS X-Ray: segment documents (with nested subsegments), independent
//! subsegments, and BatchGetTraces responses whose `Document` is a JSON
//! string. Times are float seconds. A segment's name is its service; its
//! subsegments belong to the same service.

use super::builder::{json, Builder, SpanIn, Timing};
use super::{ids, DecodeError};
use crate::model::*;
use serde_json::Value;

/// The segment documents in `v` (parsing `Document` strings).
pub fn documents(v: &Value) -> Result<Vec<Value>, DecodeError> {
    let mut out = Vec::new();
    let traces = v.get("Traces").and_then(Value::as_array);
    match (traces, v) {
        (Some(traces), _) => {
            for t in traces {
                for seg in json::arr(t, "Segments") {
                    match seg.get("Document") {
                        Some(Value::String(doc)) => {
                            out.push(serde_json::from_str(doc).map_err(|e| {
                                DecodeError::shape(format!(
                                    "segment {} has a Document that is not JSON: {e}",
                                    json::str(seg, "Id").unwrap_or("?")
                                ))
                            })?)
                        }
                        Some(doc @ Value::Object(_)) => out.push(doc.clone()),
                        _ => {}
                    }
                }
            }
        }
        (None, Value::Array(items)) => out.extend(items.iter().cloned()),
        (None, Value::Object(_)) => out.push(v.clone()),
        _ => return Err(DecodeError::shape("not an X-Ray document")),
    }
    Ok(out)
}

/// `1-5f187253-6a106696d56b1f4ef9eba2ed` → the 128-bit hex id it stands for.
fn trace_hex(id: &str) -> String {
    let parts: Vec<&str> = id.split('-').collect();
    if parts.len() == 3 && parts[0] == "1" {
        format!("{}{}", parts[1], parts[2])
    } else {
        id.to_string()
    }
}

pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    let docs = documents(v)?;
    if docs.is_empty() {
        return Err(DecodeError::NotATrace(
            "an X-Ray response with no segments".into(),
        ));
    }
    for doc in &docs {
        let trace_text = json::str(doc, "trace_id").ok_or_else(|| {
            DecodeError::shape(format!(
                "X-Ray document {} has no trace_id",
                json::str(doc, "id").unwrap_or("?")
            ))
        })?;
        let trace = ids::trace_key(&mut b.ds.strings, &trace_hex(trace_text));
        let trace_text_id = b.intern(trace_text);
        let is_sub = json::str(doc, "type") == Some("subsegment");
        let service_name = if is_sub { None } else { json::str(doc, "name") };
        let service = match service_name {
            Some(n) if !n.is_empty() => b.intern(n),
            _ => b.unknown_service(),
        };
        let rm = b.mark();
        for k in ["origin", "service", "aws", "user"] {
            if let Some(x) = doc.get(k) {
                if !is_sub {
                    b.attr_json(&format!("xray.{k}"), x);
                }
            }
        }
        let ra = b.since(rm);
        let resource = b.resource(service, ra);
        // Depth-first over subsegments with an explicit stack.
        let mut stack: Vec<(&Value, Option<String>, bool)> = vec![(
            doc,
            json::str(doc, "parent_id").map(str::to_string),
            !is_sub,
        )];
        while let Some((e, parent, is_segment)) = stack.pop() {
            let id = json::str(e, "id").unwrap_or("");
            for sub in json::arr(e, "subsegments").iter().rev() {
                stack.push((sub, Some(id.to_string()), false));
            }
            entity(
                b,
                e,
                trace,
                trace_text_id,
                parent.as_deref(),
                service,
                resource,
                is_segment,
            );
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn entity(
    b: &mut Builder,
    e: &Value,
    trace: IdKey,
    trace_text: StrId,
    parent: Option<&str>,
    service: StrId,
    resource: u32,
    is_segment: bool,
) {
    let (key, id_text) = b.span_id(json::str(e, "id").unwrap_or(""));
    let parent = b.parent_id(parent);
    let end = json::f64(e, "end_time").map(ids::seconds_to_ns);
    let timing = Timing::from_start_end(json::f64(e, "start_time").map(ids::seconds_to_ns), end);
    let start_ns = timing.start_ns;
    let failed = ["fault", "error", "throttle"]
        .iter()
        .any(|k| json::truthy(e.get(*k)));
    let cause = e.get("cause");
    let exceptions = cause.map(|c| json::arr(c, "exceptions")).unwrap_or(&[]);
    let message = exceptions
        .iter()
        .find_map(|x| json::str(x, "message"))
        .map(str::to_string)
        .or_else(|| {
            cause
                .and_then(Value::as_str)
                .map(|id| format!("exception {id}"))
        });
    let status_message = match &message {
        Some(m) if failed => b.intern(m),
        _ => StrId(0),
    };
    let namespace = json::str(e, "namespace").unwrap_or("");
    let kind = if is_segment {
        SpanKind::Server
    } else if matches!(namespace, "remote" | "aws") {
        SpanKind::Client
    } else {
        SpanKind::Internal
    };
    let am = b.mark();
    for k in ["fault", "error", "throttle", "in_progress", "inferred"] {
        if let Some(Value::Bool(true)) = e.get(k) {
            b.attr(k, AttrValue::Bool(true));
        }
    }
    for k in [
        "namespace",
        "origin",
        "resource_arn",
        "http",
        "sql",
        "annotations",
        "metadata",
        "precursor_ids",
    ] {
        if let Some(x) = e.get(k) {
            b.attr_json(k, x);
        }
    }
    if !is_segment {
        if let Some(x) = e.get("aws") {
            b.attr_json("aws", x);
        }
    }
    let attrs = b.since(am);
    let em = b.event_mark();
    let end_ns = end.unwrap_or(start_ns);
    for x in exceptions {
        let m = b.mark();
        for k in ["type", "message", "id", "remote"] {
            if let Some(v) = x.get(k) {
                b.attr_json(&format!("exception.{k}"), v);
            }
        }
        if let Some(st) = x.get("stack") {
            b.attr_str("exception.stacktrace", &st.to_string());
        }
        let a = b.since(m);
        b.event(end_ns, "exception", a);
    }
    let events = b.events_since(em);
    let name = b.intern(json::str(e, "name").unwrap_or(""));
    b.push(SpanIn {
        trace,
        trace_text,
        key,
        id_text,
        parent,
        service,
        name,
        start_ns,
        duration_ns: timing.duration_ns,
        kind,
        status: StatusCode::error_if(failed),
        status_message,
        resource,
        attrs,
        events,
        links: Range32::default(),
        flags: timing.flags,
    });
}
