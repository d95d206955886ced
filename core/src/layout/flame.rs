//! Flame geometry: the merged flame graph (icicle: x = share of the focused
//! frame's total, y = depth below it) and the time-ordered flame chart of
//! one trace (x = time, y = depth).

use super::flame_mipmap::FlameMipmap;
use super::raster::{Raster, Run};
use super::text::{Font, Label, TextMeasure};
use super::time::TimeScale;
use super::waterfall::Stretch;
use crate::analysis::critical_path::CriticalPath;
use crate::analysis::flame::{MergedFlame, SANDWICH_CALLEES, SANDWICH_CALLERS};
use crate::model::Trace;
use std::collections::BTreeMap;

/// Height of one frame row.
pub const FRAME_H: f64 = 20.0;
/// The ruler (chart) or caption (merged) above the frames.
pub const TOP: f64 = 24.0;
/// Between a frame's edge and its label.
const LABEL_PAD: f64 = 4.0;

/// A rectangle: `id` is a flame node (merged) or a span (chart).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlameRect {
    pub id: u32,
    pub x: f64,
    pub w: f64,
    pub depth: u32,
}

/// Merged flame rectangles below `focus` (which fills `[x0, x0 + width]`).
/// Children sit inside their parent left to right, widest first; when
/// parallel children add up to more than the parent they are scaled to fit.
/// Frames narrower than `min_w` pixels are left out with their subtrees.
pub fn merged_rects(
    f: &MergedFlame,
    focus: u32,
    x0: f64,
    width: f64,
    min_w: f64,
) -> Vec<FlameRect> {
    let mut out = Vec::new();
    let Some(focus_node) = f.nodes.get(focus as usize) else {
        return out;
    };
    let base_depth = focus_node.depth;
    let mut stack = vec![(focus, x0, width)];
    while let Some((id, x, w)) = stack.pop() {
        let n = &f.nodes[id as usize];
        out.push(FlameRect {
            id,
            x,
            w,
            depth: n.depth - base_depth,
        });
        let sum: i64 = n
            .children
            .iter()
            .map(|&c| f.nodes[c as usize].total_ns)
            .fold(0i64, i64::saturating_add);
        if sum <= 0 || n.total_ns <= 0 {
            continue;
        }
        let scale = w / (sum.max(n.total_ns)) as f64;
        let mut cx = x;
        for &c in &n.children {
            let cw = f.nodes[c as usize].total_ns as f64 * scale;
            if cw >= min_w {
                stack.push((c, cx, cw));
            }
            cx += cw;
        }
    }
    out
}

/// The rectangles of a sandwich (`analysis::flame::sandwich`), filling
/// `[x0, x0 + width]`: the callers' tree
/// upside down (each caller in the row above what it calls, inside it),
/// the operation once in row `mid`, its callees below it as in
/// [`merged_rects`]. Returns them and `mid`.
pub fn sandwich_rects(s: &MergedFlame, x0: f64, width: f64, min_w: f64) -> (Vec<FlameRect>, u32) {
    let callers = merged_rects(s, SANDWICH_CALLERS, x0, width, min_w);
    let mid = callers.iter().map(|r| r.depth).max().unwrap_or(0);
    let mut out: Vec<FlameRect> = callers
        .into_iter()
        .map(|r| FlameRect {
            depth: mid - r.depth,
            ..r
        })
        .collect();
    // The operation is drawn once: as the callers' root.
    let callees = merged_rects(s, SANDWICH_CALLEES, x0, width, min_w);
    out.extend(callees.into_iter().skip(1).map(|r| FlameRect {
        depth: mid + r.depth,
        ..r
    }));
    (out, mid)
}

/// The chain of frames from the virtual root to `focus` (for the breadcrumb).
pub fn ancestry(f: &MergedFlame, focus: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut cur = focus;
    while (cur as usize) < f.nodes.len() {
        out.push(cur);
        cur = f.nodes[cur as usize].parent;
    }
    out.reverse();
    out
}

