//! Analyses against hand-computed answers, and layout invariants.

mod common;
use common::{decode_file, jaeger_dataset, jaeger_refs};
use proptest::prelude::*;
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::analysis::flame::merge;
use tracescope_core::analysis::service_graph::service_graph;
use tracescope_core::analysis::stats::{
    attribute_keys, operation_stats, operation_stats_of, Bins, GroupBy,
};
use tracescope_core::layout::flame::{ancestry, merged_rects, FlameRect};
use tracescope_core::layout::service_map::layout;
use tracescope_core::{decode_bytes, Dataset};

/// A Jaeger trace from (id, parent, service, op, start µs, duration µs, refType).
fn jaeger(spans: &[(&str, &str, &str, &str, i64, i64, &str)]) -> Dataset {
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .map(|(id, parent, svc, op, start, dur, rt)| {
            serde_json::json!({"traceID": "t1", "spanID": id, "operationName": op, "startTime": start, "duration": dur,
                "references": jaeger_refs("t1", parent, rt), "process": {"serviceName": svc}})
        })
        .collect();
    jaeger_dataset(vec![serde_json::json!({"traceID": "t1", "spans": spans})])
}

/// Time on the critical path per span, in µs, by span id.
fn path_us(ds: &Dataset) -> Vec<(String, i64)> {
    let t = &ds.traces[0];
    let cp = critical_path(t);
    let mut v: Vec<(String, i64)> = (0..t.len())
        .map(|i| (ds.span_id(t, i).to_string(), cp.time_on_path[i] / 1000))
        .collect();
    v.sort();
    v
}

fn us(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = pairs.iter().map(|(a, b)| (a.to_string(), *b)).collect();
    v.sort();
    v
}

#[test]
fn critical_path_sequential_children() {
    // root 0..100; a 10..40; b 50..90 → root 10+10+10, a 30, b 40.
    let ds = jaeger(&[
        ("1", "", "s", "root", 0, 100, ""),
        ("a", "1", "s", "a", 10, 30, "CHILD_OF"),
        ("b", "1", "s", "b", 50, 40, "CHILD_OF"),
    ]);
    assert_eq!(path_us(&ds), us(&[("1", 30), ("a", 30), ("b", 40)]));
    let cp = critical_path(&ds.traces[0]);
    // Segments tile the root's duration in time order.
    assert_eq!(cp.segments.first().unwrap().start_ns, 0);
    assert_eq!(cp.segments.last().unwrap().end_ns, 100_000);
    assert!(cp.segments.windows(2).all(|w| w[0].end_ns == w[1].start_ns));
    // Per-span segments add up to the time on the path; the root has three stretches.
    for s in 0..ds.traces[0].len() {
        let sum: i64 = cp.segments_of(s).map(|g| g.end_ns - g.start_ns).sum();
        assert_eq!(sum, cp.time_on_path[s]);
    }
    let root = (0..3)
        .find(|&s| ds.traces[0].tree.parent_of(s).is_none())
        .unwrap();
    let root_segs: Vec<(i64, i64)> = cp
        .segments_of(root)
        .map(|g| (g.start_ns, g.end_ns))
        .collect();
    assert_eq!(
        root_segs,
        vec![(0, 10_000), (40_000, 50_000), (90_000, 100_000)]
    );
}

#[test]
fn critical_path_parallel_children() {
    // a 10..80 finishes last; b 20..60 runs under it and is not on the path.
    let ds = jaeger(&[
        ("1", "", "s", "root", 0, 100, ""),
        ("a", "1", "s", "a", 10, 70, "CHILD_OF"),
        ("b", "1", "s", "b", 20, 40, "CHILD_OF"),
    ]);
    assert_eq!(path_us(&ds), us(&[("1", 30), ("a", 70), ("b", 0)]));
}

#[test]
fn critical_path_clips_an_overhanging_child() {
    // a 50..150 under root 0..100: clipped to 50..100.
    let ds = jaeger(&[
        ("1", "", "s", "root", 0, 100, ""),
        ("a", "1", "s", "a", 50, 100, "CHILD_OF"),
    ]);
    assert_eq!(path_us(&ds), us(&[("1", 50), ("a", 50)]));
}

