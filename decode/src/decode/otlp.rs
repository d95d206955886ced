//! OTLP JSON: `{resourceSpans}`, Tempo's `{batches}`, Jaeger API v3
//! `{result:{resourceSpans}}`, Tempo's v2 trace by id `{trace:{resourceSpans}}`; `scopeSpans` or the older
//! `instrumentationLibrarySpans`; ids in hex or base64; int64 as strings;
//! `kind` as a number or `"SPAN_KIND_…"`.

use super::borrowed::{self, tree_of, Any, List, Obj, Raw, Str};
use super::builder::{json, Builder, SpanIn as BuiltSpan, Timing, UNRESOLVED};
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
#[derive(Default)]
struct AnyValueIn<'a> {
    string_value: Any<'a>,
    int_value: Any<'a>,
    double_value: Any<'a>,
    bool_value: Any<'a>,
    bytes_value: Any<'a>,
    /// Lists and maps, as their JSON text: read an item at a time (as
    /// trees, a map of many keys was held twice over, ~10× its text each).
    array_value: Raw<'a>,
    kvlist_value: Raw<'a>,
}
fields!(AnyValueIn { "stringValue" => string_value, "intValue" => int_value, "doubleValue" => double_value, "boolValue" => bool_value, "bytesValue" => bytes_value, "arrayValue" => array_value, "kvlistValue" => kvlist_value });

/// `{key, value}`; the value None when the key is not there (an item of
/// a map without one is left out).
#[derive(Default)]
struct KeyValueIn<'a> {
    key: Str<'a>,
    value: Option<Obj<AnyValueIn<'a>>>,
}
fields!(KeyValueIn { "key" => key, "value" => value });

/// A `resource` (`{attributes}`), read without a JSON tree: a file of many
/// small traces has one a trace.
#[derive(Default)]
struct ResourceIn<'a> {
    attributes: List<Obj<KeyValueIn<'a>>>,
}
fields!(ResourceIn { "attributes" => attributes });

/// A `scope` (or the older `instrumentationLibrary`).
#[derive(Default)]
struct ScopeIn<'a> {
    name: Str<'a>,
    version: Str<'a>,
}
fields!(ScopeIn { "name" => name, "version" => version });

/// A resource's attributes that are objects (as the general path skips others).
fn resource_attributes<'r, 'a>(
    r: &'r Obj<ResourceIn<'a>>,
) -> impl Iterator<Item = &'r KeyValueIn<'a>> {
    r.0.iter()
        .flat_map(|r| r.attributes.iter().filter_map(|a| a.0.as_ref()))
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
    } else if let Some(text) = v.array_value.0 {
        // Arrays are shown as JSON text of their plain values.
        let mut items = String::new();
        each_value(text, |item| {
            // A `values` list begins: the last one counts.
            let Some(item) = item else {
                return items.clear();
            };
            let plain = match tree_of(item) {
                Ok(v) => plain_value(&v).to_string(),
                Err(_) => String::from_utf8_lossy(item).into_owned(),
            };
            if !items.is_empty() {
                items.push(',');
            }
            items.push_str(&plain);
        });
        b.attr_str(key, &format!("[{items}]"));
    } else if let Some(text) = v.kvlist_value.0 {
        // As `Builder::attr_json`: deep under long keys, one attribute of JSON text.
        if key.len() > super::builder::FLAT_KEY_MAX {
            let kv = tree_of(text).unwrap_or_default();
            return b.attr_str(key, &kv.to_string());
        }
        let start = b.mark();
        each_value(text, |item| {
            // A `values` list begins: the last one counts.
            let Some(item) = item else {
                return b.ds.attrs.truncate(start as usize);
            };
            let item: Obj<KeyValueIn> = borrowed::read(item);
            if let Some((Some(k), Some(val))) = item.0.as_ref().map(|i| (i.key.get(), &i.value)) {
                let none = AnyValueIn::default();
                any_value(b, &format!("{key}.{k}"), val.0.as_ref().unwrap_or(&none));
            }
        });
    } else {
        b.attr_str(key, "");
    }
}

