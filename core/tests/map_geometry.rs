//! The service map's geometry against the model: a graph too large to lay
//! out is grouped without losing or inventing a span or a call, boxes never
//! overlap, and every edge starts on its caller's box and ends on its
//! callee's.

use proptest::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use tracescope_core::analysis::service_graph::{service_graph_at_most, ServiceGraph};
use tracescope_core::layout::service_map::{
    edge_curve, layout, MapLayout, COL_GAP, MAX_MAP_SIZE, NODE_H, NODE_W, ROW_GAP,
};
use tracescope_core::model::{StrId, Trace};
use tracescope_core::synth::trace_with;
use tracescope_core::Dataset;

/// Traces of random trees whose span i belongs to service `svc[i]`.
fn traces_of(ds: &mut Dataset, shapes: &[(Vec<usize>, Vec<usize>)]) -> Vec<Box<Trace>> {
    shapes
        .iter()
        .map(|(parent_pick, svc)| {
            let parents: Vec<Option<usize>> = (0..parent_pick.len())
                .map(|i| (i > 0).then(|| parent_pick[i] % i))
                .collect();
            let mut t = trace_with(&parents, &[0], &[10]);
            for (s, &k) in svc.iter().enumerate().take(t.len()) {
                t.service[s] = ds.strings.intern(&format!("svc{k}"));
            }
            Box::new(t)
        })
        .collect()
}

fn graphs() -> impl Strategy<Value = (Dataset, Vec<Box<Trace>>, usize)> {
    (1usize..400, 5usize..300)
        .prop_flat_map(|(services, budget)| {
            let trace = (1usize..200).prop_flat_map(move |n| {
                (
                    prop::collection::vec(0usize..10_000, n),
                    // Skewed: a few busy services, many quiet ones.
                    prop::collection::vec(
                        prop_oneof![0usize..services.min(5), 0usize..services],
                        n,
                    ),
                )
            });
            (prop::collection::vec(trace, 1..6), Just(budget))
        })
        .prop_map(|(shapes, budget)| {
            let mut ds = Dataset::default();
            let traces = traces_of(&mut ds, &shapes);
            (ds, traces, budget)
        })
}

/// Spans per service, and calls per (caller, callee) service pair, counted
/// from the spans.
fn counted(traces: &[Box<Trace>]) -> (FxHashMap<StrId, usize>, FxHashMap<(StrId, StrId), usize>) {
    let mut spans: FxHashMap<StrId, usize> = FxHashMap::default();
    let mut calls: FxHashMap<(StrId, StrId), usize> = FxHashMap::default();
    for t in traces {
        for s in 0..t.len() {
            *spans.entry(t.service[s]).or_default() += 1;
            if let Some(p) = t.tree.parent_of(s) {
                if t.service[p] != t.service[s] {
                    *calls.entry((t.service[p], t.service[s])).or_default() += 1;
                }
            }
        }
    }
    (spans, calls)
}

fn check_grouping(
    traces: &[Box<Trace>],
    g: &ServiceGraph,
    budget: usize,
) -> Result<(), TestCaseError> {
    let (spans, calls) = counted(traces);
    let singles: FxHashSet<StrId> = g
        .nodes
        .iter()
        .filter(|n| n.members == 1)
        .map(|n| n.service)
        .collect();
    let groups: Vec<usize> = (0..g.nodes.len())
        .filter(|&i| g.nodes[i].members > 1)
        .collect();
    prop_assert!(groups.len() <= 1, "one group at most");
    prop_assert_eq!(
        g.nodes.iter().map(|n| n.members).sum::<usize>(),
        spans.len()
    );
    prop_assert_eq!(
        g.nodes.iter().map(|n| n.spans).sum::<usize>(),
        spans.values().sum::<usize>()
    );
    if groups.is_empty() {
        prop_assert_eq!(g.nodes.len(), spans.len());
    } else {
        prop_assert!(g.size() <= budget, "{} > {}", g.size(), budget);
    }
    // Every service on its own is at least as busy as any grouped one.
    let least_single = singles.iter().map(|s| spans[s]).min().unwrap_or(usize::MAX);
    let most_grouped = spans
        .iter()
        .filter(|(s, _)| !singles.contains(s))
        .map(|(_, &n)| n)
        .max()
        .unwrap_or(0);
    prop_assert!(least_single >= most_grouped);
    for n in g.nodes.iter().filter(|n| n.members == 1) {
        prop_assert_eq!(n.spans, spans[&n.service]);
    }
    // Each edge's calls are the spans' calls between its ends.
    let node_of = |s: StrId| {
        if singles.contains(&s) {
            g.nodes
                .iter()
                .position(|n| n.members == 1 && n.service == s)
        } else {
            groups.first().copied()
        }
        .unwrap()
    };
    let mut expected: FxHashMap<(usize, usize), usize> = FxHashMap::default();
    for (&(a, b), &n) in &calls {
        let (a, b) = (node_of(a), node_of(b));
        if a != b {
            *expected.entry((a, b)).or_default() += n;
        }
    }
    let got: FxHashMap<(usize, usize), usize> =
        g.edges.iter().map(|e| ((e.from, e.to), e.calls)).collect();
    prop_assert_eq!(got, expected);
    Ok(())
}

