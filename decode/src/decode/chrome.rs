//! Chrome trace events (`{traceEvents:[…]}` or a bare array). `X` and `B`/`E`
//! slices nest by time on their thread; async `b`/`e` nest by id; legacy
//! async `S`/`F` are spans with `T` steps as events. Instants (`i`, `I`, `n`)
//! become events of the slice that encloses them, or zero-length spans where
//! none does. pid → service (its `process_name`), tid → `thread.name`.
//! Counters, samples, metadata and flow events are counted and skipped.
//!
//! A file is read an event at a time ([`decode_stream`]: each event into
//! typed fields borrowing from the file, texts interned, `args` kept as
//! their JSON text); what it cannot read that way (not JSON, a repeated
//! `traceEvents`) goes to the general path, whose tree of the whole file
//! ([`decode`]) is written as text and read the same way.

use super::borrowed::{self, Any, Obj, Raw, Str};
use super::builder::{self, json, Builder, SpanIn};
use super::pull::{fields, Bad, FromJson, Pull};
use super::DecodeError;
use crate::model::*;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::borrow::Cow;
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

/// A slice (or instant) as read. Its texts are interned as they are read,
/// and its `args` kept as JSON text, so no event's JSON tree is held: a
/// file's events as trees were ~20× the file.
struct Slice {
    pid: StrId,
    tid: StrId,
    name: StrId,
    cat: StrId,
    start: i64,
    end: i64,
    open: bool,
    instant: bool,
    args: ArgsText,
    parent: Option<usize>,
    events: Vec<(i64, StrId, ArgsText)>,
    phase: char,
}

/// An event's `args` as JSON text (read again when its span is written).
type ArgsText = Option<Box<[u8]>>;

/// What an async slice's begin and end share: (pid, cat, id).
type AsyncKey = (StrId, StrId, String);

/// A trace event, read field by field and borrowing from the file.
#[derive(Default)]
struct EventIn<'a> {
    ph: Str<'a>,
    name: Str<'a>,
    cat: Str<'a>,
    pid: Any<'a>,
    tid: Any<'a>,
    ts: Any<'a>,
    dur: Any<'a>,
    id: Any<'a>,
    /// `{"local": …}` or `{"global": …}`, rare: read as a JSON tree.
    id2: Any<'a>,
    args: Raw<'a>,
}
fields!(EventIn { "ph" => ph, "name" => name, "cat" => cat, "pid" => pid, "tid" => tid, "ts" => ts, "dur" => dur, "id" => id, "id2" => id2, "args" => args });

/// Microseconds (a number, or a string of one) as nanoseconds.
fn ns(us: &Any) -> Option<i64> {
    us.as_f64().map(|us| (us * 1000.0).round() as i64)
}

fn async_id(e: &EventIn) -> String {
    if let Some(id) = e.id.id_text() {
        return id.into_owned();
    }
    if let Any::Json(id2) = &e.id2 {
        for k in ["local", "global"] {
            if let Some(id) = id2.get(k).and_then(json::id_text) {
                return format!("{k}:{id}");
            }
        }
    }
    String::new()
}

/// An event's `args` as JSON text, when it is an object holding anything.
fn args_text(args: &Raw) -> ArgsText {
    let text = args.0?;
    let inner = text.strip_prefix(b"{")?;
    inner
        .iter()
        .any(|c| !c.is_ascii_whitespace() && *c != b'}')
        .then(|| text.into())
}

/// A text in `args` (a metadata event's `name`, a legacy step's `step`:
/// rare, so read as a JSON tree).
fn args_str(args: &Raw, key: &str) -> Option<String> {
    let v: Value = serde_json::from_slice(args.0?).ok()?;
    json::str(&v, key).map(str::to_string)
}

/// The innermost slice of `stack` still open (closed ones above it are let go).
fn innermost_open(stack: &mut Vec<usize>, slices: &[Slice]) -> Option<usize> {
    while let Some(&i) = stack.last() {
        if slices[i].open {
            return Some(i);
        }
        stack.pop();
    }
    None
}

