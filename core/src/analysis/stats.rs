//! Per-operation statistics: count, errors, latency percentiles, self time.
//! Grouped by (service, operation), by service, by operation, or by the value
//! of any attribute key.

use super::percentile::nearest_rank;
use super::self_time::self_time_of;
use super::span_walk::{sort_in_parts, SpanWalk};
use crate::model::{Dataset, StatusCode, StrId, Trace};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Borrow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    ServiceOperation,
    Service,
    Operation,
    /// The value of this attribute key (span attributes, then resource); spans without it group under "(none)".
    Attribute(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpStats {
    pub service: String,
    pub operation: String,
    pub count: usize,
    pub errors: usize,
    pub error_pct: f64,
    pub min_ns: i64,
    pub p50_ns: i64,
    pub p90_ns: i64,
    pub p95_ns: i64,
    pub p99_ns: i64,
    pub max_ns: i64,
    pub total_ns: i64,
    pub avg_self_ns: i64,
    /// All durations, ascending (for the histogram).
    #[serde(skip)]
    pub durations: Vec<i64>,
}

/// A row's group: interned names (no string made per span), or an
/// attribute's value as text.
#[derive(Hash, PartialEq, Eq)]
enum GroupKey {
    Names(Option<StrId>, Option<StrId>),
    Value(String),
}

fn key_of(ds: &Dataset, t: &Trace, i: usize, by: &GroupBy) -> GroupKey {
    match by {
        GroupBy::ServiceOperation => GroupKey::Names(Some(t.service[i]), Some(t.name[i])),
        GroupBy::Service => GroupKey::Names(Some(t.service[i]), None),
        GroupBy::Operation => GroupKey::Names(None, Some(t.name[i])),
        GroupBy::Attribute(k) => GroupKey::Value(
            ds.span_attr_text(t, i, k)
                .unwrap_or_else(|| "(none)".to_string()),
        ),
    }
}

/// The (service, operation) columns of a group.
fn columns(ds: &Dataset, key: GroupKey, by: &GroupBy) -> (String, String) {
    let text = |id: Option<StrId>| id.map_or_else(String::new, |id| ds.str(id).to_string());
    match (key, by) {
        (GroupKey::Names(s, o), _) => (text(s), text(o)),
        (GroupKey::Value(v), GroupBy::Attribute(k)) => (k.clone(), v),
        (GroupKey::Value(v), _) => (String::new(), v),
    }
}

pub fn operation_stats<'a>(
    ds: &Dataset,
    traces: impl IntoIterator<Item = &'a Trace>,
    by: &GroupBy,
) -> Vec<OpStats> {
    operation_stats_of(ds, traces, by, None)
}

/// Distinct attribute keys (span and resource) of the given traces, sorted:
/// what the statistics can be grouped by, and rows show. At most
/// [`MAX_KEYS`] of them: those the most spans and resources carry.
pub fn attribute_keys<T: Borrow<Trace>>(ds: &Dataset, traces: &[T]) -> AttributeKeys {
    let mut b = KeysBuilder::default();
    while !b.step(ds, traces, usize::MAX) {}
    b.finish(ds)
}

/// The most attribute keys listed: a span may hold a million attributes of
/// their own keys, and every list of keys is a list of options to choose.
pub const MAX_KEYS: usize = 1_000;

/// The attribute keys listed, sorted, and how many more were seen (past
/// [`MAX_KEYS`], carried by fewer spans): a list of options says so.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttributeKeys {
    pub listed: Vec<String>,
    pub left_out: usize,
}

/// [`attribute_keys`] a part at a time (a million spans' attributes take
/// 40–50 ms in a page): `step` with the same traces until it says it is
/// done, then `finish`.
#[derive(Default)]
pub struct KeysBuilder {
    // Counted per interned string (the spans and resources that carry it):
    // no list of every key of every span to sort (at a million spans that
    // sort alone took most of 100 ms).
    carried: Vec<u32>,
    seen_resource: Vec<bool>,
    walk: SpanWalk,
}

