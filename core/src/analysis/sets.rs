//! Set against set: two groups of loaded traces (those of a file, those
//! with a span a find matches, those that started in a time window, the
//! rest) compared per operation (span
//! counts and nearest-rank percentiles) and per attribute value (the share
//! of each group's traces that carry it).

use crate::analysis::percentile::nearest_rank;
use crate::analysis::span_walk::{sort_in_parts, SpanWalk};
use crate::find::{FindQuery, TracesMatching};
use crate::layout::time::format_utc;
use crate::model::{AttrValue, Dataset, StrId, Trace};
use crate::runs::Runs;
use rustc_hash::{FxHashMap, FxHashSet};

/// How a group of traces is chosen; written in a link as its `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceGroup {
    /// The traces loaded from one file (or answer), by its name.
    File(String),
    /// The traces with at least one span the find query matches.
    Matching(String),
    /// The traces that started in [from, to) (ns since the epoch; an end
    /// left out is open): before and after a deploy, say.
    Window(Option<i64>, Option<i64>),
    /// The traces with these ids: ticked in the list, or in a box drawn
    /// on the search results.
    Traces(Vec<String>),
    /// Every loaded trace not in the other group.
    Rest,
}

impl TraceGroup {
    /// `file:NAME`, `find:QUERY`, `time:FROM,TO` (ns, either may be
    /// empty), `ids:ID,ID…` or `rest`.
    pub fn parse(text: &str) -> Option<TraceGroup> {
        if text == "rest" {
            return Some(TraceGroup::Rest);
        }
        if let Some(ids) = text.strip_prefix("ids:") {
            let ids: Vec<String> = ids
                .split(',')
                .filter(|i| !i.is_empty())
                .map(str::to_string)
                .collect();
            return (!ids.is_empty()).then_some(TraceGroup::Traces(ids));
        }
        if let Some(window) = text.strip_prefix("time:") {
            let (from, to) = window.split_once(',')?;
            let end = |v: &str| -> Option<Option<i64>> {
                match v {
                    "" => Some(None),
                    v => v.parse().ok().map(Some),
                }
            };
            return Some(TraceGroup::Window(end(from)?, end(to)?));
        }
        if let Some(name) = text.strip_prefix("file:") {
            return Some(TraceGroup::File(name.to_string()));
        }
        text.strip_prefix("find:")
            .map(|q| TraceGroup::Matching(q.to_string()))
    }

    pub fn text(&self) -> String {
        match self {
            TraceGroup::File(name) => format!("file:{name}"),
            TraceGroup::Matching(q) => format!("find:{q}"),
            TraceGroup::Window(from, to) => {
                let end = |v: &Option<i64>| v.map_or(String::new(), |v| v.to_string());
                format!("time:{},{}", end(from), end(to))
            }
            TraceGroup::Traces(ids) => format!("ids:{}", ids.join(",")),
            TraceGroup::Rest => "rest".to_string(),
        }
    }

    /// For people: "checkout.json", "traces matching error=true", "the rest".
    pub fn describe(&self) -> String {
        match self {
            TraceGroup::File(name) => name.clone(),
            TraceGroup::Matching(q) => format!("traces matching {q}"),
            TraceGroup::Window(from, to) => match (from, to) {
                (Some(a), Some(b)) => {
                    format!(
                        "traces started from {} to {}",
                        format_utc(*a),
                        format_utc(*b)
                    )
                }
                (Some(a), None) => format!("traces started from {}", format_utc(*a)),
                (None, Some(b)) => format!("traces started before {}", format_utc(*b)),
                (None, None) => "every trace".to_string(),
            },
            TraceGroup::Traces(ids) => match ids.len() {
                1 => "1 chosen trace".to_string(),
                n => format!("{n} chosen traces"),
            },
            TraceGroup::Rest => "the rest".to_string(),
        }
    }
}

/// The traces of each group (indices into `ds.traces`, ascending);
/// `sources` names where each trace came from. A trace may be in both.
/// Refused with a sentence: a query that does not parse, both groups "the
/// rest", a group with no trace.
pub fn members(
    ds: &Dataset,
    sources: &Runs<impl AsRef<str>>,
    groups: [&TraceGroup; 2],
) -> Result<[Vec<usize>; 2], String> {
    MembersBuilder::new(ds, sources, groups)?.finish(ds)
}

