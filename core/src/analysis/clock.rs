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

use crate::model::{flags, AttrValue, Dataset, OtherClock, SpanKind, Trace};
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

/// The host span `s` names (its resource's, then its own attributes),
/// by [`HOST_KEYS`] in order. Keys are compared as text: looking them up
/// in the string table would search every string not indexed yet, and this
/// runs over each of many traces while a large load is still being indexed.
fn host(ds: &Dataset, t: &Trace, s: usize) -> Option<AttrValue> {
    let resource = ds
        .resources
        .get(t.resource[s] as usize)
        .map_or(&[][..], |r| ds.attrs(r.attrs));
    let own = ds.attrs(t.attrs[s]);
    HOST_KEYS.iter().find_map(|&k| {
        resource
            .iter()
            .chain(own)
            .find(|a| ds.str(a.key) == k)
            .map(|a| a.value)
    })
}

/// Whether spans `a` and `b` of `t` were timed by different clocks:
/// different hosts where both name one, else different services.
pub fn differ(ds: &Dataset, t: &Trace, a: usize, b: usize) -> bool {
    match (host(ds, t, a), host(ds, t, b)) {
        (Some(x), Some(y)) => x != y,
        _ => t.service[a] != t.service[b],
    }
}

/// How far each span of `t` moves (ns), found a part at a time (parents
/// before children: a span's shift depends on its parent's); then, if any
/// moves, each span's children sorted by the new times, a part at a time
/// too.
pub struct ShiftsBuilder {
    max_shift_ns: i64,
    delta: Vec<i64>,
    /// Spans placed, in preorder.
    placed: usize,
    refused: u32,
    /// The adjusted times, once all spans are placed and some moved.
    start_ns: Vec<i64>,
    /// The tree's order, its children lists sorted by those times up to
    /// span `sorted`'s.
    order: tree::TreeOrder,
    sorted: usize,
    reordered: bool,
}

impl ShiftsBuilder {
    pub fn new(t: &Trace, max_shift_ns: i64) -> ShiftsBuilder {
        ShiftsBuilder {
            max_shift_ns,
            delta: vec![0; t.len()],
            placed: 0,
            refused: 0,
            start_ns: Vec::new(),
            order: Default::default(),
            sorted: 0,
            reordered: false,
        }
    }

    /// Places up to `budget` more spans, or sorts the children of that
    /// many; true when all is done.
    pub fn step(&mut self, ds: &Dataset, t: &Trace, budget: usize) -> bool {
        let n = t.tree.preorder().len();
        if self.placed < n {
            let end = self.placed.saturating_add(budget).min(n);
            self.place(ds, t, self.placed..end);
            self.placed = end;
            return end == n && !self.moves();
        }
        if self.start_ns.is_empty() {
            if !self.moves() {
                return true;
            }
            self.start_ns = t
                .start_ns
                .iter()
                .zip(&self.delta)
                .map(|(&s, &d)| s.saturating_add(d))
                .collect();
            self.order = t.tree.order.clone();
        }
        let end = self.sorted.saturating_add(budget).min(n);
        let spans = self.sorted..end;
        self.reordered |= self
            .order
            .sort_children(t.tree.child_start(), &self.start_ns, spans);
        self.sorted = end;
        end == n
    }

    fn moves(&self) -> bool {
        self.delta.iter().any(|&d| d != 0)
    }

    /// Jaeger's rule for the spans at these places of the preorder.
    fn place(&mut self, ds: &Dataset, t: &Trace, places: std::ops::Range<usize>) {
        for &s in &t.tree.preorder()[places] {
            let s = s as usize;
            let Some(p) = t.tree.parent_of(s) else {
                continue;
            };
            let moved = self.delta[p];
            let want = wanted_shift(
                (t.start_ns[p].saturating_add(moved), t.duration_ns[p]),
                (t.start_ns[s], t.duration_ns[s]),
                waited_for(t, p, s),
            );
            if moved == 0 && want == 0 {
                // Nothing to inherit and nothing to mend: no clock to look up.
                continue;
            }
            self.delta[s] = if !differ(ds, t, p, s) {
                moved
            } else if want.unsigned_abs() > self.max_shift_ns.unsigned_abs() {
                self.refused += 1;
                0
            } else {
                want
            };
        }
    }

    /// Each span's shift, and how many were larger than allowed.
    pub fn shifts(self) -> (Vec<i64>, u32) {
        (self.delta, self.refused)
    }

    /// `t`'s start times adjusted, with its tree ordered by them (the
    /// preorder walked again if an order changed): empty times when
    /// nothing moves. After the last step.
    pub fn finish(self, t: &Trace) -> OtherClock {
        if self.start_ns.is_empty() {
            return OtherClock {
                refused: self.refused,
                ..OtherClock::default()
            };
        }
        let order = tree::order_with(
            &t.tree,
            &self.start_ns,
            &t.duration_ns,
            self.order,
            self.reordered,
        );
        OtherClock {
            start_ns: self.start_ns,
            order,
            raw: false,
            refused: self.refused,
        }
    }
}

/// [`ShiftsBuilder`] at once.
pub fn shifts(ds: &Dataset, t: &Trace, max_shift_ns: i64) -> (Vec<i64>, u32) {
    let mut b = ShiftsBuilder::new(t, max_shift_ns);
    b.step(ds, t, usize::MAX);
    b.shifts()
}

/// `t`'s clock-adjusted reading, at once.
pub fn adjusted(ds: &Dataset, t: &Trace, max_shift_ns: i64) -> OtherClock {
    let mut b = ShiftsBuilder::new(t, max_shift_ns);
    while !b.step(ds, t, usize::MAX) {}
    b.finish(t)
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

/// Shows trace `open` with its clocks adjusted, once that reading is made
/// ([`ShiftsBuilder`], kept in the trace's `other_clock`), and every other
/// trace as its source timed it; `None`: every trace as timed. Whether the
/// times shown changed.
pub fn show_adjusted(ds: &mut Dataset, open: Option<usize>) -> bool {
    let mut changed = false;
    for (i, t) in ds.traces.iter_mut().enumerate() {
        if t.clock_adjusted() != (Some(i) == open && t.other_clock().is_some()) {
            t.swap_clock();
            changed |= t.clock_adjusted() == (Some(i) == open);
        }
    }
    changed
}

/// How far span `s` was moved (ns): 0 unless adjusted times are shown.
pub fn shift_of(t: &Trace, s: usize) -> i64 {
    t.start_ns[s].saturating_sub(t.raw_start_ns()[s])
}

/// How many spans of `t` are shown moved, and how many were left.
pub fn moved_and_refused(t: &Trace) -> (usize, u32) {
    match t.other_clock() {
        Some(o) if o.raw => (
            (0..t.len()).filter(|&s| shift_of(t, s) != 0).count(),
            o.refused,
        ),
        Some(o) => (0, o.refused),
        None => (0, 0),
    }
}
