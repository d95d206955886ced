//! The analyses a page makes a part at a time (statistics, the service
//! graph, find, the merged flame graph) give exactly what they give at
//! once, whatever the size of the parts; and a walk in parts visits every
//! span once, in order, never more in a step than it was allowed.

use proptest::prelude::*;
use tracescope_core::analysis::diff::{align, AlignBuilder};
use tracescope_core::analysis::flame::{merge, MergeBuilder};
use tracescope_core::analysis::service_graph::{service_graph_at_most, GraphBuilder};
use tracescope_core::analysis::span_walk::{sort_in_parts, SpanWalk};
use tracescope_core::analysis::stats::{operation_stats_of, GroupBy, KeysBuilder, StatsBuilder};
use tracescope_core::find::{find, FindBuilder, FindQuery};
use tracescope_core::synth::{trace_json, trace_with, SynthFormat};
use tracescope_core::{decode_bytes, Dataset, Trace};

/// Synthetic traces (services, errors, attributes) of the given sizes.
fn dataset(sizes: &[usize], seed: u64) -> Dataset {
    let mut ds = Dataset::default();
    for (k, &n) in sizes.iter().enumerate() {
        let json = trace_json(n, SynthFormat::Jaeger, seed + k as u64);
        decode_bytes(&mut ds, json.as_bytes()).expect("synthetic traces decode");
    }
    ds
}

/// Steps `step` until it says it is done; how many steps it took.
fn steps(mut step: impl FnMut() -> bool) -> usize {
    let mut n = 1;
    while !step() {
        n += 1;
        assert!(n < 1_000_000, "never done");
    }
    n
}

