//! Self time: the part of a span not covered by its children (children
//! clipped to the parent, overlapping children merged).

use crate::model::Trace;

/// Self time in ns of every span.
pub fn self_times(t: &Trace) -> Vec<i64> {
    (0..t.len()).map(|i| self_time_of(t, i)).collect()
}

/// Self time in ns of span `i`: O(number of its children).
pub fn self_time_of(t: &Trace, i: usize) -> i64 {
    let (s, e) = (t.start_ns[i], t.end_ns(i));
    let mut covered = 0i64;
    let mut run: Option<(i64, i64)> = None;
    // Children are sorted by start, so one pass merges their intervals.
    for &c in t.tree.children_of(i) {
        let cs = t.start_ns[c as usize].max(s);
        let ce = t.end_ns(c as usize).min(e);
        if ce <= cs {
            continue;
        }
        run = match run {
            Some((rs, re)) if cs <= re => Some((rs, re.max(ce))),
            Some((rs, re)) => {
                covered = covered.saturating_add(re.saturating_sub(rs));
                Some((cs, ce))
            }
            None => Some((cs, ce)),
        };
    }
    if let Some((rs, re)) = run {
        covered = covered.saturating_add(re.saturating_sub(rs));
    }
    e.saturating_sub(s).saturating_sub(covered).max(0)
}