const BOTH_REST: &str = "Both groups are “the rest”: choose what one of them holds.";

/// [`members`] a part at a time: a group chosen by a find tests spans.
pub struct MembersBuilder {
    chosen: [Chosen; 2],
    /// What each group is, for the sentence that says one is empty.
    described: [String; 2],
}

enum Chosen {
    Traces(Vec<usize>),
    Finding(TracesMatching),
    Rest,
}

impl MembersBuilder {
    /// Refused at once when a query does not parse or both are the rest;
    /// groups that need no span tested are known here.
    pub fn new(
        ds: &Dataset,
        sources: &Runs<impl AsRef<str>>,
        groups: [&TraceGroup; 2],
    ) -> Result<MembersBuilder, String> {
        let all = 0..ds.traces.len();
        let chosen = |g: &TraceGroup| -> Result<Chosen, String> {
            Ok(match g {
                TraceGroup::File(name) => Chosen::Traces(
                    sources
                        .ranges()
                        .filter(|(_, s)| s.as_ref() == name)
                        .flat_map(|(r, _)| r)
                        .take_while(|&i| i < all.end)
                        .collect(),
                ),
                TraceGroup::Matching(q) => {
                    let query = FindQuery::parse(q).map_err(|e| format!("{q}: {e}"))?;
                    if query.is_empty() {
                        return Err(
                            "Say which traces: a find such as error=true or duration>500ms.".into(),
                        );
                    }
                    Chosen::Finding(TracesMatching::new(ds, &query))
                }
                TraceGroup::Traces(ids) => Chosen::Traces(
                    all.clone()
                        .filter(|&i| ids.iter().any(|id| **id == *ds.trace_id(&ds.traces[i])))
                        .collect(),
                ),
                TraceGroup::Window(from, to) => Chosen::Traces(
                    all.clone()
                        .filter(|&i| {
                            let start = ds.traces[i].bounds().0;
                            from.is_none_or(|f| start >= f) && to.is_none_or(|t| start < t)
                        })
                        .collect(),
                ),
                TraceGroup::Rest => Chosen::Rest,
            })
        };
        let chosen = [chosen(groups[0])?, chosen(groups[1])?];
        if matches!(chosen, [Chosen::Rest, Chosen::Rest]) {
            return Err(BOTH_REST.into());
        }
        Ok(MembersBuilder {
            chosen,
            described: groups.map(TraceGroup::describe),
        })
    }

    /// Tests up to `budget` more spans for each find; true once both
    /// groups are known.
    pub fn step(&mut self, ds: &Dataset, budget: usize) -> bool {
        let mut done = true;
        for c in &mut self.chosen {
            let found = match c {
                Chosen::Finding(f) => f.step(ds, budget),
                _ => continue,
            };
            if !found {
                done = false;
            } else if let Chosen::Finding(f) = std::mem::replace(c, Chosen::Rest) {
                *c = Chosen::Traces(f.finish());
            }
        }
        done
    }

    /// Both groups (steps left undone are done here), or why not.
    pub fn finish(mut self, ds: &Dataset) -> Result<[Vec<usize>; 2], String> {
        self.step(ds, usize::MAX);
        let [a, b] = self.chosen.map(|c| match c {
            Chosen::Traces(t) => Some(t),
            _ => None,
        });
        let rest_of = |other: &[usize]| -> Vec<usize> {
            (0..ds.traces.len())
                .filter(|i| other.binary_search(i).is_err())
                .collect()
        };
        let out = match (a, b) {
            (Some(a), Some(b)) => [a, b],
            (Some(a), None) => {
                let b = rest_of(&a);
                [a, b]
            }
            (None, Some(b)) => [rest_of(&b), b],
            (None, None) => return Err(BOTH_REST.into()),
        };
        for (g, m) in self.described.iter().zip(&out) {
            if m.is_empty() {
                return Err(format!("No loaded trace is in {g}."));
            }
        }
        Ok(out)
    }
}