/// The time-ordered flame chart at one level of detail per pixel, for the
/// depth rows `rows` on screen. Each row reads the level of `mip` whose
/// buckets fit in a pixel: entries at least `min_w` pixels wide become
/// rectangles, narrower ones marks in `fine` (one raster row per depth).
/// Work and drawing are bounded by the pixels shown, not by the spans.
pub fn chart_lod(
    t: &Trace,
    mip: &FlameMipmap,
    scale: &TimeScale,
    min_w: f64,
    rows: std::ops::Range<u32>,
) -> ChartLod {
    let mut rects = Vec::new();
    let height = rows.end.saturating_sub(rows.start) as usize;
    let mut fine = Raster::new(scale.width.ceil().max(1.0) as usize, height);
    let (v0, v1) = (scale.start_ns, scale.end_ns);
    let Some(level) = mip.level_for((v1 - v0) / scale.width.max(1.0)) else {
        return ChartLod {
            first_row: rows.start,
            ..ChartLod::default()
        };
    };
    let mut walked = 0;
    for depth in rows.start..rows.end.min(level.depths()) {
        for (s, key) in level.visible(t, depth, v0.floor() as i64, v1.ceil() as i64) {
            walked += 1;
            let s = s as usize;
            // The span ∩ the window.
            let x = scale.x_at(t.start_ns[s]).max(scale.x0);
            let w = scale.x_at(t.end_ns(s)).min(scale.x0 + scale.width) - x;
            if w >= min_w {
                rects.push(FlameRect {
                    id: s as u32,
                    x,
                    w,
                    depth,
                });
            } else {
                let (x0, y0) = (x - scale.x0, (depth - rows.start) as f64);
                fine.mark(x0, x0 + w, y0, y0 + 1.0, key);
            }
        }
    }
    // Where frames of a row overlap (parallel siblings), the longest is drawn
    // last, on top, and what it hides wholly is left out.
    crate::order::sort_by(&mut rects, |a, b| {
        a.depth.cmp(&b.depth).then(a.w.total_cmp(&b.w))
    });
    let rects = visible_in_rows(rects, fine.width(), rows.start, height, scale.x0);
    ChartLod {
        rects,
        fine: fine.runs(),
        first_row: rows.start,
        walked,
    }
}

/// The rectangles not wholly hidden by later ones in their row (parallel
/// siblings pile up there; the last drawn shows). Every rectangle kept
/// uncovers at least one pixel, so at most `width × height` are kept,
/// however many spans overlap. Pixels are found with a "next free pixel"
/// forest per row, so the cost is near linear in rectangles and pixels.
fn visible_in_rows(
    rects: Vec<FlameRect>,
    width: usize,
    first_row: u32,
    height: usize,
    x0: f64,
) -> Vec<FlameRect> {
    // next[row][x]: the first free pixel at or right of x (width: none).
    let mut next: Vec<u32> = (0..height).flat_map(|_| 0..=width as u32).collect();
    fn find(next: &mut [u32], x: u32) -> u32 {
        let mut root = x;
        while next[root as usize] != root {
            root = next[root as usize];
        }
        let mut cur = x;
        while next[cur as usize] != root {
            let up = next[cur as usize];
            next[cur as usize] = root;
            cur = up;
        }
        root
    }
    let mut keep = vec![false; rects.len()];
    for (i, r) in rects.iter().enumerate().rev() {
        let row = (r.depth - first_row) as usize;
        let line = &mut next[row * (width + 1)..(row + 1) * (width + 1)];
        let a = ((r.x - x0).floor().max(0.0) as usize).min(width) as u32;
        let b = ((r.x + r.w - x0).ceil().max(0.0) as usize).min(width) as u32;
        let mut x = find(line, a);
        while x < b {
            keep[i] = true;
            line[x as usize] = x + 1;
            x = find(line, x + 1);
        }
    }
    rects
        .into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect()
}

/// What [`chart_lod`] draws: labelled frames, and the merged sub-pixel rest
/// as runs (`row` + `first_row` = depth, `x0..x1` in pixels from the
/// scale's left edge).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartLod {
    pub rects: Vec<FlameRect>,
    pub fine: Vec<Run>,
    pub first_row: u32,
    /// Index entries read to make it (the frame's work).
    pub walked: usize,
}

