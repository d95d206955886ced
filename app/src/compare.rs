//! Two traces side by side (two traces ticked in the list or the search
//! results, or `compare=`): a waterfall each, on one palette and one time
//! scale, each with its own selection, folds and zoom; under them, what
//! changed: the spans aligned by their path of service:operation
//! (`core::analysis::diff`), the largest change in time first.

use leptos::prelude::*;
use tracescope_components::canvas::build_in_parts;
use tracescope_components::theme::service_slots;
use tracescope_components::{DiffTree, ViewContext, WaterfallCanvas};
use tracescope_core::analysis::diff::{AlignBuilder, DiffNode, DiffOrder};
use tracescope_core::analysis::summary::summarize;
use tracescope_core::encode::redact::Redaction;
use tracescope_core::layout::time::format_duration;
use tracescope_core::report::comparison_markdown;
use tracescope_core::Dataset;

#[component]
fn Side(
    dataset: RwSignal<Dataset>,
    trace: usize,
    slots: Memo<tracescope_components::theme::ServiceSlots>,
    /// The longer trace's duration: both sides on one time scale.
    longest_ns: Memo<f64>,
    #[prop(into)] dark: Signal<bool>,
) -> impl IntoView {
    let view = RwSignal::new(None::<(f64, f64)>);
    // This side's own trace, selection and folds, on the palette of both.
    provide_context(ViewContext {
        slots: slots.into(),
        dark,
        min_window_ns: longest_ns.into(),
        ..ViewContext::of_trace(dataset, trace)
    });
    let s = dataset.with_untracked(|ds| ds.trace(trace).map(|t| summarize(ds, t)));
    let id = s.as_ref().map(|s| s.trace_id.clone());
    view! {
        <div class="compare-side" data-testid="compare-side" data-trace-id=id>
            {s.map(|s| view! {
                <h3>
                    <b>{s.root_service}</b>" "<span class="muted">{s.root_name}</span>
                    " · "{format_duration(s.duration_ns as f64)}" · "{s.spans}" spans · "{s.errors}" errors"
                    " "<span class="mono muted">{s.trace_id}</span>
                </h3>
            })}
            <WaterfallCanvas view=view />
        </div>
    }
}

#[component]
pub fn CompareView(
    dataset: RwSignal<Dataset>,
    pair: (usize, usize),
    #[prop(into)] dark: Signal<bool>,
    on_close: Callback<()>,
) -> impl IntoView {
    let (a, b) = pair;
    // One palette over both traces: a service has one colour on both sides.
    let slots = Memo::new(move |_| {
        dataset.with(|ds| {
            let both: Vec<&tracescope_core::Trace> =
                [a, b].iter().filter_map(|&i| ds.trace(i)).collect();
            service_slots(ds, both)
        })
    });
    let longest_ns = Memo::new(move |_| {
        dataset.with(|ds| {
            [a, b]
                .iter()
                .filter_map(|&i| ds.trace(i))
                .map(|t| {
                    let (s, e) = t.time_window();
                    e - s
                })
                .fold(0.0, f64::max)
        })
    });
    // The merged tree, drawn above the table of the same nodes: made a
    // part a task (two traces of 200k spans took one of seconds).
    let merged = RwSignal::new(Vec::<DiffNode>::new());
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        dataset.track();
        build_in_parts(
            job,
            dataset,
            AlignBuilder::default(),
            move |builder, ds| match (ds.trace(a), ds.trace(b)) {
                (Some(ta), Some(tb)) => builder.step([ta, tb], ALIGN_PART),
                _ => true,
            },
            move |builder, ds| {
                if let (Some(ta), Some(tb)) = (ds.trace(a), ds.trace(b)) {
                    merged.set(builder.finish([ta, tb]));
                }
            },
        );
    });
    let tree_canvas = NodeRef::<leptos::html::Canvas>::new();
    let app_state = use_context::<crate::state::AppState>();
    view! {
        <section class="compare" data-testid="compare-view">
            <div class="compare-bar">
                <h2>"Side by side"</h2>
                <button class="button" data-testid="compare-markdown"
                    title="What changed, as Markdown for a ticket, with the link that reopens this comparison"
                    disabled=move || merged.with(Vec::is_empty)
                    on:click=move |_| {
                        let Some(state) = app_state else { return };
                        leptos::task::spawn_local(async move {
                            // The link that reopens it anywhere: both traces in it when they fit.
                            let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
                            let link = crate::copy_link::link_to_view(state).await.map_or(href, |(_, link)| link);
                            // The merged tree the page shows: not aligned again.
                            let text = dataset.with_untracked(|ds| {
                                let (ta, tb) = (ds.trace(a)?, ds.trace(b)?);
                                merged.with_untracked(|nodes| {
                                    Some(comparison_markdown(ds, [ta, tb], nodes, &link, &Redaction::defaults()))
                                })
                            });
                            if let Some(text) = text {
                                crate::share::download_text("comparison.md", &text, "text/markdown");
                            }
                        });
                    }>"Markdown for a ticket"</button>
                <button class="button" data-testid="compare-png"
                    title="The merged tree of what changed, as a picture for a ticket"
                    on:click=move |_| if let Some(c) = tree_canvas.get_untracked() { crate::share::download_canvas("comparison.png", &c) }
                >"PNG"</button>
                <button class="button" data-testid="compare-close" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            <div class="compare-sides">
                <Side dataset=dataset trace=a slots=slots longest_ns=longest_ns dark=dark />
                <Side dataset=dataset trace=b slots=slots longest_ns=longest_ns dark=dark />
            </div>
            // Every trace has a span, so no path yet is the alignment under way.
            {move || merged.with(Vec::is_empty).then(|| view! { <p class="muted" data-testid="compare-aligning">"Aligning…"</p> })}
            <DiffTree dataset=dataset nodes=merged canvas_ref=tree_canvas dark=dark />
            <DiffTable dataset=dataset nodes=merged />
        </section>
    }
}

