//! Flame geometry: the merged flame graph (icicle: x = share of the focused
//! frame's total, y = depth below it) and the time-ordered flame chart of
//! one trace (x = time, y = depth).

use super::raster::{service_key, Raster, Run};
use super::time::TimeScale;
use crate::analysis::flame::MergedFlame;
use crate::model::Trace;

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
/// depth rows `rows` on screen: frames at least `min_w` pixels wide as
/// rectangles; a narrower frame and its whole subtree (`heights`:
/// [`subtree_heights`]) become marks in `fine`, one raster row per depth,
/// and are not walked; nothing below the last row is walked either. Work
/// and drawing are bounded by the pixels shown, not by the spans (children
/// overhanging a sub-pixel parent are drawn within its pixel).
pub fn chart_lod(
    t: &Trace,
    heights: &[u32],
    scale: &TimeScale,
    min_w: f64,
    rows: std::ops::Range<u32>,
) -> ChartLod {
    let mut rects = Vec::new();
    let height = rows.end.saturating_sub(rows.start) as usize;
    let mut fine = Raster::new(scale.width.ceil().max(1.0) as usize, height);
    let (v0, v1) = (scale.start_ns, scale.end_ns);
    let (pre, size) = (&t.tree.preorder, &t.tree.subtree_size);
    let mut k = 0;
    while k < pre.len() {
        let s = pre[k] as usize;
        let skip = size[s].max(1) as usize;
        let depth = t.tree.depth[s];
        let (st, en) = (t.start_ns[s] as f64, t.end_ns(s) as f64);
        // Below the screen, or (children lie within their parent's time) off
        // to the side: the whole subtree is out of sight.
        if depth >= rows.end || en < v0 || st > v1 {
            k += skip;
            continue;
        }
        let x = scale.x(st.max(v0));
        let w = scale.x(en.min(v1)) - x;
        if w >= min_w {
            if depth >= rows.start {
                rects.push(FlameRect {
                    id: s as u32,
                    x,
                    w,
                    depth,
                });
            }
            k += 1;
        } else {
            let below = heights.get(s).copied().unwrap_or(0);
            let top = depth.max(rows.start);
            let bottom = (depth + below + 1).min(rows.end);
            if bottom > top {
                let x0 = x - scale.x0;
                let (y0, y1) = ((top - rows.start) as f64, (bottom - rows.start) as f64);
                fine.mark(x0, x0 + w, y0, y1, service_key(t, s));
            }
            k += skip;
        }
    }
    let rects = visible_in_rows(rects, fine.width(), rows.start, height, scale.x0);
    ChartLod {
        rects,
        fine: fine.runs(),
        first_row: rows.start,
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
}

/// For each span, how many levels its subtree reaches below it.
pub fn subtree_heights(t: &Trace) -> Vec<u32> {
    let tree = &t.tree;
    let mut h = vec![0u32; t.len()];
    for &s in tree.preorder.iter().rev() {
        if let Some(p) = tree.parent_of(s as usize) {
            h[p] = h[p].max(h[s as usize] + 1);
        }
    }
    h
}

/// The rectangle under a point, for rows of `row_h` pixels starting at `top`.
pub fn hit(rects: &[FlameRect], x: f64, y: f64, top: f64, row_h: f64) -> Option<FlameRect> {
    if y < top {
        return None;
    }
    let depth = ((y - top) / row_h).floor() as u32;
    rects
        .iter()
        .copied()
        .find(|r| r.depth == depth && x >= r.x && x < r.x + r.w.max(1.0))
}

#[cfg(test)]
mod lod_tests {
    use super::*;
    use crate::synth::{trace_json, SynthFormat};

    fn synth(n: usize) -> crate::Dataset {
        let mut ds = crate::Dataset::default();
        crate::decode_bytes(&mut ds, trace_json(n, SynthFormat::Jaeger, 5).as_bytes()).unwrap();
        ds
    }

    #[test]
    fn frames_a_pixel_wide_are_drawn_and_what_is_drawn_is_bounded_by_pixels() {
        let width = 1000.0;
        let mut drawn = Vec::new();
        for n in [1_000, 60_000] {
            let ds = synth(n);
            let t = &ds.traces[0];
            let (b0, b1) = t.time_window();
            let scale = TimeScale::new(b0, b1, 0.0, width);
            let all_rows = 0..t.tree.max_depth + 1;
            let lod = chart_lod(t, &subtree_heights(t), &scale, 1.0, all_rows);
            // Every frame at least a pixel wide whose ancestors all are too is a rectangle.
            let wide =
                |s: usize| scale.x(t.end_ns(s) as f64) - scale.x(t.start_ns[s] as f64) >= 1.0;
            let mut expected = 0;
            for &s in &t.tree.preorder {
                let mut a = Some(s as usize);
                let mut all = true;
                while let Some(x) = a {
                    all &= wide(x);
                    a = t.tree.parent_of(x);
                }
                expected += all as usize;
            }
            // Frames hidden under later siblings in their row are left out.
            assert!(lod.rects.len() <= expected, "{n} spans");
            assert!(lod.rects.len() <= width as usize * (t.tree.max_depth as usize + 1));
            assert!(lod.rects.iter().all(|r| r.w >= 1.0));
            let rows = t.tree.max_depth as usize + 1;
            assert!(lod.fine.len() <= width as usize * rows);
            // Only the rows on screen: nothing deeper, and the same frames there.
            let top = chart_lod(t, &subtree_heights(t), &scale, 1.0, 2..6);
            assert!(top.rects.iter().all(|r| (2..6).contains(&r.depth)));
            let same: Vec<_> = lod
                .rects
                .iter()
                .filter(|r| (2..6).contains(&r.depth))
                .collect();
            assert_eq!(top.rects.iter().collect::<Vec<_>>(), same);
            assert!(top.fine.iter().all(|r| r.row < 4));
            assert!(lod.fine.iter().all(|r| r.x1 as f64 <= width && r.x0 < r.x1));
            drawn.push(lod.rects.len() + lod.fine.len());
        }
        // Far fewer things to draw than spans once frames get thin.
        assert!(drawn[1] < 60_000 / 4, "{drawn:?}");
    }

    #[test]
    fn subtree_heights_count_levels_below() {
        let ds = synth(200);
        let t = &ds.traces[0];
        let h = subtree_heights(t);
        let root = t.tree.roots[0] as usize;
        assert_eq!(h[root], t.tree.max_depth);
        for (s, &hs) in h.iter().enumerate() {
            if t.tree.children_of(s).is_empty() {
                assert_eq!(hs, 0);
            }
        }
    }
}
