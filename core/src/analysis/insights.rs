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
//! - **Serial calls**: at least [`Thresholds::serial`] sibling calls that
//!   ran one after another, each starting after the one before it ended
//!   (give or take a microsecond or 2 % of the shorter: rounding),
//!   not all of one kind and not already in an N+1 or a retry (those are
//!   reported as such).
//!   Nothing in a trace shows whether a call needed the one before it, so
//!   the message says "if they do not depend on each other". The time at
//!   stake is what running them at once would save: their sum less the
//!   longest.
//! - **Duplicate calls**: the same call — service, operation and the exact
//!   statement or URL, arguments included — made more than once in a trace
//!   and answered without error each time (a failed attempt is a retry's).
//!   Only where the trace shows the arguments: a statement with its values
//!   written in (not bound to `?` or `$1`), or the URL of a GET or HEAD
//!   (other methods carry a body the trace does not hold). The time at
//!   stake is all but the longest.
//! - **Cache**: per cache operation (service and operation), how many of
//!   its reads were hits and misses where the trace says so: a `cache.hit`
//!   attribute (or `*.cache.hit`, `cache_hit`: true / false, "hit" /
//!   "miss"), or a read of a cache store (`db.system` redis, memcached,
//!   valkey; a GET-like command) followed by a database read under the
//!   same parent, among the next few calls started after it ended, that
//!   carries the same key (an
//!   attribute of the same name and value on both, `db.*`, `net.*`,
//!   `peer.*`, `server.*` and the span kind left out): a miss. Reads that
//!   show neither are counted as such, never as hits. The time at stake is
//!   the database reads after the misses.
//! - **Clock skew**: a span on another clock than its parent (another
//!   host, or another service where the hosts are not named:
//!   [`super::clock::differ`]) that starts before the parent, or ends after
//!   it though the parent waits for it, it is no longer than the parent
//!   (it would fit, shifted) and it starts before the parent ends: their
//!   clocks disagree. Children on the parent's clock that outlive it, work
//!   not waited for, and spans starting after their parent ended (a page
//!   after a page) are not skew. Grouped
//!   by (parent service, child service); the time at stake is nil (the
//!   views are off, not the system), so these come last.
//!
//! Each detector is one pass over the spans plus a sort of the sibling
//! groups: O(n log n) per trace, no recursion.

use super::clock;
use crate::layout::time::format_duration;
use crate::model::{AttrValue, Dataset, SpanKind, StatusCode, StrId, Trace};
use rustc_hash::FxHashMap;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InsightKind {
    NPlusOne,
    SerialCalls,
    Retry,
    DuplicateCalls,
    Cache,
    ClockSkew,
}

impl InsightKind {
    /// The name in `inspect --json` and in the page (`data-kind`).
    pub fn key(self) -> &'static str {
        match self {
            InsightKind::NPlusOne => "n_plus_one",
            InsightKind::SerialCalls => "serial_calls",
            InsightKind::Retry => "retry",
            InsightKind::DuplicateCalls => "duplicate_calls",
            InsightKind::Cache => "cache",
            InsightKind::ClockSkew => "clock_skew",
        }
    }
    /// The few letters a waterfall row shows for it.
    pub fn badge(self) -> &'static str {
        match self {
            InsightKind::NPlusOne => "N+1",
            InsightKind::SerialCalls => "serial",
            InsightKind::Retry => "retry",
            InsightKind::DuplicateCalls => "dup",
            InsightKind::Cache => "cache",
            InsightKind::ClockSkew => "skew",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            InsightKind::NPlusOne => "N+1 calls",
            InsightKind::SerialCalls => "Serial calls",
            InsightKind::Retry => "Retry",
            InsightKind::DuplicateCalls => "Duplicate calls",
            InsightKind::Cache => "Cache",
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
    /// What it is about, without its numbers: the same in every trace
    /// where the same thing happens (insights across traces group by it).
    pub subject: String,
}

/// The detectors' thresholds.
#[derive(Clone, Copy, Debug)]
pub struct Thresholds {
    /// Sibling calls of one kind that make an N+1.
    pub n_plus_one: usize,
    /// Sibling calls one after another that make serial calls.
    pub serial: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            n_plus_one: 3,
            serial: 3,
        }
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
struct Targets {
    /// Per attribute key id: its place in [`TARGET_KEYS`], if it is one.
    rank: FxHashMap<StrId, Option<u8>>,
    /// Per string value: its target's id.
    by_value: FxHashMap<StrId, u32>,
    /// Normalized targets; "" is 0.
    ids: FxHashMap<String, u32>,
}

