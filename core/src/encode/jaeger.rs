//! Jaeger JSON (the UI's export / API v1 `{"data": [trace…]}`): one trace
//! object per trace, processes per resource, times in µs, the span kind,
//! status and OTLP-only facts as tags.

use super::redact::Redaction;
use super::{span_hex, to_json, trace_hex, Object, OutValue, Outgoing, Seq};
use crate::model::{flags, Attr, AttrValue, Dataset, SpanKind, StatusCode, Trace};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Cow;

/// A Jaeger trace id: 16 hex digits when the high half is zero (as Jaeger writes them).
fn jaeger_trace_id(ds: &Dataset, t: &Trace) -> String {
    let full = trace_hex(ds, t.trace_id);
    match full.strip_prefix("0000000000000000") {
        Some(low) => low.to_string(),
        None => full,
    }
}

/// One Jaeger JSON document holding the given traces.
pub fn encode<'a>(
    ds: &Dataset,
    traces: impl IntoIterator<Item = &'a Trace>,
    r: &Redaction,
) -> Vec<u8> {
    encode_reporting(ds, traces, r, &mut |_| {})
}

/// [`encode`], telling `on_spans` how many spans are written every 16,384.
pub fn encode_reporting<'a>(
    ds: &Dataset,
    traces: impl IntoIterator<Item = &'a Trace>,
    r: &Redaction,
    on_spans: &mut dyn FnMut(usize),
) -> Vec<u8> {
    let out = Outgoing::new(ds, r, on_spans);
    let traces: Vec<Processes> = traces.into_iter().map(|t| Processes::of(ds, t)).collect();
    let data = traces.iter().map(|p| {
        let out = &out;
        let processes = p.resources.iter().enumerate().map(move |(k, &res)| {
            let resource = &ds.resources[res as usize];
            let process = Process {
                service_name: out.text(resource.service),
                tags: Seq::new(tags(out, ds.attrs(resource.attrs))),
            };
            (process_id(k), process)
        });
        TraceOut {
            trace_id: &p.trace_id,
            spans: Seq::new((0..p.trace.len()).map(move |i| span(out, p, i))),
            processes: Object::new(processes),
            warnings: (),
        }
    });
    to_json(&Document {
        data: Seq::new(data),
    })
}

/// A trace with its resources numbered as Jaeger's processes, in first-seen order.
struct Processes<'t> {
    trace: &'t Trace,
    trace_id: String,
    resources: Vec<u32>,
    /// Each span's process (an index into `resources`).
    of_span: Vec<u32>,
}

impl<'t> Processes<'t> {
    fn of(ds: &Dataset, trace: &'t Trace) -> Self {
        let mut number: FxHashMap<u32, u32> = FxHashMap::default();
        let mut resources = Vec::new();
        let of_span = trace
            .resource
            .iter()
            .map(|&res| {
                *number.entry(res).or_insert_with(|| {
                    resources.push(res);
                    resources.len() as u32 - 1
                })
            })
            .collect();
        Processes {
            trace,
            trace_id: jaeger_trace_id(ds, trace),
            resources,
            of_span,
        }
    }
}

fn process_id(k: usize) -> String {
    format!("p{}", k + 1)
}

