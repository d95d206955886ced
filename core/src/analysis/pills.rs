//! One-click filters of a trace's rows ("pills"): the spans each keeps
//! (the views list them with the spans above them).
//!
//! - **Errors**: spans whose status is an error.
//! - **Critical path**: spans with time on the critical path.
//! - **Slow**: spans at or above the 90th percentile (nearest rank) of the
//!   durations of their service and operation in the trace, for operations
//!   with at least [`SLOW_MIN_SPANS`] spans (below that, a percentile of a
//!   handful would call every lone span slow).

use crate::analysis::critical_path::CriticalPath;
use crate::analysis::percentile::nearest_rank_of;
use crate::model::{StatusCode, StrId, Trace};
use rustc_hash::FxHashMap;

/// Spans an operation needs before any of them is called slow.
pub const SLOW_MIN_SPANS: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pill {
    Errors,
    CriticalPath,
    Slow,
}

impl Pill {
    pub const ALL: [Pill; 3] = [Pill::Errors, Pill::CriticalPath, Pill::Slow];

    /// Its name in links (`only=`) and test ids.
    pub fn key(self) -> &'static str {
        match self {
            Pill::Errors => "errors",
            Pill::CriticalPath => "critical",
            Pill::Slow => "slow",
        }
    }
    pub fn from_key(key: &str) -> Option<Pill> {
        Pill::ALL.into_iter().find(|p| p.key() == key)
    }
    pub fn label(self) -> &'static str {
        match self {
            Pill::Errors => "Errors",
            Pill::CriticalPath => "Critical path",
            Pill::Slow => "Slow",
        }
    }
    /// What it keeps, in a sentence (a tooltip).
    pub fn explained(self) -> &'static str {
        match self {
            Pill::Errors => "Only the spans with an error, and the spans above them",
            Pill::CriticalPath => "Only the spans on the critical path, and the spans above them",
            Pill::Slow => "Only the spans at or above the 90th percentile of their service and operation in this trace (operations of 10 spans or more), and the spans above them",
        }
    }
}

/// Per span, whether `pill` keeps it (`critical` for the critical path;
/// without one it keeps nothing).
pub fn pill_spans(t: &Trace, pill: Pill, critical: Option<&CriticalPath>) -> Vec<bool> {
    match pill {
        Pill::Errors => t.status.iter().map(|&s| s == StatusCode::Error).collect(),
        Pill::CriticalPath => (0..t.len())
            .map(|s| critical.is_some_and(|c| c.time_on_path.get(s).is_some_and(|&ns| ns > 0)))
            .collect(),
        Pill::Slow => slow_spans(t),
    }
}

fn slow_spans(t: &Trace) -> Vec<bool> {
    let mut by_op: FxHashMap<(StrId, StrId), Vec<i64>> = FxHashMap::default();
    for s in 0..t.len() {
        by_op
            .entry((t.service[s], t.name[s]))
            .or_default()
            .push(t.duration_ns[s]);
    }
    let p90: FxHashMap<(StrId, StrId), i64> = by_op
        .into_iter()
        .filter(|(_, d)| d.len() >= SLOW_MIN_SPANS)
        .filter_map(|(op, mut d)| Some((op, nearest_rank_of(&mut d, 90.0)?)))
        .collect();
    (0..t.len())
        .map(|s| {
            p90.get(&(t.service[s], t.name[s]))
                .is_some_and(|&p| t.duration_ns[s] >= p)
        })
        .collect()
}
