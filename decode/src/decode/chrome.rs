//! Chrome trace events (`{traceEvents:[…]}` or a bare array). `X` and `B`/`E`
//! slices nest by time on their thread; async `b`/`e` nest by id; legacy
//! async `S`/`F` are spans with `T` steps as events. Instants (`i`, `I`, `n`)
//! become events of the slice that encloses them, or zero-length spans where
//! none does. pid → service (its `process_name`), tid → `thread.name`.
//! Counters, samples, metadata and flow events are counted and skipped.
//!
//! A file is read an event at a time ([`decode_stream`]: each event into
//! typed fields borrowing from the file, texts interned, `args` flattened
//! into attributes as they are read, then a [`TraceEvent`] matched at once);
//! what it cannot read that way (not JSON, a repeated `traceEvents`) goes to
//! the general path, whose tree of the whole file ([`decode`]) is written
//! as text and read the same way. A large `{"traceEvents": …}` is read in
//! parts on several cores ([`decode_part`]): a part keeps its events as
//! read ([`PartEvents`]), since a `B` and its `E`, a `b` and its `e`, an
//! instant and its slice may be in different parts, and the merge matches
//! them all in the file's order ([`Events::take`]) and nests them once.

use super::borrowed::{self, Any, Str};
use super::builder::{self, json, Builder, SpanIn};
use super::parts::Seam;
use super::pull::{fields, Bad, Pull, Read};
use super::stream::{self, Stream};
use super::DecodeError;
use crate::model::*;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::borrow::Cow;

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
    /// The slice below it in each stack of open slices it is in (its
    /// thread's, or its async id's; and its async id and name's), or
    /// [`NONE`]: a stack is its innermost slice ([`Events::keyed`]) and
    /// these links, so a stack allocates nothing.
    below: [u32; 2],
    /// Boxed: most slices have none (8 bytes each, a `Vec` 24).
    #[allow(clippy::box_collection)]
    events: Option<Box<Vec<SliceEvent>>>,
    phase: u8,
}

/// No slice (the end of a stack).
const NONE: u32 = u32::MAX;

/// An event of a slice: its time, name and `args`.
type SliceEvent = (i64, StrId, Args);

/// An event's `args` (an object) as attributes, where they are in
/// [`Events::args_attrs`].
type Args = Range32;

/// What an async slice's begin and end share: (pid, cat, id); or a legacy
/// one's: (cat, name, id).
type AsyncKey = (StrId, StrId, StrId);

/// A trace event as read, its texts interned and its `args` flattened:
/// what is matched and nested, as it is read or, for a file read in parts,
/// once the parts are merged. Plain numbers (56 bytes, no padding): a
/// part's events are handed from a helper worker as their bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C)]
pub struct TraceEvent {
    /// `ts` in nanoseconds (when [`TraceEvent::HAS_TS`]).
    pub ts: i64,
    /// `dur` in nanoseconds (0 when it has none).
    pub dur: i64,
    pub pid: StrId,
    pub tid: StrId,
    pub name: StrId,
    pub cat: StrId,
    /// An async or legacy slice's id (of a phase that has one).
    pub id: StrId,
    /// A metadata event's `args.name` (a process's or a thread's), a
    /// step's `args.step`, as `has` says.
    pub meta: StrId,
    pub args: Args,
    /// `ph`: its one byte; 0 when it has none, 1 for any other text.
    pub ph: u32,
    /// Which of `ts` and `meta` it has: [`TraceEvent::HAS_TS`] and one
    /// of [`TraceEvent::STEP`], [`TraceEvent::PROCESS_NAME`],
    /// [`TraceEvent::THREAD_NAME`].
    pub has: u32,
}

// SAFETY: `repr(C)`, fields of plain numbers with no padding between or
// after them (the size is checked below), every bit pattern valid.
unsafe impl bytemuck::Zeroable for TraceEvent {}
unsafe impl bytemuck::Pod for TraceEvent {}
const _: () = assert!(std::mem::size_of::<TraceEvent>() == 56);

impl TraceEvent {
    pub const HAS_TS: u32 = 1;
    /// `meta` is a step's name.
    pub const STEP: u32 = 2;
    /// `meta` is a process's or a thread's name.
    pub const PROCESS_NAME: u32 = 4;
    pub const THREAD_NAME: u32 = 8;