/// What the events read so far make, one event at a time.
#[derive(Default)]
struct Events {
    count: usize,
    process_names: FxHashMap<StrId, StrId>,
    thread_names: FxHashMap<(StrId, StrId), StrId>,
    slices: Vec<Slice>,
    open_b: FxHashMap<(StrId, StrId), Vec<usize>>,
    // Open async slices per (pid, cat, id), innermost last, and the same per
    // name too, so an `e` finds its `b` without searching: a slice closed
    // through one stack stays in the other until it reaches the top.
    open_async: FxHashMap<AsyncKey, Vec<usize>>,
    open_async_named: FxHashMap<(AsyncKey, StrId), Vec<usize>>,
    open_legacy: FxHashMap<(StrId, StrId, String), usize>,
    skipped: BTreeMap<&'static str, usize>,
    max_ts: i64,
    hash: u64,
    display_unit: Option<String>,
}

impl Events {
    fn new() -> Self {
        Events {
            max_ts: i64::MIN,
            hash: 0xcbf2_9ce4_8422_2325,
            ..Events::default()
        }
    }

    fn skip(&mut self, what: &'static str, n: usize) {
        *self.skipped.entry(what).or_default() += n;
    }

    fn skip_samples(&mut self, n: usize) {
        if n > 0 {
            self.skip("sample (samples list)", n);
        }
    }

    fn read(&mut self, b: &mut Builder, e: &EventIn) {
        self.count += 1;
        let ph = e.ph.get().unwrap_or("");
        let text = |b: &mut Builder, id: &Any| b.intern(&id.id_text().unwrap_or_default());
        let (pid, tid) = (text(b, &e.pid), text(b, &e.tid));
        let name_text = e.name.get().unwrap_or("");
        let name = b.intern(name_text);
        let cat = b.intern(e.cat.get().unwrap_or(""));
        let ts = ns(&e.ts);
        if let Some(t) = ts {
            self.max_ts = self.max_ts.max(t);
            self.hash = (self.hash ^ t as u64).wrapping_mul(0x100_0000_01b3);
        }
        let args = &e.args;
        let slices = &mut self.slices;
        let new_slice = |start: i64, end: i64, open: bool, instant: bool, phase: char| Slice {
            pid,
            tid,
            name,
            cat,
            start,
            end,
            open,
            instant,
            args: args_text(args),
            parent: None,
            events: Vec::new(),
            phase,
        };
        match (ph, ts) {
            ("M", _) => match (name_text, args_str(args, "name")) {
                ("process_name", Some(n)) => {
                    self.process_names.insert(pid, b.intern(&n));
                }
                ("thread_name", Some(n)) => {
                    self.thread_names.insert((pid, tid), b.intern(&n));
                }
                _ => {}
            },
            ("X", Some(t)) => {
                let d = ns(&e.dur).unwrap_or(0).max(0);
                self.max_ts = self.max_ts.max(t.saturating_add(d));
                slices.push(new_slice(t, t.saturating_add(d), false, false, 'X'));
            }
            ("B", Some(t)) => {
                slices.push(new_slice(t, t, true, false, 'B'));
                self.open_b
                    .entry((pid, tid))
                    .or_default()
                    .push(slices.len() - 1);
            }
            ("E", Some(t)) => match self.open_b.get_mut(&(pid, tid)).and_then(Vec::pop) {
                Some(i) => {
                    slices[i].end = t;
                    slices[i].open = false;
                }
                None => self.skip("E without B", 1),
            },
            ("b", Some(t)) => {
                let key = (pid, cat, async_id(e));
                let stack = self.open_async.entry(key.clone()).or_default();
                let mut s = new_slice(t, t, true, false, 'b');
                s.parent = innermost_open(stack, slices);
                slices.push(s);
                stack.push(slices.len() - 1);
                self.open_async_named
                    .entry((key, name))
                    .or_default()
                    .push(slices.len() - 1);
            }
            ("e", Some(t)) => {
                let key = (pid, cat, async_id(e));
                // The innermost open slice of that name (the format allows unnamed ends).
                let found = if name_text.is_empty() {
                    self.open_async.get_mut(&key)
                } else {
                    self.open_async_named.get_mut(&(key, name))
                }
                .and_then(|s| innermost_open(s, slices));
                match found {
                    Some(i) => {
                        slices[i].end = t;
                        slices[i].open = false;
                    }
                    None => self.skip("e without b", 1),
                }
            }
            ("n", Some(t)) => {
                let key = (pid, cat, async_id(e));
                match self
                    .open_async
                    .get_mut(&key)
                    .and_then(|s| innermost_open(s, slices))
                {
                    Some(i) => slices[i].events.push((t, name, args_text(args))),
                    None => slices.push(new_slice(t, t, false, true, 'n')),
                }
            }
            ("S", Some(t)) => {
                slices.push(new_slice(t, t, true, false, 'S'));
                self.open_legacy
                    .insert((cat, name, async_id(e)), slices.len() - 1);
            }
            ("T" | "p", Some(t)) => {
                if let Some(&i) = self.open_legacy.get(&(cat, name, async_id(e))) {
                    let step = match args_str(args, "step") {
                        Some(step) => b.intern(&step),
                        None => name,
                    };
                    slices[i].events.push((t, step, args_text(args)));
                }
            }
            ("F", Some(t)) => match self.open_legacy.remove(&(cat, name, async_id(e))) {
                Some(i) => {
                    slices[i].end = t;
                    slices[i].open = false;
                }
                None => self.skip("F without S", 1),
            },
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
                self.skip(label, 1);
            }
        }
    }
}