/// Whether a point lies on the border of the box centred at `c`.
fn on_border(p: (f64, f64), c: (f64, f64)) -> bool {
    let (dx, dy) = ((p.0 - c.0).abs(), (p.1 - c.1).abs());
    let e = 1e-6;
    (dx <= NODE_W / 2.0 + e && (dy - NODE_H / 2.0).abs() <= e)
        || (dy <= NODE_H / 2.0 + e && (dx - NODE_W / 2.0).abs() <= e)
}

fn check_layout(g: &ServiceGraph, l: &MapLayout) -> Result<(), TestCaseError> {
    let n = g.nodes.len();
    prop_assert_eq!(l.centers.len(), n);
    for i in 0..n {
        let a = l.centers[i];
        prop_assert!(
            a.0 - NODE_W / 2.0 >= -1e-6
                && a.1 - NODE_H / 2.0 >= -1e-6
                && a.0 + NODE_W / 2.0 <= l.width + 1e-6
                && a.1 + NODE_H / 2.0 <= l.height + 1e-6,
            "node {} at {:?} outside {}×{}",
            i,
            a,
            l.width,
            l.height
        );
        for j in i + 1..n {
            let b = l.centers[j];
            prop_assert!(
                (a.0 - b.0).abs() >= NODE_W || (a.1 - b.1).abs() >= NODE_H,
                "nodes {} {:?} and {} {:?} overlap",
                i,
                a,
                j,
                b
            );
        }
    }
    for e in &g.edges {
        let (a, b) = (l.centers[e.from], l.centers[e.to]);
        let c = edge_curve(a, b);
        prop_assert!(
            on_border(c[0], a),
            "edge {:?} starts off its caller {:?}",
            c,
            a
        );
        prop_assert!(
            on_border(c[3], b),
            "edge {:?} ends off its callee {:?}",
            c,
            b
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_map_too_large_is_grouped_without_losing_a_span_or_a_call(
        (_ds, traces, budget) in graphs()
    ) {
        let g = service_graph_at_most(&traces, budget);
        check_grouping(&traces, &g, budget)?;
    }

    #[test]
    fn boxes_never_overlap_and_edges_end_on_their_boxes((_ds, traces, _b) in graphs()) {
        let g = service_graph_at_most(&traces, MAX_MAP_SIZE);
        let l = layout(&g, NODE_W, NODE_H, COL_GAP, ROW_GAP);
        check_layout(&g, &l)?;
    }
}

#[test]
fn three_hundred_services_are_grouped_to_what_can_be_laid_out() {
    // Every service calls ten others: 300 services, ~3,000 calls, the
    // shape that took longer than ten minutes to lay out whole.
    let mut ds = Dataset::default();
    let n = 3000;
    let parents: Vec<usize> = (0..n).map(|i| (i * 7919) % (i.max(1))).collect();
    let svc: Vec<usize> = (0..n).map(|i| (i * 31 + i / 10) % 300).collect();
    let traces = traces_of(&mut ds, &[(parents, svc)]);
    let g = service_graph_at_most(&traces, MAX_MAP_SIZE);
    check_grouping(&traces, &g, MAX_MAP_SIZE).unwrap();
    assert!(g.nodes.iter().any(|n| n.members > 1));
    assert!(g.nodes.len() > 5, "{} nodes", g.nodes.len());
    let l = layout(&g, NODE_W, NODE_H, COL_GAP, ROW_GAP);
    check_layout(&g, &l).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// Folding leaves loses no span, error or call, keeps every caller on
    /// its own, and puts together only services one caller alone calls.
    #[test]
    fn folded_leaves_keep_every_span_call_and_caller(
        shapes in proptest::collection::vec(
            (proptest::collection::vec(0usize..1000, 2..40), proptest::collection::vec(0usize..25, 40)),
            1..4,
        ),
    ) {
        use tracescope_core::analysis::service_graph::{fold_leaves, service_graph};
        let mut ds = Dataset::default();
        let traces = traces_of(&mut ds, &shapes);
        let whole = service_graph(traces.iter().map(Box::as_ref));
        let Some(folded) = fold_leaves(&traces, &whole) else { return Ok(()) };
        let sum = |g: &ServiceGraph| (
            g.nodes.iter().map(|n| n.spans).sum::<usize>(),
            g.nodes.iter().map(|n| n.errors).sum::<usize>(),
            g.nodes.iter().map(|n| n.members).sum::<usize>(),
        );
        prop_assert_eq!(sum(&folded), sum(&whole));
        prop_assert!(folded.nodes.len() < whole.nodes.len());
        // Every service that calls another is still a box of its own.
        let callers: FxHashSet<StrId> = whole.edges.iter().filter(|e| e.from != e.to).map(|e| whole.nodes[e.from].service).collect();
        for c in &callers {
            prop_assert!(folded.nodes.iter().any(|n| n.service == *c && n.members == 1), "caller {:?} folded", c);
        }
        // Calls into a folded box come from one caller, and count all the calls they replace.
        for (i, n) in folded.nodes.iter().enumerate().filter(|(_, n)| n.members > 1) {
            let into: Vec<_> = folded.edges.iter().filter(|e| e.to == i).collect();
            prop_assert_eq!(into.len(), 1, "{:?} has {} callers", n.service, into.len());
            prop_assert!(folded.edges.iter().all(|e| e.from != i || e.to == i), "a folded box calls out");
        }
        let calls = |g: &ServiceGraph| g.edges.iter().map(|e| e.calls).sum::<usize>();
        prop_assert_eq!(calls(&folded), calls(&whole));
    }

    /// Edge labels placed never cover a service's box or each other, and
    /// the busiest call's label is never the one left out for another.
    #[test]
    fn edge_labels_never_collide(
        shapes in proptest::collection::vec(
            (proptest::collection::vec(0usize..1000, 2..40), proptest::collection::vec(0usize..20, 40)),
            1..4,
        ),
        width in 40.0f64..260.0,
    ) {
        use tracescope_core::analysis::service_graph::service_graph;
        use tracescope_core::layout::service_map::edge_labels;
        let mut ds = Dataset::default();
        let traces = traces_of(&mut ds, &shapes);
        let g = service_graph(traces.iter().map(Box::as_ref));
        let l = layout(&g, NODE_W, NODE_H, COL_GAP, ROW_GAP);
        let edges: Vec<(usize, usize, usize)> = g.edges.iter().map(|e| (e.from, e.to, e.calls)).collect();
        let widths = vec![width; edges.len()];
        let boxes = edge_labels(&l, &edges, &widths, 18.0);
        let placed: Vec<_> = boxes.iter().flatten().collect();
        for (a, x) in placed.iter().enumerate() {
            for y in &placed[a + 1..] {
                prop_assert!(!x.overlaps(y), "labels overlap: {:?} {:?}", x, y);
            }
            for &(cx, cy) in &l.centers {
                let node = tracescope_core::layout::service_map::LabelBox { x: cx - NODE_W / 2.0, y: cy - NODE_H / 2.0, w: NODE_W, h: NODE_H };
                prop_assert!(!x.overlaps(&node), "a label covers a service");
            }
        }
        // The busiest edge (between two services) always has its label, unless it covers a box.
        if let Some(top) = (0..edges.len()).filter(|&e| edges[e].0 != edges[e].1).max_by_key(|&e| edges[e].2) {
            let m = tracescope_core::layout::service_map::bezier_mid(&edge_curve(l.centers[edges[top].0], l.centers[edges[top].1]));
            let b = tracescope_core::layout::service_map::LabelBox { x: m.0 - width / 2.0, y: m.1 - 9.0, w: width, h: 18.0 };
            let on_node = l.centers.iter().any(|&(cx, cy)| b.overlaps(&tracescope_core::layout::service_map::LabelBox { x: cx - NODE_W / 2.0, y: cy - NODE_H / 2.0, w: NODE_W, h: NODE_H }));
            prop_assert!(on_node || boxes[top].is_some() || edges.iter().enumerate().any(|(e, x)| e != top && x.2 == edges[top].2));
        }
    }
}
