//! The flame view's geometry against the model, in both modes. For random
//! traces and windows, the time-ordered chart draws each span as its
//! interval ∩ the window in its depth's row, and every visible span shows;
//! the merged graph nests each frame inside its parent at its share of the
//! time, side by side. In both, labels stay inside their frames, never
//! under a frame drawn later and never over each other.

mod common;

use common::random::{traces, window, PX};
use proptest::prelude::*;
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::analysis::flame::merge;
use tracescope_core::layout::flame::{
    chart_lod, frames_scene, merged_rects, FrameScene, FramesInput, FRAME_H, TOP,
};
use tracescope_core::layout::flame_mipmap::FlameMipmap;
use tracescope_core::layout::text::FixedAdvance;
use tracescope_core::layout::time::TimeScale;
use tracescope_core::model::Trace;
use tracescope_core::Dataset;

const EPS: f64 = 1e-6;

/// Labels inside their frames, on the row's middle, and clear of every
/// frame drawn after theirs in the same row (so of each other too).
fn check_labels(frames: &[FrameScene]) -> Result<(), TestCaseError> {
    for (k, f) in frames.iter().enumerate() {
        let Some(l) = &f.label else { continue };
        prop_assert!(
            l.x >= f.x + 4.0 - EPS && l.right() <= f.x + f.w - 4.0 + EPS,
            "label {:?} outside frame {:?}",
            l,
            f
        );
        prop_assert!((l.y - (f.top + FRAME_H / 2.0)).abs() < EPS);
        for later in &frames[k + 1..] {
            if later.depth == f.depth {
                prop_assert!(
                    later.x >= l.right() - EPS || later.x + later.w <= l.x + EPS,
                    "label {:?} of {} under frame {} at [{}, {}]",
                    l.text,
                    f.id,
                    later.id,
                    later.x,
                    later.x + later.w
                );
            }
        }
    }
    Ok(())
}

fn check_chart(
    t: &Trace,
    view: (f64, f64),
    width: f64,
    first_row: u32,
    rows: u32,
) -> Result<(), TestCaseError> {
    let mip = FlameMipmap::build(t);
    let scale = TimeScale::new(view.0, view.1, 0.0, width);
    let row_range = first_row..first_row + rows;
    let lod = chart_lod(t, &mip, &scale, 1.0, row_range.clone());
    let cp = critical_path(t);
    let frames = frames_scene(
        &FramesInput {
            rects: &lod.rects,
            height: TOP + rows as f64 * FRAME_H,
            scroll_y: first_row as f64 * FRAME_H,
            critical: Some((&cp, &scale)),
        },
        |id| format!("operation-{id}"),
        &FixedAdvance(7.0),
    );
    // Every frame: its span's interval ∩ the window, in its depth's row.
    let (v0, v1) = view;
    let px = width as usize;
    let mut drawn = vec![false; px * rows as usize];
    let mut mark = |x0: f64, x1: f64, row: u32| {
        let (a, b) = (x0.floor().max(0.0) as usize, (x1.ceil() as usize).min(px));
        for c in a..b.max(a + 1).min(px) {
            drawn[row as usize * px + c] = true;
        }
    };
    for f in &frames {
        let s = f.id as usize;
        let (st, en) = (t.start_ns[s] as f64, t.end_ns(s) as f64);
        prop_assert_eq!(f.depth, t.tree.depth()[s]);
        prop_assert!(row_range.contains(&f.depth), "row {} drawn", f.depth);
        prop_assert!((f.top - (TOP + (f.depth - first_row) as f64 * FRAME_H)).abs() < EPS);
        prop_assert!(
            en >= v0 && st <= v1,
            "span {} [{}, {}] outside {:?}",
            s,
            st,
            en,
            view
        );
        prop_assert!(f.x >= -EPS && f.x + f.w <= width + EPS && f.w >= 1.0 - EPS);
        prop_assert!(
            (f.x - scale.x(st.max(v0))).abs() <= PX,
            "start of {}: {:?}",
            s,
            f
        );
        prop_assert!(
            (f.x + f.w - scale.x(en.min(v1))).abs() <= PX,
            "end of {}: {:?}",
            s,
            f
        );
        for g in &f.critical {
            prop_assert!(g.x0 >= f.x - EPS && g.x1 <= f.x + f.w + EPS && g.x1 > g.x0);
        }
        mark(f.x, f.x + f.w, f.depth - first_row);
    }
    for r in &lod.fine {
        prop_assert!(r.x0 < r.x1 && (r.x1 as usize) <= px && r.row < rows);
        mark(r.x0 as f64, r.x1 as f64 - 0.5, r.row);
    }
    // Every span in the rows and the window shows (a bucket of the level
    // of detail may put it up to two pixels off).
    for s in 0..t.len() {
        let d = t.tree.depth()[s];
        let (st, en) = (t.start_ns[s] as f64, t.end_ns(s) as f64);
        if !row_range.contains(&d) || en < v0 || st > v1 {
            continue;
        }
        let (a, b) = (scale.x(st.max(v0)), scale.x(en.min(v1)));
        let row = (d - first_row) as usize;
        let (c0, c1) = (
            a.floor().max(0.0) as usize,
            (b.ceil() as usize).clamp(1, px),
        );
        for c in c0.min(px - 1)..c1 {
            let near = (c.saturating_sub(2)..(c + 3).min(px)).any(|c| drawn[row * px + c]);
            prop_assert!(near, "span {} [{}, {}] not drawn at pixel {}", s, a, b, c);
        }
    }
    check_labels(&frames)
}