/// A file of trace events read one event at a time, nothing of an event
/// kept but its slice. None when the bytes are not such a file (or not
/// JSON): what was added is undone and the file read the general way.
pub fn decode_stream(b: &mut Builder, bytes: &[u8]) -> Option<Result<(), DecodeError>> {
    read_file(b, bytes, true)
}

/// A file the event reader did not take (JSON it could not read in one
/// pass, a BOM), found to be Chrome's by `detect`: its tree written again
/// as text and read the same way.
pub fn decode(b: &mut Builder, v: &Value) -> Result<(), DecodeError> {
    read_file(b, &borrowed::text_of(v), false)
        .unwrap_or_else(|| Err(DecodeError::shape("no `traceEvents` list of events")))
}

/// The events of `bytes` read into slices, then spans. `sniffing`: no
/// format is known yet, so a bare list that is empty or does not begin
/// with an event is left to the others.
fn read_file(b: &mut Builder, bytes: &[u8], sniffing: bool) -> Option<Result<(), DecodeError>> {
    let mut ev = Events::new();
    let mut r = Pull::new(bytes);
    let mut each_event = |r: &mut Pull, ev: &mut Events, bare: bool| {
        r.each_item(|r| {
            let e: Obj<EventIn> = FromJson::from_json(r)?;
            let e = e.0.unwrap_or_default();
            if sniffing && bare && ev.count == 0 && e.ph.0.is_none() {
                return Err(Bad);
            }
            ev.read(b, &e);
            Ok(())
        })
    };
    let read = match r.peek() {
        b'[' => {
            let read = each_event(&mut r, &mut ev, true);
            // An empty list is no file of events.
            if sniffing && ev.count == 0 {
                return None;
            }
            read
        }
        _ => {
            let mut lists = 0;
            let mut samples = 0;
            let read = r.each_key(|k, r| match &*k {
                "traceEvents" => {
                    lists += 1;
                    each_event(r, &mut ev, false)
                }
                "displayTimeUnit" => {
                    ev.display_unit = r.string()?.map(Cow::into_owned);
                    Ok(())
                }
                // The last list counts, as for any repeated key.
                "samples" => {
                    samples = 0;
                    r.each_item(|r| {
                        samples += 1;
                        r.skip()
                    })
                }
                _ => r.skip(),
            });
            // A repeated list (the last one counts) is left to the general path.
            if lists != 1 {
                return None;
            }
            ev.skip_samples(samples);
            read
        }
    };
    read.and_then(|()| r.end()).ok()?;
    Some(finish(b, ev))
}

