//! Trace against trace: the alignment and its numbers against hand-computed
//! answers.

mod common;
use common::{jaeger_dataset, jaeger_refs};
use serde_json::json;
use tracescope_core::analysis::diff::{align, DiffNode, DiffOrder};
use tracescope_core::Dataset;

/// Two Jaeger traces in one dataset; spans are (id, parent, service,
/// operation, start µs, duration µs).
fn two(
    a: &[(&str, &str, &str, &str, i64, i64)],
    b: &[(&str, &str, &str, &str, i64, i64)],
) -> Dataset {
    let trace = |id: &str, spans: &[(&str, &str, &str, &str, i64, i64)]| {
        let spans: Vec<_> = spans
            .iter()
            .map(|(s, p, svc, op, start, dur)| {
                json!({"traceID": id, "spanID": s, "operationName": op, "startTime": start, "duration": dur,
                    "references": jaeger_refs(id, p, "CHILD_OF"),
                    "process": {"serviceName": svc}})
            })
            .collect();
        json!({"traceID": id, "spans": spans})
    };
    jaeger_dataset(vec![trace("aaaa", a), trace("bbbb", b)])
}

/// (service operation, count A, count B, delta µs) of each node.
fn rows(ds: &Dataset, nodes: &[DiffNode]) -> Vec<(String, u32, u32, i64)> {
    nodes
        .iter()
        .map(|n| {
            (
                format!("{} {}", ds.str(n.service), ds.str(n.operation)),
                n.count[0],
                n.count[1],
                n.delta_ns() / 1000,
            )
        })
        .collect()
}

const CHECKOUT: &[(&str, &str, &str, &str, i64, i64)] = &[
    ("1", "", "web", "checkout", 0, 100),
    ("2", "1", "cart", "load", 5, 20),
    ("3", "1", "pay", "charge", 30, 40),
];

#[test]
fn identical_traces_differ_nowhere() {
    let ds = two(CHECKOUT, CHECKOUT);
    let nodes = align(&ds.traces[0], &ds.traces[1]);
    assert_eq!(
        rows(&ds, &nodes),
        [
            ("web checkout".into(), 1, 1, 0),
            ("cart load".into(), 1, 1, 0),
            ("pay charge".into(), 1, 1, 0)
        ]
    );
    assert!(nodes.iter().all(|n| n.delta_ratio() == Some(0.0)));
    assert_eq!((nodes[1].parent, nodes[1].depth), (Some(0), 1));
}

#[test]
fn a_clock_shifted_copy_differs_nowhere() {
    let later: Vec<_> = CHECKOUT
        .iter()
        .map(|&(s, p, svc, op, start, dur)| (s, p, svc, op, start + 3_600_000_000, dur))
        .collect();
    let ds = two(CHECKOUT, &later);
    assert!(align(&ds.traces[0], &ds.traces[1])
        .iter()
        .all(|n| n.delta_ns() == 0 && n.count == [1, 1]));
}

/// The checkout charged twice (a failed try of 30 µs, then 40 µs, which
/// asked the bank) and took longer.
const RETRIED: &[(&str, &str, &str, &str, i64, i64)] = &[
    ("1", "", "web", "checkout", 0, 140),
    ("2", "1", "cart", "load", 5, 20),
    ("3", "1", "pay", "charge", 30, 30),
    ("4", "1", "pay", "charge", 65, 40),
    ("5", "4", "bank", "authorize", 70, 10),
];

#[test]
fn a_retried_call_counts_twice_and_its_time_adds_up() {
    let ds = two(CHECKOUT, RETRIED);
    let nodes = align(&ds.traces[0], &ds.traces[1]);
    assert_eq!(
        rows(&ds, &nodes),
        [
            ("web checkout".into(), 1, 1, 40),
            ("cart load".into(), 1, 1, 0),
            ("pay charge".into(), 1, 2, 30),
            // Only in B: below the merged charge node.
            ("bank authorize".into(), 0, 1, 10),
        ]
    );
    assert_eq!(nodes[3].parent, Some(2));
    assert_eq!(nodes[3].delta_ratio(), None, "nothing in A to compare with");
    // Self time: B's charges 30 + (40 − 10) µs.
    assert_eq!(nodes[2].self_ns, [40_000, 60_000]);
    assert_eq!(nodes[2].delta_ratio(), Some(0.75));
}

