//! Insights: what an experienced engineer would point out in a trace,
//! found from what the trace says and nothing more. Each finding names the
//! spans that prove it.
//!
//! - **N+1**: at least [`Thresholds::n_plus_one`] sibling calls (client or
//!   producer spans, or spans naming a target) under one parent with the
//!   same service, operation and normalized target (SQL literals → `?`,
//!   numbers and hex ids in paths → `{id}`). The time at stake is what the
//!   calls cover (overlaps counted once) less the longest call.
//! - **Retry**: sibling calls of the same service, operation and target
//!   where earlier attempts failed and a later one succeeded, or a call that
//!   says it was resent (`http.request.resend_count` > 0).
//! - **Clock skew**: a span of another service than its parent that starts
//!   before the parent, or ends after it though it is no longer than the
//!   parent (it would fit, shifted): their clocks disagree. Same-service
//!   children that outlive their parent are async work, not skew. Grouped
//!   by (parent service, child service); the time at stake is nil (the
//!   views are off, not the system), so these come last.
//!
//! Each detector is one pass over the spans plus a sort of the sibling
//! groups: O(n log n) per trace, no recursion.

use crate::layout::time::format_duration;
use crate::model::{AttrValue, Dataset, SpanKind, StatusCode, StrId, Trace};
use rustc_hash::FxHashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InsightKind {
    NPlusOne,
    Retry,
    ClockSkew,
}

impl InsightKind {
    /// The name in `inspect --json` and in the page (`data-kind`).
    pub fn key(self) -> &'static str {
        match self {
            InsightKind::NPlusOne => "n_plus_one",
            InsightKind::Retry => "retry",
            InsightKind::ClockSkew => "clock_skew",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            InsightKind::NPlusOne => "N+1 calls",
            InsightKind::Retry => "Retry",
            InsightKind::ClockSkew => "Clock skew",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Insight {
    pub kind: InsightKind,
    /// The spans that show it (span indices of the trace).
    pub spans: Vec<u32>,
    pub count: usize,
    /// Time that doing it the other way would save (batched calls; no
    /// failed attempts), ns.
    pub saving_ns: i64,
    pub message: String,
}

/// The detectors' thresholds.
#[derive(Clone, Copy, Debug)]
pub struct Thresholds {
    /// Sibling calls of one kind that make an N+1.
    pub n_plus_one: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { n_plus_one: 3 }
    }
}

/// The attribute keys that name what a call is aimed at, first found wins.
const TARGET_KEYS: &[&str] = &[
    "db.query.text",
    "db.statement",
    "http.route",
    "url.template",
    "url.path",
    "http.target",
    "url.full",
    "http.url",
    "rpc.method",
];

/// SQL literals become `?`, numbers and long hex runs `{id}` (in URLs), so
/// calls that differ only in their arguments compare equal.
pub fn normalize_target(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut prev_word = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            // A quoted SQL literal ('' is an escaped quote inside it).
            loop {
                match chars.next() {
                    Some('\'') if chars.peek() == Some(&'\'') => {
                        chars.next();
                    }
                    Some('\'') | None => break,
                    Some(_) => {}
                }
            }
            out.push('?');
            prev_word = false;
        } else if c.is_ascii_hexdigit() && !prev_word {
            // A number, or a hex id, standing on its own.
            let mut run = String::from(c);
            while let Some(&d) = chars.peek() {
                if d.is_ascii_alphanumeric() || d == '-' || d == '.' {
                    run.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            let digits = run.chars().filter(|d| d.is_ascii_digit()).count();
            let hex_id = run.len() >= 8 && run.chars().all(|d| d.is_ascii_hexdigit() || d == '-');
            if run.chars().all(|d| d.is_ascii_digit() || d == '.') || (hex_id && digits > 0) {
                out.push_str(if text.contains('/') && !text.contains(' ') {
                    "{id}"
                } else {
                    "?"
                });
            } else {
                out.push_str(&run);
            }
            prev_word = true;
        } else {
            prev_word = c.is_alphanumeric() || c == '_';
            out.push(c);
        }
    }
    out
}

/// Each span's normalized target as a small id (0: it names none). The
/// work is done once per distinct attribute key and value, not per span:
/// a million spans share a few hundred statements.
struct Targets<'a> {
    ds: &'a Dataset,
    /// Per attribute key id: its place in [`TARGET_KEYS`], if it is one.
    rank: FxHashMap<StrId, Option<u8>>,
    /// Per string value: its target's id.
    by_value: FxHashMap<StrId, u32>,
    /// Normalized targets; "" is 0.
    ids: FxHashMap<String, u32>,
}