impl KeysBuilder {
    /// Looks at the attributes of up to `budget` more spans; true once
    /// every span's were.
    pub fn step<T: Borrow<Trace>>(&mut self, ds: &Dataset, traces: &[T], budget: usize) -> bool {
        let KeysBuilder {
            carried,
            seen_resource,
            walk,
        } = self;
        carried.resize(ds.strings.len(), 0);
        seen_resource.resize(ds.resources.len(), false);
        let mut count = |key: StrId| {
            let c = &mut carried[key.0 as usize];
            *c = c.saturating_add(1);
        };
        walk.step(traces, budget, |_, t, i| {
            for a in ds.attrs(t.attrs[i]) {
                count(a.key);
            }
            let r = t.resource[i] as usize;
            if !std::mem::replace(&mut seen_resource[r], true) {
                for a in ds.attrs(ds.resources[r].attrs) {
                    count(a.key);
                }
            }
        })
    }

    /// The keys seen, sorted; past [`MAX_KEYS`], those carried most (ties:
    /// the first met in the file).
    pub fn finish(self, ds: &Dataset) -> AttributeKeys {
        let mut seen: Vec<(u32, u32)> = (self.carried.iter().enumerate())
            .filter(|&(_, &c)| c > 0)
            .map(|(k, &c)| (k as u32, c))
            .collect();
        let left_out = seen.len().saturating_sub(MAX_KEYS);
        if left_out > 0 {
            // The least count kept, from how many keys carry each count: no
            // sort of every key on the page's thread (a million distinct
            // keys of varied counts took 44 ms natively to sort).
            let most = seen.iter().map(|&(_, c)| c as usize).max().unwrap_or(0);
            let mut with_count = vec![0usize; most + 1];
            for &(_, c) in &seen {
                with_count[c as usize] += 1;
            }
            let (mut above, mut least) = (0, most);
            while above + with_count[least] < MAX_KEYS {
                above += with_count[least];
                least -= 1;
            }
            // Every key carried more than `least`, then the first met of
            // those carried exactly `least`.
            let mut ties = MAX_KEYS - above;
            seen.retain(|&(_, c)| {
                let tie = c as usize == least && ties > 0;
                ties -= usize::from(tie);
                c as usize > least || tie
            });
        }
        let mut listed: Vec<String> = (seen.into_iter())
            .map(|(k, _)| ds.str(StrId(k)).to_string())
            .collect();
        crate::order::sort(&mut listed);
        AttributeKeys { listed, left_out }
    }
}

/// [`operation_stats`] over the spans of one service only (None: all spans).
pub fn operation_stats_of<'a>(
    ds: &Dataset,
    traces: impl IntoIterator<Item = &'a Trace>,
    by: &GroupBy,
    service: Option<StrId>,
) -> Vec<OpStats> {
    let traces: Vec<&Trace> = traces.into_iter().collect();
    let mut b = StatsBuilder::new(by.clone(), service);
    b.step(ds, &traces, usize::MAX);
    b.finish(ds)
}

/// One group's numbers while they are gathered.
struct Acc {
    durations: Vec<i64>,
    errors: usize,
    self_total: i64,
}

/// The statistics made a part at a time (a million spans take ~100 ms in
/// a page): `step` with the same traces until it says it is done, then
/// `finish`. Spans are grouped first, then each group's durations sorted.
pub struct StatsBuilder {
    by: GroupBy,
    service: Option<StrId>,
    groups: FxHashMap<GroupKey, Acc>,
    walk: SpanWalk,
    /// Once every span is grouped: the groups, the first `sorted` of them
    /// with their durations in order.
    gathered: Vec<(GroupKey, Acc)>,
    sorted: usize,
}

impl StatsBuilder {
    /// Statistics grouped `by`, over the spans of `service` only (None: all).
    pub fn new(by: GroupBy, service: Option<StrId>) -> StatsBuilder {
        StatsBuilder {
            by,
            service,
            groups: FxHashMap::default(),
            walk: SpanWalk::default(),
            gathered: Vec::new(),
            sorted: 0,
        }
    }

