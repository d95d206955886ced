//! OTLP JSON: `{resourceSpans}`, Tempo's `{batches}`, Jaeger API v3
//! `{result:{resourceSpans}}`, Tempo's v2 trace by id `{trace:{resourceSpans}}`; `scopeSpans` or the older
//! `instrumentationLibrarySpans`; ids in hex or base64; int64 as strings;
//! `kind` as a number or `"SPAN_KIND_…"`.

use super::borrowed::{self, Any, List, Obj, Str};
use super::builder::{json, Builder, SpanIn as BuiltSpan, Timing};
use super::DecodeError;
use crate::model::*;
use serde_json::Value;

pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    let root = v.get("result").or_else(|| v.get("trace")).unwrap_or(v);
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

/// An OTLP `AnyValue` (`{stringValue}`, `{intValue}`…), read without a JSON tree.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AnyValueIn<'a> {
    #[serde(rename = "stringValue", borrow)]
    string_value: Any<'a>,
    #[serde(rename = "intValue", borrow)]
    int_value: Any<'a>,
    #[serde(rename = "doubleValue", borrow)]
    double_value: Any<'a>,
    #[serde(rename = "boolValue", borrow)]
    bool_value: Any<'a>,
    #[serde(rename = "bytesValue", borrow)]
    bytes_value: Any<'a>,
    /// Lists and maps are rare: kept as JSON.
    #[serde(rename = "arrayValue", borrow)]
    array_value: Any<'a>,
    #[serde(rename = "kvlistValue", borrow)]
    kvlist_value: Any<'a>,
}

/// `{key, value}`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct KeyValueIn<'a> {
    #[serde(borrow)]
    key: Str<'a>,
    #[serde(borrow)]
    value: Obj<AnyValueIn<'a>>,
}

