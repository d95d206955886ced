//! The statistics' charts and the search scatter against their data: the
//! histogram's bars hold every span once, at the height of their count, in
//! order, apart; the percentile lines and dots stand at the nearest-rank
//! values; the curve rises; each result's dot is where its start and
//! duration say, red when it has errors; every mark and label is on the
//! canvas, and no two labels of an axis touch.

use proptest::prelude::*;
use tracescope_core::analysis::stats::OpStats;
use tracescope_core::layout::chart::{
    compared_histograms, histogram_plot, latency_charts, percentile_plot, scatter_chart, Chart,
    Ink, Mark, Plot, Rect, ScatterPoint, MARKED,
};
use tracescope_core::layout::scatter::ScatterAxes;
use tracescope_core::layout::text::{FixedAdvance, Label};

const M: FixedAdvance = FixedAdvance(7.0);
const EPS: f64 = 1e-6;

/// The nearest-rank percentile as its definition says: the smallest value
/// with at least p % of the values at or below it.
fn by_definition(sorted: &[i64], p: f64) -> i64 {
    let need = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    *sorted
        .iter()
        .find(|&&v| sorted.iter().filter(|&&u| u <= v).count() >= need)
        .unwrap()
}

fn durations() -> impl Strategy<Value = Vec<i64>> {
    prop_oneof![
        // From nanoseconds to minutes, and all one value.
        prop::collection::vec(0i64..2_000, 1..300),
        prop::collection::vec(1_000i64..500_000_000, 1..600),
        prop::collection::vec(1i64..100_000_000_000, 1..50),
        (1i64..10_000_000_000, 1usize..100).prop_map(|(v, n)| vec![v; n]),
    ]
    .prop_map(|mut v| {
        v.sort_unstable();
        v
    })
}

fn size() -> impl Strategy<Value = (f64, f64)> {
    (240.0f64..1600.0, 160.0f64..600.0)
}

fn inside(r: &Rect, x: f64, y: f64) -> bool {
    x >= r.x - EPS && x <= r.right() + EPS && y >= r.y - EPS && y <= r.bottom() + EPS
}

/// Every mark's points, a label by its box and a dot by its centre.
fn on_canvas(chart: &Chart, w: f64, h: f64) -> Result<(), TestCaseError> {
    let canvas = Rect {
        x: 0.0,
        y: 0.0,
        w,
        h,
    };
    for mark in &chart.marks {
        let corners: Vec<(f64, f64)> = match mark {
            Mark::Rect { rect, .. } => vec![(rect.x, rect.y), (rect.right(), rect.bottom())],
            Mark::Line { points, .. } => points.clone(),
            Mark::Dot { x, y, .. } => vec![(*x, *y)],
            Mark::Text { label, .. } => {
                vec![(label.x, label.y - 6.0), (label.right(), label.y + 6.0)]
            }
        };
        for (x, y) in corners {
            prop_assert!(inside(&canvas, x, y), "{mark:?} leaves the {w}×{h} canvas");
        }
    }
    Ok(())
}

/// Labels of one axis: those on the plot's bottom edge do not share a
/// column, those left of it are a line apart.
fn axis_labels_apart(plot: &Plot, marks: &[Mark]) -> Result<(), TestCaseError> {
    let labels: Vec<&Label> = marks
        .iter()
        .filter_map(|m| match m {
            Mark::Text { label, .. } => Some(label),
            _ => None,
        })
        .collect();
    let under: Vec<&&Label> = labels
        .iter()
        .filter(|l| (l.y - (plot.frame.bottom() + 12.0)).abs() < 1.0)
        .collect();
    for w in under.windows(2) {
        prop_assert!(
            !w[0].overlaps(w[1]),
            "x labels touch: {:?} {:?}",
            w[0],
            w[1]
        );
    }
    let left: Vec<&&Label> = labels
        .iter()
        .filter(|l| l.right() <= plot.frame.x && l.y > plot.frame.y - 1.0)
        .collect();
    for w in left.windows(2) {
        prop_assert!(
            (w[0].y - w[1].y).abs() >= 12.0,
            "y labels touch: {:?} {:?}",
            w[0],
            w[1]
        );
    }
    for axis in [&plot.x, &plot.y] {
        for w in axis.ticks.windows(2) {
            prop_assert!(w[0].0 < w[1].0);
        }
        for (v, _) in &axis.ticks {
            prop_assert!(*v >= axis.lo - EPS && *v <= axis.hi + EPS);
        }
    }
    Ok(())
}

