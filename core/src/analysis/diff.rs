//! Trace against trace: spans aligned by their path of service:operation
//! from the root, so two traces of one request line up even when their span
//! counts differ. Siblings with one path are merged, with counts; a node
//! only one trace has has a count of 0 in the other.

use crate::analysis::self_time::self_time_of;
use crate::model::{StrId, Trace};
use rustc_hash::FxHashMap;

/// One path of the merged tree, with what each trace spent there.
#[derive(Clone, Debug, PartialEq)]
pub struct DiffNode {
    /// The node above it (an index into the list), None for a root.
    pub parent: Option<u32>,
    pub depth: u32,
    pub service: StrId,
    pub operation: StrId,
    /// Spans on this path in A and in B.
    pub count: [u32; 2],
    /// Their summed duration and self time in A and in B, ns.
    pub total_ns: [i64; 2],
    pub self_ns: [i64; 2],
}

impl DiffNode {
    /// Total duration in B minus in A.
    pub fn delta_ns(&self) -> i64 {
        self.total_ns[1] - self.total_ns[0]
    }
    /// The change relative to A, None when A has none of it.
    pub fn delta_ratio(&self) -> Option<f64> {
        (self.total_ns[0] > 0).then(|| self.delta_ns() as f64 / self.total_ns[0] as f64)
    }
}

/// What a table of nodes is ordered by: the merged tree's order, or a
/// number of each node, largest first (ties keep the tree's order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffOrder {
    Tree,
    /// The size of B − A.
    Change,
    /// The size of the change relative to A; paths only B has first.
    Ratio,
    /// Spans, total time or self time in A (0) or B (1).
    Spans(usize),
    Total(usize),
    SelfTime(usize),
}

impl DiffOrder {
    fn key(self, n: &DiffNode) -> i64 {
        let side = |v: &[i64; 2], g: usize| v.get(g).copied().unwrap_or(0);
        match self {
            DiffOrder::Tree => 0,
            DiffOrder::Change => n.delta_ns().saturating_abs(),
            DiffOrder::Ratio => n.delta_ratio().map_or(i64::MAX, |r| {
                (r.abs() * 1e6).min(i64::MAX as f64 / 2.0) as i64
            }),
            DiffOrder::Spans(g) => n.count.get(g).copied().unwrap_or(0) as i64,
            DiffOrder::Total(g) => side(&n.total_ns, g),
            DiffOrder::SelfTime(g) => side(&n.self_ns, g),
        }
    }

    /// The indices of the first `limit` of `nodes` in this order, without
    /// ordering them all (a table shows 200 of 166k paths): the nodes are
    /// taken in tree order into a buffer of a few times `limit`, sorted
    /// and cut to `limit` when it fills; then a node enters only when it
    /// beats the last kept (a tie comes later in tree order, so after it).
    pub fn rows(self, nodes: &[DiffNode], limit: usize) -> Vec<usize> {
        if limit == 0 {
            return Vec::new();
        }
        let room = limit.saturating_mul(4).max(16);
        let mut best: Vec<(i64, usize)> = Vec::new();
        let mut floor = None;
        let keep = |best: &mut Vec<(i64, usize)>| {
            crate::order::sort_by_key(best, |&(k, _)| std::cmp::Reverse(k));
            best.truncate(limit);
            best.get(limit - 1).map(|&(k, _)| k)
        };
        for (i, n) in nodes.iter().enumerate() {
            let k = self.key(n);
            if floor.is_some_and(|f| k <= f) {
                continue;
            }
            best.push((k, i));
            if best.len() >= room {
                floor = keep(&mut best);
            }
        }
        keep(&mut best);
        best.into_iter().map(|(_, i)| i).collect()
    }
}

/// The merged tree of `a` and `b` (from one dataset, so their string ids
/// compare), parents before children: A's paths in A's depth-first order,
/// then the paths only B has.
pub fn align(a: &Trace, b: &Trace) -> Vec<DiffNode> {
    AlignBuilder::default().finish([a, b])
}

/// [`align`] a part at a time (two traces of a million spans take seconds
/// on a page): A's spans in depth-first order, then B's.
#[derive(Default)]
pub struct AlignBuilder {
    nodes: Vec<DiffNode>,
    index: FxHashMap<(Option<u32>, StrId, StrId), u32>,
    /// The trace being walked (0: A, 1: B, 2: both were), how far into its
    /// depth-first order, and the node of each of its spans placed.
    side: usize,
    at: usize,
    node_of: Vec<u32>,
}

impl AlignBuilder {
    /// Places up to `budget` more spans; true once both traces are placed.
    /// Called with the same traces each time.
    pub fn step(&mut self, traces: [&Trace; 2], budget: usize) -> bool {
        let Some(t) = traces.get(self.side) else {
            return true;
        };
        let k = self.side;
        self.node_of.resize(t.len(), 0);
        let order = t.tree.preorder();
        let end = order.len().min(self.at.saturating_add(budget));
        for &s in &order[self.at..end] {
            let s = s as usize;
            let parent = t.tree.parent_of(s).map(|p| self.node_of[p]);
            let key = (parent, t.service[s], t.name[s]);
            let nodes = &mut self.nodes;
            let id = *self.index.entry(key).or_insert_with(|| {
                nodes.push(DiffNode {
                    parent,
                    depth: parent.map_or(0, |p| nodes[p as usize].depth + 1),
                    service: t.service[s],
                    operation: t.name[s],
                    count: [0; 2],
                    total_ns: [0; 2],
                    self_ns: [0; 2],
                });
                (nodes.len() - 1) as u32
            });
            self.node_of[s] = id;
            let n = &mut nodes[id as usize];
            n.count[k] += 1;
            n.total_ns[k] += t.duration_ns[s];
            n.self_ns[k] += self_time_of(t, s);
        }
        self.at = end;
        if end == order.len() {
            self.side += 1;
            self.at = 0;
            self.node_of.clear();
        }
        self.side >= 2
    }

    /// The merged tree (steps left undone are done here).
    pub fn finish(mut self, traces: [&Trace; 2]) -> Vec<DiffNode> {
        while !self.step(traces, usize::MAX) {}
        self.nodes
    }
}
