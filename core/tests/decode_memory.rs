//! What decoding a file holds at its peak (#20: at most ~3× the file): a
//! counting allocator over the whole decode of a synthetic file of each
//! streamed format, whole and in parts, and of a file of many one-span
//! traces. The bytes of the file itself are not counted (the caller holds
//! them).

mod common;
use common::one_span_traces;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;
use tracescope_core::decode::parts::decode_in_parts;
use tracescope_core::synth::{trace_json, SynthFormat};
use tracescope_core::{decode_bytes, Dataset};

/// The system allocator, counting the bytes held now and at most.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = HELD.fetch_add(l.size(), Relaxed) + l.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        HELD.fetch_sub(l.size(), Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The tests of this file measure one at a time (the counts are global).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The most `decode` held at once above what was held before it.
fn peak_of(decode: impl FnOnce()) -> usize {
    let before = HELD.load(Relaxed);
    PEAK.store(before, Relaxed);
    decode();
    PEAK.load(Relaxed) - before
}

fn ratio(peak: usize, file: usize) -> f64 {
    peak as f64 / file as f64
}

#[test]
fn decoding_holds_at_most_twice_the_file_whole_and_two_and_a_half_times_in_parts() {
    let _one = ONE_AT_A_TIME.lock().unwrap();
    for format in [SynthFormat::Jaeger, SynthFormat::Otlp, SynthFormat::Zipkin] {
        let text = trace_json(50_000, format, 3);
        let bytes = text.as_bytes();
        let whole = peak_of(|| {
            let mut ds = Dataset::default();
            decode_bytes(&mut ds, bytes).unwrap();
        });
        let parts = peak_of(|| {
            let mut ds = Dataset::default();
            decode_in_parts(&mut ds, bytes, 2).unwrap();
        });
        eprintln!(
            "{format:?}: {} MB file, whole {:.2}×, in 2 parts {:.2}×",
            bytes.len() / 1_000_000,
            ratio(whole, bytes.len()),
            ratio(parts, bytes.len())
        );
        // Zipkin, the most: 1.37× whole, 2.00× in parts (a later part's
        // bytes are copied behind their context). It holds what it plans
        // of each span until all are read, not the span (2.96× and 3.63×).
        for (how, peak, limit) in [("whole", whole, 2.0), ("in parts", parts, 2.5)] {
            assert!(
                ratio(peak, bytes.len()) <= limit,
                "{format:?} {how}: {peak} bytes held for a {} byte file",
                bytes.len()
            );
        }
    }
}

/// A Chrome file as DevTools writes one: metadata, complete slices with
/// arguments, begin/end pairs, async slices, instants and counters, `n`
/// events on each of 8 threads.
fn chrome_events(n: usize) -> String {
    let mut events = vec![
        r#"{"ph":"M","name":"process_name","pid":1,"tid":0,"args":{"name":"Renderer"}}"#
            .to_string(),
    ];
    for i in 0..n {
        let (tid, ts) = (i % 8, i * 10);
        events.push(match i % 5 {
            0 => format!(r#"{{"ph":"X","cat":"devtools.timeline","name":"FunctionCall","pid":1,"tid":{tid},"ts":{ts},"dur":8,"args":{{"data":{{"frame":"F{i}","url":"https://example.com/app.js","lineNumber":{i}}}}}}}"#),
            1 => format!(r#"{{"ph":"B","cat":"v8","name":"V8.Execute","pid":1,"tid":{tid},"ts":{ts}}},{{"ph":"E","cat":"v8","name":"V8.Execute","pid":1,"tid":{tid},"ts":{}}}"#, ts + 5),
            2 => format!(r#"{{"ph":"b","cat":"loading","name":"ResourceLoad","id":"0x{i:x}","pid":1,"tid":{tid},"ts":{ts}}},{{"ph":"e","cat":"loading","name":"ResourceLoad","id":"0x{i:x}","pid":1,"tid":{tid},"ts":{}}}"#, ts + 30),
            3 => format!(r#"{{"ph":"i","s":"t","cat":"devtools.timeline","name":"Mark{}","pid":1,"tid":{tid},"ts":{}}}"#, i % 50, ts + 1),
            _ => format!(r#"{{"ph":"C","cat":"memory","name":"JSHeap","pid":1,"tid":{tid},"ts":{ts},"args":{{"used":{}}}}}"#, i * 64),
        });
    }
    format!(
        r#"{{"traceEvents":[{}],"displayTimeUnit":"ns"}}"#,
        events.join(",")
    )
}

/// Read an event at a time (each event's JSON tree let go once read), a
/// Chrome file is held as its slices, then its spans: 1.89× (as a tree of
/// the whole file, 14.8–17×).
#[test]
fn a_chrome_file_holds_at_most_twice_the_file() {
    let _one = ONE_AT_A_TIME.lock().unwrap();
    let text = chrome_events(100_000);
    let bytes = text.as_bytes();
    let mut spans = 0;
    let peak = peak_of(|| {
        let mut ds = Dataset::default();
        let sum = decode_bytes(&mut ds, bytes).unwrap();
        assert!(sum.streamed);
        spans = sum.spans;
    });
    eprintln!(
        "Chrome, {} MB: {:.2}×",
        bytes.len() / 1_000_000,
        ratio(peak, bytes.len())
    );
    assert_eq!(spans, 80_000, "slices and instants, counters left out");
    assert!(
        ratio(peak, bytes.len()) <= 2.0,
        "{peak} bytes held for a {} byte file",
        bytes.len()
    );
}

#[test]
fn many_one_span_traces_hold_a_bounded_multiple_of_the_file() {
    let _one = ONE_AT_A_TIME.lock().unwrap();
    let text = one_span_traces(50_000);
    let bytes = text.as_bytes();
    let peak = peak_of(|| {
        let mut ds = Dataset::default();
        decode_bytes(&mut ds, bytes).unwrap();
    });
    eprintln!(
        "{} one-span traces, {} MB: {:.2}×",
        50_000,
        bytes.len() / 1_000_000,
        ratio(peak, bytes.len())
    );
    // Each trace's own box, block of columns and tree's lists are most of
    // it, at its peak as the trees are made (finding traces by id let go):
    // 1.93× (2.18× with its trace id interned, its services in a list of
    // their own and its warnings' list in the trace).
    assert!(
        ratio(peak, bytes.len()) <= 2.0,
        "{peak} bytes held for a {} byte file",
        bytes.len()
    );
}

/// A trace's distinct services take room for its spans, not for the
/// string table: a service first named after a million strings, then in
/// many small traces, made each trace's tree zero and scan a bit per
/// string (1M one-span traces: 7.9 s instead of 3.5 s).
#[test]
fn a_traces_services_take_room_for_its_spans_not_for_the_string_table() {
    use tracescope_core::model::StrId;
    use tracescope_core::tree::distinct;
    let _one = ONE_AT_A_TIME.lock().unwrap();
    let far = [StrId(3), StrId(1 << 28), StrId(3), StrId(7)];
    let mut out = Vec::new();
    let peak = peak_of(|| out = distinct(&far));
    assert_eq!(out, [StrId(3), StrId(7), StrId(1 << 28)]);
    assert!(peak < 1024, "{peak} bytes for {} ids", far.len());
    // Near ids, many of each: a bit per id.
    let near: Vec<StrId> = (0..1000).rev().map(|i| StrId(i % 100 + 1)).collect();
    assert_eq!(distinct(&near), (1..=100).map(StrId).collect::<Vec<_>>());
    assert_eq!(distinct(&[]), []);
}
