//! Insights against hand-built traces that must and must not show them, and
//! proptests that no detector panics or names spans outside its trace.

mod common;
use common::{jaeger_dataset, jaeger_refs};
use proptest::prelude::*;
use tracescope_core::analysis::clock;
use tracescope_core::analysis::insights::{
    insights, normalize_target, InsightKind, InsightsBuilder, Thresholds, SPAN_PART,
};
use tracescope_core::Dataset;

/// One span: (id, parent, service, operation, start µs, duration µs,
/// error, statement).
type Span<'a> = (&'a str, &'a str, &'a str, &'a str, i64, i64, bool, &'a str);

/// A Jaeger trace of these spans, each child a client call.
fn trace(spans: &[Span]) -> Dataset {
    trace_of_kind(spans, Some("client"))
}

/// The same, children of span kind `kind` (none: unspecified).
fn trace_of_kind(spans: &[Span], kind: Option<&str>) -> Dataset {
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .map(|(id, parent, svc, op, start, dur, error, stmt)| {
            let mut tags = vec![serde_json::json!({"key": "error", "type": "bool", "value": error})];
            if let (false, Some(kind)) = (parent.is_empty(), kind) {
                tags.push(serde_json::json!({"key": "span.kind", "type": "string", "value": kind}));
            }
            if !stmt.is_empty() {
                tags.push(serde_json::json!({"key": "db.statement", "type": "string", "value": stmt}));
            }
            serde_json::json!({"traceID": "t1", "spanID": id, "operationName": op, "startTime": start, "duration": dur,
                "references": jaeger_refs("t1", parent, "CHILD_OF"), "tags": tags, "process": {"serviceName": svc}})
        })
        .collect();
    jaeger_dataset(vec![serde_json::json!({"traceID": "t1", "spans": spans})])
}

/// The N+1 findings alone (other detectors may see more in the same spans).
fn n_plus_one(ds: &Dataset) -> Vec<(InsightKind, usize)> {
    kinds(ds)
        .into_iter()
        .filter(|k| k.0 == InsightKind::NPlusOne)
        .collect()
}

fn kinds(ds: &Dataset) -> Vec<(InsightKind, usize)> {
    insights(ds, &ds.traces[0], Thresholds::default())
        .iter()
        .map(|i| (i.kind, i.count))
        .collect()
}

#[test]
fn n_plus_one_needs_three_calls_of_one_statement_under_one_parent() {
    let q = |id: &'static str,
             start,
             sku: &'static str|
     -> (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        i64,
        i64,
        bool,
        &'static str,
    ) { (id, "a", "db", "SELECT", start, 10, false, sku) };
    let root = ("a", "", "api", "GET /order", 0, 100, false, "");
    // Three selects that differ only in their literal: N+1, 30 µs in all, 20 µs to save.
    let ds = trace(&[
        root,
        q("b", 10, "SELECT * FROM item WHERE sku = 'A1'"),
        q("c", 30, "SELECT * FROM item WHERE sku = 'B2'"),
        q("d", 50, "SELECT * FROM item WHERE sku = 'C''3'"),
    ]);
    let found = insights(&ds, &ds.traces[0], Thresholds::default());
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].kind, found[0].count, found[0].saving_ns),
        (InsightKind::NPlusOne, 3, 20_000)
    );
    assert_eq!(
        found[0].message,
        "N+1: api GET /order calls db SELECT 3× (30µs of calls, 30% of it)"
    );
    // Two are not N+1.
    assert_eq!(
        n_plus_one(&trace(&[
            root,
            q("b", 10, "SELECT 1"),
            q("c", 30, "SELECT 1")
        ])),
        []
    );
    // Three different statements are not N+1.
    assert_eq!(
        n_plus_one(&trace(&[
            root,
            q("b", 10, "SELECT * FROM a"),
            q("c", 30, "SELECT * FROM b"),
            q("d", 50, "SELECT * FROM c")
        ])),
        []
    );
    // Three at once (overlapping): nothing to save by batching them.
    let ds = trace(&[
        root,
        q("b", 10, "SELECT 1"),
        q("c", 10, "SELECT 1"),
        q("d", 12, "SELECT 1"),
    ]);
    let found = insights(&ds, &ds.traces[0], Thresholds::default());
    let n1 = found
        .iter()
        .find(|i| i.kind == InsightKind::NPlusOne)
        .unwrap();
    assert_eq!((n1.count, n1.saving_ns), (3, 2_000));
    // Spans that are no calls (no client kind, no target) are not N+1: a loop's iterations.
    let tick = |id: &'static str, start| (id, "a", "app", "RunTask", start, 10, false, "");
    let ticks = [root, tick("b", 10), tick("c", 30), tick("d", 50)];
    assert_eq!(n_plus_one(&trace_of_kind(&ticks, None)), []);
    assert_eq!(n_plus_one(&trace_of_kind(&ticks, Some("internal"))), []);
    // The same three as client calls are.
    assert_eq!(n_plus_one(&trace(&ticks)), [(InsightKind::NPlusOne, 3)]);
    // Three under different parents are not N+1.
    let ds = trace(&[
        root,
        ("p", "a", "api", "step", 0, 50, false, ""),
        q("b", 10, "SELECT 1"),
        q("c", 30, "SELECT 1"),
        ("d", "p", "db", "SELECT", 5, 10, false, "SELECT 1"),
    ]);
    assert_eq!(n_plus_one(&ds), []);
}