    fn ts(&self) -> Option<i64> {
        (self.has & Self::HAS_TS != 0).then_some(self.ts)
    }

    fn meta(&self) -> Option<StrId> {
        (self.has & (Self::STEP | Self::PROCESS_NAME | Self::THREAD_NAME) != 0).then_some(self.meta)
    }

    /// Whether its span or event may keep its `args` (a step keeps them
    /// only when its slice is open, known once matched).
    fn may_keep_args(&self) -> bool {
        self.has & Self::HAS_TS != 0
            && matches!(
                self.ph as u8,
                b'X' | b'B' | b'b' | b'n' | b'S' | b'i' | b'I' | b'T' | b'p'
            )
    }

    /// Its texts as `strings` (a part's string ids to the builder's) make
    /// them; None when one is not in it, or its `args` not within the
    /// part's `args` attributes.
    pub fn moved(&self, strings: &[StrId], args: u32) -> Option<TraceEvent> {
        let s = |id: StrId| strings.get(id.0 as usize).copied();
        let within = self.args.start <= self.args.end && self.args.end <= args;
        within.then_some(())?;
        Some(TraceEvent {
            pid: s(self.pid)?,
            tid: s(self.tid)?,
            name: s(self.name)?,
            cat: s(self.cat)?,
            id: s(self.id)?,
            meta: s(self.meta)?,
            ..*self
        })
    }
}

/// What the reader finds things by. The open slices, each kind a stack of
/// them: `B` by its thread (pid, tid); async `b` by (pid, cat, id), and the
/// same with the name too, so an `e` finds its `b` without searching (a
/// slice closed through one stays in the other until it reaches the top);
/// a legacy `S` by (cat, name, id), the last begun alone. A stack that
/// empties is let go, so the map holds only what is open (a file of a
/// million async ids held a million stacks). And the names metadata gives
/// a process (pid) and a thread (pid, tid). One map of them all
/// ([`Events::keyed`]): one compiled map.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Thread(StrId, StrId),
    Async(AsyncKey),
    AsyncNamed(AsyncKey, StrId),
    Legacy(AsyncKey),
    ProcessName(StrId),
    ThreadName(StrId, StrId),
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

fn async_id<'e>(e: &'e EventIn) -> Cow<'e, str> {
    if let Some(id) = e.id.id_text() {
        return id;
    }
    if let Any::Json(id2) = &e.id2 {
        for k in ["local", "global"] {
            if let Some(id) = id2.get(k).and_then(json::id_text) {
                return format!("{k}:{id}").into();
            }
        }
    }
    Cow::Borrowed("")
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

/// Puts the last slice on top of the stack `key` (its link `slot` to the
/// slice below).
fn push_last(open: &mut FxHashMap<Key, u32>, slices: &mut [Slice], key: Key, slot: usize) {
    let i = slices.len() - 1;
    slices[i].below[slot] = open.insert(key, i as u32).unwrap_or(NONE);
}

/// Takes the slice on top of the stack `key` off it.
fn pop(open: &mut FxHashMap<Key, u32>, slices: &[Slice], key: Key, slot: usize) -> Option<usize> {
    let top = *open.get(&key)? as usize;
    match slices[top].below[slot] {
        NONE => open.remove(&key),
        below => open.insert(key, below),
    };
    Some(top)
}

/// The innermost slice of the stack `key` still open (closed ones above
/// it are let go).
fn innermost_open(
    open: &mut FxHashMap<Key, u32>,
    slices: &[Slice],
    key: Key,
    slot: usize,
) -> Option<usize> {
    loop {
        let top = *open.get(&key)? as usize;
        if slices[top].open {
            return Some(top);
        }
        pop(open, slices, key, slot);
    }
}

impl Slice {
    fn add_event(&mut self, e: SliceEvent) {
        self.events.get_or_insert_default().push(e);
    }
}