/// Calls `each` with the text of each item of the `values` list of the
/// object `text` (an `arrayValue` or `kvlistValue`), and with None as
/// each `values` list begins (a repeated key: what came before is dropped).
fn each_value(text: &[u8], mut each: impl FnMut(Option<&[u8]>)) {
    let mut r = Pull::new(text);
    // The text is JSON (it was read so): an object, or nothing to read.
    let _ = r.each_key(|k, r| {
        if k != "values" {
            return r.skip();
        }
        each(None);
        borrowed::each_item(r, |r| {
            each(Some(r.raw()?));
            Ok(())
        })
    });
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

fn key_value(b: &mut Builder, a: &KeyValueIn) {
    if let Some(k) = a.key.get() {
        let none = AnyValueIn::default();
        any_value(
            b,
            k,
            a.value.as_ref().and_then(|v| v.0.as_ref()).unwrap_or(&none),
        );
    }
}

#[derive(Default)]
struct StatusIn<'a> {
    code: Any<'a>,
    message: Str<'a>,
}
fields!(StatusIn { "code" => code, "message" => message });

/// A status code as its number or its name (any case, with or without
/// `STATUS_CODE_`), compared in place: no text made per span.
fn status_code(code: &Any) -> StatusCode {
    let mut text = match code {
        Any::I64(1) | Any::U64(1) => return StatusCode::Ok,
        Any::I64(2) | Any::U64(2) => return StatusCode::Error,
        Any::Str(s) => s.as_ref(),
        _ => return StatusCode::Unset,
    };
    const PREFIX: &str = "STATUS_CODE_";
    while text
        .get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
    {
        text = &text[PREFIX.len()..];
    }
    match text {
        "1" => StatusCode::Ok,
        "2" => StatusCode::Error,
        t if t.eq_ignore_ascii_case("ok") => StatusCode::Ok,
        t if t.eq_ignore_ascii_case("error") => StatusCode::Error,
        _ => StatusCode::Unset,
    }
}

/// The service named by a resource's `service.name` (or the unknown service).
fn resource_service(b: &mut Builder, resource: &Obj<ResourceIn>) -> StrId {
    let name = resource_attributes(resource)
        .find(|a| a.key.get() == Some("service.name"))
        .and_then(|a| a.value.as_ref()?.0.as_ref())
        .and_then(|v| v.string_value.as_str())
        .filter(|s| !s.is_empty());
    match name {
        Some(s) => b.intern(s),
        None => b.unknown_service(),
    }
}

/// One resource per (resource, scope): the scope's name and version belong
/// to every span of it, so they are stored once. Returns it, and how many
/// of its attributes are the resource's (before the scope's).
fn scope_resource(
    b: &mut Builder,
    service: StrId,
    resource: &Obj<ResourceIn>,
    scope: &Obj<ScopeIn>,
) -> (u32, u32) {
    let m = b.mark();
    for kv in resource_attributes(resource) {
        key_value(b, kv);
    }
    let resource_attrs = b.mark() - m;
    if let Some(scope) = &scope.0 {
        if let Some(n) = scope.name.get().filter(|n| !n.is_empty()) {
            b.attr_str("otel.scope.name", n);
        }
        if let Some(n) = scope.version.get().filter(|n| !n.is_empty()) {
            b.attr_str("otel.scope.version", n);
        }
    }
    let rattrs = b.since(m);
    (b.resource(service, rattrs), resource_attrs)
}