/// One operation in both groups: the durations of its spans.
#[derive(Clone, Debug, PartialEq)]
pub struct OperationShift {
    pub service: StrId,
    pub operation: StrId,
    /// Durations of its spans in A and in B, ascending.
    pub durations: [Vec<i64>; 2],
}

impl OperationShift {
    pub fn count(&self, group: usize) -> usize {
        self.durations[group].len()
    }
    /// The nearest-rank percentile in a group; None when it has no spans.
    pub fn percentile(&self, group: usize, p: f64) -> Option<i64> {
        nearest_rank(&self.durations[group], p)
    }
    /// B − A at a percentile, when both groups have the operation.
    pub fn delta(&self, p: f64) -> Option<i64> {
        Some(self.percentile(1, p)? - self.percentile(0, p)?)
    }
}

/// Every (service, operation) of either group's spans, the largest change
/// of p95 first, then those only one group has (most spans first).
pub fn operations(ds: &Dataset, groups: &[Vec<usize>; 2]) -> Vec<OperationShift> {
    OperationsBuilder::default().finish(ds, groups)
}

/// A walk over the spans of both groups' traces, A's then B's.
#[derive(Default)]
struct GroupsWalk {
    /// The group being walked (2: both were).
    group: usize,
    walk: SpanWalk,
}

impl GroupsWalk {
    /// Calls `each(group, trace, span)` for up to `budget` more spans;
    /// false, visiting none, once both groups were walked.
    fn step(
        &mut self,
        ds: &Dataset,
        groups: &[Vec<usize>; 2],
        budget: usize,
        mut each: impl FnMut(usize, &Trace, usize),
    ) -> bool {
        let Some(members) = groups.get(self.group) else {
            return false;
        };
        let g = self.group;
        if self
            .walk
            .step_among(&ds.traces, members, budget, |_, t, s| each(g, t, s))
        {
            self.group += 1;
            self.walk = SpanWalk::default();
        }
        true
    }
}

/// [`operations`] a part at a time: each group's spans gathered, then each
/// operation's durations sorted.
#[derive(Default)]
pub struct OperationsBuilder {
    index: FxHashMap<(StrId, StrId), usize>,
    out: Vec<OperationShift>,
    walk: GroupsWalk,
    /// Operations whose durations are sorted.
    sorted: usize,
}

impl OperationsBuilder {
    /// Gathers up to `budget` more spans, or sorts about `budget` durations;
    /// true once everything is done. Called with the same groups each time.
    pub fn step(&mut self, ds: &Dataset, groups: &[Vec<usize>; 2], budget: usize) -> bool {
        let OperationsBuilder {
            index, out, walk, ..
        } = self;
        let walked = walk.step(ds, groups, budget, |g, t, s| {
            let key = (t.service[s], t.name[s]);
            let k = *index.entry(key).or_insert_with(|| {
                out.push(OperationShift {
                    service: key.0,
                    operation: key.1,
                    durations: [Vec::new(), Vec::new()],
                });
                out.len() - 1
            });
            out[k].durations[g].push(t.duration_ns[s]);
        });
        if walked {
            return false;
        }
        sort_in_parts(&mut self.out, &mut self.sorted, budget, |o| {
            o.durations.iter_mut().for_each(|d| d.sort_unstable());
            o.count(0) + o.count(1)
        })
    }

    /// The operations in order (steps left undone are done here).
    pub fn finish(mut self, ds: &Dataset, groups: &[Vec<usize>; 2]) -> Vec<OperationShift> {
        while !self.step(ds, groups, usize::MAX) {}
        let mut out = self.out;
        crate::order::sort_by(&mut out, |a, b| {
            let change = |o: &OperationShift| o.delta(95.0).map(i64::unsigned_abs);
            change(b)
                .cmp(&change(a))
                .then((b.count(0) + b.count(1)).cmp(&(a.count(0) + a.count(1))))
                .then(
                    (ds.str(a.service), ds.str(a.operation))
                        .cmp(&(ds.str(b.service), ds.str(b.operation))),
                )
        });
        out
    }
}

