//! The one place that sniffs formats: from the shape of the JSON, never the
//! file name.

use super::builder::json;
use super::pull::{Bad, Pull, Read};
use super::{chrome, datadog, DecodeError};
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Jaeger,
    Otlp,
    Zipkin,
    Chrome,
    XRay,
    Datadog,
    Gcp,
    /// A self-contained link's compact payload (read by `core::encode::compact`).
    Link,
}

impl Format {
    /// Stable machine name (used by `inspect --json` and `window.__tracescope`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Jaeger => "jaeger",
            Format::Otlp => "otlp",
            Format::Zipkin => "zipkin",
            Format::Chrome => "chrome",
            Format::XRay => "xray",
            Format::Datadog => "datadog",
            Format::Gcp => "gcp",
            Format::Link => "link",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Format::Jaeger => "Jaeger JSON",
            Format::Otlp => "OTLP JSON",
            Format::Zipkin => "Zipkin JSON",
            Format::Chrome => "Chrome trace-event",
            Format::XRay => "AWS X-Ray",
            Format::Datadog => "Datadog",
            Format::Gcp => "Google Cloud Trace",
            Format::Link => "Tracescope link",
        }
    }
}

/// The format whose streaming decoder (`decode_stream` of its module) may
/// read these bytes, judged by how they start: `{"data":` (a Jaeger
/// response), `{"resourceSpans":`, `{"batches":`, `{"result":` or `{"trace":` (OTLP),
/// `[` (Zipkin). The decoder itself still gives up on any other shape.
pub fn streamable(bytes: &[u8]) -> Option<Format> {
    let bytes = super::without_bom(bytes);
    let mut it = bytes.iter().copied().filter(|b| !b.is_ascii_whitespace());
    match it.next()? {
        b'[' => Some(Format::Zipkin),
        b'{' => {
            let key: Vec<u8> = it.take(16).collect();
            let starts = |k: &[u8]| key.starts_with(k);
            if starts(b"\"data\":") {
                Some(Format::Jaeger)
            } else if starts(b"\"resourceSpans\":")
                || starts(b"\"batches\":")
                || starts(b"\"result\":")
                || starts(b"\"trace\":")
            {
                Some(Format::Otlp)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Keys of an object by which [`detect`] may name it before it judges the
/// object one span ([`span_like`]), with [`NAMED_FIRST`].
pub const READ_BEFORE_ONE_SPAN: [&str; 9] = [
    "data",
    "batchWriteSpansRequest",
    "projectId",
    "spans",
    "Traces",
    "traces",
    "tagNames",
    "scopes",
    "tagValues",
];

/// Top-level keys by which [`detect`] names a file Chrome's or OTLP's
/// before it looks at any other: a streamed reader of another format that
/// meets one leaves the file to the general path. In the order the
/// general path reads them: `traceEvents` makes a file Chrome's; OTLP's
/// list is inside `result` (or else `trace`) when one is there.
pub const NAMED_FIRST: [&str; 5] = ["traceEvents", "result", "trace", "resourceSpans", "batches"];

pub fn is_xray_daemon_header(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.len() == 2 && json::str(v, "format") == Some("json") && o.contains_key("version")
    })
}

fn keys_of(v: &Value) -> String {
    match v.as_object() {
        Some(o) => {
            let mut k: Vec<&str> = o.keys().map(String::as_str).take(8).collect();
            if o.len() > 8 {
                k.push("…");
            }
            format!("an object with keys {}", k.join(", "))
        }
        None => "a JSON value".into(),
    }
}

/// One JSON object written again as `JSON.parse` and [`detect`] see it,
/// so a streamed reader can take it: each key once (its last value, at its
/// first place) and the keys of [`NAMED_FIRST`] first, in that order; the
/// object inside a `result` or `trace` (OTLP's wrappers) written so too. A
/// key repeated, or a list of one format beside one [`detect`] names first,
/// otherwise sends a file to the general path (a tree of the whole file,
/// ~15× its size). None when `raw` is no object, or is one already so.
pub(super) fn object_as_detected(raw: &[u8]) -> Option<Vec<u8>> {
    let (mut entries, mut rewritten) = entries_as_detected(raw)?;
    for (_, value) in entries
        .iter_mut()
        .filter(|(k, _)| k == "result" || k == "trace")
    {
        if let Some((inner, true)) = entries_as_detected(value) {
            *value = Cow::Owned(object_of(&inner, value.len())?);
            rewritten = true;
        }
    }
    match rewritten {
        true => object_of(&entries, raw.len()),
        false => None,
    }
}

/// An object's entries, each key with its value's JSON text.
type Entries<'a> = Vec<(String, Cow<'a, [u8]>)>;

/// An object's entries as [`object_as_detected`] writes them (each key
/// once, in its order), and whether they differ from the object's; None
/// when `raw` is no object.
fn entries_as_detected(raw: &[u8]) -> Option<(Entries<'_>, bool)> {
    let mut r = Pull::new(raw);
    if r.peek() != b'{' {
        return None;
    }
    let mut entries: Entries = Vec::new();
    let mut place: FxHashMap<String, u32> = FxHashMap::default();
    let mut keys = 0;
    r.each_key(|k, r| {
        keys += 1;
        let value = Cow::Borrowed(r.raw()?);
        match place.get(&*k) {
            Some(&i) => entries[i as usize].1 = value,
            None => {
                place.insert(k.to_string(), entries.len() as u32);
                entries.push((k.into_owned(), value));
            }
        }
        Ok(())
    })
    .ok()?;
    r.end().ok()?;
    let named = NAMED_FIRST
        .iter()
        .filter_map(|k| place.get(*k))
        .map(|&i| i as usize);
    let others = (0..entries.len()).filter(|&i| !NAMED_FIRST.contains(&&*entries[i].0));
    let order: Vec<usize> = named.chain(others).collect();
    let as_it_was = entries.len() == keys && order.iter().enumerate().all(|(at, &i)| at == i);
    let mut slots: Vec<_> = entries.into_iter().map(Some).collect();
    let ordered = order.iter().filter_map(|&i| slots[i].take()).collect();
    Some((ordered, !as_it_was))
}

/// The JSON text of an object of `entries` (about `len` bytes).
fn object_of(entries: &Entries, len: usize) -> Option<Vec<u8>> {
    let mut text = Vec::with_capacity(len);
    text.push(b'{');
    for (n, (key, value)) in entries.iter().enumerate() {
        if n > 0 {
            text.push(b',');
        }
        serde_json::to_writer(&mut text, key).ok()?;
        text.push(b':');
        text.extend_from_slice(value);
    }
    text.push(b'}');
    Some(text)
}

/// Whether an object with the keys `has` says is a Chrome trace event: a
/// phase, or a time and a process.
pub fn is_chrome_event(has: &dyn Fn(&str) -> bool) -> bool {
    has("ph") || (has("ts") && has("pid"))
}

/// The format a span (or event) of a bare list belongs to, by its keys.
pub fn span_like(s: &Value) -> Option<Format> {
    span_like_by(&|k| s.get(k).is_some())
}

/// [`span_like`] of an object with the keys `has` says (none of its
/// rules looks at a value).
pub fn span_like_by(has: &dyn Fn(&str) -> bool) -> Option<Format> {
    if is_chrome_event(has) {
        Some(Format::Chrome)
    } else if has("traceID") && has("spanID")
        || (has("traceId") && has("spanId") && has("operationName"))
    {
        Some(Format::Jaeger)
    } else if has("traceId") && has("id") {
        Some(Format::Zipkin)
    } else if datadog::is_span_by(has) {
        Some(Format::Datadog)
    } else if has("trace_id") && has("id") && (has("start_time") || has("name")) {
        Some(Format::XRay)
    } else {
        None
    }
}

/// The format [`detect`] names an object that is one span alone (a line
/// of JSON Lines of spans), judged as [`span_like`] judges it, by its keys
/// alone and with no tree. None for any other value, and for an object
/// with a key by which `detect` may name it first (read no further).
pub fn span_alone(value: &[u8]) -> Option<Format> {
    span_keys_read(&mut Pull::new(value), Judged::Alone { whole: false })
        .ok()
        .flatten()
}

/// The next value `r` reads, taken whole (checked as [`Pull::raw`] checks
/// it), and [`span_alone`] of it: one pass over a line of JSON Lines.
pub fn next_value_and_span_alone<'a>(r: &mut Pull<'a>) -> Read<(&'a [u8], Option<Format>)> {
    let start = r.here();
    let format = span_keys_read(r, Judged::Alone { whole: true })?;
    Ok((r.taken_since(start), format))
}