fn decode_resource_spans(b: &mut Builder, r: &Value) -> Result<(), DecodeError> {
    let text = borrowed::text_of(r.get("resource").unwrap_or(&Value::Null));
    let res: Obj<ResourceIn> = borrowed::read(&text);
    let service = resource_service(b, &res);
    let scopes = r
        .get("scopeSpans")
        .or_else(|| r.get("instrumentationLibrarySpans"))
        .and_then(Value::as_array)
        .map(|a| a.as_slice())
        .unwrap_or(&[]);
    for sc in scopes {
        let scope = sc.get("scope").or_else(|| sc.get("instrumentationLibrary"));
        let text = borrowed::text_of(scope.unwrap_or(&Value::Null));
        let (resource, _) = scope_resource(b, service, &res, &borrowed::read(&text));
        for s in json::arr(sc, "spans") {
            let text = borrowed::text_of(s);
            // Text made from a Value is JSON: it always reads.
            let s = read_span(&mut Pull::new(&text), b).ok().flatten();
            decode_span(b, s.as_ref(), service, resource)?;
        }
    }
    Ok(())
}

/// An OTLP span, read without a JSON tree. Its attributes (and its
/// events' and links') are not held: [`read_span`] writes them into the
/// builder's arena as they are read.
#[derive(Default)]
struct SpanIn<'a> {
    trace_id: Str<'a>,
    span_id: Str<'a>,
    parent_span_id: Str<'a>,
    name: Str<'a>,
    kind: Any<'a>,
    start: Any<'a>,
    end: Any<'a>,
    status: Obj<StatusIn<'a>>,
    attributes: Range32,
    events: Vec<EventIn<'a>>,
    links: Vec<LinkIn<'a>>,
}
fields!(SpanIn { "traceId" => trace_id, "spanId" => span_id, "parentSpanId" => parent_span_id, "name" => name, "kind" => kind, "startTimeUnixNano" => start, "endTimeUnixNano" => end, "status" => status });

/// An event, its attributes already in the builder's arena. Events are
/// pushed once the span is read: one without a time takes the span's start.
#[derive(Default)]
struct EventIn<'a> {
    time: Any<'a>,
    name: Str<'a>,
    attributes: Range32,
}
fields!(EventIn { "timeUnixNano" => time, "name" => name });