fn op_stats(sorted: &[i64]) -> OpStats {
    let at = |p| by_definition(sorted, p);
    OpStats {
        service: "s".into(),
        operation: "o".into(),
        count: sorted.len(),
        errors: 0,
        error_pct: 0.0,
        min_ns: sorted[0],
        p50_ns: at(50.0),
        p90_ns: at(90.0),
        p95_ns: at(95.0),
        p99_ns: at(99.0),
        max_ns: *sorted.last().unwrap(),
        total_ns: sorted.iter().sum(),
        avg_self_ns: 0,
        durations: sorted.to_vec(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn histogram_bars_hold_every_span_once_at_the_height_of_their_count(
        sorted in durations(), (w, h) in size(),
    ) {
        let outer = Rect { x: 8.0, y: 6.0, w: w - 16.0, h: h - 12.0 };
        let marked: Vec<i64> = MARKED.iter().map(|&p| by_definition(&sorted, p)).collect();
        let (plot, marks) = histogram_plot(&sorted, &marked, outer, &M);
        let bars: Vec<(usize, Rect)> = marks.iter().filter_map(|m| match m {
            Mark::Rect { rect, item: Some(i), ink: Ink::Series } => Some((*i, *rect)),
            _ => None,
        }).collect();
        prop_assert!(!bars.is_empty());
        // One bar per bin, in order, apart, standing on the x axis.
        let one = plot.py(0.0) - plot.py(1.0);
        prop_assert!(one > 0.0);
        let mut counted = 0;
        for (k, (i, r)) in bars.iter().enumerate() {
            prop_assert_eq!(*i, k);
            prop_assert!((r.bottom() - plot.frame.bottom()).abs() < EPS);
            prop_assert!(r.y >= plot.frame.y - EPS && r.x >= plot.frame.x - EPS && r.right() <= plot.frame.right() + EPS);
            let count = r.h / one;
            prop_assert!((count - count.round()).abs() < 1e-6, "bar height {} is not a whole count of {}", r.h, one);
            counted += count.round() as usize;
        }
        for w in bars.windows(2) {
            prop_assert!(w[0].1.right() <= w[1].1.x + EPS, "bars overlap: {:?}", w);
        }
        prop_assert_eq!(counted, sorted.len());
        // Each span's duration falls under a bar (or in the hairline between two).
        for &v in &sorted {
            let x = plot.px(v as f64);
            prop_assert!(bars.iter().any(|(_, r)| x >= r.x - 0.5 - EPS && x <= r.right() + 0.5 + EPS), "{v} ns at x {x} is under no bar");
        }
        // The marked percentiles at their values.
        for (k, &v) in marked.iter().enumerate() {
            let line = marks.iter().find_map(|m| match m {
                Mark::Line { points, ink: Ink::Percentile(j), width } if *j == k && *width == 2.0 => Some(points.clone()),
                _ => None,
            });
            let line = line.expect("a line per marked percentile");
            prop_assert!((line[0].0 - plot.px(v as f64)).abs() < EPS);
            prop_assert!(inside(&plot.frame, line[0].0, line[0].1) && inside(&plot.frame, line[1].0, line[1].1));
        }
        axis_labels_apart(&plot, &marks)?;
        on_canvas(&Chart { plots: vec![plot], marks }, w, h)?;
    }

    #[test]
    fn compared_histograms_hold_each_group_whole_side_by_side(
        a in durations(), b in durations(), (w, h) in size(),
    ) {
        let outer = Rect { x: 8.0, y: 6.0, w: w - 16.0, h: h - 12.0 };
        let (plot, marks) = compared_histograms([&a, &b], ["A", "B"], outer, &M);
        let bars = |g: usize| -> Vec<(usize, Rect)> {
            marks.iter().filter_map(|m| match m {
                Mark::Rect { rect, item: Some(i), ink: Ink::Group(k) } if *k == g => Some((*i, *rect)),
                _ => None,
            }).collect()
        };
        let (bars_a, bars_b) = (bars(0), bars(1));
        prop_assert_eq!(bars_a.len(), bars_b.len());
        // A point of share (one percent of a group's spans) in pixels.
        let point = plot.py(0.0) - plot.py(1.0);
        for (g, (group, values)) in [(&bars_a, &a), (&bars_b, &b)].into_iter().enumerate() {
            let total: f64 = group.iter().map(|(_, r)| r.h / point).sum();
            prop_assert!((total - 100.0).abs() < 1e-6, "group {g}: {total}% of its spans drawn");
            for (_, r) in group.iter() {
                prop_assert!(r.y >= plot.frame.y - EPS && r.x >= plot.frame.x - EPS && r.right() <= plot.frame.right() + EPS);
                prop_assert!((r.bottom() - plot.frame.bottom()).abs() < EPS);
                // Each bar's spans: a whole number of the group's.
                let spans = r.h / point * values.len() as f64 / 100.0;
                prop_assert!((spans - spans.round()).abs() < 1e-6);
            }
        }
        // In each bin A left of B, and bins apart.
        for (k, ((i, ra), (j, rb))) in bars_a.iter().zip(&bars_b).enumerate() {
            prop_assert_eq!((*i, *j), (k, k));
            prop_assert!(ra.right() <= rb.x + EPS);
            if let Some((_, next)) = bars_a.get(k + 1) {
                prop_assert!(rb.right() <= next.x + EPS);
            }
        }
        // Each group's p95 line at its value.
        for (g, values) in [&a, &b].into_iter().enumerate() {
            let want = plot.px(by_definition(values, 95.0) as f64);
            let at_value = marks.iter().any(|m| matches!(m, Mark::Line { points, ink: Ink::Group(k), width } if *k == g && *width == 2.0 && (points[0].0 - want).abs() < EPS));
            prop_assert!(at_value, "no p95 line of group {} at {}", g, want);
        }
        axis_labels_apart(&plot, &marks)?;
        on_canvas(&Chart { plots: vec![plot], marks }, w, h)?;
    }

    #[test]
    fn the_percentile_curve_rises_through_the_nearest_rank_values(
        sorted in durations(), (w, h) in size(),
    ) {
        let outer = Rect { x: 8.0, y: 6.0, w: w - 16.0, h: h - 12.0 };
        let (plot, marks) = percentile_plot(&sorted, outer, &M);
        let curve = marks.iter().find_map(|m| match m {
            Mark::Line { points, ink: Ink::Series, .. } => Some(points.clone()),
            _ => None,
        }).expect("a curve");
        prop_assert_eq!(curve.len(), 201);
        prop_assert!((curve[0].0 - plot.frame.x).abs() < EPS);
        prop_assert!((curve[200].0 - plot.frame.right()).abs() < EPS);
        for (i, &(x, y)) in curve.iter().enumerate() {
            prop_assert!(inside(&plot.frame, x, y));
            let p = i as f64 / 2.0;
            prop_assert!((y - plot.py(by_definition(&sorted, p) as f64)).abs() < EPS, "p{p}");
        }
        for w in curve.windows(2) {
            prop_assert!(w[0].0 < w[1].0 && w[0].1 >= w[1].1 - EPS, "the curve falls: {:?}", w);
        }
        for (k, &p) in MARKED.iter().enumerate() {
            let dot = marks.iter().find_map(|m| match m {
                Mark::Dot { x, y, ink: Ink::Percentile(j), .. } if *j == k => Some((*x, *y)),
                _ => None,
            }).expect("a dot per marked percentile");
            prop_assert!((dot.0 - plot.px(p)).abs() < EPS);
            prop_assert!((dot.1 - plot.py(by_definition(&sorted, p) as f64)).abs() < EPS);
        }
        axis_labels_apart(&plot, &marks)?;
    }

    #[test]
    fn both_latency_charts_fit_side_by_side(sorted in durations(), (w, h) in size()) {
        let chart = latency_charts(&op_stats(&sorted), w, h, &M);
        prop_assert_eq!(chart.plots.len(), 2);
        prop_assert!(chart.plots[0].frame.right() < chart.plots[1].frame.x);
        on_canvas(&chart, w, h)?;
    }

    #[test]
    fn each_result_is_a_dot_where_its_start_and_duration_say(
        results in prop::collection::vec(
            (1_700_000_000_000_000_000i64..1_700_000_100_000_000_000, 0i64..30_000_000_000, any::<bool>()),
            1..60,
        ),
        (w, h) in size(),
    ) {
        let points: Vec<ScatterPoint> = results.iter().map(|&(s, d, e)| ScatterPoint { start_ns: s, duration_ns: d, has_errors: e }).collect();
        let chart = scatter_chart(&points, w, h, &M, |t| t.at_ns.to_string(), "start (UTC)");
        let plot = &chart.plots[0];
        let axes = ScatterAxes::new(&results.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>()).unwrap();
        let dots: Vec<(usize, f64, f64, Ink)> = chart.marks.iter().filter_map(|m| match m {
            Mark::Dot { x, y, ink, item: Some(i), .. } => Some((*i, *x, *y, *ink)),
            _ => None,
        }).collect();
        prop_assert_eq!(dots.len(), results.len());
        // Results with errors drawn over the others.
        let first_error = dots.iter().position(|d| d.3 == Ink::Error).unwrap_or(dots.len());
        prop_assert!(dots[first_error..].iter().all(|d| d.3 == Ink::Error));
        let mut dots = dots;
        dots.sort_by_key(|d| d.0);
        for (k, &(i, x, y, ink)) in dots.iter().enumerate() {
            prop_assert_eq!(i, k);
            let (vx, vy) = axes.point(results[i].0, results[i].1);
            prop_assert!((x - plot.px(vx)).abs() < EPS && (y - plot.py(vy)).abs() < EPS);
            prop_assert!(inside(&plot.frame, x, y));
            prop_assert_eq!(ink, if results[i].2 { Ink::Error } else { Ink::Series });
            for &(_, x2, y2, _) in &dots {
                let j = dots.iter().position(|d| d.1 == x2 && d.2 == y2).unwrap();
                if results[i].0 < results[j].0 { prop_assert!(x <= x2 + EPS); }
                if results[i].1 < results[j].1 { prop_assert!(y >= y2 - EPS); }
            }
        }
        axis_labels_apart(plot, &chart.marks)?;
        on_canvas(&chart, w, h)?;
    }
}

/// The rectangles that stand for a bin.
fn item_bars(marks: &[Mark]) -> Vec<&Rect> {
    marks
        .iter()
        .filter_map(|m| match m {
            Mark::Rect {
                rect,
                item: Some(_),
                ..
            } => Some(rect),
            _ => None,
        })
        .collect()
}

#[test]
fn no_results_say_so_in_the_middle() {
    let chart = scatter_chart(&[], 600.0, 200.0, &M, |_| String::new(), "start");
    assert!(chart.plots.is_empty());
    let [Mark::Text {
        label,
        ink: Ink::Muted,
    }] = &chart.marks[..]
    else {
        panic!("one line of text: {:?}", chart.marks)
    };
    assert!(label.text.starts_with("No results"));
    assert!(((label.x + label.right()) / 2.0 - 300.0).abs() < 1e-9 && label.y == 100.0);
}

#[test]
fn a_histogram_of_one_value_is_one_bar_around_it() {
    let sorted = vec![5_000_000; 7];
    let outer = Rect {
        x: 0.0,
        y: 0.0,
        w: 500.0,
        h: 300.0,
    };
    let (plot, marks) = histogram_plot(&sorted, &[5_000_000; 3], outer, &M);
    let bars = item_bars(&marks);
    assert_eq!(bars.len(), 1);
    let middle = plot.px(5_000_000.0);
    assert!((bars[0].x + bars[0].w / 2.0 - middle).abs() < 1.0);
    // 7 spans: the tallest tick is above the bar.
    assert!(plot.y.hi >= 8.0);
}

#[test]
fn groups_of_one_value_are_one_bin_around_it() {
    let outer = Rect {
        x: 0.0,
        y: 0.0,
        w: 500.0,
        h: 300.0,
    };
    let (plot, marks) =
        compared_histograms([&[1_000_000; 3], &[1_000_000; 5]], ["A", "B"], outer, &M);
    let bars = item_bars(&marks);
    assert_eq!(bars.len(), 2);
    // A's half ends and B's begins at the value; the axis spans more than a
    // few nanoseconds around it.
    assert!((bars[0].right() - plot.px(1_000_000.0)).abs() < 1.0);
    assert!(plot.x.hi - plot.x.lo > 100_000.0, "{:?}", plot.x);
}