impl Default for Targets {
    fn default() -> Self {
        let mut ids = FxHashMap::default();
        ids.insert(String::new(), 0);
        Targets {
            rank: FxHashMap::default(),
            by_value: FxHashMap::default(),
            ids,
        }
    }
}

impl Targets {
    fn intern(&mut self, text: String) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(text).or_insert(next)
    }

    /// The target of span `s`, normalized.
    fn of(&mut self, ds: &Dataset, t: &Trace, s: usize) -> u32 {
        match self.named(ds, t, s) {
            None => 0,
            Some(AttrValue::Str(v)) => match self.by_value.get(&v) {
                Some(&id) => id,
                None => {
                    let id = self.intern(normalize_target(ds.str(v)));
                    self.by_value.insert(v, id);
                    id
                }
            },
            Some(other) => self.intern(normalize_target(&ds.value_text(other))),
        }
    }

    /// What span `s` asked, arguments and all, where the trace shows them:
    /// a statement with its values written in (no `?` or `$1` bound
    /// later), or the URL of a GET or HEAD (other methods send a body the
    /// trace does not hold).
    fn exact(ds: &Dataset, t: &Trace, s: usize) -> Option<StrId> {
        let text = |v: AttrValue| match v {
            AttrValue::Str(v) => Some(v),
            _ => None,
        };
        let (mut statement, mut url, mut method) = (None, None, None);
        for a in ds.attrs(t.attrs[s]) {
            match ds.str(a.key) {
                "db.query.text" | "db.statement" => statement = statement.or(text(a.value)),
                "url.full" | "http.url" | "http.target" => url = url.or(text(a.value)),
                "http.request.method" | "http.method" => method = method.or(text(a.value)),
                _ => {}
            }
        }
        if let Some(v) = statement {
            let q = ds.str(v);
            let bound = q.contains('?')
                || q.as_bytes()
                    .windows(2)
                    .any(|w| w[0] == b'$' && w[1].is_ascii_digit());
            return (!bound).then_some(v);
        }
        let method = method.map_or_else(
            || ds.str(t.name[s]).split(' ').next().unwrap_or(""),
            |m| ds.str(m),
        );
        url.filter(|_| method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD"))
    }

    /// The attribute of span `s` whose key comes first in [`TARGET_KEYS`]
    /// (the first such attribute when repeated).
    fn named(&mut self, ds: &Dataset, t: &Trace, s: usize) -> Option<AttrValue> {
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
        best.map(|(_, v)| v)
    }
}

/// The calls of a trace: spans with a parent that are client or producer
/// spans or name a target. Loop iterations of one process (a browser's
/// tasks, a profiler's frames) are not calls made once per item.
#[derive(Default)]
struct Calls {
    /// Each call with its parent, its kind (service, operation, normalized
    /// target) and its exact target, if it names one in text.
    list: Vec<Call>,
    targets: Targets,
}

#[derive(Clone, Copy)]
struct Call {
    span: u32,
    parent: u32,
    kind: (StrId, StrId, u32),
    exact: Option<StrId>,
}

impl Calls {
    /// Adds the calls among spans `spans` of `t`.
    fn add(&mut self, ds: &Dataset, t: &Trace, spans: Range<usize>) {
        for s in spans {
            let Some(p) = t.tree.parent_of(s) else {
                continue;
            };
            let target = self.targets.of(ds, t, s);
            if target == 0 && !matches!(t.kind[s], SpanKind::Client | SpanKind::Producer) {
                continue;
            }
            self.list.push(Call {
                span: s as u32,
                parent: p as u32,
                kind: (t.service[s], t.name[s], target),
                exact: Targets::exact(ds, t, s),
            });
        }
    }

