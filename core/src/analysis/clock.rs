//! Clock skew: a span timed by another machine's clock than its parent's
//! can sit outside it, though the call it records did not. Adjusting
//! follows Jaeger's rule (jaeger-query's clock-skew adjuster), walking the
//! tree parents first:
//!
//! - a span on the same clock as its parent moves as its parent moved;
//! - a span on another clock that fits in its (moved) parent stays;
//! - one that does not fit but is no longer than its parent is centred in
//!   it (the network's time split evenly between request and response);
//! - one longer than its parent only stops starting before it.
//!
//! Three additions: a span its parent does not wait for (FOLLOWS_FROM, a
//! consumer, under a producer) only stops starting before its parent,
//! since ending after it is what such work does; a span that starts after
//! its parent ended stays (it may be work handed on: nothing shows its
//! clock is off); and a shift larger than [`MAX_SHIFT_NS`] is not made
//! (the span and its same-clock children stay; they are counted). What
//! moves is what the clock-skew insight names ([`outside`]).
//!
//! A span's clock is its host (`host.id`, `host.name`, `hostname`, `ip`,
//! Zipkin's `local.ipv4` / `local.ipv6`) where both spans name one, else
//! its service.

use crate::model::{flags, AttrValue, Dataset, OtherClock, SpanKind, StrId, Trace};
use crate::tree;

/// The largest shift made: clocks off by more are left alone (Jaeger's
/// `--query.max-clock-skew-adjustment` is off by default; its examples
/// use 1–20 s).
pub const MAX_SHIFT_NS: i64 = 10_000_000_000;

/// Keys naming the machine a span ran on, the first found first.
const HOST_KEYS: [&str; 6] = [
    "host.id",
    "host.name",
    "hostname",
    "ip",
    "local.ipv4",
    "local.ipv6",
];

/// Tells whether two spans of a trace were timed by different clocks.
pub struct Clocks {
    keys: Vec<StrId>,
}

impl Clocks {
    pub fn new(ds: &Dataset) -> Clocks {
        Clocks {
            keys: HOST_KEYS
                .iter()
                .filter_map(|k| ds.strings.lookup(k))
                .collect(),
        }
    }

    /// The host span `s` names (its resource's, then its own attributes).
    fn host(&self, ds: &Dataset, t: &Trace, s: usize) -> Option<AttrValue> {
        let resource = ds
            .resources
            .get(t.resource[s] as usize)
            .map_or(&[][..], |r| ds.attrs(r.attrs));
        let own = ds.attrs(t.attrs[s]);
        self.keys.iter().find_map(|&k| {
            resource
                .iter()
                .chain(own)
                .find(|a| a.key == k)
                .map(|a| a.value)
        })
    }

    /// Different hosts where both name one, else different services.
    pub fn differ(&self, ds: &Dataset, t: &Trace, a: usize, b: usize) -> bool {
        match (self.host(ds, t, a), self.host(ds, t, b)) {
            (Some(x), Some(y)) => x != y,
            _ => t.service[a] != t.service[b],
        }
    }
}

/// How far each span of `t` moves (ns), and how many shifts were larger
/// than `max_shift_ns` and not made.
pub fn shifts(ds: &Dataset, t: &Trace, max_shift_ns: i64) -> (Vec<i64>, u32) {
    let clocks = Clocks::new(ds);
    let mut delta = vec![0i64; t.len()];
    let mut refused = 0;
    for &s in &t.tree.preorder {
        let s = s as usize;
        let Some(p) = t.tree.parent_of(s) else {
            continue;
        };
        let moved = delta[p];
        let want = wanted_shift(
            (t.start_ns[p].saturating_add(moved), t.duration_ns[p]),
            (t.start_ns[s], t.duration_ns[s]),
            waited_for(t, p, s),
        );
        if moved == 0 && want == 0 {
            // Nothing to inherit and nothing to mend: no clock to look up.
            continue;
        }
        delta[s] = if !clocks.differ(ds, t, p, s) {
            moved
        } else if want.unsigned_abs() > max_shift_ns.unsigned_abs() {
            refused += 1;
            0
        } else {
            want
        };
    }
    (delta, refused)
}