#[test]
fn a_retry_is_a_failure_then_a_success() {
    let call =
        |id: &'static str, start, error| (id, "a", "pay", "POST /charge", start, 20, error, "");
    let root = ("a", "", "api", "checkout", 0, 100, false, "");
    let b = call("b", 0, true);
    let c = call("c", 30, false);
    let ds = trace(&[root, b, c]);
    let found = insights(&ds, &ds.traces[0], Thresholds::default());
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].kind, found[0].count, found[0].saving_ns),
        (InsightKind::Retry, 2, 20_000)
    );
    assert_eq!(
        found[0].message,
        "Retry: pay POST /charge 2× under api checkout; 1 failed, 20µs lost"
    );
    // Never failed: no retry. Failed every time: no retry either (it never worked).
    let ok1 = call("b", 0, false);
    assert_eq!(kinds(&trace(&[root, ok1, c])), []);
    let bad2 = call("c", 30, true);
    assert_eq!(kinds(&trace(&[root, b, bad2])), []);
    // The success before the failure is not a recovery.
    let ok_first = call("b", 0, false);
    let fail_last = call("c", 30, true);
    assert_eq!(kinds(&trace(&[root, ok_first, fail_last])), []);
    // A retry's calls are said there, not again as serial calls with the
    // call after them.
    let after = ("d", "a", "stock", "GET /item", 60, 20, false, "");
    assert_eq!(
        kinds(&trace(&[root, b, c, after])),
        [(InsightKind::Retry, 2)]
    );
}

#[test]
fn clock_skew_is_another_service_outside_its_parent_where_it_would_fit() {
    let root = ("a", "", "api", "GET /", 100, 100, false, "");
    // Starts 5 µs before its parent, on another service: skew.
    let ds = trace(&[root, ("b", "a", "db", "q", 95, 10, false, "")]);
    let found = insights(&ds, &ds.traces[0], Thresholds::default());
    assert_eq!((found[0].kind, found[0].count), (InsightKind::ClockSkew, 1));
    assert_eq!(
        found[0].message,
        "Clock skew: 1 span of db outside api parent by up to 5µs"
    );
    // Ends 10 µs after, though it would fit: skew.
    assert_eq!(
        kinds(&trace(&[root, ("b", "a", "db", "q", 190, 20, false, "")])),
        [(InsightKind::ClockSkew, 1)]
    );
    // Longer than its parent and ending after it: async work, not skew.
    assert_eq!(
        kinds(&trace(&[root, ("b", "a", "db", "q", 150, 120, false, "")])),
        []
    );
    // The same service starting early: one clock, so no skew claimed.
    assert_eq!(
        kinds(&trace(&[root, ("b", "a", "api", "q", 95, 10, false, "")])),
        []
    );
    // Starting after its parent ended: maybe work handed on, not skew.
    assert_eq!(
        kinds(&trace(&[root, ("b", "a", "db", "q", 250, 10, false, "")])),
        []
    );
    // Inside its parent: nothing.
    assert_eq!(
        kinds(&trace(&[root, ("b", "a", "db", "q", 120, 10, false, "")])),
        []
    );
}

