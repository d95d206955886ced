//! The service graph: nodes are services, an edge A → B counts the spans of
//! B whose parent span is in A (a call from A to B, messaging producer →
//! consumer included). Each edge carries its call count, errors (of the
//! called spans) and p95 latency (nearest rank over the called spans'
//! durations); each node its span count and errors.

use super::percentile::nearest_rank;
use super::span_walk::SpanWalk;
use crate::model::{StatusCode, StrId, Trace};
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Borrow;

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceNode {
    /// The service; for a group, its busiest member.
    pub service: StrId,
    /// How many services the node stands for: 1, or more for the group of
    /// the least busy services of a graph too large to draw whole.
    pub members: usize,
    pub spans: usize,
    pub errors: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEdge {
    /// Indices into `ServiceGraph::nodes`.
    pub from: usize,
    pub to: usize,
    pub calls: usize,
    pub errors: usize,
    pub p95_ns: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceGraph {
    pub nodes: Vec<ServiceNode>,
    pub edges: Vec<ServiceEdge>,
}

impl ServiceNode {
    pub fn error_rate(&self) -> f64 {
        if self.spans == 0 {
            0.0
        } else {
            self.errors as f64 / self.spans as f64
        }
    }
}

impl ServiceEdge {
    pub fn error_rate(&self) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            self.errors as f64 / self.calls as f64
        }
    }
}

pub fn service_graph<'a>(traces: impl IntoIterator<Item = &'a Trace>) -> ServiceGraph {
    let traces: Vec<&Trace> = traces.into_iter().collect();
    Pass::run(&traces, None)
}

/// Which services share a node: each service in `key` is drawn as the
/// service it maps to; every other one as `rest` (None: as itself).
struct Grouping {
    key: FxHashMap<StrId, StrId>,
    rest: Option<StrId>,
}

/// One walk over the spans making a graph, services mapped to nodes by
/// `grouping` (services with the same key share a node; calls inside one
/// node are not edges).
struct Pass {
    walk: SpanWalk,
    grouping: Option<Grouping>,
    /// Each service's node, and each key's node.
    node_ix: FxHashMap<StrId, usize>,
    key_ix: FxHashMap<StrId, usize>,
    nodes: Vec<ServiceNode>,
    edges: FxHashMap<(usize, usize), (Vec<i64>, usize)>,
}

impl Pass {
    fn new(grouping: Option<Grouping>) -> Pass {
        Pass {
            walk: SpanWalk::default(),
            grouping,
            node_ix: FxHashMap::default(),
            key_ix: FxHashMap::default(),
            nodes: Vec::new(),
            edges: FxHashMap::default(),
        }
    }

    /// The graph of `traces` at once.
    fn run<T: Borrow<Trace>>(traces: &[T], grouping: Option<Grouping>) -> ServiceGraph {
        let mut pass = Pass::new(grouping);
        pass.step(traces, usize::MAX);
        pass.finish()
    }

    fn step<T: Borrow<Trace>>(&mut self, traces: &[T], budget: usize) -> bool {
        let Pass {
            walk,
            grouping,
            node_ix,
            key_ix,
            nodes,
            edges,
        } = self;
        let mut ix = |s: StrId, nodes: &mut Vec<ServiceNode>| {
            *node_ix.entry(s).or_insert_with(|| {
                let key = match grouping {
                    Some(g) => g.key.get(&s).copied().or(g.rest).unwrap_or(s),
                    None => s,
                };
                let i = *key_ix.entry(key).or_insert_with(|| {
                    nodes.push(ServiceNode {
                        service: key,
                        members: 0,
                        spans: 0,
                        errors: 0,
                    });
                    nodes.len() - 1
                });
                nodes[i].members += 1;
                i
            })
        };
        walk.step(traces, budget, |_, t, i| {
            let me = ix(t.service[i], nodes);
            let err = t.status[i] == StatusCode::Error;
            nodes[me].spans += 1;
            nodes[me].errors += err as usize;
            // A call within one service is no edge, and needs no lookup.
            if let Some(p) = t
                .tree
                .parent_of(i)
                .filter(|&p| t.service[p] != t.service[i])
            {
                let from = ix(t.service[p], nodes);
                // Two services in one group: a call inside the group.
                if from != me {
                    let e = edges.entry((from, me)).or_default();
                    e.0.push(t.duration_ns[i]);
                    e.1 += err as usize;
                }
            }
        })
    }

    fn finish(self) -> ServiceGraph {
        let mut edges: Vec<ServiceEdge> = self
            .edges
            .into_iter()
            .map(|((from, to), (mut d, errors))| {
                d.sort_unstable();
                ServiceEdge {
                    from,
                    to,
                    calls: d.len(),
                    errors,
                    p95_ns: nearest_rank(&d, 95.0).unwrap_or(0),
                }
            })
            .collect();
        crate::order::sort_by_key(&mut edges, |e| (e.from, e.to));
        ServiceGraph {
            nodes: self.nodes,
            edges,
        }
    }
}

impl ServiceGraph {
    /// Nodes plus edges: what laying the graph out costs grows with it.
    pub fn size(&self) -> usize {
        self.nodes.len() + self.edges.len()
    }
}

