//! Per-pixel level of detail: many rectangles, most narrower than a pixel,
//! reduced to one value per pixel cell and drawn as horizontal runs. What a
//! painter draws is then bounded by the pixels, not by the span count (the
//! minimap of a million spans costs what the minimap of a thousand does).

/// `width × height` cells; each holds the largest key marked on it (0: empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    width: usize,
    height: usize,
    cells: Vec<u32>,
}

/// Cells `x0..x1` of row `row` all hold `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub row: u32,
    pub x0: u32,
    pub x1: u32,
    pub key: u32,
}

impl Raster {
    pub fn new(width: usize, height: usize) -> Raster {
        Raster {
            width,
            height,
            cells: vec![0; width * height],
        }
    }
    pub fn width(&self) -> usize {
        self.width
    }
    pub fn height(&self) -> usize {
        self.height
    }
    pub fn get(&self, x: usize, y: usize) -> u32 {
        self.cells[y * self.width + x]
    }
    /// Marks the cells a rectangle touches (at least one cell, however thin
    /// it is) with `key` where it is larger than what they hold. Keys order
    /// what shows when spans share a pixel (errors on top, say).
    pub fn mark(&mut self, x0: f64, x1: f64, y0: f64, y1: f64, key: u32) {
        if self.width == 0 || self.height == 0 || !(x0.is_finite() && x1.is_finite()) {
            return;
        }
        let clamp = |v: f64, n: usize| (v.max(0.0) as usize).min(n - 1);
        let (cx0, cy0) = (
            clamp(x0.floor(), self.width),
            clamp(y0.floor(), self.height),
        );
        let cx1 = clamp((x1.ceil() - 1.0).max(x0.floor()), self.width);
        let cy1 = clamp((y1.ceil() - 1.0).max(y0.floor()), self.height);
        for y in cy0..=cy1 {
            let row = &mut self.cells[y * self.width..(y + 1) * self.width];
            for c in &mut row[cx0..=cx1] {
                *c = (*c).max(key);
            }
        }
    }
    /// Runs of equal, non-empty cells, row by row.
    pub fn runs(&self) -> Vec<Run> {
        let mut out = Vec::new();
        for y in 0..self.height {
            let row = &self.cells[y * self.width..(y + 1) * self.width];
            let mut x = 0;
            while x < row.len() {
                let key = row[x];
                let start = x;
                while x < row.len() && row[x] == key {
                    x += 1;
                }
                if key != 0 {
                    out.push(Run {
                        row: y as u32,
                        x0: start as u32,
                        x1: x as u32,
                        key,
                    });
                }
            }
        }
        out
    }
}

/// Colour key of a span in a raster: errors above everything, else its
/// service (`StrId + 1`); painters turn keys into colours.
pub fn service_key(t: &crate::model::Trace, s: usize) -> u32 {
    match t.status[s] {
        crate::model::StatusCode::Error => ERROR_KEY,
        _ => t.service[s].0 + 1,
    }
}

/// The key of error spans.
pub const ERROR_KEY: u32 = u32::MAX;

/// The waterfall minimap: every span of `t` in tree order squeezed into
/// `height` pixel rows and `width` pixel columns over the trace's time,
/// coloured by [`service_key`].
pub fn minimap(t: &crate::model::Trace, width: usize, height: usize) -> Raster {
    let mut m = Minimap::new(t, width, height);
    m.step(t, usize::MAX);
    m.raster
}

/// [`minimap`] built a part at a time, so that a page can split a million
/// spans over several tasks (the marks of a million spans take ~170 ms).
pub struct Minimap {
    pub raster: Raster,
    b0: f64,
    px_per_ns: f64,
    row_h: f64,
    next: usize,
}

impl Minimap {
    pub fn new(t: &crate::model::Trace, width: usize, height: usize) -> Minimap {
        let (b0, b1) = t.time_window();
        let n = t.tree.preorder().len().max(1) as f64;
        Minimap {
            raster: Raster::new(width, height),
            b0,
            px_per_ns: width as f64 / (b1 - b0),
            row_h: height as f64 / n,
            next: 0,
        }
    }
    /// Marks the next `count` spans of `t` (the trace it was made for);
    /// true once every span is marked.
    pub fn step(&mut self, t: &crate::model::Trace, count: usize) -> bool {
        let order = t.tree.preorder();
        let end = self.next.saturating_add(count).min(order.len());
        for (k, &s) in order.iter().enumerate().take(end).skip(self.next) {
            let s = s as usize;
            let x0 = (t.start_ns[s] as f64 - self.b0) * self.px_per_ns;
            let x1 = x0 + t.duration_ns[s] as f64 * self.px_per_ns;
            let y0 = k as f64 * self.row_h;
            self.raster
                .mark(x0, x1, y0, y0 + self.row_h, service_key(t, s));
        }
        self.next = end;
        end == order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thin_rectangles_mark_one_cell_and_the_larger_key_wins() {
        let mut r = Raster::new(10, 2);
        r.mark(2.2, 2.3, 0.0, 0.1, 5);
        r.mark(2.0, 6.0, 0.0, 1.0, 3);
        r.mark(-5.0, 100.0, 1.5, 1.6, 1);
        assert_eq!(r.get(2, 0), 5);
        assert_eq!((r.get(3, 0), r.get(5, 0), r.get(6, 0)), (3, 3, 0));
        assert_eq!(
            r.runs(),
            vec![
                Run {
                    row: 0,
                    x0: 2,
                    x1: 3,
                    key: 5
                },
                Run {
                    row: 0,
                    x0: 3,
                    x1: 6,
                    key: 3
                },
                Run {
                    row: 1,
                    x0: 0,
                    x1: 10,
                    key: 1
                },
            ]
        );
    }

    #[test]
    fn a_minimap_built_in_parts_is_the_one_built_at_once() {
        let json = crate::synth::trace_json(5000, crate::synth::SynthFormat::Jaeger, 3);
        let mut ds = crate::model::Dataset::default();
        crate::decode::decode_bytes(&mut ds, json.as_bytes()).unwrap();
        let t = &ds.traces[0];
        let whole = minimap(t, 300, 20);
        let mut parts = Minimap::new(t, 300, 20);
        let mut steps = 1;
        while !parts.step(t, 777) {
            steps += 1;
        }
        assert_eq!(steps, 5000usize.div_ceil(777));
        assert_eq!(parts.raster, whole);
        assert!(whole.runs().len() > 20);
    }
}