/// [`span_like`] of the value `r` reads next, the first item of a list (as
/// [`detect`] judges a list), by its keys alone and with no tree: a first
/// item of any size costs nothing to judge. None for anything but an
/// object; the value is read to its end.
pub fn item_span_like(r: &mut Pull) -> Read<Option<Format>> {
    span_keys_read(r, Judged::Item)
}

/// How a value is judged by [`span_keys_read`].
#[derive(Clone, Copy)]
enum Judged {
    /// A value alone ([`span_alone`]); `whole`: read to its end, else no
    /// further than the first key that settles it.
    Alone { whole: bool },
    /// A list's first item ([`item_span_like`]).
    Item,
}

/// [`span_like_by`] of the keys of the value `r` reads next, judged `as_`.
fn span_keys_read(r: &mut Pull, as_: Judged) -> Read<Option<Format>> {
    let whole = !matches!(as_, Judged::Alone { whole: false });
    let alone = matches!(as_, Judged::Alone { .. });
    if r.peek() != b'{' {
        return if whole {
            r.skip().map(|_| None)
        } else {
            Ok(None)
        };
    }
    let (mut keys, mut named_first) = (Vec::new(), false);
    r.each_key(|k, r| {
        if alone && (NAMED_FIRST.contains(&&*k) || READ_BEFORE_ONE_SPAN.contains(&&*k)) {
            named_first = true;
            if !whole {
                return Err(Bad);
            }
        }
        keys.push(k);
        r.skip()
    })?;
    Ok(match named_first {
        true => None,
        false => span_like_by(&|k| keys.iter().any(|x| x == k)),
    })
}