#[test]
fn different_roots_are_different_nodes() {
    let ds = two(
        &[("1", "", "web", "GET /a", 0, 10)],
        &[("1", "", "web", "GET /b", 0, 12)],
    );
    assert_eq!(
        rows(&ds, &align(&ds.traces[0], &ds.traces[1])),
        [
            ("web GET /a".into(), 1, 0, -10),
            ("web GET /b".into(), 0, 1, 12)
        ]
    );
}

#[test]
fn the_table_orders_by_any_column_largest_first_ties_in_tree_order() {
    // Tree order: checkout (A 100, B 140; self 40, 50), load (20, 20),
    // charge (A 40; B 30 + 40 less authorize's 10: self 60), authorize (B only, 10).
    let ds = two(CHECKOUT, RETRIED);
    let nodes = align(&ds.traces[0], &ds.traces[1]);
    let order = |o: DiffOrder| o.rows(&nodes, usize::MAX);
    assert_eq!(order(DiffOrder::Tree), [0, 1, 2, 3]);
    // |B − A|: 40, 0, 30, 10.
    assert_eq!(order(DiffOrder::Change), [0, 2, 3, 1]);
    // Relative: authorize is new; charge +75 %, checkout +40 %, load 0.
    assert_eq!(order(DiffOrder::Ratio), [3, 2, 0, 1]);
    assert_eq!(order(DiffOrder::Spans(1)), [2, 0, 1, 3]);
    assert_eq!(order(DiffOrder::Spans(0)), [0, 1, 2, 3]);
    assert_eq!(order(DiffOrder::Total(1)), [0, 2, 1, 3]);
    // Self in B: checkout 140 − 20 − 30 − 40 = 50, load 20, charge 60, authorize 10.
    assert_eq!(order(DiffOrder::SelfTime(1)), [2, 0, 1, 3]);
    assert_eq!(order(DiffOrder::SelfTime(0)), [0, 2, 1, 3]);
    // The first few only: the same as the head of the whole order.
    for limit in 0..5 {
        let all = order(DiffOrder::Ratio);
        assert_eq!(DiffOrder::Ratio.rows(&nodes, limit), all[..limit.min(4)]);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(60))]

    /// The first rows of any order, taken without ordering every node, are
    /// the head of the whole order (ties in tree order).
    #[test]
    fn the_first_rows_of_any_order_are_the_head_of_the_whole_order(
        n in 1usize..300,
        seeds in (0u64..500, 0u64..500),
        limit in 0usize..40,
    ) {
        use tracescope_core::synth::{trace_json, SynthFormat};
        let mut ds = Dataset::default();
        for (size, seed) in [(n, seeds.0), (n / 2 + 1, seeds.1)] {
            tracescope_core::decode_bytes(&mut ds, trace_json(size, SynthFormat::Jaeger, seed).as_bytes()).unwrap();
        }
        let nodes = align(&ds.traces[0], &ds.traces[1]);
        for order in [DiffOrder::Tree, DiffOrder::Change, DiffOrder::Ratio, DiffOrder::Spans(0),
            DiffOrder::Spans(1), DiffOrder::Total(0), DiffOrder::Total(1), DiffOrder::SelfTime(1)] {
            let all = order.rows(&nodes, usize::MAX);
            proptest::prop_assert_eq!(all.len(), nodes.len());
            proptest::prop_assert_eq!(&order.rows(&nodes, limit)[..], &all[..limit.min(all.len())], "{:?}", order);
        }
    }
}