/// The service graph of `traces` with at most `max_size` nodes plus edges:
/// whole when it fits, else the busiest services (by spans) on their own
/// and every other service in one group node (`members` > 1), with the
/// calls to, from and inside the group counted there. Each edge's numbers
/// are computed from the spans, never merged from other edges.
pub fn service_graph_at_most(traces: &[Box<Trace>], max_size: usize) -> ServiceGraph {
    let mut b = GraphBuilder::new(max_size);
    while !b.step(traces, usize::MAX) {}
    b.finish()
}

/// [`service_graph_at_most`] made a part at a time (a million spans take
/// ~100 ms in a page): `step` with the same traces until it says it is
/// done, then `finish`. The whole graph first; when it is too large, a
/// second walk with the least busy services grouped.
pub struct GraphBuilder {
    max_size: usize,
    pass: Pass,
    grouped: bool,
    graph: Option<ServiceGraph>,
}

impl GraphBuilder {
    pub fn new(max_size: usize) -> GraphBuilder {
        GraphBuilder {
            max_size,
            pass: Pass::new(None),
            grouped: false,
            graph: None,
        }
    }

    /// Takes up to `budget` more spans of `traces`; true once the graph is made.
    pub fn step<T: Borrow<Trace>>(&mut self, traces: &[T], budget: usize) -> bool {
        if self.graph.is_some() {
            return true;
        }
        if !self.pass.step(traces, budget) {
            return false;
        }
        let g = std::mem::replace(&mut self.pass, Pass::new(None)).finish();
        if self.grouped || g.size() <= self.max_size || g.nodes.len() < 2 {
            self.graph = Some(g);
            return true;
        }
        self.pass = Pass::new(Some(grouping_within(&g, self.max_size)));
        self.grouped = true;
        false
    }

    /// The graph, once `step` said it is made (empty before).
    pub fn finish(self) -> ServiceGraph {
        self.graph.unwrap_or_default()
    }
}

/// The busiest services of `whole` (by spans) kept on their own, as many
/// as keep the graph within `max_size` nodes plus edges, and every other
/// service in one group.
fn grouping_within(whole: &ServiceGraph, max_size: usize) -> Grouping {
    let mut busiest: Vec<usize> = (0..whole.nodes.len()).collect();
    crate::order::sort_by_key(&mut busiest, |&i| std::cmp::Reverse(whole.nodes[i].spans));
    // rank[node] = its place among the busiest.
    let mut rank = vec![0usize; whole.nodes.len()];
    for (r, &i) in busiest.iter().enumerate() {
        rank[i] = r;
    }
    // The size of the graph keeping the `keep` busiest services, from the
    // whole graph's edges (edges between two grouped services vanish).
    let size_keeping = |keep: usize| {
        let group = |i: usize| rank[i].min(keep);
        let mut edges: FxHashSet<(usize, usize)> = FxHashSet::default();
        for e in &whole.edges {
            let (a, b) = (group(e.from), group(e.to));
            if a != b {
                edges.insert((a, b));
            }
        }
        keep + 1 + edges.len()
    };
    // The size grows with `keep`: the most services that fit.
    let (mut lo, mut hi) = (0usize, whole.nodes.len() - 1);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if size_keeping(mid) <= max_size {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let keep = lo;
    Grouping {
        key: busiest[..keep]
            .iter()
            .map(|&i| (whole.nodes[i].service, whole.nodes[i].service))
            .collect(),
        rest: Some(whole.nodes[busiest[keep]].service),
    }
}

/// The graph with each caller's leaf services (called by it alone, calling
/// none) folded into one node when it has two or more: a map too large to
/// read whole keeps every caller and every call path, and only the ends of
/// the paths share a box (`members` says how many services it holds; its
/// `service` is the busiest). Numbers are counted again over the spans, so
/// a folded edge's p95 is exact. None when nothing folds.
pub fn fold_leaves(traces: &[Box<Trace>], whole: &ServiceGraph) -> Option<ServiceGraph> {
    // A graph already grouped to stay drawable is not folded again.
    if whole.nodes.iter().any(|n| n.members > 1) {
        return None;
    }
    let n = whole.nodes.len();
    let mut callers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut calls_out = vec![false; n];
    for e in &whole.edges {
        if e.from != e.to {
            callers[e.to].push(e.from);
            calls_out[e.from] = true;
        }
    }
    // Leaves by their one caller.
    let mut leaves_of: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for v in 0..n {
        if let [c] = callers[v][..] {
            if !calls_out[v] && whole.nodes[v].members == 1 {
                leaves_of.entry(c).or_default().push(v);
            }
        }
    }
    let mut key: FxHashMap<StrId, StrId> = FxHashMap::default();
    for leaves in leaves_of.values().filter(|l| l.len() >= 2) {
        let busiest = *leaves.iter().max_by_key(|&&v| {
            (
                whole.nodes[v].spans,
                std::cmp::Reverse(whole.nodes[v].service),
            )
        })?;
        for &v in leaves {
            key.insert(whole.nodes[v].service, whole.nodes[busiest].service);
        }
    }
    if key.is_empty() {
        return None;
    }
    Some(Pass::run(traces, Some(Grouping { key, rest: None })))
}
