//! Clock-skew adjustment against hand-computed shifts, and proptests of
//! Jaeger's rule over random trees: what moves, where it lands, and that
//! the adjusted tree is the one its times would build.

mod common;
use common::{jaeger_dataset, jaeger_refs};
use proptest::prelude::*;
use tracescope_core::analysis::clock::{self, MAX_SHIFT_NS};
use tracescope_core::model::{flags, SpanKind};
use tracescope_core::synth::trace_with;
use tracescope_core::wire::TraceAlone;
use tracescope_core::{tree, Dataset, Trace};

/// One span: (id, parent, service, host, start µs, duration µs, reference).
type Span<'a> = (&'a str, &'a str, &'a str, &'a str, i64, i64, &'a str);

/// A Jaeger trace of these spans; a host named becomes the process's
/// `hostname`.
fn trace(spans: &[Span]) -> Dataset {
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .map(|(id, parent, svc, host, start, dur, reference)| {
            let tags = if host.is_empty() {
                serde_json::json!([])
            } else {
                serde_json::json!([{"key": "hostname", "type": "string", "value": host}])
            };
            serde_json::json!({"traceID": "t1", "spanID": id, "operationName": "op", "startTime": start,
                "duration": dur, "references": jaeger_refs("t1", parent, reference), "tags": [],
                "process": {"serviceName": svc, "tags": tags}})
        })
        .collect();
    jaeger_dataset(vec![serde_json::json!({"traceID": "t1", "spans": spans})])
}

/// The spans moved, by id, in µs; and how many shifts were refused.
fn moved(ds: &Dataset) -> (Vec<(String, i64)>, u32) {
    let t = &ds.traces[0];
    let (delta, refused) = clock::shifts(ds, t, MAX_SHIFT_NS);
    let mut out: Vec<(String, i64)> = (0..t.len())
        .filter(|&s| delta[s] != 0)
        .map(|s| (ds.span_id(t, s).to_string(), delta[s] / 1000))
        .collect();
    out.sort();
    (out, refused)
}

fn ids(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(s, d)| (s.to_string(), *d)).collect()
}

const ROOT: Span = ("a", "", "api", "", 100, 100, "CHILD_OF");

#[test]
fn a_child_on_another_clock_is_centred_and_its_own_clock_moves_with_it() {
    // b (db) starts 10 µs before its parent and is 40 µs long: centred in
    // the 100 µs parent it starts at 100 + (100 - 40) / 2 = 130, +40 µs.
    // c is on b's clock and moves with it; d (cache) fits in b where b
    // now is (130..170) and stays.
    let ds = trace(&[
        ROOT,
        ("b", "a", "db", "", 90, 40, "CHILD_OF"),
        ("c", "b", "db", "", 95, 10, "CHILD_OF"),
        ("d", "b", "cache", "", 140, 10, "CHILD_OF"),
    ]);
    assert_eq!(moved(&ds), (ids(&[("b", 40), ("c", 40)]), 0));
}

#[test]
fn what_fits_or_shares_the_parents_clock_stays() {
    // Inside its parent.
    let ds = trace(&[ROOT, ("b", "a", "db", "", 120, 10, "CHILD_OF")]);
    assert_eq!(moved(&ds), (vec![], 0));
    assert!(clock::adjusted(&ds, &ds.traces[0], MAX_SHIFT_NS)
        .start_ns
        .is_empty());
    // Outside, but one service and no host named: one clock.
    let ds = trace(&[ROOT, ("b", "a", "api", "", 90, 10, "CHILD_OF")]);
    assert_eq!(moved(&ds), (vec![], 0));
    // Two services on one host: one clock.
    let ds = trace(&[
        ("a", "", "api", "h1", 100, 100, "CHILD_OF"),
        ("b", "a", "db", "h1", 90, 10, "CHILD_OF"),
    ]);
    assert_eq!(moved(&ds), (vec![], 0));
}

#[test]
fn one_service_on_two_hosts_is_two_clocks() {
    // Ends 5 µs after its parent though 10 µs long: centred at 145, -50.
    let ds = trace(&[
        ("a", "", "api", "h1", 100, 100, "CHILD_OF"),
        ("b", "a", "api", "h2", 195, 10, "CHILD_OF"),
    ]);
    assert_eq!(moved(&ds), (ids(&[("b", -50)]), 0));
}