/// What one frame draws: its box (`x..x + w` from `top`, [`FRAME_H`]
/// high), its name where it shows, and its stretches on the critical path.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameScene {
    pub id: u32,
    pub depth: u32,
    pub x: f64,
    pub w: f64,
    pub top: f64,
    /// Inside the frame, on its first stretch that no frame drawn after it
    /// covers.
    pub label: Option<Label>,
    /// Inside the frame (chart mode only).
    pub critical: Vec<Stretch>,
}

/// What [`frames_scene`] draws from: the rectangles in drawing order (a
/// later one is on top), and the view.
pub struct FramesInput<'a> {
    pub rects: &'a [FlameRect],
    /// Canvas height and vertical scroll, CSS pixels.
    pub height: f64,
    pub scroll_y: f64,
    /// The chart's time scale and its critical path, to mark it.
    pub critical: Option<(&'a CriticalPath, &'a TimeScale)>,
}

/// The frames in the rows on screen with their labels and critical-path
/// marks, in drawing order. A label is fitted to the first part of its
/// frame that no frame drawn on top of it covers, so no label is hidden or
/// drawn over another.
pub fn frames_scene(
    i: &FramesInput,
    label_of: impl Fn(u32) -> String,
    m: &impl TextMeasure,
) -> Vec<FrameScene> {
    // Per row, the stretches covered by frames drawn later (merged, keyed
    // by their start in 1/1024 px).
    let mut covered: BTreeMap<u32, BTreeMap<i64, i64>> = BTreeMap::new();
    let key = |x: f64| (x * 1024.0).round() as i64;
    let mut out = Vec::new();
    for r in i.rects.iter().rev() {
        let top = TOP + r.depth as f64 * FRAME_H - i.scroll_y;
        if top + FRAME_H < TOP || top > i.height {
            continue;
        }
        let row = covered.entry(r.depth).or_default();
        // The label starts in the frame's first stretch not covered by a
        // frame drawn later, and ends before the next one.
        let (x0, x1) = (r.x + LABEL_PAD, r.x + r.w - LABEL_PAD);
        let mut free_from = key(x0);
        if let Some((_, &end)) = row.range(..=free_from).next_back() {
            free_from = free_from.max(end);
        }
        let start = if free_from == key(x0) {
            x0
        } else {
            free_from as f64 / 1024.0 + LABEL_PAD
        };
        let end = row
            .range(free_from + 1..)
            .next()
            .map_or(x1, |(&a, _)| x1.min(a as f64 / 1024.0 - LABEL_PAD));
        let label = m
            .fit(Font::Regular, &label_of(r.id), end - start)
            .map(|text| Label::new(m, Font::Regular, text, start, top + FRAME_H / 2.0));
        insert_covered(row, key(r.x), key(r.x + r.w));
        let critical = match i.critical {
            Some((cp, scale)) => cp
                .segments_of(r.id as usize)
                .filter_map(|g| {
                    let a = scale.x_at(g.start_ns).max(r.x);
                    let b = scale.x_at(g.end_ns).min(r.x + r.w);
                    (b > a).then_some(Stretch { x0: a, x1: b })
                })
                .collect(),
            None => Vec::new(),
        };
        out.push(FrameScene {
            id: r.id,
            depth: r.depth,
            x: r.x,
            w: r.w,
            top,
            label,
            critical,
        });
    }
    out.reverse();
    out
}

/// Adds `[a, b]` to a row's covered stretches, merging those it touches.
fn insert_covered(row: &mut BTreeMap<i64, i64>, mut a: i64, mut b: i64) {
    if let Some((&s, &e)) = row.range(..=a).next_back() {
        if e >= a {
            a = s;
            b = b.max(e);
            row.remove(&s);
        }
    }
    while let Some((&s, &e)) = row.range(a..=b).next() {
        b = b.max(e);
        row.remove(&s);
    }
    row.insert(a, b);
}