/// The span object that comes next (None for any other value). A key met
/// twice keeps its last value, as `JSON.parse` does.
fn read_span<'a>(r: &mut Pull<'a>, b: &mut Builder) -> Read<Option<SpanIn<'a>>> {
    borrowed::obj_with(r, |k, s: &mut SpanIn<'a>, r| {
        match k {
            "attributes" => s.attributes = read_attributes(r, b)?,
            "events" => {
                s.events.clear();
                borrowed::each_item(r, |r| {
                    let e = borrowed::obj_with(r, |k, e: &mut EventIn<'a>, r| {
                        if k != "attributes" {
                            return Ok(false);
                        }
                        e.attributes = read_attributes(r, b)?;
                        Ok(true)
                    })?;
                    s.events.extend(e);
                    Ok(())
                })?;
            }
            "links" => {
                s.links.clear();
                borrowed::each_item(r, |r| {
                    let mut trace_state = Str::default();
                    let l = borrowed::obj_with(r, |k, l: &mut LinkIn<'a>, r| {
                        match k {
                            "attributes" => l.attributes = read_attributes(r, b)?,
                            "traceState" => trace_state = FromJson::from_json(r)?,
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                    s.links.extend(l.map(|mut l| {
                        // After the link's attributes, in its range: nothing
                        // else is written while a link is read.
                        if let Some(ts) = trace_state.get().filter(|t| !t.is_empty()) {
                            let m = match l.attributes.is_empty() {
                                true => b.mark(),
                                false => l.attributes.start,
                            };
                            b.attr_str("trace_state", ts);
                            l.attributes = b.since(m);
                        }
                        l
                    }));
                    Ok(())
                })?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    })
}

/// An `attributes` list, each written to the builder as it is read.
fn read_attributes(r: &mut Pull, b: &mut Builder) -> Read<Range32> {
    let m = b.mark();
    borrowed::each_obj(r, |kv: KeyValueIn| {
        key_value(b, &kv);
        Ok(())
    })?;
    Ok(b.since(m))
}

/// A link, its attributes (and trace state) already in the builder's arena.
#[derive(Default)]
struct LinkIn<'a> {
    trace_id: Str<'a>,
    span_id: Str<'a>,
    attributes: Range32,
}
fields!(LinkIn { "traceId" => trace_id, "spanId" => span_id });

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
        Any::I64(n) => SpanKind::from_number(*n),
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
    let attrs = s.attributes;
    let em = b.event_mark();
    for e in &s.events {
        let t = e.time.as_i64().unwrap_or(start_ns);
        let name = e.name.get().filter(|n| !n.is_empty()).unwrap_or("event");
        b.event(t, name, e.attributes);
    }
    let events = b.events_since(em);
    let lm = b.link_mark();
    for l in &s.links {
        let lt = l.trace_id.get().unwrap_or(trace_text);
        b.link(
            lt,
            l.span_id.get().unwrap_or(""),
            LinkKind::Link,
            l.attributes,
        );
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
/// for another shape. A list of spans with no resource (or scope) before it
/// is read as it comes, the resource taken as absent (as it mostly is);
/// when a resource turns up after such a list, or a key of a resource or
/// scope repeats, the file is read again looking ahead
/// ([`Stream::look_ahead`]), if nothing else was added to `b` (only then
/// can what was read be taken back).
pub fn decode_stream(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    stream::run_looking_ahead_when_asked(b, bytes, file)
}

/// What a part of a file cut between spans ([`super::parts`]) begins with
/// when it does not begin the file: the resource and scope it is inside.
pub const PART_PREFIX: &[u8] = br#"{"resourceSpans":[{"scopeSpans":[{"spans":["#;

/// [`decode_stream`] of a part of a file (see [`stream::run_part`]): of
/// one value, or of JSON Lines of them (the OpenTelemetry Collector's file
/// exporter writes a request a line), read one after another as the whole
/// file is read a line at a time.
pub fn decode_part(
    b: &mut Builder,
    bytes: &[u8],
    stop_inherited: (usize, bool),
) -> Option<Result<Seam, DecodeError>> {
    stream::run_part(b, bytes, stop_inherited, |st, r| {
        file(st, r)?;
        while r.peek() != 0 {
            st.found = false;
            file(st, r)?;
            if !st.found {
                return Err(Bad);
            }
        }
        Ok(())
    })
}

/// The file's top-level object.
fn file(st: &mut Stream, r: &mut Pull) -> Read<()> {
    envelope(st, r, false)
}

use super::parts::{OpenResource, Seam};
use super::pull::{fields, Bad, FromJson, Pull, Read};
use super::stream::{self, Stream};

/// `{"resourceSpans": […]}`, or `{"result": {…}}` (Jaeger API v3) or
/// `{"trace": {…}}` (Tempo's v2 trace by id) around it, read as the
/// general path reads it: the list inside `result` when there is one, else
/// inside `trace`, else the object's own; `resourceSpans` before `batches`
/// ([`LIST_KEYS`]). A key that comes after the list read (or the wrapper
/// looked into) and that the general path would not read is skipped; one
/// it would read instead, or a repeat, makes the reader give up. A wrapper
/// with no list leaves no list found: the reader gives up then too.
fn envelope(st: &mut Stream, r: &mut Pull, nested: bool) -> Read<()> {
    // The rank in `LIST_KEYS` of the key whose list was read.
    let mut read: Option<usize> = None;
    r.each_key(|k, r| {
        let rank = LIST_KEYS.iter().position(|&l| l == k);
        match (rank, read) {
            // A wrapper inside a wrapper: not looked into.
            (Some(0 | 1), _) if nested => r.skip(),
            (Some(_), Some(done)) if rank > Some(done) => r.skip(),
            (Some(_), Some(_)) => Err(Bad),
            (Some(wrapper @ (0 | 1)), None) => {
                read = Some(wrapper);
                envelope(st, r, true)
            }
            (Some(list), None) => {
                st.found = true;
                read = Some(list);
                r.each_item(|r| resource_spans(st, r))
            }
            // Chrome's, as `detect` names it.
            (None, _) if k == "traceEvents" && !nested => Err(Bad),
            (None, _) => r.skip(),
        }
    })
}

/// The keys the general path takes the list of resources from, first the
/// one it prefers: the wrappers, then the lists.
const LIST_KEYS: [&str; 4] = ["result", "trace", "resourceSpans", "batches"];

/// Where a `scopeSpans` item is read: inside a resource a later part of a
/// file began in (its attributes and service read by an earlier part), and
/// whether the scope itself is the one it began in.
#[derive(Clone, Copy)]
struct Inside {
    inherited_resource: bool,
    inherited_scope: bool,
}

/// `{resource, scopeSpans}`. Read as it comes, the resource must come
/// first (or not at all); a resource after the list, or a key repeated,
/// sets [`Stream::context_after`]. Looking ahead, each list is skipped and
/// read once the object is, and a repeated key keeps its last value (as
/// `JSON.parse` does, and the general path, which prefers `scopeSpans` to
/// the older `instrumentationLibrarySpans`).
fn resource_spans<'a>(st: &mut Stream, r: &mut Pull<'a>) -> Read<()> {
    // The first resource of a later part began in an earlier one.
    let inherited = std::mem::take(&mut st.inherited);
    let look_ahead = st.look_ahead;
    let mut resource: Option<Obj<ResourceIn<'a>>> = None;
    // Looking ahead: where the last `scopeSpans` and the last
    // `instrumentationLibrarySpans` begin.
    let mut lists: [Option<usize>; 2] = [None, None];
    let mut scopes_read = false;
    r.each_key(|k, r| match k.as_ref() {
        "resource" if look_ahead || (resource.is_none() && !scopes_read) => {
            resource = Some(FromJson::from_json(r)?);
            Ok(())
        }
        "scopeSpans" | "instrumentationLibrarySpans" if look_ahead => {
            lists[(k == "instrumentationLibrarySpans") as usize] = Some(r.here());
            r.skip()
        }
        "scopeSpans" | "instrumentationLibrarySpans" if !scopes_read => {
            scopes_read = true;
            scope_list(st, r, resource.as_ref(), inherited)
        }
        "resource" | "scopeSpans" | "instrumentationLibrarySpans" => {
            st.context_after = true;
            Err(Bad)
        }
        _ => r.skip(),
    })?;
    match lists[0].or(lists[1]) {
        Some(at) => scope_list(st, &mut r.back_at(at), resource.as_ref(), inherited)?,
        None if scopes_read => {}
        // No spans: the general path still names the service.
        None => {
            resource_service(st.b, resource.as_ref().unwrap_or(&Obj::default()));
        }
    }
    st.seam.closed_inherited |= inherited;
    Ok(())
}

