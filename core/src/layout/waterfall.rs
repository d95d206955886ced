//! Waterfall rows: the spans shown, in tree order, skipping collapsed
//! subtrees by their size (O(rows shown), not O(spans)).

use crate::model::Trace;

/// Visible rows (span indices) given a per-span `collapsed` mask.
pub fn visible_rows(t: &Trace, collapsed: &[bool]) -> Vec<u32> {
    let tree = &t.tree;
    // Nothing folded (a trace just opened): every row, copied at once.
    if !collapsed.contains(&true) {
        return tree.preorder.clone();
    }
    let mut out = Vec::with_capacity(tree.preorder.len().min(1 << 16));
    let mut k = 0usize;
    while k < tree.preorder.len() {
        let s = tree.preorder[k] as usize;
        out.push(s as u32);
        k += if collapsed.get(s).copied().unwrap_or(false) {
            tree.subtree_size[s] as usize
        } else {
            1
        };
    }
    out
}

/// Row geometry of the waterfall canvas, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowGeometry {
    /// Height of the time ruler above the rows.
    pub header: f64,
    pub row_height: f64,
    /// Vertical scroll offset of the rows.
    pub scroll_y: f64,
}

impl RowGeometry {
    /// The row under a y coordinate, if any.
    pub fn row_at(&self, y: f64, rows: usize) -> Option<usize> {
        if y < self.header {
            return None;
        }
        let r = ((y - self.header + self.scroll_y) / self.row_height).floor();
        if r < 0.0 || r as usize >= rows {
            None
        } else {
            Some(r as usize)
        }
    }
    /// Top of a row on the canvas.
    pub fn row_top(&self, row: usize) -> f64 {
        self.header + row as f64 * self.row_height - self.scroll_y
    }
    /// The rows that intersect a canvas of `height` pixels.
    pub fn visible_range(&self, height: f64, rows: usize) -> std::ops::Range<usize> {
        let first = (self.scroll_y / self.row_height).floor().max(0.0) as usize;
        let n = ((height - self.header) / self.row_height).ceil().max(0.0) as usize + 1;
        first.min(rows)..(first + n).min(rows)
    }
    /// The scroll offset that brings `row` into view in a canvas of `height`.
    pub fn scroll_to_show(&self, row: usize, height: f64) -> f64 {
        let top = row as f64 * self.row_height;
        let view = (height - self.header).max(self.row_height);
        if top < self.scroll_y {
            top
        } else if top + self.row_height > self.scroll_y + view {
            top + self.row_height - view
        } else {
            self.scroll_y
        }
    }
}

/// Horizontal layout of the name column: indentation per depth and the
/// collapse toggle's place.
pub const INDENT: f64 = 14.0;
pub const TOGGLE_W: f64 = 14.0;
pub const NAME_PAD: f64 = 6.0;

/// x of the collapse toggle of a row at `depth`.
pub fn toggle_x(depth: u32) -> f64 {
    NAME_PAD + depth as f64 * INDENT
}

/// Whether x falls on the collapse toggle of a row at `depth` (with a few
/// pixels of slack, so it is easy to hit).
pub fn hits_toggle(x: f64, depth: u32) -> bool {
    let x0 = toggle_x(depth);
    x >= x0 - 3.0 && x <= x0 + TOGGLE_W + 3.0
}

/// Width of the name column for a canvas of `width` CSS pixels.
pub fn name_width(width: f64) -> f64 {
    (width * 0.32).clamp(180.0, 420.0).min(width * 0.6)
}

/// The smallest window a zoom may reach: 1 ns, or a millionth of the trace.
fn min_span(bounds: (f64, f64)) -> f64 {
    ((bounds.1 - bounds.0) / 1e6).max(1.0)
}

/// Keeps a window inside `bounds`, preserving its width where possible.
pub fn clamp_window(w: (f64, f64), bounds: (f64, f64)) -> (f64, f64) {
    let full = (bounds.1 - bounds.0).max(1.0);
    let width = (w.1 - w.0).clamp(min_span(bounds), full);
    let start = w.0.clamp(bounds.0, bounds.1 - width);
    (start, start + width)
}

/// Zooms `view` by `factor` (< 1 zooms in) keeping time `anchor` under the cursor.
pub fn zoom_window(view: (f64, f64), bounds: (f64, f64), anchor: f64, factor: f64) -> (f64, f64) {
    let anchor = anchor.clamp(view.0, view.1);
    let new_w = ((view.1 - view.0) * factor).max(min_span(bounds));
    let frac = if view.1 > view.0 {
        (anchor - view.0) / (view.1 - view.0)
    } else {
        0.5
    };
    let start = anchor - frac * new_w;
    clamp_window((start, start + new_w), bounds)
}

/// Moves `view` by `delta` ns, staying inside `bounds`.
pub fn pan_window(view: (f64, f64), bounds: (f64, f64), delta: f64) -> (f64, f64) {
    clamp_window((view.0 + delta, view.1 + delta), bounds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_anchor_and_stays_in_bounds() {
        let b = (0.0, 1000.0);
        let z = zoom_window((0.0, 1000.0), b, 250.0, 0.5);
        assert_eq!(z, (125.0, 625.0));
        // Zooming out past the bounds clamps to the whole trace.
        assert_eq!(zoom_window(z, b, 250.0, 10.0), (0.0, 1000.0));
        // Zooming in stops at a millionth of the trace (or 1 ns).
        let tiny = zoom_window((0.0, 1000.0), b, 500.0, 1e-9);
        assert!((tiny.1 - tiny.0 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn pan_stops_at_the_edges() {
        assert_eq!(
            pan_window((100.0, 200.0), (0.0, 1000.0), -500.0),
            (0.0, 100.0)
        );
        assert_eq!(
            pan_window((100.0, 200.0), (0.0, 1000.0), 5000.0),
            (900.0, 1000.0)
        );
    }

    #[test]
    fn rows_hit_and_scroll() {
        let g = RowGeometry {
            header: 60.0,
            row_height: 20.0,
            scroll_y: 0.0,
        };
        assert_eq!(g.row_at(59.0, 10), None);
        assert_eq!(g.row_at(60.0, 10), Some(0));
        assert_eq!(g.row_at(79.9, 10), Some(0));
        assert_eq!(g.row_at(80.0, 10), Some(1));
        assert_eq!(g.row_at(260.0, 10), None);
        assert_eq!(g.visible_range(100.0, 10), 0..3);
        // Row 9 in a canvas showing 2 rows: scroll so that it is the last one.
        assert_eq!(g.scroll_to_show(9, 100.0), 160.0);
        let scrolled = RowGeometry {
            scroll_y: 160.0,
            ..g
        };
        assert_eq!(scrolled.row_at(60.0, 10), Some(8));
        assert_eq!(scrolled.scroll_to_show(2, 100.0), 40.0);
    }

    #[test]
    fn toggles_follow_depth() {
        assert!(hits_toggle(toggle_x(0) + 5.0, 0));
        assert!(!hits_toggle(toggle_x(3) + 5.0, 0));
        assert!(hits_toggle(toggle_x(3) + 5.0, 3));
        assert_eq!(name_width(1000.0), 320.0);
        assert_eq!(name_width(200.0), 120.0);
    }
}