fn check_merged(ds: &Dataset, t: &Trace, focus: usize, width: f64) -> Result<(), TestCaseError> {
    let _ = ds;
    let f = merge([t]);
    let focus = (focus % f.nodes.len()) as u32;
    let rects = merged_rects(&f, focus, 0.0, width, 1.0);
    prop_assert_eq!(rects[0].id, focus);
    prop_assert!(rects[0].x == 0.0 && rects[0].w == width && rects[0].depth == 0);
    let at: std::collections::HashMap<u32, usize> =
        rects.iter().enumerate().map(|(k, r)| (r.id, k)).collect();
    for r in &rects[1..] {
        let n = &f.nodes[r.id as usize];
        let Some(&pk) = at.get(&n.parent) else {
            return Err(TestCaseError::fail(format!(
                "frame {} drawn without its parent",
                r.id
            )));
        };
        let p = &rects[pk];
        let pn = &f.nodes[n.parent as usize];
        prop_assert_eq!(r.depth, p.depth + 1);
        prop_assert!(r.x >= p.x - EPS && r.x + r.w <= p.x + p.w + 1e-6 * width.max(1.0));
        let sum: i64 = pn
            .children
            .iter()
            .map(|&c| f.nodes[c as usize].total_ns)
            .sum();
        let share = n.total_ns as f64 / sum.max(pn.total_ns) as f64;
        prop_assert!(
            (r.w - p.w * share).abs() < 1e-6 * width,
            "width of {}",
            r.id
        );
    }
    // Side by side: frames of one depth never overlap.
    let mut by_depth: Vec<_> = rects.iter().collect();
    by_depth.sort_by(|a, b| a.depth.cmp(&b.depth).then(a.x.total_cmp(&b.x)));
    for w in by_depth.windows(2) {
        if w[0].depth == w[1].depth {
            prop_assert!(
                w[0].x + w[0].w <= w[1].x + 1e-6 * width,
                "{:?} overlaps {:?}",
                w[0],
                w[1]
            );
        }
    }
    // Every child at least a pixel wide of a drawn frame is drawn.
    for r in &rects {
        let n = &f.nodes[r.id as usize];
        let sum: i64 = n
            .children
            .iter()
            .map(|&c| f.nodes[c as usize].total_ns)
            .sum();
        for &c in &n.children {
            let w = f.nodes[c as usize].total_ns as f64 * r.w / sum.max(n.total_ns).max(1) as f64;
            if w >= 1.0 && n.total_ns > 0 {
                prop_assert!(
                    at.contains_key(&c),
                    "child {} ({} px) of {} missing",
                    c,
                    w,
                    r.id
                );
            }
        }
    }
    let frames = frames_scene(
        &FramesInput {
            rects: &rects,
            height: TOP + 10_000.0,
            scroll_y: 0.0,
            critical: None,
        },
        |id| "frame".repeat(id as usize % 4 + 1),
        &FixedAdvance(7.0),
    );
    prop_assert_eq!(frames.len(), rects.len());
    check_labels(&frames)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_chart_draws_each_span_where_the_trace_says(
        (_ds, t) in traces(),
        a in 0.0f64..1.0,
        b in 0.0f64..1.0,
        width in 50.0f64..1500.0,
        first_row in 0u32..4,
        rows in 1u32..30,
    ) {
        check_chart(&t, window(&t, a, b), width.round(), first_row, rows)?;
    }

    #[test]
    fn the_merged_graph_nests_frames_at_their_share(
        (ds, t) in traces(),
        focus in 0usize..1000,
        width in 10.0f64..1500.0,
    ) {
        check_merged(&ds, &t, focus, width)?;
    }
}

#[test]
fn a_label_stops_where_a_longer_frame_of_its_row_is_drawn_over_it() {
    // Under the root: [10, 90] and [80, 100], drawn shortest first.
    let t =
        tracescope_core::synth::trace_with(&[None, Some(0), Some(0)], &[0, 10, 80], &[100, 80, 20]);
    let mip = FlameMipmap::build(&t);
    let scale = TimeScale::new(0.0, 100.0, 0.0, 1000.0);
    let lod = chart_lod(&t, &mip, &scale, 1.0, 0..2);
    let frames = frames_scene(
        &FramesInput {
            rects: &lod.rects,
            height: 200.0,
            scroll_y: 0.0,
            critical: None,
        },
        |_| "x".repeat(200),
        &FixedAdvance(7.0),
    );
    let short = frames.iter().find(|f| f.id == 2).unwrap();
    let long = frames.iter().find(|f| f.id == 1).unwrap();
    // [800, 1000] shows from 900, where the longer frame drawn over it ends.
    let l = short.label.as_ref().unwrap();
    assert_eq!(l.x, 904.0);
    assert!(l.right() <= 996.0, "{l:?}");
    let l = long.label.as_ref().unwrap();
    assert!(l.x == 104.0 && l.right() <= 896.0, "{l:?}");
}
