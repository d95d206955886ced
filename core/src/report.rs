//! The Markdown summary of a trace for an incident ticket.

use crate::analysis::critical_path::critical_path;
use crate::analysis::diff::{DiffNode, DiffOrder};
use crate::analysis::insights::{insights, InsightKind, Thresholds};
use crate::analysis::self_time::self_times;
use crate::analysis::sets::{OperationShift, ValueShift};
use crate::analysis::summary::summarize;
use crate::encode::redact::Redaction;
use crate::layout::text::percent;
use crate::layout::time::{format_duration, format_utc as utc};
use crate::model::{Dataset, StatusCode, Trace};

/// Text from a trace as a Markdown code span: inside one nothing becomes a
/// link, an image, HTML or emphasis, and no renderer autolinks a URL. A
/// backtick would end the span, so it is written as `'`; in a table cell a
/// `|` would end the cell, so it is escaped there (GFM reads `\|` inside
/// code spans of tables).
fn code(s: &str, in_table: bool) -> String {
    let s = s.replace('`', "'").replace(['\n', '\r'], " ");
    let s = if in_table { s.replace('|', "\\|") } else { s };
    if s.trim().is_empty() {
        return String::new();
    }
    format!("`{s}`")
}

/// The app's own link as a Markdown link destination: in angle brackets,
/// with what would end them percent-encoded.
fn destination(link: &str) -> String {
    let mut out = String::from("<");
    for c in link.chars() {
        match c {
            '<' => out += "%3C",
            '>' => out += "%3E",
            ' ' => out += "%20",
            '\\' => out += "%5C",
            '\n' | '\r' => {}
            c => out.push(c),
        }
    }
    out + ">"
}

/// Trace id, root, start (UTC), duration, services, error spans with their
/// messages, the five slowest spans by self time, the critical path, the
/// top five insights, the link; every text from the trace passes through
/// `r` first.
pub fn markdown(ds: &Dataset, t: &Trace, link: &str, r: &Redaction) -> String {
    let s = summarize(ds, t);
    let (b0, _) = t.bounds();
    let name_in = |i: usize, in_table: bool| {
        format!(
            "{}: {}",
            code(&r.text(ds.str(t.service[i])), in_table),
            code(&r.text(ds.str(t.name[i])), in_table)
        )
    };
    let name = |i: usize| name_in(i, false);
    let mut out = format!(
        "### Trace `{}`\n\n**{}: {}** · {} · {} · {} spans · {} services · {} errors\n\n",
        s.trace_id.replace('`', "'"),
        code(&r.text(&s.root_service), false),
        code(&r.text(&s.root_name), false),
        utc(s.start_ns),
        format_duration(s.duration_ns as f64),
        s.spans,
        s.services,
        s.errors
    );
    let errors: Vec<usize> = (0..t.len())
        .filter(|&i| t.status[i] == StatusCode::Error)
        .collect();
    if !errors.is_empty() {
        out += "**Error spans**\n\n";
        for &i in errors.iter().take(20) {
            let msg = ds.str(t.status_message[i]);
            out += &format!(
                "- {} ({}){}\n",
                name(i),
                format_duration(t.duration_ns[i] as f64),
                if msg.is_empty() {
                    String::new()
                } else {
                    format!(": {}", code(&r.text(msg), false))
                }
            );
        }
        if errors.len() > 20 {
            out += &format!("- … and {} more\n", errors.len() - 20);
        }
        out += "\n";
    }
    let st = self_times(t);
    let mut slow: Vec<usize> = (0..t.len()).collect();
    crate::order::sort_by(&mut slow, |&a, &b| st[b].cmp(&st[a]).then(a.cmp(&b)));
    out += "**Slowest spans by self time**\n\n| span | self | duration | starts at |\n|---|---:|---:|---:|\n";
    for &i in slow.iter().take(5) {
        out += &format!(
            "| {} | {} | {} | +{} |\n",
            name_in(i, true),
            format_duration(st[i] as f64),
            format_duration(t.duration_ns[i] as f64),
            format_duration((t.start_ns[i] - b0) as f64)
        );
    }
    let cp = critical_path(t);
    let mut on_path: Vec<usize> = (0..t.len()).filter(|&i| cp.contains(i)).collect();
    crate::order::sort_by(&mut on_path, |&a, &b| {
        cp.time_on_path[b].cmp(&cp.time_on_path[a]).then(a.cmp(&b))
    });
    out += "\n**Critical path** (time each span spent on it)\n\n";
    for &i in on_path.iter().take(10) {
        out += &format!(
            "- {}: {}\n",
            name(i),
            format_duration(cp.time_on_path[i] as f64)
        );
    }
    if on_path.len() > 10 {
        out += &format!("- … and {} more spans\n", on_path.len() - 10);
    }
    let found = insights(ds, t, Thresholds::default());
    if !found.is_empty() {
        out += "\n**Insights**\n\n";
        for i in found.iter().take(5) {
            let first = i.spans[0] as usize;
            let parent = t.tree.parent_of(first).unwrap_or(first);
            out += &match i.kind {
                InsightKind::NPlusOne => format!(
                    "- N+1: {} calls {} {}× ({} at stake)\n",
                    name(parent),
                    name(first),
                    i.count,
                    format_duration(i.saving_ns as f64)
                ),
                InsightKind::SerialCalls => format!(
                    "- Serial calls: {} calls under {} one after another ({} less at once, if independent)\n",
                    i.count,
                    name(parent),
                    format_duration(i.saving_ns as f64)
                ),
                InsightKind::DuplicateCalls => format!(
                    "- Duplicate calls: {} {}× with the same arguments ({} on the repeats)\n",
                    name(first),
                    i.count,
                    format_duration(i.saving_ns as f64)
                ),
                InsightKind::ClockSkew => format!(
                    "- Clock skew: {} span{} of {} outside {} parents (clocks disagree)\n",
                    i.count,
                    if i.count == 1 { "" } else { "s" },
                    code(&r.text(ds.str(t.service[first])), false),
                    code(&r.text(ds.str(t.service[parent])), false),
                ),
                InsightKind::Cache => format!(
                    "- Cache: {} read {}× ({} in database reads after misses)\n",
                    name(first),
                    i.count,
                    format_duration(i.saving_ns as f64)
                ),
                InsightKind::Retry => format!(
                    "- Retry: {} {}× under {}; {} failed ({} lost)\n",
                    name(first),
                    i.count,
                    name(parent),
                    i.spans
                        .iter()
                        .filter(|&&s| t.status[s as usize] == StatusCode::Error)
                        .count(),
                    format_duration(i.saving_ns as f64)
                ),
            };
        }
        if found.len() > 5 {
            out += &format!("- … and {} more\n", found.len() - 5);
        }
    }
    if !link.is_empty() {
        out += &format!("\n[Open in Tracescope]({})\n", destination(link));
    }
    out
}