/// An event read from the file, its texts interned (`args` already
/// flattened into `args`, their JSON text `args_text`).
fn trace_event(b: &mut Builder, e: &EventIn, args: Args, args_text: &[u8]) -> TraceEvent {
    let ph = match e.ph.get().unwrap_or("").as_bytes() {
        [] => 0,
        &[c] if c > 1 => c,
        _ => 1,
    };
    let name_text = e.name.get().unwrap_or("");
    let (meta, meta_is) = match (ph, name_text) {
        (b'M', "process_name") => (args_str(args_text, "name"), TraceEvent::PROCESS_NAME),
        (b'M', "thread_name") => (args_str(args_text, "name"), TraceEvent::THREAD_NAME),
        (b'T' | b'p', _) => (args_str(args_text, "step"), TraceEvent::STEP),
        _ => (None, 0),
    };
    let ts = ns(&e.ts);
    let mut event = TraceEvent {
        ts: ts.unwrap_or(0),
        dur: ns(&e.dur).unwrap_or(0),
        pid: id_text(b, &e.pid),
        tid: id_text(b, &e.tid),
        name: b.intern(name_text),
        cat: b.intern(e.cat.get().unwrap_or("")),
        id: StrId::default(),
        meta: meta.as_deref().map_or(StrId::default(), |m| b.intern(m)),
        args,
        ph: ph as u32,
        has: ts.map_or(0, |_| TraceEvent::HAS_TS) | meta.map_or(0, |_| meta_is),
    };
    if matches!(ph, b'b' | b'e' | b'n' | b'S' | b'T' | b'p' | b'F') {
        event.id = b.intern(&async_id(e));
    }
    event
}

/// The kinds of events not shown, in the order the warning names them.
const NOT_SHOWN: [&str; 11] = [
    "E without B",
    "F without S",
    "counter (C)",
    "e without b",
    "flow (s/t/f)",
    "mark (R)",
    "object (N/O/D)",
    "other",
    "sample (P)",
    "sample (samples list)",
    "without ph",
];

/// What the events read so far make, one event at a time.
#[derive(Default)]
pub struct Events {
    count: usize,
    slices: Vec<Slice>,
    /// The innermost slice of each stack of open slices, and each name
    /// (a [`StrId`]'s number) metadata gave.
    keyed: FxHashMap<Key, u32>,
    /// How many events of each kind of [`NOT_SHOWN`] were skipped.
    skipped: [usize; NOT_SHOWN.len()],
    max_ts: i64,
    hash: u64,
    display_unit: Option<String>,
    samples: usize,
    /// The attributes of the `args` kept ([`Args`]), in the order read.
    args_attrs: Vec<Attr>,
}

/// What a part of a file read ([`decode_part`]), in its own tables, for
/// the merge to match in the file's order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PartEvents {
    pub events: Vec<TraceEvent>,
    /// The attributes of their `args`.
    pub args_attrs: Vec<Attr>,
    /// `displayTimeUnit`, when the part read one (a repeated key: the last).
    pub display_unit: Option<Option<String>>,
    /// How many samples the part's last `samples` list held.
    pub samples: Option<usize>,
}

impl Events {
    pub fn new() -> Self {
        Events {
            max_ts: i64::MIN,
            hash: 0xcbf2_9ce4_8422_2325,
            ..Events::default()
        }
    }

    /// Counts `n` events of a kind of [`NOT_SHOWN`] skipped.
    fn skip(&mut self, what: &str, n: usize) {
        if let Some(k) = NOT_SHOWN.iter().position(|&k| k == what) {
            self.skipped[k] += n;
        }
    }

    /// Matches a part's events after those taken so far (its tables
    /// already the builder's).
    pub fn take(&mut self, part: PartEvents) {
        let from = self.args_attrs.len() as u32;
        self.args_attrs.extend_from_slice(&part.args_attrs);
        for e in &part.events {
            let args = Range32::new(e.args.start + from, e.args.end + from);
            self.read(&TraceEvent { args, ..*e });
        }
        if let Some(unit) = part.display_unit {
            self.display_unit = unit;
        }
        if let Some(n) = part.samples {
            self.samples = n;
        }
    }