#[test]
fn calls_and_clock_skew_are_found_in_parts_across_a_large_trace() {
    // Every child is a client call of one kind, but two spans of another
    // service that start before their parent, one in the first part of the
    // spans looked at and one in the second.
    let n = SPAN_PART + 3;
    let parents: Vec<Option<usize>> = (0..n).map(|i| (i > 0).then_some(0)).collect();
    let mut starts = vec![1_100; n];
    starts[0] = 1_000;
    let skewed = [5, SPAN_PART + 1];
    for s in skewed {
        starts[s] = 500;
    }
    let mut t = tracescope_core::synth::trace_with(&parents, &starts, &[1_000, 10]);
    let mut ds = Dataset::default();
    let (a, b) = (ds.strings.intern("a"), ds.strings.intern("b"));
    t.service.iter_mut().for_each(|s| *s = a);
    for s in skewed {
        t.service[s] = b;
    }
    t.kind[1..].fill(tracescope_core::model::SpanKind::Client);
    let mut builder = InsightsBuilder::new(Thresholds::default());
    let mut steps = 1;
    while !builder.step(&ds, &t) {
        steps += 1;
    }
    // The calls, the cache reads and clock skew take two steps each.
    assert_eq!(steps, 3 + 3 * n.div_ceil(SPAN_PART));
    let found = builder.finish();
    let calls: Vec<_> = found
        .iter()
        .filter(|i| i.kind == InsightKind::NPlusOne)
        .collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].count, n - 3);
    let skew: Vec<_> = found
        .iter()
        .filter(|i| i.kind == InsightKind::ClockSkew)
        .collect();
    assert_eq!(skew.len(), 1);
    assert_eq!(skew[0].spans, skewed.map(|s| s as u32));
    assert_eq!(
        skew[0].message,
        "Clock skew: 2 spans of b outside a parents by up to 500ns"
    );
    assert_eq!(found, insights(&ds, &t, Thresholds::default()));
}

#[test]
fn targets_compare_without_their_arguments() {
    assert_eq!(
        normalize_target("SELECT * FROM t WHERE a = 42 AND b = 'x''y'"),
        "SELECT * FROM t WHERE a = ? AND b = ?"
    );
    assert_eq!(
        normalize_target("/orders/1234/items/9f8e7d6c-aaaa"),
        "/orders/{id}/items/{id}"
    );
    assert_eq!(normalize_target("GET /v2/users"), "GET /v2/users");
    assert_eq!(
        normalize_target("SELECT col1 FROM t2"),
        "SELECT col1 FROM t2"
    );
}

proptest! {
    #[test]
    fn detectors_never_panic_nor_name_spans_outside_the_trace((ds, t) in common::random::traces()) {
        for i in insights(&ds, &t, Thresholds::default()) {
            prop_assert!(i.count == i.spans.len() && i.count >= 1);
            prop_assert!(i.spans.iter().all(|&s| (s as usize) < t.len()));
            prop_assert!(i.saving_ns >= 0);
            if i.kind == InsightKind::ClockSkew {
                // Each outside a parent on another clock.
                for &s in &i.spans {
                    let p = t.tree.parent_of(s as usize).unwrap();
                    let s = s as usize;
                    prop_assert!(clock::differ(&ds, &t, p, s));
                    prop_assert!(t.start_ns[s] < t.start_ns[p] || t.end_ns(s) > t.end_ns(p));
                }
            } else {
                // Siblings: one parent.
                prop_assert!(i.count >= 2);
                let p = t.tree.parent_of(i.spans[0] as usize);
                prop_assert!(p.is_some() && i.spans.iter().all(|&s| t.tree.parent_of(s as usize) == p));
            }
        }
    }

    /// The page finds them a stage per task: the same insights, in six
    /// steps.
    #[test]
    fn stepped_the_insights_are_the_same((ds, t) in common::random::traces()) {
        let mut b = InsightsBuilder::new(Thresholds::default());
        let mut steps = 1;
        while !b.step(&ds, &t) {
            steps += 1;
        }
        prop_assert_eq!(steps, 6);
        prop_assert_eq!(b.finish(), insights(&ds, &t, Thresholds::default()));
    }

    #[test]
    fn normalizing_any_text_never_panics(s in "\\PC{0,60}") {
        let _ = normalize_target(&s);
    }
}

