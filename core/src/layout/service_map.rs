//! Service-map positions from a layered (Sugiyama) layout: callers left of
//! callees, one column per layer (screens are wider than tall, and call
//! graphs fan out wider than they go deep). The layout itself comes from
//! the `rust-sugiyama` crate; here only the graph goes in and box centres
//! come out, connected components stacked top to bottom.

use crate::analysis::service_graph::ServiceGraph;

/// A service's box.
pub const NODE_W: f64 = 190.0;
pub const NODE_H: f64 = 42.0;
/// Between columns: room for the edge labels.
pub const COL_GAP: f64 = 150.0;
pub const ROW_GAP: f64 = 14.0;
/// Around the map when it is fitted to the canvas.
const MARGIN: f64 = 24.0;
/// The most nodes plus edges laid out (a larger graph is drawn with its
/// least busy services grouped, `service_graph_at_most`): the layout crate
/// grows superlinearly (random graphs of this size take 5–15 ms natively,
/// twice that in wasm; 100 services with 1,000 calls took 1.5 s).
pub const MAX_MAP_SIZE: usize = 250;
/// Up to this size the crate also swaps neighbours to remove crossings,
/// which costs several times more.
const TRANSPOSE_UP_TO: usize = 100;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapLayout {
    /// Centre of each node (same order as `ServiceGraph::nodes`).
    pub centers: Vec<(f64, f64)>,
    pub width: f64,
    pub height: f64,
}

/// Lays out nodes of `node_w` × `node_h`, columns `col_gap` apart and
/// nodes within a column at least `row_gap` apart.
pub fn layout(g: &ServiceGraph, node_w: f64, node_h: f64, col_gap: f64, row_gap: f64) -> MapLayout {
    let n = g.nodes.len();
    let mut centers = vec![(0.0, 0.0); n];
    if n == 0 {
        return MapLayout {
            centers,
            width: 0.0,
            height: 0.0,
        };
    }
    // The crate stacks layers top to bottom; it lays out the transposed
    // boxes, and its axes are swapped on the way out.
    let vertices: Vec<(u32, (f64, f64))> = (0..n as u32).map(|i| (i, (node_h, node_w))).collect();
    let edges = acyclic_edges(n, g.edges.iter().map(|e| (e.from, e.to)));
    let config = rust_sugiyama::configure::Config {
        vertex_spacing: node_h + row_gap,
        transpose: g.size() <= TRANSPOSE_UP_TO,
        ..Default::default()
    };
    let layouts = rust_sugiyama::from_vertices_and_edges(&vertices, &edges, &config);
    let mut offset_y = 0.0f64;
    let mut width = 0.0f64;
    for (coords, _, _) in layouts {
        let min_x = coords
            .iter()
            .map(|(_, (x, _))| *x)
            .fold(f64::INFINITY, f64::min);
        // Layers are the distinct y values, in order (the crate's spacing
        // between them depends on box sizes; columns here are even).
        let mut ys: Vec<f64> = coords.iter().map(|(_, (_, y))| *y).collect();
        crate::order::sort_by(&mut ys, f64::total_cmp);
        ys.dedup_by(|a, b| (*a - *b).abs() < 0.5);
        let mut max_y = f64::NEG_INFINITY;
        for (id, (x, y)) in coords {
            let layer = ys.partition_point(|v| *v < y - 0.5) as f64;
            let cx = layer * (node_w + col_gap) + node_w / 2.0;
            let cy = offset_y + (x - min_x) + node_h / 2.0;
            centers[id] = (cx, cy);
            max_y = max_y.max(cy);
            width = width.max(cx + node_w / 2.0);
        }
        offset_y = max_y + node_h / 2.0 + row_gap;
    }
    MapLayout {
        centers,
        width,
        height: offset_y - row_gap,
    }
}

