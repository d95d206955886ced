//! The Markdown summary of a trace for an incident ticket.

use crate::analysis::critical_path::critical_path;
use crate::analysis::insights::{insights, InsightKind, Thresholds};
use crate::analysis::self_time::self_times;
use crate::analysis::summary::summarize;
use crate::encode::redact::Redaction;
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