/// An attribute value carried by a different share of each group's traces.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueShift {
    pub key: StrId,
    pub value: AttrValue,
    /// Traces of A and of B with a span (or resource) carrying it.
    pub traces: [usize; 2],
    /// Those as shares of each group's traces (0–1).
    pub share: [f64; 2],
}

impl ValueShift {
    /// B's share minus A's.
    pub fn difference(&self) -> f64 {
        self.share[1] - self.share[0]
    }
}

/// An attribute value as a hash key (floats by their bits).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum ValueKey {
    Str(StrId),
    Int(i64),
    Float(u64),
    Bool(bool),
}

impl ValueKey {
    fn of(v: AttrValue) -> ValueKey {
        match v {
            AttrValue::Str(s) => ValueKey::Str(s),
            AttrValue::Int(i) => ValueKey::Int(i),
            AttrValue::Float(f) => ValueKey::Float(f.to_bits()),
            AttrValue::Bool(b) => ValueKey::Bool(b),
        }
    }
}

/// The attribute values (span and resource attributes) whose share of
/// traces differs most between the groups, at most `per_key` values of a
/// key and `limit` in all, the largest difference first. Values equally
/// common in both are left out.
pub fn attribute_shifts(
    ds: &Dataset,
    groups: &[Vec<usize>; 2],
    per_key: usize,
    limit: usize,
) -> Vec<ValueShift> {
    ValuesBuilder::new(per_key, limit).finish(ds, groups)
}

/// A value's traces in each group so far.
struct Counted {
    key: StrId,
    value: AttrValue,
    traces: [usize; 2],
    /// The walk's number of the trace that counted it last: a value counts
    /// once per trace.
    stamp: usize,
}

/// [`attribute_shifts`] a part at a time: each group's spans walked,
/// counting values per trace, then the values ranked, keeping only the
/// best `per_key` of each key as they come (a key can have a value per
/// span: sorting them all would take seconds).
pub struct ValuesBuilder {
    per_key: usize,
    limit: usize,
    index: FxHashMap<(StrId, ValueKey), usize>,
    counted: Vec<Counted>,
    /// The resources already counted for the trace being walked.
    resources: FxHashSet<u32>,
    stamp: usize,
    walk: GroupsWalk,
    /// Values ranked so far, and the best of each key among them.
    ranked: usize,
    best: FxHashMap<StrId, Vec<ValueShift>>,
}

impl ValuesBuilder {
    pub fn new(per_key: usize, limit: usize) -> ValuesBuilder {
        ValuesBuilder {
            per_key,
            limit,
            index: FxHashMap::default(),
            counted: Vec::new(),
            resources: FxHashSet::default(),
            stamp: 0,
            walk: GroupsWalk::default(),
            ranked: 0,
            best: FxHashMap::default(),
        }
    }

    /// Walks up to `budget` more spans, or ranks `budget` values; true once
    /// everything is done. Called with the same groups each time.
    pub fn step(&mut self, ds: &Dataset, groups: &[Vec<usize>; 2], budget: usize) -> bool {
        let ValuesBuilder {
            index,
            counted,
            resources,
            stamp,
            walk,
            ..
        } = self;
        let mut count = |g: usize, stamp: usize, attrs: &[crate::model::Attr]| {
            for a in attrs {
                let k = *index
                    .entry((a.key, ValueKey::of(a.value)))
                    .or_insert_with(|| {
                        counted.push(Counted {
                            key: a.key,
                            value: a.value,
                            traces: [0, 0],
                            stamp: 0,
                        });
                        counted.len() - 1
                    });
                let c = &mut counted[k];
                if c.stamp != stamp {
                    c.stamp = stamp;
                    c.traces[g] += 1;
                }
            }
        };
        let walked = walk.step(ds, groups, budget, |g, t, i| {
            if i == 0 {
                *stamp += 1;
                resources.clear();
            }
            count(g, *stamp, ds.attrs(t.attrs[i]));
            let r = t.resource[i];
            if resources.insert(r) {
                if let Some(res) = ds.resources.get(r as usize) {
                    count(g, *stamp, ds.attrs(res.attrs));
                }
            }
        });
        if walked {
            return false;
        }
        let sizes = [groups[0].len().max(1) as f64, groups[1].len().max(1) as f64];
        let end = self.counted.len().min(self.ranked.saturating_add(budget));
        for c in &self.counted[self.ranked..end] {
            let v = ValueShift {
                key: c.key,
                value: c.value,
                traces: c.traces,
                share: [c.traces[0] as f64 / sizes[0], c.traces[1] as f64 / sizes[1]],
            };
            if v.difference() == 0.0 {
                continue;
            }
            let best = self.best.entry(v.key).or_default();
            let at = best.partition_point(|b| by_change(ds, b, &v).is_le());
            if at < self.per_key {
                best.insert(at, v);
                best.truncate(self.per_key);
            }
        }
        self.ranked = end;
        end == self.counted.len()
    }