/// Whether the parent's work includes the child's (not FOLLOWS_FROM, not
/// a message consumed later).
pub(crate) fn waited_for(t: &Trace, parent: usize, child: usize) -> bool {
    t.flags[child] & flags::ASYNC_PARENT == 0
        && t.kind[child] != SpanKind::Consumer
        && t.kind[parent] != SpanKind::Producer
}

/// How far a child (start, duration) on another clock lies outside its
/// parent, where that shows their clocks disagree: starting before the
/// parent always does; ending after it does when the parent waits for it,
/// it is no longer than the parent and it starts before the parent ends
/// (one that starts later may be work handed on, a page after a page).
pub(crate) fn outside(parent: (i64, i64), child: (i64, i64), waited: bool) -> Option<i64> {
    let ((ps, pd), (cs, cd)) = (parent, child);
    let pe = ps.saturating_add(pd);
    let early = ps.saturating_sub(cs);
    let late = cs.saturating_add(cd).saturating_sub(pe);
    if early > 0 {
        Some(early)
    } else if late > 0 && waited && cd <= pd && cs < pe {
        Some(late)
    } else {
        None
    }
}

/// The shift (ns) that puts a child (start, duration) on another clock
/// where its parent's says it must be: centred in it when the parent waits
/// for it and it fits, else at the parent's start.
fn wanted_shift(parent: (i64, i64), child: (i64, i64), waited: bool) -> i64 {
    let ((ps, pd), (cs, cd)) = (parent, child);
    if outside(parent, child, waited).is_none() {
        0
    } else if waited && cd <= pd {
        ps.saturating_add(pd.saturating_sub(cd) / 2)
            .saturating_sub(cs)
    } else {
        ps.saturating_sub(cs)
    }
}

/// `t`'s start times adjusted, with its tree ordered by them: empty
/// times when nothing moves.
pub fn adjusted(ds: &Dataset, t: &Trace, max_shift_ns: i64) -> OtherClock {
    let (delta, refused) = shifts(ds, t, max_shift_ns);
    if delta.iter().all(|&d| d == 0) {
        return OtherClock {
            refused,
            ..OtherClock::default()
        };
    }
    let start_ns: Vec<i64> = t
        .start_ns
        .iter()
        .zip(&delta)
        .map(|(&s, &d)| s.saturating_add(d))
        .collect();
    let mut tree = t.tree.clone();
    tree::reorder(&mut tree, &start_ns, &t.duration_ns);
    OtherClock {
        start_ns,
        tree,
        raw: false,
        refused,
    }
}

/// Shows trace `open` with its clocks adjusted (made the first time) and
/// every other trace as its source timed it; `None`: every trace as timed.
/// Whether the times shown changed.
pub fn show_adjusted(ds: &mut Dataset, open: Option<usize>) -> bool {
    let mut changed = false;
    for (i, t) in ds.traces.iter_mut().enumerate() {
        if t.clock_adjusted() && Some(i) != open {
            t.swap_clock();
            changed = true;
        }
    }
    let Some(i) = open.filter(|&i| i < ds.traces.len()) else {
        return changed;
    };
    if ds.traces[i].other_clock.is_none() {
        let other = adjusted(ds, &ds.traces[i], MAX_SHIFT_NS);
        ds.traces[i].other_clock = Some(Box::new(other));
    }
    if !ds.traces[i].clock_adjusted() {
        ds.traces[i].swap_clock();
        changed |= ds.traces[i].clock_adjusted();
    }
    changed
}

/// How far span `s` was moved (ns): 0 unless adjusted times are shown.
pub fn shift_of(t: &Trace, s: usize) -> i64 {
    let (raw, _) = t.raw_clock();
    t.start_ns[s].saturating_sub(raw[s])
}

/// How many spans of `t` are shown moved, and how many were left.
pub fn moved_and_refused(t: &Trace) -> (usize, u32) {
    match t.other_clock.as_deref() {
        Some(o) if o.raw => (
            (0..t.len()).filter(|&s| shift_of(t, s) != 0).count(),
            o.refused,
        ),
        Some(o) => (0, o.refused),
        None => (0, 0),
    }
}