#[test]
fn serial_calls_run_one_after_another_and_are_not_all_of_one_kind() {
    let root = ("a", "", "api", "GET /cart", 0, 200, false, "");
    let call = |id: &'static str, svc: &'static str, start, dur| -> Span<'static> {
        (id, "a", svc, "GET", start, dur, false, "")
    };
    // Three calls to three services, each after the last: 10 + 30 + 20 µs,
    // at once 30 µs; 30 µs to save.
    let ds = trace(&[
        root,
        call("b", "cart", 10, 10),
        call("c", "price", 20, 30),
        call("d", "stock", 60, 20),
    ]);
    let found = insights(&ds, &ds.traces[0], Thresholds::default());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].kind, found[0].count, found[0].saving_ns),
        (InsightKind::SerialCalls, 3, 30_000)
    );
    assert_eq!(
        found[0].message,
        "Serial calls: 3 calls under api GET /cart ran one after another (60µs); at once, if they do not depend on each other, 30µs less"
    );
    // A microsecond of overlap is the timestamps' rounding: still one after another.
    assert_eq!(
        kinds(&trace(&[
            root,
            call("b", "cart", 10, 10),
            call("c", "price", 19, 30),
            call("d", "stock", 49, 20)
        ])),
        [(InsightKind::SerialCalls, 3)]
    );
    // Starting 0.3 ms before the last call ended, at a whole millisecond (a
    // Date.now() start, as the OpenTelemetry JS SDK writes): one after
    // another. A microsecond later, not a whole millisecond: overlapping.
    let ms_calls = |c_start| {
        trace(&[
            ("a", "", "api", "GET /cart", 1_000_000, 40_000, false, ""),
            call("b", "cart", 1_001_300, 10_000),
            call("c", "price", c_start, 10_000),
            call("d", "stock", 1_021_500, 10_000),
        ])
    };
    assert_eq!(kinds(&ms_calls(1_011_000)), [(InsightKind::SerialCalls, 3)]);
    assert_eq!(kinds(&ms_calls(1_011_001)), []);
    // A whole millisecond never makes calls that overlap by half serial.
    assert_eq!(kinds(&ms_calls(1_006_000)), []);
    // Overlapping (the second starts before the first ends): not serial.
    assert_eq!(
        kinds(&trace(&[
            root,
            call("b", "cart", 10, 10),
            call("c", "price", 15, 30),
            call("d", "stock", 60, 20)
        ])),
        []
    );
    // Two in a row are below the threshold; a fourth after an overlap starts a new run.
    assert_eq!(
        kinds(&trace(&[
            root,
            call("b", "cart", 10, 10),
            call("c", "price", 20, 30)
        ])),
        []
    );
    let four = [
        root,
        call("b", "cart", 10, 10),
        call("c", "price", 15, 10),
        call("d", "stock", 25, 10),
        call("e", "tax", 40, 10),
    ];
    let found = insights(
        &trace(&four),
        &trace(&four).traces[0],
        Thresholds::default(),
    );
    assert_eq!(
        found
            .iter()
            .map(|i| (i.kind, i.spans.clone()))
            .collect::<Vec<_>>(),
        [(InsightKind::SerialCalls, vec![2, 3, 4])]
    );
    // All of one kind one after another: that is an N+1, not serial calls.
    assert_eq!(
        kinds(&trace(&[
            root,
            call("b", "cart", 10, 10),
            call("c", "cart", 20, 10),
            call("d", "cart", 30, 10)
        ])),
        [(InsightKind::NPlusOne, 3)]
    );
    // Under different parents: not siblings, not serial.
    let ds = trace(&[
        root,
        ("p", "a", "api", "step", 0, 100, false, ""),
        call("b", "cart", 10, 10),
        ("c", "p", "price", "GET", 20, 10, false, ""),
        call("d", "stock", 40, 10),
    ]);
    assert_eq!(kinds(&ds), []);
}