#[test]
fn critical_path_skips_async_children() {
    // FOLLOWS_FROM child and a consumer under a producer do not block.
    let ds = jaeger(&[
        ("1", "", "s", "root", 0, 100, ""),
        ("f", "1", "s", "fire-and-forget", 10, 50, "FOLLOWS_FROM"),
        ("p", "1", "s", "publish", 60, 20, "CHILD_OF"),
    ]);
    assert_eq!(path_us(&ds), us(&[("1", 80), ("f", 0), ("p", 20)]));
    let mut ds = Dataset::default();
    let otlp = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"01","spanId":"01","name":"root","kind":2,"startTimeUnixNano":"0","endTimeUnixNano":"100"},
      {"traceId":"01","spanId":"02","parentSpanId":"01","name":"send","kind":4,"startTimeUnixNano":"10","endTimeUnixNano":"20"},
      {"traceId":"01","spanId":"03","parentSpanId":"02","name":"process","kind":5,"startTimeUnixNano":"12","endTimeUnixNano":"18"}]}]}]}"#;
    decode_bytes(&mut ds, otlp.as_bytes()).unwrap();
    let cp = critical_path(&ds.traces[0]);
    assert_eq!(cp.time_on_path, vec![90, 10, 0]);
}

#[test]
fn critical_path_of_the_jaeger_ui_test_trace() {
    // The file carries Jaeger UI's own expected answer: [S1] O1 40, O2 20, O3 10, O4 30 (µs).
    let ds = decode_file("jaeger/jaeger-ui-TraceCriticalPath-testTrace.json");
    let t = &ds.traces[0];
    let cp = critical_path(t);
    let by_name: Vec<(String, i64)> = (0..t.len())
        .map(|i| {
            (
                format!("[{}] {}", ds.str(t.service[i]), ds.str(t.name[i])),
                cp.time_on_path[i] / 1000,
            )
        })
        .collect();
    assert_eq!(
        by_name,
        vec![
            ("[S1] O1".into(), 40),
            ("[S2] O2".into(), 20),
            ("[S3] O3".into(), 10),
            ("[S4] O4".into(), 30)
        ]
    );
}

#[test]
fn merged_flame_combines_siblings_with_the_same_path() {
    let ds = jaeger(&[
        ("1", "", "web", "GET /", 0, 100, ""),
        ("a", "1", "db", "SELECT", 0, 10, "CHILD_OF"),
        ("b", "1", "db", "SELECT", 20, 20, "CHILD_OF"),
        ("c", "1", "db", "SELECT", 50, 30, "CHILD_OF"),
        ("d", "1", "cache", "GET", 90, 5, "CHILD_OF"),
    ]);
    let f = merge(ds.traces.iter().map(Box::as_ref));
    // virtual root, GET /, db SELECT, cache GET.
    assert_eq!(f.nodes.len(), 4);
    let select = f.nodes.iter().find(|n| ds.str(n.name) == "SELECT").unwrap();
    assert_eq!(
        (select.count, select.total_ns, select.self_ns),
        (3, 60_000, 60_000)
    );
    let root = &f.nodes[1];
    assert_eq!((root.total_ns, root.self_ns), (100_000, 35_000));
    // Widest child first.
    assert_eq!(ds.str(f.nodes[root.children[0] as usize].name), "SELECT");
    // Over two copies of the trace, counts and totals double.
    let two = merge([&*ds.traces[0], &*ds.traces[0]]);
    assert_eq!(two.nodes.len(), 4);
    assert_eq!(
        two.nodes
            .iter()
            .find(|n| ds.str(n.name) == "SELECT")
            .unwrap()
            .count,
        6
    );
    assert_eq!(
        ancestry(&f, f.nodes[1].children[0]),
        vec![0, 1, f.nodes[1].children[0]]
    );
}

/// (caller, callee, calls, errors)
type Edge = (&'static str, &'static str, usize, usize);

