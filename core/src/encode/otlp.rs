//! OTLP JSON (`{"resourceSpans": […]}`), the format every OpenTelemetry
//! tool reads: spans grouped by resource, ids as hex, times as ns strings.

use super::redact::Redaction;
use super::{span_hex, to_json, trace_hex, OutValue, Outgoing, Seq};
use crate::model::{Attr, AttrValue, Dataset, Trace};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Cow;

/// One OTLP JSON document holding the given traces.
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
    // Each trace's spans grouped by resource, in first-seen order.
    let mut groups: Vec<(&Trace, String, u32, Vec<u32>)> = Vec::new();
    for t in traces {
        let trace_id = trace_hex(ds, t.trace_id);
        let first = groups.len();
        let mut group_of: FxHashMap<u32, usize> = FxHashMap::default();
        for (i, &res) in t.resource.iter().enumerate() {
            let g = *group_of.entry(res).or_insert_with(|| {
                groups.push((t, trace_id.clone(), res, Vec::new()));
                groups.len() - 1
            });
            groups[g].3.push(i as u32);
        }
        debug_assert!(groups[first..].iter().all(|g| !g.3.is_empty()));
    }
    let resource_spans = groups.iter().map(|(t, trace_id, res, spans)| {
        let resource = &ds.resources[*res as usize];
        let service = KeyValue {
            key: "service.name",
            value: AnyValue::Str(out.text(resource.service)),
        };
        let attributes = std::iter::once(service).chain(
            attribute_values(&out, ds.attrs(resource.attrs)).filter(|a| a.key != "service.name"),
        );
        ResourceSpans {
            resource: Resource {
                attributes: Seq::new(attributes),
            },
            scope_spans: [ScopeSpans {
                scope: Scope { name: "tracescope" },
                spans: Seq::new(spans.iter().map(|&i| span(&out, t, trace_id, i as usize))),
            }],
        }
    });
    to_json(&Document {
        resource_spans: Seq::new(resource_spans),
    })
}

fn span<'o, 'a: 'o, 'p>(
    out: &'o Outgoing<'a, 'p>,
    t: &'o Trace,
    trace_id: &'o str,
    i: usize,
) -> Span<
    'o,
    impl Serialize + use<'o, 'a, 'p>,
    impl Serialize + use<'o, 'a, 'p>,
    impl Serialize + use<'o, 'a, 'p>,
> {
    let ds = out.ds;
    out.span_written();
    let events = ds.events(t.events[i]);
    let links = ds.links(t.links[i]);
    Span {
        trace_id,
        span_id: span_hex(ds, t.span_key[i]),
        parent_span_id: t.parent_key[i].map(|p| span_hex(ds, p)),
        name: out.text(t.name[i]),
        kind: t.kind[i] as u8,
        start_time_unix_nano: t.start_ns[i].to_string(),
        end_time_unix_nano: t.end_ns(i).to_string(),
        attributes: attributes(out, ds.attrs(t.attrs[i])),
        events: (!events.is_empty()).then(|| {
            Seq::new(events.iter().map(move |e| Event {
                time_unix_nano: e.time_ns.to_string(),
                name: out.text(e.name),
                attributes: attributes(out, ds.attrs(e.attrs)),
            }))
        }),
        links: (!links.is_empty()).then(|| {
            Seq::new(links.iter().map(move |l| Link {
                trace_id: trace_hex(ds, Some(l.trace_id)),
                span_id: span_hex(ds, l.span_id),
                attributes: attributes(out, ds.attrs(l.attrs)),
            }))
        }),
        status: Status {
            code: t.status[i] as u8,
            message: out.text(t.status_message[i]),
        },
    }
}

fn attribute_values<'o, 'a: 'o, 'p>(
    out: &'o Outgoing<'a, 'p>,
    attrs: &'o [Attr],
) -> impl Iterator<Item = KeyValue<'o>> + use<'o, 'a, 'p> {
    attrs.iter().filter_map(move |a| {
        let (key, v) = out.attr(a)?;
        let value = match v {
            OutValue::Keep(AttrValue::Str(s)) => AnyValue::Str(Cow::Borrowed(out.ds.str(s))),
            OutValue::Keep(AttrValue::Int(i)) => AnyValue::Int(i.to_string()),
            OutValue::Keep(AttrValue::Float(f)) => AnyValue::Double(f),
            OutValue::Keep(AttrValue::Bool(b)) => AnyValue::Bool(b),
            OutValue::Text(t) => AnyValue::Str(t),
        };
        Some(KeyValue { key, value })
    })
}

fn attributes<'o, 'a: 'o, 'p>(
    out: &'o Outgoing<'a, 'p>,
    attrs: &'o [Attr],
) -> Seq<impl Iterator<Item = KeyValue<'o>> + use<'o, 'a, 'p>> {
    Seq::new(attribute_values(out, attrs))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<R> {
    resource_spans: R,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceSpans<A, S> {
    resource: Resource<A>,
    scope_spans: [ScopeSpans<S>; 1],
}

#[derive(Serialize)]
struct Resource<A> {
    attributes: A,
}

#[derive(Serialize)]
struct ScopeSpans<S> {
    scope: Scope,
    spans: S,
}

#[derive(Serialize)]
struct Scope {
    name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Span<'a, A, E, L> {
    trace_id: &'a str,
    span_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_span_id: Option<String>,
    name: Cow<'a, str>,
    kind: u8,
    start_time_unix_nano: String,
    end_time_unix_nano: String,
    attributes: A,
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<E>,
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<L>,
    status: Status<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Event<'a, A> {
    time_unix_nano: String,
    name: Cow<'a, str>,
    attributes: A,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Link<A> {
    trace_id: String,
    span_id: String,
    attributes: A,
}

#[derive(Serialize)]
struct Status<'a> {
    code: u8,
    #[serde(skip_serializing_if = "str::is_empty")]
    message: Cow<'a, str>,
}

#[derive(Serialize)]
struct KeyValue<'a> {
    key: &'a str,
    value: AnyValue<'a>,
}

#[derive(Serialize)]
enum AnyValue<'a> {
    #[serde(rename = "stringValue")]
    Str(Cow<'a, str>),
    #[serde(rename = "intValue")]
    Int(String),
    #[serde(rename = "doubleValue")]
    Double(f64),
    #[serde(rename = "boolValue")]
    Bool(bool),
}
