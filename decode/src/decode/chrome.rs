//! Chrome trace events (`{traceEvents:[…]}` or a bare array). `X` and `B`/`E`
//! slices nest by time on their thread; async `b`/`e` nest by id; legacy
//! async `S`/`F` are spans with `T` steps as events. Instants (`i`, `I`, `n`)
//! become events of the slice that encloses them, or zero-length spans where
//! none does. pid → service (its `process_name`), tid → `thread.name`.
//! Counters, samples, metadata and flow events are counted and skipped.
//!
//! A file is read an event at a time ([`decode_stream`]: each event into
//! typed fields borrowing from the file, texts interned, `args` flattened
//! into attributes as they are read); what it cannot read that way (not
//! JSON, a repeated `traceEvents`) goes to the general path, whose tree of
//! the whole file ([`decode`]) is written as text and read the same way.

use super::borrowed::{self, Any, Str};
use super::builder::{self, json, Builder, SpanIn};
use super::pull::{fields, Bad, Pull, Read};
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

/// A slice (or instant) as read. Its texts are interned and its `args`
/// flattened as they are read, so no event's JSON tree is held: a file's
/// events as trees were ~20× the file.
struct Slice {
    pid: StrId,
    tid: StrId,
    name: StrId,
    cat: StrId,
    start: i64,
    end: i64,
    open: bool,
    instant: bool,
    args: Args,
    parent: Option<u32>,
    /// Boxed: most slices have none (8 bytes each, a `Vec` 24).
    #[allow(clippy::box_collection)]
    events: Option<Box<Vec<SliceEvent>>>,
    phase: u8,
}

/// An event of a slice: its time, name and `args`.
type SliceEvent = (i64, StrId, Args);

/// An event's `args` (an object) as attributes, where they are in
/// [`Events::args_attrs`].
type Args = Range32;

/// What an async slice's begin and end share: (pid, cat, id); or a legacy
/// one's: (cat, name, id).
type AsyncKey = (StrId, StrId, String);

/// What the open slices are found by, each kind a stack of them, innermost
/// last: `B` by its thread (pid, tid); async `b` by (pid, cat, id), and the
/// same with the name too, so an `e` finds its `b` without searching (a
/// slice closed through one stays in the other until it reaches the top);
/// a legacy `S` by (cat, name, id), the last begun alone. One map of them
/// all (and of the slices of each thread, when they are nested): one
/// compiled map.
#[derive(PartialEq, Eq, Hash)]
enum Open {
    Thread(StrId, StrId),
    Async(AsyncKey),
    AsyncNamed(AsyncKey, StrId),
    Legacy(AsyncKey),
}

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
}
// `args` is read apart (see `read_file`).
fields!(EventIn { "ph" => ph, "name" => name, "cat" => cat, "pid" => pid, "tid" => tid, "ts" => ts, "dur" => dur, "id" => id, "id2" => id2 });

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

/// A pid's or tid's text, interned (numbers, the usual, written without
/// an allocation).
fn id_text(b: &mut Builder, id: &Any) -> StrId {
    match id {
        Any::I64(n) => b.intern(itoa::Buffer::new().format(*n)),
        _ => b.intern(&id.id_text().unwrap_or_default()),
    }
}

/// A text in `args` (a metadata event's `name`, a legacy step's `step`:
/// rare, so read as a JSON tree).
fn args_str(args: &[u8], key: &str) -> Option<String> {
    let v: Value = serde_json::from_slice(args).ok()?;
    json::str(&v, key).map(str::to_string)
}

