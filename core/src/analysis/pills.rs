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
    let mut b = SlowBuilder::default();
    while !b.step(t, usize::MAX) {}
    b.finish()
}

/// The "slow" pill's spans a part at a time (over a million spans it took
/// 25 ms of a page's task at once): each span's operation numbered, up to
/// a budget of spans a step (one hash lookup a span); then, in a step of its
/// own, the durations of each operation side by side in one list (a
/// counting sort: a list per operation grown span by span, and a second
/// lookup a span, were half the time); then each one's p90 and the mask
/// (the two were one step of ~29 ms at a million spans).
#[derive(Default)]
pub struct SlowBuilder {
    numbers: FxHashMap<(StrId, StrId), u32>,
    op_of: Vec<u32>,
    grouped: Option<Grouped>,
    slow: Option<Vec<bool>>,
}

/// Every span's duration, grouped by operation: operation `o`'s are
/// `durations[starts[o]..starts[o + 1]]` (the last's to the end).
struct Grouped {
    starts: Vec<usize>,
    durations: Vec<i64>,
}

impl SlowBuilder {
    /// Numbers up to `budget` more spans of `t`, or, once all are, groups
    /// their durations, then makes the mask; true when it is made.
    pub fn step(&mut self, t: &Trace, budget: usize) -> bool {
        let from = self.op_of.len();
        if from < t.len() {
            let numbers = &mut self.numbers;
            let to = from.saturating_add(budget).min(t.len());
            self.op_of.extend((from..to).map(|s| {
                let next = numbers.len() as u32;
                *numbers.entry((t.service[s], t.name[s])).or_insert(next)
            }));
            return false;
        }
        match self.grouped.take() {
            None => {
                self.grouped = Some(group_durations(t, &self.op_of, self.numbers.len()));
                false
            }
            Some(g) => {
                self.slow = Some(mark_slow(t, &self.op_of, g));
                true
            }
        }
    }

    /// The mask (empty before the last step).
    pub fn finish(self) -> Vec<bool> {
        self.slow.unwrap_or_default()
    }
}

/// The durations of `t`'s spans grouped by their operation's number in
/// `op_of` (of `ops`), by a counting sort.
fn group_durations(t: &Trace, op_of: &[u32], ops: usize) -> Grouped {
    let mut ends = vec![0usize; ops];
    for &op in op_of {
        ends[op as usize] += 1;
    }
    let mut total = 0;
    for end in &mut ends {
        total += *end;
        *end = total;
    }
    // Filled from the back of each operation's stretch, so `ends` becomes
    // where each starts.
    let mut durations = vec![0i64; op_of.len()];
    for (&op, &d) in op_of.iter().zip(&t.duration_ns).rev() {
        ends[op as usize] -= 1;
        durations[ends[op as usize]] = d;
    }
    Grouped {
        starts: ends,
        durations,
    }
}

/// Whether each span of `t` (its operation's number in `op_of`) reaches
/// its operation's p90.
fn mark_slow(t: &Trace, op_of: &[u32], g: Grouped) -> Vec<bool> {
    let Grouped {
        starts,
        mut durations,
    } = g;
    let ops = starts.len();
    let p90: Vec<Option<i64>> = (0..ops)
        .map(|op| {
            let end = starts.get(op + 1).copied().unwrap_or(op_of.len());
            let d = &mut durations[starts[op]..end];
            if d.len() >= SLOW_MIN_SPANS {
                nearest_rank_of(d, 90.0)
            } else {
                None
            }
        })
        .collect();
    op_of
        .iter()
        .zip(&t.duration_ns)
        .map(|(&op, &d)| p90[op as usize].is_some_and(|p| d >= p))
        .collect()
}