/// The edges without self-loops, duplicates and back edges (found by an
/// iterative depth-first search from the nodes nobody calls), so the layout
/// crate gets a DAG: services that call each other are common, and the
/// crate can loop forever on some cyclic inputs.
fn acyclic_edges(n: usize, edges: impl Iterator<Item = (usize, usize)>) -> Vec<(u32, u32)> {
    let mut out: Vec<(usize, usize)> = edges.filter(|(a, b)| a != b && *a < n && *b < n).collect();
    crate::order::sort(&mut out);
    out.dedup();
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut has_caller = vec![false; n];
    for &(a, b) in &out {
        adj[a].push(b);
        has_caller[b] = true;
    }
    // 0 = unseen, 1 = on the DFS stack, 2 = done.
    let mut state = vec![0u8; n];
    let mut back = rustc_hash::FxHashSet::default();
    let starts = (0..n).filter(|&v| !has_caller[v]).chain(0..n);
    for s in starts {
        if state[s] != 0 {
            continue;
        }
        state[s] = 1;
        let mut stack = vec![(s, 0usize)];
        while let Some(top) = stack.last_mut() {
            let (v, i) = *top;
            if i < adj[v].len() {
                top.1 += 1;
                let w = adj[v][i];
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => {
                        back.insert((v, w));
                    }
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    out.into_iter()
        .filter(|e| !back.contains(e))
        .map(|(a, b)| (a as u32, b as u32))
        .collect()
}

/// Graph → screen: `screen = graph * k + (tx, ty)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transform {
    pub k: f64,
    pub tx: f64,
    pub ty: f64,
}

impl Transform {
    /// The whole map centred in a `w`×`h` box, never magnified past 1.25×.
    pub fn fit(l: &MapLayout, w: f64, h: f64) -> Transform {
        let (lw, lh) = (l.width.max(1.0), l.height.max(1.0));
        let k = ((w - 2.0 * MARGIN) / lw)
            .min((h - 2.0 * MARGIN) / lh)
            .clamp(0.1, 1.25);
        Transform {
            k,
            tx: (w - lw * k) / 2.0,
            ty: ((h - lh * k) / 2.0).max(MARGIN.min(h / 2.0)),
        }
    }
    /// [`Self::fit`], but never below [`MIN_READABLE_ZOOM`]: a map larger
    /// than the view starts at its top left (the first callers), to be
    /// panned, rather than shrinking its text past reading.
    pub fn fit_readably(l: &MapLayout, w: f64, h: f64) -> Transform {
        let fit = Transform::fit(l, w, h);
        if fit.k >= MIN_READABLE_ZOOM {
            return fit;
        }
        let k = MIN_READABLE_ZOOM;
        let (lw, lh) = (l.width * k, l.height * k);
        Transform {
            k,
            tx: if lw + 2.0 * MARGIN <= w {
                (w - lw) / 2.0
            } else {
                MARGIN
            },
            ty: if lh + 2.0 * MARGIN <= h {
                (h - lh) / 2.0
            } else {
                MARGIN
            },
        }
    }
    pub fn to_graph(&self, x: f64, y: f64) -> (f64, f64) {
        ((x - self.tx) / self.k, (y - self.ty) / self.k)
    }
    pub fn to_screen(&self, x: f64, y: f64) -> (f64, f64) {
        (x * self.k + self.tx, y * self.k + self.ty)
    }
    /// Moved on screen by (dx, dy) pixels.
    pub fn moved_by(&self, dx: f64, dy: f64) -> Transform {
        Transform {
            tx: self.tx + dx,
            ty: self.ty + dy,
            ..*self
        }
    }
    /// Zoomed by `factor` keeping the screen point (x, y) still.
    pub fn zoom_at(&self, x: f64, y: f64, factor: f64) -> Transform {
        let k = (self.k * factor).clamp(0.1, 4.0);
        let (gx, gy) = self.to_graph(x, y);
        Transform {
            k,
            tx: x - gx * k,
            ty: y - gy * k,
        }
    }
}

/// Cubic Bézier control points of an edge between boxes centred at `a` and
/// `b` ([`NODE_W`] × [`NODE_H`]): from the caller's right side to the
/// callee's left side, or looping below, bottom to bottom, for calls to the
/// same or an earlier column.
pub fn edge_curve(a: (f64, f64), b: (f64, f64)) -> [(f64, f64); 4] {
    if b.0 > a.0 + NODE_W / 2.0 {
        let p0 = (a.0 + NODE_W / 2.0, a.1);
        let p3 = (b.0 - NODE_W / 2.0, b.1);
        let dx = (p3.0 - p0.0) * 0.5;
        [p0, (p0.0 + dx, p0.1), (p3.0 - dx, p3.1), p3]
    } else {
        let p0 = (a.0, a.1 + NODE_H / 2.0);
        let p3 = (
            b.0 + if (b.0 - a.0).abs() < 1.0 { 12.0 } else { 0.0 },
            b.1 + NODE_H / 2.0,
        );
        let bulge = 40.0 + (a.0 - b.0).abs() * 0.15;
        [p0, (p0.0, p0.1 + bulge), (p3.0, p3.1 + bulge), p3]
    }
}

/// The point of a cubic Bézier at t = ½ (where an edge's label goes).
pub fn bezier_mid(c: &[(f64, f64); 4]) -> (f64, f64) {
    (
        (c[0].0 + 3.0 * c[1].0 + 3.0 * c[2].0 + c[3].0) / 8.0,
        (c[0].1 + 3.0 * c[1].1 + 3.0 * c[2].1 + c[3].1) / 8.0,
    )
}

/// The node whose box contains the point (graph coordinates).
pub fn node_at(l: &MapLayout, x: f64, y: f64, node_w: f64, node_h: f64) -> Option<usize> {
    l.centers
        .iter()
        .position(|&(cx, cy)| (x - cx).abs() <= node_w / 2.0 && (y - cy).abs() <= node_h / 2.0)
}

/// Where edge labels go, in graph coordinates: each edge's label box
/// (`widths[e]` × `height`, centred on its curve's midpoint), or None where
/// it would cover a service's box or a label already placed. The busiest
/// calls are placed first; the others are shown on hover.
pub fn edge_labels(
    l: &MapLayout,
    edges: &[(usize, usize, usize)],
    widths: &[f64],
    height: f64,
) -> Vec<Option<LabelBox>> {
    let mut order: Vec<usize> = (0..edges.len()).collect();
    crate::order::sort_by_key(&mut order, |&e| std::cmp::Reverse(edges[e].2));
    let node_boxes: Vec<LabelBox> = l
        .centers
        .iter()
        .map(|&(cx, cy)| LabelBox {
            x: cx - NODE_W / 2.0,
            y: cy - NODE_H / 2.0,
            w: NODE_W,
            h: NODE_H,
        })
        .collect();
    let mut placed: Vec<LabelBox> = Vec::new();
    let mut out = vec![None; edges.len()];
    for e in order {
        let (from, to, _) = edges[e];
        if from == to || from >= l.centers.len() || to >= l.centers.len() {
            continue;
        }
        let m = bezier_mid(&edge_curve(l.centers[from], l.centers[to]));
        let b = LabelBox {
            x: m.0 - widths[e] / 2.0,
            y: m.1 - height / 2.0,
            w: widths[e],
            h: height,
        };
        if node_boxes.iter().chain(&placed).all(|o| !o.overlaps(&b)) {
            placed.push(b);
            out[e] = Some(b);
        }
    }
    out
}

/// A rectangle: an edge label's box, or a service's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelBox {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl LabelBox {
    pub fn overlaps(&self, o: &LabelBox) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// The smallest zoom at which the map's text is still readable (its 11 px
/// text at 11 px or more): a map that would need less is folded first
/// ([`crate::analysis::service_graph::fold_leaves`]), then shown at this
/// zoom, to be panned.
pub const MIN_READABLE_ZOOM: f64 = 1.0;

/// Whether the whole map fits a `w`×`h` view at a readable zoom.
pub fn fits_readably(l: &MapLayout, w: f64, h: f64) -> bool {
    Transform::fit(l, w, h).k >= MIN_READABLE_ZOOM - 1e-9
}