    /// Spans grouped by `key`, groups of two or more, each by start time,
    /// the groups in a stable order.
    fn grouped<K: std::hash::Hash + Eq>(
        &self,
        t: &Trace,
        key: impl Fn(&Call) -> Option<K>,
    ) -> Vec<Vec<u32>> {
        let mut groups: FxHashMap<K, Vec<u32>> = FxHashMap::default();
        for c in &self.list {
            if let Some(k) = key(c) {
                groups.entry(k).or_default().push(c.span);
            }
        }
        let mut out: Vec<Vec<u32>> = groups
            .into_values()
            .filter(|g| g.len() >= 2)
            .map(|mut g| {
                crate::order::sort_by_key(&mut g, |&s| (t.start_ns[s as usize], s));
                g
            })
            .collect();
        crate::order::sort(&mut out);
        out
    }
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
    detect(ds, t, th, &mut CacheKeys::default())
}

/// [`insights`] with what is known of the attribute keys already (kept
/// across the traces of a dataset: a table per trace of every string of a
/// million one-span traces was seconds of zeroing).
fn detect(ds: &Dataset, t: &Trace, th: Thresholds, keys: &mut CacheKeys) -> Vec<Insight> {
    let mut b = InsightsBuilder::new(th);
    while !b.step_with(ds, t, keys) {}
    b.finish()
}

/// [`insights`] a stage per step: the calls, then each detector in turn;
/// the stages that look at every span ([`SPAN_PART`] spans a step: the
/// calls, cache reads and clock skew) take a step per part (over a million
/// spans the whole is 50–75 ms in the page, each of those 30–60).
#[derive(Default)]
pub struct InsightsBuilder {
    th: Thresholds,
    keys: CacheKeys,
    calls: Calls,
    cache: CacheReads,
    skew: SkewGroups,
    out: Vec<Insight>,
    stage: u8,
    /// The first span the stage has not looked at.
    at: usize,
}

/// Spans a stage looks at in a step.
pub const SPAN_PART: usize = 100_000;

impl InsightsBuilder {
    pub fn new(th: Thresholds) -> InsightsBuilder {
        InsightsBuilder {
            th,
            ..InsightsBuilder::default()
        }
    }
    /// The next stage over `t`, or the next part of it; true once every
    /// one is done.
    pub fn step(&mut self, ds: &Dataset, t: &Trace) -> bool {
        let mut keys = std::mem::take(&mut self.keys);
        let done = self.step_with(ds, t, &mut keys);
        self.keys = keys;
        done
    }
    fn step_with(&mut self, ds: &Dataset, t: &Trace, keys: &mut CacheKeys) -> bool {
        let part = self.at..self.at.saturating_add(SPAN_PART).min(t.len());
        // A stage over every span stays at this one while spans are left.
        let more = part.end < t.len();
        let th = self.th;
        let found = match self.stage {
            0 => {
                self.calls.add(ds, t, part.clone());
                if more {
                    self.at = part.end;
                    return false;
                }
                Vec::new()
            }
            1 => repeated_calls(ds, t, &self.calls, th),
            2 => {
                // A call already in an N+1 or a retry is said there, not again.
                let mut said = vec![false; t.len()];
                for i in &self.out {
                    for &s in &i.spans {
                        said[s as usize] = true;
                    }
                }
                serial_calls(ds, t, &self.calls, &said, th)
            }
            3 => duplicate_calls(ds, t, &self.calls),
            4 => {
                self.cache.add(ds, t, part.clone(), keys);
                if more {
                    self.at = part.end;
                    return false;
                }
                std::mem::take(&mut self.cache).insights(ds)
            }
            _ => {
                self.skew.add(ds, t, part.clone());
                if more {
                    self.at = part.end;
                    return false;
                }
                std::mem::take(&mut self.skew).insights(ds)
            }
        };
        self.out.extend(found);
        self.at = 0;
        self.stage += 1;
        self.stage > 5
    }
    /// The insights, the most time at stake first.
    pub fn finish(mut self) -> Vec<Insight> {
        crate::order::sort_by(&mut self.out, |a, b| {
            b.saving_ns.cmp(&a.saving_ns).then(a.spans.cmp(&b.spans))
        });
        self.out
    }
}