/// The rectangle seen at a point, for rows of `row_h` pixels starting at `top`.
pub fn hit(rects: &[FlameRect], x: f64, y: f64, top: f64, row_h: f64) -> Option<FlameRect> {
    if y < top {
        return None;
    }
    let depth = ((y - top) / row_h).floor() as u32;
    // The last drawn is on top.
    rects
        .iter()
        .rev()
        .copied()
        .find(|r| r.depth == depth && x >= r.x && x < r.x + r.w.max(1.0))
}

#[cfg(test)]
mod lod_tests {
    use super::*;
    use crate::layout::raster::{service_key, ERROR_KEY};
    use crate::synth::{trace_json, SynthFormat};

    fn synth(n: usize) -> crate::Dataset {
        let mut ds = crate::Dataset::default();
        crate::decode_bytes(&mut ds, trace_json(n, SynthFormat::Jaeger, 5).as_bytes()).unwrap();
        ds
    }

    /// The cells a chart covers: every span of the rows drawn on its own.
    fn every_span(t: &Trace, scale: &TimeScale, rows: std::ops::Range<u32>) -> Raster {
        let mut r = Raster::new(scale.width as usize, (rows.end - rows.start) as usize);
        for s in 0..t.len() {
            let d = t.tree.depth()[s];
            let (st, en) = (t.start_ns[s] as f64, t.end_ns(s) as f64);
            if rows.contains(&d) && en >= scale.start_ns && st <= scale.end_ns {
                let x = scale.x(st.max(scale.start_ns));
                let y = (d - rows.start) as f64;
                r.mark(x, scale.x(en.min(scale.end_ns)), y, y + 1.0, 1);
            }
        }
        r
    }

    /// The cells a level of detail covers (rectangles and marks).
    fn covered(lod: &ChartLod, scale: &TimeScale, height: usize) -> Raster {
        let mut r = Raster::new(scale.width as usize, height);
        for f in &lod.rects {
            let y = (f.depth - lod.first_row) as f64;
            r.mark(f.x, f.x + f.w, y, y + 1.0, 1);
        }
        for run in &lod.fine {
            let y = run.row as f64;
            r.mark(run.x0 as f64, run.x1 as f64 - 0.5, y, y + 1.0, 1);
        }
        r
    }

    /// What a chart at one level of detail shows is what drawing every span
    /// shows, give or take the pixel a bucket rounds to (2 at the edges,
    /// where a bucket straddles the view's start).
    fn assert_same_picture(
        t: &Trace,
        mip: &FlameMipmap,
        scale: &TimeScale,
        rows: std::ops::Range<u32>,
    ) {
        let lod = chart_lod(t, mip, scale, 1.0, rows.clone());
        let exact = every_span(t, scale, rows.clone());
        let got = covered(&lod, scale, (rows.end - rows.start) as usize);
        let (w, h) = (exact.width(), exact.height());
        for y in 0..h {
            for x in 0..w {
                if got.get(x, y) != 0 {
                    assert_ne!(
                        exact.get(x, y),
                        0,
                        "drawn but empty: ({x}, {y}) at {scale:?}"
                    );
                }
                if exact.get(x, y) != 0 {
                    let near = (x.saturating_sub(2)..(x + 3).min(w)).any(|x| got.get(x, y) != 0);
                    assert!(near, "not drawn: ({x}, {y}) at {scale:?}");
                }
            }
        }
        assert!(lod.rects.iter().all(|r| r.w >= 1.0));
        assert!(lod.rects.len() + lod.fine.len() <= w * h);
    }

    #[test]
    fn every_zoom_shows_what_drawing_every_span_shows() {
        let ds = synth(20_000);
        let t = &ds.traces[0];
        let mip = FlameMipmap::build(t);
        assert!(mip.levels.len() > 3, "{}", mip.levels.len());
        let (b0, b1) = t.time_window();
        let rows = 0..t.tree.max_depth + 1;
        for zoom in [1.0, 7.0, 100.0, 3000.0, 1e6] {
            let mid = b0 + (b1 - b0) * 0.37;
            let half = (b1 - b0) / zoom / 2.0;
            let scale = TimeScale::new((mid - half).max(b0), mid + half, 0.0, 700.0);
            assert_same_picture(t, &mip, &scale, rows.clone());
            assert_same_picture(t, &mip, &scale, 3..9);
        }
    }

