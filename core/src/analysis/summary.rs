//! One line per trace: what a trace list and `inspect` show.

use crate::model::{Dataset, Trace};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceSummary {
    pub trace_id: String,
    pub root_service: String,
    pub root_name: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub spans: usize,
    pub services: usize,
    pub errors: usize,
    pub warnings: Vec<String>,
}

pub fn summarize(ds: &Dataset, t: &Trace) -> TraceSummary {
    let (start, end) = t.bounds();
    // The root shown is the earliest true root, else the earliest span.
    let root = t
        .tree
        .roots()
        .iter()
        .copied()
        .find(|&r| t.parent_key[r as usize].is_none())
        .or_else(|| t.tree.roots().first().copied());
    let (root_service, root_name) = match root {
        Some(r) => (
            ds.str(t.service[r as usize]).to_string(),
            ds.str(t.name[r as usize]).to_string(),
        ),
        None => (String::new(), String::new()),
    };
    TraceSummary {
        trace_id: ds.trace_id(t).to_string(),
        root_service,
        root_name,
        start_ns: start,
        duration_ns: end.saturating_sub(start),
        spans: t.len(),
        services: t.tree.service_count(),
        errors: t.tree.errors as usize,
        warnings: t.warnings().to_vec(),
    }
}
