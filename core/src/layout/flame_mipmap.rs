//! The flame chart's level-of-detail index (Perfetto's mipmap of slices):
//! the spans of each depth in time order, at levels of detail. Level 0 holds
//! every span; each coarser level keeps, per depth and per time bucket of
//! `2^shift` ns, one entry: the longest span starting in the bucket, with
//! the strongest colour key of them all (so an error shows at every zoom).
//! A frame reads the level whose buckets are no wider than a pixel, so what
//! it walks is bounded by the pixels on screen, not by the span count.
//!
//! A level is kept only when it has at most 7/8 of the entries of the last
//! one kept (levels that merge almost nothing are not worth their memory;
//! ~4× the spans in all on realistic traces). Built a part at a time
//! ([`FlameMipmap::step`]) so a page can spread a million spans over tasks.

use super::raster::service_key;
use crate::model::Trace;

/// Spans (or bucket representatives) of every depth, in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Level {
    /// Buckets are `2^shift` ns wide (level 0: every span on its own).
    pub shift: u32,
    /// Entries of depth `d`: `spans[row_start[d]..row_start[d + 1]]`.
    row_start: Vec<u32>,
    spans: Vec<u32>,
    /// Colour key of each entry (the largest [`service_key`] in its bucket).
    keys: Vec<u32>,
    /// `reach[i]`: of the entries of its row up to `i`, the one that ends
    /// last (finds the span that enters a view from its left edge).
    reach: Vec<u32>,
}

impl Level {
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
    pub fn depths(&self) -> u32 {
        self.row_start.len().saturating_sub(1) as u32
    }
    fn row(&self, depth: u32) -> std::ops::Range<usize> {
        match (
            self.row_start.get(depth as usize),
            self.row_start.get(depth as usize + 1),
        ) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }
    /// The entries of `depth` that reach into `[v0, v1]`, as (span, key),
    /// in time order: the one entering from the left (if any), then those
    /// starting inside.
    pub fn visible<'a>(
        &'a self,
        t: &'a Trace,
        depth: u32,
        v0: i64,
        v1: i64,
    ) -> impl Iterator<Item = (u32, u32)> + 'a {
        let row = self.row(depth);
        let spans = &self.spans[row.clone()];
        let first = spans.partition_point(|&s| t.start_ns[s as usize] < v0);
        let entering = first
            .checked_sub(1)
            .map(|i| row.start + i)
            .map(|i| self.reach[i])
            .filter(|&s| t.end_ns(s as usize) >= v0)
            .map(|s| (s, service_key(t, s as usize)));
        let inside = (row.start + first..row.end)
            .map(|i| (self.spans[i], self.keys[i]))
            .take_while(move |&(s, _)| t.start_ns[s as usize] <= v1);
        entering.into_iter().chain(inside)
    }

    fn empty(shift: u32) -> Level {
        Level {
            shift,
            row_start: vec![0],
            ..Level::default()
        }
    }

    /// Closes the row of the entries pushed since the last one: each gets
    /// its `reach`.
    fn end_row(&mut self, t: &Trace) {
        let first = self.row_start.last().copied().unwrap_or(0) as usize;
        let mut best: Option<u32> = None;
        for &s in &self.spans[first..] {
            if best.is_none_or(|b| t.end_ns(s as usize) > t.end_ns(b as usize)) {
                best = Some(s);
            }
            self.reach.push(best.unwrap_or(s));
        }
        self.row_start.push(self.spans.len() as u32);
    }

    /// Row `depth` of `self` with buckets of `2^shift` ns (coarser than its
    /// own) appended to `out`; returns the entries read.
    fn coarser_row(&self, t: &Trace, origin: i64, depth: u32, out: &mut Level) -> usize {
        let bucket =
            |s: u32| (t.start_ns[s as usize].saturating_sub(origin).max(0) as u64) >> out.shift;
        let mut last = None;
        let row = self.row(depth);
        let read = row.len();
        for i in row {
            let (s, key) = (self.spans[i], self.keys[i]);
            let b = bucket(s);
            if last == Some(b) {
                let k = out.spans.len() - 1;
                if t.duration_ns[s as usize] > t.duration_ns[out.spans[k] as usize] {
                    out.spans[k] = s;
                }
                out.keys[k] = out.keys[k].max(key);
            } else {
                out.spans.push(s);
                out.keys.push(key);
                last = Some(b);
            }
        }
        out.end_row(t);
        read.max(1)
    }
}

