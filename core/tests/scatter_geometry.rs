//! The search scatter's axes against the results: every dot inside the
//! plot, in the order of its start and duration; ticks inside the axes,
//! increasing, and labelled distinctly at any spread of results.

use proptest::prelude::*;
use tracescope_core::layout::scatter::{ScatterAxes, XLabel};

const DAY_NS: i64 = 86_400_000_000_000;

fn results() -> impl Strategy<Value = Vec<(i64, i64)>> {
    // Spread from nothing to a month, durations from nanoseconds to hours.
    (
        1_600_000_000_000_000_000i64..1_800_000_000_000_000_000,
        prop_oneof![
            Just(0i64),
            1i64..1_000_000,
            1i64..100_000_000_000,
            1i64..(40 * DAY_NS)
        ],
        prop_oneof![1i64..1_000, 1i64..10_000_000_000, 1i64..10_000_000_000_000],
    )
        .prop_flat_map(|(t0, spread, longest)| {
            prop::collection::vec((0..spread.max(1), 0..longest), 1..40)
                .prop_map(move |v| v.into_iter().map(|(s, d)| (t0 + s, d)).collect())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn dots_and_ticks_are_where_the_results_say(rs in results()) {
        let a = ScatterAxes::new(&rs).unwrap();
        let (x0, x1) = a.x_range;
        let (y0, y1) = a.y_range;
        prop_assert!(x0 < x1 && y0 < y1);
        let pts: Vec<(f64, f64)> = rs.iter().map(|&(s, d)| a.point(s, d)).collect();
        for (i, &(x, y)) in pts.iter().enumerate() {
            prop_assert!(x > x0 && x < x1 && y >= y0 && y < y1, "{:?} outside {:?} {:?}", (x, y), a.x_range, a.y_range);
            for (j, &(x2, y2)) in pts.iter().enumerate() {
                if rs[i].0 < rs[j].0 {
                    prop_assert!(x <= x2);
                }
                if rs[i].1 < rs[j].1 {
                    prop_assert!(y <= y2);
                }
            }
        }
        // x ticks: inside, increasing, each label its own.
        prop_assert!(a.x_ticks.len() >= 2 && a.x_ticks.len() <= 14, "{} x ticks", a.x_ticks.len());
        for w in a.x_ticks.windows(2) {
            prop_assert!(w[0].value < w[1].value && w[0].at_ns < w[1].at_ns);
        }
        for t in &a.x_ticks {
            prop_assert!(t.value >= x0 - 1e-9 && t.value <= x1 + 1e-9);
            match &t.label {
                XLabel::Date => prop_assert_eq!(t.at_ns % DAY_NS, 0),
                XLabel::Clock => prop_assert_eq!(t.at_ns % 1_000_000_000, 0),
                XLabel::Offset(_) => {}
            }
        }
        let offsets: Vec<&String> = a.x_ticks.iter().filter_map(|t| match &t.label {
            XLabel::Offset(s) => Some(s),
            _ => None,
        }).collect();
        let mut distinct = offsets.clone();
        distinct.dedup();
        prop_assert_eq!(distinct.len(), offsets.len(), "{:?}", offsets);
        // y ticks likewise.
        prop_assert!(a.y_ticks.len() >= 2, "{:?}", a.y_ticks);
        for w in a.y_ticks.windows(2) {
            prop_assert!(w[0].0 < w[1].0 && w[0].1 != w[1].1, "{:?}", a.y_ticks);
        }
        prop_assert!(a.y_ticks.iter().all(|t| t.0 >= y0 && t.0 <= y1));
    }
}

#[test]
fn results_a_second_apart_read_as_offsets_results_days_apart_as_dates() {
    let t0 = 1_700_000_000_000_000_000;
    let a = ScatterAxes::new(&[(t0, 5_000_000), (t0 + 1_000_000_000, 20_000_000)]).unwrap();
    let labels: Vec<String> = a
        .x_ticks
        .iter()
        .map(|t| match &t.label {
            XLabel::Offset(s) => s.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(labels, ["0.0s", "0.2s", "0.4s", "0.6s", "0.8s", "1.0s"]);
    assert_eq!(a.point(t0 + 1_000_000_000, 20_000_000), (1.0, 20.0));
    let w = ScatterAxes::new(&[(t0, 1), (t0 + 10 * DAY_NS, 1)]).unwrap();
    assert!(w.x_ticks.iter().all(|t| t.label == XLabel::Date));
    assert!(w.x_ticks.len() >= 3);
}