/// Siblings of one kind (parent, service, operation, target) called again
/// after a failure (a retry) or many times (N+1).
fn repeated_calls(ds: &Dataset, t: &Trace, calls: &Calls, th: Thresholds) -> Vec<Insight> {
    let mut out = Vec::new();
    for g in calls.grouped(t, |c| Some((c.parent, c.kind))) {
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
                subject: format!("{} under {}", op_name(ds, t, first), op_name(ds, t, parent)),
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
                subject: format!("{} calls {}", op_name(ds, t, parent), op_name(ds, t, first)),
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
    out
}

/// How much a call may seem to start before the one before it ended and
/// still follow it: timestamps are rounded to microseconds, and start and
/// end come from different clocks in some SDKs. The slack is this, or 2 %
/// of the shorter call when that is more; and for a call whose start is a
/// whole millisecond, up to a millisecond (at most half the shorter call):
/// the OpenTelemetry JS SDK starts each span at `Date.now()`, a whole
/// millisecond up to 1 ms early, and times its end from a finer clock.
const SERIAL_SLACK_NS: i64 = 1_000;
const MS: i64 = 1_000_000;

/// Runs of sibling calls, each starting once the one before it ended, not
/// all of one kind.
fn serial_calls(
    ds: &Dataset,
    t: &Trace,
    calls: &Calls,
    said: &[bool],
    th: Thresholds,
) -> Vec<Insight> {
    let mut by_parent: FxHashMap<u32, Vec<Call>> = FxHashMap::default();
    for c in calls.list.iter().filter(|c| !said[c.span as usize]) {
        by_parent.entry(c.parent).or_default().push(*c);
    }
    let mut out = Vec::new();
    let report = |run: &[Call], out: &mut Vec<Insight>| {
        if run.len() < th.serial.max(2) || run.iter().all(|c| c.kind == run[0].kind) {
            return;
        }
        let durations = run.iter().map(|c| t.duration_ns[c.span as usize]);
        let sum: i64 = durations.clone().sum();
        let longest = durations.max().unwrap_or(0);
        let parent = run[0].parent as usize;
        out.push(Insight {
            kind: InsightKind::SerialCalls,
            spans: run.iter().map(|c| c.span).collect(),
            count: run.len(),
            saving_ns: sum - longest,
            subject: format!("calls under {}", op_name(ds, t, parent)),
            message: format!(
                "Serial calls: {} calls under {} ran one after another ({}); at once, if they do not depend on each other, {} less",
                run.len(),
                op_name(ds, t, parent),
                format_duration(sum as f64),
                format_duration((sum - longest) as f64),
            ),
        });
    };
    let mut parents: Vec<u32> = by_parent.keys().copied().collect();
    parents.sort_unstable();
    for p in parents {
        let mut siblings = by_parent.remove(&p).unwrap_or_default();
        crate::order::sort_by_key(&mut siblings, |c| (t.start_ns[c.span as usize], c.span));
        let mut run: Vec<Call> = Vec::new();
        for c in siblings {
            let starts_after = run.last().is_some_and(|prev| {
                let (p, n) = (prev.span as usize, c.span as usize);
                let shorter = t.duration_ns[p].min(t.duration_ns[n]);
                let whole_ms = if t.start_ns[n] % MS == 0 {
                    MS.min(shorter / 2)
                } else {
                    0
                };
                let slack = (shorter / 50).max(SERIAL_SLACK_NS).max(whole_ms);
                t.start_ns[n] >= t.end_ns(p) - slack
            });
            if !starts_after {
                report(&run, &mut out);
                run.clear();
            }
            run.push(c);
        }
        report(&run, &mut out);
    }
    out
}

/// The same call, arguments and all, answered more than once.
fn duplicate_calls(ds: &Dataset, t: &Trace, calls: &Calls) -> Vec<Insight> {
    calls
        .grouped(t, |c| {
            let ok = t.status[c.span as usize] != StatusCode::Error;
            ok.then_some((c.kind.0, c.kind.1, c.exact?))
        })
        .into_iter()
        .map(|g| {
            let first = g[0] as usize;
            let durations = g.iter().map(|&s| t.duration_ns[s as usize]);
            let sum: i64 = durations.clone().sum();
            let longest = durations.max().unwrap_or(0);
            // What was asked, shortened: the group's key, so every call has it.
            let asked = calls
                .list
                .iter()
                .find(|c| c.span == g[0])
                .and_then(|c| c.exact)
                .map_or("", |v| ds.str(v));
            let short: String = asked.chars().take(60).collect();
            let ellipsis = if short.len() < asked.len() { "…" } else { "" };
            Insight {
                kind: InsightKind::DuplicateCalls,
                count: g.len(),
                saving_ns: sum - longest,
                subject: format!("{} {short}{ellipsis}", op_name(ds, t, first)),
                message: format!(
                    "Duplicate calls: {} {short}{ellipsis} made {}× with the same arguments; {} spent on the repeats",
                    op_name(ds, t, first),
                    g.len(),
                    format_duration((sum - longest) as f64),
                ),
                spans: g,
            }
        })
        .collect()
}

/// `db.system`s that are caches.
const CACHE_SYSTEMS: &[&str] = &["redis", "memcached", "valkey"];
/// Siblings after a cache read looked at for the database read of a miss.
const CACHE_FOLLOW_LOOK: usize = 8;
/// Cache commands that read (the first word of the statement or operation).
const CACHE_READS: &[&str] = &["get", "gets", "mget", "getex", "hget", "hmget", "hgetall"];

/// What each attribute key is to the cache detector, looked at once per
/// key (a million spans hold a few keys millions of times); grown to the
/// string table when a key is first asked about.
#[derive(Clone, Debug, Default)]
struct CacheKeys(Vec<u8>);

const UNSEEN: u8 = 0;
const OTHER: u8 = 1;
const HIT: u8 = 2;
const SYSTEM: u8 = 3;
const STATEMENT: u8 = 4;

impl CacheKeys {
    fn role(&mut self, ds: &Dataset, key: StrId) -> u8 {
        let at = key.0 as usize;
        if at >= self.0.len() {
            self.0.resize(ds.strings.len().max(at + 1), UNSEEN);
        }
        let role = &mut self.0[at];
        if *role == UNSEEN {
            *role = match ds.str(key) {
                "cache.hit" | "cache_hit" => HIT,
                k if k.ends_with(".cache.hit") => HIT,
                "db.system" => SYSTEM,
                "db.statement" | "db.query.text" => STATEMENT,
                _ => OTHER,
            };
        }
        *role
    }

    /// What the attributes of span `s` say: whether it read a cache and
    /// hit (`Some(Some(hit))`), read one with no word of the outcome
    /// (`Some(None)`), or is no cache read (None).
    fn read(&mut self, ds: &Dataset, t: &Trace, s: usize) -> Option<Option<bool>> {
        let (mut system, mut statement) = (None, None);
        for a in ds.attrs(t.attrs[s]) {
            match (self.role(ds, a.key), a.value) {
                (HIT, v) => match ds.value_text(v).to_ascii_lowercase().as_str() {
                    "true" | "hit" => return Some(Some(true)),
                    "false" | "miss" => return Some(Some(false)),
                    _ => {}
                },
                (SYSTEM, AttrValue::Str(v)) => system = Some(ds.str(v)),
                (STATEMENT, AttrValue::Str(v)) => statement = Some(ds.str(v)),
                _ => {}
            }
        }
        if !system.is_some_and(|s| CACHE_SYSTEMS.contains(&s)) {
            return None;
        }
        let command = statement.unwrap_or(ds.str(t.name[s]));
        let command = command.split_whitespace().next().unwrap_or("");
        CACHE_READS
            .iter()
            .any(|r| command.eq_ignore_ascii_case(r))
            .then_some(None)
    }

    /// Whether span `d` reads a database that is not a cache.
    fn database_read(&mut self, ds: &Dataset, t: &Trace, d: usize) -> bool {
        ds.attrs(t.attrs[d]).iter().any(|a| {
            self.role(ds, a.key) == SYSTEM
                && matches!(a.value, AttrValue::Str(v) if !CACHE_SYSTEMS.contains(&ds.str(v)))
        })
    }
}

/// Whether spans `c` and `d` carry an attribute of the same name and value
/// that names what they look up (not the database, peer or kind).
fn same_key(ds: &Dataset, t: &Trace, c: usize, d: usize) -> bool {
    let about_the_call = |k: &str| {
        ["db.", "net.", "peer.", "server.", "network."]
            .iter()
            .any(|p| k.starts_with(p))
            || k == "span.kind"
            || k == "error"
    };
    let theirs = ds.attrs(t.attrs[d]);
    ds.attrs(t.attrs[c]).iter().any(|a| {
        !about_the_call(ds.str(a.key))
            && theirs
                .iter()
                .any(|b| b.key == a.key && ds.value_text(b.value) == ds.value_text(a.value))
    })
}

/// Cache reads by (service, operation): hits and misses, where the trace
/// says them, and the database reads that followed a miss.
#[derive(Default)]
struct CacheReads(FxHashMap<(StrId, StrId), Reads>);

#[derive(Default)]
struct Reads {
    reads: usize,
    hits: Vec<u32>,
    misses: Vec<u32>,
    /// Database reads right after a miss, and their time.
    fetched: Vec<u32>,
    fetched_ns: i64,
}

impl CacheReads {
    /// Adds the cache reads among spans `spans` of `t`.
    fn add(&mut self, ds: &Dataset, t: &Trace, spans: Range<usize>, keys: &mut CacheKeys) {
        for s in spans {
            let Some(said) = keys.read(ds, t, s) else {
                continue;
            };
            let op = self.0.entry((t.service[s], t.name[s])).or_default();
            op.reads += 1;
            // The first database read among the few siblings that start once
            // the cache read is over (children are in order of start; a bounded
            // look keeps a parent of a million reads linear).
            let siblings = t
                .tree
                .parent_of(s)
                .map_or(&[][..], |p| t.tree.children_of(p));
            let after = siblings.partition_point(|&d| t.start_ns[d as usize] < t.end_ns(s));
            let then = siblings[after..]
                .iter()
                .take(CACHE_FOLLOW_LOOK)
                .map(|&d| d as usize)
                .find(|&d| d != s && keys.database_read(ds, t, d))
                .filter(|&d| same_key(ds, t, s, d));
            match (said, then) {
                (Some(true), _) => op.hits.push(s as u32),
                (Some(false), None) => op.misses.push(s as u32),
                (_, Some(d)) => {
                    op.misses.push(s as u32);
                    op.fetched.push(d as u32);
                    op.fetched_ns += t.duration_ns[d];
                }
                (None, None) => {}
            }
        }
    }

    fn insights(self, ds: &Dataset) -> Vec<Insight> {
        let mut out: Vec<Insight> = self
            .0
            .into_iter()
            .filter(|(_, r)| !r.hits.is_empty() || !r.misses.is_empty())
            .map(|((service, name), r)| {
                let (hits, misses) = (r.hits.len(), r.misses.len());
                let after = if r.fetched.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} followed by a database read of the same key ({})",
                        r.fetched.len(),
                        format_duration(r.fetched_ns as f64)
                    )
                };
                // The cache reads first: the finding is named by its first span.
                let spans = [r.hits, r.misses, r.fetched].concat();
                Insight {
                    kind: InsightKind::Cache,
                    count: r.reads,
                    saving_ns: r.fetched_ns,
                    subject: format!("{} {}", ds.str(service), ds.str(name)),
                    message: format!(
                        "Cache: {} {}: {} reads, {hits} hits and {misses} misses where the trace says ({:.0}% hits){after}",
                        ds.str(service),
                        ds.str(name),
                        r.reads,
                        100.0 * hits as f64 / (hits + misses) as f64,
                    ),
                    spans,
                }
            })
            .collect();
        crate::order::sort_by(&mut out, |a, b| a.spans.cmp(&b.spans));
        out
    }
}

