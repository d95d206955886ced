//! Waterfall rows: the spans shown, in tree order, skipping collapsed
//! subtrees by their size (O(rows shown), not O(spans)).

use crate::model::Trace;

/// Visible rows (span indices) given a per-span `collapsed` mask.
pub fn visible_rows(t: &Trace, collapsed: &[bool]) -> Vec<u32> {
    let tree = &t.tree;
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