#[test]
fn service_graph_edges_of_the_tempo_files() {
    // Counted by hand from the files' parentSpanId links.
    let cases: &[(&str, &[Edge])] = &[
        (
            "otlp/tempo-servicegraphs-trace-with-expired-edges.json",
            &[("mythical-server", "mythical-requester", 2, 0)],
        ),
        (
            "otlp/tempo-servicegraphs-trace-with-failed-requests.json",
            &[("mythical-requester", "mythical-server", 1, 1)],
        ),
        (
            "otlp/tempo-servicegraphs-trace-with-queue-database.json",
            &[
                ("mythical-requester", "mythical-recorder", 1, 0),
                ("mythical-requester", "mythical-server", 1, 0),
            ],
        ),
        (
            "otlp/tempo-servicegraphs-trace-with-virtual-nodes.json",
            &[("mythical-server", "mythical-requester", 1, 0)],
        ),
    ];
    for (file, want) in cases {
        let ds = decode_file(file);
        let g = service_graph(ds.traces.iter().map(Box::as_ref));
        let mut got: Vec<(&str, &str, usize, usize)> = g
            .edges
            .iter()
            .map(|e| {
                (
                    ds.str(g.nodes[e.from].service),
                    ds.str(g.nodes[e.to].service),
                    e.calls,
                    e.errors,
                )
            })
            .collect();
        got.sort();
        assert_eq!(&got, want, "{file}");
        let spans: usize = g.nodes.iter().map(|n| n.spans).sum();
        assert_eq!(spans, ds.span_count(), "{file}");
    }
}

#[test]
fn operation_stats_by_hand() {
    // db SELECT: 10, 20, 30 µs; one error.
    let ds = jaeger(&[
        ("1", "", "web", "GET /", 0, 100, ""),
        ("a", "1", "db", "SELECT", 0, 10, "CHILD_OF"),
        ("b", "1", "db", "SELECT", 20, 30, "CHILD_OF"),
        ("c", "1", "db", "SELECT", 60, 20, "CHILD_OF"),
    ]);
    let s = operation_stats(
        &ds,
        ds.traces.iter().map(Box::as_ref),
        &GroupBy::ServiceOperation,
    );
    assert_eq!(s.len(), 2);
    let sel = &s[0];
    assert_eq!(
        (sel.service.as_str(), sel.operation.as_str(), sel.count),
        ("db", "SELECT", 3)
    );
    assert_eq!(
        (sel.min_ns, sel.p50_ns, sel.p90_ns, sel.p99_ns, sel.max_ns),
        (10_000, 20_000, 30_000, 30_000, 30_000)
    );
    assert_eq!((sel.total_ns, sel.avg_self_ns), (60_000, 20_000));
    let by_service = operation_stats(&ds, ds.traces.iter().map(Box::as_ref), &GroupBy::Service);
    assert_eq!(
        by_service
            .iter()
            .map(|s| (s.service.as_str(), s.count))
            .collect::<Vec<_>>(),
        vec![("db", 3), ("web", 1)]
    );
    let by_attr = operation_stats(
        &ds,
        ds.traces.iter().map(Box::as_ref),
        &GroupBy::Attribute("nope".into()),
    );
    assert_eq!(
        (
            by_attr.len(),
            by_attr[0].operation.as_str(),
            by_attr[0].count
        ),
        (1, "(none)", 4)
    );
    // Only the db spans: one row.
    let db = ds.strings.lookup("db");
    let only_db = operation_stats_of(
        &ds,
        ds.traces.iter().map(Box::as_ref),
        &GroupBy::ServiceOperation,
        db,
    );
    assert_eq!(only_db.len(), 1);
    assert_eq!(only_db[0].count, 3);
}

#[test]
fn attribute_keys_of_the_hotrod_trace() {
    let ds = decode_file("otlp/jaeger-apiv3-getTrace-response-hotrod.json");
    let keys = attribute_keys(&ds, &ds.traces);
    assert_eq!(keys.left_out, 0);
    let keys = keys.listed;
    // Span and resource keys, sorted, once each.
    assert!(keys.contains(&"service.name".to_string()), "{keys:?}");
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    // Grouping by one of them accounts for every span.
    let by = operation_stats(
        &ds,
        ds.traces.iter().map(Box::as_ref),
        &GroupBy::Attribute("service.name".into()),
    );
    assert_eq!(by.iter().map(|s| s.count).sum::<usize>(), ds.span_count());
}