/// A resource's list of `scopeSpans`.
fn scope_list<'a>(
    st: &mut Stream,
    r: &mut Pull<'a>,
    resource: Option<&Obj<ResourceIn>>,
    inherited: bool,
) -> Read<()> {
    let none = Obj::default();
    let res = resource.unwrap_or(&none);
    // An inherited resource's service is the merge's to put in.
    let service = match inherited {
        true => StrId(0),
        false => resource_service(st.b, res),
    };
    let mut inherited_scope = inherited;
    r.each_item(|r| {
        let inside = Inside {
            inherited_resource: inherited,
            inherited_scope: std::mem::take(&mut inherited_scope),
        };
        scope_spans(st, r, service, res, inside)
    })
}

/// `{scope, spans}`, read as [`resource_spans`] reads its object (`scope`
/// preferred to the older `instrumentationLibrary`, as on the general path).
fn scope_spans<'a>(
    st: &mut Stream,
    r: &mut Pull<'a>,
    service: StrId,
    res_in: &Obj<ResourceIn>,
    inside: Inside,
) -> Read<()> {
    let look_ahead = st.look_ahead;
    // The last `scope` and the last `instrumentationLibrary`.
    let mut scopes: [Option<Obj<ScopeIn<'a>>>; 2] = [None, None];
    // The scope a later part began in has its resource from an earlier part.
    let mut resource = inside.inherited_scope.then_some((UNRESOLVED, 0));
    let none = Obj::default();
    let make_resource = |st: &mut Stream, scopes: &[Option<Obj<ScopeIn>>; 2]| {
        let scope = scopes[0].as_ref().or(scopes[1].as_ref()).unwrap_or(&none);
        let made = scope_resource(st.b, service, res_in, scope);
        // A scope of an inherited resource lacks that resource's attributes.
        st.seam.inherited_scopes += inside.inherited_resource as u32;
        made
    };
    let mut spans_at = None;
    let mut spans_read = false;
    let read = r.each_key(|k, r| match k.as_ref() {
        "scope" | "instrumentationLibrary"
            if look_ahead || (scopes.iter().all(Option::is_none) && !spans_read) =>
        {
            scopes[(k == "instrumentationLibrary") as usize] = Some(FromJson::from_json(r)?);
            Ok(())
        }
        "spans" if look_ahead => {
            spans_at = Some(r.here());
            r.skip()
        }
        "spans" if !spans_read => {
            spans_read = true;
            let (res, _) = *resource.get_or_insert_with(|| make_resource(st, &scopes));
            span_list(st, r, service, res)
        }
        "scope" | "instrumentationLibrary" | "spans" => {
            st.context_after = true;
            Err(Bad)
        }
        _ => r.skip(),
    });
    let read = match (read, spans_at) {
        (Ok(()), Some(at)) => {
            let (res, _) = *resource.get_or_insert_with(|| make_resource(st, &scopes));
            span_list(st, &mut r.back_at(at), service, res)
        }
        (read, _) => read,
    };
    match (read, resource) {
        (Err(Bad), Some((res, resource_attrs))) => {
            if st.stopped_at.is_some() && !inside.inherited_resource {
                // Cut inside this scope: the next part's first spans are its.
                st.seam.open = Some(OpenResource {
                    service,
                    resource: res,
                    resource_attrs,
                });
            }
            Err(Bad)
        }
        (Err(Bad), None) => Err(Bad),
        (Ok(()), Some(_)) => Ok(()),
        (Ok(()), None) => {
            // A scope without spans still has its resource, as on the general path.
            make_resource(st, &scopes);
            Ok(())
        }
    }
}

/// A scope's list of spans, each decoded as it is read.
fn span_list(st: &mut Stream, r: &mut Pull, service: StrId, resource: u32) -> Read<()> {
    r.each_item(|r| {
        st.stop_before(r)?;
        let s = read_span(r, st.b)?;
        if let Some(total) = st.estimate(r) {
            st.b.expect_spans(total);
        }
        decode_span(st.b, s.as_ref(), service, resource).map_err(|e| st.refuse(e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    /// What `status_code` did with an uppercase copy: the reference.
    fn by_uppercase(code: &Any) -> StatusCode {
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

    proptest::proptest! {
        #[test]
        fn status_codes_read_as_before(
            prefix in "(STATUS_CODE_|status_code_|Status_Code_){0,2}",
            name in "(OK|ok|Ok|ERROR|error|UNSET|[0-3]| |)",
            n in -1i64..4,
        ) {
            let s = format!("{prefix}{name}");
            let text = Any::Str(Cow::Borrowed(&s));
            proptest::prop_assert_eq!(status_code(&text), by_uppercase(&text));
            proptest::prop_assert_eq!(status_code(&Any::I64(n)), by_uppercase(&Any::I64(n)));
            if n >= 0 {
                let u = Any::U64(n as u64);
                proptest::prop_assert_eq!(status_code(&u), by_uppercase(&u));
            }
            proptest::prop_assert_eq!(SpanKind::from_number(n), SpanKind::parse(&n.to_string()));
        }
    }
}