fn sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..400, 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn a_walk_visits_every_span_once_in_order_within_its_budget(
        lens in prop::collection::vec(0usize..50, 0..6),
        budget in 1usize..40,
    ) {
        let traces: Vec<Trace> = lens.iter().map(|&n| match n {
            0 => Trace::default(),
            n => trace_with(&vec![None; n], &[0], &[1]),
        }).collect();
        let mut walk = SpanWalk::default();
        let mut seen = Vec::new();
        let total: usize = lens.iter().sum();
        let n = steps(|| {
            let before = seen.len();
            let done = walk.step(&traces, budget, |k, _, at| seen.push((k, at)));
            assert!(seen.len() - before <= budget, "{} spans in a step of {budget}", seen.len() - before);
            done
        });
        let expected: Vec<(usize, usize)> = lens.iter().enumerate()
            .flat_map(|(k, &n)| (0..n).map(move |at| (k, at))).collect();
        prop_assert_eq!(seen, expected);
        prop_assert!(n <= total / budget + 2, "{} steps for {} spans by {}", n, total, budget);
    }

    #[test]
    fn attribute_keys_in_parts_are_every_key_of_the_spans_and_their_resources(
        sizes in sizes(), seed in 0u64..1000, budget in 1usize..300,
    ) {
        let ds = dataset(&sizes, seed);
        let mut b = KeysBuilder::default();
        steps(|| b.step(&ds, &ds.traces, budget));
        let mut every = std::collections::BTreeSet::new();
        for t in &ds.traces {
            for i in 0..t.len() {
                let resource = ds.resources[t.resource[i] as usize].attrs;
                for a in ds.attrs(t.attrs[i]).iter().chain(ds.attrs(resource)) {
                    every.insert(ds.str(a.key).to_string());
                }
            }
        }
        let keys = b.finish(&ds);
        prop_assert!(!keys.listed.is_empty());
        prop_assert_eq!(keys.left_out, 0);
        prop_assert_eq!(keys.listed, every.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn statistics_in_parts_are_the_statistics_at_once(
        sizes in sizes(), seed in 0u64..1000, budget in 1usize..300, group in 0usize..4, only_one in any::<bool>(),
    ) {
        let ds = dataset(&sizes, seed);
        let by = [
            GroupBy::ServiceOperation,
            GroupBy::Service,
            GroupBy::Operation,
            GroupBy::Attribute("http.status_code".into()),
        ][group].clone();
        let service = only_one.then(|| ds.traces[0].service[0]);
        let at_once = operation_stats_of(&ds, ds.traces.iter().map(Box::as_ref), &by, service);
        let mut b = StatsBuilder::new(by, service);
        steps(|| b.step(&ds, &ds.traces, budget));
        prop_assert_eq!(b.finish(&ds), at_once);
    }

    #[test]
    fn the_service_graph_in_parts_is_the_graph_at_once(
        sizes in sizes(), seed in 0u64..1000, budget in 1usize..300, max_size in 3usize..80,
    ) {
        let ds = dataset(&sizes, seed);
        let at_once = service_graph_at_most(&ds.traces, max_size);
        let mut b = GraphBuilder::new(max_size);
        steps(|| b.step(&ds.traces, budget));
        prop_assert_eq!(b.finish(), at_once);
    }

    #[test]
    fn find_in_parts_finds_what_find_at_once_finds(
        sizes in sizes(), seed in 0u64..1000, budget in 1usize..300, q in 0usize..5,
    ) {
        let ds = dataset(&sizes, seed);
        let q = FindQuery::parse(["GET", "error=true", "http.status_code=500", "-cache", "nothing-like-it"][q]).unwrap();
        for t in &ds.traces {
            let mut b = FindBuilder::new(&ds, &q);
            steps(|| b.step(&ds, t, budget));
            prop_assert_eq!(b.finish(t), find(&ds, t, &q));
        }
    }

    #[test]
    fn two_traces_aligned_in_parts_are_aligned_as_at_once(
        sizes in prop::collection::vec(1usize..400, 2..3), seed in 0u64..1000, budget in 1usize..300,
    ) {
        let ds = dataset(&sizes, seed);
        let pair = [&*ds.traces[0], &*ds.traces[1]];
        let mut b = AlignBuilder::default();
        let n = steps(|| b.step(pair, budget));
        prop_assert!(n <= (sizes[0] + sizes[1]) / budget + 3, "{} steps", n);
        prop_assert_eq!(b.finish(pair), align(pair[0], pair[1]));
    }

    #[test]
    fn the_merged_flame_graph_in_parts_is_the_graph_at_once(
        sizes in sizes(), seed in 0u64..1000, budget in 1usize..300,
    ) {
        let ds = dataset(&sizes, seed);
        let mut b = MergeBuilder::default();
        steps(|| b.step(&ds.traces, budget));
        prop_assert_eq!(b.finish(), merge(ds.traces.iter().map(Box::as_ref)));
    }
}

#[test]
fn an_analysis_takes_a_step_per_part() {
    // The parts are what keep each task short: 2,000 spans by 100 is 20
    // steps of grouping, then the sorting.
    let ds = dataset(&[2000], 7);
    let mut b = StatsBuilder::new(GroupBy::ServiceOperation, None);
    let n = steps(|| b.step(&ds, &ds.traces, 100));
    assert!(n > 20, "{n} steps");
    let mut g = GraphBuilder::new(usize::MAX);
    assert_eq!(steps(|| g.step(&ds.traces, 100)), 20);
}

#[test]
fn sorting_in_parts_takes_whole_lists_until_a_step_sorted_its_budget() {
    // Lists of 3, 5, 1, 4 and 2 values, 4 a step: 3 + 5, then 1 + 4, then 2.
    let mut lists: Vec<Vec<u32>> = [3u32, 5, 1, 4, 2]
        .iter()
        .map(|&n| (0..n).rev().collect())
        .collect();
    let mut sorted = 0;
    let mut per_step = Vec::new();
    loop {
        let before = sorted;
        let done = sort_in_parts(&mut lists, &mut sorted, 4, |l| {
            l.sort_unstable();
            l.len()
        });
        per_step.push(sorted - before);
        if done {
            break;
        }
    }
    assert_eq!(per_step, [2, 2, 1]);
    assert!(lists.iter().all(|l| l.windows(2).all(|w| w[0] <= w[1])));
}
