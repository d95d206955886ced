//! Zipkin v2 (`[span]`, `[[span]]`, a single span) and v1 (annotations and
//! binaryAnnotations). v1 spans are first converted to v2 the way Zipkin's
//! `V1SpanConverter` does (cs/cr give the client half, sr/ss the server
//! half). Then, as Zipkin Lens does, fragments of one span reported
//! separately are merged, and a span id shared by a client and a server half
//! becomes two rows: the server half under the client half, linked, with the
//! id's children under the server half.

use super::builder::{json, Builder, SpanIn};
use super::{ids, DecodeError};
use crate::model::*;
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

pub fn is_v1(span: &Value) -> bool {
    span.get("binaryAnnotations").is_some()
        || json::arr(span, "annotations").iter().any(|a| {
            a.get("endpoint").is_some()
                || matches!(json::str(a, "value"), Some("cs" | "sr" | "ss" | "cr"))
        }) && span.get("localEndpoint").is_none()
}

fn flatten(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items
            .iter()
            .flat_map(|x| match x {
                Value::Array(inner) => inner.iter().collect::<Vec<_>>(),
                other => vec![other],
            })
            .collect(),
        other => vec![other],
    }
}

pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    let mut v2: Vec<Value> = Vec::new();
    for (n, s) in flatten(v).into_iter().enumerate() {
        add_span(&mut v2, n, Cow::Borrowed(s))?;
    }
    let spans = merge_fragments(b, v2);
    emit(b, spans);
    Ok(())
}

/// Span #`n` of the file, checked, as v2 span(s).
fn add_span(v2: &mut Vec<Value>, n: usize, s: Cow<Value>) -> Result<(), DecodeError> {
    if !s.is_object() || json::str(&s, "traceId").is_none() || s.get("id").is_none() {
        return Err(DecodeError::shape(format!(
            "Zipkin span #{n} has no traceId or id"
        )));
    }
    if is_v1(&s) {
        v2.extend(v1_to_v2(&s));
    } else {
        v2.push(s.into_owned());
    }
    Ok(())
}

/// Streams `[span, …]` or `[[span, …], …]` ([`super::stream`]): each span is
/// held as JSON once (the general path holds the file and then a copy of
/// every span), then merged as there. `None` for another shape.
pub fn decode_stream(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    let mut v2 = Vec::new();
    let r = stream::run(b, bytes, |st, de| {
        SpanLists {
            st,
            v2: &mut v2,
            n: 0,
        }
        .deserialize(de)
    });
    if let Some(Ok(())) = r {
        let spans = merge_fragments(b, v2);
        emit(b, spans);
    }
    r
}

use super::stream::{self, expecting, seed, Stream};
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use std::borrow::Cow;

/// The top-level list: spans, or lists of spans.
struct SpanLists<'x, 's, 'b, 'v> {
    st: &'x mut Stream<'s, 'b>,
    v2: &'v mut Vec<Value>,
    n: usize,
}

seed!(SpanLists<'_, '_, '_, '_>, deserialize_seq);
impl<'de> Visitor<'de> for SpanLists<'_, '_, '_, '_> {
    type Value = ();
    expecting!("a list of Zipkin spans");
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut s: A) -> Result<(), A::Error> {
        while let Some(v) = s.next_element::<Value>()? {
            match v {
                Value::Array(inner) => {
                    for span in inner {
                        self.add(span)?;
                    }
                }
                span => self.add(span)?,
            }
        }
        Ok(())
    }
}

impl SpanLists<'_, '_, '_, '_> {
    fn add<E: serde::de::Error>(&mut self, span: Value) -> Result<(), E> {
        match add_span(self.v2, self.n, Cow::Owned(span)) {
            Ok(()) => {
                self.n += 1;
                self.st.found = true;
                Ok(())
            }
            // Not a Zipkin span at the start: another format's list.
            Err(_) if !self.st.found => Err(stream::other_shape()),
            Err(e) => Err(self.st.refuse(e)),
        }
    }
}

fn ep_service(e: Option<&Value>) -> Option<&str> {
    e.and_then(|e| json::str(e, "serviceName"))
        .filter(|s| !s.is_empty())
}