#[test]
fn a_longer_child_or_one_not_waited_for_only_stops_starting_early() {
    // 150 µs under a 100 µs parent, 10 µs early: +10, not centred.
    let ds = trace(&[ROOT, ("b", "a", "db", "", 90, 150, "CHILD_OF")]);
    assert_eq!(moved(&ds), (ids(&[("b", 10)]), 0));
    // Longer and starting inside: stays.
    let ds = trace(&[ROOT, ("b", "a", "db", "", 150, 150, "CHILD_OF")]);
    assert_eq!(moved(&ds), (vec![], 0));
    // Starting after its parent ended: work handed on, maybe; not moved.
    let ds = trace(&[ROOT, ("b", "a", "db", "", 250, 10, "CHILD_OF")]);
    assert_eq!(moved(&ds), (vec![], 0));
    // FOLLOWS_FROM ending after its parent: what async work does.
    let ds = trace(&[ROOT, ("b", "a", "worker", "", 190, 30, "FOLLOWS_FROM")]);
    assert_eq!(moved(&ds), (vec![], 0));
    // FOLLOWS_FROM starting before its parent: to the parent's start.
    let ds = trace(&[ROOT, ("b", "a", "worker", "", 70, 10, "FOLLOWS_FROM")]);
    assert_eq!(moved(&ds), (ids(&[("b", 30)]), 0));
}

#[test]
fn a_shift_over_the_limit_is_refused_with_its_own_clock() {
    let root = 20_000_000;
    let early = root - MAX_SHIFT_NS / 1000 - 1_000;
    let ds = trace(&[
        ("a", "", "api", "", root, 100, "CHILD_OF"),
        ("b", "a", "db", "", early, 10, "CHILD_OF"),
        ("c", "b", "db", "", early, 5, "CHILD_OF"),
    ]);
    assert_eq!(moved(&ds), (vec![], 1));
    let other = clock::adjusted(&ds, &ds.traces[0], MAX_SHIFT_NS);
    assert!(other.start_ns.is_empty());
    assert_eq!(other.refused, 1);
}

#[test]
fn shown_adjusted_the_open_trace_alone_moves_and_exports_keep_the_source() {
    let skewed = trace(&[
        ROOT,
        ("b", "a", "db", "", 190, 30, "CHILD_OF"),
        ("c", "a", "api", "", 150, 10, "CHILD_OF"),
    ]);
    let mut ds = skewed.clone();
    ds.traces.push(skewed.traces[0].clone());
    let raw = ds.traces[0].start_ns.to_vec();
    let raw_order = ds.traces[0].tree.clone();
    // b comes after c as timed; centred (135) it comes before.
    assert_eq!(
        raw_order.preorder(),
        [0, 2, 1],
        "the test's premise: b after c"
    );
    assert!(
        !clock::show_adjusted(&mut ds, Some(0)),
        "nothing to show before the adjusted reading is made"
    );
    make_adjusted(&mut ds, 0);
    assert!(clock::show_adjusted(&mut ds, Some(0)));
    assert!(!clock::show_adjusted(&mut ds, Some(0)), "shown already");
    let t = &ds.traces[0];
    assert!(t.clock_adjusted() && !ds.traces[1].clock_adjusted());
    assert_eq!(t.start_ns[1] - raw[1], -55_000);
    assert_eq!(clock::shift_of(t, 1), -55_000);
    assert_eq!(clock::moved_and_refused(t), (1, 0));
    assert_eq!(t.tree.preorder(), vec![0, 1, 2]);
    assert_eq!(t.tree.order.bounds, (100_000, 200_000));
    assert_eq!(
        (t.raw_start_ns(), t.raw_tree()),
        (&raw[..], raw_order.clone())
    );
    // An export takes the source's times and tree.
    let mut alone = TraceAlone::new(0);
    while !alone.step(&ds, 1) {}
    let exported = &alone.tables().traces[0];
    assert_eq!(
        (&exported.start_ns[..], &exported.tree),
        (&raw[..], &raw_order)
    );
    // Another trace opened: the first shows its own times again.
    make_adjusted(&mut ds, 1);
    assert!(clock::show_adjusted(&mut ds, Some(1)));
    assert!(!ds.traces[0].clock_adjusted() && ds.traces[1].clock_adjusted());
    assert_eq!(
        (&ds.traces[0].start_ns[..], &ds.traces[0].tree),
        (&raw[..], &raw_order)
    );
    assert!(clock::show_adjusted(&mut ds, None));
    assert!(!clock::show_adjusted(&mut ds, None));
    // A trace with nothing to adjust: nothing shown changes.
    let mut fits = trace(&[ROOT, ("b", "a", "db", "", 120, 10, "CHILD_OF")]);
    make_adjusted(&mut fits, 0);
    assert!(!clock::show_adjusted(&mut fits, Some(0)));
    assert!(ds.traces.iter().all(|t| !t.clock_adjusted()));
    assert_eq!(ds.traces[1].start_ns, raw);
}

