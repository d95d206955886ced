//! Flame geometry: the merged flame graph (icicle: x = share of the focused
//! frame's total, y = depth below it) and the time-ordered flame chart of
//! one trace (x = time, y = depth).

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

/// Time-ordered flame chart of one trace within `scale`'s window: one
/// rectangle per span at its depth, spans outside the window or narrower
/// than `min_w` pixels left out.
pub fn chart_rects(t: &Trace, scale: &TimeScale, min_w: f64) -> Vec<FlameRect> {
    let mut out = Vec::new();
    let (v0, v1) = (scale.start_ns, scale.end_ns);
    for &s in &t.tree.preorder {
        let s = s as usize;
        let (st, en) = (t.start_ns[s] as f64, t.end_ns(s) as f64);
        if en < v0 || st > v1 {
            continue;
        }
        let x = scale.x(st.max(v0));
        let w = scale.x(en.min(v1)) - x;
        if w >= min_w {
            out.push(FlameRect {
                id: s as u32,
                x,
                w,
                depth: t.tree.depth[s],
            });
        }
    }
    out
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