/// Which decoder reads `v`; a clear error when none does.
pub fn detect(v: &Value) -> Result<Format, DecodeError> {
    match v {
        Value::Object(o) => {
            let has = |k: &str| o.contains_key(k);
            if has("traceEvents") {
                return Ok(Format::Chrome);
            }
            // `result`: Jaeger API v3; `trace`: Tempo's trace by id (v2 API).
            let wraps_otlp = |k: &str| {
                v.get(k)
                    .is_some_and(|r| r.get("resourceSpans").is_some() || r.get("batches").is_some())
            };
            if has("resourceSpans") || has("batches") || wraps_otlp("result") || wraps_otlp("trace")
            {
                return Ok(Format::Otlp);
            }
            if let Some(d) = o.get("data") {
                let traces_like = match d {
                    Value::Array(a) => a.first().is_none_or(|t| t.get("spans").is_some()),
                    Value::Object(t) => t.contains_key("spans"),
                    _ => false,
                };
                if traces_like {
                    if d.as_array().is_some_and(|a| a.is_empty()) {
                        return Err(DecodeError::NotATrace(
                            "a Jaeger response with an empty `data` list (no trace matched)".into(),
                        ));
                    }
                    return Ok(Format::Jaeger);
                }
                if d.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
                    return Err(DecodeError::NotATrace(
                        "a list of names (like Jaeger's /api/services or /api/operations), not spans".into(),
                    ));
                }
            }
            if has("batchWriteSpansRequest") || (has("projectId") && has("traceId") && has("spans"))
            {
                return Ok(Format::Gcp);
            }
            if let Some(spans) = o.get("spans").and_then(Value::as_array) {
                let first = spans.first();
                if first
                    .and_then(|s| json::str(s, "name"))
                    .is_some_and(|n| n.starts_with("projects/"))
                {
                    return Ok(Format::Gcp);
                }
                if has("traceID")
                    || first.is_some_and(|s| {
                        s.get("operationName").is_some() || s.get("spanID").is_some()
                    })
                {
                    return Ok(Format::Jaeger);
                }
            }
            if has("Traces") {
                return Ok(Format::XRay);
            }
            if let Some(t) = o.get("traces").and_then(Value::as_array) {
                if let Some(first) = t.first() {
                    if first.get("projectId").is_some() {
                        return Ok(Format::Gcp);
                    }
                    if first.get("rootServiceName").is_some() || first.get("durationMs").is_some() {
                        return Err(DecodeError::NotATrace(format!(
                            "a Tempo search response listing {} trace summaries, without spans: open one of them by its trace id",
                            t.len()
                        )));
                    }
                    if first.is_array() {
                        return Ok(Format::Datadog);
                    }
                }
            }
            if has("tagNames") || has("scopes") || has("tagValues") {
                return Err(DecodeError::NotATrace(
                    "a Tempo tag list (search autocompletion), not spans".into(),
                ));
            }
            if let Some(f) = span_like(v) {
                return Ok(f);
            }
            Err(DecodeError::Unknown(keys_of(v)))
        }
        Value::Array(items) => {
            let Some(first) = items.iter().find(|x| !x.is_null()) else {
                return Err(DecodeError::NotATrace("an empty list".into()));
            };
            let probe = match first {
                Value::Array(inner) => match inner.first() {
                    Some(x) => x,
                    None => return Err(DecodeError::NotATrace("a list of empty lists".into())),
                },
                x => x,
            };
            if chrome::events(v).is_some() && probe.get("ph").is_some() {
                return Ok(Format::Chrome);
            }
            match (span_like(probe), probe) {
                (Some(f), _) => Ok(f),
                (None, Value::String(_)) => Err(DecodeError::NotATrace(
                    "a list of strings, not spans".into(),
                )),
                (None, p) => Err(DecodeError::Unknown(format!(
                    "a list whose items are {}",
                    keys_of(p)
                ))),
            }
        }
        _ => Err(DecodeError::Unknown("a JSON scalar".into())),
    }
}