/// Where a [`FlameMipmap`] is in its making.
#[derive(Debug, Clone, PartialEq)]
enum Build {
    /// Spans put in their depth's row as (start, span), in tree order up
    /// to preorder position `next`.
    Rows {
        next: usize,
        rows: Vec<Vec<(i64, u32)>>,
    },
    /// Rows sorted by start and laid end to end as level 0, up to row `next`.
    Finest {
        next: usize,
        rows: Vec<Vec<(i64, u32)>>,
        level: Level,
    },
    /// Coarser levels, each tried from the last one made (kept or not):
    /// `making` is the next, made a row at a time.
    Coarser {
        candidate: Option<Level>,
        making: Option<Level>,
    },
    Done,
}

/// The levels of one trace, finest first (none until level 0 is made).
#[derive(Debug, Clone, PartialEq)]
pub struct FlameMipmap {
    origin: i64,
    pub levels: Vec<Level>,
    build: Build,
    /// The coarsest shift worth trying: one bucket spans the whole trace.
    last_shift: u32,
}

impl FlameMipmap {
    /// Nothing made yet: [`Self::step`] makes it a part at a time.
    pub fn new(t: &Trace) -> FlameMipmap {
        let (b0, b1) = t.bounds();
        let span = b1.saturating_sub(b0).max(1) as u64;
        let depths = if t.is_empty() {
            0
        } else {
            t.tree.max_depth as usize + 1
        };
        FlameMipmap {
            origin: b0,
            levels: Vec::new(),
            build: Build::Rows {
                next: 0,
                rows: vec![Vec::new(); depths],
            },
            last_shift: 64 - span.leading_zeros(),
        }
    }

    /// Every level at once.
    pub fn build(t: &Trace) -> FlameMipmap {
        let mut m = FlameMipmap::new(t);
        while !m.step(t, usize::MAX) {}
        m
    }

    pub fn is_done(&self) -> bool {
        self.build == Build::Done
    }

    /// Goes on making the index until about `budget` entries have been
    /// handled; true once it is whole. `t` is the trace it was made for.
    pub fn step(&mut self, t: &Trace, budget: usize) -> bool {
        let mut read = 0;
        while read < budget {
            let next_build = match &mut self.build {
                Build::Rows { next, rows } => {
                    let (order, depth) = (t.tree.preorder(), t.tree.depth());
                    let end = next.saturating_add(budget - read).min(order.len());
                    for &s in &order[*next..end] {
                        let s = s as usize;
                        rows[depth[s] as usize].push((t.start_ns[s], s as u32));
                    }
                    read += end - *next;
                    *next = end;
                    if end < order.len() {
                        continue;
                    }
                    Build::Finest {
                        next: 0,
                        rows: std::mem::take(rows),
                        level: Level::empty(0),
                    }
                }
                Build::Finest { next, rows, level } => {
                    if let Some(row) = rows.get_mut(*next) {
                        // Sorting (start, span) pairs reads no column at random.
                        row.sort_unstable();
                        for &(_, s) in row.iter() {
                            level.spans.push(s);
                            level.keys.push(service_key(t, s as usize));
                        }
                        level.end_row(t);
                        read += row.len().max(1);
                        *row = Vec::new();
                        *next += 1;
                        continue;
                    }
                    self.levels.push(std::mem::take(level));
                    Build::Coarser {
                        candidate: None,
                        making: None,
                    }
                }
                Build::Coarser { candidate, making } => {
                    let kept = &self.levels[self.levels.len() - 1];
                    let from = candidate.as_ref().unwrap_or(kept);
                    let out = match making {
                        Some(out) => out,
                        None => {
                            // Below 2^-24 of the trace a view is so narrow that
                            // every span in it can be drawn: no level is needed.
                            let shift = (from.shift + 1).max(self.last_shift.saturating_sub(24));
                            if shift > self.last_shift || from.len() <= from.depths() as usize {
                                self.build = Build::Done;
                                return true;
                            }
                            making.insert(Level::empty(shift))
                        }
                    };
                    let depth = out.depths();
                    if depth < from.depths() {
                        read += from.coarser_row(t, self.origin, depth, out);
                        continue;
                    }
                    let keep = out.len() * 8 <= kept.len() * 7;
                    let next = making.take().unwrap_or_default();
                    if keep {
                        self.levels.push(next);
                        *candidate = None;
                    } else {
                        *candidate = Some(next);
                    }
                    continue;
                }
                Build::Done => return true,
            };
            self.build = next_build;
        }
        self.is_done()
    }

