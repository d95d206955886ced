//! Chrome trace events (`{traceEvents:[…]}` or a bare array). `X` and `B`/`E`
//! slices nest by time on their thread; async `b`/`e` nest by id; legacy
//! async `S`/`F` are spans with `T` steps as events. Instants (`i`, `I`, `n`)
//! become events of the slice that encloses them, or zero-length spans where
//! none does. pid → service (its `process_name`), tid → `thread.name`.
//! Counters, samples, metadata and flow events are counted and skipped.

use super::builder::{json, Builder, SpanIn};
use super::DecodeError;
use crate::model::*;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::collections::BTreeMap;

pub fn events(v: &Value) -> Option<&[Value]> {
    match v {
        Value::Array(a) => Some(a),
        Value::Object(_) => v
            .get("traceEvents")
            .and_then(Value::as_array)
            .map(|a| a.as_slice()),
        _ => None,
    }
}

struct Slice<'v> {
    pid: String,
    tid: String,
    name: &'v str,
    cat: &'v str,
    start: i64,
    end: i64,
    open: bool,
    instant: bool,
    args: Option<&'v Value>,
    parent: Option<usize>,
    events: Vec<(i64, &'v str, Option<&'v Value>)>,
    phase: char,
}

fn ts_ns(e: &Value, key: &str) -> Option<i64> {
    json::f64(e, key).map(|us| (us * 1000.0).round() as i64)
}

fn async_id(e: &Value) -> String {
    if let Some(id) = e.get("id").and_then(json::id_text) {
        return id;
    }
    if let Some(id2) = e.get("id2") {
        for k in ["local", "global"] {
            if let Some(id) = id2.get(k).and_then(json::id_text) {
                return format!("{k}:{id}");
            }
        }
    }
    String::new()
}

pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    let evs = events(v).ok_or_else(|| DecodeError::shape("no `traceEvents` list"))?;
    let mut process_names: FxHashMap<String, &str> = FxHashMap::default();
    let mut thread_names: FxHashMap<(String, String), &str> = FxHashMap::default();
    let mut slices: Vec<Slice> = Vec::new();
    let mut open_b: FxHashMap<(String, String), Vec<usize>> = FxHashMap::default();
    // Open async slices per (pid, cat, id), innermost last, and the same per
    // name too, so an `e` finds its `b` without searching: a slice closed
    // through one stack stays in the other until it reaches the top.
    let mut open_async: FxHashMap<(String, String, String), Vec<usize>> = FxHashMap::default();
    let mut open_async_named: FxHashMap<(String, String, String, &str), Vec<usize>> =
        FxHashMap::default();
    fn innermost_open(stack: &mut Vec<usize>, slices: &[Slice]) -> Option<usize> {
        while let Some(&i) = stack.last() {
            if slices[i].open {
                return Some(i);
            }
            stack.pop();
        }
        None
    }
    let mut open_legacy: FxHashMap<(String, String, String), usize> = FxHashMap::default();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut max_ts = i64::MIN;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;

    for e in evs {
        let ph = json::str(e, "ph").unwrap_or("");
        let pid = e.get("pid").and_then(json::id_text).unwrap_or_default();
        let tid = e.get("tid").and_then(json::id_text).unwrap_or_default();
        let name = json::str(e, "name").unwrap_or("");
        let cat = json::str(e, "cat").unwrap_or("");
        let ts = ts_ns(e, "ts");
        if let Some(t) = ts {
            max_ts = max_ts.max(t);
            hash = (hash ^ t as u64).wrapping_mul(0x100_0000_01b3);
        }
        let args = e.get("args");
        let new_slice = |start: i64, end: i64, open: bool, instant: bool, phase: char| Slice {
            pid: pid.clone(),
            tid: tid.clone(),
            name,
            cat,
            start,
            end,
            open,
            instant,
            args,
            parent: None,
            events: Vec::new(),
            phase,
        };
        match (ph, ts) {
            ("M", _) => {
                let n = args.and_then(|a| json::str(a, "name"));
                match (name, n) {
                    ("process_name", Some(n)) => {
                        process_names.insert(pid.clone(), n);
                    }
                    ("thread_name", Some(n)) => {
                        thread_names.insert((pid.clone(), tid.clone()), n);
                    }
                    _ => {}
                }
            }
            ("X", Some(t)) => {
                let d = ts_ns(e, "dur").unwrap_or(0).max(0);
                max_ts = max_ts.max(t.saturating_add(d));
                slices.push(new_slice(t, t.saturating_add(d), false, false, 'X'));
            }
            ("B", Some(t)) => {
                slices.push(new_slice(t, t, true, false, 'B'));
                open_b
                    .entry((pid.clone(), tid.clone()))
                    .or_default()
                    .push(slices.len() - 1);
            }
            ("E", Some(t)) => match open_b
                .get_mut(&(pid.clone(), tid.clone()))
                .and_then(Vec::pop)
            {
                Some(i) => {
                    slices[i].end = t;
                    slices[i].open = false;
                }
                None => *skipped.entry("E without B".into()).or_default() += 1,
            },
            ("b", Some(t)) => {
                let key = (pid.clone(), cat.to_string(), async_id(e));
                let stack = open_async.entry(key.clone()).or_default();
                let mut s = new_slice(t, t, true, false, 'b');
                s.parent = innermost_open(stack, &slices);
                slices.push(s);
                stack.push(slices.len() - 1);
                open_async_named
                    .entry((key.0, key.1, key.2, name))
                    .or_default()
                    .push(slices.len() - 1);
            }
            ("e", Some(t)) => {
                let key = (pid.clone(), cat.to_string(), async_id(e));
                // The innermost open slice of that name (the format allows unnamed ends).
                let found = if name.is_empty() {
                    open_async
                        .get_mut(&key)
                        .and_then(|s| innermost_open(s, &slices))
                } else {
                    open_async_named
                        .get_mut(&(key.0, key.1, key.2, name))
                        .and_then(|s| innermost_open(s, &slices))
                };
                match found {
                    Some(i) => {
                        slices[i].end = t;
                        slices[i].open = false;
                    }
                    None => *skipped.entry("e without b".into()).or_default() += 1,
                }
            }
            ("n", Some(t)) => {
                let key = (pid.clone(), cat.to_string(), async_id(e));
                match open_async
                    .get_mut(&key)
                    .and_then(|s| innermost_open(s, &slices))
                {
                    Some(i) => slices[i].events.push((t, name, args)),
                    None => slices.push(new_slice(t, t, false, true, 'n')),
                }
            }
            ("S", Some(t)) => {
                slices.push(new_slice(t, t, true, false, 'S'));
                open_legacy.insert(
                    (cat.to_string(), name.to_string(), async_id(e)),
                    slices.len() - 1,
                );
            }
            ("T" | "p", Some(t)) => {
                if let Some(&i) = open_legacy.get(&(cat.to_string(), name.to_string(), async_id(e)))
                {
                    let step = args.and_then(|a| json::str(a, "step")).unwrap_or(name);
                    slices[i].events.push((t, step, args));
                }
            }
            ("F", Some(t)) => {
                match open_legacy.remove(&(cat.to_string(), name.to_string(), async_id(e))) {
                    Some(i) => {
                        slices[i].end = t;
                        slices[i].open = false;
                    }
                    None => *skipped.entry("F without S".into()).or_default() += 1,
                }
            }
            ("i" | "I", Some(t)) => slices.push(new_slice(t, t, false, true, 'i')),
            (other, _) => {
                let label = match other {
                    "C" => "counter (C)",
                    "P" => "sample (P)",
                    "s" | "t" | "f" => "flow (s/t/f)",
                    "N" | "O" | "D" => "object (N/O/D)",
                    "R" => "mark (R)",
                    "" => "without ph",
                    _ => "other",
                };
                *skipped.entry(label.to_string()).or_default() += 1;
            }
        }
    }
    if let Some(samples) = v.get("samples").and_then(Value::as_array) {
        if !samples.is_empty() {
            *skipped.entry("sample (samples list)".into()).or_default() += samples.len();
        }
    }
    let real = slices.iter().filter(|s| !s.instant).count();
    if slices.is_empty() {
        let what: Vec<String> = skipped.iter().map(|(k, n)| format!("{n} {k}")).collect();
        return Err(DecodeError::NotATrace(format!(
            "a Chrome trace-event file with {} events but no slices or instants to show ({}): a profile, not a trace",
            evs.len(),
            if what.is_empty() { "none".to_string() } else { what.join(", ") }
        )));
    }
    let unclosed = slices.iter().filter(|s| s.open).count();
    for s in slices.iter_mut().filter(|s| s.open) {
        s.end = max_ts.max(s.start);
    }

    // Thread slices (X, B/E, instants) nest by time on their thread.
    let mut by_thread: FxHashMap<(&str, &str), Vec<usize>> = FxHashMap::default();
    for (i, s) in slices.iter().enumerate() {
        if matches!(s.phase, 'X' | 'B' | 'i') {
            by_thread
                .entry((s.pid.as_str(), s.tid.as_str()))
                .or_default()
                .push(i);
        }
    }
    let mut parents: Vec<(usize, usize)> = Vec::new();
    for list in by_thread.values_mut() {
        crate::order::sort_by(list, |&a, &b| {
            let (x, y) = (&slices[a], &slices[b]);
            x.start
                .cmp(&y.start)
                .then(y.end.cmp(&x.end))
                .then(x.instant.cmp(&y.instant))
                .then(a.cmp(&b))
        });
        let mut stack: Vec<usize> = Vec::new();
        for &i in list.iter() {
            let s = &slices[i];
            while let Some(&top) = stack.last() {
                let t = &slices[top];
                if s.start >= t.start && s.end <= t.end {
                    break;
                }
                stack.pop();
            }
            if let Some(&top) = stack.last() {
                parents.push((i, top));
            }
            if !s.instant {
                stack.push(i);
            }
        }
    }
    for (i, p) in parents {
        slices[i].parent = Some(p);
    }
    // Instants with an enclosing slice become its events.
    let mut keep = vec![true; slices.len()];
    for i in 0..slices.len() {
        if slices[i].instant {
            if let Some(p) = slices[i].parent {
                let (t, n, a) = (slices[i].start, slices[i].name, slices[i].args);
                slices[p].events.push((t, n, a));
                keep[i] = false;
            }
        }
    }

    let trace_text = format!("{:016x}", hash);
    let (trace, trace_text_id) = b.trace_id(&trace_text);
    if unclosed > 0 {
        b.warnings.push(format!(
            "{unclosed} slice{} never closed; drawn to the end of the trace",
            if unclosed == 1 { " was" } else { "s were" }
        ));
    }
    if !skipped.is_empty() {
        let what: Vec<String> = skipped.iter().map(|(k, n)| format!("{n} {k}")).collect();
        b.warnings
            .push(format!("events not shown: {}", what.join(", ")));
    }
    let _ = real;
    let mut resources: FxHashMap<String, u32> = FxHashMap::default();
    let display_unit = json::str(v, "displayTimeUnit").map(str::to_string);
    for (i, s) in slices.iter_mut().enumerate() {
        if !keep[i] {
            continue;
        }
        let resource = match resources.get(&s.pid) {
            Some(&r) => r,
            None => {
                let svc_name = match process_names.get(&s.pid) {
                    Some(n) => n.to_string(),
                    None => format!("pid {}", s.pid),
                };
                let svc = b.intern(&svc_name);
                let m = b.mark();
                b.attr_str("process.pid", &s.pid);
                if let Some(u) = &display_unit {
                    b.attr_str("chrome.display_time_unit", u);
                }
                let a = b.since(m);
                let r = b.resource(svc, a);
                resources.insert(s.pid.clone(), r);
                r
            }
        };
        let service = b.ds.resources[resource as usize].service;
        let am = b.mark();
        if !s.tid.is_empty() {
            b.attr_str("thread.id", &s.tid);
        }
        if let Some(n) = thread_names.get(&(s.pid.clone(), s.tid.clone())) {
            b.attr_str("thread.name", n);
        }
        if !s.cat.is_empty() {
            b.attr_str("category", s.cat);
        }
        b.attr_str("chrome.phase", &s.phase.to_string());
        if let Some(a) = s
            .args
            .filter(|a| a.as_object().is_some_and(|o| !o.is_empty()))
        {
            b.attr_json("args", a);
        }
        let attrs = b.since(am);
        crate::order::sort_by_key(&mut s.events, |e| e.0);
        let em = b.event_mark();
        for &(t, n, a) in &s.events {
            let m = b.mark();
            if let Some(a) = a.filter(|a| a.as_object().is_some_and(|o| !o.is_empty())) {
                b.attr_json("args", a);
            }
            let ea = b.since(m);
            b.event(t, n, ea);
        }
        let events = b.events_since(em);
        let id = format!("{:x}", i + 1);
        let id_text = b.intern(&id);
        let parent = match s.parent {
            Some(p) => {
                let pt = b.intern(&format!("{:x}", p + 1));
                Some((IdKey::num(p as u128 + 1), pt))
            }
            None => None,
        };
        let name = b.intern(s.name);
        b.push(SpanIn {
            trace,
            trace_text: trace_text_id,
            key: IdKey::num(i as u128 + 1),
            id_text,
            parent,
            service,
            name,
            start_ns: s.start,
            duration_ns: s.end.saturating_sub(s.start),
            kind: SpanKind::Internal,
            status: StatusCode::Unset,
            status_message: StrId(0),
            resource,
            attrs,
            events,
            links: Range32::default(),
            flags: if s.open { flags::NO_DURATION } else { 0 },
        });
    }
    Ok(())
}