    /// Matches one event: whether its span or event keeps its `args`.
    fn read(&mut self, e: &TraceEvent) -> bool {
        self.count += 1;
        let (pid, tid, name, cat, args) = (e.pid, e.tid, e.name, e.cat, e.args);
        let ts = e.ts();
        if let Some(t) = ts {
            self.max_ts = self.max_ts.max(t);
            self.hash = (self.hash ^ t as u64).wrapping_mul(0x100_0000_01b3);
        }
        let (slices, open) = (&mut self.slices, &mut self.keyed);
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
            below: [NONE; 2],
            events: None,
            phase,
        };
        let ph = e.ph as u8;
        let mut kept = e.may_keep_args() && !matches!(ph, b'T' | b'p');
        match (ph, ts) {
            (b'M', _) => match e.meta() {
                Some(n) if e.has & TraceEvent::PROCESS_NAME != 0 => {
                    open.insert(Key::ProcessName(pid), n.0);
                }
                Some(n) if e.has & TraceEvent::THREAD_NAME != 0 => {
                    open.insert(Key::ThreadName(pid, tid), n.0);
                }
                _ => {}
            },
            (b'X', Some(t)) => {
                let d = e.dur.max(0);
                self.max_ts = self.max_ts.max(t.saturating_add(d));
                slices.push(new_slice(t, t.saturating_add(d), false, false, b'X'));
            }
            (b'B', Some(t)) => {
                slices.push(new_slice(t, t, true, false, b'B'));
                push_last(open, slices, Key::Thread(pid, tid), 0);
            }
            (b'E', Some(t)) => match pop(open, slices, Key::Thread(pid, tid), 0) {
                Some(i) => {
                    slices[i].end = t;
                    slices[i].open = false;
                }
                None => self.skip("E without B", 1),
            },
            (b'b', Some(t)) => {
                let key = (pid, cat, e.id);
                let mut s = new_slice(t, t, true, false, b'b');
                s.parent = innermost_open(open, slices, Key::Async(key), 0).map(|p| p as u32);
                slices.push(s);
                push_last(open, slices, Key::Async(key), 0);
                push_last(open, slices, Key::AsyncNamed(key, name), 1);
            }
            (b'e', Some(t)) => {
                let key = (pid, cat, e.id);
                // The innermost open slice of that name (the format allows unnamed ends).
                let found = match name {
                    StrId::EMPTY => innermost_open(open, slices, Key::Async(key), 0),
                    _ => innermost_open(open, slices, Key::AsyncNamed(key, name), 1),
                };
                match found {
                    Some(i) => {
                        slices[i].end = t;
                        slices[i].open = false;
                        // Its stacks let go of it now if it is on top.
                        innermost_open(open, slices, Key::Async(key), 0);
                        let named = Key::AsyncNamed(key, slices[i].name);
                        innermost_open(open, slices, named, 1);
                    }
                    None => self.skip("e without b", 1),
                }
            }
            (b'n', Some(t)) => {
                match innermost_open(open, slices, Key::Async((pid, cat, e.id)), 0) {
                    Some(i) => slices[i].add_event((t, name, args)),
                    None => slices.push(new_slice(t, t, false, true, b'n')),
                }
            }
            (b'S', Some(t)) => {
                slices.push(new_slice(t, t, true, false, b'S'));
                open.insert(Key::Legacy((cat, name, e.id)), slices.len() as u32 - 1);
            }
            (b'T' | b'p', Some(t)) => {
                if let Some(&i) = open.get(&Key::Legacy((cat, name, e.id))) {
                    let step = e.meta().unwrap_or(name);
                    slices[i as usize].add_event((t, step, args));
                    kept = true;
                }
            }
            (b'F', Some(t)) => match open.remove(&Key::Legacy((cat, name, e.id))) {
                Some(i) => {
                    slices[i as usize].end = t;
                    slices[i as usize].open = false;
                }
                None => self.skip("F without S", 1),
            },
            (b'i' | b'I', Some(t)) => slices.push(new_slice(t, t, false, true, b'i')),
            (other, _) => {
                let label = match other {
                    b'C' => "counter (C)",
                    b'P' => "sample (P)",
                    b's' | b't' | b'f' => "flow (s/t/f)",
                    b'N' | b'O' | b'D' => "object (N/O/D)",
                    b'R' => "mark (R)",
                    0 => "without ph",
                    _ => "other",
                };
                self.skip(label, 1);
            }
        }
        kept
    }
}