    /// The values in order (steps left undone are done here).
    pub fn finish(mut self, ds: &Dataset, groups: &[Vec<usize>; 2]) -> Vec<ValueShift> {
        while !self.step(ds, groups, usize::MAX) {}
        let mut shifts: Vec<ValueShift> = self.best.into_values().flatten().collect();
        crate::order::sort_by(&mut shifts, |a, b| by_change(ds, a, b));
        shifts.truncate(self.limit);
        shifts
    }
}

/// The larger difference first, then by key and value text.
fn by_change(ds: &Dataset, a: &ValueShift, b: &ValueShift) -> std::cmp::Ordering {
    // Strings compared where they are, not copied: ties are many.
    let text = |v: AttrValue| match v {
        AttrValue::Str(s) => std::borrow::Cow::Borrowed(ds.str(s)),
        other => std::borrow::Cow::Owned(ds.value_text(other)),
    };
    b.difference()
        .abs()
        .total_cmp(&a.difference().abs())
        .then_with(|| ds.str(a.key).cmp(ds.str(b.key)))
        .then_with(|| text(a.value).cmp(&text(b.value)))
}

/// Two groups compared: their traces, operations and attribute values.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub members: [Vec<usize>; 2],
    pub ops: Vec<OperationShift>,
    pub values: Vec<ValueShift>,
}

/// A [`Comparison`] a part at a time (over a million spans it takes
/// hundreds of milliseconds on a page): the groups' traces, then their
/// operations, then their values.
pub struct SetsBuilder {
    /// Until both groups are known.
    members: Option<MembersBuilder>,
    /// Then, the groups or why there are none.
    found: Result<[Vec<usize>; 2], String>,
    ops: OperationsBuilder,
    values: ValuesBuilder,
}

impl SetsBuilder {
    /// Refused at once when the groups cannot be ([`MembersBuilder::new`]).
    pub fn new(
        ds: &Dataset,
        sources: &Runs<impl AsRef<str>>,
        groups: [&TraceGroup; 2],
        per_key: usize,
        limit: usize,
    ) -> Result<SetsBuilder, String> {
        Ok(SetsBuilder {
            members: Some(MembersBuilder::new(ds, sources, groups)?),
            found: Ok(Default::default()),
            ops: OperationsBuilder::default(),
            values: ValuesBuilder::new(per_key, limit),
        })
    }

    /// Up to `budget` spans (or values) more; true once done.
    pub fn step(&mut self, ds: &Dataset, budget: usize) -> bool {
        if let Some(m) = &mut self.members {
            if m.step(ds, budget) {
                if let Some(m) = self.members.take() {
                    self.found = m.finish(ds);
                }
            }
            return false;
        }
        match &self.found {
            Ok(groups) => self.ops.step(ds, groups, budget) && self.values.step(ds, groups, budget),
            Err(_) => true,
        }
    }

    /// The comparison, or why there is none (steps left undone are done here).
    pub fn finish(mut self, ds: &Dataset) -> Result<Comparison, String> {
        while self.members.is_some() {
            self.step(ds, usize::MAX);
        }
        let members = self.found?;
        Ok(Comparison {
            ops: self.ops.finish(ds, &members),
            values: self.values.finish(ds, &members),
            members,
        })
    }
}
