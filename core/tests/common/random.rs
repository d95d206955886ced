//! Random traces for the geometry tests: deep, wide and mixed trees with
//! overlapping and zero-length spans, names of every length, events and
//! errors; and windows inside their bounds.

use proptest::prelude::*;
use tracescope_core::layout::waterfall::clamp_window;
use tracescope_core::model::{Event, Range32, StatusCode, Trace};
use tracescope_core::synth::trace_with;
use tracescope_core::Dataset;

/// One device pixel at the lowest ratio drawn (1).
pub const PX: f64 = 1.0 + 1e-6;

/// A trace of `n` spans: parent of span i is one of 0..i (or none), with
/// names, events and errors, in a dataset that holds its strings.
pub fn make_trace(
    parents: &[Option<usize>],
    starts: &[i64],
    durs: &[i64],
    name_lens: &[usize],
    events_at: &[Vec<i64>],
    errors: &[bool],
) -> (Dataset, Trace) {
    let mut ds = Dataset::default();
    let mut t = trace_with(parents, starts, durs);
    for s in 0..t.len() {
        let len = name_lens[s % name_lens.len()];
        t.service[s] = ds.strings.intern(&format!("svc{s}{}", "s".repeat(len)));
        t.name[s] = ds.strings.intern(&"op".repeat(len + 1));
        let first = ds.events.len() as u32;
        for &e in &events_at[s % events_at.len()] {
            ds.events.push(Event {
                time_ns: t.start_ns[s] + e.min(t.duration_ns[s]),
                name: Default::default(),
                attrs: Range32::default(),
            });
        }
        t.events[s] = Range32 {
            start: first,
            end: ds.events.len() as u32,
        };
        if errors[s % errors.len()] {
            t.status[s] = StatusCode::Error;
        }
    }
    (ds, t)
}

pub fn traces() -> impl Strategy<Value = (Dataset, Trace)> {
    (1usize..60)
        .prop_flat_map(|n| {
            (
                // Deep (parent = previous), wide (parent = root) and mixed trees.
                prop::collection::vec((0usize..3, 0usize..1000, 0usize..20), n),
                prop::collection::vec(0i64..2_000_000, n),
                // A quarter zero-length.
                prop::collection::vec(prop_oneof![Just(0i64), 0i64..3_000_000, 0i64..300], n),
                prop::collection::vec(0usize..30, 1..5),
                prop::collection::vec(prop::collection::vec(0i64..3_000_000, 0..3), 1..4),
                prop::collection::vec(any::<bool>(), 1..4),
            )
        })
        .prop_map(|(shape, starts, durs, names, events, errors)| {
            let parents: Vec<Option<usize>> = shape
                .iter()
                .enumerate()
                .map(|(i, &(kind, pick, orphan))| match (i, kind) {
                    (0, _) => None,
                    _ if orphan == 0 => None,
                    (_, 0) => Some(i - 1),
                    (_, 1) => Some(0),
                    _ => Some(pick % i),
                })
                .collect();
            make_trace(&parents, &starts, &durs, &names, &events, &errors)
        })
}

/// A window inside the trace's bounds (as zoom and pan keep it): `a` and
/// `b` are fractions of the trace; zoomed in up to a millionth.
pub fn window(t: &Trace, a: f64, b: f64) -> (f64, f64) {
    let (b0, b1) = t.time_window();
    let w = b1 - b0;
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let lo = b0 + lo * w;
    clamp_window((lo, b0 + hi * w), (b0, b1))
}