impl<'a> Targets<'a> {
    fn new(ds: &'a Dataset) -> Self {
        let mut ids = FxHashMap::default();
        ids.insert(String::new(), 0);
        Targets {
            ds,
            rank: FxHashMap::default(),
            by_value: FxHashMap::default(),
            ids,
        }
    }

    fn intern(&mut self, text: String) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(text).or_insert(next)
    }

    /// The target of span `s`: its attribute whose key comes first in
    /// [`TARGET_KEYS`] (the first such attribute when repeated).
    fn of(&mut self, t: &Trace, s: usize) -> u32 {
        let ds = self.ds;
        let mut best: Option<(u8, AttrValue)> = None;
        for a in ds.attrs(t.attrs[s]) {
            let rank = *self.rank.entry(a.key).or_insert_with(|| {
                TARGET_KEYS
                    .iter()
                    .position(|k| ds.str(a.key) == *k)
                    .map(|r| r as u8)
            });
            if let Some(r) = rank {
                if best.is_none_or(|(b, _)| r < b) {
                    best = Some((r, a.value));
                }
            }
        }
        match best {
            None => 0,
            Some((_, AttrValue::Str(v))) => match self.by_value.get(&v) {
                Some(&id) => id,
                None => {
                    let id = self.intern(normalize_target(ds.str(v)));
                    self.by_value.insert(v, id);
                    id
                }
            },
            Some((_, other)) => self.intern(normalize_target(&ds.value_text(other))),
        }
    }
}

/// Siblings of one kind: (parent, service, operation, target) → spans.
fn sibling_groups(ds: &Dataset, t: &Trace) -> Vec<Vec<u32>> {
    let mut targets = Targets::new(ds);
    let mut groups: FxHashMap<(u32, StrId, StrId, u32), Vec<u32>> = FxHashMap::default();
    for s in 0..t.len() {
        let Some(p) = t.tree.parent_of(s) else {
            continue;
        };
        let target = targets.of(t, s);
        // Calls only: a client or producer span, or one that names its
        // target. Loop iterations of one process (a browser's tasks, a
        // profiler's frames) are not calls made once per item.
        if target == 0 && !matches!(t.kind[s], SpanKind::Client | SpanKind::Producer) {
            continue;
        }
        groups
            .entry((p as u32, t.service[s], t.name[s], target))
            .or_default()
            .push(s as u32);
    }
    let mut out: Vec<Vec<u32>> = groups
        .into_values()
        .filter(|g| g.len() >= 2)
        .map(|mut g| {
            g.sort_by_key(|&s| (t.start_ns[s as usize], s));
            g
        })
        .collect();
    out.sort();
    out
}

fn op_name(ds: &Dataset, t: &Trace, s: usize) -> String {
    format!("{} {}", ds.str(t.service[s]), ds.str(t.name[s]))
}

fn resent(ds: &Dataset, t: &Trace, s: usize) -> bool {
    ds.attrs(t.attrs[s]).iter().any(|a| {
        ds.str(a.key) == "http.request.resend_count"
            && match a.value {
                AttrValue::Int(n) => n > 0,
                AttrValue::Str(v) => ds.str(v).parse::<i64>().is_ok_and(|n| n > 0),
                _ => false,
            }
    })
}

