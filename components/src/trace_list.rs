//! The list of loaded traces: root service and operation, start, duration,
//! spans, errors. Clicking a row opens that trace.

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
    sources: Signal<Vec<String>>,
) -> impl IntoView {
    let rows = Memo::new(move |_| -> Vec<(usize, TraceSummary)> {
        dataset.with(|ds| {
            ds.traces
                .iter()
                .enumerate()
                .map(|(i, t)| (i, summarize(ds, t)))
                .collect()
        })
    });
    view! {
        <table class="trace-list" data-testid="trace-list">
            <thead>
                <tr>
                    <th>"Root"</th>
                    <th>"Start"</th>
                    <th class="num">"Duration"</th>
                    <th class="num">"Spans"</th>
                    <th class="num">"Errors"</th>
                    <th>"Source"</th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || rows.get()
                    key=|(i, s)| (*i, s.spans, s.trace_id.clone())
                    children=move |(i, s)| {
                        let src = move || sources.with(|v| v.get(i).cloned().unwrap_or_default());
                        let has_errors = s.errors > 0;
                        view! {
                            <tr
                                class:open=move || open.get() == Some(i)
                                class:has-errors=has_errors
                                data-trace-id=s.trace_id.clone()
                                on:click=move |_| open.set(Some(i))
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
                            </tr>
                        }
                    }
                />
            </tbody>
        </table>
    }
}