    /// The level to draw at `ns_per_px` nanoseconds a pixel: the coarsest
    /// whose buckets are no wider than a pixel (None until level 0 is made).
    pub fn level_for(&self, ns_per_px: f64) -> Option<&Level> {
        self.levels
            .iter()
            .rev()
            .find(|l| ((1u64 << l.shift.min(63)) as f64) <= ns_per_px)
            .or(self.levels.first())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn synth(n: usize, seed: u64) -> crate::Dataset {
        let json = crate::synth::trace_json(n, crate::synth::SynthFormat::Zipkin, seed);
        let mut ds = crate::Dataset::default();
        crate::decode_bytes(&mut ds, json.as_bytes()).unwrap();
        ds
    }

    /// Each entry of each level is the longest span of its depth starting
    /// in its bucket, carries the largest key among them, and no bucket is
    /// left out; rows are in time order.
    fn check(t: &Trace, m: &FlameMipmap) {
        let every = &m.levels[0];
        assert_eq!(every.len(), t.len());
        for (li, level) in m.levels.iter().enumerate() {
            if li > 0 {
                assert!(level.len() * 8 <= m.levels[li - 1].len() * 7);
            }
            for d in 0..level.depths() {
                let row = level.row(d);
                let starts: Vec<i64> = row
                    .clone()
                    .map(|i| t.start_ns[level.spans[i] as usize])
                    .collect();
                assert!(starts.windows(2).all(|w| w[0] <= w[1]));
                let bucket = |s: u32| {
                    if li == 0 {
                        s as u64
                    } else {
                        (t.start_ns[s as usize] - m.origin) as u64 >> level.shift
                    }
                };
                let mut best: std::collections::BTreeMap<u64, (i64, u32)> = Default::default();
                for s in (0..t.len() as u32).filter(|&s| t.tree.depth()[s as usize] == d) {
                    let e = best.entry(bucket(s)).or_insert((i64::MIN, 0));
                    e.0 = e.0.max(t.duration_ns[s as usize]);
                    e.1 = e.1.max(service_key(t, s as usize));
                }
                assert_eq!(row.len(), best.len());
                let mut reach_end = i64::MIN;
                for i in row {
                    let s = level.spans[i];
                    assert_eq!(best[&bucket(s)], (t.duration_ns[s as usize], level.keys[i]));
                    reach_end = reach_end.max(t.end_ns(s as usize));
                    assert_eq!(t.end_ns(level.reach[i] as usize), reach_end);
                }
            }
        }
    }

    #[test]
    fn levels_keep_the_longest_span_and_the_strongest_key_of_each_bucket() {
        let ds = synth(20_000, 7);
        let t = &ds.traces[0];
        let m = FlameMipmap::build(t);
        assert!(m.levels.len() >= 4, "{}", m.levels.len());
        check(t, &m);
        // A pass at a time gives the same index.
        let mut parts = FlameMipmap::new(t);
        assert!(parts.levels.is_empty() && parts.level_for(1.0).is_none());
        let mut steps = 1;
        while !parts.step(t, 5_000) {
            steps += 1;
        }
        assert!(steps > 3, "{steps}");
        assert_eq!(parts, m);
        // The coarsest level drawn for the whole trace on a screen is small.
        let (b0, b1) = t.bounds();
        let level = m.level_for((b1 - b0) as f64 / 1000.0).unwrap();
        assert!(level.len() < t.len() / 4, "{}", level.len());
    }

    #[test]
    fn a_100k_deep_chain_needs_no_level_and_no_recursion() {
        let n: usize = 100_000;
        let parents: Vec<Option<usize>> = (0..n).map(|i| i.checked_sub(1)).collect();
        let t = crate::synth::trace_with(&parents, &[0], &[10]);
        let m = FlameMipmap::build(&t);
        assert_eq!(m.levels.len(), 1);
        assert_eq!(m.levels[0].depths() as usize, n);
    }

    proptest! {
        #[test]
        fn any_forest_indexes_every_bucket(
            parents in proptest::collection::vec(proptest::option::of(0usize..60), 1..60),
            starts in proptest::collection::vec(0i64..5000, 1..12),
            durs in proptest::collection::vec(0i64..3000, 1..12),
        ) {
            let mut t = crate::synth::trace_with(&parents, &starts, &durs);
            for s in (0..t.len()).step_by(3) {
                t.status[s] = crate::model::StatusCode::Error;
            }
            check(&t, &FlameMipmap::build(&t));
        }
    }
}
