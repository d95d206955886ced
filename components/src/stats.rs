//! The statistics view: one row per (service, operation) — or per service,
//! per operation, per value of an attribute — with count, errors, exact
//! nearest-rank percentiles and self time; sortable, filterable. The
//! selected row's latency histogram (p50/p95/p99 marked) and percentile
//! curve are drawn on a canvas, placed by `core::layout::chart`.

use crate::canvas::{build_in_parts, observe_size, prepare, CanvasText};
use crate::chart::paint_chart;
use crate::context::{view_context, ViewContext};
use crate::theme::theme;
use leptos::prelude::*;
use tracescope_core::analysis::stats::{
    AttributeKeys, GroupBy, KeysBuilder, OpStats, StatsBuilder,
};
use tracescope_core::case::lower;
use tracescope_core::layout::chart::latency_charts;
use tracescope_core::layout::time::format_duration;
use tracescope_core::Dataset;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Service,
    Operation,
    Count,
    Errors,
    ErrorPct,
    Min,
    P50,
    P90,
    P95,
    P99,
    Max,
    Total,
    AvgSelf,
}

const COLUMNS: &[(Column, &str)] = &[
    (Column::Service, "service"),
    (Column::Operation, "operation"),
    (Column::Count, "count"),
    (Column::Errors, "errors"),
    (Column::ErrorPct, "error %"),
    (Column::Min, "min"),
    (Column::P50, "p50"),
    (Column::P90, "p90"),
    (Column::P95, "p95"),
    (Column::P99, "p99"),
    (Column::Max, "max"),
    (Column::Total, "total"),
    (Column::AvgSelf, "avg self"),
];

/// A row's number in a column (None for the text columns).
fn number(s: &OpStats, col: Column) -> Option<f64> {
    Some(match col {
        Column::Count => s.count as f64,
        Column::Errors => s.errors as f64,
        Column::ErrorPct => s.error_pct,
        Column::Min => s.min_ns as f64,
        Column::P50 => s.p50_ns as f64,
        Column::P90 => s.p90_ns as f64,
        Column::P95 => s.p95_ns as f64,
        Column::P99 => s.p99_ns as f64,
        Column::Max => s.max_ns as f64,
        Column::Total => s.total_ns as f64,
        Column::AvgSelf => s.avg_self_ns as f64,
        Column::Service | Column::Operation => return None,
    })
}

/// The order of two rows on a column (descending reverses it).
fn compare(a: &OpStats, b: &OpStats, col: Column, descending: bool) -> std::cmp::Ordering {
    let o = match col {
        Column::Service => a
            .service
            .cmp(&b.service)
            .then(a.operation.cmp(&b.operation)),
        Column::Operation => a
            .operation
            .cmp(&b.operation)
            .then(a.service.cmp(&b.service)),
        _ => number(a, col)
            .unwrap_or(0.0)
            .total_cmp(&number(b, col).unwrap_or(0.0)),
    };
    if descending {
        o.reverse()
    } else {
        o
    }
}

/// Sorts rows on a column; text ascending first, numbers largest first.
pub fn sort_rows(rows: &mut [OpStats], col: Column, descending: bool) {
    tracescope_core::order::sort_by(rows, |a, b| compare(a, b, col, descending));
}

/// The indices of the rows whose service or operation contains `needle`
/// (lower case), in the order of `col`: the table sorts indices, not rows
/// (tens of thousands of operations, each with its durations).
pub fn row_order(rows: &[OpStats], needle: &str, col: Column, descending: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            let r = &rows[i];
            needle.is_empty()
                || lower(&r.service).contains(needle)
                || lower(&r.operation).contains(needle)
        })
        .collect();
    tracescope_core::order::sort_by(&mut order, |&a, &b| {
        compare(&rows[a], &rows[b], col, descending)
    });
    order
}

fn group_value(g: &GroupBy) -> String {
    match g {
        GroupBy::ServiceOperation => "op".into(),
        GroupBy::Service => "service".into(),
        GroupBy::Operation => "operation".into(),
        GroupBy::Attribute(k) => format!("attr:{k}"),
    }
}