#[test]
fn duplicate_calls_are_the_same_call_arguments_and_all_answered_twice() {
    let root = ("a", "", "api", "GET /order", 0, 200, false, "");
    let q = |id: &'static str, start, error, stmt: &'static str| -> Span<'static> {
        (id, "a", "db", "SELECT", start, 10, error, stmt)
    };
    // The same statement twice, at once: 10 µs on the repeat.
    let ds = trace(&[
        root,
        q("b", 10, false, "SELECT * FROM user WHERE id = 7"),
        q("c", 10, false, "SELECT * FROM user WHERE id = 7"),
    ]);
    let found = insights(&ds, &ds.traces[0], Thresholds::default());
    assert_eq!(
        found
            .iter()
            .map(|i| (i.kind, i.count, i.saving_ns))
            .collect::<Vec<_>>(),
        [(InsightKind::DuplicateCalls, 2, 10_000)]
    );
    assert_eq!(
        found[0].message,
        "Duplicate calls: db SELECT SELECT * FROM user WHERE id = 7 made 2× with the same arguments; 10µs spent on the repeats"
    );
    // Values bound later (`?`, `$1`) are not shown: nothing says they were the same.
    for bound in [
        "SELECT * FROM user WHERE id = ?",
        "SELECT * FROM user WHERE id = $1",
    ] {
        assert_eq!(
            kinds(&trace(&[
                root,
                q("b", 10, false, bound),
                q("c", 10, false, bound)
            ])),
            [],
            "{bound}"
        );
    }
    // Other arguments: not the same call.
    assert_eq!(
        kinds(&trace(&[
            root,
            q("b", 10, false, "SELECT * FROM user WHERE id = 7"),
            q("c", 10, false, "SELECT * FROM user WHERE id = 8")
        ])),
        []
    );
    // A failed attempt and its retry: a retry, not a duplicate.
    let ds = trace(&[
        root,
        q("b", 10, true, "SELECT 1"),
        q("c", 30, false, "SELECT 1"),
    ]);
    assert_eq!(kinds(&ds), [(InsightKind::Retry, 2)]);
    // Calls that name no target are never duplicates: nothing shows they asked the same.
    let bare = |id: &'static str, start| -> Span<'static> {
        (id, "a", "db", "SELECT", start, 10, false, "")
    };
    assert_eq!(kinds(&trace(&[root, bare("b", 10), bare("c", 10)])), []);
    // Anywhere in the trace, not only among siblings.
    let ds = trace(&[
        root,
        ("p", "a", "api", "step", 0, 100, false, ""),
        q("b", 10, false, "SELECT 1"),
        ("c", "p", "db", "SELECT", 20, 10, false, "SELECT 1"),
    ]);
    assert_eq!(kinds(&ds), [(InsightKind::DuplicateCalls, 2)]);
}

/// One span with tags: (id, parent, service, operation, start µs,
/// duration µs, tags).
type Tagged<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    i64,
    i64,
    &'a [(&'a str, &'a str)],
);

fn tagged_trace(spans: &[Tagged]) -> Dataset {
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .map(|(id, parent, svc, op, start, dur, tags)| {
            let tags: Vec<serde_json::Value> = tags
                .iter()
                .map(|(k, v)| serde_json::json!({"key": k, "type": "string", "value": v}))
                .collect();
            serde_json::json!({"traceID": "t1", "spanID": id, "operationName": op, "startTime": start, "duration": dur,
                "references": jaeger_refs("t1", parent, "CHILD_OF"), "tags": tags, "process": {"serviceName": svc}})
        })
        .collect();
    jaeger_dataset(vec![serde_json::json!({"traceID": "t1", "spans": spans})])
}