/// Makes trace `i`'s adjusted reading, as the page does in parts.
fn make_adjusted(ds: &mut Dataset, i: usize) {
    let mut b = clock::ShiftsBuilder::new(&ds.traces[i], MAX_SHIFT_NS);
    while !b.step(ds, &ds.traces[i], 1) {}
    let other = b.finish(&ds.traces[i]);
    ds.traces[i].set_other_clock(other);
}

/// A trace of `n` spans on up to three services, some on named hosts,
/// some not waited for.
fn random_trace() -> impl Strategy<Value = (Dataset, Trace)> {
    (1usize..40)
        .prop_flat_map(|n| {
            (
                prop::collection::vec((0usize..1000, 0usize..8), n),
                prop::collection::vec(0i64..1_000_000, n),
                prop::collection::vec(prop_oneof![Just(0i64), 0i64..600_000], n),
                prop::collection::vec((0u32..3, 0u8..3, 0u8..8), n),
            )
        })
        .prop_map(|(shape, starts, durs, who)| {
            let parents: Vec<Option<usize>> = shape
                .iter()
                .enumerate()
                .map(|(i, &(pick, orphan))| (i > 0 && orphan > 0).then(|| pick % i))
                .collect();
            let mut ds = Dataset::default();
            let mut t = trace_with(&parents, &starts, &durs);
            for (s, &(service, host, async_kind)) in who.iter().enumerate() {
                t.service[s] = ds.strings.intern(&format!("svc{service}"));
                // Resource per (service, host); host 0: none named.
                let key = ds.strings.intern("host.name");
                let value = ds.strings.intern(&format!("h{host}"));
                let first = ds.attrs.len() as u32;
                if host > 0 {
                    ds.attrs.push(tracescope_core::model::Attr {
                        key,
                        value: tracescope_core::model::AttrValue::Str(value),
                    });
                }
                ds.resources.push(tracescope_core::model::Resource {
                    service: t.service[s],
                    attrs: tracescope_core::model::Range32::new(first, ds.attrs.len() as u32),
                });
                t.resource[s] = ds.resources.len() as u32 - 1;
                match async_kind {
                    0 => t.flags[s] |= flags::ASYNC_PARENT,
                    1 => t.kind[s] = SpanKind::Consumer,
                    _ => {}
                }
            }
            // Again, for the services.
            tree::build(&mut t);
            (ds, t)
        })
}