fn parse_group(v: &str) -> GroupBy {
    match v {
        "service" => GroupBy::Service,
        "operation" => GroupBy::Operation,
        v => v
            .strip_prefix("attr:")
            .map_or(GroupBy::ServiceOperation, |k| {
                GroupBy::Attribute(k.to_string())
            }),
    }
}

/// Table rows drawn at most (the rest are a sort or a filter away): a
/// sort rebuilds and lays them out in one task (200 took 60–80 ms).
pub const MAX_ROWS: usize = 100;
/// Spans grouped (or durations sorted) per task: under 10 ms in a page.
const STATS_PART: usize = 100_000;

/// Spans whose attribute keys are listed in a task.
const KEYS_PART: usize = 250_000;

/// The attribute keys of the open trace (or of all loaded), listed a part
/// per task from the next one on: over a million spans it takes tens of
/// milliseconds, which the first paint of a view need not wait for.
pub fn attribute_keys_later(
    dataset: RwSignal<Dataset>,
    trace: Signal<Option<usize>>,
    all_traces: Signal<bool>,
) -> RwSignal<AttributeKeys> {
    let keys = RwSignal::new(AttributeKeys::default());
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (all, open) = (all_traces.get(), trace.get());
        dataset.track();
        build_in_parts(
            job,
            dataset,
            KeysBuilder::default(),
            move |b, ds| b.step(ds, ds.scope(open, all), KEYS_PART),
            move |b, ds| {
                keys.try_set(b.finish(ds));
            },
        );
    });
    keys
}

/// Keys as the options of a list, each with the value, text and whether
/// it is selected that `option` gives it; when some keys were not listed,
/// a last option, disabled, says how many (and that they are those
/// carried by fewer spans, not cut off blind).
pub fn key_options(
    listed: &[String],
    left_out: usize,
    option: &dyn Fn(&str) -> (String, String, bool),
) -> impl IntoView {
    let notice = (left_out > 0).then(|| {
        let text = format!("… {left_out} more keys, carried by fewer spans, not listed");
        (String::new(), text, false, true)
    });
    (listed.iter())
        .map(|k| {
            let (value, text, selected) = option(k);
            (value, text, selected, false)
        })
        .chain(notice)
        .map(|(value, text, selected, notice)| {
            view! {
                <option value=value prop:selected=selected disabled=notice
                    data-testid=notice.then_some("keys-left-out")>{text}</option>
            }
        })
        .collect_view()
}