/// Paths of a comparison listed in its Markdown, the largest change first.
pub const COMPARISON_ROWS: usize = 10;

/// Two traces compared, for a ticket: each trace in one line, the change
/// end to end, the paths of service:operation that changed most (spans and
/// time in A and B, B − A and the change in %), and the link that reopens
/// the comparison. Every text from the traces passes through `r`. `nodes`
/// is their merged tree, as `diff::align` makes it (the page has it made).
pub fn comparison_markdown(
    ds: &Dataset,
    [a, b]: [&Trace; 2],
    nodes: &[DiffNode],
    link: &str,
    r: &Redaction,
) -> String {
    let line = |label: &str, t: &Trace| {
        let s = summarize(ds, t);
        format!(
            "**{label}**: {}: {} · {} · {} · {} spans · {} errors · trace `{}`\n",
            code(&r.text(&s.root_service), false),
            code(&r.text(&s.root_name), false),
            format_duration(s.duration_ns as f64),
            utc(s.start_ns),
            s.spans,
            s.errors,
            s.trace_id.replace('`', "'"),
        )
    };
    let (da, db) = (summarize(ds, a).duration_ns, summarize(ds, b).duration_ns);
    let mut out = String::from("### Comparing two traces\n\n");
    out += &line("A", a);
    out += "\n";
    out += &line("B", b);
    out += &format!(
        "\nEnd to end: {} → {} ({}{}).\n",
        format_duration(da as f64),
        format_duration(db as f64),
        signed_duration(db - da),
        if da > 0 {
            format!(", {:+.0}%", 100.0 * (db - da) as f64 / da as f64)
        } else {
            String::new()
        },
    );
    out += "\n| Service | Operation | Spans A | Spans B | Time A | Time B | B − A | Change |\n|---|---|---:|---:|---:|---:|---:|---:|\n";
    for n in DiffOrder::Change
        .rows(nodes, COMPARISON_ROWS)
        .into_iter()
        .map(|i| &nodes[i])
    {
        out += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            code(&r.text(ds.str(n.service)), true),
            code(&r.text(ds.str(n.operation)), true),
            n.count[0],
            n.count[1],
            format_duration(n.total_ns[0] as f64),
            format_duration(n.total_ns[1] as f64),
            signed_duration(n.delta_ns()),
            n.delta_ratio()
                .map_or("new".to_string(), |x| format!("{:+.0}%", x * 100.0)),
        );
    }
    if nodes.len() > COMPARISON_ROWS {
        out += &format!("\n… and {} more paths\n", nodes.len() - COMPARISON_ROWS);
    }
    if !link.is_empty() {
        out += &format!(
            "\n[Open the comparison in Tracescope]({})\n",
            destination(link)
        );
    }
    out
}