fn span<'o, 'a: 'o, 'p>(
    out: &'o Outgoing<'a, 'p>,
    p: &'o Processes<'o>,
    i: usize,
) -> Span<'o, impl Serialize + use<'o, 'a, 'p>, impl Serialize + use<'o, 'a, 'p>> {
    let (ds, t) = (out.ds, p.trace);
    out.span_written();
    let reference = t.parent_key[i].map(|parent| Reference {
        ref_type: if t.flags[i] & flags::ASYNC_PARENT != 0 {
            "FOLLOWS_FROM"
        } else {
            "CHILD_OF"
        },
        trace_id: &p.trace_id,
        span_id: span_hex(ds, parent),
    });
    // What OTLP says in fields of its own, Jaeger says in tags.
    let kind = (t.kind[i] != SpanKind::Unspecified).then(|| {
        tag(
            "span.kind",
            TagValue::Str(Cow::Borrowed(t.kind[i].as_str())),
        )
    });
    let error = (t.status[i] == StatusCode::Error).then(|| tag("error", TagValue::Bool(true)));
    let message = out.text(t.status_message[i]);
    let message =
        (!message.is_empty()).then(|| tag("otel.status_description", TagValue::Str(message)));
    let span_tags = tags(out, ds.attrs(t.attrs[i]))
        .chain(kind)
        .chain(error)
        .chain(message);
    let logs = ds.events(t.events[i]).iter().map(move |e| Log {
        timestamp: e.time_ns.div_euclid(1000),
        fields: Seq::new(
            std::iter::once(tag("event", TagValue::Str(out.text(e.name))))
                .chain(tags(out, ds.attrs(e.attrs))),
        ),
    });
    Span {
        trace_id: &p.trace_id,
        span_id: span_hex(ds, t.span_key[i]),
        operation_name: out.text(t.name[i]),
        references: reference.into_iter().collect(),
        start_time: t.start_ns[i].div_euclid(1000),
        // Durations round up to whole µs so a 400 ns span does not become 0.
        duration: t.duration_ns[i].saturating_add(999).div_euclid(1000),
        tags: Seq::new(span_tags),
        logs: Seq::new(logs),
        process_id: process_id(p.of_span[i] as usize),
        warnings: (),
    }
}

fn tag<'a>(key: &'a str, value: TagValue<'a>) -> Tag<'a> {
    let ty = match value {
        TagValue::Str(_) => "string",
        TagValue::Int(_) => "int64",
        TagValue::Float(_) => "float64",
        TagValue::Bool(_) => "bool",
    };
    Tag { key, ty, value }
}

fn tags<'o, 'a: 'o, 'p>(
    out: &'o Outgoing<'a, 'p>,
    attrs: &'o [Attr],
) -> impl Iterator<Item = Tag<'o>> + use<'o, 'a, 'p> {
    attrs.iter().filter_map(move |a| {
        let (key, v) = out.attr(a)?;
        let value = match v {
            OutValue::Keep(AttrValue::Str(s)) => TagValue::Str(Cow::Borrowed(out.ds.str(s))),
            OutValue::Keep(AttrValue::Int(i)) => TagValue::Int(i),
            OutValue::Keep(AttrValue::Float(f)) => TagValue::Float(f),
            OutValue::Keep(AttrValue::Bool(b)) => TagValue::Bool(b),
            OutValue::Text(t) => TagValue::Str(t),
        };
        Some(tag(key, value))
    })
}

#[derive(Serialize)]
struct Document<D> {
    data: D,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TraceOut<'a, S, P> {
    #[serde(rename = "traceID")]
    trace_id: &'a str,
    spans: S,
    processes: P,
    /// Written as `null`, as Jaeger does.
    warnings: (),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Process<'a, T> {
    service_name: Cow<'a, str>,
    tags: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Span<'a, T, L> {
    #[serde(rename = "traceID")]
    trace_id: &'a str,
    #[serde(rename = "spanID")]
    span_id: String,
    operation_name: Cow<'a, str>,
    references: Vec<Reference<'a>>,
    start_time: i64,
    duration: i64,
    tags: T,
    logs: L,
    #[serde(rename = "processID")]
    process_id: String,
    warnings: (),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Reference<'a> {
    ref_type: &'static str,
    #[serde(rename = "traceID")]
    trace_id: &'a str,
    #[serde(rename = "spanID")]
    span_id: String,
}

#[derive(Serialize)]
struct Log<F> {
    timestamp: i64,
    fields: F,
}

#[derive(Serialize)]
struct Tag<'a> {
    key: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
    value: TagValue<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum TagValue<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
}
