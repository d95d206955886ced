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
            nodes: vec![FlameNode::new(u32::MAX, StrId(0), StrId(0), 0)],
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
            let s = t.tree.preorder()[at] as usize;
            let parent_node = t.tree.parent_of(s).map(|p| node_of[p]).unwrap_or(0);
            let id = node_under(nodes, index, parent_node, t.service[s], t.name[s]);
            let error = t.status[s] == crate::model::StatusCode::Error;
            nodes[id as usize].add(t.duration_ns[s], self_time_of(t, s), error);
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
        widest_first(&mut nodes);
        MergedFlame {
            nodes,
            node_of: self.node_of,
        }
    }
}

impl FlameNode {
    fn new(parent: u32, service: StrId, name: StrId, depth: u32) -> FlameNode {
        FlameNode {
            parent,
            service,
            name,
            depth,
            total_ns: 0,
            self_ns: 0,
            count: 0,
            errors: 0,
            children: Vec::new(),
        }
    }

    /// One more span merged into the frame.
    fn add(&mut self, total_ns: i64, self_ns: i64, error: bool) {
        self.total_ns = self.total_ns.saturating_add(total_ns);
        self.self_ns = self.self_ns.saturating_add(self_ns);
        self.count += 1;
        self.errors += error as u32;
    }
}

/// The frame of (`service`, `name`) under `parent`, made when new.
fn node_under(
    nodes: &mut Vec<FlameNode>,
    index: &mut FxHashMap<(u32, StrId, StrId), u32>,
    parent: u32,
    service: StrId,
    name: StrId,
) -> u32 {
    *index.entry((parent, service, name)).or_insert_with(|| {
        let id = nodes.len() as u32;
        let depth = nodes[parent as usize].depth + 1;
        nodes.push(FlameNode::new(parent, service, name, depth));
        nodes[parent as usize].children.push(id);
        id
    })
}

/// Each frame's children widest first (left-heavy), ties by id for stability.
fn widest_first(nodes: &mut [FlameNode]) {
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
}

/// One operation's sandwich (speedscope's): what calls it and what it
/// calls, over some traces, as one graph whose node 0 is as wide as the
/// operation's outermost spans (a call of it inside another is among that
/// one's callees) and has two children: [`SANDWICH_CALLERS`], below which
/// are the chains of spans above the calls, nearest caller first, each
/// weighted by the time of the call it leads to (a caller's self time: the
/// calls whose chain starts at it), and [`SANDWICH_CALLEES`], below which
/// the spans under the calls are merged by path, as in [`merge`].
/// `node_of` is empty.
pub fn sandwich<'a>(
    traces: impl IntoIterator<Item = &'a Trace>,
    op: (StrId, StrId),
) -> MergedFlame {
    let traces: Vec<&Trace> = traces.into_iter().collect();
    let mut b = SandwichBuilder::new(op);
    b.step(&traces, usize::MAX);
    b.finish()
}

/// The root of a sandwich's callers.
pub const SANDWICH_CALLERS: u32 = 1;
/// The root of a sandwich's callees.
pub const SANDWICH_CALLEES: u32 = 2;

/// A [`sandwich`] made a part at a time, as [`MergeBuilder`].
#[derive(Debug, Clone)]
pub struct SandwichBuilder {
    op: (StrId, StrId),
    nodes: Vec<FlameNode>,
    index: FxHashMap<(u32, StrId, StrId), u32>,
    /// The trace being walked and the callee frame of each of its spans
    /// (`NOT_UNDER` outside the operation's calls).
    trace: usize,
    callee_of: Vec<u32>,
    walk: SpanWalk,
}

const CALLERS: u32 = SANDWICH_CALLERS;
const CALLEES: u32 = SANDWICH_CALLEES;
const NOT_UNDER: u32 = u32::MAX;

impl SandwichBuilder {
    pub fn new(op: (StrId, StrId)) -> SandwichBuilder {
        let mut root = FlameNode::new(u32::MAX, StrId(0), StrId(0), 0);
        root.children = vec![CALLERS, CALLEES];
        SandwichBuilder {
            op,
            nodes: vec![
                root,
                FlameNode::new(0, op.0, op.1, 1),
                FlameNode::new(0, op.0, op.1, 1),
            ],
            index: FxHashMap::default(),
            trace: usize::MAX,
            callee_of: Vec::new(),
            walk: SpanWalk::default(),
        }
    }

    /// Takes up to `budget` more spans of `traces`; true once every span is in.
    pub fn step<T: Borrow<Trace>>(&mut self, traces: &[T], budget: usize) -> bool {
        let SandwichBuilder {
            op,
            nodes,
            index,
            trace,
            callee_of,
            walk,
        } = self;
        walk.step(traces, budget, |k, t, at| {
            if *trace != k {
                *trace = k;
                callee_of.clear();
                callee_of.resize(t.len(), NOT_UNDER);
            }
            // Preorder: a span's parent is placed before it.
            let s = t.tree.preorder()[at] as usize;
            let parent = t.tree.parent_of(s);
            let (duration, error) = (
                t.duration_ns[s],
                t.status[s] == crate::model::StatusCode::Error,
            );
            let above = parent.map_or(NOT_UNDER, |p| callee_of[p]);
            if above != NOT_UNDER {
                let id = node_under(nodes, index, above, t.service[s], t.name[s]);
                nodes[id as usize].add(duration, self_time_of(t, s), error);
                callee_of[s] = id;
            } else if (t.service[s], t.name[s]) == *op {
                nodes[CALLEES as usize].add(duration, self_time_of(t, s), error);
                callee_of[s] = CALLEES;
                nodes[CALLERS as usize].add(duration, (parent.is_none() as i64) * duration, error);
                let (mut frame, mut up) = (CALLERS, parent);
                while let Some(p) = up {
                    up = t.tree.parent_of(p);
                    frame = node_under(nodes, index, frame, t.service[p], t.name[p]);
                    nodes[frame as usize].add(duration, (up.is_none() as i64) * duration, error);
                }
            }
        })
    }

    /// The sandwich, children widest first.
    pub fn finish(self) -> MergedFlame {
        let mut nodes = self.nodes;
        nodes[0].total_ns = nodes[CALLEES as usize].total_ns;
        widest_first(&mut nodes);
        // The two roots stay in their order.
        nodes[0].children = vec![CALLERS, CALLEES];
        MergedFlame {
            nodes,
            node_of: Vec::new(),
        }
    }
}
