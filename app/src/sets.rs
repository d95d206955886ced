//! Set against set (`seta=`, `setb=`): two groups of loaded traces — a
//! file's, those a find matches, the rest — compared per operation (span
//! counts, p50/p95/p99 and the change of each, sortable; a row's durations
//! as two histograms on shared bins) and per attribute value (the share of
//! each group's traces carrying it), with a Markdown summary for a ticket.

use leptos::prelude::*;
use std::sync::Arc;
use tracescope_components::canvas::{build_in_parts, observe_size, prepare, CanvasText};
use tracescope_components::chart::paint_chart;
use tracescope_components::theme::theme;
use tracescope_core::analysis::sets::{
    Comparison, OperationShift, SetsBuilder, TraceGroup, ValueShift,
};
use tracescope_core::encode::redact::Redaction;
use tracescope_core::layout::chart::{compared_histograms, Rect};
use tracescope_core::layout::text::percent;
use tracescope_core::layout::time::{format_duration, rfc3339};
use tracescope_core::model::StrId;
use tracescope_core::report::sets_markdown;
use tracescope_core::runs::Runs;
use tracescope_core::Dataset;

/// Attribute values listed: per key, and in all.
const VALUES_PER_KEY: usize = 3;
const VALUES: usize = 30;
/// Spans (or values) compared a task: over a million spans, the whole
/// comparison is hundreds of milliseconds.
const SETS_PART: usize = 50_000;

/// What the operations are ordered by (largest first).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    Change(u8),
    Spans(usize),
}

impl Order {
    fn key(self, o: &OperationShift) -> i64 {
        match self {
            Order::Change(p) => o.delta(p as f64).map_or(i64::MIN, i64::abs),
            Order::Spans(g) => o.count(g) as i64,
        }
    }
}

/// The operations' columns and what a click on each orders by.
const OPERATION_COLUMNS: [(&str, Option<Order>); 11] = [
    ("Service", None),
    ("Operation", None),
    ("Spans A", Some(Order::Spans(0))),
    ("Spans B", Some(Order::Spans(1))),
    ("p50 A", Some(Order::Change(50))),
    ("p50 B", Some(Order::Change(50))),
    ("p95 A", Some(Order::Change(95))),
    ("p95 B", Some(Order::Change(95))),
    ("p99 A", Some(Order::Change(99))),
    ("p99 B", Some(Order::Change(99))),
    ("Δ p95", Some(Order::Change(95))),
];
const VALUE_COLUMNS: [&str; 5] = ["Attribute", "Value", "Traces A", "Traces B", "B − A"];

/// Slower (or more common in B) red, faster green.
fn row_class(change: f64) -> &'static str {
    if change > 0.0 {
        "slower"
    } else if change < 0.0 {
        "faster"
    } else {
        ""
    }
}

/// A row's cells: the first `text` as text, the rest as numbers.
fn cells_view(cells: Vec<String>, text: usize) -> impl IntoView {
    cells
        .into_iter()
        .enumerate()
        .map(|(k, c)| view! { <td class:num={k >= text}>{c}</td> })
        .collect_view()
}

/// The groups a person can pick: each file loaded, a find, the rest.
fn choices(sources: &Runs<Arc<str>>) -> Vec<(String, String)> {
    files(sources)
        .into_iter()
        .map(|f| (TraceGroup::File(f.to_string()).text(), f.to_string()))
        .chain([
            ("find:".to_string(), "traces matching…".to_string()),
            (
                "time:,".to_string(),
                "traces started between… (UTC)".to_string(),
            ),
            ("rest".to_string(), "the rest".to_string()),
        ])
        .collect()
}

/// A `datetime-local` field's text read as UTC, in ns; None when empty
/// or not a time.
fn utc_input_ns(text: &str) -> Option<i64> {
    let ms = js_sys::Date::parse(&format!("{text}Z"));
    ms.is_finite().then_some((ms * 1e6) as i64)
}