/// Spans placed a task while two traces are aligned.
const ALIGN_PART: usize = 100_000;
/// Paths listed at most: the first in the order chosen.
const TABLE_ROWS: usize = 200;

/// The column the table is ordered by first: B − A.
const BY_CHANGE: usize = 8;

/// The table's columns and what a click on each orders by.
const DIFF_COLUMNS: [(&str, DiffOrder); 10] = [
    ("Service", DiffOrder::Tree),
    ("Operation", DiffOrder::Tree),
    ("Spans A", DiffOrder::Spans(0)),
    ("Spans B", DiffOrder::Spans(1)),
    ("Time A", DiffOrder::Total(0)),
    ("Time B", DiffOrder::Total(1)),
    ("Self A", DiffOrder::SelfTime(0)),
    ("Self B", DiffOrder::SelfTime(1)),
    ("B − A", DiffOrder::Change),
    ("Change", DiffOrder::Ratio),
];

/// What changed between A (left) and B (right), per path of
/// service:operation: spans, time and self time in each, and B − A; the
/// largest change first, or by the column clicked (the names: the tree's
/// order).
#[component]
fn DiffTable(dataset: RwSignal<Dataset>, nodes: RwSignal<Vec<DiffNode>>) -> impl IntoView {
    // The column clicked (an index into DIFF_COLUMNS).
    let order = RwSignal::new(BY_CHANGE);
    let rows = Memo::new(move |_| {
        let by = DIFF_COLUMNS[order.get()].1;
        nodes.with(|nodes| {
            dataset.with(|ds| {
                by.rows(nodes, TABLE_ROWS)
                    .into_iter()
                    .map(|i| {
                        let n = nodes[i].clone();
                        (
                            ds.str(n.service).to_string(),
                            ds.str(n.operation).to_string(),
                            n,
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let headers = DIFF_COLUMNS
        .iter()
        .enumerate()
        .map(|(k, &(text, _))| {
            view! {
                <th class:num={k >= 2} class="sortable"
                    on:click=move |_| order.set(k)>
                    {text}{move || if order.get() == k { " ▼" } else { "" }}
                </th>
            }
        })
        .collect_view();
    let pct = |n: &DiffNode| match n.delta_ratio() {
        Some(r) => format!("{:+.0}%", r * 100.0),
        None => "new".to_string(),
    };
    view! {
        <div class="diff">
            <table class="diff-table" data-testid="diff-table">
                <thead>
                    <tr>{headers}</tr>
                </thead>
                <tbody>
                    {move || rows.get().into_iter().map(|(service, operation, n)| {
                        let d = n.delta_ns();
                        let change = pct(&n);
                        let (service_key, operation_key) = (service.clone(), operation.clone());
                        view! {
                            <tr
                                class:slower={ d > 0 }
                                class:faster={ d < 0 }
                                data-service=service_key
                                data-operation=operation_key
                                data-count-a=n.count[0]
                                data-count-b=n.count[1]
                                data-self-a=n.self_ns[0]
                                data-self-b=n.self_ns[1]
                                data-delta-ns=d
                            >
                                <td><b>{service}</b></td>
                                <td style=format!("padding-left: {}px", 6 + 12 * n.depth)>{operation}</td>
                                <td class="num">{n.count[0]}</td>
                                <td class="num">{n.count[1]}</td>
                                <td class="num">{format_duration(n.total_ns[0] as f64)}</td>
                                <td class="num">{format_duration(n.total_ns[1] as f64)}</td>
                                <td class="num">{format_duration(n.self_ns[0] as f64)}</td>
                                <td class="num">{format_duration(n.self_ns[1] as f64)}</td>
                                <td class="num">{format!("{}{}", if d >= 0 { "+" } else { "−" }, format_duration(d.abs() as f64))}</td>
                                <td class="num">{change}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {move || nodes.with(|n| (n.len() > TABLE_ROWS).then(|| view! {
                <p class="muted" data-testid="diff-more">{format!("The first {TABLE_ROWS} of {} paths in this order.", n.len())}</p>
            }))}
        </div>
    }
}