/// Where events go as they are read: matched at once ([`Events`], a whole
/// file) or kept in order for the merge ([`PartEvents`], a part of one).
trait Sink {
    /// The list their `args` are flattened into.
    fn args_attrs(&mut self) -> &mut Vec<Attr>;
    /// Takes an event (its `args` the last of [`Sink::args_attrs`]):
    /// whether they are kept.
    fn event(&mut self, e: &TraceEvent) -> bool;
    fn display_unit(&mut self, unit: Option<String>);
    fn samples(&mut self, n: usize);
    /// How many events it has taken.
    fn count(&self) -> usize;
    /// About how many events the file holds in all, once some are read.
    fn expect(&mut self, _total: usize) {}
}

impl Sink for Events {
    fn args_attrs(&mut self) -> &mut Vec<Attr> {
        &mut self.args_attrs
    }
    fn event(&mut self, e: &TraceEvent) -> bool {
        self.read(e)
    }
    fn display_unit(&mut self, unit: Option<String>) {
        self.display_unit = unit;
    }
    fn samples(&mut self, n: usize) {
        self.samples = n;
    }
    fn count(&self) -> usize {
        self.count
    }
}

impl Sink for PartEvents {
    fn args_attrs(&mut self) -> &mut Vec<Attr> {
        &mut self.args_attrs
    }
    fn event(&mut self, e: &TraceEvent) -> bool {
        let kept = e.may_keep_args();
        // `args` let go are none.
        let args = if kept { e.args } else { Args::default() };
        self.events.push(TraceEvent { args, ..*e });
        kept
    }
    fn display_unit(&mut self, unit: Option<String>) {
        self.display_unit = Some(unit);
    }
    fn samples(&mut self, n: usize) {
        self.samples = Some(n);
    }
    fn count(&self) -> usize {
        self.events.len()
    }
    /// Room for the rest at once (a part of a million events otherwise
    /// doubled its lists twenty times, copying them each time).
    fn expect(&mut self, total: usize) {
        let done = self.events.len().max(1);
        let more =
            |n: usize| (n as f64 * (total.saturating_sub(done) as f64 / done as f64)) as usize;
        self.events.reserve(more(self.events.len()));
        self.args_attrs.reserve(more(self.args_attrs.len()));
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

/// What a later part of a file is read after: the list it is cut in.
pub const PART_PREFIX: &[u8] = br#"{"traceEvents":["#;

/// Whether `head`, a file's first bytes, begins an object whose
/// `traceEvents` list comes before any key that names another format
/// (`detect::NAMED_FIRST`): the shape read in parts.
pub fn begins_events_object(head: &[u8]) -> bool {
    let mut found = false;
    let _ = Pull::new(super::without_bom(head)).each_key(|k, r| match &*k {
        "traceEvents" => {
            found = r.peek() == b'[';
            Err(Bad)
        }
        k if super::detect::NAMED_FIRST.contains(&k) => Err(Bad),
        _ => r.skip(),
    });
    found
}

/// [`decode_stream`] of a part of a file (see [`stream::run_part`]): its
/// events kept in order in the seam, matched when the parts are merged.
pub fn decode_part(
    b: &mut Builder,
    bytes: &[u8],
    stop_inherited: (usize, bool),
) -> Option<Result<Seam, DecodeError>> {
    let mut part = PartEvents::default();
    let mut seam = read_events(b, bytes, false, stop_inherited, &mut part)?;
    if let Ok(seam) = &mut seam {
        seam.chrome = Some(Box::new(part));
    }
    Some(seam)
}

/// The events of `bytes` matched and nested, then written as spans.
fn read_file(b: &mut Builder, bytes: &[u8], sniffing: bool) -> Option<Result<(), DecodeError>> {
    let mut ev = Events::new();
    let read = read_events(b, bytes, sniffing, stream::WHOLE_FILE, &mut ev)?;
    Some(read.and_then(|_| finish(b, ev)))
}

/// Reads the events of `bytes` into `sink`, stopping before the first
/// event at or past the stop (a part of a file). `sniffing`: no format is
/// known yet, so a bare list that is empty or does not begin with an event
/// is left to the others.
fn read_events(
    b: &mut Builder,
    bytes: &[u8],
    sniffing: bool,
    stop_inherited: (usize, bool),
    sink: &mut dyn Sink,
) -> Option<Result<Seam, DecodeError>> {
    stream::run_part(b, bytes, stop_inherited, |st, r| {
        if r.peek() == b'[' {
            st.found = !sniffing;
            return event_list(st, r, sink, sniffing);
        }
        let mut lists = 0;
        r.each_key(|k, r| match &*k {
            "traceEvents" => {
                // A repeated list (the last one counts) is left to the general path.
                lists += 1;
                if lists > 1 {
                    return Err(Bad);
                }
                st.found = true;
                event_list(st, r, sink, false)
            }
            "displayTimeUnit" => {
                sink.display_unit(r.string()?.map(Cow::into_owned));
                Ok(())
            }
            "samples" => {
                let mut n = 0;
                r.each_item(|r| {
                    n += 1;
                    r.skip()
                })?;
                sink.samples(n);
                Ok(())
            }
            _ => r.skip(),
        })
    })
}

/// Reads a list of events into `sink`. `sniffing_bare`: a bare list whose
/// first item is no event is no file of events (found once it has one).
fn event_list(st: &mut Stream, r: &mut Pull, sink: &mut dyn Sink, sniffing_bare: bool) -> Read<()> {
    r.each_item(|r| {
        st.stop_before(r)?;
        let start = sink.args_attrs().len();
        let (mut args, mut args_text) = (Args::default(), &b""[..]);
        let e = borrowed::obj_with(r, |k, _: &mut EventIn, r| {
            if k != "args" {
                return Ok(false);
            }
            // A repeated `args`: the last counts.
            let attrs = sink.args_attrs();
            attrs.truncate(start);
            let at = r.here();
            args = read_args(st.b, r, attrs)?;
            args_text = r.taken_since(at);
            Ok(true)
        })?;
        let e = e.unwrap_or_default();
        if sniffing_bare && sink.count() == 0 && e.ph.0.is_none() {
            return Err(Bad);
        }
        st.found = true;
        let event = trace_event(st.b, &e, args, args_text);
        if !sink.event(&event) {
            sink.args_attrs().truncate(start);
        }
        if let Some(total) = st.estimate(r) {
            sink.expect(total);
        }
        Ok(())
    })
}

/// The slices read nested and written as spans.
pub fn finish(b: &mut Builder, mut ev: Events) -> Result<(), DecodeError> {
    if ev.samples > 0 {
        ev.skip("sample (samples list)", ev.samples);
    }
    let Events {
        count,
        mut slices,
        skipped,
        max_ts,
        hash,
        display_unit,
        keyed,
        args_attrs,
        samples: _,
    } = ev;
    // The slices take only their room before the spans are made beside them.
    slices.shrink_to_fit();
    let not_shown: Vec<String> = (NOT_SHOWN.iter().zip(skipped))
        .filter(|&(_, n)| n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
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

    // Thread slices (X, B/E, instants) nest by time on their thread: each
    // thread's in file order, sorted by time (outer first; most files are
    // in time order already, which the sort finds), walked with a stack of
    // the slices open at that time.
    let mut parents: Vec<(usize, usize)> = Vec::new();
    for mut list in thread_lists(&slices) {
        crate::order::sort_by(&mut list, |&a: &usize, &b: &usize| {
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
                let svc = match keyed.get(&Key::ProcessName(s.pid)) {
                    Some(&n) => StrId(n),
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
        if let Some(&n) = keyed.get(&Key::ThreadName(s.pid, s.tid)) {
            b.attr_key(thread_name, AttrValue::Str(StrId(n)));
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

/// The thread slices (X, B/E, instants) of each thread, in file order.
fn thread_lists(slices: &[Slice]) -> Vec<Vec<usize>> {
    // The map of open slices' type, for the threads' numbers: one compiled map.
    let mut threads: FxHashMap<Key, u32> = FxHashMap::default();
    let mut lists: Vec<Vec<usize>> = Vec::new();
    for (i, s) in slices.iter().enumerate() {
        if !matches!(s.phase, b'X' | b'B' | b'i') {
            continue;
        }
        let key = Key::Thread(s.pid, s.tid);
        let t = match threads.get(&key) {
            Some(&t) => t as usize,
            None => {
                threads.insert(key, lists.len() as u32);
                lists.push(Vec::new());
                lists.len() - 1
            }
        };
        lists[t].push(i);
    }
    lists
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