    #[test]
    fn a_frame_reads_about_a_pixel_of_entries_per_row_at_any_size() {
        let width = 1000.0;
        let mut walked = Vec::new();
        for n in [1_000, 100_000] {
            let ds = synth(n);
            let t = &ds.traces[0];
            let mip = FlameMipmap::build(t);
            let (b0, b1) = t.time_window();
            let rows = 0..40;
            for zoom in [1.0, 10.0, 1000.0] {
                let half = (b1 - b0) / zoom / 2.0;
                let mid = (b0 + b1) / 2.0;
                let scale = TimeScale::new(mid - half, mid + half, 0.0, width);
                let lod = chart_lod(t, &mip, &scale, 1.0, rows.clone());
                // Bucket representatives: a few a pixel a row at most, plus
                // one entering each row.
                assert!(
                    lod.walked <= 4 * width as usize * rows.len(),
                    "{n} spans, zoom {zoom}: {}",
                    lod.walked
                );
                walked.push(lod.walked);
                // Only the rows asked for.
                assert!(lod.rects.iter().all(|r| rows.contains(&r.depth)));
            }
        }
        // Whole-trace view: a hundred times the spans, about the same work.
        assert!(walked[3] < walked[0] * 20, "{walked:?}");
    }

    #[test]
    fn rows_on_screen_are_the_same_frames_as_in_the_whole_chart() {
        let ds = synth(5_000);
        let t = &ds.traces[0];
        let mip = FlameMipmap::build(t);
        let (b0, b1) = t.time_window();
        let scale = TimeScale::new(b0, b1, 0.0, 800.0);
        let all = chart_lod(t, &mip, &scale, 1.0, 0..t.tree.max_depth + 1);
        let top = chart_lod(t, &mip, &scale, 1.0, 2..6);
        let same: Vec<_> = all
            .rects
            .iter()
            .filter(|r| (2..6).contains(&r.depth))
            .collect();
        assert_eq!(top.rects.iter().collect::<Vec<_>>(), same);
        assert!(top.fine.iter().all(|r| r.row < 4));
        // An error anywhere in a row shows in its pixel, however far out.
        let far = TimeScale::new(b0, b0 + (b1 - b0) * 5000.0, 0.0, 800.0);
        let lod = chart_lod(t, &mip, &far, 1.0, 0..t.tree.max_depth + 1);
        for d in 0..=t.tree.max_depth {
            let errs =
                (0..t.len()).any(|s| t.tree.depth()[s] == d && service_key(t, s) == ERROR_KEY);
            let red = lod.fine.iter().any(|r| r.row == d && r.key == ERROR_KEY);
            assert_eq!(errs, red, "depth {d}");
        }
    }

    #[test]
    fn overlapping_frames_of_a_row_show_the_longest_on_top() {
        // Under the root: [10, 90], [20, 30] inside it, [80, 100] past its end.
        let t = crate::synth::trace_with(
            &[None, Some(0), Some(0), Some(0)],
            &[0, 10, 20, 80],
            &[100, 80, 10, 20],
        );
        let mip = FlameMipmap::build(&t);
        let scale = TimeScale::new(0.0, 100.0, 0.0, 1000.0);
        let lod = chart_lod(&t, &mip, &scale, 1.0, 0..2);
        let row1: Vec<u32> = lod
            .rects
            .iter()
            .filter(|r| r.depth == 1)
            .map(|r| r.id)
            .collect();
        assert_eq!(row1, vec![3, 1], "the short frame it covers is left out");
        let at = |x: f64| hit(&lod.rects, x, 25.0, 0.0, 20.0).map(|r| r.id);
        assert_eq!(at(250.0), Some(1));
        assert_eq!(at(850.0), Some(1), "the longer frame is on top");
        assert_eq!(at(950.0), Some(3));
        assert_eq!(at(50.0), None);
    }
}