/// One v1 span to one or two v2 spans.
fn v1_to_v2(s: &Value) -> Vec<Value> {
    let anns = json::arr(s, "annotations");
    let find = |k: &str| anns.iter().find(|a| json::str(a, "value") == Some(k));
    let ts = |a: Option<&Value>| a.and_then(|a| json::i64(a, "timestamp"));
    let (cs, cr, sr, ss) = (find("cs"), find("cr"), find("sr"), find("ss"));
    let (ms, mr) = (find("ms"), find("mr"));
    let mut base = Map::new();
    for k in ["traceId", "id", "parentId", "name", "debug"] {
        if let Some(x) = s.get(k) {
            base.insert(k.to_string(), x.clone());
        }
    }
    let span_ts = json::i64(s, "timestamp");
    let span_dur = json::i64(s, "duration");
    let mut parts: Vec<(Map<String, Value>, Option<&'static str>)> = Vec::new();
    let mut part = |kind: &str, start: Option<&Value>, end: Option<&Value>, role: &'static str| {
        let mut m = base.clone();
        m.insert("kind".into(), kind.into());
        let ep = start.or(end).and_then(|a| a.get("endpoint")).cloned();
        if let Some(ep) = ep {
            m.insert("localEndpoint".into(), ep);
        }
        let (a, e) = (ts(start), ts(end));
        if let Some(a) = a {
            m.insert("timestamp".into(), a.into());
        }
        if let (Some(a), Some(e)) = (a, e) {
            m.insert("duration".into(), e.saturating_sub(a).max(0).into());
        }
        parts.push((m, Some(role)));
    };
    if cs.is_some() || cr.is_some() {
        part("CLIENT", cs, cr, "client");
    }
    if sr.is_some() || ss.is_some() {
        part("SERVER", sr, ss, "server");
    }
    if ms.is_some() {
        part("PRODUCER", ms, None, "producer");
    }
    if mr.is_some() {
        part("CONSUMER", mr, None, "consumer");
    }
    if parts.is_empty() {
        let mut m = base.clone();
        let ep = json::arr(s, "binaryAnnotations")
            .iter()
            .find(|a| json::str(a, "key") == Some("lc"))
            .or_else(|| anns.first())
            .or_else(|| json::arr(s, "binaryAnnotations").first())
            .and_then(|a| a.get("endpoint"))
            .cloned();
        if let Some(ep) = ep {
            m.insert("localEndpoint".into(), ep);
        }
        parts.push((m, None));
    }
    // With one half only, the span-level timestamp and duration win, as in Zipkin.
    if parts.len() == 1 {
        if let Some(t) = span_ts {
            parts[0].0.insert("timestamp".into(), t.into());
        }
        if let Some(d) = span_dur {
            parts[0].0.insert("duration".into(), d.into());
        }
    }
    let two = parts.len() > 1;
    // A server half without the span's own timestamp was reported by the callee of a shared id.
    for (m, role) in parts.iter_mut() {
        if *role == Some("server") && (two || span_ts.is_none()) {
            m.insert("shared".into(), true.into());
        }
    }
    // Other annotations and binary annotations go to the half whose endpoint reported them.
    let svc_of = |m: &Map<String, Value>| ep_service(m.get("localEndpoint")).map(str::to_string);
    let part_for =
        |ep: Option<&Value>, parts: &Vec<(Map<String, Value>, Option<&'static str>)>| -> usize {
            let svc = ep_service(ep);
            parts
                .iter()
                .position(|(m, _)| svc.is_some() && svc_of(m).as_deref() == svc)
                .unwrap_or(0)
        };
    let mut extra_anns: Vec<Vec<Value>> = vec![Vec::new(); parts.len()];
    let mut tags: Vec<Map<String, Value>> = vec![Map::new(); parts.len()];
    for a in anns {
        let v = json::str(a, "value").unwrap_or("");
        if matches!(v, "cs" | "cr" | "sr" | "ss" | "ms" | "mr") {
            continue;
        }
        let i = part_for(a.get("endpoint"), &parts);
        let mut o = Map::new();
        o.insert(
            "timestamp".into(),
            a.get("timestamp").cloned().unwrap_or(Value::Null),
        );
        o.insert("value".into(), v.into());
        extra_anns[i].push(Value::Object(o));
    }
    for ba in json::arr(s, "binaryAnnotations") {
        let Some(k) = json::str(ba, "key") else {
            continue;
        };
        let i = part_for(ba.get("endpoint"), &parts);
        if matches!(k, "ca" | "sa" | "ma") {
            if let Some(ep) = ba.get("endpoint") {
                parts[i].0.insert("remoteEndpoint".into(), ep.clone());
            }
            continue;
        }
        let val = match ba.get("value") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        tags[i].insert(k.to_string(), val.into());
    }
    parts
        .into_iter()
        .zip(extra_anns)
        .zip(tags)
        .map(|(((mut m, _), anns), tags)| {
            m.insert("annotations".into(), Value::Array(anns));
            m.insert("tags".into(), Value::Object(tags));
            Value::Object(m)
        })
        .collect()
}

fn role(s: &Value) -> &'static str {
    match json::str(s, "kind")
        .map(|k| k.to_ascii_uppercase())
        .as_deref()
    {
        Some("CLIENT") => "client",
        Some("SERVER") => "server",
        Some("PRODUCER") => "producer",
        Some("CONSUMER") => "consumer",
        _ if json::truthy(s.get("shared")) => "server",
        _ => "",
    }
}