/// An OTLP `AnyValue` as an attribute.
fn any_value(b: &mut Builder, key: &str, v: &AnyValueIn) {
    if v.string_value.is_present() {
        b.attr_str(key, v.string_value.as_str().unwrap_or(""));
    } else if v.int_value.is_present() {
        match v.int_value.as_i64() {
            Some(i) => b.attr(key, AttrValue::Int(i)),
            None => b.attr_any(key, &v.int_value),
        }
    } else if v.double_value.is_present() {
        let f = match &v.double_value {
            Any::Str(s) => s.parse().unwrap_or(f64::NAN),
            n @ (Any::I64(_) | Any::U64(_) | Any::F64(_)) => n.as_f64().unwrap_or(0.0),
            _ => f64::NAN,
        };
        b.attr(key, AttrValue::Float(f));
    } else if v.bool_value.is_present() {
        b.attr(key, AttrValue::Bool(v.bool_value.truthy()));
    } else if v.bytes_value.is_present() {
        b.attr_str(key, v.bytes_value.as_str().unwrap_or(""));
    } else if v.array_value.is_present() {
        // Arrays are shown as JSON text of their plain values.
        let arr = v.array_value.to_value();
        let plain: Vec<Value> = json::arr(&arr, "values").iter().map(plain_value).collect();
        b.attr_str(key, &Value::Array(plain).to_string());
    } else if v.kvlist_value.is_present() {
        let kv = v.kvlist_value.to_value();
        for item in json::arr(&kv, "values") {
            if let (Some(k), Some(val)) = (json::str(item, "key"), item.get("value")) {
                let text = borrowed::text_of(val);
                let val: Obj<AnyValueIn> = borrowed::read(&text);
                let none = AnyValueIn::default();
                any_value(b, &format!("{key}.{k}"), val.0.as_ref().unwrap_or(&none));
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

fn attributes(b: &mut Builder, list: &[Obj<KeyValueIn>]) -> Range32 {
    let m = b.mark();
    for a in list.iter().filter_map(|a| a.0.as_ref()) {
        key_value(b, a);
    }
    b.since(m)
}

fn key_value(b: &mut Builder, a: &KeyValueIn) {
    if let Some(k) = a.key.get() {
        let none = AnyValueIn::default();
        any_value(b, k, a.value.0.as_ref().unwrap_or(&none));
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusIn<'a> {
    #[serde(borrow)]
    code: Any<'a>,
    #[serde(borrow)]
    message: Str<'a>,
}

fn status_code(code: &Any) -> StatusCode {
    let text = match code {
        Any::I64(n) => n.to_string(),
        Any::U64(n) => n.to_string(),
        Any::Str(s) => s.to_ascii_uppercase(),
        _ => String::new(),
    };
    match text.trim_start_matches("STATUS_CODE_") {
        "1" | "OK" => StatusCode::Ok,
        "2" | "ERROR" => StatusCode::Error,
        _ => StatusCode::Unset,
    }
}

/// The service named by a resource's `service.name` (or the unknown service).
fn resource_service(b: &mut Builder, res_attrs: &[Value]) -> StrId {
    let name = res_attrs
        .iter()
        .find(|a| json::str(a, "key") == Some("service.name"))
        .and_then(|a| a.get("value"))
        .and_then(|v| json::str(v, "stringValue"))
        .filter(|s| !s.is_empty());
    match name {
        Some(s) => b.intern(s),
        None => b.unknown_service(),
    }
}

/// One resource per (resource, scope): the scope's name and version belong
/// to every span of it, so they are stored once.
fn scope_resource(
    b: &mut Builder,
    service: StrId,
    res_attrs: &[Value],
    scope: Option<&Value>,
) -> u32 {
    let m = b.mark();
    for a in res_attrs {
        let text = borrowed::text_of(a);
        let kv: Obj<KeyValueIn> = borrowed::read(&text);
        if let Some(kv) = kv.0 {
            key_value(b, &kv);
        }
    }
    if let Some(scope) = scope {
        if let Some(n) = json::str(scope, "name").filter(|n| !n.is_empty()) {
            b.attr_str("otel.scope.name", n);
        }
        if let Some(n) = json::str(scope, "version").filter(|n| !n.is_empty()) {
            b.attr_str("otel.scope.version", n);
        }
    }
    let rattrs = b.since(m);
    b.resource(service, rattrs)
}

fn decode_resource_spans(b: &mut Builder, r: &Value) -> Result<(), DecodeError> {
    let res_attrs = json::arr(r.get("resource").unwrap_or(&Value::Null), "attributes");
    let service = resource_service(b, res_attrs);
    let scopes = r
        .get("scopeSpans")
        .or_else(|| r.get("instrumentationLibrarySpans"))
        .and_then(Value::as_array)
        .map(|a| a.as_slice())
        .unwrap_or(&[]);
    for sc in scopes {
        let scope = sc.get("scope").or_else(|| sc.get("instrumentationLibrary"));
        let resource = scope_resource(b, service, res_attrs, scope);
        for s in json::arr(sc, "spans") {
            let text = borrowed::text_of(s);
            let s: Obj<SpanIn> = borrowed::read(&text);
            decode_span(b, s.0.as_ref(), service, resource)?;
        }
    }
    Ok(())
}

/// An OTLP span, read without a JSON tree.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SpanIn<'a> {
    #[serde(rename = "traceId", borrow)]
    trace_id: Str<'a>,
    #[serde(rename = "spanId", borrow)]
    span_id: Str<'a>,
    #[serde(rename = "parentSpanId", borrow)]
    parent_span_id: Str<'a>,
    #[serde(borrow)]
    name: Str<'a>,
    #[serde(borrow)]
    kind: Any<'a>,
    #[serde(rename = "startTimeUnixNano", borrow)]
    start: Any<'a>,
    #[serde(rename = "endTimeUnixNano", borrow)]
    end: Any<'a>,
    #[serde(borrow)]
    status: Obj<StatusIn<'a>>,
    #[serde(borrow)]
    attributes: List<Obj<KeyValueIn<'a>>>,
    #[serde(borrow)]
    events: List<Obj<EventIn<'a>>>,
    #[serde(borrow)]
    links: List<Obj<LinkIn<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EventIn<'a> {
    #[serde(rename = "timeUnixNano", borrow)]
    time: Any<'a>,
    #[serde(borrow)]
    name: Str<'a>,
    #[serde(borrow)]
    attributes: List<Obj<KeyValueIn<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LinkIn<'a> {
    #[serde(rename = "traceId", borrow)]
    trace_id: Str<'a>,
    #[serde(rename = "spanId", borrow)]
    span_id: Str<'a>,
    #[serde(rename = "traceState", borrow)]
    trace_state: Str<'a>,
    #[serde(borrow)]
    attributes: List<Obj<KeyValueIn<'a>>>,
}

fn decode_span(
    b: &mut Builder,
    s: Option<&SpanIn>,
    service: StrId,
    resource: u32,
) -> Result<(), DecodeError> {
    let no_span = SpanIn::default();
    let s = s.unwrap_or(&no_span);
    let trace_text = s
        .trace_id
        .get()
        .ok_or_else(|| DecodeError::shape("an OTLP span without traceId"))?;
    let id_text = s
        .span_id
        .get()
        .ok_or_else(|| DecodeError::shape("an OTLP span without spanId"))?;
    let (trace, trace_text_id) = b.trace_id(trace_text);
    let (key, id_text_id) = b.span_id(id_text);
    let parent = b.parent_id(s.parent_span_id.get());
    let timing = Timing::from_start_end(s.start.as_i64(), s.end.as_i64());
    let start_ns = timing.start_ns;
    let kind = match &s.kind {
        Any::I64(n) => SpanKind::parse(&n.to_string()),
        Any::Str(k) => SpanKind::parse(k),
        _ => SpanKind::Unspecified,
    };
    let (status, status_message) = match &s.status.0 {
        Some(st) => (
            status_code(&st.code),
            st.message.get().map_or(StrId(0), |m| b.intern(m)),
        ),
        None => (StatusCode::Unset, StrId(0)),
    };
    let attrs = attributes(b, &s.attributes);
    let em = b.event_mark();
    for e in s.events.iter().filter_map(|e| e.0.as_ref()) {
        let t = e.time.as_i64().unwrap_or(start_ns);
        let a = attributes(b, &e.attributes);
        let name = e.name.get().filter(|n| !n.is_empty()).unwrap_or("event");
        b.event(t, name, a);
    }
    let events = b.events_since(em);
    let lm = b.link_mark();
    for l in s.links.iter().filter_map(|l| l.0.as_ref()) {
        let m = b.mark();
        attributes(b, &l.attributes);
        if let Some(ts) = l.trace_state.get().filter(|t| !t.is_empty()) {
            b.attr_str("trace_state", ts);
        }
        let la = b.since(m);
        let lt = l.trace_id.get().unwrap_or(trace_text);
        b.link(lt, l.span_id.get().unwrap_or(""), LinkKind::Link, la);
    }
    let links = b.links_since(lm);
    let name = b.intern(s.name.get().unwrap_or(""));
    b.push(BuiltSpan {
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

/// Streams `{"resourceSpans":[…]}` (Tempo's `batches`, Jaeger API v3's
/// `{"result":…}` around it) one span at a time ([`super::stream`]); `None`
/// for another shape, e.g. a resource after its spans.
pub fn decode_stream(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    stream::run(b, bytes, |st, de| {
        Envelope { st, nested: false }.deserialize(de)
    })
}

use super::stream::{self, expecting, other_shape, seed, Stream};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;

/// `{"resourceSpans": […]}`, or `{"result": {…}}` (Jaeger API v3) or
/// `{"trace": {…}}` (Tempo's v2 trace by id) around it.
struct Envelope<'x, 's, 'b> {
    st: &'x mut Stream<'s, 'b>,
    nested: bool,
}
/// The list of `{resource, scopeSpans}`.
struct ResourceList<'x, 's, 'b>(&'x mut Stream<'s, 'b>);
struct ResourceSpans<'x, 's, 'b>(&'x mut Stream<'s, 'b>);
/// A resource's list of `{scope, spans}`.
struct ScopeList<'x, 's, 'b, 'r> {
    st: &'x mut Stream<'s, 'b>,
    service: StrId,
    res_attrs: &'r [Value],
}
struct ScopeSpans<'x, 's, 'b, 'r> {
    st: &'x mut Stream<'s, 'b>,
    service: StrId,
    res_attrs: &'r [Value],
}
/// A scope's spans, decoded as they are read.
struct SpanList<'x, 's, 'b> {
    st: &'x mut Stream<'s, 'b>,
    service: StrId,
    resource: u32,
}

seed!(Envelope<'_, '_, '_>, deserialize_map);
impl<'de> Visitor<'de> for Envelope<'_, '_, '_> {
    type Value = ();
    expecting!("an OTLP object");
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        while let Some(k) = m.next_key::<Cow<str>>()? {
            match k.as_ref() {
                "result" | "trace" if !self.nested && !self.st.found => {
                    m.next_value_seed(Envelope {
                        st: &mut *self.st,
                        nested: true,
                    })?
                }
                "resourceSpans" | "batches" if !self.st.found => {
                    self.st.found = true;
                    m.next_value_seed(ResourceList(&mut *self.st))?
                }
                "result" | "trace" | "resourceSpans" | "batches" => return Err(other_shape()),
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

seed!(ResourceList<'_, '_, '_>, deserialize_seq);
impl<'de> Visitor<'de> for ResourceList<'_, '_, '_> {
    type Value = ();
    expecting!("a list of OTLP resource spans");
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while s.next_element_seed(ResourceSpans(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

seed!(ResourceSpans<'_, '_, '_>, deserialize_map);
impl<'de> Visitor<'de> for ResourceSpans<'_, '_, '_> {
    type Value = ();
    expecting!("OTLP resource spans");
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        let mut resource: Option<Value> = None;
        let mut service = None;
        while let Some(k) = m.next_key::<Cow<str>>()? {
            match k.as_ref() {
                // The resource must come before its spans to be streamed.
                "resource" if service.is_none() && resource.is_none() => {
                    resource = Some(m.next_value()?)
                }
                "scopeSpans" | "instrumentationLibrarySpans" if service.is_none() => {
                    let res = resource.as_ref().unwrap_or(&Value::Null);
                    let res_attrs = json::arr(res, "attributes");
                    let svc = resource_service(self.0.b, res_attrs);
                    service = Some(svc);
                    m.next_value_seed(ScopeList {
                        st: &mut *self.0,
                        service: svc,
                        res_attrs,
                    })?
                }
                "resource" | "scopeSpans" | "instrumentationLibrarySpans" => {
                    return Err(other_shape())
                }
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        if service.is_none() {
            // No spans: the general path still names the service.
            let res = resource.as_ref().unwrap_or(&Value::Null);
            resource_service(self.0.b, json::arr(res, "attributes"));
        }
        Ok(())
    }
}

seed!(ScopeList<'_, '_, '_, '_>, deserialize_seq);
impl<'de> Visitor<'de> for ScopeList<'_, '_, '_, '_> {
    type Value = ();
    expecting!("a list of OTLP scope spans");
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while s
            .next_element_seed(ScopeSpans {
                st: &mut *self.st,
                service: self.service,
                res_attrs: self.res_attrs,
            })?
            .is_some()
        {}
        Ok(())
    }
}

seed!(ScopeSpans<'_, '_, '_, '_>, deserialize_map);
impl<'de> Visitor<'de> for ScopeSpans<'_, '_, '_, '_> {
    type Value = ();
    expecting!("OTLP scope spans");
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        let mut scope: Option<Value> = None;
        let mut resource = None;
        while let Some(k) = m.next_key::<Cow<str>>()? {
            match k.as_ref() {
                // The scope must come before its spans to be streamed.
                "scope" | "instrumentationLibrary" if scope.is_none() && resource.is_none() => {
                    scope = Some(m.next_value()?)
                }
                "spans" if resource.is_none() => {
                    let r = scope_resource(self.st.b, self.service, self.res_attrs, scope.as_ref());
                    resource = Some(r);
                    m.next_value_seed(SpanList {
                        st: &mut *self.st,
                        service: self.service,
                        resource: r,
                    })?
                }
                "scope" | "instrumentationLibrary" | "spans" => return Err(other_shape()),
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        if resource.is_none() {
            // A scope without spans still has its resource, as on the general path.
            scope_resource(self.st.b, self.service, self.res_attrs, scope.as_ref());
        }
        Ok(())
    }
}

seed!(SpanList<'_, '_, '_>, deserialize_seq);
impl<'de> Visitor<'de> for SpanList<'_, '_, '_> {
    type Value = ();
    expecting!("a list of OTLP spans");
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while let Some(v) = s.next_element::<Obj<SpanIn>>()? {
            if let Err(e) = decode_span(self.st.b, v.0.as_ref(), self.service, self.resource) {
                return Err(self.st.refuse(e));
            }
        }
        Ok(())
    }
}
