//! AWS X-Ray: segment documents (with nested subsegments), independent
//! subsegments, and BatchGetTraces responses whose `Document` is a JSON
//! string. Times are float seconds. A segment's name is its service; its
//! subsegments belong to the same service.
//!
//! A response or a list of documents is read with the pull reader
//! ([`decode_stream`]): each document found without a tree of the file,
//! then read as its own tree. The general path writes its tree as text and
//! reads it the same way ([`decode`]).

use super::borrowed::{self, tree_of};
use super::builder::{json, Builder, SpanIn, Timing};
use super::pull::{Bad, Pull, Read};
use super::{detect, ids, DecodeError};
use crate::model::*;
use serde_json::Value;

const NOT_A_DOCUMENT: &str = "not an X-Ray document";

/// A file's bytes, when they are a BatchGetTraces response or a list of
/// segment documents (judged as `detect` judges): decoded. A single
/// document is left to the general path (it is its own tree either way).
pub fn decode_stream(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    let found = find_documents(bytes, true)?;
    Some(found.and_then(|docs| decode_found(b, &docs)))
}

/// A file the general path found to be X-Ray's.
pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    let text = borrowed::text_of(v);
    let docs = find_documents(&text, false).unwrap_or(Err(DecodeError::shape(NOT_A_DOCUMENT)))?;
    decode_found(b, &docs)
}

/// Where a segment document is in the file.
enum Found<'a> {
    /// A document's JSON (an item of a list, or the whole file).
    Document(&'a [u8]),
    /// An item of a trace's `Segments`, whose `Document` (a JSON string or
    /// object) is read when it is reached.
    Segment(&'a [u8]),
}

/// The documents of a file, in order. `sniffing`: `None` unless the file
/// is surely X-Ray's and not a single document.
fn find_documents(bytes: &[u8], sniffing: bool) -> Option<Result<Vec<Found<'_>>, DecodeError>> {
    let mut r = Pull::new(bytes);
    let mut docs = Vec::new();
    let read = match r.peek() {
        b'[' => {
            let mut first = true;
            r.each_item(|r| {
                let text = r.raw()?;
                // The first item says the format, as `detect` reads it.
                if sniffing && std::mem::take(&mut first) && !is_document(text) {
                    return Err(Bad);
                }
                docs.push(Found::Document(text));
                Ok(())
            })
            .map(|_| !(sniffing && first))
        }
        b'{' => {
            // `Traces` when it is a list (its last value, as for any
            // repeated key); otherwise the object is a document.
            let mut traces = None;
            r.each_key(|k, r| match &*k {
                "Traces" => {
                    traces = if r.peek() == b'[' {
                        Some(segments_of_traces(r)?)
                    } else {
                        r.skip()?;
                        None
                    };
                    Ok(())
                }
                // A response's other keys: anything else may be another format's.
                "UnprocessedTraceIds" | "NextToken" => r.skip(),
                _ if sniffing => Err(Bad),
                _ => r.skip(),
            })
            .map(|_| match traces {
                Some(t) => {
                    docs = t;
                    true
                }
                None => {
                    docs.push(Found::Document(bytes));
                    !sniffing
                }
            })
        }
        _ => Err(Bad),
    };
    match read.and_then(|taken| r.end().map(|_| taken)) {
        Ok(true) => Some(Ok(docs)),
        _ if sniffing => None,
        _ => Some(Err(DecodeError::shape(NOT_A_DOCUMENT))),
    }
}

/// Whether an item of a bare list is a segment document, by its keys.
fn is_document(text: &[u8]) -> bool {
    tree_of(text)
        .is_ok_and(|v| v.is_object() && detect::span_like(&v) == Some(detect::Format::XRay))
}

/// The segments of a `Traces` list, in order: each trace's `Segments`
/// (its last value), items that are no object holding none.
fn segments_of_traces<'a>(r: &mut Pull<'a>) -> Read<Vec<Found<'a>>> {
    let mut all = Vec::new();
    r.each_item(|r| {
        if r.peek() != b'{' {
            return r.skip();
        }
        let mut segments = Vec::new();
        r.each_key(|k, r| {
            if k != "Segments" {
                return r.skip();
            }
            segments.clear();
            borrowed::each_item(r, |r| {
                segments.push(Found::Segment(r.raw()?));
                Ok(())
            })
        })?;
        all.append(&mut segments);
        Ok(())
    })?;
    Ok(all)
}

/// A segment's document: its `Document` string parsed, or an object as it
/// is; `None` without one.
fn segment_document(seg: &Value) -> Result<Option<Value>, DecodeError> {
    match seg.get("Document") {
        Some(Value::String(doc)) => serde_json::from_slice(doc.as_bytes())
            .map(Some)
            .map_err(|e| {
                DecodeError::shape(format!(
                    "segment {} has a Document that is not JSON: {e}",
                    json::str(seg, "Id").unwrap_or("?")
                ))
            }),
        Some(doc @ Value::Object(_)) => Ok(Some(doc.clone())),
        _ => Ok(None),
    }
}

fn decode_found(b: &mut Builder, docs: &[Found]) -> Result<(), DecodeError> {
    let mut decoded = 0;
    for found in docs {
        let doc = match found {
            Found::Document(text) => tree_of(text)?,
            Found::Segment(text) => match segment_document(&tree_of(text)?)? {
                Some(doc) => doc,
                None => continue,
            },
        };
        document(b, &doc)?;
        decoded += 1;
    }
    if decoded == 0 {
        return Err(DecodeError::NotATrace(
            "an X-Ray response with no segments".into(),
        ));
    }
    Ok(())
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

/// One segment document (or independent subsegment) and its subsegments.
fn document(b: &mut Builder, doc: &Value) -> Result<(), DecodeError> {
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