/// An event's `args` read from `r` into `attrs`.
fn read_args(b: &mut Builder, r: &mut Pull, attrs: &mut Vec<Attr>) -> Read<Args> {
    let start = attrs.len();
    b.flatten_json("args", r, attrs)?;
    Ok(Range32::new(start as u32, attrs.len() as u32))
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

impl Slice {
    fn add_event(&mut self, e: SliceEvent) {
        self.events.get_or_insert_default().push(e);
    }
}

/// What the events read so far make, one event at a time.
#[derive(Default)]
struct Events {
    count: usize,
    process_names: FxHashMap<StrId, StrId>,
    thread_names: FxHashMap<(StrId, StrId), StrId>,
    slices: Vec<Slice>,
    open: FxHashMap<Open, Vec<usize>>,
    skipped: BTreeMap<&'static str, usize>,
    max_ts: i64,
    hash: u64,
    display_unit: Option<String>,
    /// The attributes of the `args` kept ([`Args`]), in the order read.
    args_attrs: Vec<Attr>,
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

    /// Reads one event whose `args` were read as `args` (their JSON text
    /// `args_text`). Whether its span or event keeps them.
    fn read(&mut self, b: &mut Builder, e: &EventIn, args: Args, args_text: &[u8]) -> bool {
        self.count += 1;
        let ph = e.ph.get().unwrap_or("");
        let (pid, tid) = (id_text(b, &e.pid), id_text(b, &e.tid));
        let name_text = e.name.get().unwrap_or("");
        let name = b.intern(name_text);
        let cat = b.intern(e.cat.get().unwrap_or(""));
        let ts = ns(&e.ts);
        if let Some(t) = ts {
            self.max_ts = self.max_ts.max(t);
            self.hash = (self.hash ^ t as u64).wrapping_mul(0x100_0000_01b3);
        }
        let slices = &mut self.slices;
        let new_slice = |start: i64, end: i64, open: bool, instant: bool, phase: u8| Slice {
            pid,
            tid,
            name,
            cat,
            start,
            end,
            open,
            instant,
            args,
            parent: None,
            events: None,
            phase,
        };
        let mut kept = ts.is_some() && matches!(ph, "X" | "B" | "b" | "n" | "S" | "i" | "I");
        match (ph, ts) {
            ("M", _) => match (name_text, args_str(args_text, "name")) {
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
                slices.push(new_slice(t, t.saturating_add(d), false, false, b'X'));
            }
            ("B", Some(t)) => {
                slices.push(new_slice(t, t, true, false, b'B'));
                self.open
                    .entry(Open::Thread(pid, tid))
                    .or_default()
                    .push(slices.len() - 1);
            }
            ("E", Some(t)) => match self
                .open
                .get_mut(&Open::Thread(pid, tid))
                .and_then(Vec::pop)
            {
                Some(i) => {
                    slices[i].end = t;
                    slices[i].open = false;
                }
                None => self.skip("E without B", 1),
            },
            ("b", Some(t)) => {
                let key = (pid, cat, async_id(e));
                let stack = self.open.entry(Open::Async(key.clone())).or_default();
                let mut s = new_slice(t, t, true, false, b'b');
                s.parent = innermost_open(stack, slices).map(|p| p as u32);
                slices.push(s);
                stack.push(slices.len() - 1);
                self.open
                    .entry(Open::AsyncNamed(key, name))
                    .or_default()
                    .push(slices.len() - 1);
            }
            ("e", Some(t)) => {
                let key = (pid, cat, async_id(e));
                // The innermost open slice of that name (the format allows unnamed ends).
                let open = if name_text.is_empty() {
                    Open::Async(key)
                } else {
                    Open::AsyncNamed(key, name)
                };
                let found = self
                    .open
                    .get_mut(&open)
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
                let key = Open::Async((pid, cat, async_id(e)));
                match self
                    .open
                    .get_mut(&key)
                    .and_then(|s| innermost_open(s, slices))
                {
                    Some(i) => slices[i].add_event((t, name, args)),
                    None => slices.push(new_slice(t, t, false, true, b'n')),
                }
            }
            ("S", Some(t)) => {
                slices.push(new_slice(t, t, true, false, b'S'));
                let last = self.open.entry(Open::Legacy((cat, name, async_id(e))));
                let last = last.or_default();
                last.clear();
                last.push(slices.len() - 1);
            }
            ("T" | "p", Some(t)) => {
                let legacy = self.open.get(&Open::Legacy((cat, name, async_id(e))));
                if let Some(&i) = legacy.and_then(|l| l.last()) {
                    let step = match args_str(args_text, "step") {
                        Some(step) => b.intern(&step),
                        None => name,
                    };
                    slices[i].add_event((t, step, args));
                    kept = true;
                }
            }
            ("F", Some(t)) => match self
                .open
                .remove(&Open::Legacy((cat, name, async_id(e))))
                .and_then(|l| l.last().copied())
            {
                Some(i) => {
                    slices[i].end = t;
                    slices[i].open = false;
                }
                None => self.skip("F without S", 1),
            },
            ("i" | "I", Some(t)) => slices.push(new_slice(t, t, false, true, b'i')),
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
        kept
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
fn read_file<'a>(
    b: &mut Builder,
    bytes: &'a [u8],
    sniffing: bool,
) -> Option<Result<(), DecodeError>> {
    let mut ev = Events::new();
    let mut r = Pull::new(bytes);
    let mut each_event = |r: &mut Pull<'a>, ev: &mut Events, bare: bool| {
        r.each_item(|r| {
            let start = ev.args_attrs.len();
            let (mut args, mut args_text) = (Args::default(), &b""[..]);
            let e = borrowed::obj_with(r, |k, _: &mut EventIn, r| {
                if k != "args" {
                    return Ok(false);
                }
                // A repeated `args`: the last counts.
                ev.args_attrs.truncate(start);
                let at = r.here();
                args = read_args(b, r, &mut ev.args_attrs)?;
                args_text = r.taken_since(at);
                Ok(true)
            })?;
            let e = e.unwrap_or_default();
            if sniffing && bare && ev.count == 0 && e.ph.0.is_none() {
                return Err(Bad);
            }
            if !ev.read(b, &e, args, args_text) {
                ev.args_attrs.truncate(start);
            }
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
        open,
        args_attrs,
    } = ev;
    // What matched ends to begins is let go, and the slices take only
    // their room, before the spans are made beside them.
    drop(open);
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
    let mut by_thread: FxHashMap<Open, Vec<usize>> = FxHashMap::default();
    for (i, s) in slices.iter().enumerate() {
        if matches!(s.phase, b'X' | b'B' | b'i') {
            by_thread
                .entry(Open::Thread(s.pid, s.tid))
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
        slices[i].parent = Some(p as u32);
    }
    // Instants with an enclosing slice become its events.
    let mut keep = vec![true; slices.len()];
    for i in 0..slices.len() {
        if slices[i].instant {
            if let Some(p) = slices[i].parent {
                let (t, n, a) = (slices[i].start, slices[i].name, slices[i].args);
                slices[p as usize].add_event((t, n, a));
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
    let [thread_id, thread_name, category, phase] =
        ["thread.id", "thread.name", "category", "chrome.phase"].map(|k| b.intern(k));
    let total = keep.iter().filter(|&&k| k).count();
    b.expect_from_here();
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
            b.attr_key(thread_id, AttrValue::Str(s.tid));
        }
        if let Some(&n) = thread_names.get(&(s.pid, s.tid)) {
            b.attr_key(thread_name, AttrValue::Str(n));
        }
        if !b.ds.str(s.cat).is_empty() {
            b.attr_key(category, AttrValue::Str(s.cat));
        }
        let phase_text = b.intern(char::from(s.phase).encode_utf8(&mut [0; 4]));
        b.attr_key(phase, AttrValue::Str(phase_text));
        args_attr(b, &args_attrs, s.args);
        let attrs = b.since(am);
        let mut events = s.events.take().map(|e| *e).unwrap_or_default();
        crate::order::sort_by_key(&mut events, |e| e.0);
        let em = b.event_mark();
        for &(t, n, a) in &events {
            let m = b.mark();
            args_attr(b, &args_attrs, a);
            let ea = b.since(m);
            b.event_named(t, n, ea);
        }
        let events = b.events_since(em);
        let (key, id_text) = slice_id(i);
        let parent = s.parent.map(|p| slice_id(p as usize));
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

/// A slice's id: its place in the file (from 1), as the 16 hex digits
/// `Builder::span_id` would read (made again when shown, not stored as text).
fn slice_id(i: usize) -> (IdKey, StrId) {
    (IdKey::num(i as u128 + 1), StrId::HEX_ID)
}

/// An event's `args` as attributes (`args.…`) of its span or event.
fn args_attr(b: &mut Builder, attrs: &[Attr], args: Args) {
    let (start, end) = (args.start as usize, args.end as usize);
    b.ds.attrs.extend_from_slice(&attrs[start..end]);
}