proptest! {
    #[test]
    fn adjusted_times_follow_jaegers_rule((ds, t) in random_trace(), max_us in 1i64..2_000) {
        let max = max_us * 1000;
        let (delta, refused) = clock::shifts(&ds, &t, max);
        let start = |s: usize| t.start_ns[s] + delta[s];
        let mut refusals = 0;
        for s in 0..t.len() {
            prop_assert!(delta[s].abs() <= max);
            let Some(p) = t.tree.parent_of(s) else {
                prop_assert_eq!(delta[s], 0, "a root never moves");
                continue;
            };
            if !clock::differ(&ds, &t, p, s) {
                prop_assert_eq!(delta[s], delta[p], "one clock, one shift");
                continue;
            }
            let waited = t.flags[s] & flags::ASYNC_PARENT == 0 && t.kind[s] != SpanKind::Consumer;
            let (ps, pe) = (start(p), start(p) + t.duration_ns[p]);
            let raw_inside = t.start_ns[s] >= ps && t.start_ns[s] + t.duration_ns[s] <= pe;
            if delta[s] == 0 {
                // Left: it was where the rule wants it (or after its parent
                // ended), or too far.
                let fine = if waited && t.duration_ns[s] <= t.duration_ns[p] {
                    raw_inside || t.start_ns[s] >= pe
                } else {
                    t.start_ns[s] >= ps
                };
                if !fine {
                    refusals += 1;
                }
            } else if waited && t.duration_ns[s] <= t.duration_ns[p] {
                // Centred in its parent where it now is.
                prop_assert!(!raw_inside);
                prop_assert!(start(s) >= ps && start(s) + t.duration_ns[s] <= pe);
                let gap_before = start(s) - ps;
                let gap_after = pe - start(s) - t.duration_ns[s];
                prop_assert!((gap_before - gap_after).abs() <= 1);
            } else {
                // Moved only to its parent's start.
                prop_assert_eq!(start(s), ps);
            }
        }
        prop_assert_eq!(refusals, refused);
    }

    #[test]
    fn shifts_made_in_parts_are_the_ones_made_at_once((ds, t) in random_trace(), part in 1usize..50) {
        let in_parts = |last: &mut dyn FnMut(clock::ShiftsBuilder)| {
            let mut b = clock::ShiftsBuilder::new(&t, 300_000);
            let mut steps = 1;
            while !b.step(&ds, &t, part) {
                steps += 1;
            }
            // Placing, then sorting the children lists: a part each.
            assert!(steps <= 2 * t.len().div_ceil(part), "{steps} steps of {part}");
            last(b);
        };
        let mut shifts = None;
        in_parts(&mut |b| shifts = Some(b.shifts()));
        prop_assert_eq!(shifts.unwrap(), clock::shifts(&ds, &t, 300_000));
        let mut reading = None;
        in_parts(&mut |b| reading = Some(b.finish(&t)));
        let at_once = clock::adjusted(&ds, &t, 300_000);
        let reading = reading.unwrap();
        prop_assert_eq!((&reading.start_ns, &reading.order, reading.refused), (&at_once.start_ns, &at_once.order, at_once.refused));
    }

    #[test]
    fn the_adjusted_tree_is_the_one_its_times_build((ds, t) in random_trace()) {
        let other = clock::adjusted(&ds, &t, MAX_SHIFT_NS);
        prop_assume!(!other.start_ns.is_empty());
        let mut built = t.clone();
        built.start_ns.copy_from_slice(&other.start_ns);
        built.flags.iter_mut().for_each(|f| *f &= !(flags::ORPHAN | flags::DUPLICATE_ID | flags::CYCLE_BROKEN));
        tree::build(&mut built);
        // Swapped in and back: the trace as it was.
        let mut shown = t.clone();
        shown.set_other_clock(other);
        shown.swap_clock();
        prop_assert!(shown.clock_adjusted());
        prop_assert_eq!(&shown.tree, &built.tree);
        shown.swap_clock();
        prop_assert_eq!((&shown.start_ns, &shown.tree), (&t.start_ns, &t.tree));
    }
}

#[test]
fn zipkin_lens_skew_file_is_corrected_as_zipkin_corrects_it() {
    // The server half of "post" (serviceb, 192.0.0.0) starts 65,441 µs
    // before its client half (servicea, 127.0.0.0). Zipkin splits the
    // 962 µs the client waited beyond the server evenly: the server starts
    // 481 µs after the client, +65,922 µs; "async" on the server's host
    // moves with it.
    let ds = common::decode_file("zipkin/zipkin-lens-skew.json");
    let t = &ds.traces[0];
    let (delta, refused) = clock::shifts(&ds, t, MAX_SHIFT_NS);
    let mut moved: Vec<(&str, &str, i64)> = (0..t.len())
        .filter(|&s| delta[s] != 0)
        .map(|s| (ds.str(t.service[s]), ds.str(t.name[s]), delta[s]))
        .collect();
    moved.sort();
    assert_eq!(
        moved,
        [
            ("serviceb", "async", 65_922_000),
            ("serviceb", "post", 65_922_000)
        ]
    );
    assert_eq!(refused, 0);
}