/// Every insight of `t`, the most time at stake first.
pub fn insights(ds: &Dataset, t: &Trace, th: Thresholds) -> Vec<Insight> {
    let mut out = Vec::new();
    for g in sibling_groups(ds, t) {
        let first = g[0] as usize;
        let parent = t.tree.parent_of(first).unwrap_or(first);
        let longest = g
            .iter()
            .map(|&s| t.duration_ns[s as usize])
            .max()
            .unwrap_or(0);
        let failed: Vec<u32> = g
            .iter()
            .copied()
            .filter(|&s| t.status[s as usize] == StatusCode::Error)
            .collect();
        // A retry: some attempt failed and a later one did not.
        let last_failure = failed.last().map(|&s| t.start_ns[s as usize]);
        let recovered = last_failure.is_some_and(|at| {
            g.iter()
                .any(|&s| t.status[s as usize] != StatusCode::Error && t.start_ns[s as usize] > at)
        });
        if recovered || g.iter().any(|&s| resent(ds, t, s as usize)) {
            let lost: i64 = failed.iter().map(|&s| t.duration_ns[s as usize]).sum();
            out.push(Insight {
                kind: InsightKind::Retry,
                spans: g.clone(),
                count: g.len(),
                saving_ns: lost,
                message: format!(
                    "Retry: {} {}× under {}; {} failed, {} lost",
                    op_name(ds, t, first),
                    g.len(),
                    op_name(ds, t, parent),
                    failed.len(),
                    format_duration(lost as f64),
                ),
            });
        } else if g.len() >= th.n_plus_one {
            // Time the calls cover (overlapping ones counted once): made as
            // one batched call, the rest of it would be saved.
            let mut covered = 0i64;
            let mut reach = i64::MIN;
            for &c in &g {
                let (a, b) = (t.start_ns[c as usize], t.end_ns(c as usize));
                covered += (b - a.max(reach)).max(0);
                reach = reach.max(b);
            }
            let parent_ns = t.duration_ns[parent];
            let share = if parent_ns > 0 && covered <= parent_ns {
                format!(", {:.0}% of it", 100.0 * covered as f64 / parent_ns as f64)
            } else {
                String::new()
            };
            out.push(Insight {
                kind: InsightKind::NPlusOne,
                spans: g.clone(),
                count: g.len(),
                saving_ns: (covered - longest).max(0),
                message: format!(
                    "N+1: {} calls {} {}× ({} of calls{})",
                    op_name(ds, t, parent),
                    op_name(ds, t, first),
                    g.len(),
                    format_duration(covered as f64),
                    share,
                ),
            });
        }
    }
    out.extend(clock_skew(ds, t));
    out.sort_by(|a, b| b.saving_ns.cmp(&a.saving_ns).then(a.spans.cmp(&b.spans)));
    out
}

/// Spans whose clock disagrees with their parent's, by (parent service,
/// child service), with the largest offset seen.
fn clock_skew(ds: &Dataset, t: &Trace) -> Vec<Insight> {
    let mut groups: FxHashMap<(StrId, StrId), (Vec<u32>, i64)> = FxHashMap::default();
    for s in 0..t.len() {
        let Some(p) = t.tree.parent_of(s) else {
            continue;
        };
        if t.service[s] == t.service[p] {
            continue;
        }
        let early = t.start_ns[p] - t.start_ns[s];
        let late = t.end_ns(s) - t.end_ns(p);
        let off = if early > 0 {
            early
        } else if late > 0 && t.duration_ns[s] <= t.duration_ns[p] {
            late
        } else {
            continue;
        };
        let g = groups.entry((t.service[p], t.service[s])).or_default();
        g.0.push(s as u32);
        g.1 = g.1.max(off);
    }
    let mut out: Vec<Insight> = groups
        .into_iter()
        .map(|((parent, child), (spans, most))| Insight {
            kind: InsightKind::ClockSkew,
            count: spans.len(),
            saving_ns: 0,
            message: format!(
                "Clock skew: {} span{} of {} outside {} parent{} by up to {}",
                spans.len(),
                if spans.len() == 1 { "" } else { "s" },
                ds.str(child),
                ds.str(parent),
                if spans.len() == 1 { "" } else { "s" },
                format_duration(most as f64),
            ),
            spans,
        })
        .collect();
    out.sort_by(|a, b| a.spans.cmp(&b.spans));
    out
}
