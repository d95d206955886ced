//! The merged flame graph: spans with the same path of (service, operation)
//! from a root are combined into one node whose width is their total time.
//! Over one trace or many (they share the dataset's interned strings).

use super::self_time::self_time_of;
use super::span_walk::SpanWalk;
use crate::model::{StrId, Trace};
use rustc_hash::FxHashMap;
use std::borrow::Borrow;

/// Node 0 is the virtual root ("all"), parent of every root frame.
#[derive(Debug, Clone, PartialEq)]
pub struct FlameNode {
    pub parent: u32,
    pub service: StrId,
    pub name: StrId,
    pub depth: u32,
    /// Sum of the durations of the merged spans.
    pub total_ns: i64,
    /// Sum of their self times.
    pub self_ns: i64,
    pub count: u32,
    pub errors: u32,
    pub children: Vec<u32>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergedFlame {
    pub nodes: Vec<FlameNode>,
    /// Node of each span, per input trace.
    pub node_of: Vec<Vec<u32>>,
}

impl MergedFlame {
    /// The frames below the virtual root, each before its children and
    /// children widest first: the order a table of the graph reads in.
    pub fn preorder(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.nodes.len().saturating_sub(1));
        let mut stack: Vec<u32> = match self.nodes.first() {
            Some(root) => root.children.iter().rev().copied().collect(),
            None => return out,
        };
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.nodes[n as usize].children.iter().rev());
        }
        out
    }
}

/// The merged graph of `traces`, at once.
pub fn merge<'a>(traces: impl IntoIterator<Item = &'a Trace>) -> MergedFlame {
    let traces: Vec<&Trace> = traces.into_iter().collect();
    let mut b = MergeBuilder::default();
    b.step(&traces, usize::MAX);
    b.finish()
}

/// The merged graph made a few spans at a time, so a page can build it
/// over many tasks: `step` with the same traces until it says it is done,
/// then `finish`.
#[derive(Debug, Clone)]
pub struct MergeBuilder {
    nodes: Vec<FlameNode>,
    index: FxHashMap<(u32, StrId, StrId), u32>,
    node_of: Vec<Vec<u32>>,
    /// Positions in each trace's preorder.
    walk: SpanWalk,
}

impl Default for MergeBuilder {
    fn default() -> Self {
        MergeBuilder {
            nodes: vec![FlameNode {
                parent: u32::MAX,
                service: StrId(0),
                name: StrId(0),
                depth: 0,
                total_ns: 0,
                self_ns: 0,
                count: 0,
                errors: 0,
                children: Vec::new(),
            }],
            index: FxHashMap::default(),
            node_of: Vec::new(),
            walk: SpanWalk::default(),
        }
    }
}

impl MergeBuilder {
    /// Merges up to `budget` more spans of `traces`; true once every span
    /// is in.
    pub fn step<T: Borrow<Trace>>(&mut self, traces: &[T], budget: usize) -> bool {
        let MergeBuilder {
            nodes,
            index,
            node_of,
            walk,
        } = self;
        let done = walk.step(traces, budget, |k, t, at| {
            if node_of.len() <= k {
                // Traces with no span (never visited) before this one.
                node_of.resize_with(k, Vec::new);
                node_of.push(vec![0u32; t.len()]);
            }
            let node_of = &mut node_of[k];
            // Preorder: a span's parent is placed before it.
            let s = t.tree.preorder[at] as usize;
            let parent_node = t.tree.parent_of(s).map(|p| node_of[p]).unwrap_or(0);
            let key = (parent_node, t.service[s], t.name[s]);
            let id = *index.entry(key).or_insert_with(|| {
                let id = nodes.len() as u32;
                let depth = nodes[parent_node as usize].depth + 1;
                nodes.push(FlameNode {
                    parent: parent_node,
                    service: t.service[s],
                    name: t.name[s],
                    depth,
                    total_ns: 0,
                    self_ns: 0,
                    count: 0,
                    errors: 0,
                    children: Vec::new(),
                });
                nodes[parent_node as usize].children.push(id);
                id
            });
            let n = &mut nodes[id as usize];
            n.total_ns = n.total_ns.saturating_add(t.duration_ns[s]);
            n.self_ns = n.self_ns.saturating_add(self_time_of(t, s));
            n.count += 1;
            n.errors += (t.status[s] == crate::model::StatusCode::Error) as u32;
            node_of[s] = id;
        });
        if done {
            node_of.resize_with(traces.len(), Vec::new);
        }
        done
    }

    /// The graph: the root as wide as its frames, children widest first.
    pub fn finish(self) -> MergedFlame {
        let mut nodes = self.nodes;
        nodes[0].total_ns = nodes[0]
            .children
            .iter()
            .map(|&c| nodes[c as usize].total_ns)
            .fold(0i64, i64::saturating_add);
        // Widest first (left-heavy), ties by id for stability.
        for i in 0..nodes.len() {
            let mut kids = std::mem::take(&mut nodes[i].children);
            crate::order::sort_by(&mut kids, |&a, &b| {
                nodes[b as usize]
                    .total_ns
                    .cmp(&nodes[a as usize].total_ns)
                    .then(a.cmp(&b))
            });
            nodes[i].children = kids;
        }
        MergedFlame {
            nodes,
            node_of: self.node_of,
        }
    }
}