/// Random traces: (parent index or none, duration) per span.
fn random_dataset(spec: &[(Option<usize>, i64)]) -> Dataset {
    let spans: Vec<(String, String, String, String, i64, i64)> = spec
        .iter()
        .enumerate()
        .map(|(i, (p, d))| {
            let parent = p
                .filter(|&p| p < i)
                .map(|p| format!("{:x}", p + 1))
                .unwrap_or_default();
            (
                format!("{:x}", i + 1),
                parent,
                format!("svc{}", i % 4),
                format!("op{}", i % 3),
                (i as i64) * 3,
                *d,
            )
        })
        .collect();
    let refs: Vec<(&str, &str, &str, &str, i64, i64, &str)> = spans
        .iter()
        .map(|(a, b, c, d, e, f)| {
            (
                a.as_str(),
                b.as_str(),
                c.as_str(),
                d.as_str(),
                *e,
                *f,
                "CHILD_OF",
            )
        })
        .collect();
    jaeger(&refs)
}

fn check_flame(
    rects: &[FlameRect],
    f: &tracescope_core::analysis::flame::MergedFlame,
) -> Result<(), TestCaseError> {
    let eps = 1e-6;
    for a in rects {
        for b in rects {
            if a.id != b.id && a.depth == b.depth {
                prop_assert!(
                    a.x + a.w <= b.x + eps || b.x + b.w <= a.x + eps,
                    "{a:?} overlaps {b:?}"
                );
            }
        }
        let parent = f.nodes[a.id as usize].parent;
        if let Some(p) = rects.iter().find(|r| r.id == parent) {
            prop_assert!(
                a.x >= p.x - eps && a.x + a.w <= p.x + p.w + eps,
                "{a:?} outside its parent {p:?}"
            );
            prop_assert_eq!(a.depth, p.depth + 1);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn flame_rects_never_overlap_and_nest(spec in proptest::collection::vec((proptest::option::of(0usize..40), 0i64..200), 1..40)) {
        let ds = random_dataset(&spec);
        let f = merge(ds.traces.iter().map(Box::as_ref));
        check_flame(&merged_rects(&f, 0, 0.0, 1000.0, 0.0), &f)?;
        // Focused on any frame, the same holds and the frame fills the width.
        let focus = (f.nodes.len() - 1) as u32;
        let r = merged_rects(&f, focus, 10.0, 500.0, 0.0);
        prop_assert_eq!((r[0].id, r[0].x, r[0].w, r[0].depth), (focus, 10.0, 500.0, 0));
        check_flame(&r, &f)?;
    }

    #[test]
    fn the_frames_table_lists_every_frame_once_each_subtree_together(spec in proptest::collection::vec((proptest::option::of(0usize..40), 0i64..200), 1..40)) {
        let ds = random_dataset(&spec);
        let f = merge(ds.traces.iter().map(Box::as_ref));
        let order = f.preorder();
        prop_assert_eq!(order.len(), f.nodes.len() - 1);
        let mut at = vec![usize::MAX; f.nodes.len()];
        for (i, &n) in order.iter().enumerate() {
            prop_assert_eq!(at[n as usize], usize::MAX, "frame {} listed twice", n);
            at[n as usize] = i;
        }
        // Each frame's children follow it, widest first, each right after
        // the whole subtree of the one before.
        let mut size = vec![1usize; f.nodes.len()];
        for &n in order.iter().rev() {
            let p = f.nodes[n as usize].parent as usize;
            if p != 0 {
                size[p] += size[n as usize];
            }
        }
        for &n in &order {
            let mut next = at[n as usize] + 1;
            for &c in &f.nodes[n as usize].children {
                prop_assert_eq!(at[c as usize], next);
                next += size[c as usize];
            }
        }
    }

    #[test]
    fn service_map_nodes_do_not_overlap(edges in proptest::collection::vec((0usize..12, 0usize..12), 0..30)) {
        use tracescope_core::analysis::service_graph::{ServiceEdge, ServiceGraph, ServiceNode};
        use tracescope_core::model::StrId;
        let n = edges.iter().flat_map(|(a, b)| [*a, *b]).max().map(|m| m + 1).unwrap_or(1);
        let g = ServiceGraph {
            nodes: (0..n).map(|i| ServiceNode { service: StrId(i as u32), members: 1, spans: 1, errors: 0 }).collect(),
            edges: edges.iter().map(|&(from, to)| ServiceEdge { from, to, calls: 1, errors: 0, p95_ns: 0 }).collect(),
        };
        let (w, h) = (150.0, 44.0);
        let l = layout(&g, w, h, 80.0, 24.0);
        for i in 0..n {
            for j in i + 1..n {
                let (a, b) = (l.centers[i], l.centers[j]);
                prop_assert!((a.0 - b.0).abs() >= w || (a.1 - b.1).abs() >= h, "nodes {i} {a:?} and {j} {b:?} overlap");
            }
        }
        prop_assert!(l.centers.iter().all(|c| c.0 >= w / 2.0 - 1e-6 && c.1 >= h / 2.0 - 1e-6 && c.0 <= l.width && c.1 <= l.height + 1e-6));
    }
}

#[test]
fn service_map_of_the_hotrod_trace_puts_callers_left_of_callees() {
    let ds = decode_file("otlp/jaeger-apiv3-getTrace-response-hotrod.json");
    let g = service_graph(ds.traces.iter().map(Box::as_ref));
    let l = layout(&g, 150.0, 44.0, 80.0, 24.0);
    for e in &g.edges {
        assert!(
            l.centers[e.from].0 < l.centers[e.to].0,
            "{} left of {}",
            ds.str(g.nodes[e.from].service),
            ds.str(g.nodes[e.to].service)
        );
    }
}

#[test]
fn service_map_of_services_that_call_each_other() {
    // rust-sugiyama looped forever on this cyclic graph before back edges were dropped.
    use tracescope_core::analysis::service_graph::{ServiceEdge, ServiceGraph, ServiceNode};
    use tracescope_core::model::StrId;
    let edges = [
        (2, 2),
        (5, 2),
        (8, 1),
        (1, 0),
        (3, 2),
        (7, 5),
        (8, 8),
        (4, 10),
        (2, 3),
        (6, 3),
        (3, 3),
        (0, 4),
        (2, 9),
        (4, 6),
        (1, 7),
        (5, 7),
        (8, 5),
    ];
    let g = ServiceGraph {
        nodes: (0..11)
            .map(|i| ServiceNode {
                service: StrId(i),
                members: 1,
                spans: 1,
                errors: 0,
            })
            .collect(),
        edges: edges
            .iter()
            .map(|&(from, to)| ServiceEdge {
                from,
                to,
                calls: 1,
                errors: 0,
                p95_ns: 0,
            })
            .collect(),
    };
    let l = layout(&g, 150.0, 44.0, 80.0, 24.0);
    assert_eq!(l.centers.len(), 11);
    // The node nobody calls (8) is in the first column.
    assert!(l.centers.iter().all(|c| c.0 >= l.centers[8].0));
}

/// (start, end, count) of each bin of `sorted`.
fn histogram(sorted: &[i64]) -> Vec<(f64, f64, usize)> {
    let Some(bins) = Bins::of(sorted) else {
        return Vec::new();
    };
    let counts = bins.counts(sorted);
    (0..bins.len())
        .map(|i| (bins.edges(i).0, bins.edges(i).1, counts[i]))
        .collect()
}

#[test]
fn histogram_bins_by_hand() {
    assert!(histogram(&[]).is_empty());
    // One value: one bin holding it.
    assert_eq!(histogram(&[5]), vec![(5.0, 6.0, 1)]);
    // 1..=9: round(2·3) = 6 bins of width 8/6 from 1; offsets 0..8 / (4/3) floor to
    // 0,0,1,2,3,3,4,5,6→5 (the maximum joins the last bin).
    let v: Vec<i64> = (1..=9).collect();
    let h = histogram(&v);
    assert_eq!(h.len(), 6);
    assert_eq!(
        h.iter().map(|b| b.2).collect::<Vec<_>>(),
        vec![2, 1, 1, 2, 1, 2]
    );
    assert_eq!(
        h.last().unwrap().2 + h[..5].iter().map(|b| b.2).sum::<usize>(),
        9
    );
}

proptest! {
    #[test]
    fn histogram_counts_every_value_once(mut v in proptest::collection::vec(0i64..1_000_000_000, 1..500)) {
        v.sort_unstable();
        let h = histogram(&v);
        prop_assert!(!h.is_empty() && h.len() <= 40);
        prop_assert_eq!(h.iter().map(|b| b.2).sum::<usize>(), v.len());
        prop_assert!(h[0].0 <= v[0] as f64 && h.last().unwrap().1 >= *v.last().unwrap() as f64);
    }
}

#[test]
fn markdown_summary_of_the_jaeger_ui_critical_path_trace() {
    let ds = decode_file("jaeger/jaeger-ui-TraceCriticalPath-testTrace.json");
    let t = &ds.traces[0];
    let md = tracescope_core::report::markdown(
        &ds,
        t,
        "https://example.test/?trace=x",
        &tracescope_core::encode::redact::Redaction::none(),
    );
    let s = tracescope_core::analysis::summary::summarize(&ds, t);
    assert!(
        md.starts_with(&format!("### Trace `{}`", s.trace_id)),
        "{md}"
    );
    assert!(md.contains(&format!("{} spans", s.spans)));
    assert!(md.contains("UTC"));
    // Five slowest by self time (or all spans when fewer): a header and the rows.
    let table = md.split("**Slowest spans by self time**").nth(1).unwrap();
    assert_eq!(
        table.lines().filter(|l| l.starts_with("| ")).count(),
        1 + s.spans.min(5)
    );
    assert!(md.contains("**Critical path**"));
    assert!(md.trim_end().ends_with("(<https://example.test/?trace=x>)"));
}

proptest! {
    /// Made a few spans at a time, the merged graph is the one made at once.
    #[test]
    fn merged_in_parts_is_merged_at_once(budgets in proptest::collection::vec(1usize..40, 1..200)) {
        use tracescope_core::analysis::flame::MergeBuilder;
        let ds = decode_file("jaeger/jaeger-ui-genaiTestTrace.json");
        let traces: Vec<&tracescope_core::Trace> = ds.traces.iter().chain(&ds.traces).map(Box::as_ref).collect();
        let mut b = MergeBuilder::default();
        let mut steps = budgets.iter().cycle();
        while !b.step(&traces, *steps.next().unwrap()) {}
        prop_assert_eq!(b.finish(), merge(traces.iter().copied()));
    }
}

/// (service, operation) of a sandwich frame, and its total, self and count.
fn frame_of(
    ds: &Dataset,
    f: &tracescope_core::analysis::flame::MergedFlame,
    id: u32,
) -> (String, i64, i64, u32) {
    let n = &f.nodes[id as usize];
    (
        format!("{} {}", ds.str(n.service), ds.str(n.name)),
        n.total_ns,
        n.self_ns,
        n.count,
    )
}

#[test]
fn a_sandwich_merges_an_operations_callers_upside_down_and_its_callees() {
    use tracescope_core::analysis::flame::{sandwich, SANDWICH_CALLEES, SANDWICH_CALLERS};
    let ds = jaeger(&[
        ("1", "", "web", "GET /", 0, 100, ""),
        ("a", "1", "api", "handle", 0, 60, "CHILD_OF"),
        ("c", "a", "db", "SELECT", 0, 10, "CHILD_OF"),
        ("d", "a", "db", "SELECT", 20, 20, "CHILD_OF"),
        // A SELECT inside a SELECT: among its callees, not a call of its own.
        ("h", "d", "db", "SELECT", 25, 5, "CHILD_OF"),
        ("b", "1", "api", "render", 60, 30, "CHILD_OF"),
        ("e", "b", "db", "SELECT", 60, 5, "CHILD_OF"),
        ("f", "b", "cache", "GET", 70, 10, "CHILD_OF"),
        ("g", "f", "db", "SELECT", 71, 2, "CHILD_OF"),
    ]);
    let select = ds.traces[0].name[(0..9)
        .find(|&s| ds.str(ds.traces[0].name[s]) == "SELECT")
        .unwrap()];
    let db = ds.traces[0].service[(0..9)
        .find(|&s| ds.str(ds.traces[0].service[s]) == "db")
        .unwrap()];
    let f = &sandwich(ds.traces.iter().map(Box::as_ref), (db, select));
    let kids = |id: u32| -> Vec<(String, i64, i64, u32)> {
        f.nodes[id as usize]
            .children
            .iter()
            .map(|&c| frame_of(&ds, f, c))
            .collect()
    };
    // Four calls: c, d, e, g (h is inside d); 37 µs in all.
    assert_eq!(
        frame_of(&ds, f, SANDWICH_CALLERS),
        ("db SELECT".into(), 37_000, 0, 4)
    );
    assert_eq!(frame_of(&ds, f, SANDWICH_CALLEES).3, 4);
    assert_eq!(f.nodes[0].total_ns, 37_000);
    // Nearest callers first, each as wide as the calls it leads to, widest first.
    assert_eq!(
        kids(SANDWICH_CALLERS),
        [
            ("api handle".into(), 30_000, 0, 2),
            ("api render".into(), 5_000, 0, 1),
            ("cache GET".into(), 2_000, 0, 1),
        ]
    );
    let handle = f.nodes[SANDWICH_CALLERS as usize].children[0];
    // The chain starts at the root span: its self time is the calls' time.
    assert_eq!(kids(handle), [("web GET /".into(), 30_000, 30_000, 2)]);
    let cache = f.nodes[SANDWICH_CALLERS as usize].children[2];
    let render = f.nodes[cache as usize].children[0];
    assert_eq!(frame_of(&ds, f, render), ("api render".into(), 2_000, 0, 1));
    assert_eq!(kids(render), [("web GET /".into(), 2_000, 2_000, 1)]);
    // What it calls: the SELECT inside a SELECT.
    assert_eq!(
        kids(SANDWICH_CALLEES),
        [("db SELECT".into(), 5_000, 5_000, 1)]
    );
    // An operation with no span: empty halves.
    let none = sandwich(
        ds.traces.iter().map(Box::as_ref),
        (db, ds.traces[0].name[0]),
    );
    assert_eq!((none.nodes.len(), none.nodes[0].total_ns), (3, 0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    /// Over random trees and any operation of them: both halves are as wide
    /// as the operation's outermost calls; each caller's width is its own
    /// chains' time plus its callers'; the callees hold every span under
    /// those calls once; made a few spans at a time, it is the same; drawn,
    /// callers sit above what they call and callees below, inside it,
    /// never overlapping in a row, the operation once across the width.
    #[test]
    fn a_sandwich_holds_every_call_once_and_draws_nested(
        spec in proptest::collection::vec((proptest::option::of(0usize..40), 0i64..200), 1..40),
        pick in any::<proptest::sample::Index>(),
        budgets in proptest::collection::vec(1usize..9, 1..20),
    ) {
        use tracescope_core::analysis::flame::{sandwich, SandwichBuilder, SANDWICH_CALLEES, SANDWICH_CALLERS};
        use tracescope_core::layout::flame::sandwich_rects;
        let ds = random_dataset(&spec);
        let t = &ds.traces[0];
        let k = pick.index(t.len());
        let op = (t.service[k], t.name[k]);
        let s = sandwich(ds.traces.iter().map(Box::as_ref), op);
        let f = &s;
        let is_op = |x: usize| (t.service[x], t.name[x]) == op;
        let mut outer = Vec::new();
        for x in 0..t.len() {
            let mut up = t.tree.parent_of(x);
            let mut inside = false;
            while let Some(p) = up {
                inside |= is_op(p);
                up = t.tree.parent_of(p);
            }
            if is_op(x) && !inside {
                outer.push(x);
            }
        }
        let total: i64 = outer.iter().map(|&x| t.duration_ns[x]).sum();
        for root in [SANDWICH_CALLERS, SANDWICH_CALLEES] {
            prop_assert_eq!((f.nodes[root as usize].total_ns, f.nodes[root as usize].count as usize), (total, outer.len()));
        }
        // Callers: a frame's width is its chains that start there plus its callers.
        let mut stack = vec![SANDWICH_CALLERS];
        while let Some(n) = stack.pop() {
            let node = &f.nodes[n as usize];
            let above: i64 = node.children.iter().map(|&c| f.nodes[c as usize].total_ns).sum();
            prop_assert_eq!(node.self_ns + above, node.total_ns);
            stack.extend(&node.children);
        }
        // Callees: every span under the calls, once.
        let under = (0..t.len()).filter(|&x| {
            let mut up = t.tree.parent_of(x);
            while let Some(p) = up {
                if outer.contains(&p) { return true; }
                up = t.tree.parent_of(p);
            }
            false
        }).count();
        let mut counted = 0;
        let mut stack = f.nodes[SANDWICH_CALLEES as usize].children.clone();
        while let Some(n) = stack.pop() {
            counted += f.nodes[n as usize].count as usize;
            stack.extend(&f.nodes[n as usize].children);
        }
        prop_assert_eq!(counted, under);
        // In parts.
        let mut b = SandwichBuilder::new(op);
        let mut steps = budgets.iter().cycle();
        while !b.step(&ds.traces, *steps.next().unwrap()) {}
        prop_assert_eq!(&b.finish(), &s);
        // Drawn.
        let (rects, mid) = sandwich_rects(&s, 10.0, 800.0, 0.0);
        let at_mid: Vec<_> = rects.iter().filter(|r| r.depth == mid).collect();
        prop_assert_eq!(at_mid.len(), 1);
        prop_assert_eq!((at_mid[0].id, at_mid[0].x, at_mid[0].w), (SANDWICH_CALLERS, 10.0, 800.0));
        let eps = 1e-6;
        let callees: std::collections::HashSet<u32> = {
            let mut all = std::collections::HashSet::new();
            let mut stack = vec![SANDWICH_CALLEES];
            while let Some(n) = stack.pop() { all.insert(n); stack.extend(&f.nodes[n as usize].children); }
            all
        };
        for a in &rects {
            for b in &rects {
                if a.id != b.id && a.depth == b.depth {
                    prop_assert!(a.x + a.w <= b.x + eps || b.x + b.w <= a.x + eps, "{:?} overlaps {:?}", a, b);
                }
            }
            prop_assert!(a.x >= 10.0 - eps && a.x + a.w <= 810.0 + eps);
            if a.id == SANDWICH_CALLERS { continue; }
            let below = callees.contains(&a.id);
            prop_assert_eq!(a.depth > mid, below, "{:?}", a);
            // The frame it hangs from: its parent node (the callees' root is drawn as the callers').
            let parent = match f.nodes[a.id as usize].parent { p if p == SANDWICH_CALLEES => SANDWICH_CALLERS, p => p };
            let p = rects.iter().find(|r| r.id == parent).unwrap();
            prop_assert!(a.x >= p.x - eps && a.x + a.w <= p.x + p.w + eps, "{:?} outside {:?}", a, p);
            prop_assert_eq!(a.depth, if below { p.depth + 1 } else { p.depth - 1 });
        }
    }
}

/// Past `MAX_KEYS` distinct keys (a span of 1,500 keys of its own), the
/// keys listed are those carried by the most spans, then the first met:
/// every list of keys is a list of options, and a million would stall the
/// page.
#[test]
fn attribute_keys_past_the_most_listed_are_those_carried_most() {
    use tracescope_core::analysis::stats::MAX_KEYS;
    let tags = |keys: &[String]| -> String {
        let tags: Vec<String> = keys
            .iter()
            .map(|k| format!(r#"{{"key":"{k}","type":"string","value":"v"}}"#))
            .collect();
        tags.join(",")
    };
    let own: Vec<String> = (0..1500).map(|i| format!("k{i:04}")).collect();
    let shared = ["z.common".to_string(), "http.route".to_string()];
    let span = |id: u32, keys: &[String]| {
        format!(
            r#"{{"traceID":"a1","spanID":"{id:x}","operationName":"op","startTime":{},"duration":5,"processID":"p1","tags":[{}]}}"#,
            1000 + id,
            tags(keys)
        )
    };
    let text = format!(
        r#"{{"data":[{{"traceID":"a1","spans":[{},{},{}],"processes":{{"p1":{{"serviceName":"s","tags":[]}}}}}}]}}"#,
        span(1, &own),
        span(2, &shared),
        span(3, &shared)
    );
    let mut ds = Dataset::default();
    tracescope_core::decode_bytes(&mut ds, text.as_bytes()).unwrap();
    let keys = attribute_keys(&ds, &ds.traces);
    // 1,500 of the first span's own, and the two the others share.
    assert_eq!(keys.left_out, 1502 - MAX_KEYS, "the keys not listed");
    let keys = keys.listed;
    assert_eq!(keys.len(), MAX_KEYS);
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted");
    for k in ["http.route", "z.common", "k0000", "k0997"] {
        assert!(keys.iter().any(|x| x == k), "{k} listed");
    }
    assert!(!keys.iter().any(|x| x == "k0998"), "k0998 not listed");
}