/// Merges `b` into `a` (a fragment of the same span reported separately).
fn merge_into(a: &mut Value, b: &Value) {
    let (Some(am), Some(bm)) = (a.as_object_mut(), b.as_object()) else {
        return;
    };
    let a_start = am.get("timestamp").and_then(json::as_i64);
    let a_end = a_start
        .zip(am.get("duration").and_then(json::as_i64))
        .map(|(s, d)| s.saturating_add(d));
    let b_start = bm.get("timestamp").and_then(json::as_i64);
    let b_end = b_start
        .zip(bm.get("duration").and_then(json::as_i64))
        .map(|(s, d)| s.saturating_add(d));
    let start = match (a_start, b_start) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    let end = match (a_end, b_end) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    if let Some(s) = start {
        am.insert("timestamp".into(), s.into());
        if let Some(e) = end {
            am.insert("duration".into(), e.saturating_sub(s).into());
        }
    }
    for k in [
        "kind",
        "localEndpoint",
        "remoteEndpoint",
        "parentId",
        "name",
    ] {
        if !am.contains_key(k) {
            if let Some(v) = bm.get(k) {
                am.insert(k.into(), v.clone());
            }
        }
    }
    let mut anns = am
        .get("annotations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    anns.extend(json::arr(b, "annotations").iter().cloned());
    am.insert("annotations".into(), Value::Array(anns));
    let mut tags = am
        .get("tags")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(bt) = bm.get("tags").and_then(Value::as_object) {
        for (k, v) in bt {
            tags.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    am.insert("tags".into(), Value::Object(tags));
}

struct Entry {
    v: Value,
    trace: IdKey,
    key: IdKey,
}

/// Groups by (trace, id): fragments with no kind and no service, and entries
/// of the same role and service, merge; distinct roles stay apart.
fn merge_fragments(b: &mut Builder, spans: Vec<Value>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut by_id: FxHashMap<(IdKey, IdKey), Vec<usize>> = FxHashMap::default();
    let mut fragments: Vec<(usize, Value)> = Vec::new();
    for v in spans {
        let trace = ids::trace_key(&mut b.ds.strings, json::str(&v, "traceId").unwrap_or(""));
        let key = ids::span_key(
            &mut b.ds.strings,
            &json::id_text(v.get("id").unwrap_or(&Value::Null)).unwrap_or_default(),
        );
        let group = by_id.entry((trace, key)).or_default();
        let r = role(&v);
        let svc = ep_service(v.get("localEndpoint")).map(str::to_string);
        if r.is_empty() && svc.is_none() && !group.is_empty() {
            fragments.push((group[0], v));
            continue;
        }
        // Same role and service with the same (or no) start: one span reported in
        // pieces. Different starts are distinct calls (Kafka redeliveries) and stay rows.
        let start = json::i64(&v, "timestamp");
        if let Some(&same) = group.iter().find(|&&i| {
            let o = &out[i].v;
            let other_start = json::i64(o, "timestamp");
            role(o) == r
                && ep_service(o.get("localEndpoint")).map(str::to_string) == svc
                && (start.is_none() || other_start.is_none() || start == other_start)
        }) {
            merge_into(&mut out[same].v, &v);
            continue;
        }
        group.push(out.len());
        out.push(Entry { v, trace, key });
    }
    // A fragment joins the client half if the id has one, else the first entry.
    for (first, v) in fragments {
        let e = &out[first];
        let group = &by_id[&(e.trace, e.key)];
        let target = group
            .iter()
            .copied()
            .find(|&i| role(&out[i].v) == "client")
            .unwrap_or(first);
        merge_into(&mut out[target].v, &v);
    }
    out
}

fn emit(b: &mut Builder, entries: Vec<Entry>) {
    // Shared ids: which entry keeps the id, which become linked halves.
    let mut groups: FxHashMap<(IdKey, IdKey), Vec<usize>> = FxHashMap::default();
    for (i, e) in entries.iter().enumerate() {
        groups.entry((e.trace, e.key)).or_default().push(i);
    }
    let mut key_of: Vec<IdKey> = entries.iter().map(|e| e.key).collect();
    let mut parent_override: Vec<Option<IdKey>> = vec![None; entries.len()];
    let mut shared_link: Vec<Option<usize>> = vec![None; entries.len()];
    // Children of a shared id hang under its server half.
    let mut child_target: FxHashMap<(IdKey, IdKey), IdKey> = FxHashMap::default();
    for (&(trace, key), members) in groups.iter() {
        if members.len() < 2 {
            continue;
        }
        let primary = members
            .iter()
            .copied()
            .find(|&i| matches!(role(&entries[i].v), "client" | "producer"))
            .or_else(|| {
                members
                    .iter()
                    .copied()
                    .find(|&i| !json::truthy(entries[i].v.get("shared")))
            })
            .unwrap_or(members[0]);
        let id_text =
            json::id_text(entries[primary].v.get("id").unwrap_or(&Value::Null)).unwrap_or_default();
        for &m in members {
            if m == primary {
                continue;
            }
            let r = role(&entries[m].v);
            let synthetic = b.intern(&format!(
                "{id_text}~{}~{m}",
                if r.is_empty() { "half" } else { r }
            ));
            key_of[m] = IdKey::Text(synthetic);
            parent_override[m] = Some(key);
            shared_link[m] = Some(primary);
            if r == "server" || r == "consumer" {
                child_target.insert((trace, key), IdKey::Text(synthetic));
            }
        }
    }
    let mut has_shared_half = vec![false; entries.len()];
    for p in shared_link.iter().flatten() {
        has_shared_half[*p] = true;
    }
    for (i, e) in entries.iter().enumerate() {
        let s = &e.v;
        let trace_text = b.intern(json::str(s, "traceId").unwrap_or(""));
        let id_str = json::id_text(s.get("id").unwrap_or(&Value::Null)).unwrap_or_default();
        let id_text = b.intern(&id_str);
        let mut flags = 0u8;
        let parent = match parent_override[i] {
            Some(p) => {
                flags |= flags::SHARED;
                Some((p, id_text))
            }
            None => {
                let p = b.parent_id(s.get("parentId").and_then(json::id_text).as_deref());
                p.map(|(k, t)| (child_target.get(&(e.trace, k)).copied().unwrap_or(k), t))
            }
        };
        if has_shared_half[i] {
            flags |= flags::SHARED;
        }
        let service = match ep_service(s.get("localEndpoint")) {
            Some(n) => b.intern(n),
            None => b.unknown_service(),
        };
        let resource = b.service_resource(service);
        let mut status = StatusCode::Unset;
        let mut status_message = StrId(0);
        let am = b.mark();
        if let Some(tags) = s.get("tags").and_then(Value::as_object) {
            for (k, v) in tags {
                let text = match v {
                    Value::String(x) => x.clone(),
                    other => other.to_string(),
                };
                if k == "error" {
                    status = StatusCode::Error;
                    if !text.is_empty() && text != "true" {
                        status_message = b.intern(&text);
                    }
                }
                b.attr_str(k, &text);
            }
        }
        if let Some(r) = s.get("remoteEndpoint") {
            if let Some(n) = ep_service(Some(r)) {
                b.attr_str("peer.service", n);
            }
            for (k, attr) in [
                ("ipv4", "peer.ipv4"),
                ("ipv6", "peer.ipv6"),
                ("port", "peer.port"),
            ] {
                if let Some(v) = r.get(k) {
                    b.attr_json(attr, v);
                }
            }
        }
        if let Some(l) = s.get("localEndpoint") {
            for (k, attr) in [
                ("ipv4", "local.ipv4"),
                ("ipv6", "local.ipv6"),
                ("port", "local.port"),
            ] {
                if let Some(v) = l.get(k) {
                    b.attr_json(attr, v);
                }
            }
        }
        let attrs = b.since(am);
        let em = b.event_mark();
        for a in json::arr(s, "annotations") {
            let t = json::i64(a, "timestamp").unwrap_or(0).saturating_mul(1000);
            b.event(t, json::str(a, "value").unwrap_or(""), Range32::default());
        }
        let events = b.events_since(em);
        let lm = b.link_mark();
        if let Some(p) = shared_link[i] {
            let pid =
                json::id_text(entries[p].v.get("id").unwrap_or(&Value::Null)).unwrap_or_default();
            let tt = json::str(s, "traceId").unwrap_or("").to_string();
            b.link(&tt, &pid, LinkKind::SharedHalf, Range32::default());
        }
        let links = b.links_since(lm);
        let start = json::i64(s, "timestamp");
        let dur = json::i64(s, "duration");
        // Zipkin allows a span without timestamp: place it at its first annotation.
        let first_ann = b.ds.events(events).iter().map(|e| e.time_ns).min();
        let start_ns = match start {
            Some(t) => t.saturating_mul(1000),
            None => {
                flags |= flags::NO_START;
                first_ann.unwrap_or(0)
            }
        };
        if dur.is_none() {
            flags |= flags::NO_DURATION;
        }
        let kind = SpanKind::parse(json::str(s, "kind").unwrap_or(""));
        let name = b.intern(json::str(s, "name").unwrap_or(""));
        b.push(SpanIn {
            trace: e.trace,
            trace_text,
            key: key_of[i],
            id_text,
            parent,
            service,
            name,
            start_ns,
            duration_ns: dur.unwrap_or(0).saturating_mul(1000),
            kind,
            status,
            status_message,
            resource,
            attrs,
            events,
            links,
            flags,
        });
    }
}