/// Operations and attribute values in a comparison of sets, at most.
const SET_ROWS: usize = 10;

/// Two groups of traces compared for a ticket: what each holds, the
/// operation whose p95 changed most in a sentence ("p95 of `pay` `charge`
/// rose from 50ms to 500ms (+900%), 5 traces vs 5"), the operations with
/// their percentiles, the attribute values whose share differs most, and
/// the link; every text from the traces passes through `r` (a value whose
/// key it redacts is left out).
pub fn sets_markdown(
    ds: &Dataset,
    names: [&str; 2],
    groups: &[Vec<usize>; 2],
    ops: &[OperationShift],
    shifts: &[ValueShift],
    link: &str,
    r: &Redaction,
) -> String {
    let mut out = String::from("### Comparing two sets of traces\n\n");
    for (label, (name, g)) in ["A", "B"].iter().zip(names.iter().zip(groups)) {
        out += &format!(
            "**{label}**: {} · {} traces\n\n",
            code(&r.text(name), false),
            g.len()
        );
    }
    let name = |o: &OperationShift, in_table: bool| {
        (
            code(&r.text(ds.str(o.service)), in_table),
            code(&r.text(ds.str(o.operation)), in_table),
        )
    };
    if let Some(top) = ops.first() {
        if let (Some(a), Some(b)) = (top.percentile(0, 95.0), top.percentile(1, 95.0)) {
            let (svc, op) = name(top, false);
            let d = |v: i64| format_duration(v as f64);
            let change = if a == b {
                format!("stayed at {}", d(a))
            } else {
                let how = if b > a { "rose" } else { "fell" };
                let ratio = if a > 0 {
                    format!(" ({:+.0}%)", 100.0 * (b - a) as f64 / a as f64)
                } else {
                    String::new()
                };
                format!("{how} from {} to {}{ratio}", d(a), d(b))
            };
            out += &format!(
                "p95 of {svc} {op} {change}, {} traces vs {}.\n",
                groups[0].len(),
                groups[1].len(),
            );
        }
    }
    let p = |v: Option<i64>| v.map_or("—".to_string(), |v| format_duration(v as f64));
    out += "\n| Service | Operation | Spans A | Spans B | p50 A | p50 B | p95 A | p95 B | p99 A | p99 B | Δ p95 |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for o in ops.iter().take(SET_ROWS) {
        let (svc, op) = name(o, true);
        out += &format!(
            "| {svc} | {op} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            o.count(0),
            o.count(1),
            p(o.percentile(0, 50.0)),
            p(o.percentile(1, 50.0)),
            p(o.percentile(0, 95.0)),
            p(o.percentile(1, 95.0)),
            p(o.percentile(0, 99.0)),
            p(o.percentile(1, 99.0)),
            o.delta(95.0).map_or("—".to_string(), signed_duration),
        );
    }
    if ops.len() > SET_ROWS {
        out += &format!("\n… and {} more operations\n", ops.len() - SET_ROWS);
    }
    let kept: Vec<(String, String, &ValueShift)> = shifts
        .iter()
        .filter_map(|v| {
            let key = ds.str(v.key);
            let text = ds.value_text(v.value);
            let value = r.apply(key, &text)?.unwrap_or(text);
            Some((r.text(key).into_owned(), value, v))
        })
        .take(SET_ROWS)
        .collect();
    if !kept.is_empty() {
        out += "\n| Attribute | Value | Traces A | Traces B |\n|---|---|---:|---:|\n";
        for (key, value, v) in kept {
            out += &format!(
                "| {} | {} | {} ({}) | {} ({}) |\n",
                code(&key, true),
                code(&value, true),
                percent(v.share[0]),
                v.traces[0],
                percent(v.share[1]),
                v.traces[1],
            );
        }
    }
    if !link.is_empty() {
        out += &format!(
            "\n[Open the comparison in Tracescope]({})\n",
            destination(link)
        );
    }
    out
}

/// A duration with its sign: +40ms, -3ms, +0ns.
fn signed_duration(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "+" };
    format!("{sign}{}", format_duration(ns.unsigned_abs() as f64))
}
