//! Work over every span of some traces done a part at a time: a page runs
//! an analysis of a million spans as many short tasks (each ≤ 16 ms), so
//! input is answered in between. The builders of the analyses keep a
//! [`SpanWalk`] and take `budget` spans per step.

use crate::model::Trace;
use std::borrow::Borrow;

/// Where a walk over the spans of a list of traces is: the trace, then
/// the position within it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpanWalk {
    trace: usize,
    at: usize,
}

impl SpanWalk {
    /// Calls `each(trace index, trace, position)` for up to `budget` more
    /// positions (0..len of each trace, trace after trace); true once every
    /// span of `traces` was visited. Called with the same traces each time.
    pub fn step<T: Borrow<Trace>>(
        &mut self,
        traces: &[T],
        budget: usize,
        each: impl FnMut(usize, &Trace, usize),
    ) -> bool {
        self.step_by(traces.len(), |k| Some(traces[k].borrow()), budget, each)
    }

    /// [`Self::step`] over the traces `which` names (indices into
    /// `traces`); `each` gets the position in `which`. An index past the
    /// end counts as an empty trace.
    pub fn step_among<T: Borrow<Trace>>(
        &mut self,
        traces: &[T],
        which: &[usize],
        budget: usize,
        each: impl FnMut(usize, &Trace, usize),
    ) -> bool {
        self.step_by(
            which.len(),
            |k| traces.get(which[k]).map(T::borrow),
            budget,
            each,
        )
    }

    fn step_by<'a>(
        &mut self,
        count: usize,
        trace: impl Fn(usize) -> Option<&'a Trace>,
        mut budget: usize,
        mut each: impl FnMut(usize, &Trace, usize),
    ) -> bool {
        while self.trace < count {
            if let Some(t) = trace(self.trace) {
                let take = (t.len() - self.at.min(t.len())).min(budget);
                for at in self.at..self.at + take {
                    each(self.trace, t, at);
                }
                self.at += take;
                budget -= take;
                if self.at < t.len() {
                    return false;
                }
            }
            self.trace += 1;
            self.at = 0;
        }
        true
    }

    /// Whether every span was visited.
    pub fn is_done<T>(&self, traces: &[T]) -> bool {
        self.trace >= traces.len()
    }
}

/// The sorting after a walk, a part at a time: `sort` sorts the lists of
/// `items[*sorted]` and says how many values they held, item after item,
/// until about `budget` values were sorted in this step; true once every
/// item is sorted.
pub fn sort_in_parts<T>(
    items: &mut [T],
    sorted: &mut usize,
    budget: usize,
    mut sort: impl FnMut(&mut T) -> usize,
) -> bool {
    let mut sorted_now = 0;
    while let Some(item) = items.get_mut(*sorted) {
        if sorted_now >= budget {
            return false;
        }
        sorted_now += sort(item);
        *sorted += 1;
    }
    true
}