fn cache_findings(ds: &Dataset) -> Vec<(usize, i64, Vec<u32>, String)> {
    insights(ds, &ds.traces[0], Thresholds::default())
        .into_iter()
        .filter(|i| i.kind == InsightKind::Cache)
        .map(|i| (i.count, i.saving_ns, i.spans, i.message))
        .collect()
}

#[test]
fn cache_hits_and_misses_are_what_the_trace_says() {
    let redis: &[(&str, &str)] = &[("db.system", "redis"), ("product.sku", "SKU-1")];
    let mysql: &[(&str, &str)] = &[("db.system", "mysql"), ("product.sku", "SKU-1")];
    let other_sku: &[(&str, &str)] = &[("db.system", "mysql"), ("product.sku", "SKU-2")];
    let root = ("a", "", "api", "GET /price", 0, 1000, &[][..]);
    // A GET, then a database read of the same key once it is over: a miss,
    // and the read's 300 µs is the time at stake.
    let ds = tagged_trace(&[
        root,
        ("b", "a", "redis", "GET price", 10, 20, redis),
        ("c", "a", "catalog", "SELECT product", 40, 300, mysql),
    ]);
    let found = cache_findings(&ds);
    assert_eq!(found.len(), 1, "{found:?}");
    let (count, saving, spans, message) = &found[0];
    assert_eq!((*count, *saving), (1, 300_000));
    let ids: Vec<String> = spans
        .iter()
        .map(|&s| ds.span_id(&ds.traces[0], s as usize).to_string())
        .collect();
    assert_eq!(ids, ["b", "c"]);
    assert!(message.contains("0 hits and 1 misses"), "{message}");
    // Another key, a read that began before the GET ended, or the database
    // read first (a cache filled after it): no miss is shown.
    for ds in [
        tagged_trace(&[
            root,
            ("b", "a", "redis", "GET price", 10, 20, redis),
            ("c", "a", "catalog", "SELECT product", 40, 300, other_sku),
        ]),
        tagged_trace(&[
            root,
            ("b", "a", "redis", "GET price", 10, 20, redis),
            ("c", "a", "catalog", "SELECT product", 25, 300, mysql),
        ]),
        tagged_trace(&[
            root,
            ("c", "a", "catalog", "SELECT product", 10, 300, mysql),
            ("b", "a", "redis", "GET price", 320, 20, redis),
        ]),
    ] {
        assert_eq!(cache_findings(&ds), vec![], "a miss claimed");
    }
    // A SET is not a read, whatever follows.
    let ds = tagged_trace(&[
        root,
        ("b", "a", "redis", "SET price", 10, 20, redis),
        ("c", "a", "catalog", "SELECT product", 40, 300, mysql),
    ]);
    assert_eq!(cache_findings(&ds), vec![]);
}

#[test]
fn cache_hit_attributes_give_the_hit_rate() {
    let hit: &[(&str, &str)] = &[("cache.hit", "true")];
    let miss: &[(&str, &str)] = &[("app.cache.hit", "false")];
    let ds = tagged_trace(&[
        ("a", "", "api", "GET /user", 0, 1000, &[]),
        ("b", "a", "api", "cache lookup", 10, 5, hit),
        ("c", "a", "api", "cache lookup", 20, 5, hit),
        ("d", "a", "api", "cache lookup", 30, 5, hit),
        ("e", "a", "api", "cache lookup", 40, 5, miss),
        // A read with no word of the outcome: counted, but not as a hit.
        (
            "f",
            "a",
            "api",
            "cache lookup",
            50,
            5,
            &[("db.system", "redis"), ("db.statement", "GET user:1")],
        ),
    ]);
    let found = cache_findings(&ds);
    assert_eq!(found.len(), 1, "{found:?}");
    let (count, saving, spans, message) = &found[0];
    assert_eq!((*count, *saving, spans.len()), (5, 0, 4), "{message}");
    assert!(
        message.contains("3 hits and 1 misses where the trace says (75% hits)"),
        "{message}"
    );
}