/// Spans outside their parents, by (parent's service, child's service),
/// with the most each is off by.
#[derive(Default)]
struct SkewGroups(FxHashMap<(StrId, StrId), (Vec<u32>, i64)>);

impl SkewGroups {
    /// Adds the spans among `spans` of `t` outside their parents.
    fn add(&mut self, ds: &Dataset, t: &Trace, spans: Range<usize>) {
        for s in spans {
            let Some(p) = t.tree.parent_of(s) else {
                continue;
            };
            let Some(off) = clock::outside(
                (t.start_ns[p], t.duration_ns[p]),
                (t.start_ns[s], t.duration_ns[s]),
                clock::waited_for(t, p, s),
            ) else {
                continue;
            };
            if !clock::differ(ds, t, p, s) {
                continue;
            }
            let g = self.0.entry((t.service[p], t.service[s])).or_default();
            g.0.push(s as u32);
            g.1 = g.1.max(off);
        }
    }

    fn insights(self, ds: &Dataset) -> Vec<Insight> {
        let mut out: Vec<Insight> = self
            .0
            .into_iter()
            .map(|((parent, child), (spans, most))| Insight {
                kind: InsightKind::ClockSkew,
                count: spans.len(),
                saving_ns: 0,
                subject: format!("{} under {}", ds.str(child), ds.str(parent)),
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
        crate::order::sort_by(&mut out, |a, b| a.spans.cmp(&b.spans));
        out
    }
}

/// One finding over many traces: the traces of the scope it is found in,
/// its calls and the time at stake in all of them.
#[derive(Clone, Debug, PartialEq)]
pub struct Across {
    pub kind: InsightKind,
    pub subject: String,
    /// Indices (into the traces looked at) of the traces with it, in order.
    pub traces: Vec<u32>,
    pub count: usize,
    pub saving_ns: i64,
}

impl Across {
    /// "N+1 calls: cart GetCart calls redis GET 36× in 12 of 12 traces;
    /// 12ms at stake a trace".
    pub fn message(&self, of: usize) -> String {
        let k = self.traces.len().max(1);
        format!(
            "{}: {} {}× in {} of {of} traces; {} at stake a trace",
            self.kind.label(),
            self.subject,
            (self.count as f64 / k as f64).round(),
            self.traces.len(),
            format_duration(self.saving_ns as f64 / k as f64),
        )
    }
}

/// The insights of every trace, grouped by what they are about: the most
/// time at stake in all first. At once, or a few traces a step
/// ([`AcrossBuilder`]).
pub fn across(ds: &Dataset, traces: &[Box<Trace>], th: Thresholds) -> Vec<Across> {
    let mut b = AcrossBuilder::new(th);
    b.step(ds, traces, usize::MAX);
    b.finish()
}

/// [`across`] a step at a time: whole traces until `budget` spans are
/// looked at in a step (a larger trace takes a step of its own).
#[derive(Clone, Debug)]
pub struct AcrossBuilder {
    th: Thresholds,
    next: usize,
    /// Every trace's findings, grouped when finished (a sort: no map).
    found: Vec<Across>,
    keys: CacheKeys,
}

impl AcrossBuilder {
    pub fn new(th: Thresholds) -> AcrossBuilder {
        AcrossBuilder {
            th,
            next: 0,
            found: Vec::new(),
            keys: CacheKeys::default(),
        }
    }

    /// True once every trace is looked at.
    pub fn step(&mut self, ds: &Dataset, traces: &[Box<Trace>], budget: usize) -> bool {
        let mut spent = 0usize;
        while let Some(t) = traces.get(self.next).filter(|_| spent < budget) {
            self.found.extend(
                detect(ds, t, self.th, &mut self.keys)
                    .into_iter()
                    .map(|i| Across {
                        kind: i.kind,
                        subject: i.subject,
                        traces: vec![self.next as u32],
                        count: i.count,
                        saving_ns: i.saving_ns,
                    }),
            );
            spent += t.len().max(1);
            self.next += 1;
        }
        self.next >= traces.len()
    }

    /// The findings grouped by kind and subject, the most time at stake
    /// first (then the most traces).
    pub fn finish(self) -> Vec<Across> {
        let mut all = self.found;
        // By what they are about, each group in trace order.
        crate::order::sort_by(&mut all, |a, b| {
            (a.kind, &a.subject, &a.traces).cmp(&(b.kind, &b.subject, &b.traces))
        });
        let mut out: Vec<Across> = Vec::new();
        for a in all {
            match out.last_mut() {
                Some(g) if g.kind == a.kind && g.subject == a.subject => {
                    if g.traces.last() != a.traces.last() {
                        g.traces.extend(a.traces);
                    }
                    g.count += a.count;
                    g.saving_ns = g.saving_ns.saturating_add(a.saving_ns);
                }
                _ => out.push(a),
            }
        }
        crate::order::sort_by(&mut out, |a, b| {
            b.saving_ns
                .cmp(&a.saving_ns)
                .then(b.traces.len().cmp(&a.traces.len()))
                .then(a.subject.cmp(&b.subject))
        });
        out
    }
}