/// The slices read nested and written as spans.
fn finish(b: &mut Builder, ev: Events) -> Result<(), DecodeError> {
    let Events {
        count,
        process_names,
        thread_names,
        mut slices,
        skipped,
        max_ts,
        hash,
        display_unit,
        open_b,
        open_async,
        open_async_named,
        open_legacy,
    } = ev;
    // What matched ends to begins is let go, and the slices take only
    // their room, before the spans are made beside them.
    drop((open_b, open_async, open_async_named, open_legacy));
    slices.shrink_to_fit();
    let not_shown: Vec<String> = skipped.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let not_shown = not_shown.join(", ");
    if slices.is_empty() {
        return Err(DecodeError::NotATrace(format!(
            "a Chrome trace-event file with {} events but no slices or instants to show ({}): a profile, not a trace",
            count,
            if not_shown.is_empty() { "none" } else { &not_shown }
        )));
    }
    let unclosed = slices.iter().filter(|s| s.open).count();
    for s in slices.iter_mut().filter(|s| s.open) {
        s.end = max_ts.max(s.start);
    }

    // Thread slices (X, B/E, instants) nest by time on their thread.
    let mut by_thread: FxHashMap<(StrId, StrId), Vec<usize>> = FxHashMap::default();
    for (i, s) in slices.iter().enumerate() {
        if matches!(s.phase, 'X' | 'B' | 'i') {
            by_thread.entry((s.pid, s.tid)).or_default().push(i);
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
                let (t, n, a) = (slices[i].start, slices[i].name, slices[i].args.take());
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
    if !not_shown.is_empty() {
        b.warnings.push(format!("events not shown: {not_shown}"));
    }
    let mut resources: FxHashMap<StrId, u32> = FxHashMap::default();
    let total = keep.iter().filter(|&&k| k).count();
    let mut pushed = 0;
    for (i, s) in slices.iter_mut().enumerate() {
        if !keep[i] {
            continue;
        }
        if pushed == builder::EXPECT_AFTER {
            b.expect_spans(total);
        }
        pushed += 1;
        let resource = match resources.get(&s.pid) {
            Some(&r) => r,
            None => {
                let svc = match process_names.get(&s.pid) {
                    Some(&n) => n,
                    None => b.intern(&format!("pid {}", b.ds.str(s.pid))),
                };
                let m = b.mark();
                b.attr("process.pid", AttrValue::Str(s.pid));
                if let Some(u) = &display_unit {
                    b.attr_str("chrome.display_time_unit", u);
                }
                let a = b.since(m);
                let r = b.resource(svc, a);
                resources.insert(s.pid, r);
                r
            }
        };
        let service = b.ds.resources[resource as usize].service;
        let am = b.mark();
        if !b.ds.str(s.tid).is_empty() {
            b.attr("thread.id", AttrValue::Str(s.tid));
        }
        if let Some(&n) = thread_names.get(&(s.pid, s.tid)) {
            b.attr("thread.name", AttrValue::Str(n));
        }
        if !b.ds.str(s.cat).is_empty() {
            b.attr("category", AttrValue::Str(s.cat));
        }
        b.attr_str("chrome.phase", &s.phase.to_string());
        args_attr(b, &s.args.take());
        let attrs = b.since(am);
        let mut events = std::mem::take(&mut s.events);
        crate::order::sort_by_key(&mut events, |e| e.0);
        let em = b.event_mark();
        for (t, n, a) in &events {
            let m = b.mark();
            args_attr(b, a);
            let ea = b.since(m);
            b.event_named(*t, *n, ea);
        }
        let events = b.events_since(em);
        // A slice's id is its place in the file, written as 16 hex digits
        // (made again when shown, not stored as text).
        let (key, id_text) = b.span_id(&format!("{:016x}", i + 1));
        let parent = s.parent.map(|p| b.span_id(&format!("{:016x}", p + 1)));
        let name = s.name;
        b.push(SpanIn {
            trace,
            trace_text: trace_text_id,
            key,
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

/// An event's `args`, kept as JSON text, as the attribute `args`.
fn args_attr(b: &mut Builder, args: &ArgsText) {
    if let Some(text) = args {
        let v: Value = serde_json::from_slice(text).unwrap_or_default();
        b.attr_json("args", &v);
    }
}