/// A trace's JSON: (id, parent, service, operation, start µs, duration µs,
/// error, statement), each child a client call.
fn trace_json(trace: &str, spans: &[Span]) -> serde_json::Value {
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .map(|(id, parent, svc, op, start, dur, error, stmt)| {
            let mut tags = vec![serde_json::json!({"key": "error", "type": "bool", "value": error})];
            if !parent.is_empty() {
                tags.push(serde_json::json!({"key": "span.kind", "type": "string", "value": "client"}));
            }
            if !stmt.is_empty() {
                tags.push(serde_json::json!({"key": "db.statement", "type": "string", "value": stmt}));
            }
            serde_json::json!({"traceID": trace, "spanID": format!("{trace}{id}"), "operationName": op, "startTime": start,
                "duration": dur, "references": jaeger_refs(trace, &if parent.is_empty() { String::new() } else { format!("{trace}{parent}") }, "CHILD_OF"),
                "tags": tags, "process": {"serviceName": svc}})
        })
        .collect();
    serde_json::json!({"traceID": trace, "spans": spans})
}

#[test]
fn across_traces_the_same_finding_is_one_line_naming_how_many_traces_have_it() {
    use tracescope_core::analysis::insights::{across, AcrossBuilder};
    let root = ("a", "", "api", "GET /order", 0, 100, false, "");
    // Selects that differ only in their literal (the same would be duplicates too).
    let q = |id: &'static str, start: i64| -> Span<'static> {
        let stmt = match id {
            "b" => "SELECT * FROM item WHERE sku = 'B'",
            "c" => "SELECT * FROM item WHERE sku = 'C'",
            "d" => "SELECT * FROM item WHERE sku = 'D'",
            "e" => "SELECT * FROM item WHERE sku = 'E'",
            _ => "SELECT * FROM item WHERE sku = 'F'",
        };
        (id, "a", "db", "SELECT", start, 10, false, stmt)
    };
    // Three and five selects in two traces (20 and 40 µs to save), none in the third;
    // a retry in the third and fourth.
    let retry = |t: &str| {
        trace_json(
            t,
            &[
                root,
                ("b", "a", "pay", "POST /charge", 0, 10, true, ""),
                ("c", "a", "pay", "POST /charge", 20, 10, false, ""),
            ],
        )
    };
    let ds = jaeger_dataset(vec![
        trace_json("a1", &[root, q("b", 10), q("c", 30), q("d", 50)]),
        trace_json(
            "a2",
            &[
                root,
                q("b", 10),
                q("c", 25),
                q("d", 40),
                q("e", 55),
                q("f", 70),
            ],
        ),
        retry("a3"),
        retry("a4"),
    ]);
    let found = across(&ds, &ds.traces, Thresholds::default());
    let lines: Vec<(InsightKind, Vec<u32>, usize, i64, String)> = found
        .iter()
        .map(|a| {
            (
                a.kind,
                a.traces.clone(),
                a.count,
                a.saving_ns,
                a.message(ds.traces.len()),
            )
        })
        .collect();
    // The trace of each finding, by its ID.
    let index = |ids: [&str; 2]| {
        let mut v: Vec<u32> = ids
            .iter()
            .map(|id| {
                ds.traces
                    .iter()
                    .position(|t| ds.trace_id(t) == *id)
                    .unwrap() as u32
            })
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(
        lines,
        [
            (InsightKind::NPlusOne, index(["a1", "a2"]), 8, 60_000,
                "N+1 calls: api GET /order calls db SELECT 4× in 2 of 4 traces; 30µs at stake a trace".to_string()),
            (InsightKind::Retry, index(["a3", "a4"]), 4, 20_000,
                "Retry: pay POST /charge under api GET /order 2× in 2 of 4 traces; 10µs at stake a trace".to_string()),
        ]
    );
    // A trace a step, or all at once: the same.
    let mut b = AcrossBuilder::new(Thresholds::default());
    let mut steps = 0;
    while !b.step(&ds, &ds.traces, 1) {
        steps += 1;
    }
    assert_eq!(steps, 3);
    assert_eq!(b.finish(), found);
}