/// Groups to start from: the ticked traces (their ids) against the rest,
/// else the first two files, else failing traces against the rest.
pub fn first_groups(sources: &Runs<Arc<str>>, ticked: Vec<String>) -> [TraceGroup; 2] {
    if !ticked.is_empty() {
        return [TraceGroup::Traces(ticked), TraceGroup::Rest];
    }
    match files(sources)[..] {
        [a, b, ..] => [
            TraceGroup::File(a.to_string()),
            TraceGroup::File(b.to_string()),
        ],
        _ => [TraceGroup::Matching("error=true".into()), TraceGroup::Rest],
    }
}

/// The files (sources) the traces came from, each once, in load order.
fn files(sources: &Runs<Arc<str>>) -> Vec<&Arc<str>> {
    let mut out: Vec<&Arc<str>> = Vec::new();
    for (_, s) in sources.ranges() {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// One group's picker: a file, a find (with its query) or the rest.
#[component]
fn GroupPicker(
    label: &'static str,
    side: usize,
    groups: RwSignal<Option<[TraceGroup; 2]>>,
    sources: Signal<Runs<Arc<str>>>,
) -> impl IntoView {
    let group = move || groups.with(|g| g.as_ref().map(|g| g[side].clone()));
    let set = move |g: TraceGroup| {
        groups.update(|gs| {
            if let Some(gs) = gs {
                gs[side] = g;
            }
        })
    };
    let kind = move || {
        group().map_or(String::new(), |g| match g {
            TraceGroup::Matching(_) => "find:".to_string(),
            TraceGroup::Window(..) => "time:,".to_string(),
            other => other.text(),
        })
    };
    let letter = label.to_ascii_lowercase();
    view! {
        <label class="set-picker">
            <b>{label}</b>
            <select data-testid=format!("set-{letter}-kind")
                prop:value=kind
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    let g = if v == "find:" {
                        TraceGroup::Matching(String::new())
                    } else {
                        TraceGroup::parse(&v).unwrap_or(TraceGroup::Rest)
                    };
                    set(g);
                }>
                {move || {
                    let mut c = choices(&sources.get());
                    // Traces chosen elsewhere (ticked, boxed) are a choice of their own.
                    if let Some(g @ TraceGroup::Traces(_)) = group() {
                        c.insert(0, (g.text(), g.describe()));
                    }
                    c
                }.into_iter().map(|(value, text)| {
                    let selected = value == kind();
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
            <input data-testid=format!("set-{letter}-query") placeholder="error=true, duration>500ms, service=pay…"
                hidden=move || !matches!(group(), Some(TraceGroup::Matching(_)))
                prop:value=move || match group() { Some(TraceGroup::Matching(q)) => q, _ => String::new() }
                on:change=move |ev| set(TraceGroup::Matching(event_target_value(&ev))) />
            {[(0, "from"), (1, "to")].map(|(end, name)| {
                let window = move || match group() { Some(TraceGroup::Window(a, b)) => Some([a, b]), _ => None };
                view! {
                    <input type="datetime-local" step="1" title=format!("Started {name} (UTC)")
                        data-testid=format!("set-{letter}-{name}")
                        hidden=move || window().is_none()
                        prop:value=move || window().and_then(|w| w[end]).map_or(String::new(), |ns| rfc3339(ns)[..19].to_string())
                        on:change=move |ev| {
                            let mut w = window().unwrap_or([None, None]);
                            w[end] = utc_input_ns(&event_target_value(&ev));
                            set(TraceGroup::Window(w[0], w[1]));
                        } />
                }
            })}
        </label>
    }
}

#[component]
pub fn SetsView(
    dataset: RwSignal<Dataset>,
    sources: Signal<Runs<Arc<str>>>,
    groups: RwSignal<Option<[TraceGroup; 2]>>,
    #[prop(into)] dark: Signal<bool>,
) -> impl IntoView {
    // The groups' traces and what differs between them, or why they cannot
    // be; made a part a task (the last result stays until then).
    let compared = RwSignal::new(None::<Result<Comparison, String>>);
    let computing = RwSignal::new(false);
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        dataset.track();
        let made = groups.get().map(|gs| {
            sources.with(|src| {
                dataset.with_untracked(|ds| {
                    SetsBuilder::new(ds, src, [&gs[0], &gs[1]], VALUES_PER_KEY, VALUES)
                })
            })
        });
        match made {
            Some(Ok(builder)) => {
                computing.set(true);
                build_in_parts(
                    job,
                    dataset,
                    builder,
                    |b, ds| b.step(ds, SETS_PART),
                    move |b, ds| {
                        compared.set(Some(b.finish(ds)));
                        computing.set(false);
                    },
                );
            }
            refused => {
                // Work under way for earlier groups is dropped.
                job.update_value(|j| *j += 1);
                computing.set(false);
                compared.set(refused.and_then(Result::err).map(Err));
            }
        }
    });
    let with_compared = move |f: &dyn Fn(&Comparison)| {
        compared.with(|c| {
            if let Some(Ok(c)) = c {
                f(c)
            }
        })
    };
    let order = RwSignal::new(Order::Change(95));
    // The operation whose durations are drawn; the first row when none is.
    let chosen = RwSignal::new(None::<(StrId, StrId)>);
    let rows = move |ops: &[OperationShift]| {
        let by = order.get();
        let mut idx: Vec<usize> = (0..ops.len()).collect();
        tracescope_core::order::sort_by_key(&mut idx, |&i| std::cmp::Reverse(by.key(&ops[i])));
        idx
    };
    let name = move |svc, op| {
        dataset.with_untracked(|ds| (ds.str(svc).to_string(), ds.str(op).to_string()))
    };
    let table = move || {
        compared.with(|c| {
            let Some(Ok(Comparison { ops, .. })) = c else {
                return Vec::new();
            };
            let d = |v: Option<i64>| v.map_or("—".to_string(), |v| format_duration(v as f64));
            rows(ops)
                .into_iter()
                .map(|i| {
                    let o = &ops[i];
                    let key = (o.service, o.operation);
                    let (service, operation) = name(o.service, o.operation);
                    let delta = o.delta(95.0);
                    let p = |g: usize, q: f64| o.percentile(g, q);
                    let mut cells = vec![
                        service.clone(),
                        operation.clone(),
                        o.count(0).to_string(),
                        o.count(1).to_string(),
                    ];
                    for q in [50.0, 95.0, 99.0] {
                        cells.extend([d(p(0, q)), d(p(1, q))]);
                    }
                    cells.push(delta.map_or("—".to_string(), |v| {
                        format!(
                            "{}{}",
                            if v < 0 { "−" } else { "+" },
                            format_duration(v.unsigned_abs() as f64)
                        )
                    }));
                    view! {
                        <tr data-service=service data-operation=operation
                            data-count-a=o.count(0) data-count-b=o.count(1)
                            data-p95-a=p(0, 95.0) data-p95-b=p(1, 95.0) data-delta-p95=delta
                            class=row_class(delta.unwrap_or(0) as f64)
                            class:chosen=move || chosen.get() == Some(key)
                            on:click=move |_| chosen.set(Some(key))>
                            {cells_view(cells, 2)}
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let values = move || {
        compared.with(|c| {
            let Some(Ok(Comparison { values, .. })) = c else {
                return Vec::new();
            };
            values
                .iter()
                .map(|v: &ValueShift| {
                    let (key, value) = dataset
                        .with_untracked(|ds| (ds.str(v.key).to_string(), ds.value_text(v.value)));
                    let cells = vec![
                        key.clone(),
                        value.clone(),
                        format!("{} ({})", percent(v.share[0]), v.traces[0]),
                        format!("{} ({})", percent(v.share[1]), v.traces[1]),
                        format!("{:+.0} points", v.difference() * 100.0),
                    ];
                    view! {
                        <tr data-key=key data-value=value
                            data-traces-a=v.traces[0] data-traces-b=v.traces[1]
                            class=row_class(v.difference())>
                            {cells_view(cells, 2)}
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let headers = move || {
        OPERATION_COLUMNS
            .iter()
            .map(|&(text, by)| {
                let sorted = move || by.is_some() && order.get() == by.unwrap_or(Order::Spans(0));
                view! {
                    <th class:num=by.is_some() class:sortable=by.is_some()
                        on:click=move |_| if let Some(by) = by { order.set(by) }>
                        {text}{move || if sorted() { " ▼" } else { "" }}
                    </th>
                }
            })
            .collect_view()
    };
    // The chosen operation's durations, A against B.
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let wrap = NodeRef::<leptos::html::Div>::new();
    let size = RwSignal::new((700.0, 240.0));
    observe_size(wrap, size);
    let drawn = RwSignal::new(None::<(String, String)>);
    Effect::new(move |_| {
        let (w, h) = size.get();
        let th = theme(dark.get());
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let key = chosen.get();
        with_compared(&|c| {
            let first = rows(&c.ops).first().map(|&i| &c.ops[i]);
            let o = key
                .and_then(|k| c.ops.iter().find(|o| (o.service, o.operation) == k))
                .or(first);
            let (Some(o), Some(ctx)) = (o, prepare(&canvas, w, h)) else {
                return;
            };
            let n = [c.members[0].len(), c.members[1].len()];
            let names = [
                format!("A · {} traces", n[0]),
                format!("B · {} traces", n[1]),
            ];
            let outer = Rect {
                x: 8.0,
                y: 6.0,
                w: w - 16.0,
                h: h - 12.0,
            };
            let (plot, marks) = compared_histograms(
                [&o.durations[0], &o.durations[1]],
                [&names[0], &names[1]],
                outer,
                &CanvasText(&ctx),
            );
            let chart = tracescope_core::layout::chart::Chart {
                plots: vec![plot],
                marks,
            };
            paint_chart(&ctx, &chart, th, w, h);
            drawn.set(Some(name(o.service, o.operation)));
        });
    });
    let markdown = move |_| {
        let Some(gs) = groups.get_untracked() else {
            return;
        };
        let link = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let text = compared.with_untracked(|c| {
            let Some(Ok(c)) = c else { return None };
            dataset.with_untracked(|ds| {
                Some(sets_markdown(
                    ds,
                    [&gs[0].describe(), &gs[1].describe()],
                    &c.members,
                    &c.ops,
                    &c.values,
                    &link,
                    &Redaction::defaults(),
                ))
            })
        });
        if let Some(text) = text {
            crate::share::download_text("sets.md", &text, "text/markdown");
        }
    };
    view! {
        <section class="compare sets" data-testid="sets-view">
            <div class="compare-bar">
                <h2>"Two sets of traces"</h2>
                <GroupPicker label="A" side=0 groups=groups sources=sources />
                <span class="muted">"against"</span>
                <GroupPicker label="B" side=1 groups=groups sources=sources />
                <span class="muted" data-testid="sets-sizes">{move || compared.with(|c| match c {
                    _ if computing.get() => "Comparing…".to_string(),
                    Some(Ok(c)) => format!("{} traces vs {}", c.members[0].len(), c.members[1].len()),
                    _ => String::new(),
                })}</span>
                <button class="button" data-testid="sets-markdown" disabled=move || !compared.with(|c| matches!(c, Some(Ok(_))))
                    title="What changed, as Markdown for a ticket, with the link that reopens this comparison"
                    on:click=markdown>"Markdown for a ticket"</button>
                <button class="button" data-testid="sets-close" on:click=move |_| groups.set(None)>"Close"</button>
            </div>
            {move || compared.with(|c| match c {
                Some(Err(e)) => Some(view! { <p class="error" data-testid="sets-error">{e.clone()}</p> }),
                _ => None,
            })}
            <div class="sets-body" hidden=move || !compared.with(|c| matches!(c, Some(Ok(_))))>
                <div class="diff">
                    <table class="diff-table" data-testid="sets-table">
                        <thead><tr>
                            {headers}
                        </tr></thead>
                        <tbody>{table}</tbody>
                    </table>
                </div>
                <div class="sets-lower">
                    <div class="stats-chart sets-chart" node_ref=wrap>
                        <canvas node_ref=canvas_ref data-testid="sets-histogram"
                            data-service=move || drawn.get().map(|d| d.0)
                            data-operation=move || drawn.get().map(|d| d.1)
                            aria-label="The chosen operation's durations in A and in B, each as shares of its group's spans, on shared bins, with each group's p95"></canvas>
                    </div>
                    <div class="diff sets-values">
                        <table class="diff-table" data-testid="sets-attributes">
                            <thead><tr>{VALUE_COLUMNS.iter().enumerate().map(|(k, &t)| view! { <th class:num={k >= 2}>{t}</th> }).collect_view()}</tr></thead>
                            <tbody>{values}</tbody>
                        </table>
                    </div>
                </div>
            </div>
        </section>
    }
}
