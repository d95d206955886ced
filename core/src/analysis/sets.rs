//! Set against set: two groups of loaded traces (those of a file, those
//! with a span a find matches, those that started in a time window, the
//! rest) compared per operation (span
//! counts and nearest-rank percentiles) and per attribute value (the share
//! of each group's traces that carry it).

use crate::analysis::percentile::nearest_rank;
use crate::find::{traces_with_a_match, FindQuery};
use crate::layout::time::format_utc;
use crate::model::{AttrValue, Dataset, StrId};
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
/// `sources[i]` names where trace i came from. A trace may be in both.
/// Refused with a sentence: a query that does not parse, both groups "the
/// rest", a group with no trace.
pub fn members(
    ds: &Dataset,
    sources: &[String],
    groups: [&TraceGroup; 2],
) -> Result<[Vec<usize>; 2], String> {
    let chosen = |g: &TraceGroup| -> Result<Option<Vec<usize>>, String> {
        Ok(match g {
            TraceGroup::File(name) => Some(
                (0..ds.traces.len())
                    .filter(|&i| sources.get(i) == Some(name))
                    .collect(),
            ),
            TraceGroup::Matching(q) => {
                let query = FindQuery::parse(q).map_err(|e| format!("{q}: {e}"))?;
                if query.is_empty() {
                    return Err(
                        "Say which traces: a find such as error=true or duration>500ms.".into(),
                    );
                }
                Some(traces_with_a_match(ds, &query))
            }
            TraceGroup::Traces(ids) => Some(
                (0..ds.traces.len())
                    .filter(|&i| {
                        ids.iter()
                            .any(|id| id == ds.str(ds.traces[i].trace_id_text))
                    })
                    .collect(),
            ),
            TraceGroup::Window(from, to) => Some(
                (0..ds.traces.len())
                    .filter(|&i| {
                        let start = ds.traces[i].bounds().0;
                        from.is_none_or(|f| start >= f) && to.is_none_or(|t| start < t)
                    })
                    .collect(),
            ),
            TraceGroup::Rest => None,
        })
    };
    let rest_of = |other: &[usize]| -> Vec<usize> {
        (0..ds.traces.len())
            .filter(|i| other.binary_search(i).is_err())
            .collect()
    };
    let out = match (chosen(groups[0])?, chosen(groups[1])?) {
        (Some(a), Some(b)) => [a, b],
        (Some(a), None) => {
            let b = rest_of(&a);
            [a, b]
        }
        (None, Some(b)) => [rest_of(&b), b],
        (None, None) => {
            return Err("Both groups are “the rest”: choose what one of them holds.".into())
        }
    };
    for (g, m) in groups.iter().zip(&out) {
        if m.is_empty() {
            return Err(format!("No loaded trace is in {}.", g.describe()));
        }
    }
    Ok(out)
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
    let mut index: FxHashMap<(StrId, StrId), usize> = FxHashMap::default();
    let mut out: Vec<OperationShift> = Vec::new();
    for (g, members) in groups.iter().enumerate() {
        for t in members.iter().filter_map(|&i| ds.traces.get(i)) {
            for s in 0..t.len() {
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
            }
        }
    }
    for o in &mut out {
        o.durations.iter_mut().for_each(|d| d.sort_unstable());
    }
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
    // Each value's traces per group; a value counts once per trace, told by
    // the number of the trace that counted it last.
    let mut counts: FxHashMap<(StrId, ValueKey), (AttrValue, [usize; 2], usize)> =
        FxHashMap::default();
    let mut resources: FxHashSet<u32> = FxHashSet::default();
    let mut stamp = 0;
    for (g, members) in groups.iter().enumerate() {
        for t in members.iter().filter_map(|&i| ds.traces.get(i)) {
            stamp += 1;
            resources.clear();
            resources.extend(t.resource.iter().copied());
            let resource_attrs = resources
                .iter()
                .filter_map(|&r| ds.resources.get(r as usize))
                .flat_map(|r| ds.attrs(r.attrs));
            let span_attrs = t.attrs.iter().flat_map(|&r| ds.attrs(r));
            for a in span_attrs.chain(resource_attrs) {
                let c =
                    counts
                        .entry((a.key, ValueKey::of(a.value)))
                        .or_insert((a.value, [0, 0], 0));
                if c.2 != stamp {
                    c.2 = stamp;
                    c.1[g] += 1;
                }
            }
        }
    }
    let sizes = [groups[0].len().max(1) as f64, groups[1].len().max(1) as f64];
    let mut shifts: Vec<ValueShift> = counts
        .into_iter()
        .map(|((key, _), (value, traces, _))| ValueShift {
            key,
            value,
            traces,
            share: [traces[0] as f64 / sizes[0], traces[1] as f64 / sizes[1]],
        })
        .filter(|v| v.difference() != 0.0)
        .collect();
    // Strings compared where they are, not copied: a key can have a value
    // per span, and ties are many.
    let text = |v: AttrValue| match v {
        AttrValue::Str(s) => std::borrow::Cow::Borrowed(ds.str(s)),
        other => std::borrow::Cow::Owned(ds.value_text(other)),
    };
    crate::order::sort_by(&mut shifts, |a, b| {
        b.difference()
            .abs()
            .total_cmp(&a.difference().abs())
            .then_with(|| ds.str(a.key).cmp(ds.str(b.key)))
            .then_with(|| text(a.value).cmp(&text(b.value)))
    });
    let mut per: FxHashMap<StrId, usize> = FxHashMap::default();
    shifts.retain(|v| {
        let n = per.entry(v.key).or_default();
        *n += 1;
        *n <= per_key
    });
    shifts.truncate(limit);
    shifts
}