#[component]
pub fn StatsView() -> impl IntoView {
    let ViewContext {
        dataset,
        trace,
        all_traces,
        service_filter,
        selected,
        selected_op,
        dark,
        ..
    } = view_context();
    let group = RwSignal::new(GroupBy::ServiceOperation);
    let filter = RwSignal::new(String::new());
    let sort = RwSignal::new((Column::P99, true));
    // The chosen row by its two key columns.
    let chosen = RwSignal::new(None::<(String, String)>);
    let chart_ref = NodeRef::<leptos::html::Canvas>::new();
    let chart_wrap = NodeRef::<leptos::html::Div>::new();
    let chart_size = RwSignal::new((800.0f64, 260.0f64));
    observe_size(chart_wrap, chart_size);

    let keys = attribute_keys_later(dataset, trace, all_traces);
    // Made a part per task (a million spans take ~100 ms at once); the
    // rows shown, with the grouping they were made by, stay until the new
    // ones are whole.
    let stats = RwSignal::new((GroupBy::ServiceOperation, Vec::<OpStats>::new()));
    let computing = RwSignal::new(true);
    let stats_job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (all, open, by, only) = (
            all_traces.get(),
            trace.get(),
            group.get(),
            service_filter.get(),
        );
        dataset.track();
        computing.set(true);
        build_in_parts(
            stats_job,
            dataset,
            StatsBuilder::new(by.clone(), only),
            move |b, ds| b.step(ds, ds.scope(open, all), STATS_PART),
            move |b, ds| {
                stats.set((by, b.finish(ds)));
                computing.set(false);
            },
        );
    });
    // Indices into `stats`, filtered and in the chosen order.
    let rows = Memo::new(move |_| {
        let needle = lower(filter.get().trim());
        let (col, desc) = sort.get();
        stats.with(|(_, s)| row_order(s, &needle, col, desc))
    });
    // A span or operation selected elsewhere picks its row.
    Effect::new(move |_| {
        let Some((svc, name)) = selected_op.get() else {
            return;
        };
        if group.get() != GroupBy::ServiceOperation {
            return;
        }
        let key = dataset.with_untracked(|ds| (ds.str(svc).to_string(), ds.str(name).to_string()));
        chosen.set(Some(key));
    });
    let choose = move |service: String, operation: String| {
        chosen.set(Some((service.clone(), operation.clone())));
        if group.get_untracked() != GroupBy::ServiceOperation {
            return;
        }
        let found = dataset.with_untracked(|ds| {
            let (svc, name) = (ds.strings.lookup(&service)?, ds.strings.lookup(&operation)?);
            // The slowest span of this operation in the open trace.
            let span = trace
                .get_untracked()
                .and_then(|i| ds.trace(i))
                .and_then(|t| {
                    (0..t.len())
                        .filter(|&s| t.service[s] == svc && t.name[s] == name)
                        .max_by_key(|&s| (t.duration_ns[s], std::cmp::Reverse(s)))
                        .map(|s| s as u32)
                });
            Some((svc, name, span))
        });
        if let Some((svc, name, span)) = found {
            selected_op.set(Some((svc, name)));
            selected.set(span);
        }
    };
    let chosen_row = Memo::new(move |_| {
        let key = chosen.get()?;
        stats.with(|(_, s)| {
            s.iter()
                .find(|r| (&r.service, &r.operation) == (&key.0, &key.1))
                .cloned()
        })
    });
    Effect::new(move |_| {
        let (w, h) = chart_size.get();
        let th = theme(dark.get());
        let Some(canvas) = chart_ref.get() else {
            return;
        };
        let Some(row) = chosen_row.get() else { return };
        if let Some(ctx) = prepare(&canvas, w, h) {
            let chart = latency_charts(&row, w, h, &CanvasText(&ctx));
            paint_chart(&ctx, &chart, th, w, h);
        }
    });

    let (key_label, value_label) = (
        move || {
            stats.with(|(by, _)| match by {
                GroupBy::Attribute(_) => "attribute",
                GroupBy::Operation => "",
                _ => "service",
            })
        },
        move || {
            stats.with(|(by, _)| match by {
                GroupBy::Attribute(_) => "value",
                GroupBy::Service => "",
                _ => "operation",
            })
        },
    );
    let header = move || {
        let (col, desc) = sort.get();
        COLUMNS
            .iter()
            .map(|&(c, name)| {
                let label = match c {
                    Column::Service => key_label().to_string(),
                    Column::Operation => value_label().to_string(),
                    _ => name.to_string(),
                };
                let aria = if c == col { if desc { "descending" } else { "ascending" } } else { "none" };
                let arrow = if c == col { if desc { " ▼" } else { " ▲" } } else { "" };
                let numeric = !matches!(c, Column::Service | Column::Operation);
                view! {
                    <th aria-sort=aria class:num=numeric>
                        <button
                            data-column=name
                            on:click=move |_| sort.update(|s| *s = if s.0 == c { (c, !s.1) } else { (c, numeric) })
                        >{label}{arrow}</button>
                    </th>
                }
            })
            .collect_view()
    };
    // The first rows in the chosen order, and the chosen row wherever it is:
    // a trace can have tens of thousands of operations (ids in span names),
    // and a table row each would block the page for seconds.
    let shown = move || {
        let key = chosen.get();
        stats.with(|(_, all)| {
            rows.with(|order| {
                let mut out: Vec<OpStats> = order
                    .iter()
                    .take(MAX_ROWS)
                    .map(|&i| all[i].clone())
                    .collect();
                if let Some(k) = &key {
                    let is_key = |r: &OpStats| (&k.0, &k.1) == (&r.service, &r.operation);
                    if !out.iter().any(is_key) {
                        out.extend(order.iter().map(|&i| &all[i]).find(|r| is_key(r)).cloned());
                    }
                }
                out
            })
        })
    };
    let body = move || {
        let key = chosen.get();
        shown()
            .into_iter()
            .map(|r| {
                let is_chosen = key.as_ref().is_some_and(|k| (&k.0, &k.1) == (&r.service, &r.operation));
                let (svc, op) = (r.service.clone(), r.operation.clone());
                let has_err = r.errors > 0;
                let d = |ns: i64| view! { <td class="num" data-ns=ns>{format_duration(ns as f64)}</td> };
                view! {
                    <tr
                        class:selected=is_chosen
                        data-service=r.service.clone()
                        data-operation=r.operation.clone()
                        data-p99-ns=r.p99_ns
                        on:click=move |_| choose(svc.clone(), op.clone())
                    >
                        <td>{r.service.clone()}</td>
                        <td>{r.operation.clone()}</td>
                        <td class="num">{r.count}</td>
                        <td class="num" class:error=has_err>{r.errors}</td>
                        <td class="num" class:error=has_err>{format!("{:.1}", r.error_pct)}</td>
                        {d(r.min_ns)}
                        {d(r.p50_ns)}
                        {d(r.p90_ns)}
                        {d(r.p95_ns)}
                        {d(r.p99_ns)}
                        {d(r.max_ns)}
                        {d(r.total_ns)}
                        {d(r.avg_self_ns)}
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <div class="stats-view">
            <div class="view-controls">
                <label>
                    "Group by "
                    <select
                        data-testid="stats-group"
                        prop:value=move || group_value(&group.get())
                        on:change=move |ev| group.set(parse_group(&event_target_value(&ev)))
                    >
                        <option value="op">"service + operation"</option>
                        <option value="service">"service"</option>
                        <option value="operation">"operation"</option>
                        <optgroup label="attribute">
                            {move || keys.with(|keys| key_options(&keys.listed, keys.left_out,
                                &|k| (format!("attr:{k}"), k.to_string(), false)))}
                        </optgroup>
                    </select>
                </label>
                <input
                    type="search"
                    class="search"
                    placeholder="Filter service or operation…"
                    data-testid="stats-filter"
                    prop:value=move || filter.get()
                    on:input=move |ev| filter.set(event_target_value(&ev))
                />
                <span class="muted">{move || format!("{} of {} rows{}", rows.with(|r| r.len()), stats.with(|(_, s)| s.len()), if computing.get() { " · computing…" } else { "" })}</span>
            </div>
            <div class="stats-table-wrap">
                <table class="stats-table" data-testid="stats-table" aria-busy=move || computing.get().to_string()>
                    <thead><tr>{header}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
                {move || {
                    let n = rows.with(Vec::len);
                    (n > MAX_ROWS).then(|| view! {
                        <p class="muted" data-testid="stats-more" data-rows=n>
                            {format!("The first {MAX_ROWS} of {n} rows in this order: sort, filter or group to see others.")}
                        </p>
                    })
                }}
            </div>
            <div class="stats-chart" node_ref=chart_wrap>
                <Show
                    when=move || chosen_row.with(|r| r.is_some())
                    fallback=|| view! { <p class="muted hint-center">"Select a row to see its latency histogram and percentile curve."</p> }
                >
                    <canvas
                        node_ref=chart_ref
                        data-testid="stats-histogram"
                        data-count=move || chosen_row.with(|r| r.as_ref().map_or(0, |r| r.count))
                        aria-label="Latency histogram with p50, p95 and p99 marked, and the percentile curve"
                        style="width:100%;height:100%;display:block"
                    ></canvas>
                </Show>
            </div>
        </div>
    }
}