    /// Groups up to `budget` more spans of `traces`, or sorts groups of
    /// about `budget` durations; true once everything is done.
    pub fn step<T: Borrow<Trace>>(&mut self, ds: &Dataset, traces: &[T], budget: usize) -> bool {
        let StatsBuilder {
            by,
            service,
            groups,
            walk,
            ..
        } = self;
        if !walk.is_done(traces) {
            let grouped = walk.step(traces, budget, |_, t, i| {
                if service.is_some_and(|s| s != t.service[i]) {
                    return;
                }
                let acc = groups.entry(key_of(ds, t, i, by)).or_insert(Acc {
                    durations: Vec::new(),
                    errors: 0,
                    self_total: 0,
                });
                acc.durations.push(t.duration_ns[i]);
                acc.errors += (t.status[i] == StatusCode::Error) as usize;
                acc.self_total = acc.self_total.saturating_add(self_time_of(t, i));
            });
            if !grouped {
                return false;
            }
            self.gathered = std::mem::take(&mut self.groups).into_iter().collect();
            return self.gathered.is_empty();
        }
        sort_in_parts(&mut self.gathered, &mut self.sorted, budget, |(_, acc)| {
            acc.durations.sort_unstable();
            acc.durations.len()
        })
    }

    /// The rows, by service then operation (steps left undone are done here).
    pub fn finish(mut self, ds: &Dataset) -> Vec<OpStats> {
        for (_, acc) in &mut self.gathered[self.sorted..] {
            acc.durations.sort_unstable();
        }
        let by = &self.by;
        let mut out: Vec<OpStats> = self
            .gathered
            .into_iter()
            .map(|(key, a)| {
                let (service, operation) = columns(ds, key, by);
                let n = a.durations.len();
                let p = |q| nearest_rank(&a.durations, q).unwrap_or(0);
                OpStats {
                    service,
                    operation,
                    count: n,
                    errors: a.errors,
                    error_pct: 100.0 * a.errors as f64 / n as f64,
                    min_ns: a.durations[0],
                    p50_ns: p(50.0),
                    p90_ns: p(90.0),
                    p95_ns: p(95.0),
                    p99_ns: p(99.0),
                    max_ns: a.durations[n - 1],
                    total_ns: a.durations.iter().fold(0i64, |s, d| s.saturating_add(*d)),
                    avg_self_ns: a.self_total / n as i64,
                    durations: a.durations,
                }
            })
            .collect();
        crate::order::sort_by(&mut out, |a, b| {
            a.service
                .cmp(&b.service)
                .then(a.operation.cmp(&b.operation))
        });
        out
    }
}

/// Equal-width bins over [min, max] of sorted durations: about 2√N of
/// them, between 1 and 40; every value lands in exactly one bin (the last
/// includes the maximum).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bins {
    lo: f64,
    width: f64,
    count: usize,
    /// The end of the last bin: at least the maximum, whatever rounding did.
    end: f64,
}

impl Bins {
    /// None without values.
    pub fn of(sorted: &[i64]) -> Option<Bins> {
        let (&lo, &hi) = (sorted.first()?, sorted.last()?);
        let n = ((sorted.len() as f64).sqrt() * 2.0)
            .round()
            .clamp(1.0, 40.0) as usize;
        let (lo, hi) = (lo as f64, hi as f64);
        // Zero-width data still gets one visible bin.
        let width = ((hi - lo) / n as f64).max(1.0);
        let count = (((hi - lo) / width).ceil() as usize).clamp(1, n);
        Some(Bins {
            lo,
            width,
            count,
            end: (lo + count as f64 * width).max(hi),
        })
    }
    pub fn len(&self) -> usize {
        self.count
    }
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
    /// Bin `i`'s [start, end).
    pub fn edges(&self, i: usize) -> (f64, f64) {
        let start = self.lo + i as f64 * self.width;
        let end = if i + 1 == self.count {
            self.end
        } else {
            start + self.width
        };
        (start, end)
    }
    /// The bin a value lands in (values outside go to the nearest bin).
    pub fn index(&self, v: i64) -> usize {
        (((v as f64 - self.lo) / self.width).floor().max(0.0) as usize).min(self.count - 1)
    }
    /// How many of `values` land in each bin.
    pub fn counts(&self, values: &[i64]) -> Vec<usize> {
        let mut out = vec![0; self.count];
        for &v in values {
            out[self.index(v)] += 1;
        }
        out
    }
}
