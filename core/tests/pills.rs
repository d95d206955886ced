//! The pills' spans against hand-computed answers.

use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::analysis::pills::{pill_spans, Pill, SlowBuilder};
use tracescope_core::model::StatusCode;
use tracescope_core::synth::trace_with;
use tracescope_core::Dataset;

#[test]
fn slow_is_at_or_above_p90_of_its_operation_with_ten_spans_or_more() {
    let mut ds = Dataset::default();
    // A root, ten GETs of 1..=10 µs, nine SELECTs of 1..=9 µs.
    let n = 1 + 10 + 9;
    let parents: Vec<Option<usize>> = (0..n).map(|i| (i > 0).then_some(0)).collect();
    let starts: Vec<i64> = vec![0; n];
    let durs: Vec<i64> = std::iter::once(100).chain(1..=10).chain(1..=9).collect();
    let mut t = trace_with(&parents, &starts, &durs);
    let (get, select) = (ds.strings.intern("GET"), ds.strings.intern("SELECT"));
    for s in 1..n {
        t.name[s] = if s <= 10 { get } else { select };
    }
    let slow = pill_spans(&t, Pill::Slow, None);
    // p90 of 1..=10 by nearest rank is 9: the 9 and the 10 are slow; nine SELECTs are too few.
    let picked: Vec<usize> = (0..n).filter(|&s| slow[s]).collect();
    assert_eq!(picked, [9, 10]);
}

#[test]
fn errors_and_the_critical_path_keep_their_spans() {
    // 0 ─┬─ 1 (ends at 30)
    //    └─ 2 (ends at 90, last: on the path)
    let mut t = trace_with(&[None, Some(0), Some(0)], &[0, 10, 20], &[100, 20, 70]);
    t.status[1] = StatusCode::Error;
    assert_eq!(pill_spans(&t, Pill::Errors, None), [false, true, false]);
    let cp = critical_path(&t);
    assert_eq!(
        pill_spans(&t, Pill::CriticalPath, Some(&cp)),
        [true, false, true]
    );
    // No critical path known: nothing kept.
    assert_eq!(pill_spans(&t, Pill::CriticalPath, None), [false; 3]);
    for p in Pill::ALL {
        assert_eq!(Pill::from_key(p.key()), Some(p));
    }
}

proptest::proptest! {
    /// Spans of several services and operations, interleaved: each span is
    /// slow exactly when its operation has ten spans or more and its
    /// duration reaches the p90 of that operation's durations, sorted.
    #[test]
    fn slow_matches_each_operations_sorted_p90(
        spans in proptest::collection::vec((0u8..3, 0u8..4, 0i64..50), 1..120),
        budget in 1usize..40,
    ) {
        use tracescope_core::analysis::percentile::nearest_rank;
        let mut ds = Dataset::default();
        let n = spans.len();
        let parents: Vec<Option<usize>> = (0..n).map(|i| (i > 0).then_some(0)).collect();
        let durs: Vec<i64> = spans.iter().map(|&(_, _, d)| d).collect();
        let mut t = trace_with(&parents, &vec![0; n], &durs);
        for (s, &(svc, op, _)) in spans.iter().enumerate() {
            t.service[s] = ds.strings.intern(&format!("svc{svc}"));
            t.name[s] = ds.strings.intern(&format!("op{op}"));
        }
        let slow = pill_spans(&t, Pill::Slow, None);
        // A part at a time: a step per `budget` spans numbered, one that groups their durations, then one
        // that marks them; the same spans.
        let mut parts = SlowBuilder::default();
        let mut steps = 0;
        while !parts.step(&t, budget) {
            steps += 1;
        }
        proptest::prop_assert_eq!(steps, n.div_ceil(budget) + 1);
        proptest::prop_assert_eq!(&parts.finish(), &slow);
        for s in 0..n {
            let mut same: Vec<i64> = (0..n)
                .filter(|&o| (t.service[o], t.name[o]) == (t.service[s], t.name[s]))
                .map(|o| t.duration_ns[o])
                .collect();
            same.sort_unstable();
            let expected = same.len() >= 10 && nearest_rank(&same, 90.0).is_some_and(|p| durs[s] >= p);
            proptest::prop_assert_eq!(slow[s], expected, "span {}", s);
        }
    }
}
