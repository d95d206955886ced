//! The service graph: nodes are services, an edge A → B counts the spans of
//! B whose parent span is in A (a call from A to B, messaging producer →
//! consumer included). Each edge carries its call count, errors (of the
//! called spans) and p95 latency (nearest rank over the called spans'
//! durations); each node its span count and errors.

use super::percentile::nearest_rank;
use crate::model::{StatusCode, StrId, Trace};
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceNode {
    pub service: StrId,
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
    let mut node_ix: FxHashMap<StrId, usize> = FxHashMap::default();
    let mut nodes: Vec<ServiceNode> = Vec::new();
    let mut edge_acc: FxHashMap<(usize, usize), (Vec<i64>, usize)> = FxHashMap::default();
    let mut ix = |s: StrId, nodes: &mut Vec<ServiceNode>| {
        *node_ix.entry(s).or_insert_with(|| {
            nodes.push(ServiceNode {
                service: s,
                spans: 0,
                errors: 0,
            });
            nodes.len() - 1
        })
    };
    for t in traces {
        for i in 0..t.len() {
            let me = ix(t.service[i], &mut nodes);
            let err = t.status[i] == StatusCode::Error;
            nodes[me].spans += 1;
            nodes[me].errors += err as usize;
            if let Some(p) = t.tree.parent_of(i) {
                if t.service[p] != t.service[i] {
                    let from = ix(t.service[p], &mut nodes);
                    let e = edge_acc.entry((from, me)).or_default();
                    e.0.push(t.duration_ns[i]);
                    e.1 += err as usize;
                }
            }
        }
    }
    let mut edges: Vec<ServiceEdge> = edge_acc
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
    ServiceGraph { nodes, edges }
}
