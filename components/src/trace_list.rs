//! The list of loaded traces: root service and operation, start, duration,
//! spans, errors. Clicking a row opens that trace.

use crate::canvas::compute_later;
use crate::page_bar::{first_page_on_change, page_rows, PageBar, ROWS_PER_PAGE};
use leptos::prelude::*;
use tracescope_core::analysis::summary::{summarize, TraceSummary};
use tracescope_core::layout::time::format_duration;
use tracescope_core::layout::time::format_utc;
use tracescope_core::model::Dataset;

#[component]
pub fn TraceList(
    dataset: RwSignal<Dataset>,
    /// Index of the open trace.
    open: RwSignal<Option<usize>>,
    /// Where each trace came from (file name), by trace index.
    #[prop(into)]
    sources: Signal<tracescope_core::runs::Runs<std::sync::Arc<str>>>,
    /// Traces ticked for a comparison (a box on each row; a third replaces
    /// the first).
    #[prop(optional)]
    picked: Option<RwSignal<Vec<usize>>>,
    /// Closes trace `i` (a × on each row).
    #[prop(optional)]
    on_close: Option<Callback<usize>>,
) -> impl IntoView {
    // A page of traces at a time, and only its traces summarized: a file of
    // a million one-span traces makes no million rows nor summaries.
    let total = Memo::new(move |_| dataset.with(|ds| ds.traces.len()));
    let page = first_page_on_change(total);
    // The page's rows are made a task after the dataset or the page
    // changes: a load's first paint and its rows are two tasks, not one.
    let rows = RwSignal::new(Vec::<(usize, TraceSummary)>::new());
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (from, n) = page_rows(page.get());
        dataset.track();
        compute_later(job, dataset, rows, move |ds| {
            let shown = ds.traces.iter().enumerate().skip(from).take(n);
            shown.map(|(i, t)| (i, summarize(ds, t))).collect()
        });
    });
    view! {
        <div hidden=move || total.get() <= ROWS_PER_PAGE>
            <PageBar page=page total=total testid="traces" />
        </div>
        <table class="trace-list" data-testid="trace-list">
            <thead>
                <tr>
                    <th>"Root"</th>
                    <th>"Start"</th>
                    <th class="num">"Duration"</th>
                    <th class="num">"Spans"</th>
                    <th class="num">"Errors"</th>
                    <th>"Source"</th>
                    {picked.map(|_| view! { <th>"Compare"</th> })}
                    {on_close.map(|_| view! { <th><span class="visually-hidden">"Close"</span></th> })}
                </tr>
            </thead>
            <tbody>
                // A page of rows, made again when it changes (no keyed list).
                {move || rows.get().into_iter().map(|(i, s)| {
                        let src = move || sources.with(|v| v.get(i).map(|s| s.to_string()).unwrap_or_default());
                        let has_errors = s.errors > 0;
                        view! {
                            <tr
                                class:open=move || open.get() == Some(i)
                                class:has-errors=has_errors
                                data-trace-id=s.trace_id.clone()
                                tabindex="0"
                                aria-selected=move || (open.get() == Some(i)).to_string()
                                on:click=move |_| open.set(Some(i))
                                on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" || ev.key() == " " {
                                    ev.prevent_default();
                                    open.set(Some(i));
                                }
                            >
                                <td>
                                    <b>{s.root_service.clone()}</b>
                                    " "
                                    <span class="muted">{s.root_name.clone()}</span>
                                </td>
                                <td class="mono">{format_utc(s.start_ns)}</td>
                                <td class="num">{format_duration(s.duration_ns as f64)}</td>
                                <td class="num">{s.spans}</td>
                                <td class="num">{s.errors}</td>
                                <td class="muted">{src}</td>
                                {picked.map(|p| view! {
                                    <td on:click=|ev| ev.stop_propagation() on:keydown=|ev| ev.stop_propagation()>
                                        <input type="checkbox" data-testid="compare-pick"
                                            aria-label=format!("Compare trace {}", s.trace_id)
                                            prop:checked=move || p.with(|v| v.contains(&i))
                                            on:change=move |_| p.update(|v| match v.iter().position(|&x| x == i) {
                                                Some(k) => { v.remove(k); }
                                                None => {
                                                    if v.len() == 2 { v.remove(0); }
                                                    v.push(i);
                                                }
                                            }) />
                                    </td>
                                })}
                                {on_close.map(|cb| view! {
                                    <td>
                                        <button class="close" data-testid="trace-close" title="Close this trace"
                                            aria-label=format!("Close trace {}", s.trace_id)
                                            on:click=move |ev| { ev.stop_propagation(); cb.run(i) }>"×"</button>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
            </tbody>
        </table>
    }
}
